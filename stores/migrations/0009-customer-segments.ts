// Segments computed daily from the deals (plan/segments.ts): A/B/C by revenue, RFM scores 1-5,
// VIP = top 20 % by revenue, and the segment name whose plan overrides apply.
import type { Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('customer_segments')
    .addColumn('customer_id', 'text', (c) => c.primaryKey())
    .addColumn('revenue', 'numeric(14, 2)', (c) => c.notNull())
    .addColumn('abc', 'text', (c) => c.notNull())
    .addColumn('recency', 'integer', (c) => c.notNull())
    .addColumn('frequency', 'integer', (c) => c.notNull())
    .addColumn('monetary', 'integer', (c) => c.notNull())
    .addColumn('vip', 'boolean', (c) => c.notNull())
    .addColumn('segment', 'text', (c) => c.notNull())
    .addColumn('computed_at', 'timestamptz', (c) => c.notNull())
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('customer_segments').execute();
}

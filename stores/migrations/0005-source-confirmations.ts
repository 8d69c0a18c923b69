// Source (F.A.S.T.): what the customer said after the deal about how they heard of the business,
// beside what was captured with the lead; one row per customer, the latest answer.
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('source_confirmations')
    .addColumn('customer_id', 'text', (c) => c.primaryKey())
    .addColumn('source', 'text', (c) => c.notNull())
    .addColumn('text', 'text')
    .addColumn('captured_source', 'text')
    .addColumn('confirmed_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('source_confirmations').execute();
}

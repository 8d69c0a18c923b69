// The plan's budget: every touch of every customer-year with its cost and owner (written with the
// year's progress), so the year's planned and spent cost is one query by month, kind, owner or segment.
import type { Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('planned_touches')
    .addColumn('key', 'text', (c) => c.primaryKey())
    .addColumn('customer_id', 'text', (c) => c.notNull())
    .addColumn('workflow_id', 'text', (c) => c.notNull())
    .addColumn('plan', 'text', (c) => c.notNull())
    .addColumn('plan_year', 'integer', (c) => c.notNull())
    .addColumn('segment', 'text')
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('channel', 'text', (c) => c.notNull())
    .addColumn('at', 'timestamptz', (c) => c.notNull())
    .addColumn('cost', 'numeric(12, 2)', (c) => c.notNull())
    .addColumn('owner', 'text', (c) => c.notNull())
    .addColumn('dropped', 'boolean', (c) => c.notNull().defaultTo(false))
    .execute();
  await db.schema.createIndex('planned_touches_by_at').on('planned_touches').column('at').execute();
  await db.schema.createIndex('planned_touches_by_year').on('planned_touches').columns(['workflow_id', 'plan_year']).execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('planned_touches').execute();
}

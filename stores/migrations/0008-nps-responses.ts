// NPS answers: one row per survey (the survey's touch key), written once: a second answer to the
// same survey is refused (single use). Reports read NPS over time and plan vs holdout from here.
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('nps_responses')
    .addColumn('survey_id', 'text', (c) => c.primaryKey())
    .addColumn('customer_id', 'text', (c) => c.notNull())
    .addColumn('plan', 'text', (c) => c.notNull())
    .addColumn('plan_year', 'integer', (c) => c.notNull())
    .addColumn('score', 'integer', (c) => c.notNull().check(sql`score between 0 and 10`))
    .addColumn('why', 'text')
    .addColumn('to_ten', 'text')
    .addColumn('language', 'text', (c) => c.notNull())
    .addColumn('answered_at', 'timestamptz', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('nps_responses_by_customer').on('nps_responses').column('customer_id').execute();
  await db.schema.createIndex('nps_responses_by_answered_at').on('nps_responses').column('answered_at').execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('nps_responses').execute();
}

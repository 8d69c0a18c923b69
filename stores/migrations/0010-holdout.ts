// The holdout group: a customer chosen at enrolment (stable hash of the id, HOLDOUT_PERCENT) to get
// only the transactional minimum; reports compare plan and holdout.
import type { Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('customers').addColumn('holdout', 'boolean', (c) => c.notNull().defaultTo(false)).execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('customers').dropColumn('holdout').execute();
}

// The computed value class gets its own name (issue 24): customer_segments.segment held `vip`,
// `a`, `b` or `c` and read as the business's own segment, which the daily refresh then wrote
// over in running years. The column becomes `value_class`; the business's `segment` is the
// label it gives a person (import, API, CLI, web) and lives with the person, never here.
import type { Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('customer_segments').renameColumn('segment', 'value_class').execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('customer_segments').renameColumn('value_class', 'segment').execute();
}

// The computed value class gets its own name (issue 24): customer_segments.segment held `vip`,
// `a`, `b` or `c` and read as the business's own segment, which the daily refresh then wrote
// over in running years. The column becomes `value_class`; the business's `segment` is the
// label it gives a person (import, API, CLI, web) and lives with the person, never here.
//
// The rows go (they are recomputed from the deals): years that ran before this release never
// received their class as a field of its own, so the next refresh finds every customer new
// (`from: null`) and tells each running year its class once (patch `own-segment`).
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('customer_segments').renameColumn('segment', 'value_class').execute();
  await sql`delete from customer_segments`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('customer_segments').renameColumn('value_class', 'segment').execute();
}

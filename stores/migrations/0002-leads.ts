// Leads (F.A.S.T.): one row per person captured before a deal, unique by email and by phone so a
// second capture finds the first; one row per stage change, so conversion by source and by agent
// is one query; and lead tasks (first contact, reply, contact later) beside call tasks.
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  const now = sql`now()`;
  await db.schema
    .createTable('leads')
    .addColumn('lead_id', 'text', (c) => c.primaryKey())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('email', 'text')
    .addColumn('phone', 'text')
    .addColumn('source', 'text', (c) => c.notNull())
    .addColumn('source_text', 'text')
    .addColumn('stage', 'text', (c) => c.notNull().defaultTo('new').check(sql`stage in ('new', 'contacted', 'qualified', 'nurture', 'deal', 'lost')`))
    .addColumn('agent', 'text')
    .addColumn('assigned_at', 'timestamptz')
    .addColumn('captures', 'integer', (c) => c.notNull().defaultTo(1))
    .addColumn('reason', 'text')
    .addColumn('payload', 'jsonb', (c) => c.notNull())
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(now))
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(now))
    .execute();
  await db.schema.createIndex('leads_email').unique().on('leads').column('email').where(sql.ref('email'), 'is not', null).execute();
  await db.schema.createIndex('leads_phone').unique().on('leads').column('phone').where(sql.ref('phone'), 'is not', null).execute();
  await db.schema.createIndex('leads_agent_stage').on('leads').columns(['agent', 'stage']).execute();

  await db.schema
    .createTable('lead_stages')
    .addColumn('lead_id', 'text', (c) => c.notNull())
    .addColumn('stage', 'text', (c) => c.notNull())
    .addColumn('at', 'timestamptz', (c) => c.notNull())
    .addColumn('agent', 'text')
    .addColumn('source', 'text', (c) => c.notNull())
    .addColumn('reason', 'text')
    .addPrimaryKeyConstraint('lead_stages_pk', ['lead_id', 'stage', 'at'])
    .execute();

  await sql`alter table tasks drop constraint if exists tasks_type_check`.execute(db);
  await sql`alter table tasks add constraint tasks_type_check check (type in ('call', 'reply', 'postal', 'lead'))`.execute(db);
  await db.schema.createIndex('tasks_given_by_agent').on('tasks').columns(['agent', 'given_at']).execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropIndex('tasks_given_by_agent').execute();
  await sql`alter table tasks drop constraint if exists tasks_type_check`.execute(db);
  await sql`alter table tasks add constraint tasks_type_check check (type in ('call', 'reply', 'postal'))`.execute(db);
  await db.schema.dropTable('lead_stages').execute();
  await db.schema.dropTable('leads').execute();
}

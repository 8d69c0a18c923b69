// The first schema: the delivery ledger, contacts, tasks, and the rows reports read (customers,
// touch outcomes, deals, referrals). Never edited once released: a change is a new migration.
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  const now = sql`now()`;
  await db.schema
    .createTable('deliveries')
    .addColumn('key', 'text', (c) => c.primaryKey())
    .addColumn('channel', 'text')
    .addColumn('outcome', 'text')
    .addColumn('reason', 'text')
    .addColumn('reference', 'text')
    .addColumn('result', 'jsonb')
    .addColumn('sending_started_at', 'timestamptz')
    .addColumn('sending_mark', 'jsonb')
    .addColumn('recorded_at', 'timestamptz')
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(now))
    .execute();

  await db.schema
    .createTable('contacts')
    .addColumn('phone_hash', 'text', (c) => c.primaryKey())
    .addColumn('customer_id', 'text', (c) => c.notNull())
    .addColumn('workflow_id', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(now))
    .execute();

  await db.schema
    .createTable('tasks')
    .addColumn('task_id', 'text', (c) => c.primaryKey())
    .addColumn('type', 'text', (c) => c.notNull().check(sql`type in ('call', 'reply', 'postal')`))
    .addColumn('customer_id', 'text', (c) => c.notNull())
    .addColumn('agent', 'text')
    .addColumn('owner', 'text')
    .addColumn('state', 'text', (c) => c.notNull().defaultTo('open').check(sql`state in ('open', 'reminded', 'escalated', 'done')`))
    .addColumn('due_at', 'timestamptz')
    .addColumn('given_at', 'timestamptz')
    .addColumn('reminded_at', 'timestamptz')
    .addColumn('escalated_at', 'timestamptz')
    .addColumn('completed_at', 'timestamptz')
    .addColumn('outcome', 'text')
    .addColumn('notes', 'text')
    .addColumn('payload', 'jsonb', (c) => c.notNull())
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(now))
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(now))
    .execute();
  // The agent's inbox: open tasks of one agent, by due date.
  await db.schema.createIndex('tasks_open_by_agent').on('tasks').columns(['agent', 'due_at']).where(sql.ref('state'), '<>', 'done').execute();
  await db.schema.createIndex('tasks_by_customer').on('tasks').column('customer_id').execute();

  await db.schema
    .createTable('customers')
    .addColumn('customer_id', 'text', (c) => c.primaryKey())
    .addColumn('workflow_id', 'text', (c) => c.notNull())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('agent', 'text', (c) => c.notNull())
    .addColumn('plan', 'text', (c) => c.notNull())
    .addColumn('plan_year', 'integer', (c) => c.notNull())
    .addColumn('state', 'text', (c) => c.notNull())
    .addColumn('referrals', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('customers_by_agent').on('customers').columns(['agent', 'plan']).execute();

  await db.schema
    .createTable('touch_outcomes')
    .addColumn('key', 'text', (c) => c.primaryKey())
    .addColumn('customer_id', 'text', (c) => c.notNull())
    .addColumn('agent', 'text', (c) => c.notNull())
    .addColumn('plan', 'text', (c) => c.notNull())
    .addColumn('plan_year', 'integer', (c) => c.notNull())
    .addColumn('seq', 'integer', (c) => c.notNull())
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('channel', 'text', (c) => c.notNull())
    .addColumn('outcome', 'text', (c) => c.notNull().check(sql`outcome in ('sent', 'skipped', 'failed')`))
    .addColumn('reason', 'text')
    .addColumn('at', 'timestamptz', (c) => c.notNull())
    .addColumn('done_at', 'timestamptz', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('touch_outcomes_by_done_at').on('touch_outcomes').columns(['done_at', 'kind']).execute();
  await db.schema.createIndex('touch_outcomes_by_customer').on('touch_outcomes').columns(['customer_id', 'plan_year']).execute();

  await db.schema
    .createTable('deals')
    .addColumn('customer_id', 'text', (c) => c.notNull())
    .addColumn('deal_id', 'text', (c) => c.notNull())
    .addColumn('closed_at', 'text', (c) => c.notNull())
    .addColumn('value', 'double precision')
    .addColumn('recorded_at', 'timestamptz', (c) => c.notNull())
    .addPrimaryKeyConstraint('deals_pk', ['customer_id', 'deal_id'])
    .execute();

  await db.schema
    .createTable('referrals')
    .addColumn('customer_id', 'text', (c) => c.notNull())
    .addColumn('referral_id', 'text', (c) => c.notNull())
    .addColumn('plan_year', 'integer', (c) => c.notNull())
    .addColumn('recorded_at', 'timestamptz', (c) => c.notNull())
    .addPrimaryKeyConstraint('referrals_pk', ['customer_id', 'referral_id'])
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const table of ['referrals', 'deals', 'touch_outcomes', 'customers', 'tasks', 'contacts', 'deliveries']) await db.schema.dropTable(table).ifExists().execute();
}

// Households: who shares printed cards at one address (opted in), and which shared item each
// household already got (one card for all, whichever member's year came first).
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('household_members')
    .addColumn('household', 'text', (c) => c.notNull())
    .addColumn('customer_id', 'text', (c) => c.notNull())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addPrimaryKeyConstraint('household_members_pk', ['household', 'customer_id'])
    .execute();
  await db.schema.createIndex('household_members_by_customer').on('household_members').column('customer_id').execute();
  await db.schema
    .createTable('household_items')
    .addColumn('household', 'text', (c) => c.notNull())
    .addColumn('item', 'text', (c) => c.notNull())
    .addColumn('task_id', 'text', (c) => c.notNull())
    .addColumn('customer_id', 'text', (c) => c.notNull())
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addPrimaryKeyConstraint('household_items_pk', ['household', 'item'])
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('household_items').execute();
  await db.schema.dropTable('household_members').execute();
}

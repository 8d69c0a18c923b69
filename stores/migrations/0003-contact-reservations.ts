// The contact limit across a person's plans: a send about to happen is reserved under the
// person's lock before it goes, so two plans of one person waking together count each other.
import type { Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('contact_reservations')
    .addColumn('key', 'text', (c) => c.primaryKey())
    .addColumn('customer_id', 'text', (c) => c.notNull())
    .addColumn('channel', 'text', (c) => c.notNull())
    .addColumn('at', 'timestamptz', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('contact_reservations_by_person').on('contact_reservations').columns(['customer_id', 'channel', 'at']).execute();
  await db.schema.createIndex('touch_outcomes_sent_by_person').on('touch_outcomes').columns(['customer_id', 'channel', 'done_at']).execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropIndex('touch_outcomes_sent_by_person').execute();
  await db.schema.dropTable('contact_reservations').execute();
}

// Which person a phone number belongs to, for inbound SMS (STOP, START, replies). Keys are
// SHA-256 hashes of the E.164 number, so the table does not list phone numbers.
import { createHash } from 'node:crypto';
import { sql } from 'kysely';
import type { Db } from './db';

export interface ContactEntry {
  customerId: string;
  workflowId: string;
}

export interface ContactIndex {
  remember(phone: string, entry: ContactEntry): Promise<void>;
  lookup(phone: string): Promise<ContactEntry | undefined>;
}

export const phoneHash = (phone: string) => createHash('sha256').update(phone.replace(/[^+\d]/g, '')).digest('hex');

export class PgContactIndex implements ContactIndex {
  constructor(private readonly db: Db) {}

  async remember(phone: string, entry: ContactEntry): Promise<void> {
    const values = { customer_id: entry.customerId, workflow_id: entry.workflowId };
    // The latest owner of a number wins (a number passed on to another customer).
    await this.db
      .insertInto('contacts')
      .values({ phone_hash: phoneHash(phone), ...values })
      .onConflict((oc) =>
        oc
          .column('phone_hash')
          .doUpdateSet({ ...values, updated_at: sql<Date | string>`now()` })
          .where((eb) => eb.or([eb('contacts.customer_id', '<>', entry.customerId), eb('contacts.workflow_id', '<>', entry.workflowId)])),
      )
      .execute();
  }

  async lookup(phone: string): Promise<ContactEntry | undefined> {
    const row = await this.db.selectFrom('contacts').select(['customer_id', 'workflow_id']).where('phone_hash', '=', phoneHash(phone)).executeTakeFirst();
    return row ? { customerId: row.customer_id, workflowId: row.workflow_id } : undefined;
  }
}

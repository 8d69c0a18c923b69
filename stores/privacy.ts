// Everything plan33's store keeps about one person, to hand over (export) or to delete (forget),
// in one transaction each. A person's rows are found by their id (customer and lead share it) and,
// for the ledger, by their workflows' keys (`customer-<id>.…`, `lead-<id>.…`). The audit row keeps
// no personal data: the id's SHA-256, the action, who asked, and the row counts.
import { createHash } from 'node:crypto';
import { sql, type Transaction } from 'kysely';
import type { Db } from './db';
import type { Database } from './schema';

/** The tables holding a person's rows, and the column naming them. */
const BY_CUSTOMER = [
  'customers',
  'touch_outcomes',
  'deals',
  'tasks',
  'contacts',
  'contact_reservations',
  'household_members',
  'household_items',
  'source_confirmations',
  'planned_touches',
  'nps_responses',
  'customer_segments',
] as const;
type PersonTable = (typeof BY_CUSTOMER)[number] | 'referrals' | 'referred' | 'leads' | 'lead_stages' | 'deliveries';

export type PersonRows = Record<PersonTable, unknown[]>;

/** The advisory lock a forget and a person's row writes share. */
export const personLockKey = (id: string) => `plan33:person:${id}`;
export const subjectHash = (id: string) => createHash('sha256').update(`plan33:person:${id}`).digest('hex');

/** LIKE patterns for the person's ledger keys (`_` and `%` in ids escaped). */
function keyPatterns(id: string): string[] {
  const safe = id.replace(/[\\%_]/g, (c) => `\\${c}`);
  return [`customer-${safe}.%`, `lead-${safe}.%`];
}

async function rowsOf(tx: Transaction<Database> | Db, id: string): Promise<PersonRows> {
  const out = {} as PersonRows;
  for (const table of BY_CUSTOMER) out[table] = await tx.selectFrom(table).selectAll().where('customer_id', '=', id).execute();
  // Referrals the person made, and the rows that name them as the one referred.
  out.referrals = await tx.selectFrom('referrals').selectAll().where('customer_id', '=', id).execute();
  out.referred = await tx.selectFrom('referrals').selectAll().where('referral_id', '=', id).execute();
  out.leads = await tx.selectFrom('leads').selectAll().where('lead_id', '=', id).execute();
  out.lead_stages = await tx.selectFrom('lead_stages').selectAll().where('lead_id', '=', id).execute();
  const [a, b] = keyPatterns(id);
  out.deliveries = await tx.selectFrom('deliveries').selectAll().where((eb) => eb.or([eb('key', 'like', a!), eb('key', 'like', b!)])).execute();
  return out;
}

const counts = (rows: PersonRows) => Object.fromEntries(Object.entries(rows).map(([k, v]) => [k, v.length]));

export class PgPrivacyStore {
  constructor(private readonly db: Db) {}

  /** All the rows kept about the person; the request is audited (counts only). */
  async export(id: string, actor: string): Promise<PersonRows> {
    return this.db.transaction().execute(async (tx) => {
      const rows = await rowsOf(tx, id);
      await tx.insertInto('privacy_audit').values({ action: 'export', subject_hash: subjectHash(id), actor, rows: JSON.stringify(counts(rows)) }).execute();
      return rows;
    });
  }

  /**
   * Deletes every row kept about the person in one transaction; a referral that names them as the
   * one referred keeps the referrer's row but loses their id (`forgotten`). Returns the counts,
   * which the audit row keeps.
   */
  async forget(id: string, actor: string): Promise<Record<string, number>> {
    return this.db.transaction().execute(async (tx) => {
      // The person's lock: a snapshot being written now (stores/records.ts) waits, then sees the audit row.
      await sql`select pg_advisory_xact_lock(hashtext(${personLockKey(id)}))`.execute(tx);
      const before = counts(await rowsOf(tx, id));
      for (const table of BY_CUSTOMER) await tx.deleteFrom(table).where('customer_id', '=', id).execute();
      await tx.deleteFrom('referrals').where('customer_id', '=', id).execute();
      await sql`update referrals set referral_id = 'forgotten-' || md5(referral_id || customer_id) where referral_id = ${id}`.execute(tx);
      await tx.deleteFrom('lead_stages').where('lead_id', '=', id).execute();
      await tx.deleteFrom('leads').where('lead_id', '=', id).execute();
      const [a, b] = keyPatterns(id);
      await tx.deleteFrom('deliveries').where((eb) => eb.or([eb('key', 'like', a!), eb('key', 'like', b!)])).execute();
      await tx.insertInto('privacy_audit').values({ action: 'forget', subject_hash: subjectHash(id), actor, rows: JSON.stringify(before) }).execute();
      return before;
    });
  }
}

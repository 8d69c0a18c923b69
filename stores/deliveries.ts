// The delivery ledger: which touch keys were already delivered, so a retried activity returns
// the first result instead of sending a second message. Shared by every worker: two workers
// racing on one key record one result (the first), whichever finishes last.
import { sql } from 'kysely';
import type { TouchResult } from '../plan/touch';
import type { Db } from './db';

/** Written just before a send: if the worker dies before `record`, the retry knows a send may have gone out. */
export interface SendingMark {
  /** ISO instant the attempt began. */
  startedAt: string;
  channel: string;
  /** Where it went and what it said, so the retry can look for it at the provider. */
  to?: string;
  body?: string;
}

export interface DeliveryLedger {
  /** The recorded result for this key, if it was delivered before. */
  get(key: string): Promise<TouchResult | undefined>;
  /** Records a delivered key; recording the same key again keeps the first result. */
  record(key: string, result: TouchResult): Promise<void>;
  /** Notes that a send for this key is about to start (kept after `record`, harmless). */
  markSending(key: string, mark: SendingMark): Promise<void>;
  /** The mark of an earlier attempt whose outcome was never recorded, if any. */
  sendingMark(key: string): Promise<SendingMark | undefined>;
}

export class PgDeliveryLedger implements DeliveryLedger {
  constructor(private readonly db: Db) {}

  async get(key: string): Promise<TouchResult | undefined> {
    const row = await this.db.selectFrom('deliveries').select('result').where('key', '=', key).where('recorded_at', 'is not', null).executeTakeFirst();
    return (row?.result as TouchResult | null | undefined) ?? undefined;
  }

  async record(key: string, result: TouchResult): Promise<void> {
    const values = { outcome: result.outcome, reason: result.reason ?? null, reference: result.reference ?? null, result: JSON.stringify(result), recorded_at: sql<Date | string>`now()` };
    // Insert-if-absent for the result: a row holding only the sending mark is completed, a
    // recorded one is left as it was.
    await this.db
      .insertInto('deliveries')
      .values({ key, ...values })
      .onConflict((oc) => oc.column('key').doUpdateSet(values).where('deliveries.recorded_at', 'is', null))
      .execute();
  }

  async markSending(key: string, mark: SendingMark): Promise<void> {
    const values = { channel: mark.channel, sending_started_at: mark.startedAt, sending_mark: JSON.stringify(mark) };
    await this.db
      .insertInto('deliveries')
      .values({ key, ...values })
      .onConflict((oc) => oc.column('key').doUpdateSet(values).where('deliveries.recorded_at', 'is', null))
      .execute();
  }

  async sendingMark(key: string): Promise<SendingMark | undefined> {
    const row = await this.db.selectFrom('deliveries').select('sending_mark').where('key', '=', key).where('recorded_at', 'is', null).executeTakeFirst();
    return (row?.sending_mark as SendingMark | null | undefined) ?? undefined;
  }
}

// The right to be forgotten against a write in flight: an activity that took its snapshot before
// the person was forgotten (still running when the forget ended the workflow) writes no row about
// them afterwards; a plan started after the forget (a new deal) is written as usual. Real PostgreSQL.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PgPrivacyStore } from '../stores/privacy';
import type { YearProgress } from '../plan/year-records';
import { freshStores, type TestStores } from './helpers/database';

let stores: TestStores;
beforeAll(async () => {
  stores = await freshStores();
});
afterAll(async () => {
  await stores?.db.destroy();
});

const snapshot = (at: Date): YearProgress => ({
  customerId: 'gone-1',
  workflowId: 'customer-gone-1',
  name: 'Nadia Gone',
  agent: 'agent-sara',
  plan: 'client-for-life',
  planYear: 1,
  state: 'running',
  referralIds: [],
  deals: [],
  outcomes: [],
  calls: [],
  at: at.toISOString(),
});

describe('forget and a late write', () => {
  it('a snapshot from before the forget writes nothing after it; one from a plan started later does', async () => {
    const rowsOf = () => stores.db.selectFrom('customers').select(['customer_id', 'name']).where('customer_id', '=', 'gone-1').execute();
    const taken = new Date(Date.now() - 60_000);
    await stores.records.recordProgress(snapshot(taken));
    expect(await rowsOf()).toHaveLength(1);

    await new PgPrivacyStore(stores.db).forget('gone-1', 'test');
    expect(await rowsOf()).toEqual([]);
    // The activity that was in flight: its snapshot is older than the forget.
    await stores.records.recordProgress({ ...snapshot(new Date(taken.getTime() + 30_000)), deals: [{ id: 'd-late', closedAt: '2027-01-05' }] });
    await stores.records.recordDelivered(snapshot(taken), { key: 'customer-gone-1.y1.t2', seq: 2, kind: 'newsletter', channel: 'email', outcome: 'sent', at: taken.toISOString(), doneAt: new Date(taken.getTime() + 40_000).toISOString() });
    expect(await rowsOf()).toEqual([]);
    expect(await stores.db.selectFrom('deals').selectAll().where('customer_id', '=', 'gone-1').execute()).toEqual([]);
    expect(await stores.db.selectFrom('touch_outcomes').selectAll().where('customer_id', '=', 'gone-1').execute()).toEqual([]);
    // A new deal after the forget: the person is enrolled again, and written.
    await stores.records.recordProgress(snapshot(new Date(Date.now() + 60_000)));
    expect(await rowsOf()).toEqual([{ customer_id: 'gone-1', name: 'Nadia Gone' }]);
  });
});

// The plan's budget: each touch's cost and owner (per kind and channel, by plan and segment through
// the overrides), a per-customer-year cap that drops the most expensive optional touches first, and
// the year's planned and spent cost for everyone on the books in one query, checked against figures
// worked out by hand.
import { describe, expect, it } from 'vitest';
import { preview } from '../cli/preview';
import { costOf, DEFAULT_COSTS } from '../plan/budget';
import { customerSchema } from '../plan/customer';
import { parsePlanOverrides, resolvePlan } from '../plan/definitions';
import type { YearProgress } from '../plan/year-records';
import * as year from '../plan/year-state';
import { DEFAULT_SENDING_HOURS } from '../plan/sending-hours';
import { budgetReport } from '../service/value';
import { ValidationError } from '../service/errors';
import { freshStores } from './helpers/database';
import { layla } from './fixtures/customers';

const customer = customerSchema.parse({ ...layla, personalDates: [] });
const START = Date.parse('2040-01-04T06:00:00Z');

describe('cost and owner of each touch', () => {
  it('preview gives every touch its cost and owner; a card by post costs more than an email', () => {
    const touches = preview(customer, { start: '2040-01-10', plan: 'client-for-life', sendingHours: DEFAULT_SENDING_HOURS, nowMs: START });
    // The 33 and the NPS survey (plan version 3).
    expect(touches).toHaveLength(34);
    expect(touches.find((t) => t.kind === 'nps-survey')).toMatchObject({ channel: 'email', cost: 0.05, owner: 'marketing' });
    for (const t of touches) {
      expect(typeof t.cost).toBe('number');
      expect(['marketing', 'agent', 'office']).toContain(t.owner);
    }
    expect(touches.find((t) => t.kind === 'holiday-card')).toMatchObject({ channel: 'postal', cost: 3.5, owner: 'marketing' });
    expect(touches.find((t) => t.kind === 'call')).toMatchObject({ channel: 'phone', cost: 8, owner: 'agent' });
    expect(costOf({ kind: 'holiday-card', channel: 'email' }, undefined)).toEqual({ cost: 0.05, owner: 'marketing' });
    expect(costOf({ kind: 'give-away', channel: 'none' }, undefined)).toEqual({ cost: 0, owner: 'office' });
  });

  it('a segment may price differently and cap the year: the most expensive optional touches go first, and the year records them skipped', () => {
    const plain = preview(customer, { start: '2040-01-10', plan: 'client-for-life', sendingHours: DEFAULT_SENDING_HOURS, nowMs: START });
    const total = plain.reduce((s, t) => s + t.cost, 0);
    // By hand: 12 newsletters by email 0.60, 7 cards by post 24.50, 5 calls 40, 3 letters by post 7.50, 4 cards by post 14, 2 gifts by post 50,
    // the NPS survey by email 0.05: 136.65.
    expect(Math.round(total * 100) / 100).toBe(136.65);
    const overrides = parsePlanOverrides({ segments: { lean: { 'client-for-life': { budgetCap: 95, costs: { ...DEFAULT_COSTS, call: { phone: 10, owner: 'agent', optional: false } } } } } });
    const lean = customerSchema.parse({ ...layla, personalDates: [], segment: 'lean' });
    const capped = preview(lean, { start: '2040-01-10', plan: 'client-for-life', sendingHours: DEFAULT_SENDING_HOURS, nowMs: START, overrides });
    // 136.65 + 5 calls × 2 more = 146.65; over 95: the two gifts (25 each) go (96.65), then one card by post (3.5): 93.15.
    expect(capped.find((t) => t.kind === 'call')!.cost).toBe(10);
    const dropped = capped.filter((t) => t.dropped);
    expect(dropped.map((t) => t.kind).sort()).toEqual(['give-away', 'give-away', 'personal-card']);
    expect(dropped.find((t) => t.kind === 'personal-card')!.dropped).toBe('budget cap of 95 a year: the most expensive optional touch (3.5) was dropped');
    const kept = capped.filter((t) => !t.dropped).reduce((s, t) => s + t.cost, 0);
    expect(Math.round(kept * 100) / 100).toBe(93.15);
    const state = year.newYear({ customer: lean, plan: 'client-for-life', definition: resolvePlan('client-for-life', { segment: 'lean', overrides }), planYear: 1, yearStartMs: START, sendingHours: DEFAULT_SENDING_HOURS, deals: [], referralIds: [], pledged: false });
    expect(state.done.map((t) => `${t.kind} ${t.outcome}`).sort()).toEqual(['give-away skipped', 'give-away skipped', 'personal-card skipped']);
    expect(state.done.every((t) => /^budget cap of 95 a year/.test(t.reason!))).toBe(true);
    expect(state.touches).toHaveLength(31);
  });
});

describe('the budget for everyone on the books (PostgreSQL)', () => {
  const progress = (id: string, segment: string | null, planned: NonNullable<YearProgress['planned']>): YearProgress => ({
    customerId: id, workflowId: `customer-${id}`, name: id, agent: 'agent-sara', plan: 'client-for-life', planYear: 1, state: 'running', referralIds: [], deals: [], outcomes: [], calls: [], at: '2027-03-01T00:00:00Z', segment, planned,
  });
  const row = (id: string, seq: number, kind: string, at: string, cost: number, owner: string, channel = 'email', dropped = false) => ({ key: `customer-${id}.y1.t${seq}`, kind, channel, at, cost, owner, dropped });

  it('planned and spent by month, kind, owner and segment, as worked out by hand', async () => {
    const stores = await freshStores();
    await stores.records.recordProgress(progress('ann', 'vip', [
      row('ann', 1, 'newsletter', '2027-01-05T10:00:00Z', 0.05, 'marketing'),
      row('ann', 2, 'holiday-card', '2027-01-20T10:00:00Z', 3.5, 'marketing', 'postal'),
      row('ann', 3, 'call', '2027-02-10T10:00:00Z', 8, 'agent', 'phone'),
      row('ann', 4, 'give-away', '2027-02-15T10:00:00Z', 25, 'office', 'postal', true), // dropped by a cap
    ]));
    await stores.records.recordProgress(progress('bob', null, [
      row('bob', 1, 'newsletter', '2027-01-06T10:00:00Z', 0.05, 'marketing'),
      row('bob', 2, 'call', '2027-02-11T10:00:00Z', 8, 'agent', 'phone'),
      row('bob', 3, 'newsletter', '2028-01-05T10:00:00Z', 0.05, 'marketing'), // next year
    ]));
    const sent = (id: string, seq: number, kind: string, channel: string, outcome: 'sent' | 'skipped') =>
      stores.records.recordDelivered({ customerId: id, workflowId: `customer-${id}`, name: id, agent: 'agent-sara', plan: 'client-for-life', planYear: 1 }, { key: `customer-${id}.y1.t${seq}`, seq, kind, channel, outcome, at: '2027-01-05T10:00:00Z', doneAt: '2027-01-05T10:00:00Z' });
    await sent('ann', 1, 'newsletter', 'email', 'sent');
    await sent('ann', 2, 'holiday-card', 'postal', 'sent');
    await sent('bob', 1, 'newsletter', 'email', 'skipped'); // skipped: neither planned nor spent any more

    // By hand. Planned (not skipped, not dropped): ann 0.05 + 3.5 + 8, bob 8 = 19.55. Spent: ann 0.05 + 3.5 = 3.55.
    const byMonth = await budgetReport(stores.db, { year: 2027, by: 'month' }, 'SAR');
    expect(byMonth.rows).toEqual([
      { key: '2027-01', planned: 3.55, spent: 3.55, touches: 2, sent: 2 },
      { key: '2027-02', planned: 16, spent: 0, touches: 2, sent: 0 },
    ]);
    expect(byMonth.total).toEqual({ planned: 19.55, spent: 3.55 });
    expect((await budgetReport(stores.db, { year: 2027, by: 'owner' }, 'SAR')).rows).toEqual([
      { key: 'agent', planned: 16, spent: 0, touches: 2, sent: 0 },
      { key: 'marketing', planned: 3.55, spent: 3.55, touches: 2, sent: 2 },
      { key: 'office', planned: 0, spent: 0, touches: 0, sent: 0 },
    ]);
    expect((await budgetReport(stores.db, { year: 2027, by: 'segment' }, 'SAR')).rows.map((r) => [r.key, r.planned])).toEqual([['(none)', 8], ['vip', 11.55]]);
    expect((await budgetReport(stores.db, { year: 2027, by: 'kind' }, 'SAR')).rows.find((r) => r.key === 'call')).toEqual({ key: 'call', planned: 16, spent: 0, touches: 2, sent: 0 });
    expect((await budgetReport(stores.db, { year: 2028, by: 'month' }, 'SAR')).total).toEqual({ planned: 0.05, spent: 0 });
    await expect(budgetReport(stores.db, { year: 'soon', by: 'weather' }, 'SAR')).rejects.toBeInstanceOf(ValidationError);
    await stores.db.destroy();
  });
});

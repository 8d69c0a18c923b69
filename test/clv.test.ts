// Customer lifetime value, the documents' formula: average purchase value × purchases per year ×
// lifespan in years − acquisition cost, and the referral-adjusted value, computed from a known set
// of customers, deals and referrals in a real PostgreSQL and compared with figures worked out by
// hand below; then through the HTTP API.
import { describe, expect, it } from 'vitest';
import { customerValue, distribution } from '../plan/clv';
import type { YearProgress } from '../plan/year-records';
import { clvReport, valueOf } from '../service/value';
import { NotFoundError } from '../service/errors';
import { freshStores } from './helpers/database';

const settings = { lifespanYears: 10, acquisitionCost: 5000, currency: 'SAR' };
const NOW = Date.parse('2040-01-01T12:00:00Z');

function progress(customerId: string, deals: YearProgress['deals'], referralIds: string[] = []): YearProgress {
  return { customerId, workflowId: `customer-${customerId}`, name: customerId, agent: 'agent-sara', plan: 'client-for-life', planYear: 1, state: 'running', referralIds, deals, outcomes: [], calls: [], at: '2040-01-01T00:00:00Z' };
}

describe('customer lifetime value', () => {
  it('the formula, by hand', () => {
    // Two deals over four years (2036-01-01 .. 2040-01-01 = 1461 days = 4 years): 0.5 a year.
    expect(customerValue({ values: [400_000, 600_000], firstDeal: '2036-01-01', referredValue: 300_000 }, '2040-01-01', settings)).toEqual({
      deals: 2, averagePurchase: 500_000, purchasesPerYear: 0.5, lifespanYears: 10, acquisitionCost: 5000,
      clv: 2_495_000, // 500 000 × 0.5 × 10 − 5 000
      referredValue: 300_000, referralAdjustedClv: 2_795_000, currency: 'SAR',
    });
    // A customer of half a year counts one year: one purchase a year, not two.
    expect(customerValue({ values: [200_000], firstDeal: '2039-07-01', referredValue: 0 }, '2040-01-01', settings).clv).toBe(1_995_000);
    expect(distribution([2_995_000, 1_995_000, 2_495_000])).toEqual({ count: 3, min: 1_995_000, p25: 2_245_000, median: 2_495_000, p75: 2_745_000, max: 2_995_000, total: 7_485_000 });
  });

  it('from PostgreSQL: every customer in one query, the referred deals counted for the referrer', async () => {
    const stores = await freshStores();
    // Aisha: two deals, and she referred Chris (the referral's id is his customer id).
    await stores.records.recordProgress(progress('aisha', [{ id: 'A1', closedAt: '2036-01-01', value: 400_000 }, { id: 'A2', closedAt: '2038-01-01T10:00:00+03:00', value: 600_000 }], ['chris']));
    await stores.records.recordProgress(progress('ben', [{ id: 'B1', closedAt: '2039-07-01', value: 200_000 }]));
    await stores.records.recordProgress(progress('chris', [{ id: 'C1', closedAt: '2039-10-01', value: 300_000 }]));
    // A deal recorded twice (a retried activity) counts once.
    await stores.records.recordProgress(progress('ben', [{ id: 'B1', closedAt: '2039-07-01', value: 200_000 }]));

    const aisha = await valueOf(stores.db, 'aisha', settings, NOW);
    expect(aisha).toMatchObject({ customerId: 'aisha', deals: 2, averagePurchase: 500_000, clv: 2_495_000, referredValue: 300_000, referralAdjustedClv: 2_795_000 });
    const report = await clvReport(stores.db, settings, NOW);
    expect(report.customers.map((c) => [c.customerId, c.clv, c.referralAdjustedClv])).toEqual([
      ['aisha', 2_495_000, 2_795_000],
      ['ben', 1_995_000, 1_995_000], // 200 000 × 1 × 10 − 5 000
      ['chris', 2_995_000, 2_995_000], // 300 000 × 1 × 10 − 5 000
    ]);
    expect(report.clv).toEqual({ count: 3, min: 1_995_000, p25: 2_245_000, median: 2_495_000, p75: 2_745_000, max: 2_995_000, total: 7_485_000 });
    expect(report.referralAdjusted.total).toBe(7_785_000);
    await expect(valueOf(stores.db, 'nobody', settings, NOW)).rejects.toBeInstanceOf(NotFoundError);
    await stores.db.destroy();
  });
});

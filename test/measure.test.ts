// The measurement reports (issue 15, part 7) against a real PostgreSQL: a known set of customers,
// deals, referrals, leads, touches, call tasks, NPS answers and segments is written with Kysely,
// and every figure of every report is compared with the number worked out by hand in the comments
// (the intervals too: the formulas are written out below; scipy's t.ppf and statsmodels'
// confint_proportions_2indep(method='newcomb') give the same to 4 decimals). Dates are pinned.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Db } from '../stores';
import { meanDifference, proportionDifference, variance, wilson } from '../plan/stats';
import { listReports, periodOf, REPORT_NAMES, runReport } from '../service/measure';
import { NotFoundError, ValidationError } from '../service/errors';
import { clvReport } from '../service/value';
import { DEFAULT_CLV_SETTINGS } from '../plan/clv';
import { referralAttribution } from '../stores/reports';
import { freshStores, type TestStores } from './helpers/database';

/*
The known set. The period of most checks is 2027: from 2027-01-01 to 2028-01-01 (excluded).

 customer  first deal   deals before 2028 (value)                  state (lost at)           holdout  agent
 c1        2025-05-10   2025-05-10 100000, 2027-03-01 50000 (2)    running                   no       agent-sara
 c2        2026-02-01   200000 (1)                                 lost 2027-06-15           no       agent-omar
 c3        2026-07-01   2026-07-01 80000, 2026-12-01 20000 (2)     running                   no       agent-sara
 c4        2026-03-03   150000 (1)                                 lost 2026-11-20           no       agent-sara
 c5        2027-04-10   120000 (1)                                 running                   yes      agent-sara
 c6        2027-08-20   90000 (1)                                  lost 2027-10-01           no       agent-sara
 c7        2028-01-05   none before 2028 (one of 50000 in 2028)    running                   no       agent-sara
 h1        2026-01-15   60000 (1)                                  running                   yes      agent-omar
 h2        2026-09-09   2026-09-09 70000, 2027-09-09 30000 (2)     running                   yes      agent-omar
 h3        2026-10-10   40000 (1)                                  lost 2028-02-01           yes      agent-omar
 p1        2027-05-01   2027-05-01 300000, 2027-12-15 25000 (2)    running                   no       agent-lina
 p2        2027-11-11   100000 (1) (and 40000 on 2028-02-02)       running                   no       agent-sara
 p3        2028-01-10   none before 2028 (50000 in 2028)           running                   no       agent-sara
 p4        2027-04-01   500000 (1)                                 running                   no       agent-sara
 p5        2027-12-01   50000 (1)                                  running                   no       agent-sara
 g1        no deal (a contact on the general 33)                   running                   no       agent-sara

 On the books during 2027 (first deal before 2028-01-01, not lost before 2027-01-01):
   c1 c2 c3 c5 c6 h1 h2 h3 p1 p2 p4 p5 = 12 (not c4: lost 2026; not c7, p3: first deal 2028; not g1: no deal).
   Plan (holdout no): c1 c2 c3 c6 p1 p2 p4 p5 = 8.   Holdout: c5 h1 h2 h3 = 4.

 Referrals (referrer -> referred person, recorded at):
   1 c1 -> p1 2027-02-01   converted (p1 has deals before 2028: 300000 + 25000)
   2 c1 -> p2 2027-06-01   converted (p2: 100000 before 2028; the 40000 of 2028-02-02 does not count)
   3 c1 -> q1 2027-07-01
   4 c2 -> q3 2027-04-04
   5 c2 -> p4 2027-03-15   converted (500000)
   6 c3 -> p3 2027-10-01   not converted by 2028-01-01 (p3's deal is 2028-01-10)
   7 c3 -> q2 2027-03-03
   8 h1 -> q5 2027-08-08
   9 h2 -> q4 2027-05-05
  10 h2 -> p5 2027-11-20   converted (50000)
  11 c4 -> q6 2027-02-02   from someone not on the books (c4 was lost in 2026)
  12 g1 -> q7 2027-09-09   from someone not on the books (no deal)
  13 c1 -> q8 2026-12-31T23:00Z   before the period
  14 c3 -> q9 2028-01-01T00:00Z   at `to`: outside the period
*/

const D = (s: string) => new Date(s);
let stores: TestStores;
let db: Db;

async function seed(db: Db) {
  const customer = (id: string, opts: { agent?: string; state?: string; updatedAt?: string; holdout?: boolean; plan?: string } = {}) => ({
    customer_id: id,
    workflow_id: `customer-${id}`,
    name: id.toUpperCase(),
    agent: opts.agent ?? 'agent-sara',
    plan: opts.plan ?? 'client-for-life',
    plan_year: 1,
    state: opts.state ?? 'running',
    referrals: 0,
    updated_at: D(opts.updatedAt ?? '2027-12-31T00:00:00Z'),
    holdout: opts.holdout ?? false,
  });
  await db
    .insertInto('customers')
    .values([
      customer('c1'),
      customer('c2', { agent: 'agent-omar', state: 'cancelled', updatedAt: '2027-06-15T10:00:00Z' }),
      customer('c3'),
      customer('c4', { state: 'cancelled', updatedAt: '2026-11-20T10:00:00Z' }),
      customer('c5', { holdout: true }),
      customer('c6', { state: 'cancelled', updatedAt: '2027-10-01T10:00:00Z' }),
      customer('c7'),
      customer('h1', { agent: 'agent-omar', holdout: true }),
      customer('h2', { agent: 'agent-omar', holdout: true }),
      customer('h3', { agent: 'agent-omar', holdout: true, state: 'cancelled', updatedAt: '2028-02-01T10:00:00Z' }),
      customer('p1', { agent: 'agent-lina' }),
      customer('p2'),
      customer('p3'),
      customer('p4'),
      customer('p5'),
      customer('g1', { plan: 'general-33' }),
    ])
    .execute();
  const deals: Array<[string, string, number]> = [
    ['c1', '2025-05-10', 100000], ['c1', '2027-03-01', 50000],
    ['c2', '2026-02-01', 200000],
    ['c3', '2026-07-01', 80000], ['c3', '2026-12-01', 20000],
    ['c4', '2026-03-03', 150000],
    ['c5', '2027-04-10', 120000],
    ['c6', '2027-08-20', 90000],
    ['c7', '2028-01-05', 50000],
    ['h1', '2026-01-15', 60000],
    ['h2', '2026-09-09', 70000], ['h2', '2027-09-09', 30000],
    ['h3', '2026-10-10', 40000],
    ['p1', '2027-05-01', 300000], ['p1', '2027-12-15', 25000],
    ['p2', '2027-11-11', 100000], ['p2', '2028-02-02', 40000],
    ['p3', '2028-01-10', 50000],
    ['p4', '2027-04-01', 500000],
    ['p5', '2027-12-01', 50000],
  ];
  await db.insertInto('deals').values(deals.map(([id, closedAt, value], i) => ({ customer_id: id, deal_id: `d${i + 1}`, closed_at: closedAt, value, recorded_at: D(`${closedAt}T12:00:00Z`) }))).execute();
  const referrals: Array<[string, string, string]> = [
    ['c1', 'p1', '2027-02-01T10:00:00Z'], ['c1', 'p2', '2027-06-01T10:00:00Z'], ['c1', 'q1', '2027-07-01T10:00:00Z'],
    ['c2', 'q3', '2027-04-04T10:00:00Z'], ['c2', 'p4', '2027-03-15T10:00:00Z'],
    ['c3', 'p3', '2027-10-01T10:00:00Z'], ['c3', 'q2', '2027-03-03T10:00:00Z'],
    ['h1', 'q5', '2027-08-08T10:00:00Z'],
    ['h2', 'q4', '2027-05-05T10:00:00Z'], ['h2', 'p5', '2027-11-20T10:00:00Z'],
    ['c4', 'q6', '2027-02-02T10:00:00Z'], ['g1', 'q7', '2027-09-09T10:00:00Z'],
    ['c1', 'q8', '2026-12-31T23:00:00Z'], ['c3', 'q9', '2028-01-01T00:00:00Z'],
  ];
  await db.insertInto('referrals').values(referrals.map(([by, id, at]) => ({ customer_id: by, referral_id: id, plan_year: 1, recorded_at: D(at) }))).execute();

  // Leads created in 2027: L1..L8, L10, L11 = 10; reached 'deal' before 2028-01-01: L1, L5 = 2.
  // L2 reached 'deal' only on 2028-01-15; L9 was created in 2026 (outside).
  const leads: Array<[string, string, Array<[string, string]>]> = [
    ['L1', '2027-01-10T09:00:00Z', [['contacted', '2027-01-11T09:00:00Z'], ['qualified', '2027-02-01T09:00:00Z'], ['deal', '2027-03-01T09:00:00Z']]],
    ['L2', '2027-02-10T09:00:00Z', [['contacted', '2027-02-11T09:00:00Z'], ['deal', '2028-01-15T09:00:00Z']]],
    ['L3', '2027-03-10T09:00:00Z', [['lost', '2027-04-01T09:00:00Z']]],
    ['L4', '2027-04-10T09:00:00Z', [['contacted', '2027-04-11T09:00:00Z']]],
    ['L5', '2027-05-10T09:00:00Z', [['contacted', '2027-05-11T09:00:00Z'], ['deal', '2027-06-01T09:00:00Z']]],
    ['L6', '2027-06-10T09:00:00Z', []],
    ['L7', '2027-07-10T09:00:00Z', [['nurture', '2027-09-10T09:00:00Z']]],
    ['L8', '2027-08-10T09:00:00Z', [['qualified', '2027-08-20T09:00:00Z']]],
    ['L9', '2026-12-15T09:00:00Z', [['deal', '2027-01-20T09:00:00Z']]],
    ['L10', '2027-12-20T09:00:00Z', [['qualified', '2027-12-22T09:00:00Z']]],
    ['L11', '2027-12-31T23:59:59Z', []],
  ];
  await db
    .insertInto('leads')
    .values(leads.map(([id, created, stages]) => ({ lead_id: id, name: id, email: null, phone: null, source: 'website', source_text: null, stage: stages.at(-1)?.[0] ?? 'new', agent: 'agent-sara', assigned_at: null, reason: null, payload: '{}', created_at: D(created), updated_at: D(created) })))
    .execute();
  await db.insertInto('lead_stages').values(leads.flatMap(([id, , stages]) => stages.map(([stage, at]) => ({ lead_id: id, stage, at: D(at), agent: 'agent-sara', source: 'website', reason: null })))).execute();

  // Touches done: see the touches test for the expected rows.
  const touches: Array<[string, string, string, string]> = [
    ['c1', 'newsletter', 'sent', '2027-01-05T10:00:00Z'],
    ['c1', 'newsletter', 'sent', '2027-02-05T10:00:00Z'],
    ['c2', 'newsletter', 'failed', '2027-01-06T10:00:00Z'],
    ['c3', 'holiday-card', 'sent', '2027-01-07T10:00:00Z'],
    ['c3', 'newsletter', 'skipped', '2027-01-08T10:00:00Z'],
    ['h1', 'call', 'sent', '2027-02-10T10:00:00Z'],
    ['c1', 'call', 'skipped', '2027-02-11T10:00:00Z'],
    ['c5', 'newsletter', 'sent', '2027-01-31T23:59:59Z'],
    ['c5', 'newsletter', 'sent', '2027-02-01T00:00:00Z'],
    ['c1', 'newsletter', 'sent', '2026-12-31T23:00:00Z'],
    ['c1', 'newsletter', 'sent', '2028-01-01T00:00:00Z'],
  ];
  await db
    .insertInto('touch_outcomes')
    .values(touches.map(([id, kind, outcome, at], i) => ({ key: `customer-${id}.y1.t${i + 1}`, customer_id: id, agent: 'agent-sara', plan: 'client-for-life', plan_year: 1, seq: i + 1, kind, channel: kind === 'call' ? 'phone' : kind === 'holiday-card' ? 'postal' : 'email', outcome, reason: outcome === 'sent' ? null : 'a reason', at: D(at), done_at: D(at) })))
    .execute();

  // Call tasks (and one reply task): see the overdue-calls test.
  const tasks: Array<[string, 'call' | 'reply', string, string, 'open' | 'reminded' | 'escalated' | 'done', string]> = [
    ['k1', 'call', 'c1', 'agent-sara', 'open', '2027-03-01T09:00:00Z'],
    ['k2', 'call', 'c3', 'agent-sara', 'reminded', '2027-03-08T11:00:00Z'],
    ['k3', 'call', 'c5', 'agent-sara', 'open', '2027-03-09T09:00:00Z'],
    ['k4', 'call', 'h1', 'agent-omar', 'escalated', '2027-02-20T09:00:00Z'],
    ['k5', 'call', 'h2', 'agent-omar', 'done', '2027-02-01T09:00:00Z'],
    ['k6', 'call', 'c2', 'agent-omar', 'open', '2027-02-01T09:00:00Z'],
    ['k7', 'call', 'p1', 'agent-lina', 'open', '2027-03-08T12:00:00Z'],
    ['k8', 'reply', 'h2', 'agent-omar', 'open', '2027-01-01T09:00:00Z'],
  ];
  await db
    .insertInto('tasks')
    .values(tasks.map(([id, type, customerId, agent, state, given]) => ({ task_id: id, type, customer_id: customerId, agent, owner: agent, state, due_at: D(given), given_at: D(given), reminded_at: null, escalated_at: null, completed_at: null, outcome: null, notes: null, payload: '{}' })))
    .execute();

  // NPS answers: see the nps and plan-vs-holdout tests.
  const answers: Array<[string, number, string]> = [
    ['c1', 10, '2027-01-15T10:00:00Z'], // n1
    ['c1', 9, '2027-07-15T10:00:00Z'], // n2
    ['c2', 3, '2027-02-10T10:00:00Z'], // n3
    ['c3', 8, '2027-02-20T10:00:00Z'], // n4
    ['p1', 10, '2027-06-01T10:00:00Z'], // n5
    ['p4', 9, '2027-04-15T10:00:00Z'], // n6
    ['c6', 6, '2027-09-01T10:00:00Z'], // n7
    ['p2', 7, '2027-11-30T23:59:59Z'], // n8
    ['h1', 5, '2027-01-20T10:00:00Z'], // n9
    ['h2', 9, '2027-03-03T10:00:00Z'], // n10
    ['c5', 7, '2027-05-05T10:00:00Z'], // n11
    ['h3', 2, '2027-07-07T10:00:00Z'], // n12
    ['h1', 8, '2027-10-10T10:00:00Z'], // n13
    ['c4', 0, '2027-03-01T10:00:00Z'], // n14: c4 is not on the books (lost in 2026)
    ['c1', 10, '2026-12-31T23:59:59Z'], // n15: before 2027
    ['c3', 4, '2028-01-01T00:00:00Z'], // n16: at `to`
    ['g1', 9, '2027-12-31T12:00:00Z'], // n17: a contact, not a customer with a deal
  ];
  await db
    .insertInto('nps_responses')
    .values(answers.map(([id, score, at], i) => ({ survey_id: `customer-${id}.y1.nps${i + 1}`, customer_id: id, plan: 'client-for-life', plan_year: 1, score, why: null, to_ten: null, language: 'en', answered_at: D(at) })))
    .execute();

  // Segments as the daily schedule would have written them.
  const segments: Array<[string, number, 'A' | 'B' | 'C', number, number, number, boolean, string, string]> = [
    ['c1', 150000, 'A', 5, 4, 4, true, 'vip', '2027-12-31T02:00:00Z'],
    ['p4', 500000, 'A', 4, 2, 5, true, 'vip', '2027-12-31T02:00:00Z'],
    ['c3', 100000, 'B', 3, 4, 3, false, 'b', '2027-12-31T02:00:00Z'],
    ['h2', 100000, 'B', 4, 4, 3, false, 'b', '2027-12-31T02:00:00Z'],
    ['c5', 120000, 'B', 4, 2, 3, false, 'b', '2027-12-31T02:00:00Z'],
    ['h1', 60000, 'C', 2, 2, 2, false, 'c', '2027-12-31T02:00:00Z'],
    ['c6', 90000, 'C', 1, 2, 2, false, 'c', '2027-12-30T02:00:00Z'],
    ['p5', 50000, 'C', 5, 2, 1, false, 'c', '2027-12-31T02:00:00Z'],
  ];
  await db
    .insertInto('customer_segments')
    .values(segments.map(([id, revenue, abc, recency, frequency, monetary, vip, segment, at]) => ({ customer_id: id, revenue, abc, recency, frequency, monetary, vip, value_class: segment, computed_at: D(at) })))
    .execute();
}

const Y2027 = { year: 2027 };
const PERIOD_2027 = { from: '2027-01-01', to: '2028-01-01' };

beforeAll(async () => {
  stores = await freshStores();
  db = stores.db;
  await seed(db);
});
afterAll(async () => {
  await db?.destroy();
});

describe('the statistics (plan/stats.ts)', () => {
  it("Wilson's interval for 2 of 10 is the textbook [0.0567, 0.5098]", () => {
    // z = 1.959964, z² = 3.841459; centre = (0.2 + z²/20) / (1 + z²/10) = 0.392073 / 1.384146 = 0.283262;
    // half = z × sqrt(0.2 × 0.8 / 10 + z²/400) / 1.384146 = 1.959964 × 0.160011 / 1.384146 = 0.226580.
    const w = wilson(2, 10)!;
    expect(w.lower).toBeCloseTo(0.0567, 4);
    expect(w.upper).toBeCloseTo(0.5098, 4);
    expect(wilson(0, 10)!.lower).toBe(0);
    expect(wilson(0, 0)).toBeUndefined();
  });

  it("Newcombe's interval and Welch's interval from counts and sums", () => {
    // Newcombe for 3/8 - 1/4 (the repeat share below): Wilson 3/8 = [0.136844, 0.694258], 1/4 = [0.045587, 0.699358];
    // lower = 0.125 - sqrt((0.375 - 0.136844)² + (0.699358 - 0.25)²) = 0.125 - sqrt(0.056718 + 0.201923) = 0.125 - 0.508567 = -0.383567;
    // upper = 0.125 + sqrt((0.694258 - 0.375)² + (0.25 - 0.045587)²) = 0.125 + sqrt(0.101926 + 0.041785) = 0.125 + 0.379091 = 0.504091.
    const p = proportionDifference(3, 8, 1, 4);
    expect(p.difference).toBe(0.125);
    expect(p.ci!.lower).toBeCloseTo(-0.383567, 5);
    expect(p.ci!.upper).toBeCloseTo(0.504091, 5);
    expect(proportionDifference(1, 2, 0, 0).ci).toBeUndefined();
    // Welch for 1, 2, 3 against 2, 4, 6, 8: means 2 and 5, variances 1 and 6.6667; s² / n: 0.3333 and 1.6667;
    // se = sqrt(2) = 1.414214; df = 2² / (0.3333²/2 + 1.6667²/3) = 4 / (0.055556 + 0.925926) = 4.075472;
    // t(0.975, 4.075) = 2.756285 (scipy); the interval -3 ± 3.897975.
    const w = meanDifference({ n: 3, sum: 6, sumOfSquares: 14 }, { n: 4, sum: 20, sumOfSquares: 120 });
    expect(w.difference).toBe(-3);
    expect(w.df).toBeCloseTo(4.075472, 5);
    expect(w.ci!.lower).toBeCloseTo(-6.897975, 4);
    expect(w.ci!.upper).toBeCloseTo(0.897975, 4);
    expect(variance({ n: 1, sum: 3, sumOfSquares: 9 })).toBeUndefined();
    expect(meanDifference({ n: 1, sum: 3, sumOfSquares: 9 }, { n: 2, sum: 2, sumOfSquares: 2 })).toEqual({ difference: 2, method: 'Welch t' });
  });
});

describe('the reports from PostgreSQL, against figures worked out by hand', () => {
  it('retention: of those on the books at the start, the share not lost by the end', async () => {
    // 2027. At the start (first deal before 2027, not lost before 2027): c1 c2 c3 h1 h2 h3 = 6 (c4 lost 2026-11).
    // Lost during 2027: c2 (2027-06-15) = 1 (h3 was lost in 2028). Retained 5; rate 5/6 = 0.8333.
    // Gained (first deal in 2027): c5 c6 p1 p2 p4 p5 = 6. At the end (first deal before 2028, not lost before 2028):
    // c1 c3 c5 h1 h2 h3 p1 p2 p4 p5 = 10 (= 6 - 1 + 6 - c6 lost in October).
    expect(await runReport(db, 'retention', Y2027)).toEqual({ period: PERIOD_2027, atStart: 6, lost: 1, retained: 5, rate: 0.8333, gained: 6, atEnd: 10 });
    // 2026: at the start only c1 (first deal 2025), not lost: rate 1. Gained c2 c3 c4 h1 h2 h3 = 6;
    // at the end c1 c2 c3 h1 h2 h3 = 6 (c4 lost 2026-11-20): the same six as 2027's start.
    expect(await runReport(db, 'retention', { from: '2026-01-01', to: '2027-01-01' })).toEqual({ period: { from: '2026-01-01', to: '2027-01-01' }, atStart: 1, lost: 0, retained: 1, rate: 1, gained: 6, atEnd: 6 });
    // Nobody on the books at the start: no rate.
    expect(await runReport(db, 'retention', { from: '2020-01-01', to: '2021-01-01' })).toMatchObject({ atStart: 0, rate: null, gained: 0, atEnd: 0 });
  });

  it('referrals per customer and their distribution', async () => {
    // The 12 on the books during 2027 made, in 2027: c1 3 (p1 p2 q1), c2 2 (q3 p4), c3 2 (p3 q2), h1 1, h2 2 (q4 p5),
    // the other 7 (c5 c6 h3 p1 p2 p4 p5) none: 10 referrals / 12 customers = 0.8333; 5 referrers, 5/12 = 0.4167.
    // Distribution: 0 -> 7, 1 -> 1 (h1), 2 -> 3 (c2 c3 h2), 3 -> 1 (c1). From people not on the books: c4 and g1 = 2.
    expect(await runReport(db, 'referrals-per-customer', Y2027)).toEqual({
      period: PERIOD_2027,
      customers: 12,
      referrals: 10,
      perCustomer: 0.8333,
      referrers: 5,
      shareReferring: 0.4167,
      distribution: [
        { referrals: 0, customers: 7 },
        { referrals: 1, customers: 1 },
        { referrals: 2, customers: 3 },
        { referrals: 3, customers: 1 },
      ],
      otherReferrals: 2,
    });
  });

  it('referral conversion against overall lead conversion, with the difference and its Newcombe interval', async () => {
    // Referrals recorded in 2027: numbers 1-12 = 12; converted (referred person with a deal before 2028): p1 p2 p4 p5 = 4;
    // 4/12 = 0.3333. Leads created in 2027: 10, reached 'deal' before 2028: L1 L5 = 2; 2/10 = 0.2. Difference 0.1333.
    // Wilson 4/12 = [0.138120, 0.609378], 2/10 = [0.056682, 0.509838];
    // lower = 0.133333 - sqrt((0.333333 - 0.138120)² + (0.509838 - 0.2)²) = 0.133333 - sqrt(0.038108 + 0.096000) = 0.133333 - 0.366207 = -0.2329;
    // upper = 0.133333 + sqrt((0.609378 - 0.333333)² + (0.2 - 0.056682)²) = 0.133333 + sqrt(0.076201 + 0.020540) = 0.133333 + 0.311034 = 0.4444.
    expect(await runReport(db, 'referral-conversion', Y2027)).toEqual({
      period: PERIOD_2027,
      referrals: { referrals: 12, converted: 4, rate: 0.3333 },
      leads: { leads: 10, converted: 2, rate: 0.2 },
      difference: { difference: 0.1333, ci: { lower: -0.2329, upper: 0.4444 }, method: 'Newcombe hybrid score (Wilson)' },
    });
  });

  it('best referral sources: ranked by converted referrals, then their deals\' value, then referrals', async () => {
    // c1: 3 referrals, 2 converted (p1 300000 + 25000, p2 100000 before 2028) = 425000, 2/3 = 0.6667.
    // c2: 2 referrals, 1 converted (p4 500000). h2: 2, 1 (p5 50000): c2 before h2 by value.
    // c3: 2, 0 (p3's deal is in 2028). Then one referral and none converted: c4, g1, h1 (by id). q8 and q9 are outside 2027.
    const all = (await runReport(db, 'best-referral-sources', Y2027)) as { period: unknown; sources: unknown[] };
    expect(all).toEqual({
      period: PERIOD_2027,
      sources: [
        { rank: 1, customerId: 'c1', name: 'C1', agent: 'agent-sara', referrals: 3, converted: 2, conversion: 0.6667, value: 425000 },
        { rank: 2, customerId: 'c2', name: 'C2', agent: 'agent-omar', referrals: 2, converted: 1, conversion: 0.5, value: 500000 },
        { rank: 3, customerId: 'h2', name: 'H2', agent: 'agent-omar', referrals: 2, converted: 1, conversion: 0.5, value: 50000 },
        { rank: 4, customerId: 'c3', name: 'C3', agent: 'agent-sara', referrals: 2, converted: 0, conversion: 0, value: 0 },
        { rank: 5, customerId: 'c4', name: 'C4', agent: 'agent-sara', referrals: 1, converted: 0, conversion: 0, value: 0 },
        { rank: 6, customerId: 'g1', name: 'G1', agent: 'agent-sara', referrals: 1, converted: 0, conversion: 0, value: 0 },
        { rank: 7, customerId: 'h1', name: 'H1', agent: 'agent-omar', referrals: 1, converted: 0, conversion: 0, value: 0 },
      ],
    });
    expect(((await runReport(db, 'best-referral-sources', { ...Y2027, limit: '2' })) as { sources: Array<{ customerId: string }> }).sources.map((s) => s.customerId)).toEqual(['c1', 'c2']);
  });

  it('NPS over time: every month of the period, promoters and detractors in %, NPS, average score', async () => {
    // 2027 by month (n15 is in 2026, n16 in 2028):
    //   Jan n1 10, n9 5        -> 2: 1 promoter, 1 detractor: 50 % - 50 % = 0;   average 7.5
    //   Feb n3 3, n4 8         -> 2: 0 P, 1 passive, 1 D:    0 - 50 = -50;        average 5.5
    //   Mar n10 9, n14 0       -> 2: 1 P, 1 D:               0;                   average 4.5
    //   Apr n6 9               -> 1 P: 100;  May n11 7 -> passive: 0;  Jun n5 10 -> 100
    //   Jul n2 9, n12 2        -> 1 P, 1 D: 0; average 5.5;  Aug none: no NPS
    //   Sep n7 6 -> D: -100;  Oct n13 8 -> 0;  Nov n8 7 (2027-11-30T23:59:59Z) -> 0;  Dec n17 9 -> 100
    // The year: 15 answers, 6 promoters (40 %), 4 passives, 5 detractors (33.3 %), NPS = 100 × (6 - 5) / 15 = 6.7;
    // scores add up to 15 + 11 + 9 + 9 + 7 + 10 + 11 + 6 + 8 + 7 + 9 = 102, average 6.8.
    const m = (month: string, responses: number, promoters: number, passives: number, detractors: number, promotersPct: number | null, detractorsPct: number | null, nps: number | null, averageScore: number | null) => ({ month, responses, promoters, passives, detractors, promotersPct, detractorsPct, nps, averageScore });
    expect(await runReport(db, 'nps', Y2027)).toEqual({
      period: PERIOD_2027,
      months: [
        m('2027-01', 2, 1, 0, 1, 50, 50, 0, 7.5),
        m('2027-02', 2, 0, 1, 1, 0, 50, -50, 5.5),
        m('2027-03', 2, 1, 0, 1, 50, 50, 0, 4.5),
        m('2027-04', 1, 1, 0, 0, 100, 0, 100, 9),
        m('2027-05', 1, 0, 1, 0, 0, 0, 0, 7),
        m('2027-06', 1, 1, 0, 0, 100, 0, 100, 10),
        m('2027-07', 2, 1, 0, 1, 50, 50, 0, 5.5),
        m('2027-08', 0, 0, 0, 0, null, null, null, null),
        m('2027-09', 1, 0, 0, 1, 0, 100, -100, 6),
        m('2027-10', 1, 0, 1, 0, 0, 0, 0, 8),
        m('2027-11', 1, 0, 1, 0, 0, 0, 0, 7),
        m('2027-12', 1, 1, 0, 0, 100, 0, 100, 9),
      ],
      total: { responses: 15, promoters: 6, passives: 4, detractors: 5, promotersPct: 40, detractorsPct: 33.3, nps: 6.7, averageScore: 6.8 },
    });
    // A period that starts mid-month: from 2027-01-16, n1 (01-15) is out; January has n9 5 only, February n3 3 and n4 8.
    // The whole: 3 answers, 0 promoters, 2 detractors: 66.7 %, NPS -66.7; average (5 + 3 + 8) / 3 = 5.33.
    const part = (await runReport(db, 'nps', { from: '2027-01-16', to: '2027-03-01' })) as { months: Array<{ month: string; responses: number }>; total: unknown };
    expect(part.months.map((x) => [x.month, x.responses])).toEqual([['2027-01', 1], ['2027-02', 2]]);
    expect(part.total).toEqual({ responses: 3, promoters: 0, passives: 1, detractors: 2, promotersPct: 0, detractorsPct: 66.7, nps: -66.7, averageScore: 5.33 });
  });

  it('touches by month, kind and outcome', async () => {
    // January: newsletters c1 sent, c2 failed, c3 skipped, c5 sent at 23:59:59 -> 2 sent, 1 skipped, 1 failed; c3's card sent.
    // February: newsletters c1 and c5 (at 00:00:00) sent; calls h1 sent, c1 skipped. The 2026 and 2028 touches are out.
    expect(await runReport(db, 'touches', Y2027)).toEqual({
      period: PERIOD_2027,
      rows: [
        { month: '2027-01', kind: 'holiday-card', sent: 1, skipped: 0, failed: 0, total: 1 },
        { month: '2027-01', kind: 'newsletter', sent: 2, skipped: 1, failed: 1, total: 4 },
        { month: '2027-02', kind: 'call', sent: 1, skipped: 1, failed: 0, total: 2 },
        { month: '2027-02', kind: 'newsletter', sent: 2, skipped: 0, failed: 0, total: 2 },
      ],
    });
  });

  it('overdue calls per agent as of an instant', async () => {
    // As of 2027-03-10T12:00Z a call task is overdue when given before 2027-03-08T12:00Z (48 h).
    // agent-sara: k1 (03-01 09:00, overdue), k2 (03-08 11:00, overdue), k3 (03-09, not): 3 open, 2 overdue.
    // agent-omar: k4 (02-20, escalated, overdue) = 1 open, 1 overdue; k5 is done, k6's customer c2 is lost, k8 is a reply task.
    // agent-lina: k7 given exactly 03-08 12:00: open, not overdue.
    expect(await runReport(db, 'overdue-calls', { asOf: '2027-03-10T12:00:00Z' })).toEqual({
      asOf: '2027-03-10T12:00:00.000Z',
      overdueAfterHours: 48,
      agents: [
        { agent: 'agent-sara', open: 3, overdue: 2, oldestGivenAt: '2027-03-01T09:00:00.000Z' },
        { agent: 'agent-omar', open: 1, overdue: 1, oldestGivenAt: '2027-02-20T09:00:00.000Z' },
        { agent: 'agent-lina', open: 1, overdue: 0, oldestGivenAt: null },
      ],
      tasks: [
        { taskId: 'k4', customerId: 'h1', agent: 'agent-omar', givenAt: '2027-02-20T09:00:00.000Z' },
        { taskId: 'k1', customerId: 'c1', agent: 'agent-sara', givenAt: '2027-03-01T09:00:00.000Z' },
        { taskId: 'k2', customerId: 'c3', agent: 'agent-sara', givenAt: '2027-03-08T11:00:00.000Z' },
      ],
    });
  });

  it('segments: per segment, per A/B/C, per RFM score, and the VIPs', async () => {
    // 8 rows, 2 VIPs (c1, p4): 0.25. Segments: b = c3 h2 c5 (100000 + 100000 + 120000 = 320000), c = h1 c6 p5 (200000),
    // vip = c1 p4 (650000); A/B/C the same groups. RFM: recency 1: c6; 2: h1; 3: c3; 4: p4 h2 c5; 5: c1 p5.
    // Frequency 2: p4 c5 h1 c6 p5; 4: c1 c3 h2. Monetary 1: p5; 2: h1 c6; 3: c3 h2 c5; 4: c1; 5: p4.
    expect(await runReport(db, 'segments', {})).toEqual({
      customers: 8,
      vip: 2,
      vipShare: 0.25,
      bySegment: [
        { segment: 'b', customers: 3, revenue: 320000 },
        { segment: 'c', customers: 3, revenue: 200000 },
        { segment: 'vip', customers: 2, revenue: 650000 },
      ],
      byAbc: [
        { abc: 'A', customers: 2, revenue: 650000 },
        { abc: 'B', customers: 3, revenue: 320000 },
        { abc: 'C', customers: 3, revenue: 200000 },
      ],
      rfm: [
        { score: 1, recency: 1, frequency: 0, monetary: 1 },
        { score: 2, recency: 1, frequency: 5, monetary: 2 },
        { score: 3, recency: 1, frequency: 0, monetary: 3 },
        { score: 4, recency: 3, frequency: 3, monetary: 1 },
        { score: 5, recency: 2, frequency: 0, monetary: 1 },
      ],
      computedAt: '2027-12-31T02:00:00.000Z',
    });
  });

  it('plan vs holdout: per group, and plan - holdout with 95 % intervals', async () => {
    // Plan (8: c1 c2 c3 c6 p1 p2 p4 p5): referrals 3 + 2 + 2 = 7 (0.875 per customer; squares 9 + 4 + 4 = 17);
    //   repeat deals (2+ before 2028): c1 c3 p1 = 3, 3/8 = 0.375.
    //   NPS answers in 2027: n1 10, n2 9, n3 3, n4 8, n5 10, n6 9, n7 6 (c6 answered before she was lost), n8 7 = 8;
    //   promoters 4, passives 2, detractors 2: NPS 100 × 2/8 = 25; sum 62, squares 520, average 7.75.
    // Holdout (4: c5 h1 h2 h3): referrals 1 + 2 = 3 (0.75; squares 5); repeat h2 = 1, 0.25.
    //   Answers: n9 5, n10 9, n11 7, n12 2, n13 8 = 5; 1 promoter, 2 passives, 2 detractors: NPS -20; sum 31, squares 223, average 6.2.
    //   (c4's n14 and g1's n17 belong to neither: not on the books.)
    //
    // Referrals per customer, Welch: variances (17 - 49/8)/7 = 1.553571 and (5 - 9/4)/3 = 0.916667; s²/n 0.194196 and 0.229167;
    //   se = sqrt(0.423363) = 0.650664; df = 0.423363² / (0.194196²/7 + 0.229167²/3) = 0.179236 / 0.022893 = 7.83;
    //   t(0.975, 7.83) = 2.314789; 0.125 ± 1.506149 = [-1.3811, 1.6311].
    // Repeat share, Newcombe (see the statistics test): 0.125 in [-0.3836, 0.5041].
    // Average score, Welch: variances (520 - 62²/8)/7 = 5.642857 and (223 - 31²/5)/4 = 7.7; s²/n 0.705357 and 1.54;
    //   se = sqrt(2.245357) = 1.498452; df = 5.041628 / (0.071075 + 0.5929) = 7.59; t(0.975, 7.59) = 2.327692;
    //   1.55 ± 3.487934 = [-1.9379, 5.0379].
    // NPS, Welch on +1/0/-1 (sums 2 and -1, squares 6 and 3): variances 5.5/7 = 0.785714 and 2.8/4 = 0.7; s²/n 0.098214 and 0.14;
    //   se = sqrt(0.238214) = 0.488072; df = 0.056746 / (0.001378 + 0.0049) = 9.04; t(0.975, 9.04) = 2.260675;
    //   (0.25 + 0.2) ± 1.103372 = [-0.653372, 1.553372], × 100: 45 in [-65.3372, 155.3372].
    const nps = (responses: number, promoters: number, passives: number, detractors: number, promotersPct: number, detractorsPct: number, score: number, averageScore: number) => ({ responses, promoters, passives, detractors, promotersPct, detractorsPct, nps: score, averageScore });
    expect(await runReport(db, 'plan-vs-holdout', Y2027)).toEqual({
      period: PERIOD_2027,
      confidence: 0.95,
      plan: { customers: 8, referrals: 7, referralsPerCustomer: 0.875, repeatCustomers: 3, repeatShare: 0.375, nps: nps(8, 4, 2, 2, 50, 25, 25, 7.75) },
      holdout: { customers: 4, referrals: 3, referralsPerCustomer: 0.75, repeatCustomers: 1, repeatShare: 0.25, nps: nps(5, 1, 2, 2, 20, 40, -20, 6.2) },
      difference: {
        referralsPerCustomer: { difference: 0.125, ci: { lower: -1.3811, upper: 1.6311 }, df: 7.83, method: 'Welch t' },
        repeatShare: { difference: 0.125, ci: { lower: -0.3836, upper: 0.5041 }, method: 'Newcombe hybrid score (Wilson)' },
        averageScore: { difference: 1.55, ci: { lower: -1.9379, upper: 5.0379 }, df: 7.59, method: 'Welch t' },
        nps: { difference: 45, ci: { lower: -65.3372, upper: 155.3372 }, df: 9.04, method: 'Welch t' },
      },
    });
  });

  it('a period with no holdout customers gives the counts and no intervals', async () => {
    // 2025: on the books only c1 (first deal 2025-05-10), plan group; no referrals or answers in 2025.
    const r = (await runReport(db, 'plan-vs-holdout', { year: '2025' })) as { plan: { customers: number; repeatShare: number }; holdout: { customers: number; repeatShare: number | null }; difference: Record<string, { ci: unknown }> };
    expect(r.plan).toMatchObject({ customers: 1, repeatShare: 0 }); // c1's second deal is in 2027: not before 2026
    expect(r.holdout).toMatchObject({ customers: 0, repeatShare: null });
    expect(Object.keys(r.difference).length).toBeGreaterThan(0);
    for (const d of Object.values(r.difference)) expect(d.ci).toBeNull();
  });
});

describe('parameters and the registry', () => {
  it('validates every parameter, naming it', async () => {
    const problems = async (name: string, input: Record<string, unknown>) => {
      const err = await runReport(db, name, input).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(ValidationError);
      return (err as ValidationError).problems;
    };
    expect(await problems('retention', { from: '2027-02-30' })).toEqual(['from: expected a day, YYYY-MM-DD']);
    expect(await problems('retention', { from: '2027-03-01', to: '2027-03-01' })).toEqual(['to: expected a day after from (2027-03-01), got 2027-03-01']);
    expect(await problems('retention', { year: '2027', from: '2027-01-01' })).toEqual(['year: give either year or from/to, not both']);
    expect(await problems('retention', { year: 'soon' })).toEqual(['year: expected a year such as 2027']);
    expect(await problems('retention', { from: '2000-01-01', to: '2020-01-01' })).toEqual(['to: a period of at most 10 years, got 2000-01-01 to 2020-01-01']);
    expect(await problems('nps', { agent: 'agent-sara' })).toEqual(['agent: not a parameter of the nps report (its parameters: from, to, year)']);
    expect(await problems('best-referral-sources', { limit: '0' })).toEqual(['limit: expected 1 to 1000']);
    expect(await problems('overdue-calls', { asOf: 'yesterday' })).toEqual(['asOf: expected a day (YYYY-MM-DD) or an instant (ISO 8601 with a zone, e.g. 2027-03-10T09:00:00Z)']);
    expect(await problems('budget', { by: 'weather' })).toEqual(['year: expected a year such as 2027, got null', 'by: expected one of month, kind, owner, segment, got "weather"']);
    await expect(runReport(db, 'weather', {})).rejects.toBeInstanceOf(NotFoundError);
  });

  it('the default period is the 12 whole UTC months up to and including the current one', () => {
    const now = Date.parse('2027-03-15T10:00:00Z');
    expect(periodOf({}, now)).toEqual({ from: '2026-04-01', to: '2027-04-01' });
    expect(periodOf({ from: '2027-01-16' }, now)).toEqual({ from: '2027-01-16', to: '2028-01-16' });
    expect(periodOf({ to: '2027-03-01' }, now)).toEqual({ from: '2026-03-01', to: '2027-03-01' });
    expect(periodOf({ year: 2030 }, now)).toEqual({ from: '2030-01-01', to: '2031-01-01' });
  });

  it('lists every report, the older ones (clv, budget, referrals, overview) under their names, with the same figures', async () => {
    expect(REPORT_NAMES).toEqual(['retention', 'referrals-per-customer', 'referral-conversion', 'best-referral-sources', 'nps', 'touches', 'overdue-calls', 'segments', 'plan-vs-holdout', 'clv', 'budget', 'referrals', 'overview']);
    expect(listReports().find((r) => r.name === 'best-referral-sources')!.params).toHaveProperty('limit');
    const asOf = Date.parse('2028-01-01T00:00:00Z');
    expect(await runReport(db, 'clv', { asOf: '2028-01-01' })).toEqual(await clvReport(db, DEFAULT_CLV_SETTINGS, asOf));
    expect(await runReport(db, 'referrals', {})).toEqual(await referralAttribution(db));
    // No referral named a touch here: all 14 are unattributed.
    expect(await runReport(db, 'referrals', {})).toEqual({ byTouch: [], unattributed: 14, total: 14 });
    expect(await runReport(db, 'budget', { year: '2027' })).toEqual({ year: 2027, by: 'month', currency: 'SAR', rows: [], total: { planned: 0, spent: 0 } });
    // The month at a glance of March 2027 (as `plan33 report` without a name): the open call tasks as above, k1 k2 k4 overdue.
    const overview = (await runReport(db, 'overview', { asOf: '2027-03-10T12:00:00Z' })) as { month: string; overdueCalls: Array<{ taskId: string }> };
    expect(overview.month).toBe('2027-03');
    expect(overview.overdueCalls.map((t) => t.taskId)).toEqual(['k4', 'k1', 'k2']);
  });
});

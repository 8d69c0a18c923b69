// Customer segments (issue 15): the rules of plan/segments.ts on a known set of ten customers,
// worked out by hand below; then the whole daily refresh on real parts: deals in PostgreSQL,
// the Temporal Schedule `plan33-segments` on a dev server (created twice: idempotent), a run
// triggered through it, the stored rows, and the `segmentChanged` signal in a running customer's
// history. No expectation depends on today's date.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { defaultPayloadConverter } from '@temporalio/common';
import { computeSegments, quintileScore, type CustomerFacts } from '../plan/segments';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parsePlanOverrides, resolvePlan } from '../plan/definitions';
import { loadPlanOverrides } from '../lib/plan-overrides';
import { sql } from 'kysely';
import { Migrator } from 'kysely/migration';
import { MIGRATIONS } from '../stores/migrate';
import { CustomerSegment, ValueClass } from '../plan/search-attributes';
import { buildApi } from '../api/server';
import { createLogger } from '../lib/logger';
import { statusQuery, updateProfileUpdate, type CustomerStatus } from '../workflows/messages';
import { PgSegmentStore } from '../stores/segments';
import { dealClosed } from '../service/enroll';
import { ensureSegmentSchedule, refreshSegmentsNow, SEGMENT_SCHEDULE_ID } from '../service/segments';
import { createDevServerEnv } from '../dev/temporal-server';
import { startSmtpCapture, type SmtpCapture } from '../dev/smtp-capture';
import { freshStores, testStores, type TestStores } from './helpers/database';
import { createTestWorker, installTestRuntime, PINNED_START_MS, tempDir } from './helpers/temporal';
import { customer } from './fixtures/customers';
import { segmentRefresh, SIGNALS_PER_RUN } from '../workflows/segments';

// Ten customers' deals (value null: a deal without a value, counted as a deal worth 0). A deal
// dated 2999 must not count (it lies after any "as of" day). c01's last deal carries a time.
//
//   customer  deals (closed, value)                                  revenue  deals  last deal
//   c01       5: 100 100 100 50 50, last 2025-06-30T15:00Z            400      5      2025-06-30
//   c02       1: 250                                                  250      1      2025-06-01
//   c03       3: 50 50 50                                             150      3      2025-06-01
//   c04       2: 60 40                                                100      2      2025-05-15
//   c05       4: 10 10 10 10                                           40      4      2025-03-31
//   c06       1: 20                                                    20      1      2025-01-10
//   c07       2: 10 10                                                 20      2      2024-12-31
//   c08       1: 10 (+ 1000 dated 2999-01-01: not counted)             10      1      2024-06-30
//   c09       6: 5 5 null null null null                               10      6      2025-06-20
//   c10       1: null                                                   0      1      2023-06-30
//                                                              total 1000
const DEALS: Array<[customer: string, closedAt: string, value: number | null]> = [
  ['c01', '2024-02-01', 100], ['c01', '2024-05-01', 100], ['c01', '2024-09-01', 100], ['c01', '2025-01-01', 50], ['c01', '2025-06-30T15:00:00Z', 50],
  ['c02', '2025-06-01', 250],
  ['c03', '2024-07-01', 50], ['c03', '2025-02-01', 50], ['c03', '2025-06-01', 50],
  ['c04', '2024-11-11', 60], ['c04', '2025-05-15', 40],
  ['c05', '2024-03-31', 10], ['c05', '2024-06-30', 10], ['c05', '2024-12-31', 10], ['c05', '2025-03-31', 10],
  ['c06', '2025-01-10', 20],
  ['c07', '2024-10-01', 10], ['c07', '2024-12-31', 10],
  ['c08', '2024-06-30', 10], ['c08', '2999-01-01', 1000],
  ['c09', '2024-01-05', 5], ['c09', '2024-04-05', 5], ['c09', '2024-08-05', null], ['c09', '2024-12-05', null], ['c09', '2025-03-05', null], ['c09', '2025-06-20', null],
  ['c10', '2023-06-30', null],
];

const FACTS: CustomerFacts[] = [
  { customerId: 'c01', revenue: 400, deals: 5, lastDealOn: '2025-06-30' },
  { customerId: 'c02', revenue: 250, deals: 1, lastDealOn: '2025-06-01' },
  { customerId: 'c03', revenue: 150, deals: 3, lastDealOn: '2025-06-01' },
  { customerId: 'c04', revenue: 100, deals: 2, lastDealOn: '2025-05-15' },
  { customerId: 'c05', revenue: 40, deals: 4, lastDealOn: '2025-03-31' },
  { customerId: 'c06', revenue: 20, deals: 1, lastDealOn: '2025-01-10' },
  { customerId: 'c07', revenue: 20, deals: 2, lastDealOn: '2024-12-31' },
  { customerId: 'c08', revenue: 10, deals: 1, lastDealOn: '2024-06-30' },
  { customerId: 'c09', revenue: 10, deals: 6, lastDealOn: '2025-06-20' },
  { customerId: 'c10', revenue: 0, deals: 1, lastDealOn: '2023-06-30' },
];

// As of 2025-06-30, worked out by hand (n = 10; a score is 1 + floor(5 k / 10) = 1 + floor(k / 2),
// k = customers strictly worse):
//
// ABC ("above" = revenue of customers with strictly more; A if above < 800, B if < 950, else C):
//   c01 above 0 A · c02 400 A · c03 650 A · c04 800 = exactly 80 %: B · c05 900 B
//   c06 and c07 (20 each, tied) above 940 = 94 %: both B (ranked by id, c07 would have 960: C)
//   c08 and c09 (10 each) above 980 C · c10 revenue 0: C.   A = c01-c03, exactly 80 % of revenue.
// VIP (fewer than 20 % of 10 = 2 customers above): c01 (0 above), c02 (1); c03 has 2: not.
// Recency (days to 2025-06-30; k = customers whose last deal is strictly earlier):
//   c10 731 (2023-06-30 → 2024-06-30 is 366, leap day) k0 → 1 · c08 365 k1 → 1 · c07 181 k2 → 2
//   c06 171 k3 → 2 · c05 91 k4 → 3 · c04 46 k5 → 3 · c02, c03 29 k6 → 4 · c09 10 k8 → 5 · c01 0 k9 → 5
// Frequency (deals 1,1,1,1 | 2,2 | 3 | 4 | 5 | 6): one deal k0 → 1 (c02 c06 c08 c10); two k4 → 3 (c04 c07);
//   three k6 → 4 (c03); four k7 → 4 (c05); five k8 → 5 (c01); six k9 → 5 (c09)
// Monetary (revenue 0 | 10,10 | 20,20 | 40 | 100 | 150 | 250 | 400): c10 k0 → 1 · c08, c09 k1 → 1
//   c06, c07 k3 → 2 · c05 k5 → 3 · c04 k6 → 4 · c03 k7 → 4 · c02 k8 → 5 · c01 k9 → 5
const EXPECTED = {
  //     abc  recencyDays R  F  M  vip    value class
  c01: ['A', 0, 5, 5, 5, true, 'vip'],
  c02: ['A', 29, 4, 1, 5, true, 'vip'],
  c03: ['A', 29, 4, 4, 4, false, 'a'],
  c04: ['B', 46, 3, 3, 4, false, 'b'],
  c05: ['B', 91, 3, 4, 3, false, 'b'],
  c06: ['B', 171, 2, 1, 2, false, 'b'],
  c07: ['B', 181, 2, 3, 2, false, 'b'],
  c08: ['C', 365, 1, 1, 1, false, 'c'],
  c09: ['C', 10, 5, 5, 1, false, 'c'],
  c10: ['C', 731, 1, 1, 1, false, 'c'],
} as const;

const asRows = (segments: ReturnType<typeof computeSegments>) =>
  Object.fromEntries(segments.map((s) => [s.customerId, [s.abc, s.recencyDays, s.recency, s.frequency, s.monetary, s.vip, s.valueClass]]));

describe('segment rules (pure)', () => {
  it('ABC, RFM and VIP of ten customers as worked out by hand', () => {
    const segments = computeSegments(FACTS, '2025-06-30');
    expect(asRows(segments)).toEqual(EXPECTED);
    expect(segments.map((s) => s.revenue)).toEqual(FACTS.map((f) => f.revenue));
    // Input order does not matter: reversed in, the same figures out (ties never go by order or id).
    expect(asRows(computeSegments([...FACTS].reverse(), '2025-06-30'))).toEqual(EXPECTED);
  });

  it('boundaries: VIP is the top ceil(20 %), ties included; nobody with revenue is VIP; quintiles', () => {
    // 3 customers: ceil(0.6) = 1 VIP place; two tied at the top both have 0 above: both VIP.
    const tied = computeSegments([
      { customerId: 'x', revenue: 100, deals: 1, lastDealOn: '2025-01-01' },
      { customerId: 'y', revenue: 100, deals: 1, lastDealOn: '2025-01-01' },
      { customerId: 'z', revenue: 50, deals: 1, lastDealOn: '2025-01-01' },
    ], '2025-01-01');
    // x, y: above 0 < 80 % of 250: A, VIP. z: above 200 = 80 %: B. All equal on R and F: all 1.
    // Monetary: x, y have one customer below (z): 1 + floor(5 × 1 / 3) = 2; z none: 1.
    expect(tied.map((s) => [s.customerId, s.abc, s.vip, s.valueClass, s.recency, s.frequency, s.monetary])).toEqual([
      ['x', 'A', true, 'vip', 1, 1, 2],
      ['y', 'A', true, 'vip', 1, 1, 2],
      ['z', 'B', false, 'b', 1, 1, 1],
    ]);
    // Nobody has revenue: everyone C, no VIP.
    const zero = computeSegments([{ customerId: 'a', revenue: 0, deals: 2, lastDealOn: '2025-01-01' }], '2025-01-02');
    expect(zero).toEqual([{ customerId: 'a', revenue: 0, abc: 'C', recencyDays: 1, recency: 1, frequency: 1, monetary: 1, vip: false, valueClass: 'c' }]);
    // Quintiles of 5 distinct customers: 1, 2, 3, 4, 5.
    expect([0, 1, 2, 3, 4].map((k) => quintileScore(k, 5))).toEqual([1, 2, 3, 4, 5]);
    expect(computeSegments([], '2025-01-01')).toEqual([]);
    expect(() => computeSegments(FACTS, '30/06/2025')).toThrow(/YYYY-MM-DD/);
  });
});

// The business's segment `investor` and the computed class `vip` each have overrides; on the same
// key (newsletters) the segment's win, being the business's own and more specific.
const OVERRIDES = {
  segments: { investor: { 'client-for-life': { counts: { newsletter: 10 } } } },
  classes: { vip: { 'client-for-life': { counts: { newsletter: 11, 'holiday-card': 5 } } } },
};

describe('plan overrides by segment and by value class (pure)', () => {
  const overrides = parsePlanOverrides(OVERRIDES);
  const counts = (opts: { segment?: string; valueClass?: string }) => resolvePlan('client-for-life', { ...opts, overrides }).counts;
  const base = resolvePlan('client-for-life').counts;

  it("applies the class's, then the segment's over it; either alone; neither for others", () => {
    expect(base).toMatchObject({ newsletter: 12, 'holiday-card': 7 });
    expect(counts({ segment: 'investor', valueClass: 'vip' })).toEqual({ ...base, newsletter: 10, 'holiday-card': 5 });
    expect(counts({ valueClass: 'vip' })).toEqual({ ...base, newsletter: 11, 'holiday-card': 5 });
    expect(counts({ segment: 'investor' })).toEqual({ ...base, newsletter: 10 });
    expect(counts({ segment: 'investor', valueClass: 'b' })).toEqual({ ...base, newsletter: 10 });
    // A segment named like a class is the business's label: only `segments.vip` would match it.
    expect(counts({ segment: 'vip' })).toEqual(base);
    // The file may have either part alone.
    expect(parsePlanOverrides({ classes: OVERRIDES.classes })).toEqual({ segments: {}, classes: OVERRIDES.classes });
    expect(parsePlanOverrides({ segments: OVERRIDES.segments })).toEqual({ segments: OVERRIDES.segments, classes: {} });
  });

  it('refuses a bad file naming the field: an unknown class, a bad patch, a class and a segment that clash', () => {
    expect(() => parsePlanOverrides({ classes: { platinum: { advocate: {} } } })).toThrow(/^invalid plan overrides:\nclasses\.platinum: expected a value class: vip, a, b, c/);
    expect(() => parsePlanOverrides({ classes: { vip: { 'client-for-life': { counts: { newsletter: -1 } } } } })).toThrow(/classes\.vip\.client-for-life\.counts\.newsletter/);
    expect(() => parsePlanOverrides({ classes: { vip: { gold: {} } } })).toThrow(/classes\.vip: Unrecognized key: "gold"/);
    expect(() => parsePlanOverrides({ segment: {} })).toThrow(/Unrecognized key: "segment"/);
    // Each fine alone; merged (a person may be both), the class's three give-aways meet the segment's two items.
    const items = (n: number) => Array.from({ length: n }, (_, i) => ({ id: `g${i}`, title: `Gift ${i}`, timing: { months: i + 1 } }));
    const clash = { classes: { vip: { 'client-for-life': { counts: { 'give-away': 3 }, giveAways: items(3) } } }, segments: { investor: { 'client-for-life': { giveAways: items(2) } } } };
    expect(() => parsePlanOverrides(clash)).toThrow(/segments\.investor\.client-for-life\.giveAways: expected at least 3 items \(counts\.give-away\), found 2 \(merged over classes\.vip\.client-for-life\)/);
  });

  it('PLAN33_PLAN_OVERRIDES: a file from before (the classes under "segments", no "classes") is refused naming each field', () => {
    const dir = tempDir('overrides');
    const write = (name: string, json: unknown) => {
      writeFileSync(join(dir, name), JSON.stringify(json));
      return join(dir, name);
    };
    const older = write('older.json', { segments: { vip: { 'client-for-life': { counts: { newsletter: 11 } } }, a: {}, investor: {} } });
    expect(() => loadPlanOverrides(older)).toThrow(`PLAN33_PLAN_OVERRIDES=${older}: invalid plan overrides:\nsegments.vip: "vip" is a computed value class: move these overrides to classes.vip`);
    expect(() => loadPlanOverrides(older)).toThrow(/\nsegments\.a: "a" is a computed value class/);
    // Moved: read. A business that labels people "vip" itself says so with a "classes" part.
    expect(loadPlanOverrides(write('moved.json', { classes: { vip: { 'client-for-life': { counts: { newsletter: 11 } } } }, segments: { investor: {} } }))?.classes.vip).toBeDefined();
    expect(loadPlanOverrides(write('own-vip.json', { segments: { vip: {} }, classes: {} }))?.segments.vip).toEqual({});
    expect(() => loadPlanOverrides(write('bad-class.json', { classes: { gold: {} } }))).toThrow(/classes\.gold: expected a value class/);
  });
});

describe('the daily refresh on PostgreSQL and a Temporal dev server', () => {
  let env: TestWorkflowEnvironment;
  let smtp: SmtpCapture;
  let stores: TestStores;

  beforeAll(async () => {
    installTestRuntime();
    [env, smtp, stores] = await Promise.all([createDevServerEnv(), startSmtpCapture(), testStores()]);
  });

  afterAll(async () => {
    await smtp?.close();
    await env?.teardown();
    await stores?.db.destroy();
  });

  it('the schedule recomputes from the deals, stores the rows and signals a running customer', async () => {
    const taskQueue = 'segments';
    const segmentStore = new PgSegmentStore(stores.db);
    await stores.db.insertInto('deals').values(DEALS.map(([c, closedAt, value], i) => ({ customer_id: c, deal_id: `d${i}`, closed_at: closedAt, value, recorded_at: new Date() }))).execute();
    // The one query gathers exactly the facts worked out above (the 2999 deal left out).
    expect(await segmentStore.facts('2025-06-30')).toEqual(FACTS);

    // Yesterday's rows, as a refresh before would have left them: c01 was VIP already (no
    // change), c03 was B (now A); the others have none yet (from null).
    await segmentStore.save(computeSegments([FACTS[0]!], '2025-06-30'), '2025-06-29T02:00:00Z');
    await segmentStore.save([{ ...computeSegments(FACTS, '2025-06-30')[2]!, abc: 'B', valueClass: 'b' }], '2025-06-29T02:00:00Z');

    // c03 has a running year: its deal lies ahead (pinned), so the year just waits. Its rows go
    // to the worker's own records database; the segments read this file's.
    const worker = await createTestWorker({ connection: env.nativeConnection, taskQueue, smtp, deps: { segments: segmentStore } });
    await worker.runUntil(async () => {
      const pinnedDay = new Date(PINNED_START_MS).toISOString().slice(0, 10);
      await dealClosed(env.client, { customer: customer({ id: 'c03' }), deal: { id: 'd-c03', closedAt: pinnedDay } }, { taskQueue });

      // Created once; the second call updates it in place, keeping its state (paused here, so
      // the 02:00 run cannot interleave with this test whatever the hour).
      expect(await ensureSegmentSchedule(env.client, { taskQueue })).toBe('created');
      const schedule = env.client.schedule.getHandle(SEGMENT_SCHEDULE_ID);
      await schedule.pause('test: runs only when triggered');
      expect(await ensureSegmentSchedule(env.client, { taskQueue })).toBe('updated');
      const described = await schedule.describe();
      expect(described.state.paused).toBe(true);
      expect(described.spec.calendars).toEqual([expect.objectContaining({ hour: [{ start: 2, end: 2, step: 1 }], minute: [{ start: 0, end: 0, step: 1 }] })]);
      expect(described.policies.overlap).toBe('SKIP');
      expect(described.action).toMatchObject({ type: 'startWorkflow', workflowType: 'segmentRefresh', taskQueue });
      const schedules = [];
      for await (const s of env.client.schedule.list()) schedules.push(s.scheduleId);
      expect(schedules).toEqual([SEGMENT_SCHEDULE_ID]);

      const run = await refreshSegmentsNow(env.client, { wait: true });
      expect(run.workflowId.startsWith(`${SEGMENT_SCHEDULE_ID}-`)).toBe(true);
      expect(run.alreadyRunning).toBe(false);
      // Nine changed (all but c01): c03 b → a is told to its workflow; eight have none running.
      expect(run.counts).toMatchObject({ customers: 10, changed: 9, signalled: 1, notRunning: 8, failed: 0 });
      expect(run.counts!.asOf).toMatch(/^\d{4}-\d{2}-\d{2}$/);

      // The rows: as worked out by hand (recency ranks do not depend on the day: every deal counted is before it).
      const rows = await segmentStore.all();
      expect(Object.fromEntries(rows.map((r) => [r.customerId, [r.abc, r.recency, r.frequency, r.monetary, r.vip, r.valueClass, r.revenue]]))).toEqual(
        Object.fromEntries(Object.entries(EXPECTED).map(([id, e], i) => [id, [e[0], e[2], e[3], e[4], e[5], e[6], FACTS[i]!.revenue]])),
      );
      const computedAt = rows[0]!.computedAt.toISOString();
      expect(rows.every((r) => r.computedAt.toISOString() === computedAt)).toBe(true);

      // c03's workflow got segmentChanged with its new segment and the refresh's time.
      // A signal shows in the history once the workflow task in flight completes (the year's
      // first one loads its plan and records its start as local activities: it can take a while).
      const signalsSoFar = async () =>
        ((await env.client.workflow.getHandle('customer-c03').fetchHistory()).events ?? [])
          .map((e) => e.workflowExecutionSignaledEventAttributes)
          .filter((a) => a?.signalName === 'segmentChanged')
          .map((a) => defaultPayloadConverter.fromPayload(a!.input!.payloads![0]!));
      let signals = await signalsSoFar();
      for (let i = 0; i < 300 && signals.length === 0; i++) {
        await new Promise((r) => setTimeout(r, 100));
        signals = await signalsSoFar();
      }
      // `segment` repeats the class for workers of the release before issue 24, which read that name.
      expect(signals).toEqual([{ valueClass: 'a', segment: 'a', computedAt }]);

      // The next day's run (triggered again): nothing changed, nobody signalled again.
      const again = await refreshSegmentsNow(env.client, { wait: true });
      expect(again.runId).not.toBe(run.runId);
      expect(again.counts).toMatchObject({ customers: 10, changed: 0, signalled: 0, notRunning: 0, failed: 0 });

      await env.client.workflow.getHandle('customer-c03').terminate('test done');
    });
  });

  it("keeps the business's segment: the refresh sets the class beside it, and both overrides apply to the running year", async () => {
    const taskQueue = 'segments-own';
    const own = await freshStores();
    const segmentStore = new PgSegmentStore(own.db);
    // As of 2025-06-30: inv holds 1000 of 1015, the one VIP of three; p2 and p3 have no running year.
    await own.db.insertInto('deals').values([['inv', 1000], ['p2', 10], ['p3', 5]].map(([c, value]) => ({ customer_id: String(c), deal_id: 'd1', closed_at: '2025-01-01', value: Number(value), recorded_at: new Date('2025-01-01T12:00:00Z') }))).execute();
    const worker = await createTestWorker({ connection: env.nativeConnection, taskQueue, smtp, stores: own, deps: { segments: segmentStore, planOverrides: parsePlanOverrides(OVERRIDES) } });
    try {
      await worker.runUntil(async () => {
        // The year's deal lies ahead (pinned): the year plans and waits; its deal is not counted as of 2025.
        const pinnedDay = new Date(PINNED_START_MS).toISOString().slice(0, 10);
        await dealClosed(env.client, { customer: customer({ id: 'inv', segment: 'investor' }), deal: { id: 'd-inv', closedAt: pinnedDay } }, { taskQueue });
        const handle = env.client.workflow.getHandle('customer-inv');
        const statusWhen = async (done: (st: CustomerStatus) => boolean) => {
          for (let i = 0; i < 300; i++) {
            const st = await handle.query(statusQuery).catch(() => undefined);
            if (st && st.state !== 'starting' && done(st)) return st;
            await new Promise((r) => setTimeout(r, 100));
          }
          throw new Error('status not reached');
        };
        const planned = (st: CustomerStatus, kind: string) => [...st.touchesDone, ...st.nextTouches].filter((t) => t.kind === kind).length;

        const before = await statusWhen(() => true);
        expect([before.customer.segment, before.valueClass, planned(before, 'newsletter'), planned(before, 'holiday-card')]).toEqual(['investor', undefined, 10, 7]);

        const refresh = async (asOf: string) => (await env.client.workflow.start(segmentRefresh, { taskQueue, workflowId: `segments-own-${asOf}`, args: [{ asOf }] })).result();
        expect(await refresh('2025-06-30')).toMatchObject({ customers: 3, changed: 3, signalled: 1, notRunning: 2, failed: 0 });
        const vip = await statusWhen((st) => st.valueClass !== undefined);
        // The segment stands; the class is a field of its own; the segment's newsletters (10) win over the class's (11), the class's holiday cards (5) apply.
        expect([vip.customer.segment, vip.valueClass, planned(vip, 'newsletter'), planned(vip, 'holiday-card')]).toEqual(['investor', 'vip', 10, 5]);
        expect((await segmentStore.all()).map((r) => [r.customerId, r.valueClass])).toEqual([['inv', 'vip'], ['p2', 'c'], ['p3', 'c']]);
        const described = await handle.describe();
        expect([described.typedSearchAttributes.get(CustomerSegment), described.typedSearchAttributes.get(ValueClass)]).toEqual(['investor', 'vip']);
        // The API's status (GET /v1/customers/:id) shows both.
        const api = await buildApi({ client: env.client, taskQueue, apiKey: 'segments-test-key-0123456789', publicBaseUrl: 'http://127.0.0.1', contacts: own.contacts, db: own.db, logger: createLogger('error') });
        try {
          const res = await api.inject({ method: 'GET', url: '/v1/customers/inv', headers: { authorization: 'Bearer segments-test-key-0123456789' } });
          expect(res.statusCode).toBe(200);
          expect(res.json()).toMatchObject({ customerId: 'inv', customer: { segment: 'investor' }, valueClass: 'vip' });
        } finally {
          await api.close();
        }

        // The next refresh: p2's big deal makes p2 the VIP and inv a C; the segment's overrides still apply, the class's no longer.
        await own.db.insertInto('deals').values({ customer_id: 'p2', deal_id: 'd2', closed_at: '2025-07-01', value: 100_000, recorded_at: new Date('2025-07-01T12:00:00Z') }).execute();
        expect(await refresh('2025-07-02')).toMatchObject({ customers: 3, changed: 2, signalled: 1, notRunning: 1, failed: 0 });
        const c = await statusWhen((st) => st.valueClass === 'c');
        expect([c.customer.segment, c.valueClass, planned(c, 'newsletter'), planned(c, 'holiday-card')]).toEqual(['investor', 'c', 10, 7]);
        expect((await handle.describe()).typedSearchAttributes.get(ValueClass)).toBe('c');

        // The business gives another segment (the API's profile update): its overrides from now on (none for `partner`).
        await handle.executeUpdate(updateProfileUpdate, { args: [customer({ id: 'inv', segment: 'partner' })] });
        const partner = await statusWhen((st) => planned(st, 'newsletter') === 12);
        expect([partner.customer.segment, partner.valueClass, planned(partner, 'holiday-card')]).toEqual(['partner', 'c', 7]);
        expect((await handle.describe()).typedSearchAttributes.get(CustomerSegment)).toBe('partner');
        // And back: the investor's newsletters again, the class untouched.
        await handle.executeUpdate(updateProfileUpdate, { args: [customer({ id: 'inv', segment: 'investor' })] });
        const back = await statusWhen((st) => planned(st, 'newsletter') === 10);
        expect([back.customer.segment, back.valueClass]).toEqual(['investor', 'c']);

        // A next year starts as continue-as-new starts it: segment and class in its input, both overrides from its first plan.
        const next = await env.client.workflow.start('customerYear', {
          taskQueue,
          workflowId: 'customer-inv-next',
          args: [{ v: 1, customerId: 'inv-next', plan: 'client-for-life', planYear: 2, segment: 'investor', valueClass: 'vip', yearStartMs: PINNED_START_MS, customer: customer({ id: 'inv-next', segment: 'investor' }), deals: [{ id: 'd-inv', closedAt: pinnedDay }] }],
        });
        let second: CustomerStatus | undefined;
        for (let i = 0; i < 300 && (!second || second.state === 'starting'); i++) {
          second = await next.query(statusQuery).catch(() => undefined);
          if (!second || second.state === 'starting') await new Promise((r) => setTimeout(r, 100));
        }
        expect([second!.customer.segment, second!.valueClass, planned(second!, 'newsletter'), planned(second!, 'holiday-card')]).toEqual(['investor', 'vip', 10, 5]);
        await next.terminate('test done');

        // The year took the new path: its history has the `own-segment` marker.
        const markers = ((await handle.fetchHistory()).events ?? []).map((e) => e.markerRecordedEventAttributes).filter((a) => a?.markerName === 'core_patch');
        expect(markers.map((a) => defaultPayloadConverter.fromPayload(a!.details!['patch-data']!.payloads![0]!))).toContainEqual(expect.objectContaining({ id: 'own-segment' }));
        await handle.terminate('test done');
      });
    } finally {
      await own.db.destroy();
    }
  });

  it('migration 0013: the class column renamed, the rows gone, so the next refresh tells every running year its class', async () => {
    const own = await freshStores();
    try {
      const migrator = new Migrator({ db: own.db, provider: { getMigrations: async () => MIGRATIONS }, migrationTableName: 'plan33_migration', migrationLockTableName: 'plan33_migration_lock' });
      expect((await migrator.migrateTo('0012-privacy-audit')).error).toBeUndefined();
      // A row as the release before wrote it: the class in `segment`.
      await sql`insert into customer_segments (customer_id, revenue, abc, recency, frequency, monetary, vip, segment, computed_at) values ('old', 100, 'A', 5, 5, 5, true, 'vip', now())`.execute(own.db);
      expect((await migrator.migrateToLatest()).results?.map((r) => [r.migrationName, r.status])).toEqual([['0013-value-class', 'Success']]);
      const columns = await sql<{ column_name: string }>`select column_name from information_schema.columns where table_name = 'customer_segments' order by column_name`.execute(own.db);
      expect(columns.rows.map((c) => c.column_name)).toContain('value_class');
      expect(columns.rows.map((c) => c.column_name)).not.toContain('segment');
      expect(await new PgSegmentStore(own.db).all()).toEqual([]);
      // The first refresh after it: `old` has no row, so its class is a change (from null) and its year hears it.
      await own.db.insertInto('deals').values({ customer_id: 'old', deal_id: 'd1', closed_at: '2025-01-01', value: 100, recorded_at: new Date('2025-01-01T12:00:00Z') }).execute();
      const store = new PgSegmentStore(own.db);
      expect(await store.save(computeSegments(await store.facts('2025-06-30'), '2025-06-30'), '2025-06-30T02:00:00Z')).toEqual([{ customerId: 'old', from: null, to: 'vip' }]);
    } finally {
      await own.db.destroy();
    }
  });

  it(`more changes than one run signals (${SIGNALS_PER_RUN}): the rest go on in a new run (continue-as-new)`, async () => {
    const taskQueue = 'segments-many';
    const own = await freshStores();
    const many = SIGNALS_PER_RUN + 20;
    await own.db.insertInto('deals').values(Array.from({ length: many }, (_, i) => ({ customer_id: `m${String(i).padStart(4, '0')}`, deal_id: 'd1', closed_at: '2025-01-01', value: i, recorded_at: new Date() }))).execute();
    const worker = await createTestWorker({ connection: env.nativeConnection, taskQueue, smtp, stores: own, deps: { segments: new PgSegmentStore(own.db) } });
    try {
      await worker.runUntil(async () => {
        const handle = await env.client.workflow.start(segmentRefresh, { taskQueue, workflowId: 'segments-many', args: [{}] });
        expect(await handle.result()).toMatchObject({ customers: many, changed: many, signalled: 0, notRunning: many, failed: 0 });
        // Two runs: the first signalled SIGNALS_PER_RUN and continued as new with the rest.
        const first = await env.client.workflow.getHandle('segments-many', handle.firstExecutionRunId).describe();
        expect(first.status.name).toBe('CONTINUED_AS_NEW');
      });
    } finally {
      await own.db.destroy();
    }
  });
});

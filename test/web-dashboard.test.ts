// The manager's dashboard and "what a plan change affects" (issue 16, items 4 and 5) in Chromium
// (Debian's, through playwright-core), against the API as production builds it (buildApi with the
// web app), a real PostgreSQL holding a known data set written here, a real SMTP capture for the
// sign-in email, and a time-skipping Temporal server running two customers' years for the plan
// change. Every chart is drawn by Chart.js with data; the tables show the figures worked out by
// hand below; a CSV download has the registry's header and rows; an agent gets 403; axe-core finds
// no serious or critical violation in English or Arabic. Dates are pinned (2027 for the data set,
// the pinned 2040 start for the running years): nothing is built from today's date.
import { launchChromium, seriousViolations } from './helpers/browser';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import nodemailer from 'nodemailer';
import { simpleParser } from 'mailparser';
import { type Browser, type BrowserContext, type Page } from 'playwright-core';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { buildApi } from '../api/server';
import { SIGN_IN_TTL_MS } from '../api/web/auth';
import { cacheDir, freePort } from '../dev/binaries.mjs';
import { startSmtpCapture, type SmtpCapture } from '../dev/smtp-capture';
import { createTimeSkippingEnv } from '../dev/temporal-server';
import { createAgentDirectory, parseAgentsFile } from '../lib/agents';
import { createLogger } from '../lib/logger';
import { customerWorkflowId } from '../plan/ids';
import { dealClosed } from '../service/enroll';
import type { Db } from '../stores';
import { PgWebStore } from '../stores/web';
import { freshStores, type TestStores } from './helpers/database';
import { createTestWorker, installTestRuntime, pinClock } from './helpers/temporal';
import { until } from './helpers/year';
import { customer } from './fixtures/customers';

const TASK_QUEUE = 'web-dashboard';
// Huda manages Sara and Omar: a manager by being named as their manager.
const agents = createAgentDirectory(
  parseAgentsFile({
    agents: [
      { id: 'agent-sara', name: 'Sara', email: 'sara@agents.test', manager: 'mgr-huda' },
      { id: 'agent-omar', name: 'Omar', email: 'omar@agents.test', manager: 'mgr-huda' },
      { id: 'mgr-huda', name: 'Huda', email: 'huda@agents.test', takesLeads: false },
    ],
  }),
);

/*
The known set; the dashboard is opened for year=2027 (from 2027-01-01 to 2028-01-01, excluded)
as of 2027-12-31. Customers not lost are in state year-complete (not running), so the plan-change
page, which reads the running and paused ones, sees only the two years started further down.

 customer  deals (value)                          state                     holdout  agent  segment
 a1        2026-03-01 100000, 2027-06-01 50000    year-complete             no       sara   a
 a2        2027-02-10 200000                      year-complete             no       sara   vip
 a3        2026-05-05 80000                       lost 2027-08-01           no       omar   b
 h1        2026-10-10 60000                       year-complete             yes      omar   c
 h2        2027-03-03 40000, 2027-09-09 40000     year-complete             yes      omar   b
 r1        2027-05-01 30000 (referred by a1)      year-complete             no       sara   c

 On the books in 2027: all six (a3 was lost during it). Plan a1 a2 a3 r1 = 4; holdout h1 h2 = 2.
 Repeat deal (2+ before 2028): a1, h2: plan 1/4 = 0.25, holdout 1/2 = 0.5.
 Referrals in 2027: a1 -> r1 (04-20, converted: r1's deal 05-01), a1 -> q1, a2 -> q2, h1 -> q3 = 4, 1 converted: 0.25.
   Per customer: plan 3/4 = 0.75, holdout 1/2 = 0.5; distribution 0 -> 3 (a3 r1 h2), 1 -> 2 (a2 h1), 2 -> 1 (a1).
 Leads of 2027: L1..L5 = 5, 2 reached 'deal' (L1, L3): 0.4; referral conversion - lead conversion = -0.15.
   By source: open-house L3 L4: 2 leads, contacted 1, qualified 0, deals 1, lost 1, 0.5;
              website L1 L2 L5: 3 leads, contacted 2, qualified 1, deals 1, lost 0, 0.333.
   By agent:  Omar L3 L4 L5: 3, 1, 0, 1, 1, 0.333;  Sara L1 L2: 2, 2, 1, 1, 0, 0.5.
 Touches done in 2027 (month, kind: sent, skipped, failed, total):
   2027-01 holiday-card 1 0 0 1 (a1); 2027-01 newsletter 2 1 0 3 (a1, a2 sent; a3 skipped);
   2027-02 call 1 0 0 1 (a1); 2027-02 newsletter 1 0 1 2 (h1 sent; a2 failed). (a1's of 2026-12-05 is outside.)
 NPS answers: Jan a1 10, a2 9, a3 3 -> 3 answers, 2 promoters, 1 detractor: NPS 33.3, average 7.33;
   Mar h1 6, r1 8, h2 10 -> 1 promoter, 1 passive, 1 detractor: NPS 0, average 8; the year: 6 answers,
   3 promoters, 1 passive, 2 detractors: NPS 16.7, average 46/6 = 7.67.
   Plan (a1 a2 a3 r1): 10 9 3 8: NPS (2-1)/4 = 25, average 7.5; holdout (h1 h2): 6 10: NPS 0, average 8.
 CLV as of 2027-12-31 (10 years, no acquisition cost): a1 75000 × 2/(670/365.25) × 10 = 817723.88,
   a2 2000000, a3 80000 × 1/(605/365.25) × 10 = 482975.21, h1 60000 × 1/(447/365.25) × 10 = 490268.46,
   h2 40000 × 2 × 10 = 800000, r1 300000 (under a year counts as one). Bands of 500000 (about √6 -> 4
   wanted, (2000000-300000)/4 = 425000 rounds up to 500000): 0-500000: 3 (r1 a3 h1), 500000-1000000:
   2 (h2 a1), 1000000-1500000: 0, 1500000-2000000: 0, 2000000-2500000: 1 (a2). Quartiles between closest
   ranks of the six sorted: p25 = 482975.21 + 0.25 × 7293.25 = 484798.52, median = (490268.46 + 800000) / 2
   = 645134.23, p75 = 800000 + 0.75 × 17723.88 = 813292.91; total 4890967.55.
 Budget 2027 (planned: not dropped, not skipped or failed; spent: sent):
   2027-01: a1 newsletter 1 (sent) + a1 card 5 (sent) -> planned 6, spent 6, 2 touches, 2 sent;
   2027-02: h1 newsletter 1 (sent), a2 newsletter 1 (failed: neither) -> 1, 1, 1, 1;
   2027-03: a1 newsletter 1 (to come) -> 1, 0, 1, 0; a2 give-away 20 dropped -> nothing. The year: 8 planned, 7 spent.
 Overdue calls as of 2027-12-31 (overdue when given before 2027-12-29T00:00Z): k1 a1 Sara 03-01 overdue,
   k2 a2 Sara 12-30 open only, k3 h1 Omar 02-20 overdue (escalated), k4 a3 (lost: left out), k5 h2 done.
   Omar: open 1, overdue 1 (h1); Sara: open 2, overdue 1 (a1). Ordered by overdue, then agent id: Omar, Sara.
 Segments: a 1, b 2, c 2, vip 1.
*/

const D = (s: string) => new Date(s);

async function seed(db: Db) {
  const c = (id: string, agent: string, opts: { state?: string; updatedAt?: string; holdout?: boolean } = {}) => ({
    customer_id: id,
    workflow_id: `customer-${id}`,
    name: id.toUpperCase(),
    agent,
    plan: 'client-for-life',
    plan_year: 1,
    state: opts.state ?? 'year-complete',
    referrals: 0,
    updated_at: D(opts.updatedAt ?? '2027-12-31T00:00:00Z'),
    holdout: opts.holdout ?? false,
  });
  await db
    .insertInto('customers')
    .values([c('a1', 'agent-sara'), c('a2', 'agent-sara'), c('a3', 'agent-omar', { state: 'cancelled', updatedAt: '2027-08-01T10:00:00Z' }), c('h1', 'agent-omar', { holdout: true }), c('h2', 'agent-omar', { holdout: true }), c('r1', 'agent-sara')])
    .execute();
  const deals: Array<[string, string, number]> = [
    ['a1', '2026-03-01', 100000], ['a1', '2027-06-01', 50000], ['a2', '2027-02-10', 200000], ['a3', '2026-05-05', 80000],
    ['h1', '2026-10-10', 60000], ['h2', '2027-03-03', 40000], ['h2', '2027-09-09', 40000], ['r1', '2027-05-01', 30000],
  ];
  await db.insertInto('deals').values(deals.map(([id, closedAt, value], i) => ({ customer_id: id, deal_id: `d${i + 1}`, closed_at: closedAt, value, recorded_at: D(`${closedAt}T12:00:00Z`) }))).execute();
  const referrals: Array<[string, string, string]> = [['a1', 'r1', '2027-04-20T10:00:00Z'], ['a1', 'q1', '2027-07-01T10:00:00Z'], ['a2', 'q2', '2027-09-15T10:00:00Z'], ['h1', 'q3', '2027-10-10T10:00:00Z']];
  await db.insertInto('referrals').values(referrals.map(([by, id, at]) => ({ customer_id: by, referral_id: id, plan_year: 1, recorded_at: D(at) }))).execute();

  const leads: Array<[string, string, string, string, Array<[string, string]>]> = [
    ['L1', 'website', 'agent-sara', '2027-01-10T09:00:00Z', [['contacted', '2027-01-11T09:00:00Z'], ['qualified', '2027-02-01T09:00:00Z'], ['deal', '2027-03-01T09:00:00Z']]],
    ['L2', 'website', 'agent-sara', '2027-02-10T09:00:00Z', [['contacted', '2027-02-11T09:00:00Z']]],
    ['L3', 'open-house', 'agent-omar', '2027-03-10T09:00:00Z', [['contacted', '2027-03-11T09:00:00Z'], ['deal', '2027-04-01T09:00:00Z']]],
    ['L4', 'open-house', 'agent-omar', '2027-04-10T09:00:00Z', [['lost', '2027-04-20T09:00:00Z']]],
    ['L5', 'website', 'agent-omar', '2027-05-10T09:00:00Z', []],
  ];
  await db
    .insertInto('leads')
    .values(leads.map(([id, source, agent, created, stages]) => ({ lead_id: id, name: id, email: null, phone: null, source, source_text: null, stage: stages.at(-1)?.[0] ?? 'new', agent, assigned_at: null, reason: null, payload: '{}', created_at: D(created), updated_at: D(created) })))
    .execute();
  await db.insertInto('lead_stages').values(leads.flatMap(([id, source, agent, , stages]) => stages.map(([stage, at]) => ({ lead_id: id, stage, at: D(at), agent, source, reason: null })))).execute();

  const touches: Array<[string, string, string, string, string]> = [
    ['t1', 'a1', 'newsletter', 'sent', '2027-01-05T10:00:00Z'],
    ['t2', 'a2', 'newsletter', 'sent', '2027-01-05T10:00:00Z'],
    ['t3', 'a1', 'holiday-card', 'sent', '2027-01-20T10:00:00Z'],
    ['t4', 'a3', 'newsletter', 'skipped', '2027-01-05T10:00:00Z'],
    ['t5', 'a1', 'call', 'sent', '2027-02-11T10:00:00Z'],
    ['t6', 'a2', 'newsletter', 'failed', '2027-02-05T10:00:00Z'],
    ['t7', 'h1', 'newsletter', 'sent', '2027-02-05T10:00:00Z'],
    ['t0', 'a1', 'newsletter', 'sent', '2026-12-05T10:00:00Z'],
  ];
  await db
    .insertInto('touch_outcomes')
    .values(touches.map(([key, id, kind, outcome, at], i) => ({ key, customer_id: id, agent: 'agent-sara', plan: 'client-for-life', plan_year: 1, seq: i + 1, kind, channel: kind === 'call' ? 'phone' : kind === 'holiday-card' ? 'postal' : 'email', outcome, reason: outcome === 'sent' ? null : 'a reason', at: D(at), done_at: D(at) })))
    .execute();
  const planned: Array<[string, string, string, string, number, boolean]> = [
    ['t1', 'a1', 'newsletter', '2027-01-05T10:00:00Z', 1, false],
    ['t3', 'a1', 'holiday-card', '2027-01-20T10:00:00Z', 5, false],
    ['t6', 'a2', 'newsletter', '2027-02-05T10:00:00Z', 1, false],
    ['t7', 'h1', 'newsletter', '2027-02-05T10:00:00Z', 1, false],
    ['p1', 'a1', 'newsletter', '2027-03-05T10:00:00Z', 1, false],
    ['p2', 'a2', 'give-away', '2027-03-10T10:00:00Z', 20, true],
  ];
  await db
    .insertInto('planned_touches')
    .values(planned.map(([key, id, kind, at, cost, dropped]) => ({ key, customer_id: id, workflow_id: `customer-${id}`, plan: 'client-for-life', plan_year: 1, segment: null, kind, channel: kind === 'holiday-card' || kind === 'give-away' ? 'postal' : 'email', at: D(at), cost, owner: 'marketing', dropped })))
    .execute();

  const tasks: Array<[string, string, string, 'open' | 'reminded' | 'escalated' | 'done', string]> = [
    ['k1', 'a1', 'agent-sara', 'open', '2027-03-01T09:00:00Z'],
    ['k2', 'a2', 'agent-sara', 'open', '2027-12-30T12:00:00Z'],
    ['k3', 'h1', 'agent-omar', 'escalated', '2027-02-20T09:00:00Z'],
    ['k4', 'a3', 'agent-omar', 'open', '2027-02-01T09:00:00Z'],
    ['k5', 'h2', 'agent-omar', 'done', '2027-02-01T09:00:00Z'],
  ];
  await db
    .insertInto('tasks')
    .values(tasks.map(([id, customerId, agent, state, given]) => ({ task_id: id, type: 'call' as const, customer_id: customerId, agent, owner: agent, state, due_at: D(given), given_at: D(given), reminded_at: null, escalated_at: null, completed_at: null, outcome: null, notes: null, payload: '{}' })))
    .execute();

  const answers: Array<[string, number, string]> = [
    ['a1', 10, '2027-01-15T10:00:00Z'], ['a2', 9, '2027-01-20T10:00:00Z'], ['a3', 3, '2027-01-25T10:00:00Z'],
    ['h1', 6, '2027-03-03T10:00:00Z'], ['r1', 8, '2027-03-10T10:00:00Z'], ['h2', 10, '2027-03-20T10:00:00Z'],
  ];
  await db
    .insertInto('nps_responses')
    .values(answers.map(([id, score, at], i) => ({ survey_id: `customer-${id}.y1.nps${i + 1}`, customer_id: id, plan: 'client-for-life', plan_year: 1, score, why: null, to_ten: null, language: 'en', answered_at: D(at) })))
    .execute();
  const segments: Array<[string, number, 'A' | 'B' | 'C', string]> = [['a1', 150000, 'A', 'a'], ['a2', 200000, 'A', 'vip'], ['a3', 80000, 'B', 'b'], ['h1', 60000, 'C', 'c'], ['h2', 80000, 'B', 'b'], ['r1', 30000, 'C', 'c']];
  await db
    .insertInto('customer_segments')
    .values(segments.map(([id, revenue, abc, segment]) => ({ customer_id: id, revenue, abc, recency: 3, frequency: 3, monetary: 3, vip: segment === 'vip', value_class: segment, computed_at: D('2027-12-31T02:00:00Z') })))
    .execute();
}

let stores: TestStores;
let smtp: SmtpCapture;
let env: TestWorkflowEnvironment;
let app: FastifyInstance;
let base: string;
let browser: Browser;
let manager: BrowserContext;
let agent: BrowserContext;

beforeAll(async () => {
  installTestRuntime();
  [smtp, stores, env] = await Promise.all([startSmtpCapture(), freshStores(), createTimeSkippingEnv()]);
  await Promise.all([seed(stores.db), pinClock(env)]);
  const mailer = nodemailer.createTransport({ host: '127.0.0.1', port: smtp.port, secure: false, ignoreTLS: true });
  const port = await freePort();
  base = `http://127.0.0.1:${port}`;
  app = await buildApi({
    client: env.client,
    taskQueue: TASK_QUEUE,
    apiKey: 'dashboard-test-key',
    publicBaseUrl: base,
    contacts: stores.contacts,
    db: stores.db,
    logger: createLogger('error'),
    web: {
      agents,
      sendMail: async (to, subject, text) => void (await mailer.sendMail({ from: 'app@cedar.test', to, subject, text })),
      publicBaseUrl: base,
      secureCookies: true,
    },
  });
  await app.listen({ port, host: '127.0.0.1' });
  browser = await launchChromium();

  // The manager signs in from the emailed link; the agent from a link made in the store.
  manager = await browser.newContext({ viewport: { width: 390, height: 844 } });
  const sent = await fetch(`${base}/app/sign-in`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'email=huda%40agents.test' });
  expect(sent.status).toBe(200);
  const mail = await simpleParser((await smtp.waitFor(1))[0]!.raw);
  const link = /(http:\/\/127\.0\.0\.1:\d+\/app\/auth\?t=[A-Za-z0-9_-]+)/.exec(mail.text ?? '')![1]!;
  const landing = await manager.newPage();
  await landing.goto(link);
  await landing.getByRole('button', { name: 'Sign in' }).click();
  await landing.waitForURL((u) => u.pathname === '/app/dashboard');
  expect(new URL(landing.url()).pathname).toBe('/app/dashboard');
  await landing.close();
  agent = await browser.newContext({ viewport: { width: 390, height: 844 } });
  const token = await new PgWebStore(stores.db).createSignIn('agent-sara', Date.now(), SIGN_IN_TTL_MS);
  const agentPage = await agent.newPage();
  await agentPage.goto(`${base}/app/auth?t=${token}`);
  await agentPage.getByRole('button', { name: 'Sign in' }).click();
  await agentPage.waitForURL((u) => u.pathname === '/app/inbox');
  await agentPage.close();
});

afterAll(async () => {
  await browser?.close();
  await app?.close();
  for (const id of ['imp-vip', 'imp-b']) await env?.client.workflow.getHandle(customerWorkflowId(id)).terminate('test done').catch(() => undefined);
  await env?.teardown().catch(() => undefined);
  await smtp?.close();
  await stores?.db.destroy();
});

/** A table's body as text, cell by cell. */
const tableRows = (page: Page, id: string) =>
  page.locator(`#${id} tbody tr`).evaluateAll((trs) => trs.map((tr) => [...tr.querySelectorAll('th,td')].map((c) => (c.textContent ?? '').trim())));


const CHARTS = ['touches', 'funnel-source', 'funnel-agent', 'referral-conversion', 'referrals-per-customer', 'nps', 'clv', 'budget', 'plan-vs-holdout', 'segments'];

describe("the manager's dashboard", () => {
  it('draws every chart with data, and the tables show the figures worked out by hand', async () => {
    const page = await manager.newPage();
    const res = await page.goto(`${base}/app/dashboard?year=2027&asOf=2027-12-31`);
    expect(res?.status()).toBe(200);
    expect(await page.locator('h1').innerText()).toBe('Dashboard');
    await page.waitForFunction((n) => (globalThis as any).document.querySelectorAll('canvas').length === n && [...(globalThis as any).document.querySelectorAll('canvas')].every((c) => (globalThis as any).Chart?.getChart(c)), CHARTS.length);
    // Each canvas: a Chart.js chart whose datasets hold a non-zero figure, an accessible name, and paint on it.
    const charts = await page.locator('canvas').evaluateAll((canvases) =>
      canvases.map((c) => {
        const chart = (globalThis as any).Chart.getChart(c);
        const ctx = (c as any).getContext('2d')!;
        const pixels = ctx.getImageData(0, 0, (c as any).width, (c as any).height).data;
        let painted = 0;
        for (let i = 3; i < pixels.length; i += 4) if (pixels[i]! > 0) painted++;
        return { id: c.id, label: c.getAttribute('aria-label'), nonZero: chart.data.datasets.some((d: { data: unknown[] }) => d.data.some((v) => typeof v === 'number' && v !== 0)), painted, width: (c as any).width };
      }),
    );
    expect(charts.map((c) => c.id)).toEqual(CHARTS.map((id) => `chart-${id}`));
    for (const c of charts) {
      expect(c.nonZero, c.id).toBe(true);
      expect(c.label, c.id).toBeTruthy();
      expect(c.painted, c.id).toBeGreaterThan(1000);
      expect(c.width, c.id).toBeGreaterThan(0);
    }
    // The chart's own data, for two of them.
    const datasets = (id: string) => page.evaluate((cid) => (globalThis as any).Chart.getChart((globalThis as any).document.getElementById(cid)).data.datasets.map((d: { label: string; data: unknown[] }) => ({ label: d.label, data: d.data })), `chart-${id}`);
    expect(await datasets('budget')).toEqual([
      { label: 'Planned', data: [6, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0] },
      { label: 'Spent', data: [6, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0] },
    ]);
    expect(await datasets('plan-vs-holdout')).toEqual([
      { label: 'Plan', data: [75, 25, 25] },
      { label: 'Holdout', data: [50, 50, 0] },
    ]);
    expect(await page.evaluate(() => (globalThis as any).Chart.getChart((globalThis as any).document.getElementById('chart-touches')).config.type)).toBe('bar');
    expect(await page.evaluate(() => (globalThis as any).Chart.getChart((globalThis as any).document.getElementById('chart-nps')).config.type)).toBe('line');

    expect(await tableRows(page, 'table-touches')).toEqual([
      ['2027-01', 'Holiday card', '1', '0', '0', '1'],
      ['2027-01', 'Newsletter', '2', '1', '0', '3'],
      ['2027-02', 'Call', '1', '0', '0', '1'],
      ['2027-02', 'Newsletter', '1', '0', '1', '2'],
    ]);
    expect(await tableRows(page, 'table-funnel-source')).toEqual([
      ['open-house', '2', '1', '0', '1', '1', '0.5'],
      ['website', '3', '2', '1', '1', '0', '0.333'],
    ]);
    expect(await tableRows(page, 'table-funnel-agent')).toEqual([
      ['Omar', '3', '1', '0', '1', '1', '0.333'],
      ['Sara', '2', '2', '1', '1', '0', '0.5'],
    ]);
    const conversion = await tableRows(page, 'table-referral-conversion');
    expect(conversion[0]!.slice(0, 5)).toEqual(['Referrals', '4', '1', '0.25', '-0.15']);
    expect(conversion[1]!.slice(0, 4)).toEqual(['Leads', '5', '2', '0.4']);
    expect(await tableRows(page, 'table-referrals-per-customer')).toEqual([['0', '3'], ['1', '2'], ['2', '1']]);
    const nps = await tableRows(page, 'table-nps');
    expect(nps).toHaveLength(13);
    expect(nps[0]).toEqual(['2027-01', '3', '2', '0', '1', '33.3', '7.33']);
    expect(nps[1]).toEqual(['2027-02', '0', '0', '0', '0', '', '']);
    expect(nps[2]).toEqual(['2027-03', '3', '1', '1', '1', '0', '8']);
    expect(nps[12]).toEqual(['Total', '6', '3', '1', '2', '16.7', '7.67']);
    expect(await tableRows(page, 'table-clv')).toEqual([
      ['0–500000', '3'],
      ['500000–1000000', '2'],
      ['1000000–1500000', '0'],
      ['1500000–2000000', '0'],
      ['2000000–2500000', '1'],
    ]);
    expect((await tableRows(page, 'table-clv-distribution'))[0]).toEqual(['6', '300000', '484798.52', '645134.23', '813292.91', '2000000', '4890967.55']);
    expect(await tableRows(page, 'table-budget')).toEqual([
      ['2027-01', '6', '6', '2', '2'],
      ['2027-02', '1', '1', '1', '1'],
      ['2027-03', '1', '0', '1', '0'],
      ['Total', '8', '7', '', ''],
    ]);
    const pvh = await tableRows(page, 'table-plan-vs-holdout');
    expect(pvh.map((r) => r.slice(0, 3))).toEqual([
      ['Customers', '4', '2'],
      ['Referrals per customer', '0.75', '0.5'],
      ['Repeat-deal share', '0.25', '0.5'],
      ['Answers', '4', '2'],
      ['Average score', '7.5', '8'],
      ['NPS', '25', '0'],
    ]);
    // The intervals are in the table: referrals per customer (Welch) and the repeat share (Newcombe).
    expect(pvh[1]![3]).toBe('0.25');
    expect(pvh[1]![6]).toBe('Welch t');
    expect(Number(pvh[2]![4])).toBeLessThan(-0.25);
    expect(Number(pvh[2]![5])).toBeGreaterThan(0);
    expect(await tableRows(page, 'table-segments')).toEqual([['a', '1', '150000'], ['b', '2', '160000'], ['c', '2', '90000'], ['vip', '1', '200000']]);
    expect(await tableRows(page, 'table-overdue')).toEqual([
      ['Omar', '1', '1', '2027-02-20T09:00:00.000Z', 'h1'],
      ['Sara', '2', '1', '2027-03-01T09:00:00.000Z', 'a1'],
    ]);
    expect(await page.locator('#table-overdue a').evaluateAll((as) => as.map((a) => a.getAttribute('href')))).toEqual(['/app/people/h1', '/app/people/a1']);

    // Usable at 390 px: the page does not scroll sideways (wide tables scroll inside their box).
    expect(await page.evaluate(() => (globalThis as any).document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
    mkdirSync(cacheDir, { recursive: true });
    await page.screenshot({ path: join(cacheDir, 'web-dashboard.png'), fullPage: true });
    expect(await seriousViolations(page)).toEqual([]);
    await page.close();
  });

  it('in Arabic: right to left, the charts mirrored, no serious or critical axe violation', async () => {
    const page = await manager.newPage();
    await page.goto(`${base}/app/dashboard?year=2027&asOf=2027-12-31&lang=ar`);
    expect(await page.locator('html').getAttribute('dir')).toBe('rtl');
    expect(await page.locator('h1').innerText()).toBe('لوحة المتابعة');
    await page.waitForFunction(() => [...(globalThis as any).document.querySelectorAll('canvas')].every((c) => (globalThis as any).Chart?.getChart(c)));
    expect(await page.evaluate(() => (globalThis as any).Chart.getChart((globalThis as any).document.getElementById('chart-budget')).options.scales.x.reverse)).toBe(true);
    expect((await tableRows(page, 'table-touches'))[1]).toEqual(['2027-01', 'النشرة الإخبارية', '2', '1', '0', '3']);
    expect(await seriousViolations(page)).toEqual([]);
    await page.close();
  });

  it('a CSV download has the report’s header and rows; bad parameters are named, not a crash', async () => {
    const page = await manager.newPage();
    await page.goto(`${base}/app/dashboard?year=2027&asOf=2027-12-31&lang=en`);
    const href = await page.locator('#touches a[download]').getAttribute('href');
    expect(href).toBe('/app/reports/touches.csv?year=2027');
    const [download] = await Promise.all([page.waitForEvent('download'), page.locator('#touches a[download]').click()]);
    expect(download.suggestedFilename()).toBe('touches.csv');
    const csv = await page.request.get(`${base}${href}`);
    expect(csv.status()).toBe(200);
    expect(csv.headers()['content-type']).toContain('text/csv');
    expect((await csv.text()).trim().split('\n')).toEqual(['month,kind,sent,skipped,failed,total', '2027-01,holiday-card,1,0,0,1', '2027-01,newsletter,2,1,0,3', '2027-02,call,1,0,0,1', '2027-02,newsletter,1,0,1,2']);
    const funnel = await page.request.get(`${base}/app/reports/lead-funnel.csv?by=agent`);
    expect((await funnel.text()).trim().split('\n')).toEqual(['agent,leads,contacted,qualified,deals,lost,conversion', 'agent-omar,3,1,0,1,1,0.333', 'agent-sara,2,2,1,1,0,0.5']);
    const budget = await page.request.get(`${base}/app/reports/budget.csv?year=2027`);
    expect((await budget.text()).trim().split('\n')).toEqual(['month,planned,spent,touches,sent', '2027-01,6,6,2,2', '2027-02,1,1,1,1', '2027-03,1,0,1,0']);
    const bad = await page.request.get(`${base}/app/reports/nps.csv?from=2027-02-30`);
    expect(bad.status()).toBe(400);
    expect(await bad.text()).toContain('from:');
    expect((await page.request.get(`${base}/app/reports/nothing.csv`)).status()).toBe(404);

    // The dashboard with a bad period: the problems named, status 400, the form still there.
    const res = await page.goto(`${base}/app/dashboard?from=2027-13-01&year=20x7`);
    expect(res?.status()).toBe(400);
    const alert = await page.locator('[role=alert]').innerText();
    expect(alert).toContain('from:');
    expect(alert).toContain('year:');
    expect(await page.locator('input#from').count()).toBe(1);
    await page.goto(`${base}/app/dashboard?from=2027-06-01&to=2027-01-01`);
    expect(await page.locator('[role=alert]').innerText()).toContain('to: expected a day after from');
    await page.close();
  });

  it('an agent gets 403 on the dashboard, the plan-change page and the CSV', async () => {
    const page = await agent.newPage();
    for (const path of ['/app/dashboard', '/app/plan-impact', '/app/reports/touches.csv?year=2027']) {
      const res = await page.goto(`${base}${path}`);
      expect(res?.status(), path).toBe(403);
    }
    const html = await page.request.get(`${base}/app/dashboard`);
    expect(html.status()).toBe(403);
    expect(await html.text()).toContain('Managers only');
    const post = await page.request.post(`${base}/app/plan-impact`, { form: { overrides: '{}' } });
    expect(post.status()).toBe(403); // no CSRF token, and not a manager
    await page.close();
  });
});

describe('what a plan change affects', () => {
  it("counts the people and touches a segment's overrides would change, applies nothing, and names a bad field", async () => {
    const worker = await createTestWorker({ connection: env.nativeConnection, taskQueue: TASK_QUEUE, smtp, stores });
    await worker.runUntil(async () => {
      // Two running years from the pinned start: a VIP and a customer of segment b.
      for (const [id, segment] of [['imp-vip', 'vip'], ['imp-b', 'b']] as const) {
        await dealClosed(env.client, { customer: customer({ id, segment, email: `${id}@example.com`, name: { first: id, last: 'Test' } }), deal: { id: `deal-${id}`, closedAt: '2040-01-04' } }, { taskQueue: TASK_QUEUE });
      }
      const handles = ['imp-vip', 'imp-b'].map((id) => env.client.workflow.getHandle(customerWorkflowId(id)));
      // The welcome newsletter goes first: 11 of the year's 12 newsletters are still to come.
      const statuses = [];
      for (const h of handles) statuses.push(await until(env, h, (s) => s.touchesDone.some((t) => t.slot === 'newsletter-1')));
      const vip = statuses[0]!;
      expect(vip.nextTouches.filter((t) => t.kind === 'newsletter')).toHaveLength(11);
      expect(vip.nextTouches.filter((t) => t.kind === 'newsletter').every((t) => t.channel === 'email')).toBe(true);
      for (let i = 0; i < 100 && (await stores.db.selectFrom('customers').select('customer_id').where('state', '=', 'running').execute()).length < 2; i++) await new Promise((r) => setTimeout(r, 50));
      const before = JSON.stringify((await handles[0]!.query('status')) as unknown);

      const page = await manager.newPage();
      await page.goto(`${base}/app/plan-impact?lang=en`);
      expect(await page.locator('[role=note]').innerText()).toContain('Nothing is applied by this page');
      // The file picked from disk lands in the box (read in the page), then is sent.
      const overrides = { segments: { vip: { 'client-for-life': { channels: { newsletter: ['sms'] } } } } };
      await page.setInputFiles('#file', { name: 'overrides.json', mimeType: 'application/json', buffer: Buffer.from(JSON.stringify(overrides, null, 2)) });
      await page.waitForFunction(() => ((globalThis as any).document.getElementById('overrides')).value.includes('"sms"'));
      await page.locator('button[type=submit]', { hasText: 'Show what would change' }).click();
      await page.locator('#impact-summary').waitFor();
      // One of the two people (the VIP), 11 touches: every newsletter still to come, by SMS instead of email.
      expect(await page.locator('#impact-people').innerText()).toBe('1');
      expect(await page.locator('#impact-touches').innerText()).toBe('11');
      expect(await page.locator('#impact-summary').innerText()).toContain('1 of 2 people on a running plan would change');
      expect(await page.locator('#impact-summary').innerText()).toContain('0 added, 0 removed, 0 moved, 11 on another channel');
      expect(await tableRows(page, 'table-impact')).toEqual([['imp-vip Test', 'vip', 'client-for-life v3', '0', '0', '0', '11']]);
      const details = await tableRows(page, 'table-impact-imp-vip');
      expect(details).toHaveLength(11);
      for (const row of details) {
        expect(row[0]).toMatch(/^Newsletter: /);
        expect(row[1]).toMatch(/ · email$/);
        expect(row[2]).toMatch(/ · SMS$/);
        expect(row[3]).toBe('channel changed');
        expect(row[1]!.replace(' · email', '')).toBe(row[2]!.replace(' · SMS', ''));
      }
      await page.screenshot({ path: join(cacheDir, 'web-plan-impact.png'), fullPage: true });
      expect(await seriousViolations(page)).toEqual([]);
      // Nothing was applied: the year is as it was.
      expect(JSON.stringify((await handles[0]!.query('status')) as unknown)).toBe(before);

      // Overrides that change nothing (segment b's newsletters as they are): nobody.
      await page.locator('#overrides').fill(JSON.stringify({ segments: { b: { 'client-for-life': { counts: { newsletter: 12 } } } } }));
      await page.locator('button[type=submit]', { hasText: 'Show what would change' }).click();
      await page.locator('#impact-summary').waitFor();
      expect(await page.locator('#impact-people').innerText()).toBe('0');
      expect(await page.locator('#impact-summary').innerText()).toContain('Nobody’s touches would change');

      // A bad file: the field named, nothing checked.
      await page.locator('#overrides').fill(JSON.stringify({ segments: { vip: { 'client-for-life': { counts: { newsletter: 40 } }, 'gold-plan': {} } } }));
      const [bad] = await Promise.all([page.waitForResponse((r) => r.url().includes('/app/plan-impact') && r.request().method() === 'POST'), page.locator('button[type=submit]', { hasText: 'Show what would change' }).click()]);
      expect(bad.status()).toBe(400);
      const problems = await page.locator('#impact-problems').innerText();
      expect(problems).toContain('segments.vip.client-for-life.counts.newsletter');
      expect(problems).toContain('gold-plan');
      expect(await page.locator('#impact-summary').count()).toBe(0);
      await page.locator('#overrides').fill('{ "segments": ');
      await page.locator('button[type=submit]', { hasText: 'Show what would change' }).click();
      expect(await page.locator('#impact-problems').innerText()).toContain('not valid JSON');

      // In Arabic, right to left: the same answer, and no serious or critical axe violation.
      await page.goto(`${base}/app/plan-impact?lang=ar`);
      expect(await page.locator('html').getAttribute('dir')).toBe('rtl');
      await page.locator('#overrides').fill(JSON.stringify(overrides));
      await page.locator('form.card button[type=submit]').click();
      await page.locator('#impact-summary').waitFor();
      expect(await page.locator('#impact-people').innerText()).toBe('1');
      expect(await page.locator('#impact-touches').innerText()).toBe('11');
      expect(await seriousViolations(page)).toEqual([]);
      await page.close();
    });
  });
});

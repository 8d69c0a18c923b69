// The measurement reports through their two surfaces, over a small known set: the HTTP API
// (GET /v1/reports, GET /v1/reports/:name, 400 naming the parameter, 404, 401, the OpenAPI paths)
// and the `plan33 report <name>` CLI in a child process (a table, --json, --csv through
// csv-stringify, read back with csv-parse). The figures themselves are checked in measure.test.ts.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Client } from '@temporalio/client';
import type { FastifyInstance } from 'fastify';
import { parse } from 'csv-parse/sync';
import { buildApi } from '../api/server';
import { freePort } from '../dev/binaries.mjs';
import { createLogger } from '../lib/logger';
import { REPORT_NAMES } from '../service/measure';
import { freshStores, type TestStores } from './helpers/database';
import { plan33 } from './helpers/cli';
import { createAgentDirectory, parseAgentsFile } from '../lib/agents';
import { PgWebStore } from '../stores/web';
import { SESSION_COOKIE } from '../api/web/auth';

const API_KEY = 'test-api-key-measure-0123456789';
let stores: TestStores;
let app: FastifyInstance;
let base: string;

/*
 a1: first deal 2026-05-01, running, plan.      a2: first deal 2026-06-01, lost 2027-04-01, plan.
 a3: first deal 2027-02-02 and a second 2027-09-09, running, holdout.
 Retention 2027: at the start a1 a2 = 2; lost a2 = 1; retained 1, rate 0.5; gained a3 = 1; at the end a1 a3 = 2.
 Plan vs holdout 2027: plan a1 a2 (2 customers, no repeat deal: 0), holdout a3 (1, repeat: 1);
   referrals: a1 -> z1 (2027-03-03) = 1 in the plan: 0.5 per customer; none in the holdout.
*/
beforeAll(async () => {
  stores = await freshStores();
  const row = (id: string, state: string, updatedAt: string, holdout: boolean) => ({ customer_id: id, workflow_id: `customer-${id}`, name: id, agent: 'agent-sara', plan: 'client-for-life', plan_year: 1, state, referrals: 0, updated_at: new Date(updatedAt), holdout });
  await stores.db.insertInto('customers').values([row('a1', 'running', '2027-12-01T00:00:00Z', false), row('a2', 'cancelled', '2027-04-01T10:00:00Z', false), row('a3', 'running', '2027-12-01T00:00:00Z', true)]).execute();
  await stores.db
    .insertInto('deals')
    .values([
      { customer_id: 'a1', deal_id: 'd1', closed_at: '2026-05-01', value: 1000, recorded_at: new Date('2026-05-01T12:00:00Z') },
      { customer_id: 'a2', deal_id: 'd2', closed_at: '2026-06-01', value: 2000, recorded_at: new Date('2026-06-01T12:00:00Z') },
      { customer_id: 'a3', deal_id: 'd3', closed_at: '2027-02-02', value: 3000, recorded_at: new Date('2027-02-02T12:00:00Z') },
      { customer_id: 'a3', deal_id: 'd4', closed_at: '2027-09-09', value: 500, recorded_at: new Date('2027-09-09T12:00:00Z') },
    ])
    .execute();
  await stores.db.insertInto('referrals').values({ customer_id: 'a1', referral_id: 'z1', plan_year: 1, recorded_at: new Date('2027-03-03T10:00:00Z') }).execute();
  const port = await freePort();
  base = `http://127.0.0.1:${port}`;
  // The reports read plan33's store only: no Temporal server is needed for these routes.
  app = await buildApi({ client: {} as Client, taskQueue: 'measure', apiKey: API_KEY, publicBaseUrl: base, contacts: stores.contacts, db: stores.db, logger: createLogger('warn', { write: () => undefined }) });
  await app.listen({ port, host: '127.0.0.1' });
});

afterAll(async () => {
  await app?.close();
  await stores?.db.destroy();
});

async function get(path: string, auth = true) {
  const res = await fetch(`${base}${path}`, { headers: auth ? { authorization: `Bearer ${API_KEY}` } : {} });
  return { status: res.status, body: (await res.json()) as Record<string, any> };
}

describe('GET /v1/reports', () => {
  it('lists the reports the CLI lists, and serves each as JSON', async () => {
    const list = await get('/v1/reports');
    expect(list.status).toBe(200);
    expect(list.body.reports.map((r: { name: string }) => r.name)).toEqual(REPORT_NAMES);
    expect(list.body.reports.find((r: { name: string }) => r.name === 'retention').params).toHaveProperty('year');
    const retention = await get('/v1/reports/retention?year=2027');
    expect(retention).toEqual({ status: 200, body: { period: { from: '2027-01-01', to: '2028-01-01' }, atStart: 2, lost: 1, retained: 1, rate: 0.5, gained: 1, atEnd: 2 } });
    const holdout = await get('/v1/reports/plan-vs-holdout?from=2027-01-01&to=2028-01-01');
    expect(holdout.body.plan).toMatchObject({ customers: 2, referrals: 1, referralsPerCustomer: 0.5, repeatCustomers: 0, repeatShare: 0 });
    expect(holdout.body.holdout).toMatchObject({ customers: 1, referrals: 0, referralsPerCustomer: 0, repeatCustomers: 1, repeatShare: 1 });
    // One holdout customer: no variance there, so no Welch interval; Newcombe's still has one.
    expect(holdout.body.difference.referralsPerCustomer).toEqual({ difference: 0.5, ci: null, df: null, method: 'Welch t' });
    expect(holdout.body.difference.repeatShare.ci).not.toBeNull();
    // The older report routes answer as before.
    expect((await get('/v1/reports/budget?year=2027')).body).toMatchObject({ year: 2027, by: 'month', rows: [] });
    expect((await get('/v1/reports/clv?asOf=2028-01-01')).body).toMatchObject({ asOf: '2028-01-01', clv: { count: 3 } });
    expect((await get('/v1/reports/referrals')).body).toEqual({ byTouch: [], unattributed: 1, total: 1 });
  });

  it('names a bad parameter (400), an unknown report (404), and wants the API key (401)', async () => {
    expect(await get('/v1/reports/retention?from=2027-13-01&colour=red')).toEqual({
      status: 400,
      body: { error: 'invalid input', problems: ['colour: not a parameter of the retention report (its parameters: from, to, year)', 'from: expected a day, YYYY-MM-DD'] },
    });
    const unknown = await get('/v1/reports/weather');
    expect(unknown.status).toBe(404);
    expect(unknown.body.error).toContain('no report named "weather"');
    expect((await get('/v1/reports/retention', false)).status).toBe(401);
    expect((await get('/v1/reports', false)).status).toBe(401);
  });

  it('documents each report with its parameters in the OpenAPI document', async () => {
    const doc = (await get('/openapi.json', false)).body as { paths: Record<string, { get: { summary: string; parameters?: Array<{ name: string; required: boolean; schema: { type: string } }> } }> };
    for (const name of REPORT_NAMES) expect(doc.paths).toHaveProperty([`/v1/reports/${name}`]);
    expect(doc.paths['/v1/reports']!.get.summary).toContain('reports');
    expect(doc.paths['/v1/reports/plan-vs-holdout']!.get.parameters!.map((p) => p.name)).toEqual(['from', 'to', 'year']);
    expect(doc.paths['/v1/reports/budget']!.get.parameters!.find((p) => p.name === 'year')).toMatchObject({ required: true, schema: { type: 'integer' } });
  });
});

describe('plan33 report <name>', () => {
  const run = (...args: string[]) => plan33(['report', ...args], '127.0.0.1:1', stores.url);

  it('prints a report as CSV, JSON or a table; the list; and names bad input with exit 1', async () => {
    const csv = await run('retention', '--year', '2027', '--csv');
    expect(csv.code).toBe(0);
    expect(csv.stdout).toBe('from,to,at_start,lost,retained,rate,gained,at_end\n2027-01-01,2028-01-01,2,1,1,0.5,1,2\n');
    const json = await run('retention', '--from', '2027-01-01', '--to', '2028-01-01', '--json');
    expect(JSON.parse(json.stdout)).toEqual({ period: { from: '2027-01-01', to: '2028-01-01' }, atStart: 2, lost: 1, retained: 1, rate: 0.5, gained: 1, atEnd: 2 });
    const holdout = await run('plan-vs-holdout', '--year', '2027', '--csv');
    const rows = parse(holdout.stdout, { columns: true }) as Array<Record<string, string>>;
    expect(rows.map((r) => r.measure)).toEqual(['customers', 'referrals per customer', 'repeat share', 'nps responses', 'average score', 'nps']);
    expect(rows[0]).toEqual({ measure: 'customers', plan: '2', holdout: '1', difference: '', ci_lower: '', ci_upper: '', method: '' });
    expect(rows[1]).toMatchObject({ plan: '0.5', holdout: '0', difference: '0.5', ci_lower: '', method: 'Welch t' });
    const table = await run('retention', '--year', '2027');
    expect(table.stdout.split('\n')[0]).toMatch(/^from\s+to\s+at_start\s+lost\s+retained\s+rate\s+gained\s+at_end$/);
    // The list as CSV: summaries hold commas, so they are quoted, and read back whole.
    const list = parse((await run('list', '--csv')).stdout, { columns: true }) as Array<{ name: string; summary: string }>;
    expect(list.map((r) => r.name)).toEqual(REPORT_NAMES);
    expect(list.find((r) => r.name === 'touches')!.summary).toBe('Touches done in the period by UTC month, kind and outcome (sent, skipped, failed)');
    const bad = await run('nps', '--from', '2027-02-30', '--agent', 'agent-sara');
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain('agent: not a parameter of the nps report');
    expect(bad.stderr).toContain('from: expected a day, YYYY-MM-DD');
    const unknown = await run('weather');
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain('name: expected list or one of retention,');
    expect((await run('--csv')).stderr).toContain('--csv: only with a report name');
  });
});

describe('CSV with text a spreadsheet would run as a formula', () => {
  /*
   2031: four referrers named like formulas, each with one referral; the names come back with a
   leading ' (csv-stringify's escape_formulas), the numbers as numbers, a negative one unquoted.
  */
  const NAMES = ['=HYPERLINK("http://evil.example","click")', '+1', '-2', '@x'];
  let web: FastifyInstance;
  let webBase: string;
  let cookie: string;

  beforeAll(async () => {
    await stores.db
      .insertInto('customers')
      .values(NAMES.map((name, i) => ({ customer_id: `f${i}`, workflow_id: `customer-f${i}`, name, agent: i === 3 ? '@agent' : 'agent-sara', plan: 'client-for-life', plan_year: 1, state: 'running', referrals: 1, updated_at: new Date('2031-06-01T00:00:00Z'), holdout: false })))
      .execute();
    await stores.db.insertInto('referrals').values(NAMES.map((_, i) => ({ customer_id: `f${i}`, referral_id: `fr${i}`, plan_year: 1, recorded_at: new Date(`2031-0${i + 2}-01T10:00:00Z`) }))).execute();
    const port = await freePort();
    webBase = `http://127.0.0.1:${port}`;
    const agents = createAgentDirectory(parseAgentsFile({ agents: [{ id: 'mgr-huda', name: 'Huda', email: 'huda@agents.test', role: 'manager', takesLeads: false }] }));
    web = await buildApi({ client: {} as Client, taskQueue: 'measure', apiKey: API_KEY, publicBaseUrl: webBase, contacts: stores.contacts, db: stores.db, web: { agents, sendMail: async () => undefined, publicBaseUrl: webBase, secureCookies: false }, logger: createLogger('warn', { write: () => undefined }) });
    await web.listen({ port, host: '127.0.0.1' });
    const session = await new PgWebStore(stores.db).createSession({ userId: 'mgr-huda', role: 'manager' }, Date.now(), 3_600_000);
    cookie = `${SESSION_COOKIE}=${session.id}`;
  });
  afterAll(async () => {
    await web?.close();
  });

  const expectGuarded = (text: string) => {
    const rows = parse(text, { columns: true }) as Array<Record<string, string>>;
    expect(rows.map((r) => r.name).sort()).toEqual(NAMES.map((n) => `'${n}`).sort());
    expect(rows.find((r) => r.customer === 'f3')).toMatchObject({ agent: "'@agent", referrals: '1', converted: '0', conversion: '0', value: '0' });
    // The raw text: the formula is quoted with its own quotes doubled, after the guard.
    expect(text).toContain(`"'=HYPERLINK(""http://evil.example"",""click"")"`);
  };

  it('plan33 report --csv writes them as text; numbers, negative ones too, stay numbers', async () => {
    const csv = await plan33(['report', 'best-referral-sources', '--year', '2031', '--csv'], '127.0.0.1:1', stores.url);
    expect(csv.code, csv.stderr).toBe(0);
    expectGuarded(csv.stdout);
    const holdout = parse((await plan33(['report', 'plan-vs-holdout', '--year', '2027', '--csv'], '127.0.0.1:1', stores.url)).stdout, { columns: true }) as Array<Record<string, string>>;
    // Plan 0 of 2 with a repeat deal, holdout 1 of 1: -1, a number, not text to guard.
    expect(holdout[2]).toMatchObject({ measure: 'repeat share', difference: '-1' });
    expect(Number(holdout[2]!.ci_lower)).toBeLessThan(0);
  });

  it("the dashboard's CSV download writes them as text", async () => {
    const res = await fetch(`${webBase}/app/reports/best-referral-sources.csv?year=2031`, { headers: { cookie } });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('text/csv');
    expectGuarded(await res.text());
    const holdout = parse(await (await fetch(`${webBase}/app/reports/plan-vs-holdout.csv?year=2027`, { headers: { cookie } })).text(), { columns: true }) as Array<Record<string, string>>;
    expect(holdout[2]).toMatchObject({ measure: 'repeat share', difference: '-1' });
  });
});

// Inputs exactly as the contract says (issue 24, item 6), over real HTTP, the real CLI in a child
// process, a real dev server and PostgreSQL:
// - a person's status answers what happened, never a 500: a year (or a lead's road) that closed
//   before its first workflow task (started with no worker polling its queue, then terminated,
//   as the right to be forgotten does right after a deal) answers `ended` with Temporal's status
//   and the deal it started with, through the API and `plan33 status`; one no worker has taken
//   yet answers `not-started`;
// - every date that enters lies in 1900-01-01..2199-12-31: 0171-08-01 and 2200-01-01 get a 400
//   (or exit 1) naming the field at the API, the CLI, the CSV import and the preference form, and
//   nothing is started or changed.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { FastifyInstance } from 'fastify';
import { buildApi } from '../api/server';
import { freePort } from '../dev/binaries.mjs';
import { createDevServerEnv } from '../dev/temporal-server';
import { startSmtpCapture, type SmtpCapture } from '../dev/smtp-capture';
import { createAgentDirectory, parseAgentsFile } from '../lib/agents';
import { createLogger } from '../lib/logger';
import { formStamp, preferenceToken } from '../lib/preference-link';
import { customerWorkflowId, leadWorkflowId } from '../plan/ids';
import { dealClosed } from '../service/enroll';
import { customerStatus } from '../service/operations';
import { statusQuery } from '../workflows/messages';
import { plan33 } from './helpers/cli';
import { testStores, type TestStores } from './helpers/database';
import { createTestWorker, installTestRuntime, tempDir } from './helpers/temporal';
import { customer } from './fixtures/customers';

const API_KEY = 'contract-inputs-key-0123456789';
const LINK_SECRET = 'contract-inputs-link-secret-0123456789';
/** The worker's queue; `nobody-polls` has no worker, so a year started there never runs a task. */
const TASK_QUEUE = 'contract-inputs';
const IDLE_QUEUE = 'nobody-polls';
const OUT_OF_RANGE = ['0171-08-01', '2200-01-01'];
const RANGE = 'expected a date from 1900-01-01 to 2199-12-31';

let env: TestWorkflowEnvironment;
let smtp: SmtpCapture;
let stores: TestStores;
let app: FastifyInstance;
let base: string;
let worker: Awaited<ReturnType<typeof createTestWorker>>;
let running: Promise<void>;
const started: string[] = [];

beforeAll(async () => {
  installTestRuntime();
  env = await createDevServerEnv();
  smtp = await startSmtpCapture();
  stores = await testStores();
  const port = await freePort();
  base = `http://127.0.0.1:${port}`;
  const agents = createAgentDirectory(parseAgentsFile({ agents: [{ id: 'agent-sara', name: 'Sara', email: 'sara@agents.test' }] }));
  app = await buildApi({
    client: env.client,
    taskQueue: TASK_QUEUE,
    apiKey: API_KEY,
    publicBaseUrl: base,
    unsubscribeSecret: LINK_SECRET,
    contacts: stores.contacts,
    db: stores.db,
    web: { agents, sendMail: async () => undefined, publicBaseUrl: base, linkSecret: LINK_SECRET, secureCookies: false },
    logger: createLogger('silent'),
  });
  await app.listen({ port, host: '127.0.0.1' });
  worker = await createTestWorker({ connection: env.nativeConnection, taskQueue: TASK_QUEUE, smtp, stores });
  running = worker.run();
});

afterAll(async () => {
  for (const id of started) await env.client.workflow.getHandle(id).terminate('test done').catch(() => undefined);
  worker?.shutdown();
  await running;
  await app?.close();
  await smtp?.close();
  await env?.teardown();
});

async function call(method: string, path: string, body?: unknown) {
  const res = await fetch(`${base}${path}`, { method, headers: { authorization: `Bearer ${API_KEY}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) }, body: body === undefined ? undefined : JSON.stringify(body) });
  const text = await res.text();
  return { status: res.status, body: (text.startsWith('{') ? JSON.parse(text) : text) as Record<string, any> };
}

const cli = (...args: string[]) => plan33(args, env.address, stores.url);

/** Whether Temporal has a run of this workflow id at all. */
const exists = (workflowId: string) =>
  env.client.workflow
    .getHandle(workflowId)
    .describe()
    .then(
      () => true,
      () => false,
    );

/** A customer's year started on a queue no worker polls: its first workflow task never runs. */
async function idleYear(id: string) {
  const result = await dealClosed(env.client, { customer: customer({ id, phone: undefined }), deal: { id: `deal-${id}`, closedAt: '2027-03-01', value: 1000 } }, { taskQueue: IDLE_QUEUE });
  started.push(result.workflowId);
  return env.client.workflow.getHandle(result.workflowId);
}

describe("a person's status when no workflow task ran", () => {
  it('a year terminated before its first task answers ended, with the run and the deal it started with, through the API and the CLI', async () => {
    const handle = await idleYear('closed-early');
    await handle.terminate('right to be forgotten: the person asked to be deleted');
    // The query cannot answer this run: the server says so (FAILED_PRECONDITION), the API does not pass it on as a 500.
    await expect(handle.query(statusQuery)).rejects.toThrow(/Failed to query Workflow/);

    const res = await call('GET', '/v1/customers/closed-early');
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body).toMatchObject({
      customerId: 'closed-early',
      state: 'ended',
      plan: 'client-for-life',
      planYear: 1,
      agent: 'agent-sara',
      deals: [{ id: 'deal-closed-early', closedAt: '2027-03-01', value: 1000 }],
      touchesDone: [],
      nextTouches: [],
      workflow: { workflowId: 'customer-closed-early', status: 'TERMINATED' },
    });
    expect(res.body.customer).toMatchObject({ id: 'closed-early', name: { first: 'Layla' } });
    expect(res.body.note).toContain('before its first step');
    expect(Date.parse(res.body.workflow.closedAt)).toBeGreaterThanOrEqual(Date.parse(res.body.workflow.startedAt));

    const json = await cli('status', '--customer', 'closed-early', '--json');
    expect(json.code, json.stderr).toBe(0);
    expect(JSON.parse(json.stdout)).toMatchObject({ customerId: 'closed-early', state: 'ended', workflow: { status: 'TERMINATED' } });
    const text = await cli('status', '--customer', 'closed-early');
    expect(text.code, text.stderr).toBe(0);
    expect(text.stdout).toContain('closed-early: client-for-life (ended: the plan ended (terminated) before its first step: nothing was sent), agent agent-sara; deals deal-closed-early (2027-03-01)');
    expect(text.stdout).toMatch(/workflow customer-closed-early run \S+: TERMINATED, started \S+, closed \S+/);
  });

  it("a lead's road terminated before its first task answers ended at stage new through the API", async () => {
    const workflowId = leadWorkflowId('lead-early');
    await env.client.workflow.start('leadJourney', { taskQueue: IDLE_QUEUE, workflowId, args: [{ v: 1, leadId: 'lead-early' }] });
    started.push(workflowId);
    await env.client.workflow.getHandle(workflowId).terminate('right to be forgotten');
    const res = await call('GET', '/v1/leads/lead-early');
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body).toMatchObject({ leadId: 'lead-early', stage: 'new', plan: '8x8', state: 'ended', touchesDone: [], workflow: { workflowId, status: 'TERMINATED' } });
  });

  it('a year no worker has taken yet answers not-started once its query has waited its deadline', async () => {
    await idleYear('not-yet');
    const t0 = Date.now();
    const st = await customerStatus(env.client, 'not-yet', { queryDeadlineMs: 1500 });
    expect(Date.now() - t0).toBeGreaterThanOrEqual(1500);
    expect(st).toMatchObject({ customerId: 'not-yet', state: 'not-started', workflow: { status: 'RUNNING' }, deals: [{ id: 'deal-not-yet' }] });
    expect('workflow' in st ? st.workflow.closedAt : 'no workflow field').toBeUndefined();
    // No such customer: still 404, not a description of nothing.
    expect((await call('GET', '/v1/customers/nobody-at-all')).status).toBe(404);
  });
});

describe('dates outside 1900-01-01..2199-12-31', () => {
  it('the API refuses them with 400 naming the field, and starts nothing', async () => {
    for (const day of OUT_OF_RANGE) {
      const deal = await call('POST', '/v1/deals', { customer: customer({ id: 'range-api' }), deal: { id: 'd1', closedAt: day } });
      expect(deal.status).toBe(400);
      expect(deal.body.problems).toEqual([`deal.closedAt: ${RANGE}`]);
      const instant = await call('POST', '/v1/deals', { customer: customer({ id: 'range-api' }), deal: { id: 'd1', closedAt: `${day}T09:00:00Z` } });
      expect(instant.body.problems).toEqual([`deal.closedAt: ${RANGE}`]);
      const birthday = await call('POST', '/v1/deals', { customer: customer({ id: 'range-api', personalDates: [{ occasion: 'birthday', date: day }], doNotContactUntil: day }), deal: { id: 'd1', closedAt: '2027-03-01' } });
      expect(birthday.status).toBe(400);
      expect(birthday.body.problems).toEqual([`customer.personalDates.0.date: ${RANGE}`, `customer.doNotContactUntil: ${RANGE}`]);
      const lead = await call('POST', '/v1/leads/range-lead/replies', { id: 'm1', channel: 'email', text: 'hello', receivedAt: `${day}T09:00:00Z` });
      expect(lead.status).toBe(400);
      expect(lead.body.problems).toEqual([`receivedAt: ${RANGE}`]);
      const report = await call('GET', `/v1/reports/retention?from=${day}`);
      expect(report.status).toBe(400);
      expect(report.body.problems).toEqual([`from: ${RANGE}`]);
    }
    expect(await exists(customerWorkflowId('range-api'))).toBe(false);
    // The range's own ends are dates like any other.
    const oldest = await call('GET', '/v1/reports/retention?from=1900-01-01&to=1900-02-01');
    expect(oldest.status).toBe(200);
  });

  it('the CLI refuses them with exit 1 naming the flag, and starts nothing', async () => {
    const file = join(tempDir('range-cli'), 'range.json');
    writeFileSync(file, JSON.stringify(customer({ id: 'range-cli' })));
    for (const day of OUT_OF_RANGE) {
      const enroll = await cli('enroll', '--customer', file, '--deal-id', 'D-1', '--closed-at', day);
      expect(enroll.code).toBe(1);
      expect(enroll.stderr).toContain(`--closed-at: ${RANGE}, got "${day}"`);
      const report = await cli('report', 'touches', '--to', day);
      expect(report.code).toBe(1);
      expect(report.stderr).toContain(`to: ${RANGE}`);
    }
    const birthday = join(tempDir('range-cli'), 'birthday.json');
    writeFileSync(birthday, JSON.stringify(customer({ id: 'range-cli', personalDates: [{ occasion: 'birthday', date: '0171-08-01' }] })));
    const bad = await cli('enroll', '--customer', birthday, '--deal-id', 'D-1', '--closed-at', '2027-03-01');
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain(`customer.personalDates.0.date: ${RANGE}`);
    expect(await exists(customerWorkflowId('range-cli'))).toBe(false);
  });

  it('the CSV import names each bad row by line and field, and enrols only the good one', async () => {
    const file = join(tempDir('range-csv'), 'customers.csv');
    writeFileSync(
      file,
      [
        'id,first_name,email,timezone,agent,birthday,deal_id,deal_closed_at',
        'range-csv-1,Ann,ann@example.com,UTC,agent-sara,,D-1,0171-08-01',
        'range-csv-2,Bob,bob@example.com,UTC,agent-sara,2200-01-01,D-2,2027-03-01',
        'range-csv-3,Cat,cat@example.com,UTC,agent-sara,1900-01-01,D-3,2027-03-01',
      ].join('\n'),
    );
    started.push(customerWorkflowId('range-csv-3'));
    const run = await cli('import', '--file', file);
    expect(run.code).toBe(1);
    expect(run.stdout).toContain('1 enrolled, 2 bad rows skipped');
    expect(run.stdout).toContain(`line 2: deal.closedAt: ${RANGE}`);
    expect(run.stdout).toContain(`line 3: customer.personalDates.0.date: ${RANGE}`);
    expect(await exists(customerWorkflowId('range-csv-1'))).toBe(false);
    expect(await exists(customerWorkflowId('range-csv-2'))).toBe(false);
    expect(await exists(customerWorkflowId('range-csv-3'))).toBe(true);
  });

  it('the preference form refuses a pause until 2200-01-01 with 400 naming the field, in English and Arabic, and changes nothing', async () => {
    const id = 'range-prefs';
    const result = await dealClosed(env.client, { customer: customer({ id, phone: undefined }), deal: { id: 'D-1', closedAt: '2027-03-01' } }, { taskQueue: TASK_QUEUE });
    started.push(result.workflowId);
    const handle = env.client.workflow.getHandle(result.workflowId);
    for (let i = 0; i < 150 && (await handle.query(statusQuery).catch(() => undefined))?.state !== 'running'; i++) await new Promise((r) => setTimeout(r, 100));
    for (const [lang, words] of [['en', RANGE], ['ar', 'أدخل تاريخًا بين 1900-01-01 و2199-12-31']] as const) {
      const token = preferenceToken(LINK_SECRET, { customerId: id, lang });
      const page = await fetch(`${base}/prefs?t=${token}&lang=${lang}`);
      expect(page.status).toBe(200);
      expect(await page.text()).toContain('min="1900-01-01" max="2199-12-31"');
      const res = await fetch(`${base}/prefs?t=${token}&lang=${lang}`, {
        method: 'POST',
        redirect: 'manual',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ _form: formStamp(LINK_SECRET, token, Date.now()), email: 'on', postal: 'on', pauseUntil: '2200-01-01', language: lang }).toString(),
      });
      expect(res.status).toBe(400);
      const html = await res.text();
      expect(html).toContain(words);
      expect(html).toMatch(/id="pauseUntil"[^>]*aria-invalid="true"/);
    }
    const st = await handle.query(statusQuery);
    expect(st.customer.doNotContactUntil).toBeUndefined();
    expect(st.customer.consent).toEqual({ email: true, sms: true, postal: true, phone: true });
  });
});

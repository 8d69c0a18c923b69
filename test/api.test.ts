// The HTTP API and its webhooks over real HTTP, against a real workflow on the time-skipping
// server: API-key auth, 400s that name the field and change nothing, Twilio inbound SMS with
// signature validation (STOP/START/HELP/replies), one-click unsubscribe, fulfilment reports.
import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { FastifyInstance } from 'fastify';
import twilio from 'twilio';
import fc from 'fast-check';
import { buildApi } from '../api/server';
import type { Stores } from '../stores';
import { testStores } from './helpers/database';
import { freePort } from '../dev/binaries.mjs';
import { createLogger } from '../lib/logger';
import { createDevServerEnv } from '../dev/temporal-server';
import { startSmtpCapture, type SmtpCapture } from '../dev/smtp-capture';
import { unsubscribeToken } from '../lib/unsubscribe';
import { sourceToken } from '../lib/source-link';
import { SIGNATURE_HEADER, signBody } from '../lib/webhook-signature';
import { customerWorkflowId } from '../plan/ids';
import { statusQuery, type CustomerStatus } from '../workflows/messages';
import { createTestWorker, installTestRuntime, TWILIO } from './helpers/temporal';
import { customer } from './fixtures/customers';

const API_KEY = 'test-api-key-0123456789';
const READ_KEY = 'test-read-key-0123456789abcdef';
const WRITE_KEY = 'test-write-key-0123456789abcdef';
const UNSUBSCRIBE_SECRET = 'unsubscribe-secret-0123456789';
const WEBHOOK_SECRET = 'webhook-secret-0123456789';
const taskQueue = 'api';

let env: TestWorkflowEnvironment;
let smtp: SmtpCapture;
let app: FastifyInstance;
let base: string;
let worker: Awaited<ReturnType<typeof createTestWorker>>;
let running: Promise<void>;
let stores: Stores;
const logLines: string[] = [];

beforeAll(async () => {
  installTestRuntime();
  // The dev server, not the time-skipping one: nothing here skips time, and the file runs for
  // minutes in real time under load. The worker's native connection pings every 30 s (sdk-core's
  // fixed HTTP/2 keepalive); the Java test server allows one ping in 5 minutes and answers with
  // GOAWAY, and a workflow task completion in flight was lost (a CI rehearsal: five tests hung).
  env = await createDevServerEnv();
  smtp = await startSmtpCapture();
  stores = await testStores();
  const port = await freePort();
  base = `http://127.0.0.1:${port}`;
  app = await buildApi({
    client: env.client,
    taskQueue,
    apiKey: API_KEY,
    apiKeys: [
      { name: 'reporting', scope: 'read', sha256: createHash('sha256').update(READ_KEY).digest('hex') },
      { name: 'crm', scope: 'write', sha256: createHash('sha256').update(WRITE_KEY).digest('hex') },
    ],
    publicBaseUrl: base,
    unsubscribeSecret: UNSUBSCRIBE_SECRET,
    twilioAuthToken: TWILIO.authToken,
    webhookSecret: WEBHOOK_SECRET,
    contacts: stores.contacts,
    db: stores.db,
    logger: createLogger('info', { write: (line: string) => void logLines.push(line) }),
  });
  await app.listen({ port, host: '127.0.0.1' });
  worker = await createTestWorker({ connection: env.nativeConnection, taskQueue, smtp, stores });
  running = worker.run();
});

afterAll(async () => {
  for (const id of ['api-1', 'api-2']) await env.client.workflow.getHandle(customerWorkflowId(id)).terminate().catch(() => undefined);
  worker?.shutdown();
  await running;
  await app?.close();
  await smtp?.close();
  await env?.teardown();
});

async function call(method: string, path: string, body?: unknown, headers: Record<string, string> = { authorization: `Bearer ${API_KEY}` }) {
  const res = await fetch(`${base}${path}`, { method, headers: { ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...headers }, body: body === undefined ? undefined : JSON.stringify(body) });
  const text = await res.text();
  return { status: res.status, body: (text.startsWith('{') ? JSON.parse(text) : text) as Record<string, unknown> & string, headers: res.headers };
}

/** Posts an inbound SMS the way Twilio does: form-encoded and signed over the full URL. */
async function inboundSms(params: Record<string, string>, { sign = true } = {}) {
  const url = `${base}/webhooks/twilio/sms`;
  const signature = sign ? twilio.getExpectedTwilioSignature(TWILIO.authToken, url, params) : 'forged';
  const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-twilio-signature': signature }, body: new URLSearchParams(params).toString() });
  return { status: res.status, text: await res.text() };
}

const status = (id: string) => env.client.workflow.getHandle(customerWorkflowId(id)).query(statusQuery);

async function until<T>(what: () => Promise<T>, ok: (v: T) => boolean, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await what().catch(() => undefined as T);
    if (v !== undefined && ok(v)) return v;
    if (Date.now() > deadline) throw new Error(`condition not met in ${timeoutMs} ms; last value: ${JSON.stringify(v)?.slice(0, 500)}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

const layla = customer({ id: 'api-1', phone: '+966500000001', sendingHours: '00:00-24:00' });

describe('HTTP API', () => {
  it('refuses a request without the API key, and bad input with 400 naming every field', async () => {
    expect((await call('POST', '/v1/deals', { customer: layla, deal: { id: 'd1', closedAt: '2026-11-23' } }, {})).status).toBe(401);
    expect((await call('GET', '/v1/customers/api-1', undefined, { authorization: 'Bearer wrong-key-0123456789' })).status).toBe(401);

    const bad = await call('POST', '/v1/deals', { customer: { ...layla, timezone: 'Mars/Olympus', email: 'not-an-email' }, deal: { id: '', closedAt: '2026-13-01' } });
    expect(bad.status).toBe(400);
    const problems = (bad.body.problems as string[]).join('\n');
    for (const field of ['customer.timezone', 'customer.email', 'deal.id', 'deal.closedAt']) expect(problems).toContain(field);
    // Nothing was started.
    expect((await call('GET', '/v1/customers/api-1')).status).toBe(404);
    const junk = await fetch(`${base}/v1/deals`, { method: 'POST', headers: { authorization: `Bearer ${API_KEY}`, 'content-type': 'application/json' }, body: '{"customer":' });
    expect(junk.status).toBe(400);
  });

  it.each([
    ['no body', undefined, /customer: /],
    ['an array', [], /customer: /],
    ['a string', 'hello', /customer: /],
    ['unknown fields', { customer: { ...layla, shoeSize: 44 }, deal: { id: 'd', closedAt: '2026-11-23', extra: 1 } }, /customer: .*shoeSize[\s\S]*deal: .*extra/],
    ['wrong types', { customer: { ...layla, name: 'Layla', consent: { email: 'yes' } }, deal: { id: 5, closedAt: 20261123, value: 'big' } }, /customer\.name[\s\S]*deal\.id[\s\S]*deal\.value/],
    ['no reachable channel', { customer: { ...layla, email: undefined, phone: undefined, address: undefined }, deal: { id: 'd', closedAt: '2026-11-23' } }, /customer\.consent: no reachable channel/],
    ['a bad id', { customer: { ...layla, id: '../etc' }, deal: { id: 'd', closedAt: '2026-11-23' } }, /customer\.id/],
    ['a negative value', { customer: layla, deal: { id: 'd', closedAt: '2026-11-23', value: -1 } }, /deal\.value/],
  ])('POST /v1/deals with %s: 400 naming the fields, nothing started', async (_name, body, pattern) => {
    const res = await call('POST', '/v1/deals', body);
    expect(res.status).toBe(400);
    expect((res.body.problems as string[] | undefined)?.join('\n') ?? res.body.error).toMatch(pattern);
    expect((await call('GET', '/v1/customers/api-1')).status).toBe(404);
  });

  it('answers any JSON on any write route with a 4xx, never a 500 (property test)', async () => {
    const routes = ['/v1/deals', '/v1/customers/api-1/referrals', '/v1/customers/api-1/opt-out', '/v1/tasks/customer-api-1.y1.t3/complete', '/v1/leads', '/v1/leads/api-none/outcome', '/v1/leads/api-none/replies', '/v1/leads/api-none/end'];
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...routes), fc.oneof(fc.jsonValue(), fc.record({ customer: fc.jsonValue(), deal: fc.jsonValue() }), fc.record({ channel: fc.jsonValue(), referralId: fc.jsonValue(), outcome: fc.jsonValue() })), async (route, body) => {
        const res = await call('POST', route, body);
        expect(res.status, `${route} ${JSON.stringify(body)}`).toBeGreaterThanOrEqual(400);
        expect(res.status, `${route} ${JSON.stringify(body)}`).toBeLessThan(500);
      }),
      { numRuns: 150 },
    );
    expect((await call('GET', '/v1/customers/api-1')).status).toBe(404); // nothing was started
  });

  it('forget and export: 401 without the key, 400 naming a bad id, 404 for a person of whom nothing is kept', async () => {
    const auth = { authorization: `Bearer ${API_KEY}` };
    expect((await fetch(`${base}/v1/people/nobody-here`, { method: 'DELETE' })).status).toBe(401);
    const bad = await fetch(`${base}/v1/people/${encodeURIComponent('bad id!')}/export`, { headers: auth });
    expect(bad.status).toBe(400);
    expect(JSON.stringify(await bad.json())).toContain('id: expected 1-64 characters');
    expect((await fetch(`${base}/v1/people/nobody-here`, { method: 'DELETE', headers: auth })).status).toBe(404);
    expect((await fetch(`${base}/v1/people/nobody-here/export`, { headers: auth })).status).toBe(404);
  });

  it('refuses a body that is too large or of the wrong type', async () => {
    const big = await fetch(`${base}/v1/deals`, { method: 'POST', headers: { authorization: `Bearer ${API_KEY}`, 'content-type': 'application/json' }, body: JSON.stringify({ customer: { ...layla, notes: 'x'.repeat(1_100_000) } }) });
    expect(big.status).toBe(413);
    const xml = await fetch(`${base}/v1/deals`, { method: 'POST', headers: { authorization: `Bearer ${API_KEY}`, 'content-type': 'application/xml' }, body: '<deal/>' });
    expect(xml.status).toBe(415);
  });

  it('starts the year on POST /v1/deals (idempotent) and reports it on GET /v1/customers/:id', async () => {
    const first = await call('POST', '/v1/deals', { customer: layla, deal: { id: 'd1', closedAt: '2026-11-23', value: 500000 } });
    expect(first.status).toBe(202);
    expect(first.body.workflowId).toBe('customer-api-1');
    const again = await call('POST', '/v1/deals', { customer: layla, deal: { id: 'd1', closedAt: '2026-11-23', value: 500000 } });
    expect(again.status).toBe(202);
    const st = await until(() => call('GET', '/v1/customers/api-1'), (r) => r.status === 200 && (r.body as unknown as CustomerStatus).state === 'running');
    const body = st.body as unknown as CustomerStatus;
    expect(body.deals).toHaveLength(1);
    expect(body.plan).toBe('client-for-life');
    expect((await call('GET', '/v1/customers/nobody-here')).status).toBe(404);
    expect((await call('GET', '/v1/customers/bad%20id')).status).toBe(400);
    // The lifetime value from the deal the year recorded: 500 000 × purchases a year (one deal since
    // 2026-11-23: 1, or fewer as years pass) × 10 years − 0 (the defaults).
    const value = await until(() => call('GET', '/v1/customers/api-1/value'), (r) => r.status === 200);
    const v = value.body as unknown as { purchasesPerYear: number; clv: number };
    expect(value.body).toMatchObject({ customerId: 'api-1', deals: 1, averagePurchase: 500000, lifespanYears: 10, acquisitionCost: 0, currency: 'SAR' });
    expect(v.purchasesPerYear).toBeGreaterThan(0);
    expect(v.purchasesPerYear).toBeLessThanOrEqual(1);
    expect(Math.abs(v.clv - 500000 * v.purchasesPerYear * 10)).toBeLessThan(5000); // purchasesPerYear is rounded to 3 places
    expect((await call('GET', '/v1/customers/nobody-here/value')).status).toBe(404);
    expect((await call('GET', '/v1/reports/clv')).body).toMatchObject({ currency: 'SAR', clv: { count: 1, median: v.clv } });
    // The same run answers a repeat, and a second deal reaches it as a signal.
    expect(again.body).toMatchObject({ workflowId: 'customer-api-1', runId: first.body.runId });
    const second = await call('POST', '/v1/deals', { customer: layla, deal: { id: 'd2', closedAt: '2026-11-25', value: 250000 } });
    expect(second.body).toMatchObject({ workflowId: 'customer-api-1', runId: first.body.runId });
    await until(() => call('GET', '/v1/customers/api-1'), (r) => (r.body as unknown as CustomerStatus).deals?.length === 2);
  });

  it('opt-out through the API names a bad channel and applies a good one', async () => {
    const bad = await call('POST', '/v1/customers/api-1/opt-out', { channel: 'pigeon' });
    expect(bad.status).toBe(400);
    expect((bad.body.problems as string[]).join()).toContain('channel');
    expect((await call('POST', '/v1/customers/api-1/opt-out', { channel: 'postal', reason: 'moved abroad' })).status).toBe(202);
    await until(() => status('api-1'), (s) => s.customer.consent.postal === false);
  });

  it('records a referral and moves the customer to advocate', async () => {
    expect((await call('POST', '/v1/customers/api-1/referrals', { referralId: '' })).status).toBe(400);
    expect((await call('POST', '/v1/customers/api-1/referrals', { referralId: 'ref-1', referredName: 'Omar' })).status).toBe(202);
    await until(() => status('api-1'), (s) => s.plan === 'advocate' && s.referrals === 1);
  });

  it('referral attribution: the links carry the touch that asks; a referral that names it is counted for that touch kind and plan', async () => {
    // The welcome newsletter went out at once; its referral link carries its touch key.
    const st = await until(() => status('api-1'), (s) => s.touchesDone.some((t) => t.kind === 'newsletter' && t.outcome === 'sent'));
    const welcome = st.touchesDone.find((t) => t.kind === 'newsletter' && t.outcome === 'sent')!;
    const key = `customer-api-1.y1.t${welcome.seq}`;
    const mails = await Promise.all(smtp.messages.filter((x) => x.to.includes(layla.email!)).map(async (x) => (await import('mailparser')).simpleParser(x.raw)));
    expect(mails.some((m) => (m.text ?? '').includes(`https://example.com/refer?ref=${encodeURIComponent(key)}`) || (m.text ?? '').includes(`?ref=${encodeURIComponent(key)}`))).toBe(true);
    expect((await call('POST', '/v1/customers/api-1/referrals', { referralId: 'ref-2', via: 'not a key' })).body).toMatchObject({ problems: [expect.stringMatching(/^via: expected the touch key/)] });
    expect((await call('POST', '/v1/customers/api-1/referrals', { referralId: 'ref-2', referredName: 'Sami', via: key })).status).toBe(202);
    const report = await until(() => call('GET', '/v1/reports/referrals'), (r) => JSON.stringify(r.body).includes('"byTouch":[{'));
    // The plan is the one the newsletter's outcome row names (the customer became an advocate in the test before).
    const row = await stores.db.selectFrom('touch_outcomes').select('plan').where('key', '=', key).executeTakeFirstOrThrow();
    expect(report.body).toMatchObject({ byTouch: [{ kind: 'newsletter', plan: row.plan, referrals: 1 }], unattributed: 1, total: 2 });
  });

  it('completing a call checks the task id and the outcome before anything changes', async () => {
    const malformed = await call('POST', '/v1/tasks/not-a-task/complete', { outcome: 'reached' });
    expect(malformed.status).toBe(400);
    expect((malformed.body.problems as string[]).join()).toContain('taskId');
    const badOutcome = await call('POST', '/v1/tasks/customer-api-1.y1.t3/complete', { outcome: 'maybe' });
    expect(badOutcome.status).toBe(400);
    expect((badOutcome.body.problems as string[]).join()).toContain('outcome');
    // A well-formed id the workflow does not know: refused by the update's validator, as no such task (404).
    const unknown = await call('POST', '/v1/tasks/customer-api-1.y1.t99/complete', { outcome: 'reached' });
    expect(unknown.status).toBe(404);
    expect((unknown.body.problems as string[]).join()).toMatch(/no call task/);
    expect((await call('POST', '/v1/tasks/customer-nobody.y1.t1/complete', { outcome: 'reached' })).status).toBe(404);
  });
});

describe('Twilio inbound SMS webhook', () => {
  it('refuses a request without a valid signature and changes nothing', async () => {
    const before = await status('api-1');
    const res = await inboundSms({ From: layla.phone!, To: TWILIO.from, Body: 'STOP', MessageSid: 'SMforged' }, { sign: false });
    expect(res.status).toBe(403);
    // Signed for other parameters: also refused.
    const url = `${base}/webhooks/twilio/sms`;
    const sig = twilio.getExpectedTwilioSignature(TWILIO.authToken, url, { From: layla.phone!, Body: 'hello' });
    const tampered = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-twilio-signature': sig }, body: new URLSearchParams({ From: layla.phone!, Body: 'STOP' }).toString() });
    expect(tampered.status).toBe(403);
    await new Promise((r) => setTimeout(r, 300));
    expect((await status('api-1')).customer.consent.sms).toBe(before.customer.consent.sms);
  });

  it('STOP opts the customer out of SMS, START opts back in (Arabic keywords too)', async () => {
    const res = await inboundSms({ From: layla.phone!, To: TWILIO.from, Body: ' Stop ', MessageSid: 'SM1' });
    expect(res.status).toBe(200);
    expect(res.text).toContain('<Response>');
    await until(() => status('api-1'), (s) => s.customer.consent.sms === false);
    await inboundSms({ From: layla.phone!, To: TWILIO.from, Body: 'ابدأ', MessageSid: 'SM2' });
    await until(() => status('api-1'), (s) => s.customer.consent.sms === true);
    await inboundSms({ From: layla.phone!, To: TWILIO.from, Body: 'إيقاف', MessageSid: 'SM3' });
    await until(() => status('api-1'), (s) => s.customer.consent.sms === false);
    // Email consent untouched throughout.
    expect((await status('api-1')).customer.consent.email).toBe(true);
  });

  it('HELP gets an answer; a reply in words becomes one task for the agent, even if Twilio sends it twice', async () => {
    const help = await inboundSms({ From: layla.phone!, To: TWILIO.from, Body: 'HELP', MessageSid: 'SM4' });
    expect(help.text).toMatch(/<Message>.*STOP.*<\/Message>/);
    const reply = { From: layla.phone!, To: TWILIO.from, Body: 'Can Sara call me about the garden?', MessageSid: 'SM5' };
    expect((await inboundSms(reply)).status).toBe(200);
    expect((await inboundSms(reply)).status).toBe(200);
    const st = await until(() => status('api-1'), (s) => (s.replies?.length ?? 0) >= 1);
    await new Promise((r) => setTimeout(r, 500));
    expect((await status('api-1')).replies).toHaveLength(1);
    const replyTasks = await until(() => stores.tasks.list({ type: 'reply' }), (t) => t.length >= 1);
    expect(replyTasks).toHaveLength(1);
    expect(replyTasks[0]).toMatchObject({ type: 'reply', agent: 'agent-sara', customerId: 'api-1', text: reply.Body, taskId: st.replies![0]!.taskId });
  });

  it('leads: POST /v1/leads names bad fields, captures (and merges) a lead; its SMS reply pauses the 8x8 with a task; outcome and conversion', async () => {
    const bad = await call('POST', '/v1/leads', { name: { first: '' }, phone: 'call me', timezone: 'Asia/Riyadh', source: { channel: 'telepathy' } });
    expect(bad.status).toBe(400);
    const problems = (bad.body.problems as string[]).join('\n');
    for (const field of ['phone:', 'name.first:', 'source.channel:']) expect(problems).toContain(field);
    const lead = { id: 'api-lead-1', name: { first: 'Fahad' }, phone: '+966500000077', timezone: 'Asia/Riyadh', locale: 'ar', agent: 'agent-sara', source: { channel: 'sign' }, consent: { email: true, sms: true, postal: true, phone: true } };
    const first = await call('POST', '/v1/leads', lead);
    expect(first.status).toBe(202);
    expect(first.body).toEqual({ leadId: 'api-lead-1', workflowId: 'lead-api-lead-1', merged: false });
    expect((await call('POST', '/v1/leads', { ...lead, id: undefined, needs: 'a shop front' })).body).toMatchObject({ leadId: 'api-lead-1', merged: true });
    try {
      const running = await until(() => call('GET', '/v1/leads/api-lead-1'), (r) => r.status === 200 && (r.body as unknown as { captures: number }).captures === 2);
      expect(running.body).toMatchObject({ stage: 'new', agent: 'agent-sara', plan: '8x8', lead: { needs: 'a shop front' } });
      expect((await inboundSms({ From: lead.phone, To: TWILIO.from, Body: 'Is the shop on King Fahd Rd still free?', MessageSid: 'SM-lead-1' })).status).toBe(200);
      const paused = await until(() => call('GET', '/v1/leads/api-lead-1'), (r) => (r.body as unknown as { state: string }).state === 'paused');
      expect(paused.body).toMatchObject({ paused: { reason: 'replied by sms' } });
      const task = await until(() => stores.tasks.list({ agent: 'agent-sara' }), (t) => t.some((x) => x.type === 'lead' && (x as { reason: string }).reason === 'reply'));
      expect(task.find((x) => x.type === 'lead' && (x as { reason: string }).reason === 'reply')).toMatchObject({ customerId: 'api-lead-1', text: 'Is the shop on King Fahd Rd still free?' });
      expect((await call('POST', '/v1/leads/api-lead-1/outcome', { outcome: 'contact-later' })).body).toMatchObject({ problems: ['contactOn: required when outcome is contact-later'] });
      const done = await call('POST', '/v1/leads/api-lead-1/outcome', { outcome: 'positive-interest', notes: 'wants to see it' });
      expect(done.status).toBe(200);
      expect(done.body).toMatchObject({ outcome: 'positive-interest', stage: 'qualified' });
      const conversion = await until(() => call('GET', '/v1/leads/conversion?by=source'), (r) => JSON.stringify(r.body).includes('"qualified":1'));
      expect(conversion.body).toMatchObject({ by: 'source', rows: [{ key: 'sign', leads: 1, qualified: 1 }] });
      expect((await call('GET', '/v1/leads/conversion?by=moon')).status).toBe(400);
      expect((await call('GET', '/v1/leads/nobody-here')).status).toBe(404);
    } finally {
      await env.client.workflow.getHandle('lead-api-lead-1').terminate('test done').catch(() => undefined);
    }
  });

  it('"How did you hear about us?" after the deal: the link shows the question and records the answer; a forged link or a bad answer is refused', async () => {
    const token = sourceToken(UNSUBSCRIBE_SECRET, 'api-1');
    const page = await call('GET', `/v1/source/${token}?lang=ar`, undefined, {});
    expect(page.status).toBe(200);
    expect(page.body).toContain('كيف سمعت عنا أول مرة؟');
    expect(page.body).toContain('value="open-house"');
    expect((await call('GET', `/v1/source/${sourceToken('another-secret-entirely', 'api-1')}`, undefined, {})).status).toBe(403);
    const post = (body: string) => fetch(`${base}/v1/source/${token}`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body }).then(async (r) => ({ status: r.status, text: await r.text() }));
    const bad = await post('source=carrier-pigeon');
    expect(bad.status).toBe(400);
    expect(bad.text).toContain('source: expected one of');
    expect((await post('source=referral&text=my+neighbour+Omar')).status).toBe(200);
    expect(await stores.db.selectFrom('source_confirmations').select(['customer_id', 'source', 'text']).where('customer_id', '=', 'api-1').execute()).toEqual([{ customer_id: 'api-1', source: 'referral', text: 'my neighbour Omar' }]);
  });

  it('a message from an unknown number is answered and changes nothing', async () => {
    const res = await inboundSms({ From: '+15550009999', To: TWILIO.from, Body: 'STOP', MessageSid: 'SM6' });
    expect(res.status).toBe(200);
  });
});

describe('one-click unsubscribe over HTTP', () => {
  it('a mail client POST with a valid token opts out of email; a forged token is refused', async () => {
    const forged = await call('POST', `/v1/unsubscribe/${unsubscribeToken('some-other-secret-xx', { customerId: 'api-1', channel: 'email' })}`, undefined, {});
    expect(forged.status).toBe(403);
    const token = unsubscribeToken(UNSUBSCRIBE_SECRET, { customerId: 'api-1', channel: 'email' });
    const page = await call('GET', `/v1/unsubscribe/${token}`, undefined, {});
    expect(page.status).toBe(200);
    expect(page.body).toContain('method="post"');
    // RFC 8058: the client POSTs "List-Unsubscribe=One-Click", form-encoded, without any key.
    const res = await fetch(`${base}/v1/unsubscribe/${token}`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'List-Unsubscribe=One-Click' });
    expect(res.status).toBe(200);
    await until(() => status('api-1'), (s) => s.customer.consent.email === false);
    // RFC 8058 says the POST SHOULD be multipart/form-data: accepted the same way.
    const form = new FormData();
    form.set('List-Unsubscribe', 'One-Click');
    const multipart = await fetch(`${base}/v1/unsubscribe/${token}`, { method: 'POST', body: form });
    expect(multipart.status).toBe(200);
    // A customer whose plan has ended: nothing left to stop, the link still answers.
    const ended = await fetch(`${base}/v1/unsubscribe/${unsubscribeToken(UNSUBSCRIBE_SECRET, { customerId: 'gone-customer', channel: 'email' })}`, { method: 'POST' });
    expect(ended.status).toBe(200);
  });
});

describe('documentation, health and logs', () => {
  it('serves an OpenAPI document with every route and the request schemas from zod', async () => {
    const doc = (await call('GET', '/openapi.json', undefined, {})).body as unknown as {
      openapi: string;
      paths: Record<string, Record<string, unknown>>;
      components: { schemas: Record<string, { properties?: Record<string, unknown>; required?: string[] }> };
    };
    expect(doc.openapi).toMatch(/^3\./);
    for (const path of ['/v1/deals', '/v1/customers/{id}', '/v1/customers/{id}/referrals', '/v1/customers/{id}/opt-out', '/v1/tasks/{taskId}/complete', '/v1/unsubscribe/{token}', '/webhooks/twilio/sms', '/webhooks/fulfilment', '/ready', '/v1/leads', '/v1/leads/{id}', '/v1/leads/{id}/outcome', '/v1/leads/conversion']) {
      expect(Object.keys(doc.paths)).toContain(path);
    }
    const customerSchema = doc.components.schemas.Customer!;
    expect(customerSchema.required).toEqual(expect.arrayContaining(['id', 'name', 'timezone', 'agent']));
    expect(Object.keys(customerSchema.properties!)).toEqual(expect.arrayContaining(['email', 'phone', 'consent', 'personalDates']));
    expect(Object.keys(doc.components.schemas.CallCompletion!.properties!)).toEqual(['outcome', 'callBackOn', 'notes']);
  });

  it('answers health and readiness (Temporal reachable)', async () => {
    expect((await call('GET', '/health', undefined, {})).status).toBe(200);
    expect((await call('GET', '/ready', undefined, {})).body).toMatchObject({ ready: true });
  });

  it('logs requests without secrets or personal data', async () => {
    const token = unsubscribeToken(UNSUBSCRIBE_SECRET, { customerId: 'api-2', channel: 'email' });
    await call('GET', `/v1/unsubscribe/${token}`, undefined, {});
    await call('POST', '/v1/deals', { customer: { ...layla, id: 'api-2', email: 'secret-person@example.com' }, deal: { id: 'd9', closedAt: '2026-11-23' } });
    const log = logLines.join('');
    expect(log).toContain('/v1/unsubscribe/[token]');
    expect(log).toContain('/v1/deals');
    for (const secret of [token, 'secret-person@example.com', API_KEY]) expect(log).not.toContain(secret);
  });
});

describe('methods a path does not take', () => {
  it('answer 405 with the methods it takes, not 404', async () => {
    const put = await fetch(`${base}/v1/deals`, { method: 'PUT', headers: { authorization: `Bearer ${API_KEY}` } });
    expect(put.status).toBe(405);
    expect(put.headers.get('allow')).toBe('POST');
    const del = await fetch(`${base}/v1/customers/api-1`, { method: 'DELETE' });
    expect(del.status).toBe(405);
    expect(del.headers.get('allow')).toBe('GET, HEAD');
    expect((await fetch(`${base}/v1/nothing-here`, { method: 'DELETE' })).status).toBe(404);
  });
});

describe('API keys with scopes', () => {
  it('a read key reads but cannot write; a write key writes but cannot forget; the admin key may; a wrong key is 401', async () => {
    const as = (key: string) => ({ authorization: `Bearer ${key}`, 'content-type': 'application/json' });
    expect((await fetch(`${base}/v1/reports`, { headers: as(READ_KEY) })).status).toBe(200);
    const denied = await fetch(`${base}/v1/deals`, { method: 'POST', headers: as(READ_KEY), body: '{}' });
    expect(denied.status).toBe(403);
    expect(((await denied.json()) as { error: string }).error).toBe('API key reporting has scope read; POST /v1/deals needs write');
    // A write key gets through to validation (400 names the fields), but not to forget.
    expect((await fetch(`${base}/v1/deals`, { method: 'POST', headers: as(WRITE_KEY), body: '{}' })).status).toBe(400);
    expect((await fetch(`${base}/v1/people/nobody-here`, { method: 'DELETE', headers: as(WRITE_KEY) })).status).toBe(403);
    expect((await fetch(`${base}/v1/people/nobody-here/export`, { headers: as(READ_KEY) })).status).toBe(403);
    expect((await fetch(`${base}/v1/people/nobody-here`, { method: 'DELETE', headers: as(API_KEY) })).status).toBe(404);
    expect((await fetch(`${base}/v1/reports`, { headers: as(`${READ_KEY}x`) })).status).toBe(401);
  });
});

describe('HTML pages', () => {
  it('carry the security headers; only the lead form may be framed', async () => {
    const token = unsubscribeToken(UNSUBSCRIBE_SECRET, { customerId: 'api-1', channel: 'email' });
    const pageRes = await fetch(`${base}/v1/unsubscribe/${token}`);
    expect(pageRes.headers.get('content-type')).toMatch(/^text\/html/);
    expect(pageRes.headers.get('x-content-type-options')).toBe('nosniff');
    expect(pageRes.headers.get('referrer-policy')).toBe('no-referrer');
    expect(pageRes.headers.get('x-frame-options')).toBe('DENY');
    expect(pageRes.headers.get('content-security-policy')).toContain("frame-ancestors 'none'");
    const survey = await fetch(`${base}/survey?t=forged`);
    expect(survey.status).toBe(403);
    expect(survey.headers.get('content-security-policy')).toContain("default-src 'self'");
    const form = await fetch(`${base}/forms/lead`);
    expect(form.headers.get('x-frame-options')).toBeNull();
    expect(form.headers.get('content-security-policy')).toContain('frame-ancestors *');
    // JSON answers are not pages.
    expect((await fetch(`${base}/v1/reports`)).headers.get('content-security-policy')).toBeNull();
  });
});

describe('email events webhook', () => {
  it('a hard bounce turns email consent off with the reason; a soft bounce changes nothing; unsigned or bad events are refused', async () => {
    const auth = { authorization: `Bearer ${API_KEY}`, 'content-type': 'application/json' };
    const start = await fetch(`${base}/v1/deals`, { method: 'POST', headers: auth, body: JSON.stringify({ customer: { ...layla, id: 'api-bounce', email: 'bounce-me@example.com' }, deal: { id: 'D-bounce', closedAt: '2026-11-23' } }) });
    expect(start.status).toBe(202);
    const post = (event: unknown, secret = WEBHOOK_SECRET) => {
      const text = JSON.stringify(event);
      return fetch(`${base}/webhooks/email-events`, { method: 'POST', headers: { 'content-type': 'application/json', [SIGNATURE_HEADER]: signBody(secret, text) }, body: text });
    };
    const messageId = '<customer-api-bounce.y1.t1@plan33>';
    expect((await post({ type: 'bounce', bounceType: 'hard', messageId }, 'not-the-webhook-secret')).status).toBe(401);
    const bad = await post({ type: 'bounce', messageId: '<someone-else@example.com>' });
    expect(bad.status).toBe(400);
    const problems = JSON.stringify(await bad.json());
    expect(problems).toContain('bounceType: required for a bounce');
    const soft = await post({ type: 'bounce', bounceType: 'soft', messageId, reason: 'mailbox full' });
    expect(await soft.json()).toMatchObject({ action: 'none' });
    const hard = await post({ type: 'bounce', bounceType: 'hard', messageId, reason: '550 5.1.1 user unknown' });
    expect(hard.status).toBe(202);
    expect(await hard.json()).toEqual({ action: 'email-consent-off', workflowId: 'customer-api-bounce', reason: 'hard bounce: 550 5.1.1 user unknown' });
    let st: CustomerStatus | undefined;
    for (let i = 0; i < 100; i++) {
      st = (await (await fetch(`${base}/v1/customers/api-bounce`, { headers: auth })).json()) as CustomerStatus;
      if (st.customer?.consent.email === false) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(st!.customer.consent.email).toBe(false);
    // Every email still to come moved to another channel (post, else SMS) or none.
    expect(st!.nextTouches.some((t) => t.channel === 'email')).toBe(false);
    await env.client.workflow.getHandle('customer-api-bounce').terminate('test done');
  });
});

describe('fulfilment webhook', () => {
  it('refuses unsigned or badly signed reports, and names bad fields of signed ones', async () => {
    const body = JSON.stringify({ taskId: 'customer-api-1.y1.t2', status: 'shipped' });
    const post = (headers: Record<string, string>, text = body) => fetch(`${base}/webhooks/fulfilment`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: text });
    expect((await post({})).status).toBe(401);
    expect((await post({ [SIGNATURE_HEADER]: signBody('not-the-webhook-secret', body) })).status).toBe(401);
    expect((await post({ [SIGNATURE_HEADER]: signBody(WEBHOOK_SECRET, body, Math.floor(Date.now() / 1000) - 3600) })).status).toBe(401);
    const badBody = JSON.stringify({ taskId: 'customer-api-1.y1.t2', status: 'lost-in-space' });
    const bad = await post({ [SIGNATURE_HEADER]: signBody(WEBHOOK_SECRET, badBody) }, badBody);
    expect(bad.status).toBe(400);
    expect(JSON.stringify(await bad.json())).toContain('status');
    expect((await post({ [SIGNATURE_HEADER]: signBody(WEBHOOK_SECRET, body) })).status).toBe(202);
  });
});

// Newsletter issues from the content folder and cards through a print-and-mail provider, on the
// time-skipping server with real sinks: SMTP capture for the customer's and the operator's
// email, and a local HTTP server playing the fulfilment provider (it checks plan33's signature).
import { mkdirSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { DateTime } from 'luxon';
import { simpleParser, type ParsedMail } from 'mailparser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { WorkflowHandle } from '@temporalio/client';
import { monthOf } from '../activities/newsletter-content';
import type { PostalItem } from '../activities/task-sink';
import { dealClosed, ValidationError } from '../service/enroll';
import { fulfilmentUpdate } from '../service/operations';
import { SIGNATURE_HEADER, signatureProblem } from '../lib/webhook-signature';
import { customerSchema, type CustomerInput } from '../plan/customer';
import { resolvePlan } from '../plan/definitions';
import { planTouches } from '../plan/engine';
import { customerWorkflowId, touchKey } from '../plan/ids';
import { DEFAULT_SENDING_HOURS } from '../plan/sending-hours';
import * as m from '../workflows/messages';
import { business, createTestWorker, tempDir } from './helpers/temporal';
import { useYearRig } from './helpers/year';
import { customer } from './fixtures/customers';

const HOUR = 3_600_000;
const GRACE_HOURS = 6;
const OPS = 'ops@cedar.test';
const SECRET = 'fulfilment-secret-0123456789';
const REFUSED = 'post-refused';
const deal = { id: 'deal-nf', closedAt: '2026-11-23' };
const EN_REFERRAL = 'Know someone who would value the care you get from Cedar Homes';

const rig = useYearRig(['nl-en', 'nl-ar', 'nl-missing', 'nl-late', 'nl-month-end', 'post-ok', REFUSED]);
const handleOf = (id: string) => rig.env.client.workflow.getHandle(customerWorkflowId(id));
const keyOf = (id: string, seq: number) => touchKey(customerWorkflowId(id), 1, seq);
const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Polls until nothing is overdue: the touch due now has run (or was moved later). */
async function settle(handle: WorkflowHandle, timeoutMs = 30_000): Promise<m.CustomerStatus> {
  const giveUp = Date.now() + timeoutMs;
  for (;;) {
    const st = await handle.query(m.statusQuery).catch(() => undefined);
    if (st && st.state !== 'starting' && (!st.nextDueAt || Date.parse(st.nextDueAt) > (await rig.env.currentTimeMs()))) return st;
    if (Date.now() > giveUp) throw new Error(`workflow did not settle; next: ${JSON.stringify(st?.nextTouches[0])}`);
    await pause(25);
  }
}

/** Steps simulated time one due touch at a time until `predicate` holds. */
async function advanceUntil(handle: WorkflowHandle, predicate: (s: m.CustomerStatus) => boolean, maxSteps = 60): Promise<m.CustomerStatus> {
  for (let step = 0; step < maxSteps; step++) {
    const st = await settle(handle);
    if (predicate(st)) return st;
    const now = await rig.env.currentTimeMs();
    const next = st.nextDueAt ? Date.parse(st.nextDueAt) : now + 86_400_000;
    await rig.env.sleep(Math.max(Math.ceil(next - now), 0) + 1000);
  }
  throw new Error('condition not reached');
}

/** Steps simulated time to `targetMs`, letting every touch due on the way run. */
async function advanceTo(handle: WorkflowHandle, targetMs: number): Promise<m.CustomerStatus> {
  for (;;) {
    const st = await settle(handle);
    const now = await rig.env.currentTimeMs();
    if (now >= targetMs) return st;
    const next = st.nextDueAt ? Date.parse(st.nextDueAt) + 1000 : Infinity;
    await rig.env.sleep(Math.max(Math.ceil(Math.min(next, targetMs) - now), 1));
  }
}

/** Polls the status (no time passes) until `predicate` holds: for signals to be applied. */
async function eventually(handle: WorkflowHandle, predicate: (s: m.CustomerStatus) => boolean): Promise<m.CustomerStatus> {
  for (let i = 0; i < 400; i++) {
    const st = await handle.query(m.statusQuery);
    if (predicate(st)) return st;
    await pause(25);
  }
  throw new Error('status never matched');
}

/** Messages to `address` that arrived after the first `since` captured ones, parsed. */
async function mailsTo(address: string, since: number): Promise<ParsedMail[]> {
  return Promise.all(rig.smtp.messages.slice(since).filter((x) => x.to.includes(address)).map((x) => simpleParser(x.raw)));
}
const touchHeader = (mail: ParsedMail) => mail.headers.get('x-plan33-touch');

// ---- newsletter content ----

type Issue = { subject: string; paragraphs: string[] };

function writeIssue(dir: string, month: string, issue: { en?: Issue; ar?: Issue }): void {
  writeFileSync(join(dir, 'newsletters', `${month}.json`), JSON.stringify({ month, ...issue }, null, 2));
}

function contentDir(issues: Record<string, { en?: Issue; ar?: Issue }>): string {
  const dir = tempDir('content');
  mkdirSync(join(dir, 'newsletters'));
  for (const [month, issue] of Object.entries(issues)) writeIssue(dir, month, issue);
  return dir;
}

const emailOnly = (id: string, extra: Partial<CustomerInput> = {}) =>
  customer({ id, email: `${id}@example.com`, phone: undefined, address: undefined, locale: 'en', consent: { email: true, sms: false, postal: false, phone: false }, ...extra });

/** The month the welcome newsletter falls in for a year starting now (the engine's own plan). */
async function welcomeMonth(c: CustomerInput): Promise<string> {
  const parsed = customerSchema.parse(c);
  const plan = planTouches({ customer: parsed, definition: resolvePlan('client-for-life'), yearStartMs: await rig.env.currentTimeMs(), sendingHours: DEFAULT_SENDING_HOURS });
  return monthOf(plan.find((t) => t.slot === 'newsletter-1')!.at, parsed.timezone);
}

const newsletterWorker = (taskQueue: string, dir: string) =>
  createTestWorker({ connection: rig.env.nativeConnection, taskQueue, smtp: rig.smtp, deps: { content: { dir, graceHours: GRACE_HOURS }, operatorEmail: OPS } });

const welcomeDone = (s: m.CustomerStatus) => s.touchesDone.some((t) => t.slot === 'newsletter-1');

describe('newsletter issues from the content folder', () => {
  it('the welcome newsletter carries the subject and paragraphs of the month’s issue, and the referral reminder', async () => {
    const id = 'nl-en';
    const c = emailOnly(id);
    const since = rig.smtp.messages.length;
    const month = await welcomeMonth(c);
    const issue = { subject: 'Your keys, your home: the first week', paragraphs: ['Read the meters on the first day.', 'The concierge desk opens at 8 every morning.'] };
    const w = await newsletterWorker(id, contentDir({ [month]: { en: issue } }));
    await w.runUntil(async () => {
      await dealClosed(rig.env.client, { customer: c, deal }, { taskQueue: id });
      const st = await advanceUntil(handleOf(id), welcomeDone);
      const welcome = st.touchesDone.find((t) => t.slot === 'newsletter-1')!;
      expect(welcome).toMatchObject({ kind: 'newsletter', channel: 'email', outcome: 'sent' });
      expect(welcome.firstAt).toBeUndefined();
      expect(monthOf(welcome.at, c.timezone)).toBe(month);

      const mails = (await mailsTo(c.email!, since)).filter((x) => touchHeader(x) === keyOf(id, welcome.seq));
      expect(mails).toHaveLength(1);
      const mail = mails[0]!;
      expect(mail.subject).toBe(issue.subject);
      expect(issue.paragraphs.length).toBeGreaterThan(0);
      for (const p of issue.paragraphs) {
        expect(mail.text).toContain(p);
        expect(mail.html).toContain(p);
      }
      expect(mail.text).not.toContain('news, useful tips and stories'); // the built-in words
      expect(mail.text).toContain(EN_REFERRAL);
      expect(mail.text).toContain(business.referralUrl);
      expect(await mailsTo(OPS, since)).toHaveLength(0);
    });
  });

  it('an Arabic customer gets the issue’s Arabic subject and words', async () => {
    const id = 'nl-ar';
    const c = emailOnly(id, { locale: 'ar' });
    const since = rig.smtp.messages.length;
    const month = await welcomeMonth(c);
    const en = { subject: 'Welcome to your new home', paragraphs: ['English words.'] };
    const ar = { subject: 'أهلًا بك في منزلك الجديد', paragraphs: ['نصائح الأسبوع الأول في منزلك.'] };
    const w = await newsletterWorker(id, contentDir({ [month]: { en, ar } }));
    await w.runUntil(async () => {
      await dealClosed(rig.env.client, { customer: c, deal }, { taskQueue: id });
      const st = await advanceUntil(handleOf(id), welcomeDone);
      const welcome = st.touchesDone.find((t) => t.slot === 'newsletter-1')!;
      expect(welcome.outcome).toBe('sent');
      const mails = (await mailsTo(c.email!, since)).filter((x) => touchHeader(x) === keyOf(id, welcome.seq));
      expect(mails).toHaveLength(1);
      expect(mails[0]!.subject).toBe(ar.subject);
      expect(mails[0]!.text).toContain(ar.paragraphs[0]);
      expect(mails[0]!.text).not.toContain(en.paragraphs[0]);
      expect(mails[0]!.text).toContain('عرّفنا به');
      expect(mails[0]!.text).toContain(business.referralUrl);
    });
  });

  it('next month’s issue missing: one alert, the newsletter waits out the grace period and is skipped; other touches go on meanwhile', async () => {
    const id = 'nl-missing';
    const c = emailOnly(id);
    const since = rig.smtp.messages.length;
    const month1 = await welcomeMonth(c);
    const w = await newsletterWorker(id, contentDir({ [month1]: { en: { subject: 'Welcome issue', paragraphs: ['Hello from Cedar Homes.'] } } }));
    await w.runUntil(async () => {
      await dealClosed(rig.env.client, { customer: c, deal }, { taskQueue: id });
      const handle = handleOf(id);
      let st = await advanceUntil(handle, welcomeDone);
      expect(st.touchesDone.find((t) => t.slot === 'newsletter-1')!.outcome).toBe('sent');
      const planned = st.nextTouches.find((t) => t.slot === 'newsletter-2')!;
      const month2 = monthOf(planned.at, c.timezone);
      expect(month2).not.toBe(month1);
      const dueMs = Date.parse(planned.at);
      const deadlineMs = dueMs + GRACE_HOURS * HOUR;

      // Its first attempt: the operator is alerted, the touch is moved later, not recorded.
      st = await advanceUntil(handle, (s) => s.touchesDone.some((t) => t.seq === planned.seq) || s.nextTouches.some((t) => t.seq === planned.seq && t.firstAt !== undefined));
      expect(st.touchesDone.some((t) => t.seq === planned.seq)).toBe(false);
      const waiting = st.nextTouches.find((t) => t.seq === planned.seq)!;
      expect(waiting.firstAt).toBe(planned.at);
      expect(Date.parse(waiting.at)).toBeGreaterThan(dueMs);
      expect(Date.parse(waiting.at)).toBeLessThanOrEqual(deadlineMs);
      let alerts = await mailsTo(OPS, since);
      expect(alerts).toHaveLength(1);
      expect(alerts[0]!.subject).toBe(`plan33: the ${month2} newsletter (en) is missing`);
      expect(alerts[0]!.text).toContain(`newsletters/${month2}.json`);
      expect(alerts[0]!.text).toContain(new Date(deadlineMs).toISOString());

      // Another touch due inside the grace window is not held up by the waiting newsletter.
      const other = st.nextTouches.find((t) => t.seq !== planned.seq && t.channel === 'email' && t.kind !== 'follow-up-letter' && t.kind !== 'newsletter')!;
      const otherAt = new Date(dueMs + 2 * HOUR + 10 * 60_000).toISOString().replace('Z', '+00:00');
      await handle.executeUpdate(m.rescheduleTouchUpdate, { args: [{ seq: other.seq, at: otherAt }] });
      st = await advanceUntil(handle, (s) => s.touchesDone.some((t) => t.seq === other.seq));
      expect(st.touchesDone.find((t) => t.seq === other.seq)!.outcome).toBe('sent');
      expect(st.nextTouches.find((t) => t.seq === planned.seq)?.firstAt).toBe(planned.at); // still waiting
      expect((await mailsTo(c.email!, since)).filter((x) => touchHeader(x) === keyOf(id, other.seq))).toHaveLength(1);

      // After the grace period: recorded skipped, naming the missing issue.
      st = await advanceUntil(handle, (s) => s.touchesDone.some((t) => t.seq === planned.seq));
      const skipped = st.touchesDone.find((t) => t.seq === planned.seq)!;
      expect(skipped.outcome).toBe('skipped');
      expect(skipped.reason).toContain(`no ${month2} newsletter issue (en) by the deadline`);
      expect(skipped.reason).toContain(`newsletters/${month2}.json`);
      expect(skipped.firstAt).toBe(planned.at);
      expect(Date.parse(skipped.doneAt)).toBeGreaterThanOrEqual(deadlineMs);

      // A dozen attempts, still one alert; nothing went to the customer for that month.
      alerts = await mailsTo(OPS, since);
      expect(alerts).toHaveLength(1);
      const toCustomer = await mailsTo(c.email!, since);
      expect(toCustomer.filter((x) => touchHeader(x) === keyOf(id, planned.seq))).toHaveLength(0);
      expect(toCustomer.filter((x) => x.subject?.includes(planned.title))).toHaveLength(0);
    });
  });

  it('an issue added during the grace period goes out with its words, once', async () => {
    const id = 'nl-late';
    const c = emailOnly(id);
    const since = rig.smtp.messages.length;
    const month = await welcomeMonth(c);
    const dir = contentDir({});
    const issue = { subject: 'Late but here: welcome to Cedar Homes', paragraphs: ['The editor was on holiday.'] };
    const w = await newsletterWorker(id, dir);
    await w.runUntil(async () => {
      await dealClosed(rig.env.client, { customer: c, deal }, { taskQueue: id });
      const handle = handleOf(id);
      let st = await advanceUntil(handle, (s) => welcomeDone(s) || s.nextTouches.some((t) => t.slot === 'newsletter-1' && t.firstAt !== undefined));
      expect(welcomeDone(st)).toBe(false);
      const waiting = st.nextTouches.find((t) => t.slot === 'newsletter-1')!;
      const alerts = await mailsTo(OPS, since);
      expect(alerts.map((a) => a.subject)).toEqual([`plan33: the ${month} newsletter (en) is missing`]);

      writeIssue(dir, month, { en: issue });
      st = await advanceUntil(handle, welcomeDone);
      const sent = st.touchesDone.find((t) => t.slot === 'newsletter-1')!;
      expect(sent.outcome).toBe('sent');
      expect(sent.firstAt).toBe(waiting.firstAt);
      expect(Date.parse(sent.doneAt)).toBeLessThan(Date.parse(waiting.firstAt!) + GRACE_HOURS * HOUR);

      // One more touch later, still exactly one copy of the newsletter and one alert.
      const doneSoFar = st.touchesDone.length;
      await advanceUntil(handle, (s) => s.touchesDone.length > doneSoFar);
      const mails = (await mailsTo(c.email!, since)).filter((x) => touchHeader(x) === keyOf(id, sent.seq));
      expect(mails).toHaveLength(1);
      expect(mails[0]!.subject).toBe(issue.subject);
      expect(mails[0]!.text).toContain(issue.paragraphs[0]);
      expect(mails[0]!.text).toContain(EN_REFERRAL);
      expect(await mailsTo(OPS, since)).toHaveLength(1);
    });
  });
  it('a newsletter moved past its month’s end by the wait still uses its own month’s issue, not the next one', async () => {
    const id = 'nl-month-end';
    const c = emailOnly(id);
    // 18:40 local on a month's last day: the first retry (+30 min) falls after the 19:00 end of
    // the sending hours, so the touch moves to 09:00 on the 1st of the next month.
    const now = DateTime.fromMillis(await rig.env.currentTimeMs(), { zone: c.timezone });
    const lastEvening = (d: DateTime) => d.endOf('month').set({ hour: 18, minute: 40, second: 0, millisecond: 0 });
    const start = lastEvening(now) > now ? lastEvening(now) : lastEvening(now.plus({ months: 1 }).startOf('month'));
    await rig.env.sleep(start.toMillis() - now.toMillis());
    const month = start.toFormat('yyyy-MM');
    const nextMonth = start.plus({ days: 1 }).toFormat('yyyy-MM');
    expect(await welcomeMonth(c)).toBe(month);
    const since = rig.smtp.messages.length;
    const next = { subject: `The ${nextMonth} issue`, paragraphs: ['Next month’s words.'] };
    const w = await newsletterWorker(id, contentDir({ [nextMonth]: { en: next } }));
    await w.runUntil(async () => {
      await dealClosed(rig.env.client, { customer: c, deal }, { taskQueue: id });
      const st = await advanceUntil(handleOf(id), welcomeDone);
      const welcome = st.touchesDone.find((t) => t.slot === 'newsletter-1')!;
      expect(monthOf(welcome.firstAt!, c.timezone)).toBe(month);
      expect((await mailsTo(c.email!, since)).map((x) => x.subject)).not.toContain(next.subject);
      expect(welcome).toMatchObject({ outcome: 'skipped' });
      expect(welcome.reason).toContain(`newsletters/${month}.json`);
    });
  });
});

// ---- fulfilment ----

interface ProviderCall {
  method?: string;
  key: string;
  status: number;
  /** Why the signature was refused (the provider then answers 401). */
  problem?: string;
  item?: PostalItem;
  id?: string;
}

/**
 * The print-and-mail provider: checks the signature, refuses REFUSED's items with a 400,
 * answers the first request for any other item 503 and later ones 201 with a new id (it does
 * not deduplicate itself, so a second send by plan33 would show as a second acceptance).
 */
const provider = { calls: [] as ProviderCall[], url: '', server: undefined as Server | undefined, lastId: 0 };

describe('cards and gifts through the fulfilment provider', () => {
  beforeAll(async () => {
    provider.server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => {
        const body = Buffer.concat(chunks).toString('utf8');
        const header = req.headers[SIGNATURE_HEADER];
        const call: ProviderCall = { method: req.method, key: String(req.headers['idempotency-key'] ?? ''), status: 0, problem: signatureProblem(SECRET, typeof header === 'string' ? header : undefined, body) };
        if (call.problem) call.status = 401;
        else {
          call.item = JSON.parse(body) as PostalItem;
          if (call.item.customerId === REFUSED) call.status = 400;
          else if (!provider.calls.some((x) => x.key === call.key)) call.status = 503;
          else Object.assign(call, { status: 201, id: `PRV-${++provider.lastId}` });
        }
        provider.calls.push(call);
        const answer = call.status === 201 ? { id: call.id } : { error: call.problem ?? (call.status === 400 ? 'address not deliverable' : 'try again later') };
        res.writeHead(call.status, { 'content-type': 'application/json' }).end(JSON.stringify(answer));
      });
    });
    await new Promise<void>((ok) => provider.server!.listen(0, '127.0.0.1', ok));
    provider.url = `http://127.0.0.1:${(provider.server.address() as AddressInfo).port}/items`;
  });
  afterAll(async () => {
    await new Promise((ok) => provider.server?.close(ok));
  });

  const postalOnly = (id: string) => customer({ id, email: undefined, phone: undefined, locale: 'en-GB', consent: { email: false, sms: false, postal: true, phone: false } });
  const postalWorker = (taskQueue: string) =>
    createTestWorker({ connection: rig.env.nativeConnection, taskQueue, smtp: rig.smtp, deps: { fulfilment: { url: provider.url, secret: SECRET } } });

  it('each item is posted signed, retried after a 503, accepted once; the provider’s id is the reference; shipped reports are recorded', async () => {
    const id = 'post-ok';
    const c = postalOnly(id);
    const w = await postalWorker(id);
    await w.runUntil(async () => {
      await dealClosed(rig.env.client, { customer: c, deal }, { taskQueue: id });
      const handle = handleOf(id);
      const st = await advanceUntil(handle, (s) => s.touchesDone.filter((t) => t.channel === 'postal').length >= 2);
      const postal = st.touchesDone.filter((t) => t.channel === 'postal');
      expect(postal.length).toBeGreaterThan(0);
      expect(postal.map((t) => t.outcome)).toEqual(postal.map(() => 'sent'));
      const keys = postal.map((t) => keyOf(id, t.seq));
      const mine = provider.calls.filter((x) => x.item?.customerId === id || keys.includes(x.key));
      expect(mine.map((x) => x.problem)).toEqual(mine.map(() => undefined));
      expect(mine.map((x) => x.method)).toEqual(mine.map(() => 'POST'));
      const accepted = mine.filter((x) => x.status === 201);
      expect(accepted.map((x) => x.key).sort()).toEqual([...keys].sort()); // exactly one acceptance per touch key
      postal.forEach((t, i) => {
        const key = keys[i]!;
        expect(mine.filter((x) => x.key === key).map((x) => x.status)).toEqual([503, 201]);
        const ok = accepted.find((x) => x.key === key)!;
        expect(t.reference).toBe(ok.id);
        expect(t.reference).toMatch(/^PRV-\d+$/);
        expect(ok.item).toMatchObject({ type: 'postal', taskId: key, customerId: id, recipient: 'Layla Haddad', address: c.address, kind: t.kind, title: t.title, locale: 'en-GB' });
        expect(ok.item!.item).toContain(t.title);
        expect(ok.item!.message).toContain(EN_REFERRAL);
        expect(ok.item!.message).toContain(business.referralUrl);
      });

      // The provider reports: items unknown to this year change nothing; a shipped one is recorded.
      const first = postal[0]!;
      const before = await handle.query(m.statusQuery);
      await fulfilmentUpdate(rig.env.client, { taskId: keyOf(id, 999), status: 'delivered' });
      await fulfilmentUpdate(rig.env.client, { taskId: touchKey(customerWorkflowId(id), 2, first.seq), status: 'delivered' });
      await fulfilmentUpdate(rig.env.client, { taskId: keys[0], status: 'shipped', trackingNumber: 'TRK1', carrier: 'DHL' });
      const after = await eventually(handle, (s) => s.touchesDone.find((t) => t.seq === first.seq)?.fulfilment !== undefined);
      expect(after.touchesDone.find((t) => t.seq === first.seq)!.fulfilment).toMatchObject({ status: 'shipped', trackingNumber: 'TRK1', carrier: 'DHL' });
      expect(after.touchesDone.filter((t) => t.seq !== first.seq)).toEqual(before.touchesDone.filter((t) => t.seq !== first.seq));
      expect(after.nextTouches).toEqual(before.nextTouches);

      const bad = await fulfilmentUpdate(rig.env.client, { taskId: keys[0], status: 'lost' }).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(bad).toBeInstanceOf(ValidationError);
      expect((bad as ValidationError).problems).toEqual([expect.stringMatching(/^status: expected one of accepted, printed, shipped/)]);
      expect((await handle.query(m.statusQuery)).touchesDone.find((t) => t.seq === first.seq)!.fulfilment?.status).toBe('shipped');
    });
  });

  it('a 400 from the provider is final: the item is recorded failed after a single request', async () => {
    const id = REFUSED;
    const w = await postalWorker(id);
    await w.runUntil(async () => {
      await dealClosed(rig.env.client, { customer: postalOnly(id), deal }, { taskQueue: id });
      const handle = handleOf(id);
      const st = await advanceUntil(handle, (s) => s.touchesDone.some((t) => t.channel === 'postal'));
      const touch = st.touchesDone.find((t) => t.channel === 'postal')!;
      expect(touch.outcome).toBe('failed');
      expect(touch.reason).toContain('answered 400');
      expect(touch.reason).toContain('address not deliverable');
      const key = keyOf(id, touch.seq);
      expect(provider.calls.filter((x) => x.key === key).map((x) => x.status)).toEqual([400]);
      // An hour later (a retry would have come after 5 s): still that one request.
      await advanceTo(handle, (await rig.env.currentTimeMs()) + HOUR);
      expect(provider.calls.filter((x) => x.key === key).map((x) => x.status)).toEqual([400]);
    });
  });
});

// Emailed links for every id the schemas allow (1-64 characters of A-Za-z0-9._-) and for UUIDs,
// end to end: customers with a UUID and with a 64-character id get their welcome email (real
// Temporal, time-skipping; real SMTP capture); the List-Unsubscribe URL is taken from the captured
// message and POSTed as a mail client does (RFC 8058, `List-Unsubscribe=One-Click`): 200, email
// consent off, no more email, while a customer who stayed gets the next issue. Before the fix the
// POST answered 414 (fastify's path parameters stopped at 100 characters; a UUID's token is 118).
// On the way: every emailed link's GET and HEAD change nothing (mail scanners open every link);
// only the POST does (unsubscribe, the source question, the survey; the preference page). Links
// sent before lib/link-token.ts still open (an old unsubscribe link POSTed turns a subscribed
// person's email off); a person who opens the unsubscribe link in Chromium
// gets a page in English and Arabic that passes axe, and its button unsubscribes.
import { readFileSync } from 'node:fs';
import { simpleParser, type ParsedMail } from 'mailparser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { FastifyInstance } from 'fastify';
import { buildApi } from '../api/server';
import { createTimeSkippingEnv } from '../dev/temporal-server';
import { startSmtpCapture, type SmtpCapture } from '../dev/smtp-capture';
import { freePort } from '../dev/binaries.mjs';
import { createAgentDirectory } from '../lib/agents';
import { createLogger } from '../lib/logger';
import { sourceToken } from '../lib/source-link';
import { surveyUrl } from '../lib/survey-link';
import { customerWorkflowId } from '../plan/ids';
import { dealClosed } from '../service/enroll';
import type { Stores } from '../stores';
import { statusQuery } from '../workflows/messages';
import { testStores } from './helpers/database';
import { launchChromium, seriousViolations } from './helpers/browser';
import { createTestWorker, installTestRuntime, pinClock, PINNED_START_MS } from './helpers/temporal';
import { customer } from './fixtures/customers';

/** Links sent before lib/link-token.ts, for these very ids, signed with this secret. */
const SENT = JSON.parse(readFileSync(new URL('./fixtures/links-sent-before.json', import.meta.url), 'utf8')) as { secret: string; links: Array<{ id: string; unsubscribe: string; source: string; prefs: string }> };
const SECRET = SENT.secret;
const taskQueue = 'links-any-id';
const UUID = '0b6f1c1e-8d8a-4f7e-9a51-3f2c6e1d9b47';
/** 64 characters, every kind the schema allows. */
const ID64 = `${'a'.repeat(30)}.B-9_${'z'.repeat(29)}`;
const CONTROL = 'links-stays';
/** Enrolled and never unsubscribed: its unsubscribe link from before lib/link-token.ts is the one POSTed. */
const OLD_LINK = 'cust-1';

let env: TestWorkflowEnvironment;
let smtp: SmtpCapture;
let stores: Stores;
let app: FastifyInstance;
let base: string;
let worker: Awaited<ReturnType<typeof createTestWorker>>;
let running: Promise<void>;

beforeAll(async () => {
  installTestRuntime();
  [env, smtp, stores] = await Promise.all([createTimeSkippingEnv(), startSmtpCapture(), testStores()]);
  await pinClock(env);
  const port = await freePort();
  base = `http://127.0.0.1:${port}`;
  app = await buildApi({
    client: env.client,
    taskQueue,
    apiKey: 'links-api-key-0123456789',
    publicBaseUrl: base,
    unsubscribeSecret: SECRET,
    contacts: stores.contacts,
    db: stores.db,
    web: { agents: createAgentDirectory(), sendMail: async () => undefined, publicBaseUrl: base, linkSecret: SECRET, secureCookies: false },
    logger: createLogger('warn'),
  });
  await app.listen({ port, host: '127.0.0.1' });
  worker = await createTestWorker({ connection: env.nativeConnection, taskQueue, smtp, stores, unsubscribe: { baseUrl: base, secret: SECRET } });
  running = worker.run();
});

afterAll(async () => {
  for (const id of [UUID, ID64, CONTROL, OLD_LINK]) await env?.client.workflow.getHandle(customerWorkflowId(id)).terminate('test done').catch(() => undefined);
  worker?.shutdown();
  await running;
  await app?.close();
  await smtp?.close();
  await env?.teardown();
});

const emailConsent = async (id: string) => (await env.client.workflow.getHandle(customerWorkflowId(id)).query(statusQuery)).customer.consent.email;
const mailsTo = (address: string) => smtp.messages.filter((m) => m.to.includes(address));
const header = (mail: ParsedMail, name: string) => mail.headerLines.find((h) => h.key === name)?.line.replace(/\r?\n\s+/g, ' ');
const sourceRows = (id: string) => stores.db.selectFrom('source_confirmations').select('source').where('customer_id', '=', id).execute();

async function until<T>(what: () => Promise<T>, ok: (v: T) => boolean, timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await what();
    if (ok(v) || Date.now() > deadline) return v;
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** GET twice and HEAD once, as a mail scanner and a preview might: the statuses. */
const scan = async (url: string) => [await fetch(url, { redirect: 'manual' }), await fetch(url, { redirect: 'manual' }), await fetch(url, { method: 'HEAD', redirect: 'manual' })].map((r) => r.status);

describe('emailed links for every id', () => {
  it('customers with a UUID and a 64-character id: their List-Unsubscribe POSTed as a mail client does answers 200, consent goes off, no more email', async () => {
    const people = [
      { id: UUID, email: 'uuid@example.com', post: 'urlencoded' },
      { id: ID64, email: 'id64@example.com', post: 'multipart' },
    ] as const;
    for (const p of [...people, { id: CONTROL, email: 'stays@example.com' }, { id: OLD_LINK, email: 'old-link@example.com' }]) {
      await dealClosed(env.client, { customer: customer({ id: p.id, email: p.email }), deal: { id: `deal-${p.id.slice(0, 20)}`, closedAt: new Date(PINNED_START_MS).toISOString().slice(0, 10) } }, { taskQueue });
    }
    await env.sleep('3 days');
    await smtp.waitFor(4, 90_000);

    for (const p of people) {
      const mail = await simpleParser(mailsTo(p.email)[0]!.raw);
      expect(header(mail, 'list-unsubscribe-post')).toBe('List-Unsubscribe-Post: List-Unsubscribe=One-Click');
      const link = /<(http:\/\/127\.0\.0\.1:\d+\/v1\/unsubscribe\/[^>]+)>/.exec(header(mail, 'list-unsubscribe') ?? '')?.[1];
      expect(link, p.id).toBeDefined();

      // The welcome issue's one question: the page opens (GET, HEAD) without storing anything; the POST stores the answer.
      const source = /(http:\/\/127\.0\.0\.1:\d+\/v1\/source\/[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+)/.exec(mail.text ?? '')?.[1];
      expect(source, p.id).toBeDefined();
      expect(await scan(source!)).toEqual([200, 200, 200]);
      expect(await sourceRows(p.id)).toEqual([]);
      const answered = await fetch(source!, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'source=referral' });
      expect(answered.status).toBe(200);
      expect(await sourceRows(p.id)).toEqual([{ source: 'referral' }]);

      // The footer's preference page opens for this id, and changes nothing by being opened.
      const prefs = /(http:\/\/127\.0\.0\.1:\d+\/prefs\?t=[A-Za-z0-9._-]+)/.exec(mail.text ?? '')?.[1];
      expect(prefs, p.id).toBeDefined();
      expect(await scan(prefs!)).toEqual([200, 200, 200]);

      // The unsubscribe link's GET and HEAD show a page; consent stays on.
      expect(await scan(link!)).toEqual([200, 200, 200]);
      expect(await emailConsent(p.id)).toBe(true);

      // The mail client's one-click POST (RFC 8058): form-encoded as Gmail sends it, or multipart as the RFC suggests.
      const body = p.post === 'urlencoded' ? 'List-Unsubscribe=One-Click' : (() => {
        const form = new FormData();
        form.set('List-Unsubscribe', 'One-Click');
        return form;
      })();
      const res = await fetch(link!, { method: 'POST', ...(p.post === 'urlencoded' ? { headers: { 'content-type': 'application/x-www-form-urlencoded' } } : {}), body });
      expect(res.status, `${p.id}: ${await res.clone().text()}`).toBe(200);
      expect(await res.json()).toEqual({ unsubscribed: 'email' });
      expect(await until(() => emailConsent(p.id), (on) => !on)).toBe(false);
    }

    // Links in emails sent before lib/link-token.ts, for the same ids, still open (and the old unsubscribe link still POSTs).
    for (const p of people) {
      const old = SENT.links.find((l) => l.id === p.id)!;
      expect(await scan(`${base}/v1/source/${old.source}`), p.id).toEqual([200, 200, 200]);
      expect(await scan(`${base}/prefs?t=${old.prefs}`), p.id).toEqual([200, 200, 200]);
      expect(await scan(`${base}/v1/unsubscribe/${old.unsubscribe}`), p.id).toEqual([200, 200, 200]);
      const res = await fetch(`${base}/v1/unsubscribe/${old.unsubscribe}`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'List-Unsubscribe=One-Click' });
      expect(res.status, p.id).toBe(200);
    }
    // Those two had left already; for a person still subscribed, the old link's POST is what turns email off.
    const oldLink = `${base}/v1/unsubscribe/${SENT.links.find((l) => l.id === OLD_LINK)!.unsubscribe}`;
    expect(await scan(oldLink)).toEqual([200, 200, 200]);
    expect(await emailConsent(OLD_LINK)).toBe(true);
    const oldPost = await fetch(oldLink, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'List-Unsubscribe=One-Click' });
    expect(oldPost.status, await oldPost.clone().text()).toBe(200);
    expect(await oldPost.json()).toEqual({ unsubscribed: 'email' });
    expect(await until(() => emailConsent(OLD_LINK), (on) => !on)).toBe(false);

    // A month and a half on: the customer who stayed has the next issues; the two who left, nothing more.
    await env.sleep('45 days');
    await until(async () => mailsTo('stays@example.com').length, (n) => n > 1);
    expect(mailsTo('stays@example.com').length).toBeGreaterThan(1);
    for (const p of [...people, { id: OLD_LINK, email: 'old-link@example.com' }]) expect(mailsTo(p.email).length, p.id).toBe(1);

    // A person (not a mail client) opens the link in a browser: a page in English and Arabic that passes axe; its button unsubscribes.
    const mail = await simpleParser(mailsTo('stays@example.com').at(-1)!.raw);
    const link = /<(http:\/\/127\.0\.0\.1:\d+\/v1\/unsubscribe\/[^>]+)>/.exec(header(mail, 'list-unsubscribe') ?? '')![1]!;
    const browser = await launchChromium();
    try {
      const page = await browser.newPage({ viewport: { width: 390, height: 844 } });
      // The source question's page, in the web app's shell like the unsubscribe page: framing refused, axe clean in both languages.
      for (const lang of ['en', 'ar'] as const) {
        const opened = await page.goto(`${base}/v1/source/${sourceToken(SECRET, CONTROL)}?lang=${lang}`);
        expect(opened!.headers()['x-frame-options']).toBe('DENY');
        expect(opened!.headers()['cache-control']).toBe('no-store');
        expect(await page.locator('html').getAttribute('dir')).toBe(lang === 'ar' ? 'rtl' : 'ltr');
        expect(await page.locator('main').innerText()).toContain(lang === 'ar' ? 'كيف سمعت عنا أول مرة؟' : 'How did you first hear about us?');
        expect(await seriousViolations(page), `source page, ${lang}`).toEqual([]);
      }
      const opened = await page.goto(link);
      expect(opened!.headers()['x-frame-options']).toBe('DENY');
      expect(opened!.headers()['cache-control']).toBe('no-store');
      expect(await page.locator('main').innerText()).toMatch(/Stop receiving these emails\?[\s\S]*هل تريد التوقف عن تلقي هذه الرسائل؟/);
      expect(await seriousViolations(page)).toEqual([]);
      expect(await emailConsent(CONTROL)).toBe(true);
      const [answer] = await Promise.all([page.waitForResponse((r) => r.request().method() === 'POST'), page.getByRole('button').click()]);
      expect(answer.headers()['x-frame-options']).toBe('DENY');
      await page.locator('[role=status]').waitFor();
      expect(await page.locator('[role=status]').innerText()).toMatch(/You are unsubscribed[\s\S]*أُلغي اشتراكك/);
      expect(await seriousViolations(page)).toEqual([]);
      expect(await until(() => emailConsent(CONTROL), (on) => !on)).toBe(false);
    } finally {
      await browser.close();
    }
  }, 300_000); // three welcome emails, scans, 45 days skipped, Chromium and two axe runs

  it("a 64-character id's survey link: GET and HEAD show the form and store nothing; the POST stores the answer once", async () => {
    const id = 'S'.repeat(64); // no workflow: the answer still counts (the plan may have ended)
    const url = surveyUrl({ baseUrl: base, secret: SECRET }, { key: `customer-${id}.y1.t7`, customerId: id, locale: 'en', dueAt: new Date(PINNED_START_MS).toISOString() });
    const stored = () => stores.db.selectFrom('nps_responses').select('score').where('customer_id', '=', id).execute();
    expect(await scan(url)).toEqual([200, 200, 200]);
    expect(await stored()).toEqual([]);
    const post = () => fetch(url, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'score=9&why=quick' });
    expect((await post()).status).toBe(200);
    expect(await stored()).toEqual([{ score: 9 }]);
    expect((await post()).status).toBe(409);
  });
});

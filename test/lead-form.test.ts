// The embeddable lead form over real HTTP against a real workflow (dev server): a form served
// with a signed token; a post without it, with a forged or an expired one, or too fast, is
// refused; the honeypot drops a bot's post; a good post captures the lead in English or Arabic;
// bad fields come back named in the form; past the rate limit, 429.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { FastifyInstance } from 'fastify';
import { buildApi } from '../api/server';
import { checkFormToken, formToken } from '../api/lead-form';
import { freePort } from '../dev/binaries.mjs';
import { createDevServerEnv } from '../dev/temporal-server';
import { startSmtpCapture, type SmtpCapture } from '../dev/smtp-capture';
import { createLogger } from '../lib/logger';
import { leadSettingsSchema } from '../plan/lead-routing';
import { testStores, type TestStores } from './helpers/database';
import { createTestWorker, installTestRuntime } from './helpers/temporal';

const SECRET = 'form-secret-0123456789';
let env: TestWorkflowEnvironment;
let smtp: SmtpCapture;
let stores: TestStores;
let app: FastifyInstance;
let base: string;
let worker: Awaited<ReturnType<typeof createTestWorker>>;
let running: Promise<void>;

beforeAll(async () => {
  installTestRuntime();
  env = await createDevServerEnv();
  smtp = await startSmtpCapture();
  stores = await testStores();
  const port = await freePort();
  base = `http://127.0.0.1:${port}`;
  app = await buildApi({ client: env.client, taskQueue: 'forms', apiKey: 'form-test-key-0123456789', publicBaseUrl: base, contacts: stores.contacts, db: stores.db, formSecret: SECRET, formPerMinute: 4, trustProxy: true, leadSettings: leadSettingsSchema.parse({ defaultTimezone: 'Asia/Riyadh', defaultCountry: 'SA' }), logger: createLogger('silent') });
  await app.listen({ port, host: '127.0.0.1' });
  worker = await createTestWorker({ connection: env.nativeConnection, taskQueue: 'forms', smtp, stores });
  running = worker.run();
});

afterAll(async () => {
  const rows = await stores.db.selectFrom('leads').select('lead_id').execute();
  for (const r of rows) await env.client.workflow.getHandle(`lead-${r.lead_id}`).terminate('test done').catch(() => undefined);
  worker?.shutdown();
  await running;
  await app?.close();
  await smtp?.close();
  await env?.teardown();
});

const post = (fields: Record<string, string>, lang = 'en', ip = '10.0.0.1') =>
  fetch(`${base}/forms/lead?lang=${lang}`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-forwarded-for': ip }, body: new URLSearchParams(fields).toString() }).then(async (r) => ({ status: r.status, text: await r.text() }));
const tokenFrom = (html: string) => /name="token" value="([^"]+)"/.exec(html)![1]!;
const oldToken = () => formToken(SECRET, Date.now() - 10_000);

describe('the lead form', () => {
  it('serves an embeddable form in English and Arabic, with a signed token and a hidden honeypot', async () => {
    const en = await fetch(`${base}/forms/lead`).then((r) => r.text());
    expect(en).toContain('<html lang="en" dir="ltr">');
    expect(en).toContain('How did you hear about us?');
    expect(en).toMatch(/<option value="open-house">open house<\/option>/);
    expect(en).toMatch(/class="hp" aria-hidden="true">.*name="website"/s);
    const ar = await fetch(`${base}/forms/lead?lang=ar`).then((r) => r.text());
    expect(ar).toContain('<html lang="ar" dir="rtl">');
    expect(ar).toContain('كيف سمعت عنا؟');
    expect(checkFormToken(SECRET, tokenFrom(en), Date.now() + 5000, 3_600_000, 2000)).toHaveProperty('issuedMs');
  });

  it('refuses a post without a token, with a forged or an expired one, or sent too fast; nothing is captured', async () => {
    const fields = { first: 'Bot', email: 'bot@example.com', source: 'website', consent: 'yes' };
    expect((await post(fields, 'en', '10.0.1.1')).status).toBe(403);
    expect((await post({ ...fields, token: `${oldToken()}x` }, 'en', '10.0.1.2')).status).toBe(403);
    expect((await post({ ...fields, token: formToken('another-secret', Date.now() - 10_000) }, 'en', '10.0.1.3')).status).toBe(403);
    const expired = await post({ ...fields, token: formToken(SECRET, Date.now() - 3 * 3_600_000) }, 'en', '10.0.1.4');
    expect(expired.status).toBe(400);
    expect(expired.text).toContain('This form has expired');
    expect((await post({ ...fields, token: formToken(SECRET, Date.now()) }, 'en', '10.0.1.5')).status).toBe(403);
    expect(await stores.db.selectFrom('leads').selectAll().execute()).toEqual([]);
  });

  it('a bot that fills the honeypot is thanked and dropped', async () => {
    const res = await post({ token: oldToken(), first: 'Spam', email: 'spam@example.com', source: 'website', consent: 'yes', website: 'http://spam.example' }, 'en', '10.0.2.1');
    expect(res.status).toBe(200);
    expect(res.text).toContain('Thank you');
    expect(await stores.db.selectFrom('leads').selectAll().where('email', '=', 'spam@example.com').execute()).toEqual([]);
  });

  it('captures a lead (the phone in E.164, the zone from the browser or the business), names bad fields in the form, merges a second post', async () => {
    const bad = await post({ token: oldToken(), first: '', email: 'not-an-email', source: 'carrier-pigeon' }, 'ar', '10.0.3.1');
    expect(bad.status).toBe(400);
    expect(bad.text).toContain('<html lang="ar" dir="rtl">');
    expect(bad.text).toContain('يُرجى مراجعة هذه الحقول');
    for (const field of ['name.first:', 'email:', 'source.channel:']) expect(bad.text).toContain(field);
    expect(bad.text).toContain('value="not-an-email"');

    const good = await post({ token: oldToken(), first: 'Reem', last: 'Salem', email: 'reem@example.com', phone: '0551112233', needs: 'a flat near the metro', source: 'social-media', sourceText: 'Instagram', consent: 'yes' }, 'ar', '10.0.3.2');
    expect(good.status).toBe(202);
    expect(good.text).toContain('شكرًا لك');
    const row = await stores.db.selectFrom('leads').selectAll().where('email', '=', 'reem@example.com').executeTakeFirstOrThrow();
    expect(row).toMatchObject({ phone: '+966551112233', source: 'social-media', source_text: 'Instagram' });
    expect(row.payload).toMatchObject({ locale: 'ar', timezone: 'Asia/Riyadh', consent: { email: true, sms: true, phone: true, postal: false } });
    const again = await post({ token: oldToken(), first: 'Reem', email: 'REEM@example.com', source: 'website', timezone: 'Europe/London', consent: 'yes' }, 'en', '10.0.3.3');
    expect(again.status).toBe(202);
    expect(again.text).toContain('we have your details already');
  });

  it('answers 429 past the rate limit for one address', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 6; i++) statuses.push((await post({ token: oldToken(), first: 'X', source: 'website' }, 'en', '10.0.9.9')).status);
    expect(statuses.slice(0, 4).every((s) => s !== 429)).toBe(true);
    expect(statuses.slice(4)).toEqual([429, 429]);
  });
});

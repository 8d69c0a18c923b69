// The customer's preference page end to end: the link in every email's footer (signed, purpose
// `prefs:`), the page in Chromium in the customer's language (Arabic right to left), the choices
// changed through the year's own messages (opt-out signal, the validated profile update) and seen
// in the workflow's status, forged links and stale forms refused, the survey's thank-you page
// linking to it, and axe-core on both languages. Real Temporal (time-skipping), PostgreSQL, SMTP
// and Chromium.
import { launchChromium, seriousViolations } from './helpers/browser';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import Fastify, { type FastifyInstance } from 'fastify';
import formbody from '@fastify/formbody';
import { simpleParser } from 'mailparser';
import { type Browser } from 'playwright-core';
import { registerWebApp } from '../api/web';
import { registerSurveyRoutes } from '../api/survey';
import { renderTouchEmail } from '../activities/email-content';
import { createAgentDirectory, parseAgentsFile } from '../lib/agents';
import { checkFormStamp, FORM_VALID_MS, formStamp, preferenceToken, preferenceUrl, verifyPreferenceToken } from '../lib/preference-link';
import { surveyToken } from '../lib/survey-link';
import { unsubscribeToken } from '../lib/unsubscribe';
import { sourceToken } from '../lib/source-link';
import { customerSchema } from '../plan/customer';
import { customerWorkflowId } from '../plan/ids';
import { cacheDir, freePort } from '../dev/binaries.mjs';
import { dealClosed } from '../service/enroll';
import * as m from '../workflows/messages';
import { until, useYearRig } from './helpers/year';
import { business, createTestWorker, PINNED_START_MS } from './helpers/temporal';
import { customer } from './fixtures/customers';

const SECRET = 'prefs-secret-for-the-tests-0123456789';
const agents = createAgentDirectory(parseAgentsFile({ agents: [{ id: 'agent-sara', name: 'Sara', email: 'sara@agents.test' }] }));
/** A day of the pinned simulated year (never today's date). */
const day = (offsetDays: number) => new Date(PINNED_START_MS + offsetDays * 86_400_000).toISOString().slice(0, 10);

const rig = useYearRig(['prefs-ar', 'prefs-en']);
let browser: Browser;

beforeAll(async () => {
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
});

/** The API's web routes (and the survey page) on a port of their own, over this test's Temporal. */
async function startWeb(): Promise<{ base: string; app: FastifyInstance }> {
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const app = Fastify();
  await app.register(formbody);
  await registerWebApp(app, { client: rig.env.client, db: rig.stores.db, taskQueue: 'prefs', agents, sendMail: async () => undefined, publicBaseUrl: base, linkSecret: SECRET, secureCookies: false });
  await registerSurveyRoutes(app, { client: rig.env.client, db: rig.stores.db, secret: SECRET });
  await app.listen({ port, host: '127.0.0.1' });
  return { base, app };
}

/** The first email to `to` with a preference link in its footer: the link, and the parsed email. */
async function footerLink(to: string) {
  for (const raw of rig.smtp.messages.filter((x) => x.to.includes(to))) {
    const mail = await simpleParser(raw.raw);
    const link = /(http:\/\/127\.0\.0\.1:\d+\/prefs\?t=[A-Za-z0-9._-]+)/.exec(mail.text ?? '')?.[1];
    if (link) return { link, mail };
  }
  throw new Error(`no email with a preference link to ${to}`);
}


const post = (url: string, fields: Record<string, string>) =>
  fetch(url, { method: 'POST', redirect: 'manual', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams(fields).toString() });

describe('the preference link', () => {
  it('is signed for its purpose: forged, altered and other links refused; the form stamp is bound to the link and expires', async () => {
    const token = preferenceToken(SECRET, { customerId: 'cust-9', lang: 'ar' });
    expect(verifyPreferenceToken(SECRET, token)).toEqual({ customerId: 'cust-9', lang: 'ar' });
    expect(preferenceUrl({ baseUrl: 'https://plan33.example.com/', secret: SECRET }, 'cust-9', 'ar-SA')).toBe(`https://plan33.example.com/prefs?t=${token}`);
    expect(verifyPreferenceToken('another-secret-entirely-0123456789', token)).toBeUndefined();
    // Someone edits the body to name another person: the signature no longer matches.
    const [, mac] = token.split('.');
    expect(verifyPreferenceToken(SECRET, `${Buffer.from(JSON.stringify({ c: 'cust-8', l: 'ar' })).toString('base64url')}.${mac}`)).toBeUndefined();
    expect(verifyPreferenceToken(SECRET, `${token.slice(0, -1)}${token.endsWith('A') ? 'B' : 'A'}`)).toBeUndefined();
    // Links signed for other purposes with the same secret are not preference links.
    expect(verifyPreferenceToken(SECRET, unsubscribeToken(SECRET, { customerId: 'cust-9', channel: 'email' }))).toBeUndefined();
    expect(verifyPreferenceToken(SECRET, sourceToken(SECRET, 'cust-9'))).toBeUndefined();
    expect(verifyPreferenceToken(SECRET, surveyToken(SECRET, { customerId: 'cust-9', surveyId: 'customer-cust-9.y1.t7', lang: 'ar', expiresAt: 2_000_000_000_000 }))).toBeUndefined();
    for (const junk of ['', 'garbage', `${token}.x`, '.', 'a.b']) expect(verifyPreferenceToken(SECRET, junk)).toBeUndefined();

    const at = 2_000_000_000_000;
    const stamp = formStamp(SECRET, token, at);
    expect(checkFormStamp(SECRET, token, stamp, at + 60_000)).toBe(true);
    expect(checkFormStamp(SECRET, token, stamp, at + FORM_VALID_MS + 1000)).toBe(false);
    expect(checkFormStamp(SECRET, preferenceToken(SECRET, { customerId: 'cust-8', lang: 'ar' }), stamp, at)).toBe(false);
    expect(checkFormStamp(SECRET, token, `${Math.floor(at / 1000) + 1}.${stamp.split('.')[1]}`, at)).toBe(false);
    expect(checkFormStamp(SECRET, token, '', at)).toBe(false);
  });

  it('is in the footer of the email, text and HTML, in the customer’s words', async () => {
    const touch = { seq: 1, kind: 'newsletter' as const, channel: 'email' as const, at: '2040-03-09T10:00:00+03:00', title: 'March 2040 newsletter' };
    const url = 'https://plan33.example.com/prefs?t=abc.def';
    for (const [locale, words] of [['en', 'Manage your preferences'], ['ar', 'إدارة تفضيلاتك']] as const) {
      const email = await renderTouchEmail(customerSchema.parse(customer({ locale })), touch, business, { plan: 'client-for-life', planYear: 1, preferencesUrl: url });
      expect(email.text).toContain(`${words}: ${url}`);
      expect(email.html).toContain(`<a href="${url}" style="color:#3e4c59">${words}</a>`);
      const without = await renderTouchEmail(customerSchema.parse(customer({ locale })), touch, business, { plan: 'client-for-life', planYear: 1 });
      expect(without.text).not.toContain(words);
    }
  });
});

describe('the preference page', () => {
  it('Arabic and English customers: from the email to the page (Chromium, axe), changes reach the year, forged links and stale forms refused', async () => {
    const { base, app } = await startWeb();
    const worker = await createTestWorker({ connection: rig.env.nativeConnection, taskQueue: 'prefs', smtp: rig.smtp, stores: rig.stores, unsubscribe: { baseUrl: base, secret: SECRET } });
    try {
      await worker.runUntil(async () => {
        const closedAt = day(0);
        await dealClosed(rig.env.client, { customer: customer({ id: 'prefs-ar', email: 'prefs-ar@example.com', locale: 'ar' }), deal: { id: 'deal-prefs-ar', closedAt } }, { taskQueue: 'prefs' });
        await dealClosed(rig.env.client, { customer: customer({ id: 'prefs-en', email: 'prefs-en@example.com', locale: 'en', household: false }), deal: { id: 'deal-prefs-en', closedAt } }, { taskQueue: 'prefs' });
        const ar = rig.env.client.workflow.getHandle(customerWorkflowId('prefs-ar'));
        const en = rig.env.client.workflow.getHandle(customerWorkflowId('prefs-en'));
        const emailed = (s: m.CustomerStatus) => s.touchesDone.some((t) => t.channel === 'email' && t.outcome === 'sent');
        await until(rig.env, ar, emailed);
        await until(rig.env, en, emailed);

        // ---- Arabic: the footer's link, the page right to left, the current consent ----
        const { link, mail } = await footerLink('prefs-ar@example.com');
        expect(link.startsWith(`${base}/prefs?t=`)).toBe(true);
        expect(mail.text).toContain(`إدارة تفضيلاتك: ${link}`);
        expect(String(mail.html)).toContain('إدارة تفضيلاتك</a>');
        expect(String(mail.html)).toContain(`href="${link}"`);
        const page = await browser.newPage({ viewport: { width: 390, height: 844 } });
        const opened = await page.goto(link);
        expect(opened?.status(), await opened?.text()).toBe(200);
        expect(opened?.headers()['referrer-policy']).toBe('no-referrer');
        expect(await page.locator('html').getAttribute('dir')).toBe('rtl');
        expect(await page.locator('html').getAttribute('lang')).toBe('ar');
        expect(await page.locator('h1').innerText()).toBe('تفضيلاتك');
        for (const ch of ['email', 'sms', 'postal', 'phone']) expect(await page.getByRole('checkbox', { name: { email: 'البريد الإلكتروني', sms: 'الرسائل النصية (SMS)', postal: 'البطاقات والرسائل بالبريد', phone: 'المكالمات الهاتفية' }[ch] }).isChecked(), ch).toBe(true);
        expect(await page.getByLabel('إيقاف مؤقت حتى').inputValue()).toBe('');
        expect(await page.getByLabel('اللغة').inputValue()).toBe('ar');
        expect(await page.getByRole('checkbox', { name: 'بطاقة مطبوعة واحدة لكل من يقيم في عنواني' }).isChecked()).toBe(false);
        expect(await seriousViolations(page), 'ar').toEqual([]);
        mkdirSync(cacheDir, { recursive: true });
        await page.screenshot({ path: join(cacheDir, 'web-preferences-ar.png'), fullPage: true });

        // A date that is not one: the field is named in the alert and marked, nothing changes.
        await page.locator('#pauseUntil').evaluate((el) => el.setAttribute('type', 'text'));
        await page.locator('#pauseUntil').fill(`${day(0).slice(0, 4)}-02-30`);
        await page.getByRole('button', { name: 'احفظ تفضيلاتي' }).click();
        expect(await page.locator('[role=alert]').innerText()).toContain('إيقاف مؤقت حتى');
        expect(await page.locator('#pauseUntil').getAttribute('aria-invalid')).toBe('true');
        expect(await seriousViolations(page), 'ar, with an error').toEqual([]);
        expect((await ar.query(m.statusQuery)).customer.doNotContactUntil).toBeUndefined();

        // Untick SMS, pause until a day two months on: the year's status shows both.
        const pauseUntil = day(60);
        await page.goto(link);
        await page.getByRole('checkbox', { name: 'الرسائل النصية (SMS)' }).uncheck();
        await page.getByLabel('إيقاف مؤقت حتى').fill(pauseUntil);
        await page.getByRole('button', { name: 'احفظ تفضيلاتي' }).click();
        expect(await page.locator('[role=status]').innerText()).toContain('حُفظت تفضيلاتك');
        expect(await page.locator('html').getAttribute('dir')).toBe('rtl');
        expect(await page.getByRole('checkbox', { name: 'الرسائل النصية (SMS)' }).isChecked()).toBe(false);
        expect(await page.getByLabel('إيقاف مؤقت حتى').inputValue()).toBe(pauseUntil);
        let st = await ar.query(m.statusQuery);
        expect(st.customer.consent).toEqual({ email: true, sms: false, postal: true, phone: true });
        expect(st.customer.doNotContactUntil).toBe(pauseUntil);
        expect(st.customer.locale).toBe('ar');
        // Nothing goes by SMS any more: the touches still to come chose other channels.
        expect(st.nextTouches.some((t) => t.channel === 'sms')).toBe(false);
        await page.close();

        // ---- Refused: forged and altered links, other links' tokens, a post without this page's stamp ----
        const token = new URL(link).searchParams.get('t')!;
        const altered = `${token.slice(0, -1)}${token.endsWith('A') ? 'B' : 'A'}`;
        const forged = `${Buffer.from(JSON.stringify({ c: 'prefs-en', l: 'en' })).toString('base64url')}.${token.split('.')[1]}`;
        for (const t of [altered, forged, unsubscribeToken(SECRET, { customerId: 'prefs-ar', channel: 'email' }), '']) {
          expect((await fetch(`${base}/prefs?t=${encodeURIComponent(t)}`)).status, t).toBe(403);
          expect((await post(`${base}/prefs?t=${encodeURIComponent(t)}`, { _form: formStamp(SECRET, t, Date.now()), email: 'on' })).status, t).toBe(403);
        }
        // The right link, but a form this server did not render (no stamp, or another link's): refused, the page again.
        const stale = await post(link, { email: 'on', language: 'ar' });
        expect(stale.status).toBe(403);
        expect(await stale.text()).toContain('role="alert"');
        expect((await post(link, { _form: formStamp(SECRET, preferenceToken(SECRET, { customerId: 'prefs-en', lang: 'en' }), Date.now()), email: 'on', language: 'ar' })).status).toBe(403);
        st = await ar.query(m.statusQuery);
        expect(st.customer.consent).toEqual({ email: true, sms: false, postal: true, phone: true });

        // ---- English: the page left to right; choosing Arabic and the household card ----
        const english = await footerLink('prefs-en@example.com');
        expect(english.mail.text).toContain(`Manage your preferences: ${english.link}`);
        const pageEn = await browser.newPage({ viewport: { width: 390, height: 844 } });
        await pageEn.goto(english.link);
        expect(await pageEn.locator('html').getAttribute('dir')).toBe('ltr');
        expect(await pageEn.locator('html').getAttribute('lang')).toBe('en');
        expect(await pageEn.locator('h1').innerText()).toBe('Your preferences');
        expect(await pageEn.getByRole('checkbox', { name: 'Text messages (SMS)' }).isChecked()).toBe(true);
        expect(await seriousViolations(pageEn), 'en').toEqual([]);
        await pageEn.screenshot({ path: join(cacheDir, 'web-preferences-en.png'), fullPage: true });
        await pageEn.getByLabel('Language').selectOption('ar');
        await pageEn.getByRole('checkbox', { name: 'One printed card for everyone at my address' }).check();
        await pageEn.getByRole('button', { name: 'Save my preferences' }).click();
        // Saved, and the page now speaks the customer's new language.
        expect(await pageEn.locator('html').getAttribute('lang')).toBe('ar');
        expect(await pageEn.locator('[role=status]').innerText()).toContain('حُفظت تفضيلاتك');
        const stEn = await en.query(m.statusQuery);
        expect(stEn.customer).toMatchObject({ locale: 'ar', household: true, consent: { email: true, sms: true, postal: true, phone: true } });
        expect(stEn.customer.doNotContactUntil).toBeUndefined();
        // `?lang=en` shows the same customer's page in English.
        await pageEn.goto(`${english.link}&lang=en`);
        expect(await pageEn.locator('html').getAttribute('lang')).toBe('en');
        expect(await pageEn.getByLabel('Language').inputValue()).toBe('ar');
        await pageEn.close();

        // ---- The NPS survey's thank-you page links to the same customer's preference page ----
        const survey = surveyToken(SECRET, { customerId: 'prefs-en', surveyId: `${customerWorkflowId('prefs-en')}.y1.t900`, lang: 'en', expiresAt: Date.now() + 86_400_000 });
        const thanks = await post(`${base}/survey?t=${survey}`, { score: '8' });
        expect(thanks.status).toBe(200);
        const html = await thanks.text();
        const prefs = /href="(\/prefs\?t=[A-Za-z0-9._-]+)">Manage your preferences</.exec(html)?.[1];
        expect(prefs, html).toBeDefined();
        expect(verifyPreferenceToken(SECRET, new URL(prefs!, base).searchParams.get('t')!)).toEqual({ customerId: 'prefs-en', lang: 'en' });
        expect((await fetch(`${base}${prefs}`)).status).toBe(200);

        // ---- A plan that ended: a polite page, not an error ----
        await ar.signal(m.cancelSignal, { reason: 'test: the customer was lost' });
        await until(rig.env, ar, (s) => s.state === 'cancelled');
        const ended = await fetch(link);
        expect(ended.status).toBe(404);
        expect(await ended.text()).toContain('لم نعد نرسل لك شيئًا');
      });
    } finally {
      await app.close();
    }
  });
});

// Sign-in to the web app: a one-time link by email (real SMTP capture), a session cookie that is
// Secure, HttpOnly and SameSite=Lax, single use and expiry of links, CSRF tokens bound to their
// session (a second session cannot use the first's), and the sign-in pages in Chromium with
// axe-core in both languages. The link's GET and HEAD spend nothing (mail scanners open every
// link): they show one "Sign in" button, whose POST signs in; from another site's page
// (login CSRF) that POST is refused and spends nothing. Real PostgreSQL; the Temporal client is never called on these routes.
import { launchChromium, seriousViolations } from './helpers/browser';
import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import Fastify, { type FastifyInstance } from 'fastify';
import formbody from '@fastify/formbody';
import nodemailer from 'nodemailer';
import { simpleParser } from 'mailparser';
import { type Browser } from 'playwright-core';
import { Client, Connection } from '@temporalio/client';
import { registerWebApp } from '../api/web';
import { SIGN_IN_PER_MINUTE, SIGN_IN_TTL_MS } from '../api/web/auth';
import { createAgentDirectory, parseAgentsFile } from '../lib/agents';
import { freePort } from '../dev/binaries.mjs';
import { startSmtpCapture, type SmtpCapture } from '../dev/smtp-capture';
import { PgWebStore } from '../stores/web';
import { freshStores, type TestStores } from './helpers/database';

const agents = createAgentDirectory(
  parseAgentsFile({
    agents: [
      { id: 'agent-sara', name: 'Sara', email: 'sara@agents.test', manager: 'agent-maya' },
      { id: 'agent-maya', name: 'Maya', email: 'Maya@Agents.test' },
    ],
  }),
);

let app: FastifyInstance;
let base: string;
let smtp: SmtpCapture;
let stores: TestStores;
let connection: Connection;
let browser: Browser;

beforeAll(async () => {
  [smtp, stores] = await Promise.all([startSmtpCapture(), freshStores()]);
  const mailer = nodemailer.createTransport({ host: '127.0.0.1', port: smtp.port, secure: false, ignoreTLS: true });
  const port = await freePort();
  base = `http://127.0.0.1:${port}`;
  // A real client that these routes never call (no server behind it: a call would fail the test).
  connection = Connection.lazy({ address: '127.0.0.1:1' });
  app = Fastify();
  await app.register(formbody);
  await registerWebApp(app, {
    client: new Client({ connection }),
    db: stores.db,
    taskQueue: 'web-auth',
    agents,
    sendMail: async (to, subject, text) => void (await mailer.sendMail({ from: 'app@cedar.test', to, subject, text })),
    publicBaseUrl: base,
    secureCookies: true,
  });
  await app.listen({ port, host: '127.0.0.1' });
  browser = await launchChromium();
});

afterAll(async () => {
  await browser?.close();
  await app?.close();
  await connection?.close().catch(() => undefined);
  await smtp?.close();
  await stores?.db.destroy();
});

const form = (fields: Record<string, string>, cookie?: string) => ({
  method: 'POST',
  redirect: 'manual' as const,
  headers: { 'content-type': 'application/x-www-form-urlencoded', ...(cookie ? { cookie } : {}) },
  body: new URLSearchParams(fields).toString(),
});
const sessionCookie = (res: Response) => /plan33_session=([^;]+)/.exec(res.headers.get('set-cookie') ?? '')?.[1];
const csrfOf = async (id: string) => (await stores.db.selectFrom('web_sessions').select('csrf').where('id_hash', '=', createHash('sha256').update(id).digest('base64url')).executeTakeFirstOrThrow()).csrf;

async function signInLinkFor(email: string): Promise<string> {
  const before = smtp.messages.length;
  const res = await fetch(`${base}/app/sign-in`, form({ email }));
  expect(res.status).toBe(200);
  expect(await res.text()).toContain('a sign-in link is on its way');
  const [message] = (await smtp.waitFor(before + 1)).slice(before);
  const mail = await simpleParser(message!.raw);
  expect(mail.subject).toBe('Your plan33 sign-in link');
  return /(http:\/\/127\.0\.0\.1:\d+\/app\/auth\?t=[A-Za-z0-9_-]+)/.exec(mail.text ?? '')![1]!;
}

/** What the link's page's button sends: the token from the page's hidden field, POSTed to the form's action. */
async function pressSignIn(link: string): Promise<Response> {
  const html = await (await fetch(link)).text();
  const action = /<form method="post" action="([^"]+)">/.exec(html)![1]!.replace(/&amp;/g, '&');
  const token = /<input type="hidden" name="t" value="([^"]+)">/.exec(html)![1]!;
  return fetch(`${base}${action}`, form({ t: token }));
}

describe('web app sign-in', () => {
  it("the link's GET and HEAD spend nothing (mail scanners open every link): they show one Sign in button, whose POST signs in once", async () => {
    const link = await signInLinkFor('sara@agents.test');
    const token = new URL(link).searchParams.get('t')!;
    const used = async () => (await stores.db.selectFrom('web_sign_ins').select('used_at').where('token_hash', '=', createHash('sha256').update(token).digest('base64url')).executeTakeFirstOrThrow()).used_at;
    for (const method of ['GET', 'GET', 'HEAD']) {
      const res = await fetch(link, { method, redirect: 'manual' });
      expect(res.status, method).toBe(200);
      expect(res.headers.get('set-cookie'), method).toBeNull();
      expect(res.headers.get('cache-control'), method).toBe('no-store');
      if (method === 'GET') {
        const html = await res.text();
        expect(html.match(/<button[^>]*>Sign in<\/button>/g)).toHaveLength(1);
        expect(html.match(/<form /g)).toHaveLength(1);
        expect(html).toContain('<form method="post" action="/app/auth?lang=en">');
        expect(html).toContain(`<input type="hidden" name="t" value="${token}">`);
      }
    }
    expect(await used()).toBeNull();
    // The button: signs in, and spends the token.
    const opened = await fetch(`${base}/app/auth`, form({ t: token }));
    expect(opened.status).toBe(303);
    expect(opened.headers.get('location')).toBe('/app/inbox');
    expect(opened.headers.get('set-cookie')).toMatch(/plan33_session=[A-Za-z0-9_-]{43};/);
    expect(await used()).not.toBeNull();
    // A second POST of the same token is refused and opens no session; the link's page still spends nothing.
    const again = await fetch(`${base}/app/auth`, form({ t: token }));
    expect(again.status).toBe(400);
    expect(again.headers.get('set-cookie')).toBeNull();
    expect(await again.text()).toContain('This sign-in link is not valid');
    // In Arabic: the same page, its button in Arabic.
    const ar = await (await fetch(`${link}&lang=ar`)).text();
    expect(ar).toContain('<html lang="ar" dir="rtl">');
    expect(ar.match(/<button[^>]*>تسجيل الدخول<\/button>/g)).toHaveLength(1);
  });

  it("the button's POST from another site is refused (403) and spends nothing; from plan33's own page it signs in", async () => {
    const link = await signInLinkFor('sara@agents.test');
    const token = new URL(link).searchParams.get('t')!;
    const used = async () => (await stores.db.selectFrom('web_sign_ins').select('used_at').where('token_hash', '=', createHash('sha256').update(token).digest('base64url')).executeTakeFirstOrThrow()).used_at;
    const post = (headers: Record<string, string>, lang = 'en') => {
      const request = form({ t: token });
      return fetch(`${base}/app/auth?lang=${lang}`, { ...request, headers: { ...request.headers, ...headers } });
    };
    for (const headers of <Array<Record<string, string>>>[{ origin: 'https://evil.example' }, { origin: 'null' }, { origin: base.replace('127.0.0.1', 'localhost') }, { 'sec-fetch-site': 'cross-site' }, { 'sec-fetch-site': 'same-site' }, { origin: base, 'sec-fetch-site': 'cross-site' }]) {
      const res = await post(headers);
      expect(res.status, JSON.stringify(headers)).toBe(403);
      expect(res.headers.get('set-cookie'), JSON.stringify(headers)).toBeNull();
      expect(await res.text()).toContain('This sign-in was sent from another site and was refused');
    }
    const ar = await post({ origin: 'https://evil.example' }, 'ar');
    expect(ar.status).toBe(403);
    expect(await ar.text()).toContain('رُفض تسجيل الدخول هذا لأنه أُرسل من موقع آخر');
    expect(await used()).toBeNull();
    // The link's page reached by another name for this server (npm start's 127.0.0.1 beside a
    // localhost base URL): the Origin names the host the browser asked, so it is not refused
    // as another site.
    const otherName = await signInLinkFor('sara@agents.test');
    const viaOtherName = await app.inject({ method: 'POST', url: '/app/auth', headers: { host: 'plan33.internal:8080', origin: 'http://plan33.internal:8080', 'sec-fetch-site': 'same-origin', 'content-type': 'application/x-www-form-urlencoded' }, payload: `t=${new URL(otherName).searchParams.get('t')}` });
    expect(viaOtherName.statusCode).toBe(303);
    const spoofed = await app.inject({ method: 'POST', url: '/app/auth', headers: { host: 'plan33.internal:8080', origin: 'http://evil.example', 'content-type': 'application/x-www-form-urlencoded' }, payload: `t=${token}` });
    expect(spoofed.statusCode).toBe(403);
    // What a browser sends from the link's own page: signs in, once.
    const opened = await post({ origin: base, 'sec-fetch-site': 'same-origin' });
    expect(opened.status).toBe(303);
    expect(opened.headers.get('set-cookie')).toMatch(/plan33_session=/);
    expect(await used()).not.toBeNull();
  });

  it('emails a one-time link; it opens a Secure, HttpOnly, SameSite=Lax session once', async () => {
    const link = await signInLinkFor('sara@agents.test');
    const opened = await pressSignIn(link);
    expect(opened.status).toBe(303);
    expect(opened.headers.get('location')).toBe('/app/inbox');
    const cookie = opened.headers.get('set-cookie')!;
    expect(cookie).toMatch(/plan33_session=[A-Za-z0-9_-]{43};/);
    expect(cookie).toMatch(/HttpOnly/);
    expect(cookie).toMatch(/Secure/);
    expect(cookie).toMatch(/SameSite=Lax/);
    // Used once: the same link again is refused, and opens no session.
    const again = await pressSignIn(link);
    expect(again.status).toBe(400);
    expect(again.headers.get('set-cookie')).toBeNull();
    expect(await again.text()).toContain('This sign-in link is not valid');
    // A manager (named as Sara's manager; the address matched case-insensitively) lands on the dashboard.
    const manager = await pressSignIn(await signInLinkFor('maya@agents.test'));
    expect(manager.headers.get('location')).toBe('/app/dashboard');
  });

  it('an unknown address gets the same answer and no email; an expired or altered link is refused', async () => {
    const before = smtp.messages.length;
    const res = await fetch(`${base}/app/sign-in`, form({ email: 'stranger@example.com' }));
    expect(await res.text()).toContain('a sign-in link is on its way');
    await new Promise((r) => setTimeout(r, 300));
    expect(smtp.messages.length).toBe(before);
    const store = new PgWebStore(stores.db);
    const stale = await store.createSignIn('agent-sara', Date.now() - SIGN_IN_TTL_MS - 1000, SIGN_IN_TTL_MS);
    expect((await fetch(`${base}/app/auth`, form({ t: stale }))).status).toBe(400);
    const fresh = await store.createSignIn('agent-sara', Date.now(), SIGN_IN_TTL_MS);
    expect((await fetch(`${base}/app/auth`, form({ t: `${fresh.slice(0, -1)}${fresh.endsWith('A') ? 'B' : 'A'}` }))).status).toBe(400);
    // No token at all: refused, on the page (GET) and by the button's POST.
    expect((await fetch(`${base}/app/auth`, { redirect: 'manual' })).status).toBe(400);
    expect((await fetch(`${base}/app/auth`, form({}))).status).toBe(400);
    // The token only counts in the POST's body: a POST with it in the query spends nothing.
    expect((await fetch(`${base}/app/auth?t=${fresh}`, form({}))).status).toBe(400);
    expect((await pressSignIn(`${base}/app/auth?t=${fresh}`)).status).toBe(303);
    // Without a session, a signed-in page sends the visitor to sign in.
    const page = await fetch(`${base}/app/inbox`, { redirect: 'manual' });
    expect(page.status).toBe(303);
    expect(page.headers.get('location')).toBe('/app/sign-in?lang=en');
  });

  it("a second session cannot use the first session's CSRF token", async () => {
    const a = sessionCookie(await pressSignIn(await signInLinkFor('sara@agents.test')))!;
    const b = sessionCookie(await pressSignIn(await signInLinkFor('maya@agents.test')))!;
    const [csrfA, csrfB] = [await csrfOf(a), await csrfOf(b)];
    expect(csrfA).not.toBe(csrfB);
    // Session B posts with A's token: refused, and B is still signed in.
    const forged = await fetch(`${base}/app/sign-out`, form({ _csrf: csrfA }, `plan33_session=${b}`));
    expect(forged.status).toBe(403);
    expect(await forged.text()).toContain('CSRF check failed');
    expect(await new PgWebStore(stores.db).session(b, Date.now())).toMatchObject({ userId: 'agent-maya', role: 'manager' });
    // No token at all, or one a character longer or shorter: refused too (compared in constant time, lengths included).
    expect((await fetch(`${base}/app/sign-out`, form({}, `plan33_session=${b}`))).status).toBe(403);
    for (const wrong of [`${csrfB}x`, csrfB.slice(0, -1), ''] as const) expect((await fetch(`${base}/app/sign-out`, form({ _csrf: wrong }, `plan33_session=${b}`))).status).toBe(403);
    // Its own token signs B out; the cookie is gone and so is the session.
    const out = await fetch(`${base}/app/sign-out`, form({ _csrf: csrfB }, `plan33_session=${b}`));
    expect(out.status).toBe(303);
    expect(out.headers.get('location')).toBe('/app/sign-in');
    expect(await new PgWebStore(stores.db).session(b, Date.now())).toBeUndefined();
    expect(await new PgWebStore(stores.db).session(a, Date.now())).toMatchObject({ userId: 'agent-sara', role: 'agent' });
  });

  it('the sign-in page and the link\'s page in Chromium, English and Arabic (right to left): no serious or critical axe violation; the button signs in', async () => {
    for (const lang of ['en', 'ar'] as const) {
      const page = await browser.newPage({ viewport: { width: 390, height: 844 } });
      await page.goto(`${base}/app/sign-in?lang=${lang}`);
      expect(await page.locator('html').getAttribute('dir')).toBe(lang === 'ar' ? 'rtl' : 'ltr');
      expect(await page.getByLabel(lang === 'ar' ? 'بريدك الإلكتروني للعمل' : 'Your work email').count()).toBe(1);
      expect(await seriousViolations(page), lang).toEqual([]);
      // The emailed link's page: one button; pressing it signs in (the session cookie is set).
      const token = await new PgWebStore(stores.db).createSignIn('agent-sara', Date.now(), SIGN_IN_TTL_MS);
      await page.goto(`${base}/app/auth?t=${token}&lang=${lang}`);
      expect(await page.locator('html').getAttribute('dir')).toBe(lang === 'ar' ? 'rtl' : 'ltr');
      const button = page.getByRole('button', { name: lang === 'ar' ? 'تسجيل الدخول' : 'Sign in' });
      expect(await button.count()).toBe(1);
      expect(await seriousViolations(page), `${lang} link page`).toEqual([]);
      const [response] = await Promise.all([page.waitForResponse((r) => r.url().includes('/app/auth') && r.request().method() === 'POST'), button.click()]);
      expect(response.status()).toBe(303);
      expect((await page.context().cookies()).some((c) => c.name === 'plan33_session')).toBe(true);
      await page.close();
    }
  });

  it('limits sign-in requests per address (429), so no one fills an agent\'s inbox with links', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < SIGN_IN_PER_MINUTE + 2; i++) statuses.push((await fetch(`${base}/app/sign-in`, form({ email: 'stranger@example.com' }))).status);
    expect(statuses.at(-1)).toBe(429);
    expect(statuses.filter((s) => s === 200).length).toBeLessThanOrEqual(SIGN_IN_PER_MINUTE);
  });
});

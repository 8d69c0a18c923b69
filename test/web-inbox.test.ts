// The agent's inbox and a person's timeline in real Chromium: the agent asks for a sign-in link,
// opens it from the email (real SMTP), finds the call task in the inbox, opens the person (the
// call's context and talking points ending with the referral ask), completes the call through
// the form (a bad call-back first: refused on the page, nothing changed) and sees the follow-up
// letter that will go out; the workflow's status query has the outcome and notes. A used link is
// refused, another agent gets 404 for this person, another session's CSRF token gets 403 and
// changes nothing; skip, move (a local time in the customer's zone) and pause, each confirmed,
// reach the year; axe-core finds no serious or critical violation in English or Arabic.
// Real Temporal (time-skipping), PostgreSQL, SMTP and Chromium.
import { launchChromium, seriousViolations } from './helpers/browser';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import nodemailer from 'nodemailer';
import { simpleParser } from 'mailparser';
import { type Browser, type Page } from 'playwright-core';
import { DateTime } from 'luxon';
import { buildApi } from '../api/server';
import { createAgentDirectory, parseAgentsFile } from '../lib/agents';
import { createLogger } from '../lib/logger';
import { cacheDir, freePort } from '../dev/binaries.mjs';
import { dealClosed } from '../service/enroll';
import { captureLead } from '../service/leads';
import { DEFAULT_LEAD_SETTINGS } from '../plan/lead-routing';
import { customerWorkflowId } from '../plan/ids';
import * as m from '../workflows/messages';
import { createTestWorker, PINNED_START_MS } from './helpers/temporal';
import { until, useYearRig } from './helpers/year';
import { customer } from './fixtures/customers';

const ID = 'web-1';
const NOTES = 'Happy with the house; her sister may buy next spring';
const agents = createAgentDirectory(
  parseAgentsFile({
    agents: [
      { id: 'agent-sara', name: 'Sara Al-Qahtani', email: 'sara@agents.test', manager: 'mgr-huda' },
      { id: 'agent-omar', name: 'Omar Khalil', email: 'omar@agents.test', manager: 'mgr-huda' },
      { id: 'mgr-huda', name: 'Huda Manager', email: 'huda@agents.test', takesLeads: false },
    ],
  }),
);

const rig = useYearRig([ID]);
let browser: Browser;
let port: number;
let base: string;

beforeAll(async () => {
  port = await freePort();
  base = `http://127.0.0.1:${port}`;
  browser = await launchChromium();
});

afterAll(async () => {
  await browser?.close();
});

/** The newest sign-in link emailed to `to` (the agent's call-task emails go to the same address). */
async function signInLinkFor(to: string): Promise<string> {
  for (let i = 0; i < 100; i++) {
    for (const raw of rig.smtp.messages.filter((x) => x.to.includes(to)).reverse()) {
      const link = /(http:\/\/127\.0\.0\.1:\d+\/app\/auth\?t=\S+)/.exec((await simpleParser(raw.raw)).text ?? '')?.[1];
      if (link) return link;
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`no sign-in link for ${to}`);
}

/** A session outside the browser: the sign-in form, the emailed link, the cookie it sets. */
async function sessionOf(email: string): Promise<string> {
  const asked = await fetch(`${base}/app/sign-in`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams({ email }) });
  expect(asked.status).toBe(200);
  // The link's page shows a Sign in button (its GET spends nothing); the button POSTs the token.
  const token = new URL(await signInLinkFor(email)).searchParams.get('t')!;
  const opened = await fetch(`${base}/app/auth`, { method: 'POST', redirect: 'manual', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams({ t: token }) });
  expect(opened.status).toBe(303);
  const cookie = opened.headers.getSetCookie().find((c) => c.startsWith('plan33_session='))!;
  expect(cookie).toMatch(/; Secure/i);
  expect(cookie).toMatch(/; HttpOnly/i);
  expect(cookie).toMatch(/; SameSite=Lax/i);
  return cookie.split(';')[0]!;
}

const axeProblems = async (page: Page) => (await seriousViolations(page)).map((v) => `${v.id} (${v.impact}): ${v.targets.join(' ')}`);

describe('the web inbox and timeline (Chromium)', () => {
  it('an agent signs in from the email, completes the call from the timeline, the workflow has it; access and CSRF are enforced', async () => {
    const taskQueue = 'web-inbox';
    const mailer = nodemailer.createTransport({ host: '127.0.0.1', port: rig.smtp.port, secure: false, ignoreTLS: true });
    const app = await buildApi({
      client: rig.env.client,
      taskQueue,
      apiKey: 'web-inbox-api-key-0123456789',
      publicBaseUrl: base,
      contacts: rig.stores.contacts,
      db: rig.stores.db,
      logger: createLogger('error'),
      web: {
        agents,
        sendMail: async (to, subject, text) => void (await mailer.sendMail({ from: 'plan33 <app@cedar.test>', to, subject, text })),
        publicBaseUrl: base,
        secureCookies: true,
      },
    });
    await app.listen({ port, host: '127.0.0.1' });
    const worker = await createTestWorker({ connection: rig.env.nativeConnection, taskQueue, smtp: rig.smtp, stores: rig.stores, deps: { agents } });
    const context = await browser.newContext({ viewport: { width: 390, height: 844 } });
    try {
      await worker.runUntil(async () => {
        // ---- a customer's year runs until the first call task is handed to Sara ----
        const closedAt = new Date(PINNED_START_MS).toISOString().slice(0, 10);
        await dealClosed(rig.env.client, { customer: customer({ id: ID, locale: 'en', notes: 'Two kids, loves gardening' }), deal: { id: 'deal-web-1', closedAt } }, { taskQueue });
        const handle = rig.env.client.workflow.getHandle(customerWorkflowId(ID));
        let st = await until(rig.env, handle, (s) => s.calls.length >= 1);
        const call = st.calls[0]!;
        expect(call.assignee).toBe('agent-sara');
        const task = await rig.stores.tasks.get(call.taskId);
        expect(task).toMatchObject({ type: 'call', agent: 'agent-sara', customer_id: ID });
        // A new lead of Sara's: a first-contact task, due within a day of the capture.
        const lead = await captureLead(rig.env.client, rig.stores.db, { name: { first: 'Yousef', last: 'Nasser' }, email: 'yousef@example.com', timezone: 'Asia/Riyadh', source: { channel: 'website' }, needs: 'a 3-bedroom villa', agent: 'agent-sara' }, { taskQueue, settings: DEFAULT_LEAD_SETTINGS });
        for (let i = 0; i < 200 && !(await rig.stores.db.selectFrom('tasks').select('task_id').where('customer_id', '=', lead.leadId).executeTakeFirst()); i++) await new Promise((r) => setTimeout(r, 50));

        // ---- sign in: the form, the emailed link, the inbox ----
        const page = await context.newPage();
        await page.goto(`${base}/app/sign-in?lang=en`);
        await page.getByLabel('Your work email').fill('sara@agents.test');
        await page.locator('button[type=submit]').click();
        expect(await page.locator('[role=status]').innerText()).toContain('sign-in link is on its way');
        const link = await signInLinkFor('sara@agents.test');
        await page.goto(link);
        await page.getByRole('button', { name: 'Sign in' }).click();
        await page.waitForURL((u) => u.pathname === '/app/inbox');
        expect(new URL(page.url()).pathname).toBe('/app/inbox');
        const row = page.locator('tbody tr', { has: page.locator(`a[href^="/app/people/${ID}"]`) });
        expect(await row.count()).toBe(1);
        expect(await row.innerText()).toContain('Layla Haddad');
        expect(await row.innerText()).toContain(`Call: ${(task!.payload as { title: string }).title}`);
        expect(await page.locator('th', { hasText: 'Agent' }).count()).toBe(0); // an agent's inbox: no agent column
        // Ordered by due time: the call (given already) before the lead's first contact (due within a day).
        const rows = await page.locator('tbody tr').allInnerTexts();
        expect(rows).toHaveLength(2);
        expect(rows[0]).toContain('Layla Haddad');
        expect(rows[1]).toContain('First contact (new lead)');
        expect(rows[1]).toContain('Yousef Nasser');
        expect(await axeProblems(page)).toEqual([]);
        mkdirSync(cacheDir, { recursive: true });
        await page.screenshot({ path: join(cacheDir, 'web-inbox.png'), fullPage: true });
        await page.goto(`${base}/app/inbox?lang=ar`);
        expect(await page.locator('html').getAttribute('dir')).toBe('rtl');
        expect(await page.locator('h1').innerText()).toBe('المهام');
        expect(await axeProblems(page)).toEqual([]);

        // A used link is refused.
        const reused = await fetch(`${base}/app/auth`, { method: 'POST', redirect: 'manual', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams({ t: new URL(link).searchParams.get('t')! }) });
        expect(reused.status).toBe(400);
        expect(reused.headers.getSetCookie().some((c) => c.startsWith('plan33_session='))).toBe(false);

        // ---- the timeline: the call's context and talking points, ending with the referral ask ----
        await page.goto(`${base}/app/inbox?lang=en`);
        await page.locator(`a[href^="/app/people/${ID}"]`).click();
        expect(new URL(page.url()).pathname).toBe(`/app/people/${ID}`);
        expect(await page.locator('h1').innerText()).toBe('Layla Haddad');
        const points = await page.locator('ol.points li').allInnerTexts();
        expect(points).toEqual((task!.payload as { talkingPoints: string[] }).talkingPoints);
        expect(points.at(-1)).toMatch(/referral/i);
        expect(points.some((p) => p.includes('Two kids, loves gardening'))).toBe(true);
        const main = await page.locator('main').innerText();
        for (const heading of ['Open call', 'Last touches', 'Earlier calls and notes', 'What comes next', 'Touches done', 'Consent per channel', 'Segment', 'Value class', 'Customer lifetime value', 'NPS answers', 'Plans']) expect(main).toContain(heading);
        // Every touch done is listed with its outcome; the next ones in the customer's zone.
        expect(await page.locator('section[aria-labelledby=done-h] tbody tr').count()).toBe(st.touchesDone.length);
        expect(main).toContain('(Asia/Riyadh)');
        expect(await axeProblems(page)).toEqual([]);
        await page.screenshot({ path: join(cacheDir, 'web-timeline.png'), fullPage: true });
        await page.goto(`${base}/app/people/${ID}?lang=ar`);
        expect(await page.locator('html').getAttribute('dir')).toBe('rtl');
        expect(await page.locator('main').innerText()).toContain('نقاط الحديث');
        expect(await page.locator('main').innerText()).toContain('فئة القيمة');
        expect(await axeProblems(page)).toEqual([]);

        // A lead's page: the lead, and its first-contact task with the lead's outcomes.
        await page.goto(`${base}/app/people/${lead.leadId}?lang=en`);
        expect(await page.locator('h1').innerText()).toBe('Yousef Nasser');
        expect(await page.locator('main').innerText()).toContain('a 3-bedroom villa');
        expect(await page.locator('form[action*="/complete"] select[name=outcome] option[value=positive-interest]').count()).toBe(1);
        expect(await axeProblems(page)).toEqual([]);

        // ---- another agent cannot open this person; a manager can, and sees the agent column ----
        const omar = await sessionOf('omar@agents.test');
        const omarsView = await fetch(`${base}/app/people/${ID}?lang=en`, { headers: { cookie: omar } });
        expect(omarsView.status).toBe(404);
        expect(await omarsView.text()).not.toContain('Layla');
        const huda = await sessionOf('huda@agents.test');
        const managerInbox = await (await fetch(`${base}/app/inbox?lang=en`, { headers: { cookie: huda } })).text();
        expect(managerInbox).toContain('<th scope="col">Agent</th>');
        expect(managerInbox).toContain('Sara Al-Qahtani');
        expect((await fetch(`${base}/app/people/${ID}?lang=en`, { headers: { cookie: huda } })).status).toBe(200);

        // ---- a form posted with another session's CSRF token: 403, nothing changed ----
        const omarsToken = /name="_csrf" value="([^"]+)"/.exec(await (await fetch(`${base}/app/inbox`, { headers: { cookie: omar } })).text())![1]!;
        const forged = await page.evaluate(
          async ({ url, token }) => (await fetch(url, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams({ _csrf: token, confirm: 'yes', reason: 'forged' }) })).status,
          { url: `${base}/app/people/${ID}/pause?lang=en`, token: omarsToken },
        );
        expect(forged).toBe(403);
        // And without any token.
        expect((await fetch(`${base}/app/people/${ID}/pause`, { method: 'POST', headers: { cookie: omar, 'content-type': 'application/x-www-form-urlencoded' }, body: 'confirm=yes' })).status).toBe(403);
        st = await handle.query(m.statusQuery);
        expect(st.state).toBe('running');

        // ---- completing the call: a call-back without its date is refused, naming the field ----
        await page.goto(`${base}/app/people/${ID}?lang=en`);
        const form = page.locator('form[action*="/complete"]');
        await form.getByLabel('Outcome', { exact: true }).selectOption('call-back');
        await form.getByLabel('I confirm').check();
        await form.locator('button[type=submit]').click();
        expect(await page.locator('[role=alert]').innerText()).toContain('callBackOn');
        st = await handle.query(m.statusQuery);
        expect(st.calls[0]!.outcome).toBeUndefined();
        expect(st.nextTouches.filter((t) => t.slot?.includes('callback'))).toEqual([]);

        // ---- reached, with notes: the page shows the follow-up letter that will go out ----
        await form.getByLabel('Outcome', { exact: true }).selectOption('reached');
        await form.getByLabel('Notes from the call').fill(NOTES);
        await form.getByLabel('I confirm').check();
        await form.locator('button[type=submit]').click();
        const done = await page.locator('[role=status]').innerText();
        expect(done).toContain('Call completed (reached)');
        expect(done).toMatch(/Next: follow-up letter 1 at \d{4}-\d{2}-\d{2} \d{2}:\d{2} \(Asia\/Riyadh\)/);
        expect(done).toContain('The follow-up letter');
        st = await handle.query(m.statusQuery);
        expect(st.calls[0]).toMatchObject({ taskId: call.taskId, outcome: 'reached', notes: NOTES });
        const letter = st.nextTouches.find((t) => t.kind === 'follow-up-letter' && t.slot === 'follow-up-1')!;
        expect(done).toContain(letter.title);
        // The calls table shows the outcome and notes; the open-call card is gone.
        expect(await page.locator('section[aria-labelledby=calls-h]').innerText()).toContain(NOTES);
        expect(await page.locator('form[action*="/complete"]').count()).toBe(0);
        expect(await axeProblems(page)).toEqual([]);

        // ---- skip a touch and pause, each confirmed, through the service layer ----
        const toSkip = st.nextTouches.find((t) => t.kind !== 'follow-up-letter')!;
        await page.locator('#skip-seq').selectOption(String(toSkip.seq));
        await page.getByLabel('Reason', { exact: true }).fill('customer is travelling');
        await page.locator('#skip-confirm').check();
        await page.locator('form[action*="/skip"] button').click();
        expect(await page.locator('[role=status]').innerText()).toContain(`Skipped: `);
        st = await handle.query(m.statusQuery);
        expect(st.touchesDone.find((t) => t.seq === toSkip.seq)).toMatchObject({ outcome: 'skipped', reason: 'skipped by operator: customer is travelling' });
        // Move one to 10:00 the next day, the customer's time: the year has it at that instant with their offset (+03:00).
        const toMove = st.nextTouches.find((t) => t.kind !== 'follow-up-letter' && t.seq !== toSkip.seq)!;
        const local = DateTime.fromISO(toMove.at, { zone: 'Asia/Riyadh' }).plus({ days: 1 }).set({ hour: 10, minute: 0 }).toFormat("yyyy-MM-dd'T'HH:mm");
        await page.locator('#move-seq').selectOption(String(toMove.seq));
        await page.locator('#move-at').fill(local);
        await page.locator('#move-confirm').check();
        await page.locator('form[action*="/move"] button').click();
        expect(await page.locator('[role=status]').innerText()).toContain(`now ${local.replace('T', ' ')} (Asia/Riyadh)`);
        st = await handle.query(m.statusQuery);
        expect(st.nextTouches.find((t) => t.seq === toMove.seq)!.at).toBe(`${local}:00+03:00`);
        await page.locator('#pause-confirm').check();
        await page.locator('form[action*="/pause"] button').click();
        expect(await page.locator('[role=status]').innerText()).toContain('Paused');
        expect((await handle.query(m.statusQuery)).state).toBe('paused');
        expect(await page.locator('form[action*="/resume"]').count()).toBe(1);
      });
    } finally {
      await context.close();
      await app.close();
    }
  });
});

// The NPS survey end to end: the survey email 14 days after the deal carries a signed link; the
// survey page (Chromium, English and Arabic right to left) takes the three answers; the answer is
// stored once in PostgreSQL and reaches the year: a detractor's agent gets a call task and the
// manager a note, a promoter gets a referral ask. Forged, altered, expired and reused links are
// refused. Real Temporal (time-skipping), PostgreSQL, SMTP and Chromium.
import { launchChromium, seriousViolations } from './helpers/browser';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import Fastify, { type FastifyInstance } from 'fastify';
import formbody from '@fastify/formbody';
import { type Browser } from 'playwright-core';
import { simpleParser } from 'mailparser';
import { registerSurveyRoutes } from '../api/survey';
import { createAgentDirectory, parseAgentsFile } from '../activities/agents';
import { cacheDir, freePort } from '../dev/binaries.mjs';
import { dealClosed } from '../service/enroll';
import { customerWorkflowId } from '../plan/ids';
import { surveyToken, verifySurveyToken, SURVEY_VALID_DAYS } from '../lib/survey-link';
import { unsubscribeToken } from '../lib/unsubscribe';
import { holdoutPosition, inHoldout } from '../plan/holdout';
import { until, useYearRig } from './helpers/year';
import { createTestWorker } from './helpers/temporal';
import * as m from '../workflows/messages';
import { customer } from './fixtures/customers';

const SECRET = 'survey-secret-for-the-tests-0123456789';
const agents = createAgentDirectory(
  parseAgentsFile({
    agents: [
      { id: 'agent-sara', name: 'Sara', email: 'sara@agents.test', manager: 'mgr-huda' },
      { id: 'mgr-huda', name: 'Huda', email: 'huda@agents.test', takesLeads: false },
    ],
  }),
);

// Ids in and out of a 5 % holdout group (the stable hash decides, the same on every run).
const HELD = Array.from({ length: 500 }, (_, i) => `hold-${i}`).find((id) => inHoldout(id, 5))!;
const KEPT = Array.from({ length: 500 }, (_, i) => `keep-${i}`).find((id) => !inHoldout(id, 5))!;
const rig = useYearRig(['nps-en', 'nps-ar', HELD, KEPT]);
let api: FastifyInstance;
let base: string;
let browser: Browser;

beforeAll(async () => {
  const port = await freePort();
  base = `http://127.0.0.1:${port}`;
  api = Fastify();
  await api.register(formbody);
  // The rig's environment is made per test: the routes reach its client when a request comes.
  await registerSurveyRoutes(api, { get client() { return rig.env.client; }, db: rig.stores.db, secret: SECRET } as Parameters<typeof registerSurveyRoutes>[1]);
  await api.listen({ port, host: '127.0.0.1' });
  browser = await launchChromium();
});

afterAll(async () => {
  await browser?.close();
  await api?.close();
});


/** The survey link in the survey email the customer received. */
async function surveyLink(to: string): Promise<string> {
  for (const raw of rig.smtp.messages.filter((x) => x.to.includes(to))) {
    const mail = await simpleParser(raw.raw);
    const link = /(http:\/\/127\.0\.0\.1:\d+\/survey\?t=[A-Za-z0-9._-]+)/.exec(mail.text ?? '')?.[1];
    if (link) return link;
  }
  throw new Error(`no survey email to ${to}`);
}

describe('the NPS survey', () => {
  it('refuses forged, altered and expired links, and never accepts an unsubscribe token', () => {
    const claims = { customerId: 'cust-9', surveyId: 'customer-cust-9.y1.t7', lang: 'en' as const, expiresAt: Date.parse('2040-02-01T00:00:00Z') };
    const token = surveyToken(SECRET, claims);
    expect(verifySurveyToken(SECRET, token, Date.parse('2040-01-20T00:00:00Z'))).toEqual({ ok: true, claims });
    expect(verifySurveyToken(SECRET, token, Date.parse('2040-02-01T00:00:00Z'))).toEqual({ ok: false, why: 'expired' });
    expect(verifySurveyToken('another-secret-entirely-0123456789', token, 0)).toEqual({ ok: false, why: 'invalid' });
    // Someone edits the body to name another person: the signature no longer matches.
    const [, mac] = token.split('.');
    const forged = `${Buffer.from(JSON.stringify({ c: 'cust-8', s: 'customer-cust-8.y1.t7', l: 'en', e: 2_000_000_000 })).toString('base64url')}.${mac}`;
    expect(verifySurveyToken(SECRET, forged, 0)).toEqual({ ok: false, why: 'invalid' });
    expect(verifySurveyToken(SECRET, unsubscribeToken(SECRET, { customerId: 'cust-9', channel: 'email' }), 0)).toEqual({ ok: false, why: 'invalid' });
    expect(verifySurveyToken(SECRET, 'garbage', 0)).toEqual({ ok: false, why: 'invalid' });
    expect(SURVEY_VALID_DAYS).toBe(30);
  });

  it('a detractor (English): the page in Chromium, the answer stored once, a call task for the agent and a note to the manager', async () => {
    const unsubscribe = { baseUrl: base, secret: SECRET };
    const worker = await createTestWorker({ connection: rig.env.nativeConnection, taskQueue: 'nps-en', smtp: rig.smtp, stores: rig.stores, unsubscribe, deps: { agents } });
    const c = customer({ id: 'nps-en', email: 'nps-en@example.com', locale: 'en', phone: '+966501110001' });
    await worker.runUntil(async () => {
      await dealClosed(rig.env.client, { customer: c, deal: { id: 'deal-nps-en', closedAt: '2040-01-04' } }, { taskQueue: 'nps-en' });
      const handle = rig.env.client.workflow.getHandle(customerWorkflowId('nps-en'));
      let st = await until(rig.env, handle, (s) => s.touchesDone.some((t) => t.kind === 'nps-survey'));
      const survey = st.touchesDone.find((t) => t.kind === 'nps-survey')!;
      expect(survey).toMatchObject({ outcome: 'sent', channel: 'email' });
      // 14 days after the deal (2040-01-04), or the nearest day free of other touches.
      expect(Math.abs(Date.parse(survey.at.slice(0, 10)) - Date.parse('2040-01-18'))).toBeLessThanOrEqual(3 * 86_400_000);
      const link = await surveyLink('nps-en@example.com');

      const page = await browser.newPage({ viewport: { width: 390, height: 844 } });
      const opened = await page.goto(link);
      expect(opened?.status(), await opened?.text()).toBe(200);
      expect(await page.locator('html').getAttribute('dir')).toBe('ltr');
      expect(await page.locator('legend').innerText()).toContain('How likely are you to recommend us');
      expect(await page.locator('input[name=score]').count()).toBe(11);
      mkdirSync(cacheDir, { recursive: true });
      await page.screenshot({ path: join(cacheDir, 'survey-en.png'), fullPage: true });
      expect(await seriousViolations(page)).toEqual([]);
      // No score: the page says which answer is missing, and nothing is stored.
      await page.locator('#why').fill('The paperwork took too long');
      for (const radio of await page.locator('input[name=score]').all()) await radio.evaluate((el) => el.removeAttribute('required'));
      await page.locator('button[type=submit]').click();
      expect(await page.locator('[role=alert]').innerText()).toContain('score:');
      expect(await rig.stores.db.selectFrom('nps_responses').selectAll().where('customer_id', '=', 'nps-en').execute()).toHaveLength(0);
      await page.locator('label[for=score-4]').click();
      await page.locator('#toTen').fill('Call me back when you say you will');
      await page.locator('button[type=submit]').click();
      expect(await page.locator('[role=status]').innerText()).toContain('Thank you');
      // The year's clock (pinned, simulated) when the answer came: the 48 hours count from here.
      const answeredMs = await rig.env.currentTimeMs();

      const rows = await rig.stores.db.selectFrom('nps_responses').selectAll().where('customer_id', '=', 'nps-en').execute();
      expect(rows).toHaveLength(1);
      expect(rows[0]).toMatchObject({ survey_id: `${customerWorkflowId('nps-en')}.y1.t${survey.seq}`, score: 4, why: 'The paperwork took too long', to_ten: 'Call me back when you say you will', language: 'en', plan_year: 1 });

      // Used once: the page and a second post are refused (409), nothing is stored twice.
      expect((await fetch(link)).status).toBe(409);
      const again = await fetch(link, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'score=10' });
      expect(again.status).toBe(409);
      expect(await rig.stores.db.selectFrom('nps_responses').selectAll().where('customer_id', '=', 'nps-en').execute()).toHaveLength(1);
      // Forged (one character changed) and expired links.
      const token = link.split('/survey?t=')[1]!;
      expect((await fetch(`${base}/survey?t=${token.slice(0, -1)}${token.endsWith('A') ? 'B' : 'A'}`)).status).toBe(403);
      const expired = surveyToken(SECRET, { customerId: 'nps-en', surveyId: `${customerWorkflowId('nps-en')}.y1.t999`, lang: 'en', expiresAt: Date.now() - 1000 });
      expect((await fetch(`${base}/survey?t=${expired}`)).status).toBe(410);

      // The year heard it: a call task for the agent within 48 hours, and the manager a note.
      st = await until(rig.env, handle, (s) => s.touchesDone.some((t) => t.occasion === 'nps-detractor'));
      expect(st.nps).toEqual([expect.objectContaining({ score: 4, group: 'detractor', why: 'The paperwork took too long' })]);
      const call = st.touchesDone.find((t) => t.occasion === 'nps-detractor')!;
      expect(call).toMatchObject({ kind: 'call', outcome: 'sent', assignee: 'agent-sara' });
      expect(call.title).toContain('scored 4/10');
      expect(Date.parse(call.doneAt) - answeredMs).toBeLessThanOrEqual(48 * 3_600_000);
      const tasks = await rig.stores.db.selectFrom('tasks').selectAll().where('customer_id', '=', 'nps-en').where('type', '=', 'call').execute();
      expect(tasks.some((t) => t.task_id === `${customerWorkflowId('nps-en')}.y1.t${call.seq}`)).toBe(true);
      const toManager = rig.smtp.messages.filter((x) => x.to.includes('huda@agents.test'));
      expect(toManager).toHaveLength(1);
      expect((await simpleParser(toManager[0]!.raw)).subject).toContain('NPS detractor');
      // No referral ask for a detractor.
      expect([...st.touchesDone, ...st.nextTouches].some((t) => t.kind === 'referral-ask')).toBe(false);
      await page.close();
    });
  });

  it('a promoter (Arabic): the page right to left, and a referral ask follows', async () => {
    const worker = await createTestWorker({ connection: rig.env.nativeConnection, taskQueue: 'nps-ar', smtp: rig.smtp, stores: rig.stores, unsubscribe: { baseUrl: base, secret: SECRET }, deps: { agents } });
    const c = customer({ id: 'nps-ar', email: 'nps-ar@example.com', locale: 'ar', phone: '+966501110002' });
    await worker.runUntil(async () => {
      await dealClosed(rig.env.client, { customer: c, deal: { id: 'deal-nps-ar', closedAt: '2040-01-04' } }, { taskQueue: 'nps-ar' });
      const handle = rig.env.client.workflow.getHandle(customerWorkflowId('nps-ar'));
      await until(rig.env, handle, (s) => s.touchesDone.some((t) => t.kind === 'nps-survey'));
      const link = await surveyLink('nps-ar@example.com');
      const page = await browser.newPage({ viewport: { width: 390, height: 844 } });
      await page.goto(link);
      expect(await page.locator('html').getAttribute('dir')).toBe('rtl');
      expect(await page.locator('html').getAttribute('lang')).toBe('ar');
      expect(await page.locator('legend').innerText()).toContain('ما مدى احتمال أن توصي بنا');
      // Right to left: the scale starts at the right edge.
      const zero = await page.locator('label[for=score-0]').boundingBox();
      const ten = await page.locator('label[for=score-10]').boundingBox();
      expect(zero!.x).toBeGreaterThan(ten!.x);
      await page.screenshot({ path: join(cacheDir, 'survey-ar.png'), fullPage: true });
      expect(await seriousViolations(page)).toEqual([]);
      await page.locator('label[for=score-10]').click();
      await page.locator('#why').fill('خدمة ممتازة');
      await page.locator('button[type=submit]').click();
      expect(await page.locator('[role=status]').innerText()).toContain('شكرًا');
      const st = await until(rig.env, handle, (s) => s.touchesDone.some((t) => t.kind === 'referral-ask'));
      expect(st.nps).toEqual([expect.objectContaining({ score: 10, group: 'promoter' })]);
      expect(st.touchesDone.find((t) => t.kind === 'referral-ask')).toMatchObject({ outcome: 'sent', occasion: 'nps-promoter' });
      expect(st.touchesDone.some((t) => t.occasion === 'nps-detractor')).toBe(false);
      const row = await rig.stores.db.selectFrom('nps_responses').selectAll().where('customer_id', '=', 'nps-ar').executeTakeFirstOrThrow();
      expect(row).toMatchObject({ score: 10, why: 'خدمة ممتازة', to_ten: null, language: 'ar' });
      await page.close();
    });
  });

  it('the holdout group: a stable share gets only the survey, and the store marks them', async () => {
    expect(holdoutPosition(HELD)).toBeLessThan(5);
    expect(inHoldout(HELD, 0)).toBe(false); // the default: nobody is held out
    expect(inHoldout(HELD, 10)).toBe(true); // a larger share keeps everyone already in it
    const worker = await createTestWorker({ connection: rig.env.nativeConnection, taskQueue: 'holdout', smtp: rig.smtp, stores: rig.stores });
    await worker.runUntil(async () => {
      for (const id of [HELD, KEPT]) await dealClosed(rig.env.client, { customer: customer({ id, email: `${id}@example.com` }), deal: { id: `deal-${id}`, closedAt: '2040-01-04' } }, { taskQueue: 'holdout', holdoutPercent: 5 });
      const held = await until(rig.env, rig.env.client.workflow.getHandle(customerWorkflowId(HELD)), (s) => s.touchesDone.length >= 1);
      expect(held.holdout).toBe(true);
      expect([...held.touchesDone, ...held.nextTouches].map((t) => t.kind)).toEqual(['nps-survey']);
      expect(held.touchesDone[0]).toMatchObject({ kind: 'nps-survey', outcome: 'sent' });
      const kept = await rig.env.client.workflow.getHandle(customerWorkflowId(KEPT)).query(m.statusQuery);
      expect(kept.holdout).toBeUndefined();
      expect(kept.touchesDone.length + kept.nextTouches.length).toBe(34);
      const rows = await rig.stores.db.selectFrom('customers').select(['customer_id', 'holdout']).where('customer_id', 'in', [HELD, KEPT]).orderBy('customer_id').execute();
      expect(Object.fromEntries(rows.map((r) => [r.customer_id, r.holdout]))).toEqual({ [HELD]: true, [KEPT]: false });
    });
  });
});

// SMS through the real `twilio` client, over HTTP, to a local Twilio-compatible endpoint:
// request shape and auth, the opt-out hint, 429/5xx retried by Temporal without a second
// message, 21610 (opted out at the carrier) not retried and recorded as failed.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { dealClosed } from '../service/enroll';
import { createTimeSkippingEnv } from '../dev/temporal-server';
import { startSmtpCapture, type SmtpCapture } from '../dev/smtp-capture';
import { startLocalTwilio, type LocalTwilio } from '../dev/twilio-local';
import { customerWorkflowId } from '../plan/ids';
import { statusQuery, type CustomerStatus } from '../workflows/messages';
import type { CustomerInput } from '../plan/customer';
import { business, createTestWorker, installTestRuntime, TWILIO } from './helpers/temporal';
import { customer } from './fixtures/customers';

let env: TestWorkflowEnvironment;
let smtp: SmtpCapture;
let twilio: LocalTwilio;
/** Scripted failures per phone number: the n-th request for it gets this answer. */
const script = new Map<string, Array<{ status: number; code: number; message: string } | undefined>>();
const attempts = new Map<string, number>();

beforeAll(async () => {
  installTestRuntime();
  env = await createTimeSkippingEnv();
  smtp = await startSmtpCapture();
  twilio = await startLocalTwilio({
    accountSid: TWILIO.accountSid,
    authToken: TWILIO.authToken,
    fail: (form) => {
      const to = form.get('To') ?? '';
      const n = (attempts.get(to) ?? 0) + 1;
      attempts.set(to, n);
      const plan = script.get(to);
      return plan ? plan[Math.min(n, plan.length) - 1] : undefined;
    },
  });
});
afterAll(async () => {
  await smtp?.close();
  await twilio?.close();
  await env?.teardown();
});
afterEach(async () => {
  for (const id of ['sms-ok', 'sms-retry', 'sms-stop', 'sms-night']) await env.client.workflow.getHandle(customerWorkflowId(id)).terminate().catch(() => undefined);
});

/** Only SMS and phone allowed: newsletters and cards go by SMS. */
const smsOnly = (id: string, phone: string) =>
  customer({ id, phone, locale: 'en', email: undefined, address: undefined, consent: { email: false, sms: true, postal: false, phone: true } });

async function firstSms(id: string, phone: string, extra: Partial<CustomerInput> = {}): Promise<CustomerStatus> {
  const worker = await createTestWorker({ connection: env.nativeConnection, taskQueue: id, smtp, twilio });
  return worker.runUntil(async () => {
    await dealClosed(env.client, { customer: { ...smsOnly(id, phone), ...extra }, deal: { id: 'd', closedAt: '2026-11-23' } }, { taskQueue: id });
    const handle = env.client.workflow.getHandle(customerWorkflowId(id));
    for (let i = 0; i < 60; i++) {
      const st = await handle.query(statusQuery).catch(() => undefined);
      if (st?.touchesDone.some((t) => t.channel === 'sms')) return st;
      await env.sleep('1 day');
    }
    throw new Error('no SMS touch recorded');
  });
}

describe('SMS through the twilio client', () => {
  it('sends with the account credentials, the sender, the referral link and the opt-out hint', async () => {
    const st = await firstSms('sms-ok', '+966500000101');
    const touch = st.touchesDone.find((t) => t.channel === 'sms')!;
    expect(touch.outcome).toBe('sent');
    const sent = twilio.messages.filter((m) => m.to === '+966500000101');
    expect(sent).toHaveLength(1);
    expect(touch.reference).toBe(sent[0]!.sid);
    expect(sent[0]).toMatchObject({ accountSid: TWILIO.accountSid, from: TWILIO.from });
    expect(sent[0]!.body).toMatch(/^Layla, /);
    expect(sent[0]!.body).toContain(`Refer a friend: ${business.referralUrl}`);
    expect(sent[0]!.body).toMatch(/Reply STOP to opt out\.$/);
    // Every request carried valid Basic auth (the endpoint answers 401 otherwise).
    expect(twilio.requests.every((r) => r.status !== 401)).toBe(true);
  });

  it('429 and 503 are retried by Temporal; the customer still gets exactly one message', async () => {
    script.set('+966500000102', [
      { status: 429, code: 20429, message: 'Too Many Requests' },
      { status: 503, code: 20503, message: 'Service Unavailable' },
      undefined,
    ]);
    const st = await firstSms('sms-retry', '+966500000102');
    expect(st.touchesDone.find((t) => t.channel === 'sms')!.outcome).toBe('sent');
    expect(attempts.get('+966500000102')).toBe(3);
    expect(twilio.messages.filter((m) => m.to === '+966500000102')).toHaveLength(1);
  });

  it('21610 (the number replied STOP) is permanent: one attempt, recorded as failed', async () => {
    script.set('+966500000103', [{ status: 400, code: 21610, message: 'Attempt to send to unsubscribed recipient' }]);
    const st = await firstSms('sms-stop', '+966500000103');
    const touch = st.touchesDone.find((t) => t.channel === 'sms')!;
    expect(touch.outcome).toBe('failed');
    expect(touch.reason).toContain('21610');
    expect(attempts.get('+966500000103')).toBe(1);
    expect(twilio.messages.filter((m) => m.to === '+966500000103')).toHaveLength(0);
  });
});

describe('SMS sending hours', () => {
  it('an SMS due at night waits for 08:00 local, even when the customer accepts messages at any hour', async () => {
    // A zone where it is night right now (21:00-08:00), wherever and whenever the test runs.
    const now = Date.now();
    const zones = ['Pacific/Kiritimati', 'Pacific/Auckland', 'Asia/Tokyo', 'Asia/Kolkata', 'Asia/Riyadh', 'Europe/London', 'America/New_York', 'America/Los_Angeles', 'Pacific/Honolulu'];
    const zone = zones.find((z) => {
      const hour = Number(new Intl.DateTimeFormat('en-GB', { hour: '2-digit', hourCycle: 'h23', timeZone: z }).format(now));
      return hour >= 22 || hour < 7;
    })!;
    expect(zone).toBeDefined();
    const id = 'sms-night';
    const st = await firstSms(id, '+966500000104', { timezone: zone, sendingHours: '00:00-24:00' });
    const sms = st.touchesDone.find((t) => t.channel === 'sms')!;
    const hour = Number(new Intl.DateTimeFormat('en-GB', { hour: '2-digit', hourCycle: 'h23', timeZone: zone }).format(new Date(sms.doneAt)));
    expect(hour).toBeGreaterThanOrEqual(8);
    expect(hour).toBeLessThan(21);
  });
});

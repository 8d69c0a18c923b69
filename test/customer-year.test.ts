// The customer's year on the time-skipping server with real sinks: SMTP, the real twilio
// client against a local Twilio-compatible endpoint, and the task folder.
import { simpleParser } from 'mailparser';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { WorkflowUpdateFailedError } from '@temporalio/client';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { FolderTaskSink } from '../activities/task-sink';
import { dealClosed } from '../client/enroll';
import { runSimulatedYear } from '../client/simulate';
import { createTimeSkippingEnv } from '../lib/temporal-server';
import { startSmtpCapture, type SmtpCapture } from '../lib/smtp-capture';
import { startLocalTwilio, type LocalTwilio } from '../lib/twilio-local';
import { customerWorkflowId } from '../plan/ids';
import { DEFAULT_SENDING_HOURS } from '../plan/sending-hours';
import { TouchPlan } from '../plan/search-attributes';
import * as m from '../workflows/messages';
import { createTestWorker, installTestRuntime, tempDir, TWILIO } from './helpers/temporal';
import { customer } from './fixtures/customers';

let env: TestWorkflowEnvironment;
let smtp: SmtpCapture;
let twilio: LocalTwilio;
const tasks = new FolderTaskSink(tempDir('year-tasks'));

beforeAll(async () => {
  installTestRuntime();
  env = await createTimeSkippingEnv();
  smtp = await startSmtpCapture();
  twilio = await startLocalTwilio({ accountSid: TWILIO.accountSid, authToken: TWILIO.authToken });
});
afterAll(async () => {
  await smtp?.close();
  await twilio?.close();
  await env?.teardown();
});

const worker = (taskQueue: string) => createTestWorker({ connection: env.nativeConnection, taskQueue, smtp, twilio, tasks });
const count = (touches: { kind: string }[], kind: string) => touches.filter((t) => t.kind === kind).length;
const deal = { id: 'deal-y', closedAt: '2026-11-23' };

/** Ends the customer's workflow after a test, passed or failed: leftovers would eat simulated time. */
async function terminate(customerId: string) {
  await env.client.workflow.getHandle(customerWorkflowId(customerId)).terminate('test done').catch(() => undefined);
}
afterEach(async () => {
  for (const id of ['cust-full', 'cust-adv', 'cust-calls', 'cust-opt', 'cust-prof']) await terminate(id);
});

/** The message of a rejected update (the reason travels as the failure's cause). */
async function rejection(p: Promise<unknown>): Promise<string> {
  const err = await p.then(() => undefined, (e: unknown) => e);
  expect(err).toBeInstanceOf(WorkflowUpdateFailedError);
  return String((err as WorkflowUpdateFailedError).cause?.message);
}

/** Advances simulated time, one due touch at a time, until `predicate` holds for the status. */
async function until(handle: ReturnType<TestWorkflowEnvironment['client']['workflow']['getHandle']>, predicate: (s: m.CustomerStatus) => boolean, maxSteps = 80) {
  for (let step = 0; step < maxSteps; step++) {
    const st = await handle.query(m.statusQuery);
    if (st.state !== 'starting' && predicate(st)) return st;
    if (st.state === 'starting') {
      await new Promise((r) => setTimeout(r, 20));
      continue;
    }
    const now = await env.currentTimeMs();
    await env.sleep(Math.max((st.nextDueAt ? Date.parse(st.nextDueAt) : now + 86_400_000) - now, 0) + 1000);
    for (let i = 0; i < 500 && (await handle.query(m.statusQuery)).touchesDone.length === st.touchesDone.length; i++) await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error('condition not reached');
}

describe('the customer-year workflow', () => {
  it('runs the whole client-for-life year: 12/7/5/3/4/2, each delivered once, then continues as new into year 2', async () => {
    const w = await worker('full-year');
    const c = customer({ id: 'cust-full', email: 'full@example.com', phone: '+966500000001' });
    const { status, history, nextYear } = await w.runUntil(runSimulatedYear({ env, taskQueue: 'full-year' }, { customer: c, sendingHours: DEFAULT_SENDING_HOURS }));
    const done = status.touchesDone;
    expect({ newsletter: count(done, 'newsletter'), holiday: count(done, 'holiday-card'), call: count(done, 'call'), letter: count(done, 'follow-up-letter'), personal: count(done, 'personal-card'), gift: count(done, 'give-away') }).toEqual({
      newsletter: 12, holiday: 7, call: 5, letter: 3, personal: 4, gift: 2,
    });
    expect(done.every((t) => t.outcome === 'sent')).toBe(true);
    expect(new Set(done.map((t) => t.seq)).size).toBe(done.length);
    // Exactly once at the sinks: one email per email touch, one task per postal/call touch.
    // (Year 2 has begun by now; count year 1's messages, whose ids carry `.y1.`.)
    const emails = smtp.messages.filter((x) => x.to.includes('full@example.com') && x.raw.includes('.y1.t'));
    expect(emails).toHaveLength(done.filter((t) => t.channel === 'email').length);
    const ids = await Promise.all(emails.map(async (x) => (await simpleParser(x.raw)).messageId));
    expect(new Set(ids).size).toBe(emails.length);
    const mine = (await tasks.list()).filter((t) => t.customerId === 'cust-full');
    expect(mine.filter((t) => t.type === 'postal')).toHaveLength(done.filter((t) => t.channel === 'postal').length);
    expect(mine.filter((t) => t.type === 'call')).toHaveLength(5);
    // Follow-up letters quote the agent's notes.
    const letters = mine.filter((t) => t.type === 'postal' && t.kind === 'follow-up-letter');
    expect(letters.every((t) => t.type === 'postal' && t.message.includes('neighbour may be moving'))).toBe(true);
    // Year 2 runs under the same workflow id.
    expect(nextYear!.planYear).toBe(2);
    expect(nextYear!.deals).toEqual([{ id: 'simulated-deal-cust-full', closedAt: expect.any(String) }]);
    expect(nextYear!.previousYear!.touchesDone).toHaveLength(33);
    expect(history.events!.at(-1)!.workflowExecutionContinuedAsNewEventAttributes).toBeTruthy();
  });

  it('switches to advocate on a referral mid-year: a thank-you, value-added items after, nothing sent twice', async () => {
    const w = await worker('advocate');
    const c = customer({ id: 'cust-adv', email: 'adv@example.com', favoriteTeam: 'Al Hilal' });
    const start = new Date(await env.currentTimeMs());
    const referralAt = new Date(start.getTime() + 120 * 86_400_000).toISOString().slice(0, 10);
    const { status } = await w.runUntil(runSimulatedYear({ env, taskQueue: 'advocate' }, { customer: c, referralAt, sendingHours: DEFAULT_SENDING_HOURS }));
    expect(status.plan).toBe('advocate');
    expect(status.referrals).toBe(1);
    const done = status.touchesDone;
    const thanks = done.filter((t) => t.occasion === 'referral-thank-you');
    expect(thanks).toHaveLength(1);
    expect(thanks[0]!.outcome).toBe('sent');
    expect(Date.parse(thanks[0]!.at)).toBeGreaterThanOrEqual(Date.parse(`${referralAt}T00:00:00Z`) - 86_400_000);
    const extras = done.filter((t) => t.kind === 'value-added' && t.occasion !== 'referral-thank-you');
    expect(extras.length).toBeGreaterThan(0);
    for (const t of extras) expect(Date.parse(t.at)).toBeGreaterThan(Date.parse(`${referralAt}T00:00:00Z`) - 86_400_000);
    // The same 33 still, each once: slots are unique across the switch.
    expect(new Set(done.map((t) => t.slot)).size).toBe(done.length);
    expect(count(done, 'newsletter')).toBe(12);
    expect(count(done, 'holiday-card')).toBe(7);
    const latest = await env.client.workflow.getHandle(customerWorkflowId('cust-adv')).describe();
    expect(latest.typedSearchAttributes.get(TouchPlan)).toBe('advocate'); // year 2 stays advocate
  });

  it('handles each call outcome, and rejects a completion for an unknown or finished task', async () => {
    const w = await worker('calls');
    const c = customer({ id: 'cust-calls', email: 'calls@example.com' });
    await w.runUntil(async () => {
      await dealClosed(env.client, { customer: c, deal }, { taskQueue: 'calls' });
      const handle = env.client.workflow.getHandle(customerWorkflowId('cust-calls'));
      const complete = (args: m.CallCompletion) => handle.executeUpdate(m.completeCallUpdate, { args: [args] });

      let st = await until(handle, (s) => s.calls.length >= 1);
      const first = st.calls[0]!.taskId;
      expect(await rejection(complete({ taskId: 'nope', outcome: 'reached' }))).toContain('taskId: no call task nope');
      expect(await rejection(complete({ taskId: first, outcome: 'call-back' } as m.CallCompletion))).toContain('callBackOn: required when outcome is call-back');
      expect(await rejection(complete({ taskId: first, outcome: 'hung-up' } as unknown as m.CallCompletion))).toContain('outcome: expected one of');
      const noAnswer = await complete({ taskId: first, outcome: 'no-answer' });
      expect(noAnswer.next).toMatch(/^retry at /);
      expect(await rejection(complete({ taskId: first, outcome: 'reached' }))).toContain('was already completed (no-answer)');

      st = await until(handle, (s) => s.calls.length >= 2);
      const retry = st.calls[1]!;
      expect(st.touchesDone.find((t) => t.seq === retry.seq)!.title).toMatch(/retry 1/);
      const reached = await complete({ taskId: retry.taskId, outcome: 'reached', notes: 'Loves the garden' });
      expect(reached.next).toMatch(/^follow-up letter 1 at /);
      st = await until(handle, (s) => s.touchesDone.some((t) => t.kind === 'follow-up-letter'));
      expect(st.touchesDone.find((t) => t.kind === 'follow-up-letter')!.outcome).toBe('sent');

      st = await until(handle, (s) => s.calls.length >= 3);
      const later = new Date((await env.currentTimeMs()) + 10 * 86_400_000).toISOString().slice(0, 10);
      const back = await complete({ taskId: st.calls[2]!.taskId, outcome: 'call-back', callBackOn: later });
      expect(back.next).toContain(`call-back at ${later}`);
      st = await handle.query(m.statusQuery);
      expect(st.nextTouches.some((t) => t.kind === 'call' && t.at.startsWith(later))).toBe(true);

      st = await until(handle, (s) => s.calls.length >= 4);
      expect((await complete({ taskId: st.calls[3]!.taskId, outcome: 'not-interested' })).next).toBe('no follow-up');
    });
  });

  it('honours an opt-out mid-year: no email after it, newsletters fall back to post', async () => {
    const w = await worker('opt-out');
    const c = customer({ id: 'cust-opt', email: 'opt@example.com' });
    await w.runUntil(async () => {
      await dealClosed(env.client, { customer: c, deal }, { taskQueue: 'opt-out' });
      const handle = env.client.workflow.getHandle(customerWorkflowId('cust-opt'));
      await until(handle, (s) => s.touchesDone.filter((t) => t.kind === 'newsletter').length >= 2);
      const before = smtp.messages.filter((x) => x.to.includes('opt@example.com')).length;
      await handle.signal(m.optOutSignal, { channel: 'email' });
      const st = await until(handle, (s) => s.touchesDone.filter((t) => t.kind === 'newsletter').length >= 5);
      expect(smtp.messages.filter((x) => x.to.includes('opt@example.com')).length).toBe(before);
      const after = st.touchesDone.filter((t) => t.kind === 'newsletter').slice(2);
      expect(after.every((t) => t.channel === 'postal' && t.outcome === 'sent')).toBe(true);
      expect(st.customer.consent.email).toBe(false);
    });
  });

  it('rejects a bad profile update, naming the field, and keeps the stored profile', async () => {
    const w = await worker('profile');
    const c = customer({ id: 'cust-prof', email: 'prof@example.com' });
    await w.runUntil(async () => {
      await dealClosed(env.client, { customer: c, deal }, { taskQueue: 'profile' });
      const handle = env.client.workflow.getHandle(customerWorkflowId('cust-prof'));
      const before = await until(handle, () => true);
      const message = await rejection(handle.executeUpdate(m.updateProfileUpdate, { args: [{ ...c, timezone: 'Mars/Olympus', email: 'nope' }] }));
      expect(message).toContain('customer.timezone');
      expect(message).toContain('customer.email');
      const after = await handle.query(m.statusQuery);
      expect(after.customer).toEqual(before.customer);
      // A good update re-plans: a new time zone moves the touches still to come.
      const ok = await handle.executeUpdate(m.updateProfileUpdate, { args: [{ ...c, timezone: 'Europe/London' }] });
      expect(ok.touchesAhead).toBeGreaterThan(20);
      const replanned = await handle.query(m.statusQuery);
      expect(replanned.nextTouches.every((t) => /[+-]0[01]:00$|Z$/.test(t.at))).toBe(true);
    });
  });
});

describe('operators steer a year', () => {
  it('pause skips what falls due meanwhile; skip and reschedule edit touches to come; cancel ends the year', async () => {
    const w = await worker('operators');
    const c = customer({ id: 'cust-ops', email: 'ops@example.com' });
    await w.runUntil(async () => {
      await dealClosed(env.client, { customer: c, deal }, { taskQueue: 'operators' });
      const handle = env.client.workflow.getHandle(customerWorkflowId('cust-ops'));
      try {
        let st = await until(handle, (s) => s.touchesDone.length >= 1);

        // skipTouch: the next touch is recorded skipped with the operator's reason.
        const target = st.nextTouches.find((t) => t.kind === 'newsletter')!;
        await handle.executeUpdate(m.skipTouchUpdate, { args: [{ seq: target.seq, reason: 'customer is travelling' }] });
        expect(await rejection(handle.executeUpdate(m.skipTouchUpdate, { args: [{ seq: target.seq, reason: 'again' }] }))).toContain(`seq: no touch ${target.seq} still to come`);
        st = await handle.query(m.statusQuery);
        expect(st.touchesDone.find((t) => t.seq === target.seq)).toMatchObject({ outcome: 'skipped', reason: 'skipped by operator: customer is travelling' });

        // rescheduleTouch: validated (past dates refused), then moved.
        const next = st.nextTouches[0]!;
        expect(await rejection(handle.executeUpdate(m.rescheduleTouchUpdate, { args: [{ seq: next.seq, at: '2020-01-01T10:00:00+03:00' }] }))).toContain('at: is in the past');
        const later = new Date(Date.parse(next.at) + 2 * 86_400_000).toISOString().replace('Z', '+00:00');
        const moved = await handle.executeUpdate(m.rescheduleTouchUpdate, { args: [{ seq: next.seq, at: later }] });
        expect(Date.parse(moved.at)).toBe(Date.parse(later));

        // pause: nothing is sent; on resume, touches that fell due are skipped, not sent late.
        await handle.signal(m.pauseSignal, { reason: 'complaint under review' });
        const sentBefore = smtp.messages.filter((x) => x.to.includes('ops@example.com')).length;
        await env.sleep('45 days');
        expect((await handle.query(m.statusQuery)).state).toBe('paused');
        expect(smtp.messages.filter((x) => x.to.includes('ops@example.com')).length).toBe(sentBefore);
        await handle.signal(m.resumeSignal);
        st = await until(handle, (s) => s.state === 'running' && s.touchesDone.some((t) => t.reason === 'due while paused by an operator'));
        expect(st.touchesDone.filter((t) => t.reason === 'due while paused by an operator').length).toBeGreaterThan(0);

        // cancel: the customer is lost; the rest is skipped and the workflow completes.
        await handle.signal(m.cancelSignal, { reason: 'moved abroad' });
        const final = (await handle.result()) as m.CustomerStatus;
        expect(final.state).toBe('cancelled');
        expect(final.nextTouches).toHaveLength(0);
        expect(final.touchesDone.filter((t) => t.reason === 'customer lost: moved abroad').length).toBeGreaterThan(10);
      } finally {
        await handle.terminate().catch(() => undefined);
      }
    });
  });
});

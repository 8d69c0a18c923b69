// Messages to a running customer-year on the time-skipping server with real sinks: SMTP, the real twilio
// client against a local Twilio-compatible endpoint, and the tasks table.
import { describe, expect, it } from 'vitest';
import { dealClosed } from '../service/enroll';
import { customerWorkflowId } from '../plan/ids';
import * as m from '../workflows/messages';
import { rejection, runUpdate, until, useYearRig } from './helpers/year';
import { customer } from './fixtures/customers';

const rig = useYearRig(['cust-calls', 'cust-opt', 'cust-prof', 'cust-ops']);
const worker = (taskQueue: string) => rig.worker(taskQueue);
const deal = { id: 'deal-y', closedAt: '2026-11-23' };

describe('messages to a running year', () => {
  it('handles each call outcome, and rejects a completion for an unknown or finished task', async () => {
    const w = await worker('calls');
    const c = customer({ id: 'cust-calls', email: 'calls@example.com' });
    await w.runUntil(async () => {
      await dealClosed(rig.env.client, { customer: c, deal }, { taskQueue: 'calls' });
      const handle = rig.env.client.workflow.getHandle(customerWorkflowId('cust-calls'));
      const complete = (args: m.CallCompletion) => runUpdate(rig.env, handle, m.completeCallUpdate, args);

      let st = await until(rig.env, handle, (s) => s.calls.length >= 1);
      const first = st.calls[0]!.taskId;
      expect(await rejection(complete({ taskId: 'nope', outcome: 'reached' }))).toContain('taskId: no call task nope');
      expect(await rejection(complete({ taskId: first, outcome: 'call-back' } as m.CallCompletion))).toContain('callBackOn: required when outcome is call-back');
      expect(await rejection(complete({ taskId: first, outcome: 'hung-up' } as unknown as m.CallCompletion))).toContain('outcome: expected one of');
      const noAnswer = await complete({ taskId: first, outcome: 'no-answer' });
      expect(noAnswer.next).toMatch(/^retry at /);
      expect(await rejection(complete({ taskId: first, outcome: 'reached' }))).toContain('was already completed (no-answer)');

      st = await until(rig.env, handle, (s) => s.calls.length >= 2);
      const retry = st.calls[1]!;
      expect(st.touchesDone.find((t) => t.seq === retry.seq)!.title).toMatch(/retry 1/);
      const reached = await complete({ taskId: retry.taskId, outcome: 'reached', notes: 'Loves the garden' });
      expect(reached.next).toMatch(/^follow-up letter 1 at /);
      st = await until(rig.env, handle, (s) => s.touchesDone.some((t) => t.kind === 'follow-up-letter'));
      expect(st.touchesDone.find((t) => t.kind === 'follow-up-letter')!.outcome).toBe('sent');

      st = await until(rig.env, handle, (s) => s.calls.length >= 3);
      const later = new Date((await rig.env.currentTimeMs()) + 10 * 86_400_000).toISOString().slice(0, 10);
      const back = await complete({ taskId: st.calls[2]!.taskId, outcome: 'call-back', callBackOn: later });
      expect(back.next).toContain(`call-back at ${later}`);
      st = await handle.query(m.statusQuery);
      expect(st.nextTouches.some((t) => t.kind === 'call' && t.at.startsWith(later))).toBe(true);

      st = await until(rig.env, handle, (s) => s.calls.length >= 4);
      expect((await complete({ taskId: st.calls[3]!.taskId, outcome: 'not-interested' })).next).toBe('no follow-up');
    });
  });

  it('honours an opt-out mid-year: no email after it, newsletters fall back to post', async () => {
    const w = await worker('opt-out');
    const c = customer({ id: 'cust-opt', email: 'opt@example.com' });
    await w.runUntil(async () => {
      await dealClosed(rig.env.client, { customer: c, deal }, { taskQueue: 'opt-out' });
      const handle = rig.env.client.workflow.getHandle(customerWorkflowId('cust-opt'));
      await until(rig.env, handle, (s) => s.touchesDone.filter((t) => t.kind === 'newsletter').length >= 2);
      const before = rig.smtp.messages.filter((x) => x.to.includes('opt@example.com')).length;
      await handle.signal(m.optOutSignal, { channel: 'email' });
      const st = await until(rig.env, handle, (s) => s.touchesDone.filter((t) => t.kind === 'newsletter').length >= 5);
      expect(rig.smtp.messages.filter((x) => x.to.includes('opt@example.com')).length).toBe(before);
      const after = st.touchesDone.filter((t) => t.kind === 'newsletter').slice(2);
      expect(after.every((t) => t.channel === 'postal' && t.outcome === 'sent')).toBe(true);
      expect(st.customer.consent.email).toBe(false);
    });
  });

  it('rejects a bad profile update, naming the field, and keeps the stored profile', async () => {
    const w = await worker('profile');
    const c = customer({ id: 'cust-prof', email: 'prof@example.com' });
    await w.runUntil(async () => {
      await dealClosed(rig.env.client, { customer: c, deal }, { taskQueue: 'profile' });
      const handle = rig.env.client.workflow.getHandle(customerWorkflowId('cust-prof'));
      const before = await until(rig.env, handle, () => true);
      const message = await rejection(runUpdate(rig.env, handle, m.updateProfileUpdate, { ...c, timezone: 'Mars/Olympus', email: 'nope' }));
      expect(message).toContain('customer.timezone');
      expect(message).toContain('customer.email');
      const after = await handle.query(m.statusQuery);
      expect(after.customer).toEqual(before.customer);
      // A good update re-plans: a new time zone moves the touches still to come.
      const ok = await runUpdate(rig.env, handle, m.updateProfileUpdate, { ...c, timezone: 'Europe/London' });
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
      await dealClosed(rig.env.client, { customer: c, deal }, { taskQueue: 'operators' });
      const handle = rig.env.client.workflow.getHandle(customerWorkflowId('cust-ops'));
      try {
        let st = await until(rig.env, handle, (s) => s.touchesDone.length >= 1);

        // skipTouch: the next touch is recorded skipped with the operator's reason.
        const target = st.nextTouches.find((t) => t.kind === 'newsletter')!;
        await runUpdate(rig.env, handle, m.skipTouchUpdate, { seq: target.seq, reason: 'customer is travelling' });
        expect(await rejection(runUpdate(rig.env, handle, m.skipTouchUpdate, { seq: target.seq, reason: 'again' }))).toContain(`seq: no touch ${target.seq} still to come`);
        st = await handle.query(m.statusQuery);
        expect(st.touchesDone.find((t) => t.seq === target.seq)).toMatchObject({ outcome: 'skipped', reason: 'skipped by operator: customer is travelling' });

        // rescheduleTouch: validated (past dates refused), then moved.
        const next = st.nextTouches[0]!;
        expect(await rejection(runUpdate(rig.env, handle, m.rescheduleTouchUpdate, { seq: next.seq, at: '2020-01-01T10:00:00+03:00' }))).toContain('at: is in the past');
        const later = new Date(Date.parse(next.at) + 2 * 86_400_000).toISOString().replace('Z', '+00:00');
        const moved = await runUpdate(rig.env, handle, m.rescheduleTouchUpdate, { seq: next.seq, at: later });
        expect(Date.parse(moved.at)).toBe(Date.parse(later));

        // pause: nothing is sent; on resume, touches that fell due are skipped, not sent late.
        await handle.signal(m.pauseSignal, { reason: 'complaint under review' });
        const sentBefore = rig.smtp.messages.filter((x) => x.to.includes('ops@example.com')).length;
        await rig.env.sleep('45 days');
        expect((await handle.query(m.statusQuery)).state).toBe('paused');
        expect(rig.smtp.messages.filter((x) => x.to.includes('ops@example.com')).length).toBe(sentBefore);
        await handle.signal(m.resumeSignal);
        st = await until(rig.env, handle, (s) => s.state === 'running' && s.touchesDone.some((t) => t.reason === 'due while paused by an operator'));
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

// The customer's year on the time-skipping server with real sinks: SMTP, the real twilio
// client against a local Twilio-compatible endpoint, and the tasks table.
import { simpleParser } from 'mailparser';
import { describe, expect, it } from 'vitest';
import { runSimulatedYear } from '../dev/simulate';
import { customerWorkflowId } from '../plan/ids';
import { DEFAULT_SENDING_HOURS } from '../plan/sending-hours';
import { TouchPlan } from '../plan/search-attributes';
import { useYearRig } from './helpers/year';
import { customer } from './fixtures/customers';

const rig = useYearRig(['cust-full', 'cust-adv']);
const worker = (taskQueue: string) => rig.worker(taskQueue);
const count = (touches: { kind: string }[], kind: string) => touches.filter((t) => t.kind === kind).length;

describe('the customer-year workflow', () => {
  it('runs the whole client-for-life year: 12/7/5/3/4/2, each delivered once, then continues as new into year 2', async () => {
    const w = await worker('full-year');
    const c = customer({ id: 'cust-full', email: 'full@example.com', phone: '+966500000001' });
    const { status, history, nextYear } = await w.runUntil(runSimulatedYear({ env: rig.env, taskQueue: 'full-year' }, { customer: c, sendingHours: DEFAULT_SENDING_HOURS }));
    const done = status.touchesDone;
    expect({ newsletter: count(done, 'newsletter'), holiday: count(done, 'holiday-card'), call: count(done, 'call'), letter: count(done, 'follow-up-letter'), personal: count(done, 'personal-card'), gift: count(done, 'give-away') }).toEqual({
      newsletter: 12, holiday: 7, call: 5, letter: 3, personal: 4, gift: 2,
    });
    expect(done.every((t) => t.outcome === 'sent')).toBe(true);
    expect(new Set(done.map((t) => t.seq)).size).toBe(done.length);
    // Exactly once at the sinks: one email per email touch, one task per postal/call touch.
    // (Year 2 has begun by now; count year 1's messages, whose ids carry `.y1.`.)
    const emails = rig.smtp.messages.filter((x) => x.to.includes('full@example.com') && x.raw.includes('.y1.t'));
    expect(emails).toHaveLength(done.filter((t) => t.channel === 'email').length);
    const ids = await Promise.all(emails.map(async (x) => (await simpleParser(x.raw)).messageId));
    expect(new Set(ids).size).toBe(emails.length);
    const mine = (await rig.tasks.list()).filter((t) => t.customerId === 'cust-full');
    expect(mine.filter((t) => t.type === 'postal')).toHaveLength(done.filter((t) => t.channel === 'postal').length);
    expect(mine.filter((t) => t.type === 'call')).toHaveLength(5);
    // Follow-up letters quote the agent's notes.
    const letters = mine.filter((t) => t.type === 'postal' && t.kind === 'follow-up-letter');
    expect(letters.every((t) => t.type === 'postal' && t.message.includes('neighbour may be moving'))).toBe(true);
    // Year 2 runs under the same workflow id.
    expect(nextYear!.planYear).toBe(2);
    expect(nextYear!.deals).toEqual([{ id: 'simulated-deal-cust-full', closedAt: expect.any(String) }]);
    // The 33 and the NPS survey (14 days after the deal), which went out like any email.
    expect(nextYear!.previousYear!.touchesDone).toHaveLength(34);
    expect(done.filter((t) => t.kind === 'nps-survey').map((t) => `${t.channel} ${t.outcome}`)).toEqual(['email sent']);
    expect(history.events!.at(-1)!.workflowExecutionContinuedAsNewEventAttributes).toBeTruthy();
    // Enrolled with one start, the deal in the input: no dealClosed signal in the year's history.
    expect(history.events!.filter((e) => e.workflowExecutionSignaledEventAttributes?.signalName === 'dealClosed')).toHaveLength(0);
  });

  it('switches to advocate on a referral mid-year: a thank-you, value-added items after, nothing sent twice', async () => {
    const w = await worker('advocate');
    const c = customer({ id: 'cust-adv', email: 'adv@example.com', favoriteTeam: 'Al Hilal' });
    const start = new Date(await rig.env.currentTimeMs());
    const referralAt = new Date(start.getTime() + 120 * 86_400_000).toISOString().slice(0, 10);
    const { status } = await w.runUntil(runSimulatedYear({ env: rig.env, taskQueue: 'advocate' }, { customer: c, referralAt, sendingHours: DEFAULT_SENDING_HOURS }));
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
    const latest = await rig.env.client.workflow.getHandle(customerWorkflowId('cust-adv')).describe();
    expect(latest.typedSearchAttributes.get(TouchPlan)).toBe('advocate'); // year 2 stays advocate
  });
});

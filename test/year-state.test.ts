// The named steps the workflow takes on a customer's year (plan/year-state.ts), each on its own,
// with a pinned year start and clock: no server, no Temporal.
import { describe, expect, it } from 'vitest';
import { customerSchema, type CustomerInput } from '../plan/customer';
import { resolvePlan } from '../plan/definitions';
import { touchKey } from '../plan/ids';
import * as year from '../plan/year-state';
import { customer } from './fixtures/customers';

const START = Date.parse('2027-01-01T00:00:00+03:00');
const DAY = 86_400_000;
const HOUR = 3_600_000;

function newYear(overrides: Partial<CustomerInput> = {}) {
  return year.newYear({
    customer: customerSchema.parse(customer(overrides)),
    plan: 'client-for-life',
    definition: resolvePlan('client-for-life'),
    planYear: 1,
    yearStartMs: START,
    sendingHours: { startMinute: 540, endMinute: 1140 },
    deals: [{ id: 'D-1', closedAt: '2026-12-31', value: 500000 }],
    referralIds: [],
    pledged: false,
  });
}

describe('reschedule', () => {
  it('moves a touch to come and keeps the list in time order', () => {
    const s = newYear();
    const first = s.touches[0]!;
    const later = new Date(Date.parse(s.touches[3]!.at) + HOUR).toISOString();
    expect(year.reschedule(s, first.seq, later)).toMatchObject({ seq: first.seq, at: later });
    expect(s.touches.map((t) => Date.parse(t.at))).toEqual([...s.touches.map((t) => Date.parse(t.at))].sort((a, b) => a - b));
    expect(s.touches.findIndex((t) => t.seq === first.seq)).toBe(3);
  });

  it('refuses an unknown touch, the past, and a day after the year', () => {
    const s = newYear();
    const seq = s.touches[2]!.seq;
    const now = START + 10 * DAY;
    expect(year.rescheduleProblem(s, 999, new Date(now + DAY).toISOString(), now)).toBe('seq: no touch 999 still to come');
    expect(year.rescheduleProblem(s, seq, new Date(now - HOUR).toISOString(), now)).toBe('at: is in the past');
    expect(year.rescheduleProblem(s, seq, new Date(s.yearEndMs).toISOString(), now)).toBe("at: is after this plan year's end");
    expect(year.rescheduleProblem(s, seq, new Date(now + DAY).toISOString(), now)).toBeUndefined();
  });
});

describe('referrals and the advocate plan', () => {
  it('counts a referral once, a pledge once', () => {
    const s = newYear();
    expect(year.recordReferral(s, 'R-1')).toBe(true);
    expect(year.recordReferral(s, 'R-1')).toBe(false);
    expect(s.referralIds).toEqual(['R-1']);
    expect(year.recordPledge(s)).toBe(true);
    expect(year.recordPledge(s)).toBe(false);
  });

  it('switching to advocate keeps what was sent and plans the value-added items ahead', () => {
    const s = newYear();
    const now = START + 100 * DAY;
    for (const t of s.touches.filter((x) => Date.parse(x.at) < now)) year.recordDone(s, t, { outcome: 'sent' }, Date.parse(t.at));
    const sent = s.done.map((t) => t.seq);
    year.switchPlan(s, 'advocate', resolvePlan('advocate'), now);
    expect(s.plan).toBe('advocate');
    expect(s.done.map((t) => t.seq)).toEqual(sent);
    const added = s.touches.filter((t) => t.kind === 'value-added');
    expect(added.length).toBeGreaterThan(0);
    expect(added.every((t) => Date.parse(t.at) >= now)).toBe(true);
    expect(s.touches.some((t) => sent.includes(t.seq))).toBe(false);
  });
});

describe('consent', () => {
  it('an opt-out moves every touch to come off the channel; opting back in brings it back', () => {
    const s = newYear();
    expect(s.touches.some((t) => t.channel === 'email')).toBe(true);
    year.changeConsent(s, 'email', false);
    expect(s.customer.consent.email).toBe(false);
    expect(s.touches.filter((t) => t.channel === 'email')).toEqual([]);
    year.changeConsent(s, 'email', true);
    expect(s.touches.some((t) => t.channel === 'email')).toBe(true);
  });

  it('with no channel left a touch has none (it will be skipped, saying why)', () => {
    const s = newYear({ phone: undefined, address: undefined, consent: { email: true, sms: false, postal: false, phone: false } });
    year.changeConsent(s, 'email', false);
    expect(s.touches.every((t) => t.channel === 'none')).toBe(true);
  });
});

describe('pause and resume', () => {
  it('skips what fell due while paused, not what is still ahead; a resume without a pause does nothing', () => {
    const s = newYear();
    expect(year.resume(s, START + 40 * DAY)).toEqual([]);
    s.paused = true;
    const now = START + 40 * DAY;
    const due = s.touches.filter((t) => Date.parse(t.at) < now && year.isEligible(s, t)).map((t) => t.seq);
    expect(due.length).toBeGreaterThan(0);
    const skipped = year.resume(s, now);
    expect(s.paused).toBe(false);
    expect(skipped.map((t) => t.seq)).toEqual(due);
    expect(skipped.every((t) => t.outcome === 'skipped' && t.reason === 'due while paused by an operator')).toBe(true);
    expect(s.touches.every((t) => Date.parse(t.at) >= now || !year.isEligible(s, t))).toBe(true);
  });
});

describe('call reminders', () => {
  it('marks the reminder, then the escalation, with who has the task', () => {
    const s = newYear();
    const call = s.touches.find((t) => t.kind === 'call')!;
    const given = Date.parse(call.at);
    year.recordDone(s, call, { outcome: 'sent', reference: 'task-1', assignee: 'agent-sara' }, given);
    const reminder = year.nextCallReminder(s)!;
    year.markReminded(reminder, 'agent-omar', given + 48 * HOUR);
    expect(s.calls[0]).toMatchObject({ remindedAt: new Date(given + 48 * HOUR).toISOString(), assignee: 'agent-omar' });
    const escalation = year.nextCallReminder(s)!;
    expect(escalation.stage).toBe('escalation');
    year.markReminded(escalation, 'agent-omar', given + 120 * HOUR);
    expect(s.calls[0]!.escalatedAt).toBe(new Date(given + 120 * HOUR).toISOString());
    expect(year.nextCallReminder(s)).toBeUndefined();
  });
});

describe('the next wake-up', () => {
  it('is the next touch, with its summary', () => {
    const s = newYear();
    const wake = year.nextWake(s, { reminders: true });
    expect(wake).toMatchObject({ what: 'touch', atMs: Date.parse(s.touches[0]!.at), touch: s.touches[0] });
    expect(wake.summary).toMatch(/^Until Newsletter: .+ \(email\)$/);
  });

  it('is a call reminder when it comes before the next touch (and only with reminders on)', () => {
    const s = newYear();
    const call = s.touches.find((t) => t.kind === 'call')!;
    const given = Date.parse(call.at);
    year.recordDone(s, call, { outcome: 'sent', reference: 'task-9', assignee: 'agent-sara' }, given);
    // Nothing else due for a while: every other touch moved two weeks past the reminder.
    for (const t of [...s.touches]) if (Date.parse(t.at) < given + 14 * DAY) year.reschedule(s, t.seq, new Date(given + 14 * DAY + t.seq * HOUR).toISOString());
    const wake = year.nextWake(s, { reminders: true });
    expect(wake).toMatchObject({ what: 'reminder', atMs: given + 48 * HOUR, summary: 'Until the call reminder (task-9)' });
    expect(year.nextWake(s, { reminders: false }).what).toBe('touch');
  });

  it('is the year end when nothing is left', () => {
    const s = newYear();
    for (const t of [...s.touches]) year.skip(s, t, 'test', START);
    expect(year.nextWake(s, { reminders: true })).toEqual({ atMs: s.yearEndMs, what: 'year-end', summary: 'Until the end of plan year 1' });
  });
});

describe('progress for the store', () => {
  const ids = { customerId: 'cust-0001', workflowId: 'customer-cust-0001' };

  it('carries what no delivery wrote: skips and failures, call outcomes, referrals, deals, the state', () => {
    const s = newYear();
    const [a, b] = s.touches;
    year.recordDone(s, a!, { outcome: 'sent', reference: 'm-1' }, START + DAY);
    year.skip(s, b!, 'no channel', START + 2 * DAY);
    const call = s.touches.find((t) => t.kind === 'call')!;
    year.recordDone(s, call, { outcome: 'sent', reference: 'task-1', assignee: 'agent-sara' }, START + 3 * DAY);
    year.completeCall(s, { taskId: 'task-1', outcome: 'reached', notes: 'all good' }, START + 4 * DAY);
    s.referralIds.push('R-1');
    const p = year.progressOf(s, ids, START + 5 * DAY);
    expect(p).toMatchObject({ ...ids, name: 'Layla Haddad', agent: 'agent-sara', plan: 'client-for-life', planYear: 1, state: 'running', referralIds: ['R-1'], deals: [{ id: 'D-1', closedAt: '2026-12-31', value: 500000 }] });
    expect(p.outcomes).toEqual([{ key: touchKey(ids.workflowId, 1, b!.seq), seq: b!.seq, kind: b!.kind, channel: b!.channel, outcome: 'skipped', reason: 'no channel', at: b!.at, doneAt: new Date(START + 2 * DAY).toISOString() }]);
    expect(p.calls).toEqual([{ taskId: 'task-1', outcome: 'reached', notes: 'all good', completedAt: new Date(START + 4 * DAY).toISOString() }]);
  });

  it('has a digest that changes with what the store must learn, not with the clock', () => {
    const s = newYear();
    const d1 = year.progressDigest(year.progressOf(s, ids, START));
    expect(year.progressDigest(year.progressOf(s, ids, START + DAY))).toBe(d1);
    year.recordDone(s, s.touches[0]!, { outcome: 'sent' }, START + DAY);
    expect(year.progressDigest(year.progressOf(s, ids, START + DAY))).toBe(d1); // a delivery writes its own row
    s.paused = true;
    const paused = year.progressDigest(year.progressOf(s, ids, START + DAY));
    expect(paused).not.toBe(d1);
    expect(year.progressOf(s, ids, START).state).toBe('paused');
    s.cancelled = 'moved abroad';
    expect(year.progressOf(s, ids, START).state).toBe('cancelled');
  });
});

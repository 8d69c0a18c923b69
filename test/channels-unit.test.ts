// The pure parts of the channels: who takes a call (cover while away), what the agent is told,
// webhook signatures, SMS keywords, task ids, and when an open call is reminded or escalated.
import { describe, expect, it } from 'vitest';
import { createAgentDirectory, parseAgentsFile } from '../activities/agents';
import { buildCallTask, renderAgentEmail, type CallContext } from '../activities/call-task';
import { keywordOf } from '../api/server';
import { signatureProblem, signBody } from '../lib/webhook-signature';
import { customerSchema } from '../plan/customer';
import { resolvePlan } from '../plan/definitions';
import { parseTouchKey, touchKey } from '../plan/ids';
import type { Touch } from '../plan/touch';
import * as year from '../plan/year-state';
import { customer } from './fixtures/customers';
import { business } from './helpers/temporal';

const agents = parseAgentsFile({
  agents: [
    { id: 'sara', name: 'Sara', email: 'sara@x.test', manager: 'maya' },
    { id: 'james', name: 'James', away: true, awayUntil: '2026-12-31', coveredBy: 'omar' },
    { id: 'omar', name: 'Omar', email: 'omar@x.test', away: true, awayUntil: '2026-12-05', coveredBy: 'sara' },
    { id: 'maya', name: 'Maya', email: 'maya@x.test' },
    { id: 'loop-a', name: 'A', away: true, coveredBy: 'loop-b' },
    { id: 'loop-b', name: 'B', away: true, coveredBy: 'loop-a' },
  ],
});

describe('agents directory', () => {
  const dir = createAgentDirectory(agents);
  it('gives a task to the agent, or to whoever covers while they are away (following the chain)', () => {
    expect(dir.assignee('sara', '2026-12-01')).toMatchObject({ id: 'sara' });
    expect(dir.assignee('james', '2026-12-10')).toMatchObject({ id: 'omar', reassignedFrom: 'james' });
    // Omar is away too until Dec 5: Sara covers for both.
    expect(dir.assignee('james', '2026-12-01')).toMatchObject({ id: 'sara', reassignedFrom: 'james' });
    expect(dir.assignee('james', '2027-01-01')).toMatchObject({ id: 'james' });
    expect(dir.assignee('loop-a', '2026-12-01').id).toMatch(/^loop-/); // a loop ends, never hangs
    expect(dir.assignee('unknown', '2026-12-01')).toEqual({ id: 'unknown', agent: undefined });
    expect(dir.managerOf('sara')?.email).toBe('maya@x.test');
  });

  it('names every bad field of an agents file', () => {
    const bad = { agents: [{ id: 'a', name: 'A', manager: 'ghost', away: true }, { id: 'a', name: 'B', email: 'nope' }] };
    let message = '';
    expect(() => {
      try {
        parseAgentsFile(bad, 'agents.json');
      } catch (err) {
        message = (err as Error).message;
        throw err;
      }
    }).toThrow(/^agents\.json: /);
    for (const field of ['agents.0.manager', 'agents.0.coveredBy', 'agents.1.id', 'agents.1.email']) expect(message).toContain(field);
  });
});

describe('call task for the agent', () => {
  const c = customerSchema.parse(customer({ notes: 'Two kids; loves gardening', favoriteTeam: 'Al Hilal' }));
  const touch: Touch = { seq: 9, kind: 'call', channel: 'phone', at: '2027-01-10T11:00:00+03:00', title: 'Call 2', slot: 'call-2' };
  const context: CallContext = {
    plan: 'client-for-life',
    planYear: 1,
    recentTouches: [{ kind: 'give-away', title: 'Magnetic calendar', channel: 'postal', at: '2026-12-01T10:00:00+03:00', outcome: 'sent' }],
    previousCalls: [{ at: '2026-12-03T09:00:00Z', outcome: 'reached', notes: 'Asked about the school nearby' }],
    upcoming: [{ kind: 'personal-card', title: 'Happy birthday', at: '2027-03-09T10:00:00+03:00', occasion: 'birthday' }],
    referrals: 0,
  };
  it('carries the context and talking points that end with the referral ask', () => {
    const task = buildCallTask({ taskId: 'customer-cust-0001.y1.t9', customer: c, touch, context, business, assignee: { id: 'agent-omar', reassignedFrom: 'agent-sara' } });
    expect(task).toMatchObject({ agent: 'agent-omar', owner: 'agent-sara', reassignedFrom: 'agent-sara', phone: c.phone, dueAt: touch.at, notes: c.notes });
    const points = task.talkingPoints.join('\n');
    expect(points).toContain('Asked about the school nearby');
    expect(points).toContain('Two kids; loves gardening');
    expect(points).toContain('magnetic calendar arrived');
    expect(points).toContain('Happy birthday');
    expect(points).toContain('Al Hilal');
    expect(task.talkingPoints.at(-1)).toMatch(/Referral ask.*https:\/\/cedar\.test\/refer/);
    const mail = renderAgentEmail(task, 'new', { completeHint: 'npx plan33 complete-call --task customer-cust-0001.y1.t9' });
    expect(mail.subject).toContain('Layla Haddad');
    expect(mail.text).toContain('Covering for agent-sara');
    expect(mail.text).toContain('complete-call --task customer-cust-0001.y1.t9');
    expect(renderAgentEmail(task, 'escalation', { completeHint: '', agentName: 'Omar' }).text).toMatch(/^Escalation: .* for Omar is overdue/);
  });
  it('thanks an advocate for their referrals instead of asking cold', () => {
    const task = buildCallTask({ taskId: 't', customer: c, touch, context: { ...context, referrals: 2 }, business, assignee: { id: 'agent-sara' } });
    expect(task.talkingPoints.at(-1)).toMatch(/Thank them for the 2 referrals/);
  });
});

describe('webhook signatures', () => {
  it('accept the signed body within 5 minutes, nothing else', () => {
    const now = 1_800_000_000;
    const header = signBody('secret-secret-secret', '{"a":1}', now);
    expect(signatureProblem('secret-secret-secret', header, '{"a":1}', { nowSeconds: now + 10 })).toBeUndefined();
    expect(signatureProblem('secret-secret-secret', header, '{"a":2}', { nowSeconds: now })).toMatch(/does not match/);
    expect(signatureProblem('other-secret-secret', header, '{"a":1}', { nowSeconds: now })).toMatch(/does not match/);
    expect(signatureProblem('secret-secret-secret', header, '{"a":1}', { nowSeconds: now + 301 })).toMatch(/too old/);
    expect(signatureProblem('secret-secret-secret', undefined, '{}')).toMatch(/missing/);
    expect(signatureProblem('secret-secret-secret', 'garbage', '{}')).toMatch(/malformed/);
  });
});

describe('SMS keywords and ids', () => {
  it('knows STOP, START and HELP in English and Arabic, and nothing else', () => {
    for (const w of ['STOP', 'stop', ' Stop. ', 'UNSUBSCRIBE', 'إيقاف', 'توقف']) expect(keywordOf(w)).toBe('stop');
    for (const w of ['START', 'unstop', 'ابدأ']) expect(keywordOf(w)).toBe('start');
    expect(keywordOf('help')).toBe('help');
    for (const w of ['please stop calling at night', 'thanks!', '']) expect(keywordOf(w)).toBeUndefined();
  });
  it('reads a task id back into workflow, year and touch', () => {
    expect(parseTouchKey(touchKey('customer-cust-0001', 2, 14))).toEqual({ workflowId: 'customer-cust-0001', customerId: 'cust-0001', planYear: 2, seq: 14, lead: false });
    expect(parseTouchKey(touchKey('lead-p-1', 1, 3))).toEqual({ workflowId: 'lead-p-1', customerId: 'p-1', planYear: 1, seq: 3, lead: true });
    for (const bad of ['', 'customer-x', 'customer-x.y1', 'other-x.y1.t2', 'customer-x.y1.t2.extra', 'customer-a b.y1.t1']) expect(parseTouchKey(bad)).toBeUndefined();
  });
});

describe('reminders for open call tasks', () => {
  const c = customerSchema.parse(customer());
  const start = Date.parse('2027-01-01T00:00:00+03:00');
  const state = year.newYear({ customer: c, plan: 'client-for-life', definition: resolvePlan('client-for-life'), planYear: 1, yearStartMs: start, sendingHours: { startMinute: 540, endMinute: 1140 }, deals: [], referralIds: [], pledged: false });
  const call = state.touches.find((t) => t.kind === 'call')!;
  const givenMs = Date.parse(call.at);
  year.recordDone(state, call, { outcome: 'sent', reference: 'task-1', assignee: 'agent-sara' }, givenMs);

  it('reminds after 48 h, escalates after 120 h, and stops once completed', () => {
    expect(year.openCallAssignees(state)).toEqual(['agent-sara']);
    expect(year.nextCallReminder(state)).toMatchObject({ stage: 'reminder', atMs: givenMs + 48 * 3_600_000 });
    state.calls[0]!.remindedAt = new Date(givenMs + 48 * 3_600_000).toISOString();
    expect(year.nextCallReminder(state)).toMatchObject({ stage: 'escalation', atMs: givenMs + 120 * 3_600_000 });
    state.calls[0]!.escalatedAt = new Date(givenMs + 120 * 3_600_000).toISOString();
    expect(year.nextCallReminder(state)).toBeUndefined();
    year.completeCall(state, { taskId: 'task-1', outcome: 'reached' }, givenMs + 130 * 3_600_000);
    expect(year.openCallAssignees(state)).toEqual([]);
  });

  it('after a late reminder (pause, outage) the manager hears only 72 h after it', () => {
    const s2 = year.newYear({ customer: c, plan: 'client-for-life', definition: resolvePlan('client-for-life'), planYear: 1, yearStartMs: start, sendingHours: { startMinute: 540, endMinute: 1140 }, deals: [], referralIds: [], pledged: false });
    const first = s2.touches.find((t) => t.kind === 'call')!;
    const given = Date.parse(first.at);
    year.recordDone(s2, first, { outcome: 'sent', reference: 'task-2', assignee: 'agent-sara' }, given);
    const late = given + 200 * 3_600_000;
    s2.calls[0]!.remindedAt = new Date(late).toISOString();
    expect(year.nextCallReminder(s2)).toMatchObject({ stage: 'escalation', atMs: late + 72 * 3_600_000 });
  });
});

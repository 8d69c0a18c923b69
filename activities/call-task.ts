// What an agent gets for a call: who to call and when, what the customer has received
// lately, what was said last time, and talking points that end with the referral ask. Pure:
// the activity gathers the facts, this turns them into the task and the agent's email.
import { DateTime } from 'luxon';
import type { Customer } from '../plan/customer';
import type { Touch } from '../plan/touch';
import type { Business } from './copy';
import type { CallContext } from '../plan/call-context';

export type { CallContext, PreviousCall, RecentTouch } from '../plan/call-context';

export interface CallTask {
  type: 'call';
  taskId: string;
  /** Who should make the call (the owner, or whoever covers while the owner is away). */
  agent: string;
  /** The customer's own agent. */
  owner: string;
  reassignedFrom?: string;
  customerId: string;
  customerName: string;
  phone?: string;
  locale: string;
  timezone: string;
  title: string;
  dueAt: string;
  notes?: string;
  context: CallContext;
  talkingPoints: string[];
}

export interface ReplyTask {
  type: 'reply';
  taskId: string;
  agent: string;
  owner: string;
  customerId: string;
  customerName: string;
  phone: string;
  text: string;
  receivedAt: string;
}

const localDay = (iso: string, zone: string) => DateTime.fromISO(iso, { zone }).toFormat('d LLL yyyy');

export function talkingPoints(customer: Customer, touch: Touch, context: CallContext, business: Business): string[] {
  const points: string[] = [];
  const last = context.recentTouches.at(-1);
  const opening = context.plan === '8x8' ? `Introduce yourself and thank ${customer.name.first} for getting in touch.` : `Open warmly: ask how ${customer.name.first} has been settling in since the deal.`;
  points.push(last ? `Open warmly: ask how ${customer.name.first} has been since the ${last.title.toLowerCase()} (${localDay(last.at, customer.timezone)}).` : opening);
  const lastCall = [...context.previousCalls].reverse().find((c) => c.notes);
  if (lastCall) points.push(`Follow up on last time (${localDay(lastCall.at, customer.timezone)}): "${lastCall.notes}"`);
  if (customer.notes) points.push(`Remember: ${customer.notes}`);
  const gift = [...context.recentTouches].reverse().find((t) => t.kind === 'give-away' && t.outcome === 'sent');
  if (gift) points.push(`Check the ${gift.title.toLowerCase()} arrived and is useful.`);
  const dueMs = DateTime.fromISO(touch.at).toMillis();
  const soon = context.upcoming.find((t) => t.kind === 'personal-card' && DateTime.fromISO(t.at).toMillis() - dueMs < 60 * 86_400_000);
  if (soon) points.push(`Coming up: ${soon.title} (${localDay(soon.at, customer.timezone)}).`);
  if (customer.favoriteTeam) points.push(`Small talk: how is ${customer.favoriteTeam} doing?`);
  points.push('Ask: is there anything we can help with right now?');
  // A prospect (the 8x8) is not asked for referrals: the call is about their move.
  if (context.plan === '8x8') {
    points.push('Ask what they are looking for, by when, and what would make it easy; note it, and offer the next step (a viewing, a valuation, a meeting).');
    points.push('Report the outcome: positive-interest, negative, no-response or contact-later (with a date).');
    return points;
  }
  points.push(
    context.referrals > 0
      ? `Thank them for the ${context.referrals === 1 ? 'referral' : `${context.referrals} referrals`}; ask who else would value the same care (${business.referralUrl}).`
      : `Referral ask: who do they know who is thinking of buying or selling? Offer to look after them the same way (${business.referralUrl}).`,
  );
  return points;
}

export function buildCallTask(args: {
  taskId: string;
  customer: Customer;
  touch: Touch;
  context: CallContext;
  business: Business;
  assignee: { id: string; reassignedFrom?: string };
}): CallTask {
  const { customer, touch, context } = args;
  return {
    type: 'call',
    taskId: args.taskId,
    agent: args.assignee.id,
    owner: customer.agent,
    ...(args.assignee.reassignedFrom ? { reassignedFrom: args.assignee.reassignedFrom } : {}),
    customerId: customer.id,
    customerName: [customer.name.first, customer.name.last].filter(Boolean).join(' '),
    phone: customer.phone,
    locale: customer.locale,
    timezone: customer.timezone,
    title: touch.title,
    dueAt: touch.at,
    ...(customer.notes ? { notes: customer.notes } : {}),
    context,
    talkingPoints: talkingPoints(customer, touch, context, args.business),
  };
}

export type AgentEmailKind = 'new' | 'reassigned' | 'reminder' | 'escalation' | 'reply';

/** The plain-text email an agent (or, for escalations, their manager) receives. */
export function renderAgentEmail(task: CallTask | ReplyTask, kind: AgentEmailKind, opts: { completeHint: string; agentName?: string }): { subject: string; text: string } {
  if (task.type === 'reply') {
    return {
      subject: `${task.customerName} replied by SMS`,
      text: [`${task.customerName} (${task.phone}) replied to our SMS at ${task.receivedAt}:`, '', `  ${task.text}`, '', `Please get back to them. Task: ${task.taskId}`].join('\n'),
    };
  }
  const lead = {
    new: `A call for you: ${task.customerName}, ${task.title}.`,
    reassigned: `A call handed over to you: ${task.customerName}, ${task.title} (it was given on ${localDay(task.dueAt, task.timezone)}).`,
    reminder: `Reminder: the call to ${task.customerName} (${task.title}) is still open.`,
    escalation: `Escalation: the call to ${task.customerName} (${task.title}) for ${opts.agentName ?? task.agent} is overdue.`,
    reply: '',
  }[kind];
  const subject = { new: 'Call task', reassigned: 'Call task handed over to you', reminder: 'Reminder: call task', escalation: 'Overdue call task', reply: '' }[kind];
  const recent = task.context.recentTouches.slice(-5).map((t) => `  - ${localDay(t.at, task.timezone)}: ${t.title} (${t.channel}, ${t.outcome})`);
  return {
    subject: `${subject}: ${task.customerName} — ${task.title}`,
    text: [
      lead,
      ...(task.reassignedFrom ? [`(Covering for ${task.reassignedFrom}, who is away.)`] : []),
      '',
      `Phone: ${task.phone ?? '(none)'}   Due: ${localDay(task.dueAt, task.timezone)} (${task.timezone})`,
      `Plan: ${task.context.plan}, year ${task.context.planYear}`,
      ...(task.notes ? ['', `Notes: ${task.notes}`] : []),
      '',
      'Recently:',
      ...(recent.length ? recent : ['  - nothing yet']),
      '',
      'Talking points:',
      ...task.talkingPoints.map((p) => `  - ${p}`),
      '',
      `When done: ${opts.completeHint}`,
      `Task: ${task.taskId}`,
    ].join('\n'),
  };
}

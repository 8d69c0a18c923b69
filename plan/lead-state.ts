// The state of one lead on its road (capture, first contact, the 8x8, and its end: a deal, lost,
// or on to the general 33) and the pure steps that change it. The lead workflow owns one
// LeadState; handlers and the main loop call these functions. Deterministic: `nowMs` is passed in.
import { DateTime } from './luxon';
import type { Deal } from './customer';
import { contactTaskId } from './ids';
import { leadAsCustomer, type Lead, type LeadOutcomeReport, type LeadStage } from './lead';
import { planProspect, type ProspectPlan } from './prospect';
import { sendingSlotAtOrAfter } from './engine';
import type { SendingHours } from './sending-hours';
import type { DoneTouch, Touch, TouchResult } from './touch';

const HOUR_MS = 3_600_000;
/** A qualified lead with no deal after this many days goes on to the general 33. */
export const QUALIFIED_WAIT_DAYS = 90;

/** How quickly a new lead must be contacted, and what happens when it is not. */
export interface LeadTimings {
  /** The first-contact task's deadline after capture (default 24 h). */
  firstContactHours: number;
  /** After the reminder at the deadline, this long until the lead goes to another agent (default 8 h). */
  reassignAfterHours: number;
}
export const DEFAULT_LEAD_TIMINGS: LeadTimings = { firstContactHours: 24, reassignAfterHours: 8 };

export interface ContactTask {
  taskId: string;
  attempt: number;
  agent: string;
  givenMs: number;
  dueMs: number;
  remindedMs?: number;
  doneMs?: number;
}

export interface LeadState {
  lead: Lead;
  agent: string;
  stage: LeadStage;
  capturedAt: string;
  /** How many times the person was captured (a second form, a call and an import: merged). */
  captures: number;
  plan: ProspectPlan;
  sendingHours: SendingHours;
  timings: LeadTimings;
  /** 8x8 touches still to run, by `at`. */
  touches: Touch[];
  done: DoneTouch[];
  contact: ContactTask;
  /** Agents who had the first contact and let it pass (not offered the lead again). */
  missedBy: string[];
  paused?: { reason: string; sinceMs: number; untilMs?: number; taskId?: string };
  outcomes: Array<LeadOutcomeReport & { at: string; agent: string }>;
  replies: Array<{ id: string; channel: string; at: string; taskId: string }>;
  stages: Array<{ stage: LeadStage; at: string; reason?: string }>;
  /** Set once the road ends: a deal (handed over) or lost, with the reason. */
  ended?: { stage: 'deal' | 'lost'; reason: string; at: string };
  deal?: Deal;
}

export function newLeadState(args: { lead: Lead; agent: string; nowMs: number; plan: ProspectPlan; sendingHours: SendingHours; timings: LeadTimings }): LeadState {
  const { lead, agent, nowMs } = args;
  const at = new Date(nowMs).toISOString();
  return {
    lead,
    agent,
    stage: 'new',
    capturedAt: at,
    captures: 1,
    plan: args.plan,
    sendingHours: args.sendingHours,
    timings: args.timings,
    touches: planProspect(leadAsCustomer(lead, agent), args.plan, nowMs, args.sendingHours),
    done: [],
    contact: { taskId: contactTaskId(lead.id, 1), attempt: 1, agent, givenMs: nowMs, dueMs: nowMs + args.timings.firstContactHours * HOUR_MS },
    missedBy: [],
    outcomes: [],
    replies: [],
    stages: [{ stage: 'new', at }],
  };
}

/** The stage moves (never back to `new`); returns whether it changed. */
export function setStage(state: LeadState, stage: LeadStage, nowMs: number, reason?: string): boolean {
  if (state.stage === stage) return false;
  state.stage = stage;
  state.stages.push({ stage, at: new Date(nowMs).toISOString(), ...(reason ? { reason } : {}) });
  return true;
}

/** Is the 8x8 still sending? Not after positive interest, a deal or a loss, nor while paused. */
export function isSending(state: LeadState): boolean {
  return !state.ended && !state.paused && (state.stage === 'new' || state.stage === 'contacted');
}

export function skipRest(state: LeadState, reason: string, nowMs: number): void {
  for (const t of state.touches) state.done.push({ ...t, outcome: 'skipped', reason, doneAt: new Date(nowMs).toISOString() });
  state.touches = [];
}

export function recordDone(state: LeadState, touch: Touch, result: TouchResult, nowMs: number): DoneTouch {
  const done: DoneTouch = { ...touch, ...result, doneAt: new Date(nowMs).toISOString() };
  state.touches = state.touches.filter((t) => t.seq !== touch.seq);
  state.done.push(done);
  return done;
}

/** A touch held back (the contact limit, quiet hours, ...): to its next sending slot from `untilMs`, with the reason. */
export function holdBack(state: LeadState, touch: Touch, untilMs: number, reason: string): void {
  const at = sendingSlotAtOrAfter(untilMs, state.lead.timezone, state.sendingHours);
  touch.firstAt ??= touch.at;
  touch.at = at.toISO({ suppressMilliseconds: true })!;
  touch.held = reason;
  state.touches.sort((a, b) => Date.parse(a.at) - Date.parse(b.at) || a.seq - b.seq);
}

/** What is wrong with an outcome report for this lead now, if anything (the update's validator). */
export function outcomeProblem(state: LeadState, report: LeadOutcomeReport, nowMs: number): string | undefined {
  if (state.ended) return `the lead's road has ended (${state.ended.stage}: ${state.ended.reason})`;
  if (report.contactOn) {
    const today = DateTime.fromMillis(nowMs, { zone: state.lead.timezone }).toISODate()!;
    if (report.contactOn <= today) return `contactOn: ${report.contactOn} is not after today (${today}) in ${state.lead.timezone}`;
  }
  if (report.taskId && !knownTask(state, report.taskId)) return `taskId: ${report.taskId} is not a task of lead ${state.lead.id}`;
  return undefined;
}

function knownTask(state: LeadState, taskId: string): boolean {
  if (taskId === state.contact.taskId || /\.contact\.\d+$/.test(taskId)) return taskId.startsWith(`lead-${state.lead.id}.contact.`);
  return state.done.some((t) => t.reference === taskId) || state.replies.some((r) => r.taskId === taskId) || state.paused?.taskId === taskId;
}

/**
 * An agent's report. Any report means the person was contacted (the first-contact task is
 * done). `positive-interest`: qualified, the 8x8 ends (the agent takes it from here);
 * `negative`: lost; `contact-later`: the 8x8 waits until that day; `no-response`: noted.
 * Returns what happens next, in words.
 */
export function recordOutcome(state: LeadState, report: LeadOutcomeReport, nowMs: number): string {
  const at = new Date(nowMs).toISOString();
  const agent = report.agent ?? state.agent;
  state.outcomes.push({ ...report, at, agent });
  if (report.outcome !== 'no-response' && state.contact.doneMs === undefined) state.contact.doneMs = nowMs;
  if (report.outcome === 'no-response' && report.taskId === state.contact.taskId) {
    // Tried and not reached: the first contact counts as made; the 8x8 carries on.
    state.contact.doneMs ??= nowMs;
  }
  if (state.stage === 'new' && report.outcome !== 'no-response') setStage(state, 'contacted', nowMs);
  switch (report.outcome) {
    case 'positive-interest':
      setStage(state, 'qualified', nowMs, report.notes);
      skipRest(state, 'positive interest: the agent takes it from here', nowMs);
      state.paused = undefined;
      return 'qualified: the 8x8 ends; the agent follows up until a deal or a loss';
    case 'negative':
      end(state, 'lost', `negative${report.notes ? `: ${report.notes}` : ''}`, nowMs);
      return 'lost: the road ends, nothing more is sent';
    case 'contact-later': {
      const untilMs = DateTime.fromISO(report.contactOn!, { zone: state.lead.timezone }).set({ hour: state.plan.callHour }).toMillis();
      state.paused = { reason: `contact later, on ${report.contactOn}`, sinceMs: nowMs, untilMs };
      return `paused until ${report.contactOn}: then a task for ${state.agent} and the 8x8 goes on`;
    }
    case 'no-response':
      return state.touches.length ? `noted; the 8x8 goes on (next: ${state.touches[0]!.title})` : 'noted';
  }
}

/** The person answered (email, SMS, or an agent logged a conversation): the 8x8 holds until the agent resumes or ends it. */
export function replied(state: LeadState, reply: { id: string; channel: string; at: string }, taskId: string, nowMs: number): boolean {
  if (state.replies.some((r) => r.id === reply.id)) return false;
  state.replies.push({ ...reply, taskId });
  // The agent still owes the first contact; the 8x8 holds (a contact-later day is replaced).
  if (isSending(state) || state.paused) state.paused = { reason: `replied by ${reply.channel}`, sinceMs: state.paused?.sinceMs ?? nowMs, taskId };
  return true;
}

/** Resumes the 8x8: the rest of the plan moves by the time it waited, keeping its rhythm. */
export function resume(state: LeadState, nowMs: number): boolean {
  if (!state.paused || state.ended) return false;
  const shift = Math.max(0, nowMs - state.paused.sinceMs);
  state.paused = undefined;
  const zone = state.lead.timezone;
  state.touches = state.touches.map((t) => ({ ...t, at: DateTime.fromMillis(Date.parse(t.at) + shift, { zone }).toISO({ suppressMilliseconds: true })! }));
  return true;
}

export function end(state: LeadState, stage: 'deal' | 'lost', reason: string, nowMs: number): void {
  if (state.ended) return;
  const at = new Date(nowMs).toISOString();
  skipRest(state, stage === 'deal' ? 'deal closed: handed over to the client-for-life plan' : `lead closed: ${reason}`, nowMs);
  state.paused = undefined;
  state.ended = { stage, reason, at };
  setStage(state, stage, nowMs, reason);
}

export type LeadWake =
  | { what: 'touch'; atMs: number; touch: Touch; summary: string }
  | { what: 'contact-reminder' | 'reassign'; atMs: number; summary: string }
  | { what: 'contact-later'; atMs: number; summary: string }
  | { what: 'nurture'; atMs: number; summary: string }
  | { what: 'nothing'; atMs: number; summary: string };

/** What the lead waits for next: the first-contact deadline, a contact-later day, or the next touch. */
export function nextWake(state: LeadState): LeadWake {
  const wakes: LeadWake[] = [];
  const c = state.contact;
  if (!state.ended && c.doneMs === undefined) {
    if (c.remindedMs === undefined) wakes.push({ what: 'contact-reminder', atMs: c.dueMs, summary: `First contact due (${c.agent})` });
    else wakes.push({ what: 'reassign', atMs: c.remindedMs + state.timings.reassignAfterHours * HOUR_MS, summary: `Reassign unless ${c.agent} makes contact` });
  }
  if (state.paused?.untilMs !== undefined && !state.ended) wakes.push({ what: 'contact-later', atMs: state.paused.untilMs, summary: state.paused.reason });
  if (state.stage === 'qualified' && !state.ended) {
    const since = Date.parse([...state.stages].reverse().find((x) => x.stage === 'qualified')!.at);
    wakes.push({ what: 'nurture', atMs: since + QUALIFIED_WAIT_DAYS * 24 * HOUR_MS, summary: `No deal ${QUALIFIED_WAIT_DAYS} days after positive interest: the general 33` });
  }
  const next = state.touches[0];
  if (next && isSending(state)) wakes.push({ what: 'touch', atMs: Date.parse(next.at), touch: next, summary: `8x8: ${next.title}` });
  wakes.sort((a, b) => a.atMs - b.atMs);
  return wakes[0] ?? { what: 'nothing', atMs: Number.POSITIVE_INFINITY, summary: 'waiting for the agent' };
}

/** The first contact was missed: who had it is noted, a new task id for the next agent. */
export function reassignContact(state: LeadState, agent: string, nowMs: number): ContactTask {
  state.missedBy.push(state.contact.agent);
  state.agent = agent;
  state.contact = { taskId: contactTaskId(state.lead.id, state.contact.attempt + 1), attempt: state.contact.attempt + 1, agent, givenMs: nowMs, dueMs: nowMs + state.timings.firstContactHours * HOUR_MS };
  return state.contact;
}

/** The touches of this plan sent in the last `days` days (for the hand-over's 30-day rule). */
export function recentSends(state: LeadState, nowMs: number, days = 30): Array<{ kind: string; at: string }> {
  return state.done.filter((t) => t.outcome === 'sent' && nowMs - Date.parse(t.doneAt) < days * 86_400_000).map((t) => ({ kind: t.kind, at: t.doneAt }));
}

export interface LeadStatus {
  leadId: string;
  lead: Lead;
  agent: string;
  stage: LeadStage;
  plan: '8x8';
  capturedAt: string;
  captures: number;
  state: 'starting' | 'running' | 'paused' | 'qualified' | 'ended';
  paused?: { reason: string; since: string; until?: string };
  firstContact: { taskId: string; agent: string; due: string; done?: string; reminded?: string; missedBy: string[] };
  touchesDone: DoneTouch[];
  nextTouches: Touch[];
  outcomes: LeadState['outcomes'];
  stages: LeadState['stages'];
  ended?: LeadState['ended'];
  /** Where the person went at the deal: `customer-<id>`. */
  handedOverTo?: string;
}

const iso = (ms: number) => new Date(ms).toISOString();

export function leadStatus(state: LeadState): LeadStatus {
  const c = state.contact;
  return {
    leadId: state.lead.id,
    lead: state.lead,
    agent: state.agent,
    stage: state.stage,
    plan: '8x8',
    capturedAt: state.capturedAt,
    captures: state.captures,
    state: state.ended ? 'ended' : state.paused ? 'paused' : state.stage === 'qualified' ? 'qualified' : 'running',
    ...(state.paused ? { paused: { reason: state.paused.reason, since: iso(state.paused.sinceMs), ...(state.paused.untilMs !== undefined ? { until: iso(state.paused.untilMs) } : {}) } } : {}),
    firstContact: { taskId: c.taskId, agent: c.agent, due: iso(c.dueMs), ...(c.doneMs !== undefined ? { done: iso(c.doneMs) } : {}), ...(c.remindedMs !== undefined ? { reminded: iso(c.remindedMs) } : {}), missedBy: state.missedBy },
    touchesDone: state.done,
    nextTouches: state.touches,
    outcomes: state.outcomes,
    stages: state.stages,
    ...(state.ended ? { ended: state.ended } : {}),
    ...(state.ended?.stage === 'deal' ? { handedOverTo: `customer-${state.lead.id}` } : {}),
  };
}

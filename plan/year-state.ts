// The state of one customer-year and the pure steps that change it. The workflow owns one
// YearState; handlers and the main loop call these functions, so every rule of "what happens
// when" can be read (and tested) without Temporal. Deterministic: `nowMs` is always passed in.
import { DateTime } from './luxon';
import { channelKeyOf, chooseChannel } from './channels';
import type { Channel, Customer, Deal } from './customer';
import { touchKey } from './ids';
import type { PlanDefinition } from './definitions';
import { followUpLetterAt, hoursFor, planTouches, replan, sendingSlotAtOrAfter, thankYouTouch } from './engine';
import type { SendingHours } from './sending-hours';
import { householdOf } from './household';
import { costOf } from './budget';
import { touchSummary, type DoneTouch, type PlanName, type Touch, type TouchResult } from './touch';
import type { CallContext } from './call-context';
import type { CallCompletion, CallRecord, CustomerStatus, FulfilmentUpdate, NpsRecord, YearProgress } from './year-records';

export interface YearState {
  customer: Customer;
  plan: PlanName;
  definition: PlanDefinition;
  planYear: number;
  yearStartMs: number;
  yearEndMs: number;
  /** Business default; the customer's own `sendingHours` wins. */
  sendingHours: SendingHours;
  /** Touches still to run, sorted by `at`. */
  touches: Touch[];
  done: DoneTouch[];
  deals: Deal[];
  referralIds: string[];
  /** Referral id -> the key of the touch whose link brought it (referral attribution). */
  referralVia?: Record<string, string>;
  pledged: boolean;
  calls: CallRecord[];
  replies?: Array<{ messageSid: string; receivedAt: string; taskId: string }>;
  reachedCalls: number;
  paused: boolean;
  cancelled?: string;
  /** A general-33 contact bought: the workflow the same person goes on in (`customer-<id>`). */
  handedOver?: string;
  /** In the holdout group: the year plans only the transactional minimum. */
  holdout?: boolean;
  /** NPS answers this year. */
  nps?: NpsRecord[];
  /** The value class the daily refresh computed (`vip`, `a`, `b`, `c`): its overrides apply beside the segment's (`own-segment`). */
  valueClass?: string;
}

/** How many times an unanswered call is tried again inside the year. */
export const NO_ANSWER_RETRIES = 2;
const NO_ANSWER_RETRY_DAYS = 3;
const DAY_MS = 86_400_000;

export function yearEndOf(customer: Customer, yearStartMs: number): number {
  return DateTime.fromMillis(yearStartMs, { zone: customer.timezone }).plus({ years: 1 }).toMillis();
}

export function newYear(args: Omit<YearState, 'touches' | 'done' | 'calls' | 'reachedCalls' | 'paused' | 'yearEndMs' | 'nps'>): YearState {
  const yearEndMs = yearEndOf(args.customer, args.yearStartMs);
  const state: YearState = { ...args, yearEndMs, touches: [], done: [], calls: [], reachedCalls: 0, paused: false };
  state.touches = planTouches({ customer: state.customer, definition: state.definition, yearStartMs: state.yearStartMs, sendingHours: state.sendingHours, ...(state.holdout ? { holdout: true } : {}) });
  skipDropped(state, args.yearStartMs);
  return state;
}

/** Touches the budget cap dropped are recorded skipped at once, with the reason. */
function skipDropped(state: YearState, nowMs: number): void {
  for (const t of state.touches.filter((x) => x.dropped)) recordDone(state, t, { outcome: 'skipped', reason: t.dropped! }, nowMs);
}

function maxSeq(state: YearState): number {
  return Math.max(0, ...state.touches.map((t) => t.seq), ...state.done.map((t) => t.seq));
}

const byTime = (a: Touch, b: Touch) => Date.parse(a.at) - Date.parse(b.at) || a.seq - b.seq;

/** Touches added while the year runs (thank-yous, call retries, call-backs, NPS follow-ups): kept across re-plans. */
function isRuntimeTouch(t: Touch): boolean {
  return /^(thank-you-|call-.*-(retry|callback)-|nps-call-|referral-ask-)/.test(t.slot ?? '');
}

/** Follow-up letter k waits until the k-th reached call; returns k, or 0 for other touches. */
function followUpIndex(t: Touch): number {
  const m = /^follow-up-(\d+)$/.exec(t.slot ?? '');
  return t.kind === 'follow-up-letter' && m ? Number(m[1]) : 0;
}

/** A touch that may run once its time comes (a follow-up letter only after its call was reached). */
export function isEligible(state: YearState, t: Touch): boolean {
  const k = followUpIndex(t);
  return k === 0 || k <= state.reachedCalls;
}

export function nextDue(state: YearState): Touch | undefined {
  return state.touches.find((t) => isEligible(state, t));
}

/** Re-plans the rest of the year from the current profile and plan, keeping what was done. */
export function replanRest(state: YearState, nowMs: number): void {
  const runtime = state.touches.filter(isRuntimeTouch);
  const armed = state.touches.filter((t) => followUpIndex(t) > 0 && isEligible(state, t));
  const next = planTouches({ customer: state.customer, definition: state.definition, yearStartMs: state.yearStartMs, sendingHours: state.sendingHours, ...(state.holdout ? { holdout: true } : {}) });
  const doneSlots = new Set(state.done.map((t) => t.slot ?? `seq-${t.seq}`));
  const merged = replan([...state.done, ...state.touches], doneSlots, next, nowMs).map((t) => armed.find((a) => a.slot === t.slot) ?? t);
  state.touches = [...merged.filter((t) => !runtime.some((r) => r.seq === t.seq)), ...runtime].sort(byTime);
  skipDropped(state, nowMs);
}

export function recordDone(state: YearState, touch: Touch, result: TouchResult, nowMs: number): DoneTouch {
  const done: DoneTouch = { ...touch, ...result, doneAt: new Date(nowMs).toISOString() };
  state.touches = state.touches.filter((t) => t.seq !== touch.seq);
  state.done.push(done);
  if (touch.kind === 'call' && result.outcome === 'sent' && result.reference) {
    state.calls.push({ taskId: result.reference, seq: touch.seq, ...(result.assignee ? { assignee: result.assignee, givenAt: done.doneAt } : {}) });
  }
  return done;
}

export const REMIND_AFTER_HOURS = 48;
export const ESCALATE_AFTER_HOURS = 120;
const HOUR_MS = 3_600_000;

/** The next reminder or escalation an open call task is owed, if any falls inside the year. */
export function nextCallReminder(state: YearState): { call: CallRecord; stage: 'reminder' | 'escalation'; atMs: number } | undefined {
  const remind = (state.definition.calls.remindAfterHours ?? REMIND_AFTER_HOURS) * HOUR_MS;
  const escalate = (state.definition.calls.escalateAfterHours ?? ESCALATE_AFTER_HOURS) * HOUR_MS;
  let best: { call: CallRecord; stage: 'reminder' | 'escalation'; atMs: number } | undefined;
  for (const call of state.calls) {
    if (call.outcome || !call.givenAt) continue;
    const given = Date.parse(call.givenAt);
    // After a pause or an outage the reminder fires late: the manager still hears only after
    // the agent had the reminder's share of time to act.
    const escalateAt = Math.max(given + escalate, call.remindedAt ? Date.parse(call.remindedAt) + (escalate - remind) : 0);
    const next = !call.remindedAt && remind < escalate ? { stage: 'reminder' as const, atMs: given + remind } : !call.escalatedAt ? { stage: 'escalation' as const, atMs: escalateAt } : undefined;
    if (next && next.atMs < state.yearEndMs && (!best || next.atMs < best.atMs)) best = { call, ...next };
  }
  return best;
}

/** Agents holding an open call task (for the CallAssignees search attribute). */
export function openCallAssignees(state: YearState): string[] {
  return [...new Set(state.calls.filter((c) => !c.outcome && c.assignee).map((c) => c.assignee!))].sort();
}

/** What the agent should know for this call: recent touches, earlier calls, what comes next. */
export function callContext(state: YearState, touch: Touch): CallContext {
  const customerFacing = state.done.filter((t) => t.kind !== 'call' && t.outcome === 'sent');
  return {
    plan: state.plan,
    planYear: state.planYear,
    recentTouches: customerFacing.slice(-5).map((t) => ({ kind: t.kind, title: t.title, channel: t.channel, at: t.at, outcome: t.outcome })),
    previousCalls: state.calls.map((c) => ({ at: c.completedAt ?? c.givenAt ?? '', outcome: c.outcome, notes: c.notes })),
    upcoming: state.touches.filter((t) => t.seq !== touch.seq).slice(0, 5).map((t) => ({ kind: t.kind, title: t.title, at: t.at, occasion: t.occasion })),
    referrals: state.referralIds.length,
  };
}

/** Records a print-and-mail provider's report on a card or gift; false when no such item. */
export function recordFulfilment(state: YearState, seq: number, update: FulfilmentUpdate, nowMs: number): boolean {
  const done = state.done.find((t) => t.seq === seq && t.channel === 'postal');
  if (!done) return false;
  // Webhooks arrive out of order: an older report never overwrites a newer one.
  if (update.at && done.fulfilment && Date.parse(update.at) < Date.parse(done.fulfilment.at)) return true;
  done.fulfilment = { status: update.status, ...(update.trackingNumber ? { trackingNumber: update.trackingNumber } : {}), ...(update.carrier ? { carrier: update.carrier } : {}), at: update.at ?? new Date(nowMs).toISOString() };
  return true;
}

export function skip(state: YearState, touch: Touch, reason: string, nowMs: number): DoneTouch {
  return recordDone(state, touch, { outcome: 'skipped', reason }, nowMs);
}

/** Adds the thank-you for a referral (or the pledge) as a touch at the next sending slot. */
export function addThankYou(state: YearState, nowMs: number): Touch {
  const n = [...state.done, ...state.touches].filter((t) => /^thank-you-/.test(t.slot ?? '')).length + 1;
  const touch = thankYouTouch(state.customer, state.definition, nowMs, n, maxSeq(state) + 1, state.sendingHours);
  touch.at = onFreeDay(state, touch.at, touch.seq);
  state.touches = [...state.touches, touch].sort(byTime);
  return touch;
}

/**
 * Moves a touch added while the year runs to the first local day that has no other
 * customer-facing touch (the plan's rule: one touch a day), keeping its local time.
 */
export function onFreeDay(state: YearState, iso: string, seq: number): string {
  const zone = state.customer.timezone;
  const taken = new Set([...state.done, ...state.touches].filter((t) => t.seq !== seq).map((t) => DateTime.fromISO(t.at, { zone }).toISODate()));
  let at = DateTime.fromISO(iso, { zone });
  for (let i = 0; i < 14 && taken.has(at.toISODate()); i++) at = at.plus({ days: 1 });
  return at.toMillis() < state.yearEndMs ? at.toISO({ suppressMilliseconds: true })! : iso;
}

/** The first sending slot at or after `ms` (ms since epoch), in the customer's zone and hours. */
export function slotAtOrAfter(state: YearState, ms: number): number {
  return sendingSlotAtOrAfter(ms, state.customer.timezone, hoursFor(state.customer, state.sendingHours)).toMillis();
}

function localSlotAt(state: YearState, ms: number): string {
  // The engine's own slot rule (it also steps over a day whose window a DST gap swallows).
  return sendingSlotAtOrAfter(ms, state.customer.timezone, hoursFor(state.customer, state.sendingHours)).toISO({ suppressMilliseconds: true })!;
}

/** Why a call completion cannot be accepted, or undefined. Used by the update's validator. */
export function callCompletionProblem(state: YearState, c: CallCompletion, nowMs: number): string | undefined {
  const call = state.calls.find((r) => r.taskId === c.taskId);
  if (!call) return `taskId: no call task ${c.taskId} in this customer's year`;
  if (call.outcome) return `taskId: call task ${c.taskId} was already completed (${call.outcome})`;
  if (c.outcome === 'call-back') {
    const on = DateTime.fromISO(c.callBackOn!, { zone: state.customer.timezone }).startOf('day').toMillis();
    if (on < DateTime.fromMillis(nowMs, { zone: state.customer.timezone }).startOf('day').toMillis()) return 'callBackOn: the date is in the past';
    if (on >= state.yearEndMs) return "callBackOn: the date is after this plan year's end";
  }
  return undefined;
}

/** Applies a call outcome; returns a sentence saying what happens next. */
export function completeCall(state: YearState, c: CallCompletion, nowMs: number): string {
  const call = state.calls.find((r) => r.taskId === c.taskId)!;
  Object.assign(call, { outcome: c.outcome, notes: c.notes, completedAt: new Date(nowMs).toISOString() });
  const original = state.done.find((t) => t.seq === call.seq)!;
  const rootSlot = (original.slot ?? `call-${original.seq}`).replace(/-(retry|callback)-\d+$/, '');
  const addCall = (slot: string, atMs: number, title: string): Touch => {
    const seq = maxSeq(state) + 1;
    const at = localSlotAt(state, atMs);
    // A call-back keeps the day the customer asked for; a retry takes the next free day.
    const touch: Touch = { seq, kind: 'call', channel: original.channel, at: slot.includes('-retry-') ? onFreeDay(state, at, seq) : at, title, slot };
    state.touches = [...state.touches, touch].sort(byTime);
    return touch;
  };
  switch (c.outcome) {
    case 'reached': {
      state.reachedCalls += 1;
      const letter = state.touches.find((t) => followUpIndex(t) === state.reachedCalls);
      if (!letter) return 'no follow-up letter left this year';
      letter.at = onFreeDay(state, followUpLetterAt(state.customer, state.definition, nowMs, state.sendingHours), letter.seq);
      state.touches.sort(byTime);
      return `follow-up letter ${state.reachedCalls} at ${letter.at}`;
    }
    case 'not-interested':
      return 'no follow-up';
    case 'no-answer': {
      const tries = state.done.filter((t) => (t.slot ?? '').startsWith(`${rootSlot}-retry-`)).length + state.touches.filter((t) => (t.slot ?? '').startsWith(`${rootSlot}-retry-`)).length;
      const atMs = nowMs + NO_ANSWER_RETRY_DAYS * DAY_MS;
      if (tries >= NO_ANSWER_RETRIES || atMs >= state.yearEndMs) return 'no retry left';
      const retry = addCall(`${rootSlot}-retry-${tries + 1}`, atMs, `${original.title} (retry ${tries + 1})`);
      return `retry at ${retry.at}`;
    }
    case 'call-back': {
      const on = DateTime.fromISO(c.callBackOn!, { zone: state.customer.timezone }).startOf('day').toMillis();
      const n = [...state.touches, ...state.done].filter((t) => (t.slot ?? '').startsWith(`${rootSlot}-callback-`)).length + 1;
      const back = addCall(`${rootSlot}-callback-${n}`, Math.max(on, nowMs), `${original.title} (call-back)`);
      return `call-back at ${back.at}`;
    }
  }
}

export const DEFAULT_REACTIVATION_MONTHS = 24;

/**
 * Dormant: the last deal is older than the plan's `reactivationAfterMonths` (default 24) and the
 * customer gave no sign this year (a reached call, a reply, a referral or a pledge since the year
 * began). Such a customer's next year is a reactivation year.
 */
export function isDormant(state: YearState, atStart: { referrals: number; pledged: boolean }, nowMs: number): boolean {
  const zone = state.customer.timezone;
  const last = state.deals.map((d) => d.closedAt.slice(0, 10)).sort().at(-1);
  if (!last) return false;
  const months = DateTime.fromMillis(nowMs, { zone }).diff(DateTime.fromISO(last, { zone }), 'months').months;
  if (months < (state.definition.reactivationAfterMonths ?? DEFAULT_REACTIVATION_MONTHS)) return false;
  const sign = state.calls.some((c) => c.outcome === 'reached') || (state.replies?.length ?? 0) > 0 || state.referralIds.length > atStart.referrals || (state.pledged && !atStart.pledged);
  return !sign;
}

/** Kinds that count as the same for the hand-over's 30-day rule (a prospect letter is a newsletter's kin). */
const SAME_KIND: Record<string, string> = { 'prospect-letter': 'newsletter' };
export const RECENT_DAYS = 30;

/**
 * The hand-over's 30-day rule: the person came from another plan (the 8x8, the general 33),
 * and a touch of the same kind went out there less than 30 days ago. Newsletters are skipped
 * (the next issue comes next month); other kinds wait until the 30 days have passed, on a
 * free day, or are skipped when that is past the year. Returns the touches held back.
 */
export function holdBackRecent(state: YearState, recent: ReadonlyArray<{ kind: string; at: string }>, nowMs: number): DoneTouch[] {
  const last = new Map<string, number>();
  for (const r of recent) {
    const kind = SAME_KIND[r.kind] ?? r.kind;
    last.set(kind, Math.max(last.get(kind) ?? 0, Date.parse(r.at)));
  }
  const skipped: DoneTouch[] = [];
  for (const t of [...state.touches]) {
    const sent = last.get(SAME_KIND[t.kind] ?? t.kind);
    if (sent === undefined || Date.parse(t.at) >= sent + RECENT_DAYS * DAY_MS) continue;
    const day = DateTime.fromMillis(sent, { zone: state.customer.timezone }).toISODate()!;
    const why = `a ${t.kind.replace(/-/g, ' ')} went out on ${day} on the earlier plan: not repeated within ${RECENT_DAYS} days`;
    const waitMs = slotAtOrAfter(state, sent + RECENT_DAYS * DAY_MS);
    if (t.kind === 'newsletter' || waitMs >= state.yearEndMs) {
      skipped.push(skip(state, t, why, nowMs));
      continue;
    }
    deferTo(state, t, Date.parse(onFreeDay(state, new Date(waitMs).toISOString(), t.seq)));
  }
  return skipped;
}

/** Moves a touch later (e.g. an SMS into 08:00-21:00), keeping the list in time order. */
export function deferTo(state: YearState, touch: Touch, ms: number): void {
  touch.firstAt ??= touch.at;
  touch.at = DateTime.fromMillis(ms, { zone: state.customer.timezone }).toISO({ suppressMilliseconds: true })!;
  state.touches.sort(byTime);
}

/** The notes of the k-th reached call, quoted by follow-up letter k. */
export function notesForLetter(state: YearState, touch: Touch): string | undefined {
  const k = followUpIndex(touch);
  return k ? state.calls.filter((c) => c.outcome === 'reached')[k - 1]?.notes : undefined;
}

export function status(state: YearState, customerId: string): CustomerStatus {
  return {
    customerId,
    customer: state.customer,
    plan: state.plan,
    planVersion: state.definition.version,
    planYear: state.planYear,
    yearStartedAt: DateTime.fromMillis(state.yearStartMs, { zone: state.customer.timezone }).toISO()!,
    yearEndsAt: DateTime.fromMillis(state.yearEndMs, { zone: state.customer.timezone }).toISO()!,
    state: yearStateName(state),
    deals: state.deals,
    referrals: state.referralIds.length,
    calls: state.calls,
    ...(state.replies?.length ? { replies: state.replies } : {}),
    touchesDone: state.done,
    nextTouches: state.touches,
    nextDueAt: nextDue(state)?.at,
    ...(state.nps?.length ? { nps: state.nps } : {}),
    ...(state.holdout ? { holdout: true } : {}),
    ...(state.valueClass ? { valueClass: state.valueClass } : {}),
  };
}

/** A detractor's follow-up call is handed to the agent within this many hours of the answer. */
export const DETRACTOR_CALL_WITHIN_HOURS = 48;

export function npsGroup(score: number): NpsRecord['group'] {
  return score <= 6 ? 'detractor' : score <= 8 ? 'passive' : 'promoter';
}

/**
 * An NPS answer came in (once per survey: false for a repeat). A detractor (0-6) gets a call
 * task for the agent at the first call slot (never later than DETRACTOR_CALL_WITHIN_HOURS; the
 * manager hears of it with the task: "a complaint is a gift"); a promoter (9-10) gets a
 * referral ask at the next sending slot. A holdout customer's promoter gets no ask.
 */
export function recordNps(state: YearState, answer: { surveyId: string; score: number; why?: string; toTen?: string; answeredAt: string }, nowMs: number): NpsRecord | undefined {
  state.nps ??= [];
  if (state.nps.some((r) => r.surveyId === answer.surveyId)) return undefined;
  const record: NpsRecord = { surveyId: answer.surveyId, score: answer.score, ...(answer.why ? { why: answer.why } : {}), ...(answer.toTen ? { toTen: answer.toTen } : {}), answeredAt: answer.answeredAt, group: npsGroup(answer.score) };
  state.nps.push(record);
  const n = state.nps.length;
  const zone = state.customer.timezone;
  if (record.group === 'detractor') {
    // Inside the sending hours, on the first slot (the 48 hours are a promise, not a wait).
    const slot = Math.min(slotAtOrAfter(state, nowMs), nowMs + DETRACTOR_CALL_WITHIN_HOURS * HOUR_MS);
    const touch: Touch = {
      seq: maxSeq(state) + 1,
      kind: 'call',
      channel: chooseChannel('call', state.customer, state.definition),
      at: DateTime.fromMillis(slot, { zone }).toISO({ suppressMilliseconds: true })!,
      title: `NPS follow-up call: scored ${answer.score}/10${answer.why ? ` ("${answer.why.slice(0, 120)}")` : ''}`,
      occasion: 'nps-detractor',
      slot: `nps-call-${n}`,
    };
    state.touches = [...state.touches, touch].sort(byTime);
    record.followUpSeq = touch.seq;
  } else if (record.group === 'promoter' && !state.holdout) {
    const touch: Touch = {
      seq: maxSeq(state) + 1,
      kind: 'referral-ask',
      channel: chooseChannel('thank-you', state.customer, state.definition),
      at: localSlotAt(state, nowMs),
      title: 'Would you introduce us to someone?',
      occasion: 'nps-promoter',
      slot: `referral-ask-${n}`,
    };
    touch.at = onFreeDay(state, touch.at, touch.seq);
    state.touches = [...state.touches, touch].sort(byTime);
    record.followUpSeq = touch.seq;
  }
  return record;
}

// ---- the named steps the workflow's handlers and loop take (each unit-tested) ----

/** A referral arrived; false when this one was counted before (the webhook came twice). */
export function recordReferral(state: YearState, referralId: string, via?: string): boolean {
  if (state.referralIds.includes(referralId)) return false;
  state.referralIds.push(referralId);
  if (via) (state.referralVia ??= {})[referralId] = via;
  return true;
}

/** The customer pledged to refer; false when they had pledged already (one thank-you). */
export function recordPledge(state: YearState): boolean {
  if (state.pledged) return false;
  state.pledged = true;
  return true;
}

/** Moves the rest of the year onto another plan (advocate), keeping what was already sent. */
export function switchPlan(state: YearState, plan: PlanName, definition: PlanDefinition, nowMs: number): void {
  state.definition = definition;
  state.plan = plan;
  replanRest(state, nowMs);
}

/** Moves a touch still to come to `at` (an operator's edit), keeping the list in time order. */
export function reschedule(state: YearState, seq: number, at: string): Touch {
  const touch = state.touches.find((t) => t.seq === seq)!;
  touch.at = at;
  state.touches.sort((a, b) => Date.parse(a.at) - Date.parse(b.at));
  return touch;
}

/** Why an operator's reschedule cannot be accepted, or undefined (the update's validator). */
export function rescheduleProblem(state: YearState, seq: number, at: string, nowMs: number): string | undefined {
  if (!state.touches.some((t) => t.seq === seq)) return `seq: no touch ${seq} still to come`;
  const ms = Date.parse(at);
  if (ms < nowMs) return 'at: is in the past';
  if (ms >= state.yearEndMs) return "at: is after this plan year's end";
  return undefined;
}

/** The customer opted out of (or back into) a channel: every touch to come picks its channel again. */
export function changeConsent(state: YearState, channel: Channel, allowed: boolean): void {
  state.customer = { ...state.customer, consent: { ...state.customer.consent, [channel]: allowed } };
  for (const t of state.touches) t.channel = chooseChannel(channelKeyOf(t), state.customer, state.definition);
}

/** Ends a pause: touches that fell due meanwhile are skipped, not sent late. Returns them. */
export function resume(state: YearState, nowMs: number): DoneTouch[] {
  if (!state.paused) return [];
  state.paused = false;
  return state.touches.filter((x) => Date.parse(x.at) < nowMs && isEligible(state, x)).map((t) => skip(state, t, 'due while paused by an operator', nowMs));
}

export type CallReminderDue = NonNullable<ReturnType<typeof nextCallReminder>>;

/** A reminder or escalation went out (or could not): it is not owed again; the task is with `assignee`. */
export function markReminded(reminder: CallReminderDue, assignee: string, nowMs: number): void {
  const at = new Date(nowMs).toISOString();
  if (reminder.stage === 'reminder') reminder.call.remindedAt = at;
  else reminder.call.escalatedAt = at;
  reminder.call.assignee = assignee;
}

/** What the year waits for next: a call reminder, the next touch, or the year's end. */
export interface Wake {
  atMs: number;
  what: 'reminder' | 'touch' | 'year-end';
  touch?: Touch;
  reminder?: CallReminderDue;
  /** The timer's summary in Temporal UI. */
  summary: string;
}

export function nextWake(state: YearState, opts: { reminders: boolean }): Wake {
  const next = nextDue(state);
  const reminder = opts.reminders ? nextCallReminder(state) : undefined;
  const touchAtMs = Math.min(next ? Date.parse(next.at) : state.yearEndMs, state.yearEndMs);
  if (reminder && reminder.atMs < touchAtMs) return { atMs: reminder.atMs, what: 'reminder', reminder, touch: next, summary: `Until the call ${reminder.stage} (${reminder.call.taskId})` };
  if (next && touchAtMs < state.yearEndMs) return { atMs: touchAtMs, what: 'touch', touch: next, summary: `Until ${touchSummary(next)}` };
  return { atMs: touchAtMs, what: next ? 'touch' : 'year-end', ...(next ? { touch: next } : {}), summary: `Until the end of plan year ${state.planYear}` };
}

/** The state the status query and the store report for this year. */
export function yearStateName(state: YearState): YearProgress['state'] {
  if (state.handedOver) return 'converted';
  return state.cancelled ? 'cancelled' : state.paused ? 'paused' : state.touches.length === 0 ? 'year-complete' : 'running';
}

/**
 * What the store should know that no delivery wrote: outcomes other than `sent` (a delivery
 * writes its own), call outcomes, referrals, deals and where the year stands.
 */
export function progressOf(state: YearState, ids: { customerId: string; workflowId: string }, nowMs: number): YearProgress {
  return {
    customerId: ids.customerId,
    workflowId: ids.workflowId,
    name: [state.customer.name.first, state.customer.name.last].filter(Boolean).join(' '),
    agent: state.customer.agent,
    plan: state.plan,
    planYear: state.planYear,
    state: yearStateName(state),
    referralIds: [...state.referralIds],
    ...(state.referralVia ? { referralVia: { ...state.referralVia } } : {}),
    deals: state.deals.map((d) => ({ id: d.id, closedAt: d.closedAt, ...(d.value !== undefined ? { value: d.value } : {}) })),
    outcomes: state.done
      .filter((t) => t.outcome !== 'sent')
      .map((t) => ({ key: touchKey(ids.workflowId, state.planYear, t.seq), seq: t.seq, kind: t.kind, channel: t.channel, outcome: t.outcome, ...(t.reason ? { reason: t.reason } : {}), at: t.at, doneAt: t.doneAt })),
    calls: state.calls.filter((c) => c.outcome).map((c) => ({ taskId: c.taskId, outcome: c.outcome!, ...(c.notes ? { notes: c.notes } : {}), ...(c.completedAt ? { completedAt: c.completedAt } : {}) })),
    at: new Date(nowMs).toISOString(),
    household: householdOf(state.customer) ?? null,
    segment: state.customer.segment ?? null,
    ...(state.holdout ? { holdout: true } : {}),
    planned: [...state.done, ...state.touches].map((t) => ({ key: touchKey(ids.workflowId, state.planYear, t.seq), kind: t.kind, channel: t.channel, at: t.at, ...costOf(t, state.definition.costs), dropped: Boolean(t.dropped) })),
  };
}

/** Changes only when the store has something new to learn (the snapshot's time aside). */
export function progressDigest(p: YearProgress): string {
  // Only what decided a batch before the budget and households came: the touches' costs and the
  // household ride along with the next batch, and a change to them alone sends none (a new send
  // would be a new activity in a running year's history).
  return JSON.stringify({ ...p, at: undefined, planned: undefined, segment: undefined, household: undefined, referralVia: undefined, holdout: undefined });
}

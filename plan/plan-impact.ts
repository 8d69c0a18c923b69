// What a plan change would do to a running year, before it is applied (the web app's "plan
// change" page): the rest of the year re-planned with another definition exactly as the year
// itself re-plans (year-state.ts `switchPlan`: done touches stay done, seqs of kept slots stay put,
// touches the year added while running stay), and the difference from what is planned now, touch
// by touch: added, removed, moved, channel changed. Pure: no clock, no I/O.
import type { PlanDefinition } from './definitions';
import type { SendingHours } from './sending-hours';
import type { Touch, TouchKind } from './touch';
import type { CustomerStatus } from './year-records';
import { switchPlan, type YearState } from './year-state';

export interface TouchChange {
  /** The touch's identity in its year (`newsletter-3`, `call-2`; `seq-<n>` for a touch without a slot). */
  slot: string;
  kind: TouchKind;
  title: string;
  change: 'added' | 'removed' | 'changed';
  /** Changed: another time. */
  moved: boolean;
  /** Changed: another channel. */
  channelChanged: boolean;
  /** As planned now (unset when added). */
  before?: { seq: number; at: string; channel: Touch['channel'] };
  /** As it would be (unset when removed). */
  after?: { seq: number; at: string; channel: Touch['channel'] };
}

export interface ImpactCounts {
  /** Touches that would change in any way (each counted once). */
  touches: number;
  added: number;
  removed: number;
  moved: number;
  channelChanged: number;
}

const keyOf = (t: Touch) => t.slot ?? `seq-${t.seq}`;
const byKey = (touches: readonly Touch[]) => new Map(touches.map((t) => [keyOf(t), t]));
const sameTime = (a: Touch, b: Touch) => Date.parse(a.at) === Date.parse(b.at);
const same = (a: Touch | undefined, b: Touch | undefined) =>
  a === undefined || b === undefined ? a === b : sameTime(a, b) && a.channel === b.channel && a.kind === b.kind && a.title === b.title && a.dropped === b.dropped;
const side = (t: Touch) => ({ seq: t.seq, at: t.at, channel: t.channel });

/**
 * The touches still to come that differ between `current` (planned now) and `proposed`, matched by
 * slot. With `baseline` (the same year re-planned with the definition it runs on), a touch whose
 * proposed form equals its baseline form is not reported: it differs from `current` for reasons of
 * the year's own (a touch held for quiet hours, moved by an operator), not because of the change.
 * In the order of `current`, then the added ones by time.
 */
export function diffTouches(current: readonly Touch[], proposed: readonly Touch[], baseline?: readonly Touch[]): TouchChange[] {
  const now = byKey(current);
  const next = byKey(proposed);
  const base = baseline ? byKey(baseline) : undefined;
  const changes: TouchChange[] = [];
  const keys = [...now.keys(), ...[...next.keys()].filter((k) => !now.has(k)).sort((a, b) => Date.parse(next.get(a)!.at) - Date.parse(next.get(b)!.at))];
  for (const key of keys) {
    const before = now.get(key);
    const after = next.get(key);
    if (base && same(base.get(key), after)) continue;
    if (same(before, after)) continue;
    const shown = (after ?? before)!;
    const common = { slot: key, kind: shown.kind, title: shown.title };
    if (!before) changes.push({ ...common, change: 'added', moved: false, channelChanged: false, after: side(after!) });
    else if (!after) changes.push({ ...common, change: 'removed', moved: false, channelChanged: false, before: side(before) });
    else changes.push({ ...common, change: 'changed', moved: !sameTime(before, after), channelChanged: before.channel !== after.channel, before: side(before), after: side(after) });
  }
  return changes;
}

export function countChanges(changes: readonly TouchChange[]): ImpactCounts {
  return {
    touches: changes.length,
    added: changes.filter((c) => c.change === 'added').length,
    removed: changes.filter((c) => c.change === 'removed').length,
    moved: changes.filter((c) => c.moved).length,
    channelChanged: changes.filter((c) => c.channelChanged).length,
  };
}

const copy = <T>(v: T): T => JSON.parse(JSON.stringify(v)) as T;

/** The year of a status, as the workflow holds it (what re-planning needs). */
function stateOf(status: CustomerStatus, definition: PlanDefinition, sendingHours: SendingHours): YearState {
  return {
    customer: copy(status.customer),
    plan: status.plan,
    definition,
    planYear: status.planYear,
    yearStartMs: Date.parse(status.yearStartedAt),
    yearEndMs: Date.parse(status.yearEndsAt),
    sendingHours,
    touches: copy(status.nextTouches),
    done: copy(status.touchesDone),
    deals: copy(status.deals),
    referralIds: [],
    pledged: false,
    calls: copy(status.calls),
    reachedCalls: status.calls.filter((c) => c.outcome === 'reached').length,
    paused: status.state === 'paused',
    ...(status.holdout ? { holdout: true } : {}),
  };
}

/**
 * The touches still to come if the year switched to `definition` at `nowMs`: the year's own
 * re-plan (plan/engine.ts `replan` through `switchPlan`), on a copy. `sendingHours` is the
 * business's default (a customer's own hours win, as in the year).
 */
export function replannedTouches(status: CustomerStatus, definition: PlanDefinition, sendingHours: SendingHours, nowMs: number): Touch[] {
  const state = stateOf(status, definition, sendingHours);
  switchPlan(state, status.plan, definition, nowMs);
  return state.touches;
}

/**
 * "Now" for a year: the later of the caller's clock and the year's last recorded progress (a year
 * on another clock, such as a test server's, is never re-planned into its own past).
 */
export function yearNowMs(status: CustomerStatus, nowMs: number): number {
  return Math.max(nowMs, ...status.touchesDone.map((t) => Date.parse(t.doneAt)).filter(Number.isFinite));
}

export interface PersonImpact {
  changes: TouchChange[];
  counts: ImpactCounts;
}

/**
 * What switching a running year from `current` (the definition it runs on) to `proposed` would
 * change in its touches still to come, against the year's `nextTouches`.
 */
export function personImpact(status: CustomerStatus, defs: { current: PlanDefinition; proposed: PlanDefinition }, sendingHours: SendingHours, nowMs: number): PersonImpact {
  if (JSON.stringify(defs.current) === JSON.stringify(defs.proposed)) return { changes: [], counts: countChanges([]) };
  const at = yearNowMs(status, nowMs);
  const baseline = replannedTouches(status, defs.current, sendingHours, at);
  const proposed = replannedTouches(status, defs.proposed, sendingHours, at);
  const changes = diffTouches(status.nextTouches, proposed, baseline);
  return { changes, counts: countChanges(changes) };
}

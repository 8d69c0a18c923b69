// What a plan change would do to a running year (plan/plan-impact.ts), pure: the touch-by-touch
// difference (added, removed, moved, channel changed), the baseline that keeps a year's own
// deviations (a held touch) out of it, and a whole year re-planned with a segment's new overrides.
// A pinned year start and clock: no server.
import { describe, expect, it } from 'vitest';
import { customerSchema, type CustomerInput } from '../plan/customer';
import { parsePlanOverrides, resolvePlan } from '../plan/definitions';
import { countChanges, diffTouches, personImpact, replannedTouches, yearNowMs } from '../plan/plan-impact';
import type { Touch } from '../plan/touch';
import * as year from '../plan/year-state';
import { customer } from './fixtures/customers';

const START = Date.parse('2027-01-01T00:00:00+03:00');
const HOURS = { startMinute: 540, endMinute: 1140 };

const t = (seq: number, slot: string, at: string, channel: Touch['channel'], kind: Touch['kind'] = 'newsletter'): Touch => ({ seq, kind, channel, at, title: slot, slot });

function statusOf(overrides: Partial<CustomerInput> = {}) {
  const state = year.newYear({
    customer: customerSchema.parse(customer(overrides)),
    plan: 'client-for-life',
    definition: resolvePlan('client-for-life', { segment: overrides.segment }),
    planYear: 1,
    yearStartMs: START,
    sendingHours: HOURS,
    deals: [{ id: 'D-1', closedAt: '2026-12-31', value: 500000 }],
    referralIds: [],
    pledged: false,
  });
  return year.status(state, 'cust-0001');
}

describe('diffTouches', () => {
  const current = [
    t(1, 'newsletter-2', '2027-02-05T10:00:00+03:00', 'email'),
    t(2, 'call-1', '2027-02-10T11:00:00+03:00', 'phone', 'call'),
    t(3, 'holiday-eid', '2027-03-20T10:00:00+03:00', 'postal', 'holiday-card'),
    t(4, 'newsletter-3', '2027-03-05T10:00:00+03:00', 'email'),
  ];

  it('names what is added, removed, moved and on another channel, matched by slot', () => {
    const proposed = [
      t(1, 'newsletter-2', '2027-02-05T07:00:00Z', 'email'), // the same instant, written in UTC: unchanged
      t(2, 'call-1', '2027-02-12T11:00:00+03:00', 'phone', 'call'), // moved
      t(3, 'holiday-eid', '2027-03-20T10:00:00+03:00', 'email', 'holiday-card'), // channel
      t(5, 'give-away-x', '2027-04-01T10:00:00+03:00', 'postal', 'give-away'), // added
    ];
    const changes = diffTouches(current, proposed);
    expect(changes.map((c) => [c.slot, c.change, c.moved, c.channelChanged])).toEqual([
      ['call-1', 'changed', true, false],
      ['holiday-eid', 'changed', false, true],
      ['newsletter-3', 'removed', false, false],
      ['give-away-x', 'added', false, false],
    ]);
    expect(changes[1]).toMatchObject({ before: { seq: 3, channel: 'postal' }, after: { seq: 3, channel: 'email' } });
    expect(countChanges(changes)).toEqual({ touches: 4, added: 1, removed: 1, moved: 1, channelChanged: 1 });
    expect(diffTouches(current, current)).toEqual([]);
  });

  it('leaves out what the year changed itself: a touch held later is not a change when the new plan keeps its slot', () => {
    const held = [{ ...current[0]!, at: '2027-02-06T09:00:00+03:00', firstAt: current[0]!.at, held: 'quiet hours' }, ...current.slice(1)];
    const replanned = current; // the year's own re-plan puts the newsletter back on its planned day
    const proposed = [current[0]!, current[1]!, { ...current[2]!, channel: 'sms' as const }, current[3]!];
    // Against the list alone the held newsletter would look moved; with the baseline, only the card is a change.
    expect(diffTouches(held, proposed).map((c) => c.slot)).toEqual(['newsletter-2', 'holiday-eid']);
    expect(diffTouches(held, proposed, replanned).map((c) => c.slot)).toEqual(['holiday-eid']);
  });
});

describe('a year re-planned with new overrides', () => {
  it("a segment's newsletters by SMS: every newsletter still to come changes channel, nothing moves", () => {
    const st = statusOf({ segment: 'vip' });
    const overrides = parsePlanOverrides({ segments: { vip: { 'client-for-life': { channels: { newsletter: ['sms'] } } } } });
    const proposed = resolvePlan('client-for-life', { segment: 'vip', overrides });
    const impact = personImpact(st, { current: resolvePlan('client-for-life', { segment: 'vip' }), proposed }, HOURS, START);
    const newsletters = st.nextTouches.filter((x) => x.kind === 'newsletter');
    expect(newsletters).toHaveLength(12);
    expect(impact.counts).toEqual({ touches: 12, added: 0, removed: 0, moved: 0, channelChanged: 12 });
    expect(impact.changes.every((c) => c.kind === 'newsletter' && c.before!.channel === 'email' && c.after!.channel === 'sms' && c.before!.seq === c.after!.seq)).toBe(true);
  });

  it('fewer newsletters: the last ones are removed, kept slots keep their seqs; another segment is untouched', () => {
    const overrides = parsePlanOverrides({ segments: { b: { 'client-for-life': { counts: { newsletter: 10 } } } } });
    const st = statusOf({ segment: 'b' });
    const impact = personImpact(st, { current: resolvePlan('client-for-life', { segment: 'b' }), proposed: resolvePlan('client-for-life', { segment: 'b', overrides }) }, HOURS, START);
    expect(impact.changes.filter((c) => c.change === 'removed').map((c) => c.slot)).toEqual(['newsletter-11', 'newsletter-12']);
    expect(impact.counts.added).toBe(0);
    // Nothing else changes, and every kept slot keeps its seq in the re-planned year.
    expect(impact.changes.filter((c) => c.change !== 'removed')).toEqual([]);
    const proposed = replannedTouches(st, resolvePlan('client-for-life', { segment: 'b', overrides }), HOURS, yearNowMs(st, START));
    const kept = st.nextTouches.filter((t) => proposed.some((p) => p.slot === t.slot));
    expect(kept.length).toBe(st.nextTouches.length - 2);
    for (const t of kept) expect(proposed.find((p) => p.slot === t.slot)!.seq, t.slot).toBe(t.seq);
    // Someone in another segment: the same definition before and after, no change.
    const other = statusOf({ segment: 'vip' });
    const def = resolvePlan('client-for-life', { segment: 'vip' });
    expect(personImpact(other, { current: def, proposed: resolvePlan('client-for-life', { segment: 'vip', overrides }) }, HOURS, START).counts.touches).toBe(0);
    expect(replannedTouches(other, def, HOURS, START).map((x) => [x.slot, x.seq, x.at])).toEqual(other.nextTouches.map((x) => [x.slot, x.seq, x.at]));
  });

  it("re-plans from the year's own clock when it runs ahead of the caller's", () => {
    const st = statusOf();
    expect(yearNowMs(st, START)).toBe(START);
    const done = { ...st.nextTouches[0]!, outcome: 'sent' as const, doneAt: '2027-01-02T07:00:00.000Z' };
    expect(yearNowMs({ ...st, touchesDone: [done] }, START)).toBe(Date.parse('2027-01-02T07:00:00Z'));
  });
});

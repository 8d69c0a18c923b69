// The plan engine: a customer's year as a list of touches, from a plan definition. Pure and
// deterministic (no clock, no randomness, no I/O): the workflow, the CLI's preview and the
// tests get the same answer for the same input, and it runs inside the workflow sandbox.
//
// How a year is laid out (local calendar days of the customer's zone):
// 1. fixed-date touches first: holiday cards, then personal cards (own occasions, the deal's
//    anniversary, gap fillers). A postal card is dispatched `postalLeadDays` before its
//    occasion; email and SMS go on the day itself.
// 2. then movable touches, each on the free day nearest its ideal day (later first on a
//    tie): newsletters (kept inside their month when possible), calls, follow-up letters
//    (never earlier than their tentative day), give-aways, value-added items.
// At most one touch per local day (touches with channel `none` count too: consent may come
// back before the day). Every touch lies inside the sending hours and inside the year.
import { DateTime } from './luxon';
import { chooseChannel } from './channels';
import type { Customer } from './customer';
import type { PlanDefinition, Timing } from './definitions';
import { remembranceDays, selectHolidays } from './holidays';
import { civilOf, clampedDay, dayOfIso, epochDay, isoDay, nextFillDay, occurrences, personalSlot, personalTitle } from './occasions';
import { nextSendingSlot, toSendingHours, type SendingHours } from './sending-hours';
import { TRANSACTIONAL_KINDS, type Touch } from './touch';
import { overBudget } from './budget';

export interface YearPlanInput {
  /** Already parsed with customerSchema. */
  customer: Customer;
  definition: PlanDefinition;
  /** The instant the plan year starts; the year is [start, start + 1 calendar year in the customer's zone). */
  yearStartMs: number;
  /** The business's default; the customer's own `sendingHours` wins. */
  sendingHours: SendingHours;
  /** In the holdout group: only the transactional minimum (plan/touch.ts TRANSACTIONAL_KINDS). */
  holdout?: boolean;
}

const MONTHS = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];

export function hoursFor(customer: Pick<Customer, 'sendingHours'>, fallback: SendingHours): SendingHours {
  return customer.sendingHours ? toSendingHours(customer.sendingHours) : fallback;
}

const isoAt = (dt: DateTime) => dt.toISO({ suppressMilliseconds: true })!;

/**
 * The first instant at or after `ms` inside the sending window. Unlike a bare
 * `nextSendingSlot`, it also skips a day whose window a DST gap swallows (e.g. 02:00-03:00
 * on the night clocks spring forward).
 */
export function sendingSlotAtOrAfter(ms: number, zone: string, hours: SendingHours): DateTime {
  let from = ms;
  for (let i = 0; i < 8; i++) {
    const dt = nextSendingSlot(from, zone, hours);
    const minute = dt.hour * 60 + dt.minute;
    if (minute >= hours.startMinute && minute < hours.endMinute && dt.toMillis() >= ms) return dt;
    from = dt.plus({ days: 1 }).startOf('day').toMillis();
  }
  throw new Error(`no sending slot in ${zone} within a week of ${new Date(ms).toISOString()}`);
}

/** The calendar of one plan year: which local days exist, which are taken, where a touch can go. */
class YearCalendar {
  readonly first: number;
  readonly last: number;
  private readonly taken = new Set<number>();

  constructor(
    readonly zone: string,
    readonly hours: SendingHours,
    readonly startMs: number,
    readonly endMs: number,
  ) {
    this.first = this.dayOf(startMs);
    this.last = this.dayOf(endMs);
  }

  /** The local calendar day (epoch day) of an instant. */
  dayOf(ms: number): number {
    const dt = DateTime.fromMillis(ms, { zone: this.zone });
    return epochDay(dt.year, dt.month, dt.day);
  }

  isFree(day: number): boolean {
    return !this.taken.has(day);
  }

  take(day: number): void {
    this.taken.add(day);
  }

  /**
   * The instant on local day `day` at `minute` (minutes after midnight; the window's start
   * when outside the window), not before the year's start; undefined when the day has no
   * such slot inside the window and the year (a DST gap, a day cut by the year's bounds).
   */
  slotOn(day: number, minute: number): number | undefined {
    if (day < this.first || day > this.last) return undefined;
    const { startMinute, endMinute } = this.hours;
    const m = minute >= startMinute && minute < endMinute ? minute : startMinute;
    const c = civilOf(day);
    let dt: DateTime = DateTime.fromObject({ year: c.year, month: c.month, day: c.day, hour: Math.floor(m / 60), minute: m % 60 }, { zone: this.zone });
    if (dt.toMillis() < this.startMs) dt = nextSendingSlot(this.startMs, this.zone, this.hours);
    const ms = dt.toMillis();
    if (ms < this.startMs || ms >= this.endMs) return undefined;
    if (dt.year !== c.year || dt.month !== c.month || dt.day !== c.day) return undefined;
    const local = dt.hour * 60 + dt.minute;
    return local >= startMinute && local < endMinute ? ms : undefined;
  }

  /** The first free day of `days` that has a slot; taken when found. */
  claimFirst(days: Iterable<number>, minute: number): Placement | undefined {
    for (const day of days) {
      if (!this.isFree(day)) continue;
      const ms = this.slotOn(day, minute);
      if (ms === undefined) continue;
      this.take(day);
      return { day, ms };
    }
    return undefined;
  }

  /**
   * The free day nearest `target` (later first on a tie), inside [lo, hi] when possible,
   * else anywhere in the year. Throws only when the whole year is full.
   */
  claimNearest(target: number, minute: number, ranges: Array<[number, number]>): Placement {
    for (const [lo, hi] of [...ranges, [this.first, this.last] as [number, number]]) {
      const from = Math.max(lo, this.first);
      const to = Math.min(hi, this.last);
      if (from > to) continue;
      const span = Math.max(Math.abs(target - from), Math.abs(to - target));
      const found = this.claimFirst(nearest(target, span, from, to), minute);
      if (found) return found;
    }
    throw new Error('no free day left in the plan year');
  }
}

interface Placement {
  day: number;
  ms: number;
}

function* nearest(target: number, span: number, lo: number, hi: number): Generator<number> {
  for (let k = 0; k <= span; k++) {
    if (target + k >= lo && target + k <= hi) yield target + k;
    if (k > 0 && target - k >= lo && target - k <= hi) yield target - k;
  }
}

function* range(from: number, to: number, step = 1): Generator<number> {
  for (let d = from; step > 0 ? d <= to : d >= to; d += step) yield d;
}

type Draft = Omit<Touch, 'seq' | 'at'> & { ms: number; slot: string };

function timingDay(cal: YearCalendar, timing: Timing): number {
  if ('annual' in timing) {
    const month = Number(timing.annual.slice(0, 2));
    const day = Number(timing.annual.slice(3, 5));
    const start = civilOf(cal.first);
    for (const year of [start.year, start.year + 1]) {
      const d = clampedDay(year, month, day);
      if (d >= cal.first && d <= cal.last) return d;
    }
    return cal.first;
  }
  const start = civilOf(cal.first);
  const monthIndex = start.month - 1 + timing.months;
  const year = start.year + Math.floor(monthIndex / 12);
  const month = (monthIndex % 12) + 1;
  return Math.min(cal.last, clampedDay(year, month, start.day) + timing.days);
}

/**
 * A customer's own minute in [0, windowMinutes): FNV-1a of the id, so the same customer always
 * gets the same minute (a re-plan moves nothing) and customers spread evenly.
 */
export function spreadOffsetMinutes(customerId: string, windowMinutes: number): number {
  if (windowMinutes <= 0) return 0;
  let h = 0x811c9dc5;
  for (let i = 0; i < customerId.length; i++) {
    h ^= customerId.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h % windowMinutes;
}

export function planTouches(input: YearPlanInput): Touch[] {
  const { customer, definition: def } = input;
  const zone = customer.timezone;
  const hours = hoursFor(customer, input.sendingHours);
  const endMs = DateTime.fromMillis(input.yearStartMs, { zone }).plus({ years: 1 }).toMillis();
  const cal = new YearCalendar(zone, hours, input.yearStartMs, endMs);
  const drafts: Draft[] = [];
  const channel = (kind: Parameters<typeof chooseChannel>[0]) => chooseChannel(kind, customer, def);
  const lead = (ch: string) => (ch === 'postal' ? def.postalLeadDays : 0);
  // Spread: each customer's planned touches sit at their own minute inside the definition's
  // window, so a million customers' newsletters do not all fall due at 10:00 sharp.
  const offset = spreadOffsetMinutes(customer.id, def.spreadMinutes ?? 0);
  const cardMinute = def.touchHour * 60 + offset;

  // 0. The first newsletter is the welcome issue, at the first sending slot of the year, so
  //    the customer hears from us at once. Holiday cards keep off its day where they can
  //    (a card on the holiday itself still wins, and the welcome moves to the next free day).
  const newsletterChannel = channel('newsletter');
  const start = civilOf(cal.first);
  const welcome = sendingSlotAtOrAfter(input.yearStartMs, zone, hours);
  const welcomeDay = cal.dayOf(welcome.toMillis());
  const welcomeMinute = welcome.hour * 60 + welcome.minute;

  // 1a. Holiday cards: on the holiday (postal: dispatched ahead, a day later at worst if
  //     that day is taken, never after the holiday).
  const holidayChannel = channel('holiday-card');
  const holidays = selectHolidays({
    country: customer.address?.country,
    from: isoDay(cal.first),
    // Version 2 on: a holiday on the day the next year starts belongs to the next year's cards.
    to: isoDay(def.holidays.selection === 'rank' ? cal.dayOf(cal.endMs - 1) : cal.last),
    count: def.counts['holiday-card'],
    settings: def.holidays,
    place: (c) => {
      const day = dayOfIso(c.date);
      const window = [...range(day - lead(holidayChannel), day)];
      return cal.claimFirst(window.filter((d) => d !== welcomeDay), cardMinute) ?? cal.claimFirst(window, cardMinute);
    },
  });
  for (const { candidate, placed } of holidays) {
    drafts.push({ kind: 'holiday-card', channel: holidayChannel, ms: placed.ms, title: candidate.title, occasion: candidate.title, slot: candidate.slot, ...(def.holidays.selection === 'rank' ? { holidayDate: candidate.date } : {}) });
  }
  // 1a'. Remembrance cards, only for the solemn days the business chose to mark (none by
  //      default): like a holiday card, on the day or posted ahead; one per day.
  if (def.holidays.selection === 'rank') {
    const taken = new Set(holidays.map((h) => h.candidate.date));
    for (const day of remembranceDays(customer.address?.country, isoDay(cal.first), isoDay(cal.dayOf(cal.endMs - 1)), def.holidays)) {
      if (taken.has(day.date)) continue;
      const d = dayOfIso(day.date);
      const placed = cal.claimFirst([...range(d - lead(holidayChannel), d)], cardMinute);
      if (!placed) continue;
      taken.add(day.date);
      drafts.push({ kind: 'remembrance-card', channel: holidayChannel, ms: placed.ms, title: day.title, occasion: day.title, slot: day.slot, holidayDate: day.date });
    }
  }

  const welcomePlaced = cal.claimFirst([welcomeDay], welcomeMinute) ?? cal.claimNearest(welcomeDay, welcomeMinute, [[welcomeDay, welcomeDay + 27]]);
  drafts.push({ kind: 'newsletter', channel: newsletterChannel, ms: welcomePlaced.ms, title: `${MONTHS[start.month - 1]} ${start.year} newsletter`, slot: 'newsletter-1' });

  // 1b. Personal cards. A taken day moves the card earlier (up to personal.maxDaysEarly),
  //     then later but not after the occasion; failing that, the nearest free day.
  const personalChannel = channel('personal-card');
  const personalLead = lead(personalChannel);
  const placePersonal = (occasionDays: number[]): Placement | undefined => {
    for (const day of occasionDays) {
      const target = day - personalLead;
      const found = cal.claimFirst([...range(target, target - def.personal.maxDaysEarly, -1), ...range(target + 1, day)], cardMinute);
      if (found) return found;
    }
    const first = occasionDays[0];
    return first === undefined ? undefined : cal.claimNearest(first - personalLead, cardMinute, [[first - personalLead - def.personal.maxDaysEarly, first]]);
  };
  const wanted = def.counts['personal-card'];
  const personalDays: number[] = [];
  const usedSlots = new Set<string>(def.personal.dealAnniversary ? ['personal-deal-anniversary'] : []);
  const addPersonal = (occasionDays: number[], title: string, occasion: string, slot: string): boolean => {
    if (personalDays.length >= wanted) return false;
    const placed = placePersonal(occasionDays);
    if (!placed) return false;
    personalDays.push(occasionDays[0]!);
    drafts.push({ kind: 'personal-card', channel: personalChannel, ms: placed.ms, title, occasion, slot });
    return true;
  };
  // The customer's own occasions first, in the order given...
  for (const p of customer.personalDates) {
    if (personalDays.length >= wanted) break;
    const days = occurrences(p.date, cal.first, cal.last);
    if (days.length > 0) addPersonal(days, personalTitle(p.occasion), p.occasion, personalSlot(p.occasion, usedSlots));
  }
  // ...then the deal's anniversary: the plan year starts on the deal's date (or its
  // anniversary), so the next anniversary is the day the year ends; the card is for that
  // day, or the last day of the year when the end comes before the day's sending slot.
  if (def.personal.dealAnniversary) addPersonal([cal.last], def.personal.dealAnniversaryTitle, 'deal-anniversary', 'personal-deal-anniversary');
  // ...then "thinking of you" cards, each in the middle of the largest gap left between
  //    the year's first day, the occasions and the year's last day; numbered by date.
  const fills: number[] = [];
  while (personalDays.length + fills.length < wanted) fills.push(nextFillDay([...personalDays, ...fills], cal.first, cal.last));
  fills.sort((a, b) => a - b);
  fills.forEach((day, i) => addPersonal([day], def.personal.fillTitle, 'thinking-of-you', personalSlot(`thinking-of-you-${i + 1}`, usedSlots)));

  // 2a. Newsletters: the rest, one per following calendar month, on newsletterDay.
  for (let k = 1; k < def.counts.newsletter; k++) {
    const monthIndex = start.month - 1 + k;
    const year = start.year + Math.floor(monthIndex / 12);
    const month = (monthIndex % 12) + 1;
    const target = clampedDay(year, month, def.newsletterDay);
    const minute = def.newsletterHour * 60 + offset;
    const monthRange: [number, number] = [epochDay(year, month, 1), clampedDay(year, month, 31)];
    const placed = cal.claimNearest(target, minute, [monthRange]);
    drafts.push({ kind: 'newsletter', channel: newsletterChannel, ms: placed.ms, title: `${MONTHS[month - 1]} ${year} newsletter`, slot: `newsletter-${k + 1}` });
  }

  // 2b. Calls: the first within calls.firstWithinDays, the others evenly spaced after it.
  const callChannel = channel('call');
  const calls = def.counts.call;
  const span = cal.last - cal.first;
  const callDays: Placement[] = [];
  for (let k = 0; k < calls; k++) {
    const target = cal.first + def.calls.firstAfterDays + Math.round((k * (span - def.calls.firstAfterDays)) / calls);
    const ranges: Array<[number, number]> = k === 0 ? [[cal.first, cal.first + def.calls.firstWithinDays - 1]] : [];
    const placed = cal.claimNearest(target, def.calls.hour * 60 + offset, ranges);
    callDays.push(placed);
    drafts.push({ kind: 'call', channel: callChannel, ms: placed.ms, title: `Check-in call ${k + 1} of ${calls}`, slot: `call-${k + 1}` });
  }

  // 2c. Follow-up letters, tentatively after calls 1..n as if each reached the customer;
  //     the workflow re-times a letter when its call is actually reached.
  const letterChannel = channel('follow-up-letter');
  for (let k = 0; k < def.counts['follow-up-letter']; k++) {
    const call = callDays[k]!;
    const at = letterSlot(zone, def, call.ms, hours);
    const target = cal.dayOf(at.toMillis());
    const placed = cal.claimNearest(target, at.hour * 60 + at.minute, [[target, cal.last]]);
    drafts.push({ kind: 'follow-up-letter', channel: letterChannel, ms: placed.ms, title: `Follow-up letter ${k + 1}: great talking to you`, slot: `follow-up-${k + 1}` });
  }

  // 2d. Give-aways.
  const giftChannel = channel('give-away');
  def.giveAways.slice(0, def.counts['give-away']).forEach((item, i) => {
    const placed = cal.claimNearest(timingDay(cal, item.timing), cardMinute, []);
    drafts.push({ kind: 'give-away', channel: giftChannel, ms: placed.ms, title: item.title, occasion: item.id, slot: `give-away-${i + 1}` });
  });

  // 2d'. The NPS survey (version 3 on): after the 33, on the free day nearest its day (before the
  //     advocate's extras, so that a switch to advocate moves nothing already planned).
  if (def.survey) {
    const placed = cal.claimNearest(timingDay(cal, { months: 0, days: def.survey.afterDays }), cardMinute, []);
    drafts.push({ kind: 'nps-survey', channel: channel('nps-survey'), ms: placed.ms, title: 'How likely are you to recommend us?', occasion: 'nps', slot: 'nps-survey' });
  }

  // 2e. Value-added items (advocate).
  const valueChannel = channel('value-added');
  for (const item of def.valueAdded) {
    const met = item.requires !== 'favoriteTeam' || Boolean(customer.favoriteTeam);
    if (!met && !item.otherwise) continue;
    const { id, title } = met ? item : item.otherwise!;
    const placed = cal.claimNearest(timingDay(cal, item.timing), cardMinute, []);
    drafts.push({ kind: 'value-added', channel: valueChannel, ms: placed.ms, title: title.replace('{team}', customer.favoriteTeam ?? ''), occasion: id, slot: `value-added-${id}` });
  }

  // 2f. Reactivation letters (a dormant customer's year): remind, ask why, make an offer.
  const letterChannelOfYear = channel('newsletter');
  for (const item of def.reactivation ?? []) {
    const placed = cal.claimNearest(timingDay(cal, item.timing), cardMinute, []);
    drafts.push({ kind: 'reactivation-letter', channel: letterChannelOfYear, ms: placed.ms, title: item.title, occasion: item.id, slot: `reactivation-${item.id}` });
  }

  // The holdout group gets only the transactional minimum: what measures the plan, nothing that works it.
  const kept = input.holdout ? drafts.filter((d) => TRANSACTIONAL_KINDS.includes(d.kind)) : drafts;
  kept.sort((a, b) => a.ms - b.ms);
  const touches = kept.map(({ ms, ...d }, i) => touchOf({ seq: i + 1, ...d }, ms, zone));
  // 3. A budget cap (per customer-year, from the segment's overrides) drops optional touches.
  for (const drop of overBudget(touches, def.costs, def.budgetCap)) touches.find((t) => t.seq === drop.seq)!.dropped = drop.reason;
  return touches;
}

function touchOf(d: Omit<Touch, 'at'>, ms: number, zone: string): Touch {
  const t: Touch = { seq: d.seq, kind: d.kind, channel: d.channel, at: isoAt(DateTime.fromMillis(ms, { zone })), title: d.title };
  if (d.occasion !== undefined) t.occasion = d.occasion;
  if (d.slot !== undefined) t.slot = d.slot;
  if (d.holidayDate !== undefined) t.holidayDate = d.holidayDate;
  return t;
}

const byAt = (a: Touch, b: Touch) => Date.parse(a.at) - Date.parse(b.at) || a.seq - b.seq;

/**
 * Merges a new plan of the year into the running one. Touches of `next` whose slot matches
 * a touch of `previous` keep that touch's seq (so idempotency keys stay put); slots in
 * `doneSlots` are dropped (never sent twice); new slots get seqs above every seq used in
 * `previous`, in chronological order; a new slot that falls before `nowMs` is dropped (no
 * back-dated items). Sorted by `at`.
 */
export function replan(previous: Touch[], doneSlots: ReadonlySet<string>, next: Touch[], nowMs: number): Touch[] {
  const seqBySlot = new Map<string, number>();
  for (const t of previous) if (t.slot !== undefined && !seqBySlot.has(t.slot)) seqBySlot.set(t.slot, t.seq);
  let maxSeq = previous.reduce((m, t) => Math.max(m, t.seq), 0);
  const out: Touch[] = [];
  for (const t of [...next].sort(byAt)) {
    if (t.slot !== undefined && doneSlots.has(t.slot)) continue;
    const kept = t.slot !== undefined ? seqBySlot.get(t.slot) : undefined;
    if (kept !== undefined) out.push({ ...t, seq: kept });
    else if (Date.parse(t.at) >= nowMs) out.push({ ...t, seq: ++maxSeq });
  }
  return out.sort(byAt);
}

/**
 * The thank-you for the n-th referral (or pledge): a value-added touch at the first sending
 * slot at or after `atMs`, on the definition's `thank-you` channels.
 */
export function thankYouTouch(customer: Customer, definition: PlanDefinition, atMs: number, n: number, seq: number, sendingHours: SendingHours): Touch {
  const at = sendingSlotAtOrAfter(atMs, customer.timezone, hoursFor(customer, sendingHours));
  return {
    seq,
    kind: 'value-added',
    channel: chooseChannel('thank-you', customer, definition),
    at: isoAt(at),
    title: n === 1 ? 'Thank you for your referral' : `Thank you for your referral (#${n})`,
    occasion: 'referral-thank-you',
    slot: `thank-you-${n}`,
  };
}

/** When the follow-up letter after a reached call goes out: the first sending slot at least followUpDelayDays later. */
export function followUpLetterAt(customer: Customer, definition: PlanDefinition, callDoneMs: number, sendingHours: SendingHours): string {
  return isoAt(letterSlot(customer.timezone, definition, callDoneMs, hoursFor(customer, sendingHours)));
}

/** Calendar days in the customer's zone: "2 days later" stays at the same local time across DST. */
function letterSlot(zone: string, definition: PlanDefinition, callDoneMs: number, hours: SendingHours): DateTime {
  const after = DateTime.fromMillis(callDoneMs, { zone }).plus({ days: definition.followUpDelayDays }).toMillis();
  return sendingSlotAtOrAfter(after, zone, hours);
}

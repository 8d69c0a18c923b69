// Personal occasions: the customer's own dates (birthday, wedding anniversary, ...), the
// deal's anniversary, and the rule that fills the gap when fewer are known. Dates are
// handled as "epoch days" (whole local calendar days since 1970-01-01): zone-free
// arithmetic, no DST. Pure.
import { daysInMonth } from './dates';
import { slugify } from './holidays';

const DAY_MS = 86_400_000;

export interface CivilDate {
  year: number;
  month: number;
  day: number;
}

export function epochDay(year: number, month: number, day: number): number {
  return Date.UTC(year, month - 1, day) / DAY_MS;
}

export function civilOf(day: number): CivilDate {
  const d = new Date(day * DAY_MS);
  return { year: d.getUTCFullYear(), month: d.getUTCMonth() + 1, day: d.getUTCDate() };
}

/** `YYYY-MM-DD` of an epoch day. */
export function isoDay(day: number): string {
  return new Date(day * DAY_MS).toISOString().slice(0, 10);
}

/** `YYYY-MM-DD` -> epoch day. */
export function dayOfIso(date: string): number {
  return epochDay(Number(date.slice(0, 4)), Number(date.slice(5, 7)), Number(date.slice(8, 10)));
}

/** Month `month` of `year`, day clamped to the month's length (Feb 29 -> Feb 28 in common years). */
export function clampedDay(year: number, month: number, day: number): number {
  return epochDay(year, month, Math.min(day, daysInMonth(year, month)));
}

/**
 * The yearly recurrences of `date` (`YYYY-MM-DD`) on days first..last (epoch days,
 * inclusive), in order. Feb 29 falls on Feb 28 in common years. None before the date
 * itself: an occasion that has not happened yet has no anniversary.
 */
export function occurrences(date: string, first: number, last: number): number[] {
  const original = dayOfIso(date);
  const month = Number(date.slice(5, 7));
  const day = Number(date.slice(8, 10));
  const out: number[] = [];
  for (let y = civilOf(first).year; y <= civilOf(last).year; y++) {
    const d = clampedDay(y, month, day);
    if (d >= first && d <= last && d >= original) out.push(d);
  }
  return out;
}

/** "birthday" -> "Happy birthday", "wedding anniversary" -> "Happy wedding anniversary", "graduation" -> "Graduation". */
export function personalTitle(occasion: string): string {
  const text = occasion.trim();
  if (/birthday|anniversary/i.test(text) && !/^happy\b/i.test(text)) return `Happy ${text}`;
  return text.charAt(0).toUpperCase() + text.slice(1);
}

/** `personal-<slug>`, with -2, -3, ... when the slug is already used. Adds it to `used`. */
export function personalSlot(occasion: string, used: Set<string>): string {
  const base = `personal-${slugify(occasion)}`;
  let slot = base;
  for (let n = 2; used.has(slot); n++) slot = `${base}-${n}`;
  used.add(slot);
  return slot;
}

/**
 * The fill rule: the next gap-filling card goes in the middle of the largest gap between
 * the plan year's first day, the occasions already placed and the year's last day (ties:
 * the earlier gap). Repeated, three fills land near months 3, 6 and 9 of an empty year.
 */
export function nextFillDay(occasionDays: readonly number[], first: number, last: number): number {
  const points = [first, ...occasionDays.filter((d) => d >= first && d <= last), last].sort((a, b) => a - b);
  let from = first;
  let gap = -1;
  for (let i = 1; i < points.length; i++) {
    const g = points[i]! - points[i - 1]!;
    if (g > gap) {
      gap = g;
      from = points[i - 1]!;
    }
  }
  return from + Math.floor(gap / 2);
}

// Calendar dates as `YYYY-MM-DD` strings: validated as real dates (Feb 29 only in leap years)
// within DATE_RANGE, 1900-01-01 to 2199-12-31, wherever a date enters (API, CLI, CSV import, the
// web's forms): a birthday of the oldest person alive, a plan's year well ahead, and nothing the
// calendar code was not written for (years 0-999 and 10000+ are text the period arithmetic and
// luxon read differently). The JSON Schema patterns below say exactly the same, for the OpenAPI
// document (test/openapi.test.ts holds them to the zod schemas).
import { z } from 'zod';

export function isLeapYear(year: number): boolean {
  return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
}

export function daysInMonth(year: number, month: number): number {
  return [31, isLeapYear(year) ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1] ?? 0;
}

export function isRealDate(value: string): boolean {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value);
  if (!m) return false;
  const [year, month, day] = [Number(m[1]), Number(m[2]), Number(m[3])];
  return month >= 1 && month <= 12 && day >= 1 && day <= daysInMonth(year, month);
}

/** The first and last day a date may name, anywhere it enters. */
export const DATE_RANGE = { from: '1900-01-01', to: '2199-12-31' } as const;
export const DATE_RANGE_MESSAGE = `expected a date from ${DATE_RANGE.from} to ${DATE_RANGE.to}`;

/** A real `YYYY-MM-DD` inside DATE_RANGE (text compares as dates with four-digit years). */
export function isDateInRange(value: string): boolean {
  return isRealDate(value) && value >= DATE_RANGE.from && value <= DATE_RANGE.to;
}

/** Exactly the days isoDate takes, as one regular expression (JSON Schema `pattern`): years 1900-2199, Feb 29 in leap years (not 1900, 2100). */
export const DATE_PATTERN_SOURCE =
  '(?:(?:19|20|21)\\d\\d-(?:(?:0[13578]|1[02])-(?:0[1-9]|[12]\\d|3[01])|(?:0[469]|11)-(?:0[1-9]|[12]\\d|30)|02-(?:0[1-9]|1\\d|2[0-8]))' +
  '|(?:(?:19|21)(?:0[48]|[2468][048]|[13579][26])|20(?:0[048]|[2468][048]|[13579][26]))-02-29)';
export const DATE_PATTERN = `^${DATE_PATTERN_SOURCE}$`;
/** An instant as zod's `z.iso.datetime({ offset: true })` takes it (seconds required, `Z` or an offset), its date inside DATE_RANGE. */
export const DATE_TIME_PATTERN = `^${DATE_PATTERN_SOURCE}T(?:[01]\\d|2[0-3]):[0-5]\\d:[0-5]\\d(?:\\.\\d+)?(?:Z|[+-](?:[01]\\d|2[0-3]):[0-5]\\d)$`;

const zodDateTime = z.iso.datetime({ offset: true });

/** Which of the date schemas below a zod schema is (api/openapi.ts writes each as its JSON Schema format and pattern). */
export type DateKind = 'date' | 'date-time' | 'date-or-date-time';
export const dateKinds = new WeakMap<z.ZodType, DateKind>();
const known = <T extends z.ZodType>(schema: T, kind: DateKind): T => (dateKinds.set(schema, kind), schema);

/** A real `YYYY-MM-DD` from 1900-01-01 to 2199-12-31; `message` when it is not a real date, DATE_RANGE_MESSAGE when it lies outside. */
export const isoDateSchema = (message = 'expected a real date as YYYY-MM-DD') =>
  known(
    z.string().superRefine((value, ctx) => {
      if (!isRealDate(value)) ctx.addIssue({ code: 'custom', message });
      else if (!isDateInRange(value)) ctx.addIssue({ code: 'custom', message: DATE_RANGE_MESSAGE });
    }),
    'date',
  );

/** An ISO 8601 instant with a zone (`Z` or an offset), seconds included, whose date (as written, before its zone) lies in DATE_RANGE. */
export const isoDateTimeSchema = (message = 'expected an ISO date-time with a zone, e.g. 2027-03-10T09:00:00Z') =>
  known(
    z.string().superRefine((value, ctx) => {
      if (!zodDateTime.safeParse(value).success) ctx.addIssue({ code: 'custom', message });
      else if (!isDateInRange(value.slice(0, 10))) ctx.addIssue({ code: 'custom', message: DATE_RANGE_MESSAGE });
    }),
    'date-time',
  );

/** A day (YYYY-MM-DD) or an instant (ISO 8601 with a zone), either inside DATE_RANGE. */
export const isoDayOrInstantSchema = (message = 'expected a day (YYYY-MM-DD) or an instant (ISO 8601 with a zone, e.g. 2027-03-10T09:00:00Z)') =>
  known(
    z.string().superRefine((value, ctx) => {
      if (!isRealDate(value) && !zodDateTime.safeParse(value).success) ctx.addIssue({ code: 'custom', message });
      else if (!isDateInRange(value.slice(0, 10))) ctx.addIssue({ code: 'custom', message: DATE_RANGE_MESSAGE });
    }),
    'date-or-date-time',
  );

/** The day schema most fields use. */
export const isoDate = isoDateSchema();

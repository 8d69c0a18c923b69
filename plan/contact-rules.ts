// One limit on how often a person is contacted, across all of their plans (the 8x8, the
// general 33, client-for-life): at most N messages per channel in any 7 days, SMS and calls
// only 08:00-21:00 local, no touch on the business's blackout dates, none before the person's
// "do not contact until" day. Pure: the delivery activity gathers the person's recent sends
// (from PostgreSQL, whichever workflow sent them) and this says whether, and until when, to hold.
import { DateTime } from './luxon';
import { z } from 'zod';
import type { Channel } from './customer';
import { isoDate } from './dates';

export const contactRulesSchema = z
  .object({
    /** Most messages per channel in any 7 days; a channel not named has no limit. */
    perWeek: z.object({ email: z.number().int().min(1).max(50), sms: z.number().int().min(1).max(50), postal: z.number().int().min(1).max(50), phone: z.number().int().min(1).max(50) }).partial().strict(),
    /** Local days on which nothing goes out (the office closed), YYYY-MM-DD. */
    blackoutDates: z.array(isoDate).max(1000),
  })
  .strict();
export type ContactRules = z.output<typeof contactRulesSchema>;

/** The defaults of `npm start` and production: 2 emails and 1 SMS a week, no blackout dates. */
export const DEFAULT_CONTACT_RULES: ContactRules = { perWeek: { email: 2, sms: 1 }, blackoutDates: [] };

/** SMS and calls reach a person only inside these local hours. */
export const QUIET_HOURS = { from: 8, to: 21 } as const;
const WEEK_MS = 7 * 86_400_000;

export interface Hold {
  /** Not before this instant (the workflow moves the touch to its next sending slot from here). */
  untilMs: number;
  reason: string;
}

/**
 * Whether a touch on `channel` must wait now, and until when. `recentSendsMs`: when this person
 * was sent a message on this channel in the last 7 days, by any of their plans.
 */
export function holdFor(args: { channel: Channel; nowMs: number; zone: string; doNotContactUntil?: string; rules: ContactRules; recentSendsMs: readonly number[] }): Hold | undefined {
  const { channel, nowMs, zone, rules } = args;
  const now = DateTime.fromMillis(nowMs, { zone });
  const today = now.toISODate()!;
  if (args.doNotContactUntil && today < args.doNotContactUntil) {
    return { untilMs: DateTime.fromISO(args.doNotContactUntil, { zone }).startOf('day').toMillis(), reason: `do not contact until ${args.doNotContactUntil}` };
  }
  if (rules.blackoutDates.includes(today)) {
    let day = now.plus({ days: 1 }).startOf('day');
    while (rules.blackoutDates.includes(day.toISODate()!)) day = day.plus({ days: 1 });
    return { untilMs: day.toMillis(), reason: `the business is closed on ${today}` };
  }
  if ((channel === 'sms' || channel === 'phone') && (now.hour < QUIET_HOURS.from || now.hour >= QUIET_HOURS.to)) {
    const next = (now.hour < QUIET_HOURS.from ? now : now.plus({ days: 1 })).set({ hour: QUIET_HOURS.from, minute: 0, second: 0, millisecond: 0 });
    return { untilMs: next.toMillis(), reason: `quiet hours: ${channel === 'sms' ? 'SMS' : 'calls'} only ${QUIET_HOURS.from}:00-${QUIET_HOURS.to}:00 local` };
  }
  const limit = rules.perWeek[channel];
  if (limit !== undefined) {
    // A send stamped a moment after `nowMs` counts too: two plans' activities run in any order,
    // each stamped with its own scheduled time, so the other's reservation may be "later".
    const inWindow = args.recentSendsMs.filter((t) => t > nowMs - WEEK_MS).sort((a, b) => a - b);
    if (inWindow.length >= limit) {
      // The earliest moment the window holds fewer than `limit`: when the right one leaves it.
      const untilMs = inWindow[inWindow.length - limit]! + WEEK_MS + 1000;
      return { untilMs, reason: `contact limit: ${inWindow.length} ${channel === 'email' ? 'emails' : channel === 'sms' ? 'SMS' : `${channel} items`} in the last 7 days (at most ${limit})` };
    }
  }
  return undefined;
}

// Sending hours: touches reach people only inside a local-time window (default 09:00-19:00).
import { DateTime } from './luxon';
import { z } from 'zod';

export interface SendingHours {
  /** Minutes after local midnight, inclusive. */
  startMinute: number;
  /** Minutes after local midnight, exclusive (1440 = midnight). */
  endMinute: number;
}

export const DEFAULT_SENDING_HOURS: SendingHours = { startMinute: 9 * 60, endMinute: 19 * 60 };

const minutes = (hhmm: string) => Number(hhmm.slice(0, 2)) * 60 + Number(hhmm.slice(3, 5));

/** Minutes of a `HH:MM-HH:MM` window; assumes the text passed `sendingHoursText`. */
export function toSendingHours(text: string): SendingHours {
  const [start, end] = text.split('-') as [string, string];
  return { startMinute: minutes(start), endMinute: minutes(end) };
}

/**
 * `HH:MM-HH:MM`, e.g. `09:00-19:00`, start before end; 24:00 allowed as an end. Kept as text
 * in the customer (so a parsed customer parses again unchanged); `toSendingHours` reads it.
 */
const SENDING_HOURS_TEXT = /^([01]\d|2[0-3]):[0-5]\d-(([01]\d|2[0-3]):[0-5]\d|24:00)$/;
export const sendingHoursText = z
  .string()
  .regex(SENDING_HOURS_TEXT, 'expected HH:MM-HH:MM, e.g. 09:00-19:00')
  .refine((text) => {
    // zod runs this check after a failed regex too: a malformed text was named already (and would throw here).
    if (!SENDING_HOURS_TEXT.test(text)) return true;
    const { startMinute, endMinute } = toSendingHours(text);
    return startMinute < endMinute;
  }, 'the window must start before it ends');

/**
 * The first instant at or after `ms` that lies inside the sending window in `zone`,
 * rounded up to a whole second. Across DST gaps luxon moves a missing local time forward.
 */
export function nextSendingSlot(ms: number, zone: string, hours: SendingHours): DateTime {
  let local = DateTime.fromMillis(Math.ceil(ms / 1000) * 1000, { zone });
  const minuteOfDay = local.hour * 60 + local.minute;
  if (minuteOfDay < hours.startMinute) {
    local = local.set({ hour: Math.floor(hours.startMinute / 60), minute: hours.startMinute % 60, second: 0, millisecond: 0 });
  } else if (minuteOfDay >= hours.endMinute) {
    local = local
      .plus({ days: 1 })
      .set({ hour: Math.floor(hours.startMinute / 60), minute: hours.startMinute % 60, second: 0, millisecond: 0 });
  }
  return local;
}

/** SMS never reach a phone before 08:00 or after 21:00 local, whatever the sending hours. */
export const SMS_HOURS: SendingHours = { startMinute: 8 * 60, endMinute: 21 * 60 };

/** Whether `ms` lies inside `hours` in `zone`. */
export function insideHours(ms: number, zone: string, hours: SendingHours): boolean {
  const local = DateTime.fromMillis(ms, { zone });
  const minute = local.hour * 60 + local.minute;
  return minute >= hours.startMinute && minute < hours.endMinute;
}

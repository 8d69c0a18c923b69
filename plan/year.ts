// The customer's year as a list of touches. Pure: takes `startMs` as an argument, never reads
// the clock, so the workflow, the CLI and the tests get the same answer for the same input.
//
// Foundation slice: the 12 monthly newsletters. The full 33-touch engine (holidays, calls,
// letters, personal cards, give-aways, advocate extras) replaces this in the year-engine issue.
import { DateTime } from 'luxon';
import { reachableChannels, type Customer } from './customer';
import { DEFAULT_SENDING_HOURS, nextSendingSlot, toSendingHours, type SendingHours } from './sending-hours';
import type { Touch } from './touch';

export interface PlanOptions {
  sendingHours?: SendingHours;
}

/** The local hour newsletters go out on, when inside the sending window. */
const NEWSLETTER_MINUTE = 10 * 60;

export function planYear(customer: Customer, startMs: number, options: PlanOptions = {}): Touch[] {
  const hours = customer.sendingHours ? toSendingHours(customer.sendingHours) : (options.sendingHours ?? DEFAULT_SENDING_HOURS);
  const zone = customer.timezone;
  const channel = reachableChannels(customer).includes('email') ? 'email' : 'none';
  const first = nextSendingSlot(startMs, zone, hours);
  const touches: Touch[] = [];
  for (let month = 0; month < 12; month++) {
    // Issue 1 goes out at the first sending slot after enrolment (a welcome); the rest on the
    // same local day of each following month at 10:00 (or the window's start, if later).
    let at: DateTime;
    if (month === 0) at = first;
    else {
      const minute = Math.max(NEWSLETTER_MINUTE, hours.startMinute);
      const day = first.plus({ months: month }).startOf('day');
      at = nextSendingSlot(day.plus({ minutes: minute }).toMillis(), zone, hours);
    }
    touches.push({
      seq: month + 1,
      kind: 'newsletter',
      channel,
      at: at.toISO({ suppressMilliseconds: true })!,
      title: `${at.setLocale('en').toFormat('LLLL yyyy')} newsletter`,
    });
  }
  return touches;
}

// A scheduled touch and its recorded outcome (PRODUCT.md, "A scheduled touch, as JSON").
import type { Channel } from './customer';

/**
 * `remembrance-card`: a day of mourning or remembrance the business chose to mark
 * (`holidays.remembrance`, off by default), with words of remembrance, never a greeting.
 * `prospect-letter`: a letter of the 8x8 prospect plan (plan/prospect.ts): how the business can
 * help, no referral ask.
 * `nps-survey`: the NPS survey (plan version 3 on: 14 days after the deal, then once a year), a signed link to the survey page; not one of the 33.
 * `referral-ask`: a promoter's (NPS 9-10) invitation to refer, added when the answer comes in.
 */
export const TOUCH_KINDS = ['newsletter', 'holiday-card', 'call', 'follow-up-letter', 'personal-card', 'give-away', 'value-added', 'remembrance-card', 'prospect-letter', 'reactivation-letter', 'nps-survey', 'referral-ask'] as const;
/** What a holdout customer still gets (the transactional minimum): the survey that measures them. */
export const TRANSACTIONAL_KINDS: readonly TouchKind[] = ['nps-survey'];
export type TouchKind = (typeof TOUCH_KINDS)[number];

/**
 * `general-33`: a contact who has not bought (after the 8x8, or the business's sphere): the 33 without the deal's anniversary.
 * `reactivation`: a dormant customer's year: remind, ask why, make an offer, in place of three newsletters.
 */
export const PLANS = ['client-for-life', 'advocate', 'general-33', 'reactivation'] as const;
export type PlanName = (typeof PLANS)[number];

export interface Touch {
  /** 1-based position in the plan year; part of the idempotency key, never reused. */
  seq: number;
  kind: TouchKind;
  /** The channel chosen from consent at planning time; `none` = no allowed channel. */
  channel: Channel | 'none';
  /** ISO instant with the customer's UTC offset, e.g. 2027-01-05T10:00:00+03:00. */
  at: string;
  title: string;
  occasion?: string;
  /**
   * Stable identity of the touch within its year, independent of its date (`newsletter-3`,
   * `holiday-eid-al-fitr`, `call-2`, `thank-you-1`): a re-plan keeps the seq of a slot.
   */
  slot?: string;
  /** The time it was first due, when it had to wait (SMS night hours, a missing newsletter issue). */
  firstAt?: string;
  /** Why it was held back (the contact limit, quiet hours, a blackout date, "do not contact until"). */
  held?: string;
  /** Why it will not go out at all: the year's budget cap dropped it (the year records it skipped). */
  dropped?: string;
  /** Holiday and remembrance cards (plan version 2 on): the local calendar date of the day itself; `at` may be days earlier for post. */
  holidayDate?: string;
}

export type TouchOutcome = 'sent' | 'skipped' | 'failed';

export interface TouchResult {
  outcome: TouchOutcome;
  reason?: string;
  /** Where it went: the message id of an email, the SID of an SMS, a task id. */
  reference?: string;
  /** For call and reply tasks: the agent who got it (the owner, or who covers while they are away). */
  assignee?: string;
}

export const FULFILMENT_STATUSES = ['accepted', 'printed', 'shipped', 'delivered', 'returned', 'failed'] as const;
export type FulfilmentStatus = (typeof FULFILMENT_STATUSES)[number];

export interface DoneTouch extends Touch, TouchResult {
  /** ISO instant (UTC) the outcome was recorded, from workflow time. */
  doneAt: string;
  /** For cards and gifts: what the print-and-mail provider reported last. */
  fulfilment?: { status: FulfilmentStatus; trackingNumber?: string; carrier?: string; at: string };
}

const KIND_LABEL: Record<TouchKind, string> = {
  newsletter: 'Newsletter',
  'holiday-card': 'Holiday card',
  call: 'Call',
  'follow-up-letter': 'Follow-up letter',
  'personal-card': 'Personal card',
  'give-away': 'Give-away',
  'value-added': 'Value-added',
  'remembrance-card': 'Remembrance card',
  'prospect-letter': 'Prospect letter',
  'reactivation-letter': 'Reactivation letter',
  'nps-survey': 'NPS survey',
  'referral-ask': 'Referral ask',
};

/** One line that reads well in Temporal UI, e.g. "Holiday card: Eid al-Fitr (postal)". */
export function touchSummary(touch: Pick<Touch, 'kind' | 'title' | 'channel' | 'held'>): string {
  return `${KIND_LABEL[touch.kind]}: ${touch.title} (${touch.channel}${touch.held ? `; held: ${touch.held}` : ''})`;
}

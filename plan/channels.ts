// Which channel a touch goes out on: the first of the plan's preferences for its kind that
// the customer can be reached on (contact detail + consent). Checked when the year is
// planned and again when the touch is sent, so an opt-out in between is respected.
import { reachableChannels, type Channel, type Customer } from './customer';
import type { ChannelKey, PlanDefinition } from './definitions';
import type { Touch } from './touch';

type ChannelFacts = Pick<Customer, 'email' | 'phone' | 'address' | 'consent'>;

/**
 * The preference list that applies to a touch: referral thank-yous have their own;
 * remembrance cards go the way the holiday cards go. (The 8x8's letters carry their own
 * preferences in plan/prospect.ts; here they count as newsletters.)
 */
export function channelKeyOf(touch: Pick<Touch, 'kind' | 'occasion'>): ChannelKey {
  if (touch.kind === 'remembrance-card') return 'holiday-card';
  if (touch.kind === 'prospect-letter' || touch.kind === 'reactivation-letter') return 'newsletter';
  // A promoter's referral ask goes the way a referral's thank-you goes.
  if (touch.kind === 'referral-ask') return 'thank-you';
  return touch.kind === 'value-added' && touch.occasion === 'referral-thank-you' ? 'thank-you' : touch.kind;
}

/** Preferences a definition may leave out: the survey is a link, so email, else SMS. */
const DEFAULT_PREFERENCES: Partial<Record<ChannelKey, readonly Channel[]>> = { 'nps-survey': ['email', 'sms'] };

/** The first preferred channel the customer allows, or `none` (the touch is then skipped). */
export function chooseChannel(kind: ChannelKey, customer: ChannelFacts, definition: Pick<PlanDefinition, 'channels'>): Channel | 'none' {
  const reachable = reachableChannels(customer);
  return (definition.channels[kind] ?? DEFAULT_PREFERENCES[kind] ?? []).find((c) => reachable.includes(c)) ?? 'none';
}

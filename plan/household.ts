// Households: people at the same postal address who opt in (`household: true`) get one printed
// card addressed to all of them instead of one each; emails stay personal. Pure: the address key
// (normalised so "12 Olaya St." and "12 olaya st" meet), which printed items are shared, and the
// names on the envelope.
import type { Customer } from './customer';
import type { Touch } from './touch';

/** The same address however it is typed: lower case, no punctuation, single spaces. */
export function householdKey(address: NonNullable<Customer['address']>): string {
  const norm = (s: string | undefined) => (s ?? '').toLowerCase().normalize('NFKC').replace(/[.,#'"/\\-]/g, ' ').replace(/\s+/g, ' ').trim();
  return [norm(address.line1), norm(address.line2), norm(address.city), norm(address.postalCode).replace(/\s/g, ''), address.country].join('|');
}

/** The household a customer is in, if they opted in and have an address. */
export function householdOf(customer: Pick<Customer, 'household' | 'address'>): string | undefined {
  return customer.household && customer.address ? householdKey(customer.address) : undefined;
}

/**
 * Which printed item this is for the household, when it is one every member would get alike: a
 * holiday card (by holiday and day) or a printed newsletter (by issue). Personal cards, letters
 * and gifts stay one per person.
 */
export function sharedItemKey(touch: Pick<Touch, 'kind' | 'slot' | 'holidayDate' | 'title' | 'at'>): string | undefined {
  if (touch.kind === 'holiday-card') return `${touch.slot ?? touch.title}@${touch.holidayDate ?? touch.at.slice(0, 10)}`;
  if (touch.kind === 'newsletter') return `newsletter@${touch.title}`;
  return undefined;
}

/** "Layla Haddad & Omar Haddad" (Arabic: "ليلى حداد و عمر حداد"), names in a stable order. */
export function envelopeNames(names: readonly string[], locale: string): string {
  const sorted = [...new Set(names)].sort((a, b) => a.localeCompare(b));
  return sorted.join(locale.startsWith('ar') ? ' و ' : ' & ');
}

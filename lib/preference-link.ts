// The customer's preference page link, in the footer of every email and on the survey's thank-you
// page: a token naming the customer (and the language to greet them in if their plan cannot be
// read), signed for this purpose only (lib/link-token.ts: an unsubscribe, source or survey token
// is not accepted here, nor the other way round).
//
// No expiry, like the unsubscribe link: the link sits in the footer of emails people keep for
// years, and withdrawing consent must stay as easy as giving it (an old email must still work).
// What the token opens is narrow: the person's own channels, pause date, language and household
// choice (no contact details are shown). Rotating UNSUBSCRIBE_SECRET revokes every link at once.
//
// The form on the page carries a second, short-lived HMAC (formStamp), bound to the link's token
// and the time the page was rendered: see api/web/preferences.ts for why.
import { z } from 'zod';
import { customerIdSchema } from '../plan/customer';
import { linkClaims, linkUrl, signLinkToken, stampMac } from './link-token';
import { sameText } from './same-text';

const claimsSchema = z.object({ c: customerIdSchema, l: z.enum(['en', 'ar']) }).strict();

export interface PreferenceClaims {
  customerId: string;
  /** The language the link was made in (the page follows the customer's current locale when it can read it). */
  lang: 'en' | 'ar';
}

export function preferenceToken(secret: string, claims: PreferenceClaims): string {
  return signLinkToken(secret, 'prefs', { c: claims.customerId, l: claims.lang });
}

/** The claims of a valid token (new, or one sent before lib/link-token.ts), or undefined for anything forged, altered or malformed. */
export function verifyPreferenceToken(secret: string, token: string): PreferenceClaims | undefined {
  const parsed = claimsSchema.safeParse(linkClaims(secret, 'prefs', token));
  return parsed.success ? { customerId: parsed.data.c, lang: parsed.data.l } : undefined;
}

/** `<base>/prefs?t=<token>`: a query parameter (fastify's path parameters stop at 100 characters). */
export function preferenceUrl(config: { baseUrl: string; secret: string }, customerId: string, locale = 'en'): string {
  return linkUrl(config.baseUrl, `/prefs?t=${preferenceToken(config.secret, { customerId, lang: locale.startsWith('ar') ? 'ar' : 'en' })}`);
}

/** A rendered form is good for this long (then the page is reloaded: it shows the current choices). */
export const FORM_VALID_MS = 24 * 3_600_000;

/** The form stamp's MAC: HMAC over `prefs-form:<token>.<issued>`, as before lib/link-token.ts had stampMac. */
const formMac = (secret: string, token: string, issued: string) => stampMac(secret, 'prefs-form', `${token}.${issued}`);

/** The hidden field of one rendering of the form: when it was rendered, signed with the link's token. */
export function formStamp(secret: string, token: string, nowMs: number): string {
  const issued = String(Math.floor(nowMs / 1000));
  return `${issued}.${formMac(secret, token, issued)}`;
}

/** Whether a posted stamp was rendered for this token, within FORM_VALID_MS (and not in the future). */
export function checkFormStamp(secret: string, token: string, stamp: string, nowMs: number): boolean {
  const [issued, mac, extra] = stamp.split('.');
  if (!issued || !mac || extra !== undefined || !/^\d{1,12}$/.test(issued)) return false;
  if (!sameText(mac, formMac(secret, token, issued))) return false;
  const age = nowMs - Number(issued) * 1000;
  return age >= -60_000 && age <= FORM_VALID_MS;
}

// "How did you hear about us?", asked again after the deal (F.A.S.T.'s Source): a one-question
// link in the welcome newsletter. The token names the customer, signed for this purpose only
// (lib/link-token.ts: an unsubscribe token is not accepted here, nor the other way round).
import { z } from 'zod';
import { customerIdSchema } from '../plan/customer';
import { linkUrl, signLinkToken, verifyLinkToken } from './link-token';

const claimsSchema = z.object({ c: customerIdSchema }).strict();

export function sourceToken(secret: string, customerId: string): string {
  return signLinkToken(secret, 'source', { c: customerId });
}

/** The customer a valid token names, or undefined for anything forged, altered or malformed. */
export function verifySourceToken(secret: string, token: string): string | undefined {
  const link = verifyLinkToken(secret, 'source', token);
  if (!link) return undefined;
  // A link sent before lib/link-token.ts: its body is the id itself.
  if (link.legacy) return customerIdSchema.safeParse(link.body).success ? link.body : undefined;
  const parsed = claimsSchema.safeParse(link.claims);
  return parsed.success ? parsed.data.c : undefined;
}

export function sourceQuestionUrl(config: { baseUrl: string; secret: string }, customerId: string, locale = 'en'): string {
  return linkUrl(config.baseUrl, `/v1/source/${sourceToken(config.secret, customerId)}${locale.startsWith('ar') ? '?lang=ar' : ''}`);
}

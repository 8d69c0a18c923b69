// "How did you hear about us?", asked again after the deal (F.A.S.T.'s Source): a one-question
// link in the welcome newsletter. The token names the customer, signed with HMAC-SHA256 for this
// purpose only (an unsubscribe token is not accepted here, nor the other way round).
import { createHmac, timingSafeEqual } from 'node:crypto';
import { customerIdSchema } from '../plan/customer';

const sign = (secret: string, body: string) => createHmac('sha256', secret).update(`source:${body}`).digest('base64url');

export function sourceToken(secret: string, customerId: string): string {
  const body = Buffer.from(customerId).toString('base64url');
  return `${body}.${sign(secret, body)}`;
}

/** The customer a valid token names, or undefined for anything forged, altered or malformed. */
export function verifySourceToken(secret: string, token: string): string | undefined {
  const [body, mac, extra] = token.split('.');
  if (!body || !mac || extra !== undefined) return undefined;
  const expected = Buffer.from(sign(secret, body));
  const given = Buffer.from(mac);
  if (expected.length !== given.length || !timingSafeEqual(expected, given)) return undefined;
  const id = Buffer.from(body, 'base64url').toString('utf8');
  return customerIdSchema.safeParse(id).success ? id : undefined;
}

export function sourceQuestionUrl(config: { baseUrl: string; secret: string }, customerId: string, locale = 'en'): string {
  return `${config.baseUrl.replace(/\/$/, '')}/v1/source/${sourceToken(config.secret, customerId)}${locale.startsWith('ar') ? '?lang=ar' : ''}`;
}

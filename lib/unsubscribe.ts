// One-click unsubscribe links (RFC 8058): a token names the customer and the channel, signed
// with HMAC-SHA256 so nobody can unsubscribe someone else by guessing ids.
import { createHmac, timingSafeEqual } from 'node:crypto';
import { z } from 'zod';
import { channelSchema, customerIdSchema } from '../plan/customer';

const payloadSchema = z.object({ c: customerIdSchema, ch: channelSchema }).strict();
export type UnsubscribePayload = { customerId: string; channel: z.infer<typeof channelSchema> };

const sign = (secret: string, body: string) => createHmac('sha256', secret).update(body).digest('base64url');

export function unsubscribeToken(secret: string, { customerId, channel }: UnsubscribePayload): string {
  const body = Buffer.from(JSON.stringify({ c: customerId, ch: channel })).toString('base64url');
  return `${body}.${sign(secret, body)}`;
}

/** The payload of a valid token, or undefined for anything forged, altered or malformed. */
export function verifyUnsubscribeToken(secret: string, token: string): UnsubscribePayload | undefined {
  const [body, mac, extra] = token.split('.');
  if (!body || !mac || extra !== undefined) return undefined;
  const expected = Buffer.from(sign(secret, body));
  const given = Buffer.from(mac);
  if (expected.length !== given.length || !timingSafeEqual(expected, given)) return undefined;
  try {
    const parsed = payloadSchema.safeParse(JSON.parse(Buffer.from(body, 'base64url').toString('utf8')));
    return parsed.success ? { customerId: parsed.data.c, channel: parsed.data.ch } : undefined;
  } catch {
    return undefined;
  }
}

export interface UnsubscribeConfig {
  /** Public base URL of the HTTP API, e.g. https://plan33.example.com */
  baseUrl: string;
  secret: string;
}

/** The RFC 8058 headers for an email to this customer. */
export function listUnsubscribeHeaders(config: UnsubscribeConfig, customerId: string): Record<string, string> {
  const url = `${config.baseUrl.replace(/\/$/, '')}/v1/unsubscribe/${unsubscribeToken(config.secret, { customerId, channel: 'email' })}`;
  return { 'List-Unsubscribe': `<${url}>`, 'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click' };
}

// One-click unsubscribe links (RFC 8058): a token names the customer and the channel, signed
// for this purpose (lib/link-token.ts) so nobody can unsubscribe someone else by guessing ids.
import { z } from 'zod';
import { channelSchema, customerIdSchema } from '../plan/customer';
import { linkClaims, linkUrl, signLinkToken } from './link-token';

const payloadSchema = z.object({ c: customerIdSchema, ch: channelSchema }).strict();
export type UnsubscribePayload = { customerId: string; channel: z.infer<typeof channelSchema> };

export function unsubscribeToken(secret: string, { customerId, channel }: UnsubscribePayload): string {
  return signLinkToken(secret, 'unsubscribe', { c: customerId, ch: channel });
}

/** The payload of a valid token (new, or one sent before lib/link-token.ts), or undefined for anything forged, altered or malformed. */
export function verifyUnsubscribeToken(secret: string, token: string): UnsubscribePayload | undefined {
  const parsed = payloadSchema.safeParse(linkClaims(secret, 'unsubscribe', token));
  return parsed.success ? { customerId: parsed.data.c, channel: parsed.data.ch } : undefined;
}

export interface UnsubscribeConfig {
  /** Public base URL of the HTTP API, e.g. https://plan33.example.com */
  baseUrl: string;
  secret: string;
}

/** The RFC 8058 headers for an email to this customer. */
export function listUnsubscribeHeaders(config: UnsubscribeConfig, customerId: string): Record<string, string> {
  const url = linkUrl(config.baseUrl, `/v1/unsubscribe/${unsubscribeToken(config.secret, { customerId, channel: 'email' })}`);
  return { 'List-Unsubscribe': `<${url}>`, 'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click' };
}

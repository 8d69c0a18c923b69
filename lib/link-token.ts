// Every signed link plan33 emails (unsubscribe, source question, survey, preferences) is one
// token shape, made and checked here: `<body>.<mac>`, the body base64url JSON claims, the mac
// HMAC-SHA256 over the purpose and the body. The purpose is inside the MAC, so a token made for
// one purpose never verifies for another (an unsubscribe token opens no preference page).
//
// Links already sent keep working: until this module each purpose signed its own way (the
// unsubscribe MAC over the body alone, the others over `source:`, `survey:` or `prefs:` and the
// body), and those tokens sit in emails people keep for years. `verifyLinkToken` accepts them for
// their own purpose and says so (`legacy`), so the caller reads the claims in the old shape.
// The new MAC's input starts `plan33-link:v2:`, which no old input can (an old body is base64url,
// without a colon, and the old prefixes are other words), so no old token verifies as a new one.
import { createHmac } from 'node:crypto';
import { sameText } from './same-text';

export type LinkPurpose = 'unsubscribe' | 'source' | 'survey' | 'prefs';

/** What each purpose's MAC covered before this module (the body followed it). */
const LEGACY_PREFIX: Record<LinkPurpose, string> = { unsubscribe: '', source: 'source:', survey: 'survey:', prefs: 'prefs:' };

/**
 * HMAC-SHA256 of `text`, base64url (43 characters). Not exported: an old unsubscribe token is
 * the MAC of its bare body, so a caller MAC'ing text an attacker chose with the same secret could
 * make one. Other MACs go through stampMac, whose input always starts with a purpose.
 */
const hmac = (secret: string, text: string): string => createHmac('sha256', secret).update(text).digest('base64url');

/**
 * What a MAC other than a link token's is for; each is the prefix of its input. None contains a
 * colon, and none is an old prefix (`source`, `survey`, `prefs`) or `plan33-link`.
 */
export type StampPurpose = 'prefs-form';

/**
 * The MAC of `<purpose>:<text>` (e.g. the preference form's stamp). The colon keeps every input
 * apart from an old unsubscribe token's (a base64url body has none) and from the link tokens'.
 */
export const stampMac = (secret: string, purpose: StampPurpose, text: string): string => hmac(secret, `${purpose}:${text}`);

const macInput = (purpose: LinkPurpose, body: string) => `plan33-link:v2:${purpose}:${body}`;

/** A token for `purpose` carrying `claims` (JSON). */
export function signLinkToken(secret: string, purpose: LinkPurpose, claims: Record<string, string | number>): string {
  const body = Buffer.from(JSON.stringify(claims)).toString('base64url');
  return `${body}.${hmac(secret, macInput(purpose, body))}`;
}

export type VerifiedLink = { legacy: false; claims: unknown } | { legacy: true; body: string };

/**
 * A token's contents when it was signed with `secret` for `purpose`: the parsed claims of a token
 * made by signLinkToken, or the decoded body of one made before it (`legacy`, the purpose's old
 * shape); undefined for anything forged, altered, malformed or made for another purpose.
 */
export function verifyLinkToken(secret: string, purpose: LinkPurpose, token: string): VerifiedLink | undefined {
  const [body, mac, extra] = token.split('.');
  if (!body || !mac || extra !== undefined || !/^[A-Za-z0-9_-]+$/.test(body)) return undefined;
  const decoded = Buffer.from(body, 'base64url').toString('utf8');
  if (sameText(mac, hmac(secret, macInput(purpose, body)))) {
    try {
      return { legacy: false, claims: JSON.parse(decoded) };
    } catch {
      return undefined;
    }
  }
  if (sameText(mac, hmac(secret, `${LEGACY_PREFIX[purpose]}${body}`))) return { legacy: true, body: decoded };
  return undefined;
}

/** The claims of a token, new or old, for modules whose old tokens were JSON too. */
export function linkClaims(secret: string, purpose: LinkPurpose, token: string): unknown {
  const link = verifyLinkToken(secret, purpose, token);
  if (!link) return undefined;
  if (!link.legacy) return link.claims;
  try {
    return JSON.parse(link.body);
  } catch {
    return undefined;
  }
}

/** `<base>` without its trailing slash, and the path after it. */
export const linkUrl = (baseUrl: string, path: string): string => `${baseUrl.replace(/\/$/, '')}${path}`;

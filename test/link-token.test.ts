// One module signs and verifies every emailed link (lib/link-token.ts): the purpose is bound into
// the MAC (a token for one purpose never verifies for another), tokens made before it (each
// purpose its own way, test/fixtures/links-sent-before.json) still verify for their own purpose
// only, and every token for an id the schemas allow fits in a path with room to spare.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { MAX_PATH_TOKEN } from '../api/server';
import { signLinkToken, verifyLinkToken, type LinkPurpose } from '../lib/link-token';
import { preferenceToken, verifyPreferenceToken } from '../lib/preference-link';
import { sourceToken, verifySourceToken } from '../lib/source-link';
import { surveyToken, verifySurveyToken } from '../lib/survey-link';
import { unsubscribeToken, verifyUnsubscribeToken } from '../lib/unsubscribe';

const SENT = JSON.parse(readFileSync(new URL('./fixtures/links-sent-before.json', import.meta.url), 'utf8')) as {
  secret: string;
  links: Array<{ id: string; unsubscribe: string; source: string; survey: string; prefs: string }>;
};
const SECRET = SENT.secret;
/** Before the old survey links' expiry (2041-02-01): a fixed instant, not today. */
const BEFORE_EXPIRY = Date.parse('2041-01-15T00:00:00Z');
const PURPOSES: LinkPurpose[] = ['unsubscribe', 'source', 'survey', 'prefs'];

/** What each purpose's verifier says of a token: the customer it names, or undefined. */
const verifiers: Record<LinkPurpose, (token: string) => string | undefined> = {
  unsubscribe: (t) => verifyUnsubscribeToken(SECRET, t)?.customerId,
  source: (t) => verifySourceToken(SECRET, t),
  survey: (t) => {
    const check = verifySurveyToken(SECRET, t, BEFORE_EXPIRY);
    return check.ok ? check.claims.customerId : undefined;
  },
  prefs: (t) => verifyPreferenceToken(SECRET, t)?.customerId,
};
const tokensFor = (id: string): Record<LinkPurpose, string> => ({
  unsubscribe: unsubscribeToken(SECRET, { customerId: id, channel: 'email' }),
  source: sourceToken(SECRET, id),
  survey: surveyToken(SECRET, { customerId: id, surveyId: `customer-${id}.y9999.t99999`, lang: 'ar', expiresAt: Date.parse('2041-02-01T00:00:00Z') }),
  prefs: preferenceToken(SECRET, { customerId: id, lang: 'en' }),
});

const ID64 = `${'a'.repeat(30)}.B-9_${'z'.repeat(29)}`;
const IDS = ['c', 'cust-1', '0b6f1c1e-8d8a-4f7e-9a51-3f2c6e1d9b47', ID64, '_'.repeat(64), '.-'.repeat(32)];

describe('link tokens', () => {
  it('verify for their own purpose only, for every kind of id the schemas allow', () => {
    for (const id of IDS) {
      const tokens = tokensFor(id);
      for (const made of PURPOSES) for (const asked of PURPOSES) expect(verifiers[asked](tokens[made]), `${made} token as ${asked}, id ${id}`).toBe(made === asked ? id : undefined);
    }
    // The generic layer too: the same claims signed for one purpose are refused for every other.
    const token = signLinkToken(SECRET, 'prefs', { c: 'cust-1', l: 'en' });
    expect(PURPOSES.map((p) => verifyLinkToken(SECRET, p, token) !== undefined)).toEqual([false, false, false, true]);
  });

  it('links sent before this module still verify, for their own purpose only, and are read in their old shape', () => {
    expect(SENT.links.map((l) => l.id.length)).toEqual([6, 36, 64]);
    for (const link of SENT.links) {
      for (const made of PURPOSES) for (const asked of PURPOSES) expect(verifiers[asked](link[made]), `old ${made} link as ${asked}, id ${link.id}`).toBe(made === asked ? link.id : undefined);
      expect(verifyUnsubscribeToken(SECRET, link.unsubscribe)).toEqual({ customerId: link.id, channel: 'email' });
      expect(verifySurveyToken(SECRET, link.survey, BEFORE_EXPIRY)).toEqual({ ok: true, claims: { customerId: link.id, surveyId: `customer-${link.id}.y1.t7`, lang: 'ar', expiresAt: Date.parse('2041-02-01T00:00:00Z') } });
      expect(verifySurveyToken(SECRET, link.survey, Date.parse('2041-02-01T00:00:00Z'))).toEqual({ ok: false, why: 'expired' });
      expect(verifyPreferenceToken(SECRET, link.prefs)).toEqual({ customerId: link.id, lang: 'en' });
      // A new token is not an old one: the same claims now sign differently.
      expect(tokensFor(link.id).prefs).not.toBe(link.prefs);
    }
  });

  it('refuse anything forged, altered, malformed or signed with another secret', () => {
    for (const [purpose, token] of [...Object.entries(tokensFor('cust-1')), ...Object.entries(SENT.links[0]!).filter(([k]) => k !== 'id')] as Array<[LinkPurpose, string]>) {
      const verify = verifiers[purpose];
      const [body, mac] = token.split('.') as [string, string];
      expect(verify(token), purpose).toBe('cust-1');
      expect(verifyLinkToken('another-secret-entirely-0123', purpose, token), purpose).toBeUndefined();
      // The body edited to name someone else keeps its old MAC: refused.
      const other = Buffer.from(Buffer.from(body, 'base64url').toString('utf8').replace('cust-1', 'cust-2')).toString('base64url');
      expect(verify(`${other}.${mac}`), purpose).toBeUndefined();
      expect(verify(`${body}.${mac.slice(0, -1)}${mac.endsWith('A') ? 'B' : 'A'}`), purpose).toBeUndefined();
      for (const junk of ['', '.', 'abc', `${token}.x`, `${body}.`, `.${mac}`, `${body}=.${mac}`, `${body}.${mac}${mac}`]) expect(verify(junk), `${purpose} ${junk}`).toBeUndefined();
    }
    // Signed claims that are not a customer's (an id the schema refuses): refused by the purpose's schema.
    expect(verifyUnsubscribeToken(SECRET, signLinkToken(SECRET, 'unsubscribe', { c: 'x'.repeat(65), ch: 'email' }))).toBeUndefined();
    expect(verifySourceToken(SECRET, signLinkToken(SECRET, 'source', { c: 'has space' }))).toBeUndefined();
  });

  it('fit in a path parameter with room to spare for the longest id (every purpose, new and old)', () => {
    const lengths = [...Object.values(tokensFor(ID64)), ...Object.entries(SENT.links[2]!).filter(([k]) => k !== 'id').map(([, t]) => t)].map((t) => t.length);
    const pathTokens = [tokensFor(ID64).unsubscribe, tokensFor(ID64).source, SENT.links[2]!.unsubscribe, SENT.links[2]!.source].map((t) => t.length);
    expect(Math.max(...pathTokens)).toBe(158);
    expect(Math.max(...pathTokens)).toBeLessThanOrEqual(MAX_PATH_TOKEN / 3);
    // The survey and preference links carry their token in the query (no such limit); still short.
    expect(Math.max(...lengths)).toBeLessThan(400);
    for (const t of [...Object.values(tokensFor(ID64))]) expect(t).toMatch(/^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]{43}$/);
  });
});

// The preference form's stamp after lib/link-token.ts stopped exporting its bare HMAC: a stamp
// made the old way (HMAC-SHA256 over `prefs-form:<token>.<issued>`, written out here) still
// checks, and no MAC lib/link-token.ts hands out is over text without a purpose in front, so none
// can be an old unsubscribe link's (the MAC of a bare body).
import { createHmac } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import * as linkToken from '../lib/link-token';
import { checkFormStamp, formStamp, preferenceToken } from '../lib/preference-link';

const SENT = JSON.parse(readFileSync(new URL('./fixtures/links-sent-before.json', import.meta.url), 'utf8')) as { secret: string; links: Array<{ id: string; unsubscribe: string }> };
const SECRET = SENT.secret;
const NOW = Date.parse('2027-03-09T10:00:00Z');

describe('MACs other than link tokens', () => {
  it('a form stamp made the old way still checks, and formStamp makes the same one', () => {
    const token = preferenceToken(SECRET, { customerId: 'cust-1', lang: 'en' });
    const issued = String(NOW / 1000);
    const old = `${issued}.${createHmac('sha256', SECRET).update(`prefs-form:${token}.${issued}`).digest('base64url')}`;
    expect(formStamp(SECRET, token, NOW)).toBe(old);
    expect(checkFormStamp(SECRET, token, old, NOW + 60_000)).toBe(true);
    expect(checkFormStamp(SECRET, preferenceToken(SECRET, { customerId: 'cust-2', lang: 'en' }), old, NOW + 60_000)).toBe(false);
  });

  it('lib/link-token.ts exports no bare HMAC; stampMac puts its purpose in front, so it never makes an old unsubscribe MAC', () => {
    expect(Object.keys(linkToken)).not.toContain('hmac');
    for (const link of SENT.links) {
      const [body, mac] = link.unsubscribe.split('.');
      // The old unsubscribe MAC is over the bare body; the same body through stampMac gives another MAC.
      expect(createHmac('sha256', SECRET).update(body!).digest('base64url')).toBe(mac);
      expect(linkToken.stampMac(SECRET, 'prefs-form', body!)).not.toBe(mac);
      expect(linkToken.stampMac(SECRET, 'prefs-form', body!)).toBe(createHmac('sha256', SECRET).update(`prefs-form:${body}`).digest('base64url'));
    }
  });
});

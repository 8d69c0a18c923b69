// The one constant-time comparison (lib/same-text.ts) used for API keys, CSRF tokens, link MACs
// and the codec server's path token: any lengths, equal only when equal.
import Fastify from 'fastify';
import { describe, expect, it } from 'vitest';
import { registerCodecServer } from '../api/codec-server';
import { sameText } from '../lib/same-text';

describe('sameText', () => {
  it('compares strings of any length without throwing, equal only when equal', () => {
    expect(sameText('abc', 'abc')).toBe(true);
    expect(sameText('', '')).toBe(true);
    for (const [a, b] of [['abc', 'abd'], ['abc', 'abcd'], ['', 'x'], ['x'.repeat(1000), 'x'.repeat(999)], ['é', 'e\u0301']]) expect(sameText(a!, b!), `${a} vs ${b}`).toBe(false);
  });
});

describe("the codec server's path token, compared with sameText", () => {
  it('opens /codec/ui/<token>/decode for its own token only, whatever the length of a wrong one', async () => {
    const app = Fastify();
    registerCodecServer(app, { keys: [{ id: 'k1', key: Buffer.alloc(32, 7) }], uiToken: 'ui-token-0123456789', requireKey: async (_req, reply) => reply.code(401).send({ error: 'no key' }) });
    await app.ready();
    try {
      const decode = (token: string) => app.inject({ method: 'POST', url: `/codec/ui/${token}/decode`, payload: { payloads: [] } });
      const ok = await decode('ui-token-0123456789');
      expect(ok.statusCode).toBe(200);
      expect(ok.json()).toEqual({ payloads: [] });
      for (const wrong of ['ui-token-0123456788', 'ui-token-01234567890', 'ui-token', 'x']) expect((await decode(wrong)).statusCode, wrong).toBe(404);
    } finally {
      await app.close();
    }
  });
});

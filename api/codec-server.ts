// The codec server for Temporal UI (and `temporal --codec-endpoint`): POST /codec/decode and
// /codec/encode with the Temporal codec-server JSON ({ payloads: [{ metadata: {k: base64}, data:
// base64 }] }), so an operator's UI shows readable inputs while the server keeps ciphertext. Only
// the UI's origin may call it from a browser (CORS), and every call needs an API key.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Payload } from '@temporalio/common';
import { z } from 'zod';
import { EncryptionCodec, type EncryptionKey } from '../lib/codec';
import { describeIssues } from '../plan/customer';
import { sameText } from '../lib/same-text';

const base64 = z.string().regex(/^[A-Za-z0-9+/_-]*={0,2}$/, 'expected base64');
const codecBodySchema = z.object({ payloads: z.array(z.object({ metadata: z.record(z.string(), base64).optional(), data: base64.optional() })) });
type JsonPayload = z.infer<typeof codecBodySchema>['payloads'][number];

const toPayload = (p: JsonPayload): Payload => ({
  metadata: Object.fromEntries(Object.entries(p.metadata ?? {}).map(([k, v]) => [k, Buffer.from(v, 'base64')])),
  data: Buffer.from(p.data ?? '', 'base64'),
});
const toJson = (p: Payload): JsonPayload => ({
  metadata: Object.fromEntries(Object.entries(p.metadata ?? {}).map(([k, v]) => [k, Buffer.from(v ?? new Uint8Array()).toString('base64')])),
  data: Buffer.from(p.data ?? new Uint8Array()).toString('base64'),
});

export interface CodecServerOptions {
  keys: readonly EncryptionKey[];
  /** The Temporal UI's origin: the only one a browser may call from (CORS). */
  uiOrigin?: string;
  /**
   * A path secret for a UI that cannot send an API key (the dev server's UI has no sign-in):
   * `/codec/ui/<uiToken>/decode` answers without one, still only to `uiOrigin` in a browser.
   */
  uiToken?: string;
}

export function registerCodecServer(app: FastifyInstance, opts: CodecServerOptions & { requireKey: (req: FastifyRequest, reply: FastifyReply) => Promise<unknown> }): void {
  const codec = new EncryptionCodec(opts.keys);
  const tokenMatches = (given: string) => !!opts.uiToken && sameText(given, opts.uiToken);
  const cors = (req: FastifyRequest, reply: FastifyReply) => {
    if (opts.uiOrigin && req.headers.origin === opts.uiOrigin) {
      void reply.header('access-control-allow-origin', opts.uiOrigin).header('vary', 'origin').header('access-control-allow-credentials', 'true');
    }
  };
  const run = async (op: 'decode' | 'encode', req: FastifyRequest, reply: FastifyReply) => {
    const body = codecBodySchema.safeParse(req.body ?? {});
    if (!body.success) return reply.code(400).send({ error: 'invalid input', problems: describeIssues(body.error) });
    const payloads = body.data.payloads.map(toPayload);
    try {
      const out = op === 'decode' ? await codec.decode(payloads) : await codec.encode(payloads);
      return { payloads: out.map(toJson) };
    } catch (err) {
      // A payload that is not ours (an unknown key id, a changed byte: GCM's tag fails) is the caller's problem.
      return reply.code(400).send({ error: 'invalid input', problems: [`payloads: cannot ${op}: ${(err as Error).message}`] });
    }
  };
  const preflight = async (req: FastifyRequest, reply: FastifyReply) => {
    cors(req, reply);
    return reply.header('access-control-allow-methods', 'POST').header('access-control-allow-headers', 'authorization, content-type, x-namespace').code(204).send();
  };
  for (const op of ['decode', 'encode'] as const) {
    const url = `/codec/${op}`;
    app.options(url, preflight);
    app.post(url, { preHandler: async (req, reply) => {
      cors(req, reply);
      return opts.requireKey(req, reply);
    } }, (req, reply) => run(op, req, reply));
    if (!opts.uiToken) continue;
    const uiUrl = `/codec/ui/:token/${op}`;
    app.options(uiUrl, preflight);
    app.post<{ Params: { token: string } }>(uiUrl, { preHandler: async (req, reply) => {
      cors(req, reply);
      if (!tokenMatches(req.params.token)) return reply.code(404).send({ error: 'not found' });
    } }, (req, reply) => run(op, req, reply));
  }
}

// A receiver of plan33's signed JSON posts on loopback, standing in for another system: the
// print-and-mail provider (`FULFILMENT_WEBHOOK_URL`), a CRM, or the chaos suite's agent task
// system. It checks the signature as the other system would, keeps every request it accepted
// as it arrived (a retry with the same Idempotency-Key included: `arrivals` is raw), and
// answers with the item's id, the same id for the same Idempotency-Key (as a provider that
// honours the key does).
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SIGNATURE_HEADER, signatureProblem } from '../lib/webhook-signature';

export interface WebhookArrival {
  /** The request path, e.g. /fulfilment. */
  path: string;
  idempotencyKey: string | undefined;
  body: unknown;
  receivedAt: Date;
}

export interface LocalWebhooks {
  baseUrl: string;
  /** Every request accepted, in order of arrival. */
  arrivals: WebhookArrival[];
  /** Requests refused (bad signature, not JSON), with why. */
  refused: Array<{ path: string; why: string }>;
  close(): Promise<void>;
}

export async function startLocalWebhooks(opts: { secret: string; port?: number }): Promise<LocalWebhooks> {
  const arrivals: WebhookArrival[] = [];
  const refused: LocalWebhooks['refused'] = [];
  const ids = new Map<string, string>();
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const path = (req.url ?? '').split('?')[0]!;
      const text = Buffer.concat(chunks).toString('utf8');
      const answer = (status: number, body: unknown) => {
        res.writeHead(status, { 'content-type': 'application/json' });
        res.end(JSON.stringify(body));
      };
      if (req.method !== 'POST') return answer(405, { error: 'POST only' });
      const header = req.headers[SIGNATURE_HEADER];
      const why = signatureProblem(opts.secret, Array.isArray(header) ? header[0] : header, text);
      if (why) {
        refused.push({ path, why });
        return answer(401, { error: why });
      }
      let body: unknown;
      try {
        body = JSON.parse(text) as unknown;
      } catch {
        refused.push({ path, why: 'not JSON' });
        return answer(400, { error: 'not JSON' });
      }
      const key = req.headers['idempotency-key'];
      const idempotencyKey = Array.isArray(key) ? key[0] : key;
      arrivals.push({ path, idempotencyKey, body, receivedAt: new Date() });
      const id = (idempotencyKey && ids.get(idempotencyKey)) ?? `item_${String(arrivals.length).padStart(6, '0')}`;
      if (idempotencyKey) ids.set(idempotencyKey, id);
      answer(200, { id });
    });
  });
  await new Promise<void>((ok) => server.listen(opts.port ?? 0, '127.0.0.1', () => ok()));
  const port = (server.address() as AddressInfo).port;
  return {
    baseUrl: `http://127.0.0.1:${port}`,
    arrivals,
    refused,
    close: () =>
      new Promise<void>((ok) => {
        server.closeAllConnections();
        server.close(() => ok());
      }),
  };
}

// A Twilio-compatible Messages endpoint on loopback: the real `twilio` client talks to it over
// HTTP (see worker/sms.ts), for `npm start`, `plan33 simulate` and the tests. It checks the
// Basic auth like Twilio, keeps every message, and can answer with errors to test retries.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { mkdir, writeFile } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';

export interface LocalSms {
  sid: string;
  accountSid: string;
  to: string;
  from?: string;
  messagingServiceSid?: string;
  body: string;
  receivedAt: Date;
}

export interface LocalTwilio {
  port: number;
  baseUrl: string;
  messages: LocalSms[];
  /** Every request, accepted or not (for asserting retries). */
  requests: Array<{ method: string; path: string; status: number }>;
  close(): Promise<void>;
}

export interface LocalTwilioOptions {
  accountSid: string;
  authToken: string;
  port?: number;
  /** Folder to keep each message as JSON; unset: memory only. */
  dir?: string;
  /** Return an error response for a request (status + Twilio error code), or undefined to accept. */
  fail?: (form: URLSearchParams, attempt: number) => { status: number; code: number; message: string } | undefined;
  onMessage?: (sms: LocalSms) => void;
  /** Keep the message but never answer (true): models a sender that dies before the reply. */
  holdReply?: (sms: LocalSms) => boolean;
  /**
   * Fault injection (the chaos suite): a POST that times out. No answer for `afterMs`, then the
   * connection is cut; with `keep` the message was accepted first (sent, but the sender never
   * learns it), without it nothing was kept.
   */
  hang?: (form: URLSearchParams, attempt: number) => { afterMs: number; keep: boolean } | undefined;
}

function toJson(sms: LocalSms) {
  return { sid: sms.sid, account_sid: sms.accountSid, to: sms.to, from: sms.from ?? null, messaging_service_sid: sms.messagingServiceSid ?? null, body: sms.body, status: 'queued', date_created: sms.receivedAt.toUTCString() };
}

function send(res: ServerResponse, status: number, body: unknown) {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}

export async function startLocalTwilio(opts: LocalTwilioOptions): Promise<LocalTwilio> {
  const messages: LocalSms[] = [];
  const requests: LocalTwilio['requests'] = [];
  const expectedAuth = `Basic ${Buffer.from(`${opts.accountSid}:${opts.authToken}`).toString('base64')}`;
  if (opts.dir) await mkdir(opts.dir, { recursive: true });
  let attempt = 0;
  let n = 0;
  const server = createServer((req: IncomingMessage, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const path = (req.url ?? '').split('?')[0]!;
      const reply = (status: number, body: unknown) => {
        requests.push({ method: req.method ?? '', path, status });
        send(res, status, body);
      };
      const match = /^\/2010-04-01\/Accounts\/([^/]+)\/Messages\.json$/.exec(path);
      if ((req.method !== 'POST' && req.method !== 'GET') || !match) return reply(404, { code: 20404, message: 'The requested resource was not found', status: 404 });
      if (req.headers.authorization !== expectedAuth || match[1] !== opts.accountSid) return reply(401, { code: 20003, message: 'Authenticate', status: 401 });
      if (req.method === 'GET') {
        // The list call (newest first, filtered by To), as the client's `messages.list` reads it.
        const query = new URLSearchParams((req.url ?? '').split('?')[1] ?? '');
        const to = query.get('To');
        const size = Number(query.get('PageSize') ?? 50);
        const page = messages.filter((m) => !to || m.to === to).slice().reverse().slice(0, size);
        return reply(200, { messages: page.map(toJson), next_page_uri: null, page: 0, page_size: size, uri: path });
      }
      const form = new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
      const attemptNo = ++attempt;
      const hung = opts.hang?.(form, attemptNo);
      const cut = () => {
        requests.push({ method: req.method ?? '', path, status: 0 });
        req.socket.destroy();
      };
      if (hung && !hung.keep) return void setTimeout(cut, hung.afterMs);
      const failure = hung ? undefined : opts.fail?.(form, attemptNo);
      if (failure) return reply(failure.status, { code: failure.code, message: failure.message, status: failure.status, more_info: `https://www.twilio.com/docs/errors/${failure.code}` });
      const to = form.get('To');
      const body = form.get('Body');
      if (!to || !body || (!form.get('From') && !form.get('MessagingServiceSid'))) return reply(400, { code: 21604, message: "A 'To', 'Body' and 'From' or 'MessagingServiceSid' are required", status: 400 });
      const sms: LocalSms = {
        sid: `SM${String(++n).padStart(32, '0')}`,
        accountSid: opts.accountSid,
        to,
        from: form.get('From') ?? undefined,
        messagingServiceSid: form.get('MessagingServiceSid') ?? undefined,
        body,
        receivedAt: new Date(),
      };
      const stored = opts.dir ? writeFile(join(opts.dir, `${sms.receivedAt.toISOString().replace(/[:.]/g, '-')}-${n}.json`), JSON.stringify(sms, null, 2)) : Promise.resolve();
      stored.then(() => {
        messages.push(sms);
        opts.onMessage?.(sms);
        if (hung) return void setTimeout(cut, hung.afterMs); // kept, the answer never comes
        if (opts.holdReply?.(sms)) return; // accepted, but the answer never leaves (a dying sender)
        reply(201, toJson(sms));
      }, (err: Error) => reply(500, { code: 20500, message: err.message, status: 500 }));
    });
  });
  await new Promise<void>((ok) => server.listen(opts.port ?? 0, '127.0.0.1', () => ok()));
  const port = (server.address() as AddressInfo).port;
  return { port, baseUrl: `http://127.0.0.1:${port}`, messages, requests, close: () => new Promise<void>((ok) => server.close(() => ok())) };
}

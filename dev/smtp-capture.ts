// A real SMTP server on loopback that keeps every message: as a `.eml` file in a folder
// (for `npm start`, where people look at what was sent) and in memory (for tests). It keeps
// what arrived as it arrived: a message sent twice is kept twice, whatever its Message-ID.
import { mkdir, writeFile } from 'node:fs/promises';
import type { AddressInfo, Socket } from 'node:net';
import { join } from 'node:path';
import { SMTPServer } from 'smtp-server';

export interface CapturedMessage {
  from: string | undefined;
  to: string[];
  raw: string;
  file?: string;
  receivedAt: Date;
}

export interface SmtpCapture {
  port: number;
  /** Every message accepted, in order of arrival (a resent copy included). */
  messages: CapturedMessage[];
  /** Resolves once `count` messages have arrived (or rejects after `timeoutMs`). */
  waitFor(count: number, timeoutMs?: number): Promise<CapturedMessage[]>;
  close(): Promise<void>;
}

export interface SmtpCaptureOptions {
  port?: number;
  host?: string;
  /** Folder to keep each message in as `<time>-<n>.eml`; unset: memory only. */
  dir?: string;
  /** Reply with this SMTP code to RCPT TO for addresses matching, to test refusals. */
  rejectRecipient?: (address: string) => { code: number; message: string } | undefined;
  onMessage?: (message: CapturedMessage) => void;
  /**
   * Fault injection (the chaos suite): asked at RCPT TO and again once the whole message is in
   * (before it is kept). A reply refuses with that SMTP code (4xx: try later, 5xx: never); 'drop'
   * cuts the connection without an answer (the message is not kept). Undefined: carry on.
   */
  inject?: (at: { stage: 'rcpt'; address: string } | { stage: 'data'; to: string[]; raw: string }) => { code: number; message: string } | 'drop' | undefined;
  /** Connection errors (a sender that died, a connection cut by `inject`); without it they are ignored only when `inject` is set. */
  onError?: (err: Error) => void;
}

export async function startSmtpCapture(opts: SmtpCaptureOptions = {}): Promise<SmtpCapture> {
  const messages: CapturedMessage[] = [];
  const waiters: Array<() => void> = [];
  if (opts.dir) await mkdir(opts.dir, { recursive: true });
  let n = 0;
  /** The open sockets by the client's port, so `inject` can cut one. */
  const sockets = new Map<number, Socket>();
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onRcptTo(address, _session, callback) {
      const injected = opts.inject?.({ stage: 'rcpt', address: address.address });
      if (injected === 'drop') return void sockets.get(_session.remotePort)?.destroy();
      const refusal = injected ?? opts.rejectRecipient?.(address.address);
      if (refusal) {
        const err = Object.assign(new Error(refusal.message), { responseCode: refusal.code });
        return callback(err);
      }
      callback();
    },
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        const raw = Buffer.concat(chunks).toString('utf8');
        const message: CapturedMessage = {
          from: session.envelope.mailFrom ? session.envelope.mailFrom.address : undefined,
          to: session.envelope.rcptTo.map((r) => r.address),
          raw,
          receivedAt: new Date(),
        };
        const injected = opts.inject?.({ stage: 'data', to: message.to, raw });
        if (injected === 'drop') return void sockets.get(session.remotePort)?.destroy();
        if (injected) return callback(Object.assign(new Error(injected.message), { responseCode: injected.code }));
        const store = opts.dir
          ? writeFile((message.file = join(opts.dir, `${message.receivedAt.toISOString().replace(/[:.]/g, '-')}-${++n}.eml`)), raw)
          : Promise.resolve();
        store.then(
          () => {
            messages.push(message);
            opts.onMessage?.(message);
            waiters.splice(0).forEach((w) => w());
            callback();
          },
          (err: Error) => callback(err),
        );
      });
    },
  });
  if (opts.onError || opts.inject) server.on('error', (err: Error) => opts.onError?.(err));
  if (opts.inject) {
    server.server.on('connection', (socket: Socket) => {
      const port = socket.remotePort;
      if (port === undefined) return;
      sockets.set(port, socket);
      socket.once('close', () => sockets.delete(port));
    });
  }
  await new Promise<void>((ok, fail) => {
    server.once('error', fail);
    server.listen(opts.port ?? 0, opts.host ?? '127.0.0.1', () => ok());
  });
  const port = (server.server.address() as AddressInfo).port;
  return {
    port,
    messages,
    waitFor(count, timeoutMs = 30_000) {
      return new Promise((ok, fail) => {
        const timer = setTimeout(() => fail(new Error(`expected ${count} message(s), got ${messages.length} in ${timeoutMs} ms`)), timeoutMs);
        const check = () => {
          if (messages.length >= count) {
            clearTimeout(timer);
            ok(messages.slice());
          } else waiters.push(check);
        };
        check();
      });
    },
    close: () => new Promise<void>((ok) => server.close(() => ok())),
  };
}

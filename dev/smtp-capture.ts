// A real SMTP server on loopback that keeps every message: as a `.eml` file in a folder
// (for `npm start`, where people look at what was sent) and in memory (for tests).
import { mkdir, writeFile } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
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
}

export async function startSmtpCapture(opts: SmtpCaptureOptions = {}): Promise<SmtpCapture> {
  const messages: CapturedMessage[] = [];
  const waiters: Array<() => void> = [];
  if (opts.dir) await mkdir(opts.dir, { recursive: true });
  let n = 0;
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onRcptTo(address, _session, callback) {
      const refusal = opts.rejectRecipient?.(address.address);
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

// The production mail transport (worker/mailer.ts, from lib/config.ts) against a real SMTP
// server with TLS: STARTTLS and implicit TLS with a private CA, certificate verification, the
// connection pool's limit and authentication. The certificates are test-only fixtures.
import { readFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { simpleParser } from 'mailparser';
import { SMTPServer, type SMTPServerOptions } from 'smtp-server';
import { afterEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../lib/config';
import { createMailer } from '../worker/mailer';

const fixture = (name: string) => fileURLToPath(new URL(`./fixtures/tls/${name}`, import.meta.url));
const CA_FILE = fixture('ca.pem');
const KEY = readFileSync(fixture('server.key'));
// The server sends its whole chain, so an untrusted CA shows up as a self-signed certificate.
const CERT_CHAIN = Buffer.concat([readFileSync(fixture('server.pem')), readFileSync(CA_FILE)]);

interface Received {
  secure: boolean;
  user: unknown;
  raw: string;
}

interface TestServer {
  port: number;
  received: Received[];
  auths: Array<{ method: string; username: string | null | undefined; password: string | null | undefined; secure: boolean }>;
  connections: { total: number; open: number; maxOpen: number };
  close(): Promise<void>;
}

const cleanups: Array<() => Promise<void> | void> = [];

afterEach(async () => {
  // Transports first (their pooled connections would keep the server's close waiting), then servers.
  for (const cleanup of cleanups.splice(0)) await cleanup();
});

async function startServer(opts: Partial<SMTPServerOptions> = {}): Promise<TestServer> {
  const received: Received[] = [];
  const auths: TestServer['auths'] = [];
  const connections = { total: 0, open: 0, maxOpen: 0 };
  const server = new SMTPServer({
    key: KEY,
    cert: CERT_CHAIN,
    logger: false,
    authOptional: true,
    closeTimeout: 1000,
    onConnect(_session, callback) {
      connections.total++;
      connections.maxOpen = Math.max(connections.maxOpen, ++connections.open);
      callback();
    },
    onClose() {
      connections.open--;
    },
    onAuth(auth, session, callback) {
      auths.push({ method: auth.method, username: auth.username, password: auth.password, secure: session.secure });
      if (auth.username === 'relay-user' && auth.password === 'relay-pass') return callback(null, { user: auth.username });
      callback(new Error('Invalid username or password'));
    },
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        received.push({ secure: session.secure, user: session.user, raw: Buffer.concat(chunks).toString('utf8') });
        callback();
      });
    },
    ...opts,
  });
  await new Promise<void>((ok, fail) => {
    server.once('error', fail);
    server.listen(0, '127.0.0.1', () => ok());
  });
  const port = (server.server.address() as AddressInfo).port;
  const close = () => new Promise<void>((ok) => server.close(() => ok()));
  cleanups.push(close);
  return { port, received, auths, connections, close };
}

/** The transport exactly as the worker builds it: environment strings → config → createMailer. */
function mailerFor(env: Record<string, string>) {
  const transport = createMailer(loadConfig({ SMTP_HOST: '127.0.0.1', SMTP_POOL: 'false', ...env }).smtp);
  cleanups.unshift(() => transport.close());
  return transport;
}

const message = (n = 1) => ({
  from: 'plan33 <plan33@localhost>',
  to: 'customer@example.com',
  subject: `Happy birthday ${n}`,
  text: `Many happy returns, message ${n}.`,
});

describe('SMTP transport with TLS settings from config', () => {
  it('STARTTLS with SMTP_REQUIRE_TLS and a private CA (SMTP_TLS_CA) delivers over an encrypted session', async () => {
    const server = await startServer();
    const transport = mailerFor({ SMTP_PORT: String(server.port), SMTP_REQUIRE_TLS: 'true', SMTP_TLS_CA: CA_FILE });
    const info = await transport.sendMail(message());
    expect(info.accepted).toEqual(['customer@example.com']);
    expect(server.received).toHaveLength(1);
    expect(server.received[0]!.secure).toBe(true);
    const parsed = await simpleParser(server.received[0]!.raw);
    expect(parsed.subject).toBe('Happy birthday 1');
    expect(parsed.text?.trim()).toBe('Many happy returns, message 1.');
  });

  it('implicit TLS (SMTP_SECURE) works with the same CA', async () => {
    const server = await startServer({ secure: true });
    const transport = mailerFor({ SMTP_PORT: String(server.port), SMTP_SECURE: 'true', SMTP_TLS_CA: CA_FILE });
    await transport.sendMail(message(2));
    expect(server.received).toHaveLength(1);
    expect(server.received[0]!.secure).toBe(true);
    expect((await simpleParser(server.received[0]!.raw)).subject).toBe('Happy birthday 2');
  });

  it('without SMTP_TLS_CA the certificate is refused (verification is on by default)', async () => {
    const server = await startServer({ secure: true });
    const transport = mailerFor({ SMTP_PORT: String(server.port), SMTP_SECURE: 'true' });
    await expect(transport.sendMail(message())).rejects.toThrow(/self[- ]signed certificate/i);
    expect(server.received).toHaveLength(0);
  });

  it('without SMTP_TLS_CA, STARTTLS with SMTP_REQUIRE_TLS is refused too; nothing is sent in the clear', async () => {
    const server = await startServer();
    const transport = mailerFor({ SMTP_PORT: String(server.port), SMTP_REQUIRE_TLS: 'true' });
    await expect(transport.sendMail(message())).rejects.toThrow(/self[- ]signed certificate/i);
    expect(server.received).toHaveLength(0);
  });

  it('SMTP_POOL with SMTP_MAX_CONNECTIONS=2 sends 6 messages over at most 2 connections', async () => {
    const server = await startServer();
    const transport = mailerFor({
      SMTP_PORT: String(server.port),
      SMTP_REQUIRE_TLS: 'true',
      SMTP_TLS_CA: CA_FILE,
      SMTP_POOL: 'true',
      SMTP_MAX_CONNECTIONS: '2',
    });
    await Promise.all([1, 2, 3, 4, 5, 6].map((n) => transport.sendMail(message(n))));
    expect(server.received).toHaveLength(6);
    const subjects = await Promise.all(server.received.map(async (r) => (await simpleParser(r.raw)).subject));
    expect(subjects.sort()).toEqual([1, 2, 3, 4, 5, 6].map((n) => `Happy birthday ${n}`));
    expect(server.received.every((r) => r.secure)).toBe(true);
    expect(server.connections.maxOpen).toBeLessThanOrEqual(2);
    expect(server.connections.total).toBeLessThan(6);
    transport.close();
  });

  it('SMTP_USER/SMTP_PASS authenticate over TLS', async () => {
    const server = await startServer({ authOptional: false, authMethods: ['PLAIN', 'LOGIN'] });
    const transport = mailerFor({
      SMTP_PORT: String(server.port),
      SMTP_REQUIRE_TLS: 'true',
      SMTP_TLS_CA: CA_FILE,
      SMTP_USER: 'relay-user',
      SMTP_PASS: 'relay-pass',
    });
    await transport.sendMail(message());
    expect(server.auths).toHaveLength(1);
    expect(server.auths[0]).toMatchObject({ username: 'relay-user', password: 'relay-pass', secure: true });
    expect(['PLAIN', 'LOGIN']).toContain(server.auths[0]!.method);
    expect(server.received).toHaveLength(1);
    expect(server.received[0]!.user).toBe('relay-user');
  });

  it('a server that requires authentication refuses the transport without SMTP_USER', async () => {
    const server = await startServer({ authOptional: false, authMethods: ['PLAIN', 'LOGIN'] });
    const transport = mailerFor({ SMTP_PORT: String(server.port), SMTP_REQUIRE_TLS: 'true', SMTP_TLS_CA: CA_FILE });
    await expect(transport.sendMail(message())).rejects.toMatchObject({ responseCode: 530 });
    expect(server.received).toHaveLength(0);
  });

  it('SMTP_TLS_CA naming a missing file fails at createMailer, naming the variable and the path', () => {
    const missing = fixture('no-such-ca.pem');
    const config = loadConfig({ SMTP_TLS_CA: missing });
    expect(() => createMailer(config.smtp)).toThrow(/SMTP_TLS_CA/);
    expect(() => createMailer(config.smtp)).toThrow(missing);
  });

  it('SMTP_TLS_CA naming a file with no certificate fails at createMailer', () => {
    const config = loadConfig({ SMTP_TLS_CA: fixture('README.md') });
    expect(() => createMailer(config.smtp)).toThrow(/SMTP_TLS_CA: .*README\.md holds no PEM certificate/);
  });
});

// The Temporal CLI dev server as a child process of `npm start`, in its own process group:
// a Ctrl-C in the terminal reaches plan33 only, which stops its worker first and the server
// last, so no workflow task is cut off half-way. (Tests use the SDK's createLocal instead.)
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { openSync, closeSync } from 'node:fs';
import { locate, waitForPort } from './binaries.mjs';
import { searchAttributeArgs } from '../plan/search-attributes';

export interface DevServer {
  address: string;
  uiUrl?: string;
  /** Ms from spawn until the frontend reported SERVING. */
  answeredAfterMs: number;
  stop(): Promise<void>;
  /** Immediate SIGKILL, for a forced exit. */
  kill(): void;
}

export interface DevServerProcessOptions {
  dbFilename: string;
  port: number;
  uiPort?: number;
  namespace: string;
  /** The server's own log (JSON lines). */
  logFile: string;
  /** Temporal UI decodes payloads through this codec server (`--ui-codec-endpoint`). */
  codecEndpoint?: string;
}

/** The port opens before the frontend serves; the CLI's own health check says when it does. */
async function waitForHealth(cli: string, port: number, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const healthy = await new Promise<boolean>((ok) => {
      execFile(cli, ['operator', 'cluster', 'health', '--address', `127.0.0.1:${port}`], { timeout: 5_000 }, (err, stdout) =>
        ok(!err && stdout.includes('SERVING')),
      );
    });
    if (healthy) return;
    if (Date.now() > deadline) throw new Error(`the Temporal dev server on port ${port} did not report SERVING within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Returns undefined when no CLI binary is at hand (the caller falls back to the SDK download). */
export async function spawnDevServer(opts: DevServerProcessOptions): Promise<DevServer | undefined> {
  const found = locate('cli');
  if (!('path' in found)) return undefined;
  const args = [
    'server', 'start-dev',
    '--ip', '127.0.0.1',
    '--port', String(opts.port),
    '--namespace', opts.namespace,
    '--db-filename', opts.dbFilename,
    '--log-format', 'json',
    '--log-level', 'warn',
    ...searchAttributeArgs().flatMap((sa) => ['--search-attribute', sa]),
    ...(opts.uiPort ? ['--ui-port', String(opts.uiPort), '--ui-ip', '127.0.0.1', '--ui-disable-news-fetch'] : ['--headless']),
    ...(opts.uiPort && opts.codecEndpoint ? ['--ui-codec-endpoint', opts.codecEndpoint] : []),
  ];
  const log = openSync(opts.logFile, 'a');
  const started = Date.now();
  const child: ChildProcess = spawn(found.path, args, { detached: true, stdio: ['ignore', log, log] });
  closeSync(log);
  const exited = new Promise<never>((_, fail) =>
    child.once('exit', (code) => fail(new Error(`the Temporal dev server exited with code ${code} before answering; see ${opts.logFile}`))),
  );
  exited.catch(() => undefined);
  try {
    await Promise.race([waitForPort(opts.port, { timeoutMs: 60_000 }).then(() => waitForHealth(found.path, opts.port)), exited]);
  } catch (err) {
    child.kill('SIGKILL');
    throw err;
  }
  // If plan33 dies without stopping it, the server (in its own group) must not linger.
  const killOnExit = () => child.kill('SIGKILL');
  process.once('exit', killOnExit);
  return {
    kill: killOnExit,
    address: `127.0.0.1:${opts.port}`,
    uiUrl: opts.uiPort ? `http://localhost:${opts.uiPort}` : undefined,
    answeredAfterMs: Date.now() - started,
    stop: () =>
      new Promise<void>((done) => {
        if (child.exitCode !== null) return done();
        const force = setTimeout(() => child.kill('SIGKILL'), 10_000);
        child.once('exit', () => {
          clearTimeout(force);
          process.off('exit', killOnExit);
          done();
        });
        child.kill('SIGTERM');
      }),
  };
}

// The compiled app run as production runs it: `node dist/cli.mjs db migrate`, then
// `node dist/worker.mjs` and `node dist/api.mjs` as separate processes, configured by the
// environment only, against a Temporal server, a PostgreSQL and an SMTP server given by the
// caller. Used by test/production-install.test.ts (a production install, npm ci --omit=dev)
// and scripts/smoke-node.ts (the pinned production Node).
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';

export interface ProductionStackOptions {
  /** The folder with dist/, node_modules/ and the sources the worker bundles (workflows/...). */
  appDir: string;
  /** The node binary (default: this process's). */
  node?: string;
  temporalAddress: string;
  databaseUrl: string;
  smtpPort: number;
  apiPort: number;
}

export const API_KEY = 'production-stack-api-key-0123';

/** The environment the image's worker and API get from docker-compose.yml, pointed at loopback. */
export function productionEnv(opts: ProductionStackOptions): NodeJS.ProcessEnv {
  return {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    NODE_ENV: 'production',
    TEMPORAL_ADDRESS: opts.temporalAddress,
    TEMPORAL_NAMESPACE: 'default',
    TEMPORAL_TASK_QUEUE: 'plan33',
    DATABASE_URL: opts.databaseUrl,
    SMTP_HOST: '127.0.0.1',
    SMTP_PORT: String(opts.smtpPort),
    MAIL_FROM: 'Cedar Homes <hello@cedar.example>',
    BUSINESS_NAME: 'Cedar Homes',
    BUSINESS_POSTAL_ADDRESS: '1 Main Street, Springfield',
    REFERRAL_URL: 'https://cedar.example/refer',
    PUBLIC_BASE_URL: `http://127.0.0.1:${opts.apiPort}`,
    UNSUBSCRIBE_SECRET: 'production-stack-unsubscribe-secret',
    PLAN33_API_PORT: String(opts.apiPort),
    PLAN33_API_KEY: API_KEY,
    PLAN33_DATA_DIR: join(opts.appDir, '.plan33', 'data'),
    LOG_LEVEL: 'info',
  };
}

/** `plan33 <args>` through the package's bin (cli/bin/plan33.mjs), as `npx plan33` runs it. */
export function runCli(opts: ProductionStackOptions, args: string[], timeoutMs = 60_000) {
  const run = spawnSync(opts.node ?? process.execPath, [join(opts.appDir, 'cli', 'bin', 'plan33.mjs'), ...args], { cwd: opts.appDir, env: productionEnv(opts), encoding: 'utf8', timeout: timeoutMs });
  return { status: run.status, stdout: run.stdout, stderr: run.stderr, error: run.error };
}

export interface RunningEntry {
  child: ChildProcess;
  /** Ms from spawn until ready. */
  readyAfterMs: number;
  output(): string;
  /** SIGTERM, then SIGKILL after 15 s; resolves with the exit code or signal. */
  stop(): Promise<number | string | null>;
}

/** Starts `node --enable-source-maps dist/<entry>.mjs` and waits until `ready()` says so. */
export async function startEntry(opts: ProductionStackOptions, entry: 'worker' | 'api', ready: (output: string) => boolean | Promise<boolean>, timeoutMs = 90_000): Promise<RunningEntry> {
  const started = Date.now();
  const child = spawn(opts.node ?? process.execPath, ['--enable-source-maps', join(opts.appDir, 'dist', `${entry}.mjs`)], { cwd: opts.appDir, env: productionEnv(opts), stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  const keep = (d: Buffer) => {
    out += d.toString();
    if (out.length > 400_000) out = out.slice(-200_000);
  };
  child.stdout!.on('data', keep);
  child.stderr!.on('data', keep);
  const exited = new Promise<number | string | null>((ok) => child.once('exit', (code, signal) => ok(signal ?? code)));
  const stop = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return exited;
    child.kill('SIGTERM');
    const force = setTimeout(() => child.kill('SIGKILL'), 15_000);
    const how = await exited;
    clearTimeout(force);
    return how;
  };
  for (;;) {
    if (await ready(out)) return { child, readyAfterMs: Date.now() - started, output: () => out, stop };
    if (child.exitCode !== null || child.signalCode !== null) throw new Error(`dist/${entry}.mjs exited (${child.exitCode ?? child.signalCode}) before it was ready:\n${out}`);
    if (Date.now() - started > timeoutMs) {
      await stop();
      throw new Error(`dist/${entry}.mjs not ready within ${timeoutMs} ms:\n${out}`);
    }
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** The worker says so once its three SDK workers run (worker/main.ts). */
export const workerReady = (out: string) => out.includes('"msg":"plan33 worker running"');

/** The API is ready when /ready answers 200 (Temporal and the database reachable). */
export const apiReady = (port: number) => async () => {
  const res = await fetch(`http://127.0.0.1:${port}/ready`).catch(() => undefined);
  return res?.status === 200;
};

/** POST /v1/deals for one customer whose deal closed today: the worker sends the welcome email. */
export async function enrolOne(apiPort: number, id: string, email: string) {
  const customer = {
    id,
    name: { first: 'Layla', last: 'Haddad' },
    email,
    address: { line1: '12 Olaya St', city: 'Riyadh', postalCode: '12211', country: 'SA' },
    locale: 'en',
    timezone: 'Asia/Riyadh',
    consent: { email: true, sms: false, postal: false, phone: false },
    agent: 'agent-sara',
    sendingHours: '00:00-24:00',
  };
  const res = await fetch(`http://127.0.0.1:${apiPort}/v1/deals`, {
    method: 'POST',
    headers: { authorization: `Bearer ${API_KEY}`, 'content-type': 'application/json' },
    body: JSON.stringify({ customer, deal: { id: `deal-${id}`, closedAt: new Date().toISOString().slice(0, 10) } }),
  });
  return { status: res.status, body: await res.text() };
}

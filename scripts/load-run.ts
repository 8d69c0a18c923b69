// The bounded load run behind `npm run load` (scripts/load.ts) and its sample in `npm test`
// (test/load.test.ts): N distinct customers enrolled through the HTTP API over loopback, then
// everything counted.
//
// The stack is real and on this machine only: the Temporal dev server (pinned binary, its own
// SQLite file in a temporary folder), PostgreSQL (embedded, in a temporary folder, unless a URL
// is given), a capturing SMTP server, and two processes of our own (scripts/load-child.ts): the
// plan33 worker and the HTTP API with an admin key, both configured from the environment as in
// production. autocannon POSTs one deal per customer to /v1/deals at a bounded concurrency
// (`amount: N`, each request built by `setupRequest` for the next customer). Afterwards the
// run waits for the worker to have planned every year, then counts: the customers' workflows in
// Temporal's visibility (listed, not sampled) and their rows in PostgreSQL (customers, deals,
// contacts), each customer exactly once.
import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import autocannon from 'autocannon';
import { Client, Connection } from '@temporalio/client';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { sql } from 'kysely';
import { freePort, projectRoot } from '../dev/binaries.mjs';
import { spawnDevServer, type DevServer } from '../dev/dev-server';
import { postgresTempDir, startEmbeddedPostgres, type EmbeddedPostgres } from '../dev/embedded-postgres';
import { startSmtpCapture } from '../dev/smtp-capture';
import { createDevServerEnv } from '../dev/temporal-server';
import { CONFIG_VARIABLES } from '../lib/config';
import { customerWorkflowId } from '../plan/ids';
import { openStores } from '../stores';

export interface LoadOptions {
  /** Distinct customers to enrol, one request each. */
  n: number;
  /** Concurrent HTTP connections (autocannon `connections`); default 20. */
  connections?: number;
  /** plan33's PostgreSQL, migrated here (a fresh database); unset: an embedded server in a temporary folder. */
  databaseUrl?: string;
  /** A prebuilt workflow bundle file for the worker; unset: the worker builds its own. */
  workflowBundlePath?: string;
  /** Give up waiting for the worker to plan everyone when neither count has grown for this long; default 120 s. */
  stallTimeoutMs?: number;
  /** Progress lines; default: none. */
  log?: (line: string) => void;
  /** The Temporal dev server's state: `memory` (default: SQLite in memory, as `npm run bench`) or `file` (a SQLite file in the temporary folder, as `npm start`). */
  temporalDb?: 'memory' | 'file';
  /** Stops the run early (Ctrl-C): the stack is still taken down, and the run rejects. */
  signal?: AbortSignal;
}

export interface LoadResult {
  n: number;
  connections: number;
  http: {
    sent: number;
    completed: number;
    status2xx: number;
    non2xx: number;
    /** Connection errors, timeouts included (autocannon's count). */
    errors: number;
    timeouts: number;
    /** Non-202 answers, first few: `<status> <customer> <body>`. */
    refusals: string[];
    latencyMs: { p50: number; p90: number; p99: number; max: number; mean: number };
    requestsPerSecond: number;
    durationS: number;
  };
  /** 202 answers whose body named this customer's workflow. */
  accepted: number;
  workflows: { listed: number; running: number; distinct: number; duplicates: number };
  rows: { customers: number; deals: number; contacts: number; plannedTouches: number; duplicateDeals: number };
  /** Customers answered 202 whose workflow or any of their rows is missing. */
  lost: number;
  /** The first few lost customers, with what is missing. */
  lostExamples: string[];
  /** Workflows or rows of customers this run never sent. */
  strays: number;
  /** From the last response until every accepted customer had a workflow and a customers row. */
  settleS: number;
  emailsCaptured: number;
  machine: { cpus: number; loadBefore: number[]; loadAfterHttp: number[]; loadAfterSettle: number[] };
  /** Every figure that is not what it must be: `<what>: <got>, expected <want>`. */
  problems: string[];
  ok: boolean;
}

const TASK_QUEUE = 'plan33-load';
const ZONES = ['Asia/Riyadh', 'Europe/London', 'America/New_York', 'Asia/Dubai', 'Australia/Sydney'];

/**
 * The deal for customer `i` of run `run`. Reachable by phone call only (no email, SMS or postal
 * consent), so their year is planned and sleeps without sending anything whatever the hour; the
 * phone number makes the API write its contact row while answering. The deal date is pinned.
 */
export function loadDeal(run: string, i: number) {
  const id = `load-${run}-${i}`;
  return {
    customer: {
      id,
      name: { first: `Load${i}`, last: 'Customer' },
      phone: `+9665${String(i).padStart(8, '0')}`,
      timezone: ZONES[i % ZONES.length]!,
      agent: `agent-${i % 25}`,
      consent: { email: false, sms: false, postal: false, phone: true },
    },
    deal: { id: `deal-${id}`, closedAt: '2027-03-01', value: 400_000 + i },
  };
}

interface Child {
  proc: ChildProcess;
  /** Sends the rest of the environment (the servers' addresses, the key): the child goes on from there. */
  configure(env: Record<string, string>): void;
  ready: Promise<Record<string, unknown>>;
  logFile: string;
}

/** Started early, so that it loads its modules while the servers start; `configure` lets it go on. */
function startChild(role: 'api' | 'worker', baseEnv: NodeJS.ProcessEnv, dir: string): Child {
  const logFile = join(dir, `${role}.log`);
  const log = createWriteStream(logFile);
  const env = { ...baseEnv, LOAD_ENV_ON_STDIN: '1' };
  const proc = spawn(process.execPath, ['--import', 'tsx', join(projectRoot, 'scripts', 'load-child.ts'), role], { cwd: projectRoot, env, stdio: ['pipe', 'pipe', 'pipe'] });
  const configure = (more: Record<string, string>) => void proc.stdin!.end(`${JSON.stringify(more)}\n`);
  proc.stderr!.pipe(log);
  const tail = () => {
    try {
      return readFileSync(logFile, 'utf8').split('\n').slice(-15).join('\n');
    } catch {
      return '(no log)';
    }
  };
  const ready = new Promise<Record<string, unknown>>((resolve, reject) => {
    let buffered = '';
    let settled = false;
    const timer = setTimeout(() => fail(new Error(`the ${role} process was not ready within 180 s; see ${logFile}`)), 180_000);
    const fail = (err: Error) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      reject(err);
    };
    proc.stdout!.on('data', (chunk: Buffer) => {
      buffered += chunk.toString();
      const lines = buffered.split('\n');
      buffered = lines.pop()!;
      for (const line of lines) {
        if (line.startsWith('LOAD_READY ') && !settled) {
          settled = true;
          clearTimeout(timer);
          resolve(JSON.parse(line.slice('LOAD_READY '.length)) as Record<string, unknown>);
        } else log.write(`${line}\n`);
      }
    });
    // Its last words reach the log first.
    proc.once('exit', (code) => setTimeout(() => fail(new Error(`the ${role} process exited with code ${code} before it was ready; its log (${logFile}) ends:\n${tail()}`)), 200));
  });
  ready.catch(() => undefined);
  return { proc, configure, ready, logFile };
}

async function stopChild(child: Child | undefined): Promise<void> {
  if (!child || child.proc.exitCode !== null || child.proc.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.proc.once('exit', () => resolve()));
  child.proc.kill('SIGTERM');
  const force = setTimeout(() => child.proc.kill('SIGKILL'), 30_000);
  await exited;
  clearTimeout(force);
}

const round = (x: number, digits = 0) => Number(x.toFixed(digits));
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function runLoad(opts: LoadOptions): Promise<LoadResult> {
  const n = opts.n;
  const connections = Math.min(opts.connections ?? 20, n);
  if (!Number.isInteger(n) || n < 1) throw new Error(`n: expected a whole number of customers, 1 or more, got ${n}`);
  if (!Number.isInteger(connections) || connections < 1) throw new Error(`connections: expected a whole number, 1 or more, got ${opts.connections}`);
  const say = opts.log ?? (() => undefined);
  const temporalDb = opts.temporalDb ?? 'memory';
  const run = Date.now().toString(36);
  const dir = mkdtempSync(join(tmpdir(), 'plan33-load-'));
  let server: DevServer | undefined;
  let sdkServer: TestWorkflowEnvironment | undefined;
  let postgres: EmbeddedPostgres | undefined;
  let postgresDir: string | undefined;
  let worker: Child | undefined;
  let api: Child | undefined;
  let client: Client | undefined;
  const smtp = await startSmtpCapture({ host: '127.0.0.1' });
  let stores: Awaited<ReturnType<typeof openStores>> | undefined;
  // The logs (worker, API, Temporal server) are kept when anything went wrong, or with LOAD_KEEP_LOGS.
  let keepLogs = Boolean(process.env.LOAD_KEEP_LOGS);
  try {
    // ---- the stack ----
    const t0 = performance.now();
    // The worker and the API load their modules while the servers start (configured below).
    const baseEnv: NodeJS.ProcessEnv = Object.fromEntries(Object.entries(process.env).filter(([k]) => !CONFIG_VARIABLES.includes(k)));
    worker = startChild('worker', { ...baseEnv, ...(opts.workflowBundlePath ? { LOAD_WORKFLOW_BUNDLE: opts.workflowBundlePath } : {}) }, dir);
    api = startChild('api', baseEnv, dir);
    const startTemporal = async () => {
      if (temporalDb === 'file') server = await spawnDevServer({ dbFilename: join(dir, 'temporal.sqlite'), port: await freePort(), namespace: 'default', logFile: join(dir, 'temporal-server.log') });
      if (server) return server.address;
      // In memory: the pinned CLI through the SDK (the SDK's own download only without one).
      sdkServer = await createDevServerEnv();
      return sdkServer.connection.options.address;
    };
    const startDatabase = async () => {
      if (opts.databaseUrl) return opts.databaseUrl;
      postgresDir = postgresTempDir('plan33-load-postgres-');
      postgres = await startEmbeddedPostgres({ dataDir: join(postgresDir, 'data'), port: await freePort(), maxConnections: 200 });
      return postgres.url;
    };
    const [address, databaseUrl] = await Promise.all([startTemporal(), startDatabase()]);
    stores = await openStores({ url: databaseUrl, maxConnections: 4 }); // migrated once, before the children open theirs
    const apiKey = randomBytes(24).toString('base64url');
    const apiPort = await freePort();
    const env: Record<string, string> = {
      TEMPORAL_ADDRESS: address,
      TEMPORAL_NAMESPACE: 'default',
      TEMPORAL_TASK_QUEUE: TASK_QUEUE,
      DATABASE_URL: databaseUrl,
      PLAN33_API_KEY: apiKey,
      PLAN33_API_PORT: String(apiPort),
      PUBLIC_BASE_URL: `http://127.0.0.1:${apiPort}`,
      SMTP_HOST: '127.0.0.1',
      SMTP_PORT: String(smtp.port),
      PLAN33_DATA_DIR: join(dir, 'data'),
      LOG_LEVEL: 'warn',
    };
    worker.configure(env);
    api.configure(env);
    const [, apiInfo] = await Promise.all([worker.ready, api.ready]);
    const base = String(apiInfo.url);
    const connection = await Connection.connect({ address });
    client = new Client({ connection, namespace: 'default' });
    const ready = await fetch(`${base}/ready`);
    if (!ready.ok) throw new Error(`the API is not ready: ${ready.status} ${await ready.text()}`);
    say(`stack ready in ${((performance.now() - t0) / 1000).toFixed(1)} s: Temporal ${address} (SQLite ${server ? 'file' : 'in memory'}, pinned CLI), PostgreSQL ${postgres ? 'embedded' : 'given'}, worker pid ${worker.proc.pid}, API ${base} pid ${api.proc.pid}; logs in ${dir}`);

    // ---- the load: N POSTs, each a new customer ----
    const sentIds: string[] = [];
    const accepted = new Map<string, number>();
    const refusals: string[] = [];
    let refused = 0;
    const loadBefore = loadavg();
    say(`enrolling ${n} customers through POST /v1/deals, ${connections} connections (load average ${loadBefore.map((l) => l.toFixed(2)).join(' ')}, ${cpus().length} CPUs)`);
    const started = performance.now();
    const instance = autocannon({
      url: base,
      connections,
      amount: n,
      timeout: 30,
      headers: { authorization: `Bearer ${apiKey}`, 'content-type': 'application/json' },
      requests: [
        {
          method: 'POST',
          path: '/v1/deals',
          // Called once per request, with a fresh context each time (one request in the list).
          setupRequest: (req, context) => {
            const deal = loadDeal(run, sentIds.length);
            sentIds.push(deal.customer.id);
            (context as { id?: string }).id = deal.customer.id;
            return { ...req, body: JSON.stringify(deal) };
          },
          onResponse: (status, body, context) => {
            const id = (context as { id?: string }).id ?? '?';
            let workflowId: string | undefined;
            try {
              workflowId = (JSON.parse(body) as { workflowId?: string }).workflowId;
            } catch {
              workflowId = undefined;
            }
            if (status === 202 && workflowId === customerWorkflowId(id)) accepted.set(id, (accepted.get(id) ?? 0) + 1);
            else if (refused++ < 10) refusals.push(`${status} ${id} ${body.slice(0, 300)}`);
          },
        },
      ],
    }) as Promise<autocannon.Result> & { stop(): void }; // without a callback: a thenable tracker with stop()
    const stopRequests = () => instance.stop();
    opts.signal?.addEventListener('abort', stopRequests);
    const result = await instance;
    opts.signal?.removeEventListener('abort', stopRequests);
    opts.signal?.throwIfAborted();
    const wallS = (performance.now() - started) / 1000;
    const loadAfterHttp = loadavg();
    const completed = result['1xx'] + result['2xx'] + result['3xx'] + result['4xx'] + result['5xx'];
    const http: LoadResult['http'] = {
      sent: result.requests.sent,
      completed,
      status2xx: result['2xx'],
      non2xx: result.non2xx,
      errors: result.errors,
      timeouts: result.timeouts,
      refusals,
      latencyMs: { p50: result.latency.p50, p90: result.latency.p90, p99: result.latency.p99, max: result.latency.max, mean: round(result.latency.average, 1) },
      requestsPerSecond: round(completed / wallS),
      durationS: round(wallS, 1),
    };
    say(
      `HTTP done in ${http.durationS} s: ${http.sent} sent, ${http.status2xx} 2xx, ${http.non2xx} non-2xx, ${http.errors} errors (${http.timeouts} timeouts); latency p50 ${http.latencyMs.p50} ms, p90 ${http.latencyMs.p90} ms, p99 ${http.latencyMs.p99} ms, max ${http.latencyMs.max} ms; ${http.requestsPerSecond} req/s`,
    );
    for (const r of refusals) say(`  refused: ${r}`);

    // ---- wait until the worker has planned every accepted customer ----
    const prefix = `load-${run}-%`;
    const db = stores.db;
    const countRows = async () => Number((await db.selectFrom('customers').select(sql<string>`count(*)`.as('c')).where('customer_id', 'like', prefix).executeTakeFirstOrThrow()).c);
    const countWorkflows = async () => (await client!.workflow.count(`WorkflowType = 'customerYear'`)).count;
    const settleStarted = performance.now();
    const stallMs = opts.stallTimeoutMs ?? 120_000;
    let lastSaid = 0;
    let lastProgress = Date.now();
    let seen = '';
    for (;;) {
      opts.signal?.throwIfAborted();
      const [rowsNow, workflowsNow] = await Promise.all([countRows(), countWorkflows()]);
      if (rowsNow >= accepted.size && workflowsNow >= accepted.size) break;
      if (`${rowsNow}/${workflowsNow}` !== seen) {
        seen = `${rowsNow}/${workflowsNow}`;
        lastProgress = Date.now();
      } else if (Date.now() - lastProgress > stallMs) {
        say(`gave up waiting: ${rowsNow} customers rows and ${workflowsNow} workflows of ${accepted.size} accepted, no change for ${stallMs / 1000} s`);
        break;
      }
      if (performance.now() - lastSaid > 30_000) {
        say(`  waiting for the worker to plan: ${rowsNow} of ${accepted.size} customers rows, ${workflowsNow} workflows`);
        lastSaid = performance.now();
      }
      await sleep(500);
    }
    const settleS = round((performance.now() - settleStarted) / 1000, 1);
    const loadAfterSettle = loadavg();

    // ---- count: every accepted customer exactly once, in Temporal and in PostgreSQL ----
    const listed = new Map<string, number>();
    let running = 0;
    let listedTotal = 0;
    for await (const wf of client.workflow.list({ query: `WorkflowType = 'customerYear'` })) {
      listedTotal++;
      listed.set(wf.workflowId, (listed.get(wf.workflowId) ?? 0) + 1);
      if (wf.status.name === 'RUNNING') running++;
    }
    const customerRows = new Set((await db.selectFrom('customers').select('customer_id').where('customer_id', 'like', prefix).execute()).map((r) => r.customer_id));
    const dealRows = new Map((await db.selectFrom('deals').select(['customer_id', sql<string>`count(*)`.as('c')]).where('customer_id', 'like', prefix).groupBy('customer_id').execute()).map((r) => [r.customer_id, Number(r.c)]));
    const contactRows = new Set((await db.selectFrom('contacts').select('customer_id').where('customer_id', 'like', prefix).execute()).map((r) => r.customer_id));
    const plannedTouches = Number((await db.selectFrom('planned_touches').select(sql<string>`count(*)`.as('c')).where('customer_id', 'like', prefix).executeTakeFirstOrThrow()).c);
    const lostExamples: string[] = [];
    let lost = 0;
    for (const id of accepted.keys()) {
      const missing = [
        ...(listed.has(customerWorkflowId(id)) ? [] : ['workflow']),
        ...(customerRows.has(id) ? [] : ['customers row']),
        ...(dealRows.has(id) ? [] : ['deals row']),
        ...(contactRows.has(id) ? [] : ['contacts row']),
      ];
      if (missing.length === 0) continue;
      lost++;
      if (lostExamples.length < 10) lostExamples.push(`${id}: no ${missing.join(', no ')}`);
    }
    const sent = new Set(sentIds.map((id) => customerWorkflowId(id)));
    const strays = [...listed.keys()].filter((w) => !sent.has(w)).length + [...customerRows].filter((id) => !sent.has(customerWorkflowId(id))).length;
    const duplicates = [...listed.values()].filter((c) => c > 1).length;
    const duplicateDeals = [...dealRows.values()].filter((c) => c > 1).length;
    const out: LoadResult = {
      n,
      connections,
      http,
      accepted: accepted.size,
      workflows: { listed: listedTotal, running, distinct: listed.size, duplicates },
      rows: { customers: customerRows.size, deals: dealRows.size, contacts: contactRows.size, plannedTouches, duplicateDeals },
      lost,
      lostExamples,
      strays,
      settleS,
      emailsCaptured: smtp.messages.length,
      machine: { cpus: cpus().length, loadBefore, loadAfterHttp, loadAfterSettle },
      problems: [],
      ok: false,
    };
    const expect = (what: string, got: number, want: number) => {
      if (got !== want) out.problems.push(`${what}: ${got}, expected ${want}`);
    };
    expect('requests sent', http.sent, n);
    expect('2xx answers', http.status2xx, n);
    expect('non-2xx answers', http.non2xx, 0);
    expect('connection errors', http.errors, 0);
    expect('timeouts', http.timeouts, 0);
    expect('customers accepted (202 naming their workflow)', out.accepted, n);
    expect('customers answered 202 more than once', [...accepted.values()].filter((c) => c > 1).length, 0);
    expect('workflows listed', listedTotal, n);
    expect('workflows running', running, n);
    expect('distinct workflow ids', listed.size, n);
    expect('customers rows', customerRows.size, n);
    expect('deals rows (customers with one)', dealRows.size, n);
    expect('customers with more than one deals row', duplicateDeals, 0);
    expect('contacts rows', contactRows.size, n);
    expect('lost customers', lost, 0);
    expect('workflows or rows of customers never sent', strays, 0);
    out.ok = out.problems.length === 0;
    if (!out.ok) keepLogs = true;
    return out;
  } catch (err) {
    keepLogs = true;
    throw err;
  } finally {
    await stopChild(api);
    await stopChild(worker);
    await client?.connection.close().catch(() => undefined);
    await stores?.db.destroy().catch(() => undefined);
    await smtp.close().catch(() => undefined);
    await server?.stop();
    await sdkServer?.teardown();
    await postgres?.stop();
    if (postgresDir) rmSync(postgresDir, { recursive: true, force: true });
    if (keepLogs) say(`logs kept in ${dir}`);
    else rmSync(dir, { recursive: true, force: true });
  }
}

/** The one line `npm run load` ends with. */
export function summaryLine(r: LoadResult): string {
  const errors = r.http.non2xx + r.http.errors;
  return `load: ${r.n} customers, ${errors} errors, p50 ${r.http.latencyMs.p50} ms, p99 ${r.http.latencyMs.p99} ms, ${r.http.requestsPerSecond} req/s, ${r.workflows.running} workflows, ${r.rows.customers} rows, ${r.lost} lost`;
}

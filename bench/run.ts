// `npm run bench`: what plan33 costs over raw Temporal, each figure measured next to its raw
// baseline in the same run (README "Scaling"):
// - server start-up times; one simulated customer-year (wall time, history events and bytes)
//   next to 33 timers into 33 no-op activities;
// - touches per second: customer-years running free on the time-skipping server (email and
//   SMS to local endpoints, postal items, call tasks) next to raw timer+activity loops;
// - enrolment through the client library next to starting a no-op workflow (dev server);
// - worker RSS, each worker alone in a process: every customer cached, and the largest
//   enrolment asleep behind the bounded cache, next to raw workflows asleep on a timer.
// Results print as a table and are written as JSON under .plan33/bench/ for comparison.
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { join } from 'node:path';
import nodemailer from 'nodemailer';
import { openStores } from '../stores';
import { startEmbeddedPostgres } from '../dev/embedded-postgres';
import { runSimulatedYear } from '../dev/simulate';
import { DEFAULT_SENDING_HOURS } from '../plan/sending-hours';
import { cacheDir, freePort } from '../dev/binaries.mjs';
import { spawnDevServer } from '../dev/dev-server';
import { createLogger, installTemporalRuntimeLogger } from '../lib/logger';
import { startSmtpCapture } from '../dev/smtp-capture';
import { createDevServerEnv, createTimeSkippingEnv } from '../dev/temporal-server';
import { fileURLToPath } from 'node:url';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { WorkflowContinuedAsNewError } from '@temporalio/client';
import { Worker, bundleWorkflowCode } from '@temporalio/worker';
import { loadConfig } from '../lib/config';
import { startLocalTwilio } from '../dev/twilio-local';
import { createSmsClient } from '../worker/sms';
import type { WorkerProcessJob, WorkerProcessResult } from './worker-process';
import { dealClosed } from '../service/enroll';
import { buildWorkflowBundle } from '../worker/bundle';
import { createPlan33Worker } from '../worker/create-worker';

const RUNS = Number(process.env.BENCH_RUNS ?? 1);
// BENCH_PARTS: which parts to run (default all), e.g. `BENCH_PARTS=touches` for the touches-per-second ratio alone.
const PARTS = new Set((process.env.BENCH_PARTS ?? 'startup,year,touches,devserver').split(',').map((p) => p.trim()));
const execFileAsync = promisify(execFile);
const quiet = { log() {}, trace() {}, debug() {}, info() {}, warn: console.warn, error: console.error };
installTemporalRuntimeLogger(createLogger('error'));

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
async function timed(fn: () => Promise<() => Promise<void>>): Promise<number> {
  const t = performance.now();
  const stop = await fn();
  const ms = performance.now() - t;
  await stop();
  return ms;
}

const results: Record<string, number> = {};
const step = (what: string) => process.stderr.write(`bench: ${what}\n`);
const samples = (n: number, fn: () => Promise<number>) => Array.from({ length: n }).reduce<Promise<number[]>>(async (acc) => [...(await acc), await fn()], Promise.resolve([]));

if (PARTS.has('startup')) {
step('server start-up times');
results.timeSkippingServerReadyMs = median(await samples(RUNS, () => timed(async () => { const e = await createTimeSkippingEnv(); return () => e.teardown(); })));
results.devServerReadyMs = median(await samples(RUNS, () => timed(async () => { const e = await createDevServerEnv(); return () => e.teardown(); })));
const dataDir = join(cacheDir, 'bench', 'dev-server');
mkdirSync(dataDir, { recursive: true });
results.devServerWithUiAndSqliteReadyMs = median(
  await samples(RUNS, async () => {
    const s = await spawnDevServer({ dbFilename: join(dataDir, `db-${Date.now()}.sqlite`), port: await freePort(), uiPort: await freePort(), namespace: 'default', logFile: join(dataDir, 'server.log') });
    if (!s) throw new Error('no Temporal CLI binary; run npm run setup');
    await s.stop();
    return s.answeredAfterMs;
  }),
);

}

// plan33's store: one embedded PostgreSQL for the whole bench (or BENCH_DATABASE_URL), a database per part.
step('PostgreSQL');
const postgres = process.env.BENCH_DATABASE_URL ? undefined : await startEmbeddedPostgres({ dataDir: join(cacheDir, 'bench', `postgres-${Date.now()}`), port: await freePort(), maxConnections: 200 });
const benchDatabaseUrl = process.env.BENCH_DATABASE_URL ?? postgres!.url;
const benchStores = await openStores({ url: benchDatabaseUrl });
const storeDeps = { ledger: benchStores.ledger, tasks: benchStores.tasks, records: benchStores.records, contacts: benchStores.contacts };

step('workflow bundle');
let t = performance.now();
const bundle = await buildWorkflowBundle();
results.workflowBundleBuildMs = performance.now() - t;
results.workflowBundleKiB = bundle.code.length / 1024;

// The floor: 33 timers, each into an activity, with nothing else.
const baselineBundle = await bundleWorkflowCode({ workflowsPath: fileURLToPath(new URL('./baseline-workflows.ts', import.meta.url)), logger: quiet });

if (PARTS.has('year')) {
step('one customer-year (time-skipping server)');
const env = await createTimeSkippingEnv();
const smtp = await startSmtpCapture();
const twilio = await startLocalTwilio({ accountSid: 'AC00000000000000000000000000000001', authToken: 'bench' });
const worker = await createPlan33Worker({
  connection: env.nativeConnection,
  taskQueue: 'bench',
  workflowBundle: bundle,
  deps: { mailer: nodemailer.createTransport({ host: '127.0.0.1', port: smtp.port, ignoreTLS: true }), sms: createSmsClient({ accountSid: 'AC00000000000000000000000000000001', authToken: 'bench', from: '+15005550006', apiBase: twilio.baseUrl }), ...storeDeps, business: { name: 'Bench', postalAddress: '1 Bench St', mailFrom: 'bench@localhost', referralUrl: 'https://bench.test/refer' } },
});
t = performance.now();
const { status, history } = await worker.runUntil(
  runSimulatedYear({ env, taskQueue: 'bench' }, {
    customer: { id: 'bench-1', name: { first: 'Bench' }, email: 'b@bench.test', phone: '+447700900123', consent: { email: true, sms: true, postal: true, phone: true }, address: { line1: '1 Bench St', city: 'London', country: 'GB' }, timezone: 'Europe/London', agent: 'a' },
    sendingHours: DEFAULT_SENDING_HOURS,
  }),
);
results.customerYearWallMs = performance.now() - t;
results.touchesInYear = status.touchesDone.length;
results.historyEventsPerYear = history.events!.length;
results.historyBytesPerYear = JSON.stringify(history).length;
results.historyEventsPerTouch = results.historyEventsPerYear / results.touchesInYear;

step('raw floor: 33 timers into activities');
const baselineWorker = await Worker.create({ connection: env.nativeConnection, taskQueue: 'baseline', workflowBundle: baselineBundle, activities: { noopActivity: async (n: number) => n } });
const floor = await baselineWorker.runUntil(async () => {
  const h = await env.client.workflow.start('timerActivityLoop', { taskQueue: 'baseline', workflowId: 'floor-year', args: [33, 86_400_000] });
  await h.result();
  return h.fetchHistory();
});
results.baselineEventsPerYear = floor.events!.length;
results.baselineEventsPerTouch = results.baselineEventsPerYear / 33;
results.historyEventsPerTouchRatio = results.historyEventsPerTouch / results.baselineEventsPerTouch;

results.emailsAndSmsSent = smtp.messages.length + twilio.messages.length;
await twilio.close();
await smtp.close();
await env.teardown();
}

// ---- Touches per second: K customer-years running free on a fresh time-skipping server
// (timers into activities that render and send to the local SMTP and SMS endpoints, queue
// postal items, give call tasks) against K raw loops of 33 timers into no-op activities. ----
if (PARTS.has('touches')) {
step('touches per second');
const K = Number(process.env.BENCH_TOUCH_CUSTOMERS ?? 10);
const tsEnv = await createTimeSkippingEnv();
const tsSmtp = await startSmtpCapture();
const tsTwilio = await startLocalTwilio({ accountSid: 'AC00000000000000000000000000000001', authToken: 'bench' });
// Results are awaited one after another: concurrent long polls stall the time-skipping server.
await Worker.create({ connection: tsEnv.nativeConnection, taskQueue: 'raw-loops', workflowBundle: baselineBundle, activities: { noopActivity: async (n: number) => n } }).then((w) =>
  w.runUntil(async () => {
    const t0 = performance.now();
    const handles = await Promise.all(Array.from({ length: K }, (_, i) => tsEnv.client.workflow.start('timerActivityLoop', { taskQueue: 'raw-loops', workflowId: `loop-${i}`, args: [33, 11 * 86_400_000] })));
    for (const h of handles) await h.result();
    results.touchesPerSecondBaseline = (K * 33) / ((performance.now() - t0) / 1000);
  }),
);
const freeWorker = await createPlan33Worker({
  connection: tsEnv.nativeConnection,
  taskQueue: 'free-years',
  workflowBundle: bundle,
  deps: {
    mailer: nodemailer.createTransport({ host: '127.0.0.1', port: tsSmtp.port, ignoreTLS: true, pool: true }),
    sms: createSmsClient({ accountSid: 'AC00000000000000000000000000000001', authToken: 'bench', from: '+15005550006', apiBase: tsTwilio.baseUrl }),
    ...storeDeps,
    business: { name: 'Bench', postalAddress: '1 Bench St', mailFrom: 'bench@localhost', referralUrl: 'https://bench.test/refer' },
  },
});
await freeWorker.runUntil(async () => {
  const t0 = performance.now();
  const firstRuns = await Promise.all(
    Array.from({ length: K }, async (_, i) => {
      const customer = { id: `free-${i}`, name: { first: 'Bench' }, email: `f${i}@bench.test`, phone: `+4477009${String(i).padStart(5, '0')}`, consent: { email: true, sms: i % 2 === 0, postal: true, phone: true }, address: { line1: '1 Bench St', city: 'London', country: 'GB' }, timezone: 'Europe/London', agent: 'a' };
      const { workflowId } = await dealClosed(tsEnv.client, { customer, deal: { id: `d-${i}`, closedAt: '2026-11-23' } }, { taskQueue: 'free-years' });
      return tsEnv.client.workflow.getHandle(workflowId, (await tsEnv.client.workflow.getHandle(workflowId).describe()).runId, { followRuns: false });
    }),
  );
  // Each first run ends its year by continuing as new.
  for (const h of firstRuns) await h.result().catch((e: unknown) => { if (!(e instanceof WorkflowContinuedAsNewError)) throw e; });
  const seconds = (performance.now() - t0) / 1000;
  const histories = await Promise.all(firstRuns.map((h) => h.fetchHistory()));
  const touches = histories.flatMap((h) => h.events!.filter((e) => e.activityTaskScheduledEventAttributes?.activityType?.name === 'deliverTouch')).length;
  results.touchCustomers = K;
  results.touchesPerCustomerYearFree = touches / K;
  results.touchesPerSecondPlan33 = touches / seconds;
  results.touchEmailsAndSms = tsSmtp.messages.length + tsTwilio.messages.length;
});
results.touchesPerSecondRatio = results.touchesPerSecondPlan33! / results.touchesPerSecondBaseline!;
await tsTwilio.close();
await tsSmtp.close();
await tsEnv.teardown();
}

// ---- Against raw Temporal on a dev server (SQLite in memory): enrolment and sleeping customers ----
if (PARTS.has('devserver')) {
step('dev server');
const dev = await createDevServerEnv();
const address = dev.connection.options.address;
const benchDir = join(cacheDir, 'bench');
const bundlePath = join(benchDir, 'workflow-bundle.js');
const baselinePath = join(benchDir, 'baseline-bundle.js');
writeFileSync(bundlePath, bundle.code);
writeFileSync(baselinePath, baselineBundle.code);
// BENCH_WORKER_NODE_OPTIONS: node flags for the worker processes, e.g. --max-old-space-size=256.
const workerNodeOptions = (process.env.BENCH_WORKER_NODE_OPTIONS ?? '').split(' ').filter(Boolean);
/** Runs one worker in a process of its own until its workflows sleep; returns its RSS. */
async function workerProcess(job: WorkerProcessJob): Promise<WorkerProcessResult> {
  const { stdout } = await execFileAsync(process.execPath, [...workerNodeOptions, '--import', 'tsx', fileURLToPath(new URL('./worker-process.ts', import.meta.url)), JSON.stringify(job)], { maxBuffer: 16 * 2 ** 20, timeout: 15 * 60_000 });
  return JSON.parse(stdout.trim().split('\n').at(-1)!) as WorkerProcessResult;
}
const concurrency = Number(process.env.BENCH_CONCURRENCY ?? 32);
async function rate(n: number, fn: (i: number) => Promise<unknown>): Promise<number> {
  let next = 0;
  const t0 = performance.now();
  await Promise.all(Array.from({ length: concurrency }, async () => { while (next < n) await fn(next++); }));
  return n / ((performance.now() - t0) / 1000);
}
// Sending hours that start three hours from now (UTC): every enrolled customer sleeps.
const startHour = (new Date().getUTCHours() + 3) % 24;
const asleep = `${String(startHour).padStart(2, '0')}:00-${String(startHour + 1).padStart(2, '0')}:00`;
const run = Date.now();
const sizes = (process.env.BENCH_ENROL ?? '1000,10000').split(',').map(Number);
if (new Set(sizes).size < 2 || sizes.some((n) => !Number.isInteger(n) || n < 1)) throw new Error('BENCH_ENROL: give two or more sizes (e.g. 1000,10000): the smallest sleeps all cached, the largest behind the bounded cache');
step('enrolment');
for (const n of sizes) {
  const noop = await rate(n, (i) => dev.client.workflow.start('noopWorkflow', { taskQueue: 'noop', workflowId: `noop-${run}-${n}-${i}` }));
  const plan33 = await rate(n, (i) =>
    dealClosed(dev.client, { customer: { id: `bench-${run}-${n}-${i}`, name: { first: 'Bench' }, email: `c${i}@bench.test`, timezone: 'UTC', agent: `agent-${i % 50}`, sendingHours: asleep }, deal: { id: `d-${i}`, closedAt: '2026-11-23' } }, { taskQueue: `plan33-${n}` }),
  );
  results[`enrolPerSecondNoop_${n}`] = noop;
  results[`enrolPerSecondPlan33_${n}`] = plan33;
  results[`enrolRatio_${n}`] = plan33 / noop;
}

// Worker memory, each worker alone in its process. The smallest enrolment sleeps in a worker
// that caches every customer (the cost of one cached customer); the largest in a worker with
// the default bounded cache (WORKER_MAX_CACHED_WORKFLOWS): the rest are evicted and replayed
// from history when they wake. Raw workflows asleep on a timer are the floor for both.
const small = Math.min(...sizes);
const large = Math.max(...sizes);
// BENCH_CACHE: another bounded cache size than the default (WORKER_MAX_CACHED_WORKFLOWS).
const boundedCache = Number(process.env.BENCH_CACHE ?? loadConfig({}).worker.maxCachedWorkflows);
const sleeping = (n: number) => `TaskQueue = 'plan33-${n}' AND NextTouchKind = 'newsletter' AND TouchesDone = 0`;
step('worker memory: cached customers');
const cached = await workerProcess({ address, taskQueue: `plan33-${small}`, kind: 'plan33', bundlePath, databaseUrl: benchDatabaseUrl, maxCachedWorkflows: small + 100, query: sleeping(small), count: small });
results.workerRssMiBIdle = cached.rssMiBBefore;
results[`workerRssMiB_${small}Cached`] = cached.rssMiB;
results.rssMiBPerCachedCustomer = (cached.rssMiB - cached.rssMiBBefore) / small;
results[`secondsToPlan_${small}`] = cached.secondsToReach;
step('worker memory: bounded cache');
const bounded = await workerProcess({ address, taskQueue: `plan33-${large}`, kind: 'plan33', bundlePath, databaseUrl: benchDatabaseUrl, maxCachedWorkflows: boundedCache, query: sleeping(large), count: large });
results.cacheSize = boundedCache;
results[`workerRssMiB_${large}AfterEviction`] = bounded.rssMiB;
results[`secondsToPlan_${large}`] = bounded.secondsToReach;

async function rawSleepers(n: number, maxCachedWorkflows: number, tag = 'cached'): Promise<WorkerProcessResult> {
  const ids = Array.from({ length: n }, (_, i) => `sleep-${run}-${tag}-${i}`);
  await rate(n, (i) => dev.client.workflow.start('timerActivityLoop', { taskQueue: `baseline-${tag}`, workflowId: ids[i]!, args: [33, 86_400_000] }));
  // Tasks are taken roughly in order: when the last ones sleep, they all do.
  return workerProcess({ address, taskQueue: `baseline-${tag}`, kind: 'baseline', bundlePath: baselinePath, maxCachedWorkflows, sleepingIds: ids.slice(-20) });
}
step('worker memory: raw workflows');
const rawCached = await rawSleepers(small, small + 100);
results[`baselineRssMiB_${small}Cached`] = rawCached.rssMiB;
results.baselineRssMiBPerCachedWorkflow = (rawCached.rssMiB - rawCached.rssMiBBefore) / small;
results.rssPerCachedRatio = results.rssMiBPerCachedCustomer / results.baselineRssMiBPerCachedWorkflow;
// After eviction the RSS no longer depends on how many sleep (plan33: 979 MiB at 1,000 and 830 at
// 3,000 with the same cache), so the raw floor is taken at the small size, to keep the bench short.
const rawBounded = await rawSleepers(small, boundedCache, 'evicted');
results.baselineRssMiBAfterEviction = rawBounded.rssMiB;
results.rssAfterEvictionRatio = bounded.rssMiB / rawBounded.rssMiB;
await dev.teardown();
}

await benchStores.db.destroy();
await postgres?.stop();

const rows = Object.entries(results).map(([k, v]) => `${k.padEnd(34)} ${v.toFixed(v < 10 ? 2 : 0).padStart(10)}`);
console.log(`plan33 bench (${cpus().length} cores, node ${process.version}, median of ${RUNS} for start-up)\n${rows.join('\n')}`);
const out = join(cacheDir, 'bench', `results-${new Date().toISOString().replace(/[:.]/g, '-')}.json`);
writeFileSync(out, JSON.stringify({ at: new Date().toISOString(), cores: cpus().length, node: process.version, results }, null, 2));
console.log(`written to ${out}`);

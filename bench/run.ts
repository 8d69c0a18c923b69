// `npm run bench`: what plan33's foundation costs on this machine. Server start-up times
// (the SDK waits a fixed time for a server; ours must answer well inside it), and one
// customer-year on the time-skipping server: wall time, history events and bytes.
// One customer-year is the full 33-touch plan, calls completed by a stand-in agent.
// Results print as a table and are written as JSON under .plan33/bench/ for comparison.
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { join } from 'node:path';
import nodemailer from 'nodemailer';
import { FileDeliveryLedger } from '../activities/delivery-ledger';
import { FolderTaskSink } from '../activities/task-sink';
import { runSimulatedYear } from '../client/simulate';
import { DEFAULT_SENDING_HOURS } from '../plan/sending-hours';
import { cacheDir, freePort } from '../lib/binaries.mjs';
import { spawnDevServer } from '../lib/dev-server';
import { createLogger, installTemporalRuntimeLogger } from '../lib/logger';
import { startSmtpCapture } from '../lib/smtp-capture';
import { createDevServerEnv, createTimeSkippingEnv } from '../lib/temporal-server';
import { fileURLToPath } from 'node:url';
import { Worker, bundleWorkflowCode } from '@temporalio/worker';
import { dealClosed } from '../client/enroll';
import { buildWorkflowBundle } from '../worker/bundle';
import { createPlan33Worker } from '../worker/create-worker';

const RUNS = Number(process.env.BENCH_RUNS ?? 3);
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
const samples = (n: number, fn: () => Promise<number>) => Array.from({ length: n }).reduce<Promise<number[]>>(async (acc) => [...(await acc), await fn()], Promise.resolve([]));

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

let t = performance.now();
const bundle = await buildWorkflowBundle();
results.workflowBundleBuildMs = performance.now() - t;
results.workflowBundleKiB = bundle.code.length / 1024;

const env = await createTimeSkippingEnv();
const smtp = await startSmtpCapture();
const worker = await createPlan33Worker({
  connection: env.nativeConnection,
  taskQueue: 'bench',
  workflowBundle: bundle,
  deps: { mailer: nodemailer.createTransport({ host: '127.0.0.1', port: smtp.port, ignoreTLS: true }), tasks: new FolderTaskSink(join(cacheDir, 'bench', `tasks-${Date.now()}`)), ledger: new FileDeliveryLedger(join(cacheDir, 'bench', `ledger-${Date.now()}`)), business: { name: 'Bench', postalAddress: '1 Bench St', mailFrom: 'bench@localhost', referralUrl: 'https://bench.test/refer' } },
});
t = performance.now();
const { status, history } = await worker.runUntil(
  runSimulatedYear({ env, taskQueue: 'bench' }, {
    customer: { id: 'bench-1', name: { first: 'Bench' }, email: 'b@bench.test', phone: '+447700900123', address: { line1: '1 Bench St', city: 'London', country: 'GB' }, timezone: 'Europe/London', agent: 'a' },
    sendingHours: DEFAULT_SENDING_HOURS,
  }),
);
results.customerYearWallMs = performance.now() - t;
results.touchesInYear = status.touchesDone.length;
results.historyEventsPerYear = history.events!.length;
results.historyBytesPerYear = JSON.stringify(history).length;
results.historyEventsPerTouch = results.historyEventsPerYear / results.touchesInYear;

// The floor: 33 timers, each into an activity, on the same server, with nothing else.
const baselineBundle = await bundleWorkflowCode({ workflowsPath: fileURLToPath(new URL('./baseline-workflows.ts', import.meta.url)), logger: quiet });
const baselineWorker = await Worker.create({ connection: env.nativeConnection, taskQueue: 'baseline', workflowBundle: baselineBundle, activities: { noopActivity: async (n: number) => n } });
const floor = await baselineWorker.runUntil(async () => {
  const h = await env.client.workflow.start('timerActivityLoop', { taskQueue: 'baseline', workflowId: 'floor-year', args: [33, 86_400_000] });
  await h.result();
  return h.fetchHistory();
});
results.baselineEventsPerYear = floor.events!.length;
results.baselineEventsPerTouch = results.baselineEventsPerYear / 33;
results.historyEventsPerTouchRatio = results.historyEventsPerTouch / results.baselineEventsPerTouch;
await smtp.close();
await env.teardown();

// ---- Against raw Temporal on a dev server (SQLite in memory): enrolment and sleeping customers ----
const dev = await createDevServerEnv();
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
let enrolled = 0;
for (const n of (process.env.BENCH_ENROL ?? '1000').split(',').map(Number)) {
  const noop = await rate(n, (i) => dev.client.workflow.start('noopWorkflow', { taskQueue: 'noop', workflowId: `noop-${run}-${n}-${i}` }));
  const plan33 = await rate(n, (i) =>
    dealClosed(dev.client, { customer: { id: `bench-${run}-${n}-${i}`, name: { first: 'Bench' }, email: `c${i}@bench.test`, timezone: 'UTC', agent: `agent-${i % 50}`, sendingHours: asleep }, deal: { id: `d-${i}`, closedAt: '2026-11-23' } }, { taskQueue: 'plan33-bench' }),
  );
  enrolled += n;
  results[`enrolPerSecondNoop_${n}`] = noop;
  results[`enrolPerSecondPlan33_${n}`] = plan33;
  results[`enrolRatio_${n}`] = plan33 / noop;
}
// The floor for memory: as many raw workflows asleep on a timer, in a worker of the same kind.
const rssBaselineBefore = process.memoryUsage().rss;
const sleepyBaseline = await Worker.create({ connection: dev.nativeConnection, taskQueue: 'baseline-sleep', workflowBundle: baselineBundle, activities: { noopActivity: async (n: number) => n } });
await sleepyBaseline.runUntil(async () => {
  let last = '';
  await rate(enrolled, async (i) => {
    last = `sleep-${run}-${i}`;
    await dev.client.workflow.start('timerActivityLoop', { taskQueue: 'baseline-sleep', workflowId: last, args: [33, 86_400_000] });
  });
  // Tasks are taken roughly in order: when the last one sleeps, they all do.
  for (;;) {
    const h = await dev.client.workflow.getHandle(`sleep-${run}-${enrolled - 1}`).fetchHistory();
    if (h.events?.some((e) => e.timerStartedEventAttributes)) break;
    await new Promise((r) => setTimeout(r, 500));
  }
  await new Promise((r) => setTimeout(r, 2000));
  results.baselineRssMiBPerSleepingWorkflow = (process.memoryUsage().rss - rssBaselineBefore) / 2 ** 20 / enrolled;
});

// The worker picks up every enrolled customer, plans the year and goes to sleep until the first touch.
const rssBefore = process.memoryUsage().rss;
const sleeper = await createPlan33Worker({
  connection: dev.nativeConnection,
  taskQueue: 'plan33-bench',
  workflowBundle: bundle,
  // BENCH_MAX_CACHED: the worker's workflow cache (default: the SDK's); 0 evicts after every task.
  ...(process.env.BENCH_MAX_CACHED ? { overrides: { maxCachedWorkflows: Number(process.env.BENCH_MAX_CACHED) } } : {}),
  deps: { mailer: nodemailer.createTransport({ host: '127.0.0.1', port: 9, ignoreTLS: true }), tasks: new FolderTaskSink(join(cacheDir, 'bench', `tasks-${run}`)), ledger: new FileDeliveryLedger(join(cacheDir, 'bench', `ledger-${run}`)), business: { name: 'Bench', postalAddress: '1 Bench St', mailFrom: 'bench@localhost', referralUrl: 'https://bench.test/refer' } },
});
t = performance.now();
await sleeper.runUntil(async () => {
  for (;;) {
    const { count } = await dev.client.workflow.count(`NextTouchKind = 'newsletter' AND TouchesDone = 0`);
    if (count >= enrolled) break;
    await new Promise((r) => setTimeout(r, 500));
  }
  results.sleepingCustomers = enrolled;
  results.secondsToPlanAll = (performance.now() - t) / 1000;
  results.workerRssMiBWithSleepingCustomers = process.memoryUsage().rss / 2 ** 20;
  results.workerRssMiBBeforeWorker = rssBefore / 2 ** 20;
  results.plan33RssMiBPerSleepingCustomer = (process.memoryUsage().rss - rssBefore) / 2 ** 20 / enrolled;
});
await dev.teardown();

const rows = Object.entries(results).map(([k, v]) => `${k.padEnd(34)} ${v.toFixed(v < 10 ? 2 : 0).padStart(10)}`);
console.log(`plan33 bench (${cpus().length} cores, node ${process.version}, median of ${RUNS} for start-up)\n${rows.join('\n')}`);
const out = join(cacheDir, 'bench', `results-${new Date().toISOString().replace(/[:.]/g, '-')}.json`);
writeFileSync(out, JSON.stringify({ at: new Date().toISOString(), cores: cpus().length, node: process.version, results }, null, 2));
console.log(`written to ${out}`);

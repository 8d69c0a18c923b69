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
import { buildWorkflowBundle } from '../worker/bundle';
import { createPlan33Worker } from '../worker/create-worker';

const RUNS = Number(process.env.BENCH_RUNS ?? 3);
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
await smtp.close();
await env.teardown();

const rows = Object.entries(results).map(([k, v]) => `${k.padEnd(34)} ${v.toFixed(v < 10 ? 2 : 0).padStart(10)}`);
console.log(`plan33 bench (${cpus().length} cores, node ${process.version}, median of ${RUNS} for start-up)\n${rows.join('\n')}`);
const out = join(cacheDir, 'bench', `results-${new Date().toISOString().replace(/[:.]/g, '-')}.json`);
writeFileSync(out, JSON.stringify({ at: new Date().toISOString(), cores: cpus().length, node: process.version, results }, null, 2));
console.log(`written to ${out}`);

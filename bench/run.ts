// `npm run bench`: what plan33 costs over raw Temporal, each figure measured next to its raw
// baseline in the same run (docs/scaling.md), with the goals of issue 18 (bench/figures.ts):
// - server start-up times; one simulated customer-year with its calls (wall time, history events
//   and bytes) next to 33 timers into 33 no-op activities; a lead's 8x8 (dev/simulate-lead.ts's
//   road up to the general 33) next to 8 timers into 8 no-op activities;
// - touches per second: customer-years running free on the time-skipping server (email and
//   SMS to local endpoints, postal items, call tasks) next to raw timer+activity loops;
// - enrolment through the client library next to starting a no-op workflow (dev server);
// - worker RSS, each worker alone in a process: every customer cached, and the largest
//   enrolment asleep behind the bounded cache, next to raw workflows asleep on a timer; and the
//   time one worker takes to plan the largest enrolment, next to raw workflows reaching their timer.
// The figures print as a table and are written to .plan33/bench/latest.json (`--out FILE`
// elsewhere); every measurement also to .plan33/bench/results-<time>.json.
//   npm run bench                 full: N = 1,000 all cached and 10,000 behind the cache
//   npm run bench -- --quick      every figure at small N (about 2 minutes on 2 cores)
//   tsx bench/run.ts --sample     smaller still (test/bench.test.ts): checks the figures compute
// BENCH_BUNDLE_PATH: a workflow bundle built already (the tests' global set-up builds one).
import { mkdirSync, statSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { dirname, join } from 'node:path';
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
import { activityInfo } from '@temporalio/activity';
import { sql } from 'kysely';
import { renderTouchEmail } from '../activities/email-content';
import type { Customer } from '../plan/customer';
import type { Touch } from '../plan/touch';
import type { temporal } from '@temporalio/proto';
import { Worker, bundleWorkflowCode } from '@temporalio/worker';
import { loadConfig } from '../lib/config';
import { startLocalTwilio } from '../dev/twilio-local';
import { createSmsClient } from '../worker/sms';
import type { WorkerProcessJob, WorkerProcessResult } from './worker-process';
import { dealClosed } from '../service/enroll';
import { buildWorkflowBundle } from '../worker/bundle';
import { createPlan33Worker } from '../worker/create-worker';
import { createAgentDirectory, parseAgentsFile } from '../lib/agents';
import { DEFAULT_LEAD_SETTINGS } from '../plan/lead-routing';
import { customerWorkflowId, leadWorkflowId } from '../plan/ids';
import { customerSchema } from '../plan/customer';
import type { CustomerYearInput } from '../workflows/customer-year';
import { dealClosedSignal, statusQuery } from '../workflows/messages';
import { captureLead, leadRun } from '../service/leads';
import * as lm from '../workflows/lead-messages';
import { figure, formatTable, reportProblems, type BenchReport, type Figure } from './figures';

const benchStarted = performance.now();
const argv = process.argv.slice(2);
const MODE = argv.includes('--sample') ? 'sample' : argv.includes('--quick') ? 'quick' : 'full';
const outAt = argv.indexOf('--out');
const OUT = outAt >= 0 && argv[outAt + 1] ? argv[outAt + 1]! : join(cacheDir, 'bench', 'latest.json');
// Each mode's sizes; the BENCH_* variables below override them.
const MODES = {
  full: { parts: 'startup,year,lead,touches,burst,devserver', enrol: '1000,10000', touchCustomers: 10, burstCustomers: 20, cache: undefined, memoryInParallel: false },
  quick: { parts: 'year,lead,touches,burst,devserver', enrol: '100,250', touchCustomers: 3, burstCustomers: 5, cache: undefined, memoryInParallel: false },
  // The test's sample: it checks every figure computes, not how fast; the worker processes run side by side.
  sample: { parts: 'year,lead,touches,burst,devserver', enrol: '10,30', touchCustomers: 1, burstCustomers: 1, cache: 10, memoryInParallel: true },
}[MODE];
const RUNS = Number(process.env.BENCH_RUNS ?? 1);
// BENCH_PARTS: which parts to run (default all), e.g. `BENCH_PARTS=touches` for the touches-per-second ratio alone.
const PARTS = new Set((process.env.BENCH_PARTS ?? MODES.parts).split(',').map((p) => p.trim()));
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
const step = (what: string) => process.stderr.write(`bench: [${((performance.now() - benchStarted) / 1000).toFixed(0)} s] ${what}\n`);
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
const benchDir = join(cacheDir, 'bench');
mkdirSync(benchDir, { recursive: true });
let t = performance.now();
let bundlePath = process.env.BENCH_BUNDLE_PATH;
if (!bundlePath) {
  const built = await buildWorkflowBundle();
  results.workflowBundleBuildMs = performance.now() - t;
  bundlePath = join(benchDir, `workflow-bundle-${process.pid}.js`);
  writeFileSync(bundlePath, built.code);
}
results.workflowBundleKiB = statSync(bundlePath).size / 1024;
const bundle = { codePath: bundlePath };

// The floor: 33 timers, each into an activity, with nothing else.
const baselineBundle = await bundleWorkflowCode({ workflowsPath: fileURLToPath(new URL('./baseline-workflows.ts', import.meta.url)), logger: quiet });
const business = { name: 'Bench', postalAddress: '1 Bench St', mailFrom: 'bench@localhost', referralUrl: 'https://bench.test/refer' };
const TWILIO = { accountSid: 'AC00000000000000000000000000000001', authToken: 'bench', from: '+15005550006' };
const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Temporal Cloud's billable actions in one run's history, by its rules (docs.temporal.io/cloud/actions):
 * a start (a signal-with-start counts once, with its signal), each signal, timer, activity attempt,
 * search-attribute upsert and accepted update; the markers of one workflow task once; a
 * continue-as-new once (the next run's start). Queries and heartbeats are not in the history.
 */
function billableActions(history: temporal.api.history.v1.IHistory): number {
  let actions = 0;
  let signalledWithStart = false;
  const markerTasks = new Set<string>();
  let firstTaskDone = false;
  for (const e of history.events ?? []) {
    if (e.workflowTaskCompletedEventAttributes) firstTaskDone = true;
    if (e.workflowExecutionStartedEventAttributes) actions++;
    if (e.workflowExecutionSignaledEventAttributes) {
      if (!firstTaskDone && !signalledWithStart) signalledWithStart = true;
      else actions++;
    }
    if (e.timerStartedEventAttributes || e.activityTaskScheduledEventAttributes || e.upsertWorkflowSearchAttributesEventAttributes || e.workflowExecutionUpdateAcceptedEventAttributes || e.workflowExecutionContinuedAsNewEventAttributes) actions++;
    if (e.activityTaskStartedEventAttributes) actions += Math.max((e.activityTaskStartedEventAttributes.attempt ?? 1) - 1, 0);
    if (e.markerRecordedEventAttributes) markerTasks.add(String(e.markerRecordedEventAttributes.workflowTaskCompletedEventId));
  }
  return actions + markerTasks.size;
}

/**
 * Events the Java test server writes that a real server does not: after a workflow's first
 * task, which runs local activities (the plan definition, the first records), it schedules one
 * more workflow task (attempt 2) that completes with no commands. The dev server writes no such
 * task (checked with a customer-year's and a lead's first task on both). The figures count the
 * history as a real server writes it; these are reported beside them.
 */
function testServerOnlyEvents(history: temporal.api.history.v1.IHistory): number {
  const events = history.events ?? [];
  let extra = 0;
  for (let i = 1; i + 2 < events.length; i++) {
    const scheduled = events[i]!.workflowTaskScheduledEventAttributes;
    // Not a retry after a failed or timed-out task: that is a real server's too.
    const before = events[i - 1]!;
    if (!scheduled || (scheduled.attempt ?? 1) < 2 || before.workflowTaskFailedEventAttributes || before.workflowTaskTimedOutEventAttributes) continue;
    const completed = events[i + 2]!.workflowTaskCompletedEventAttributes;
    const next = events[i + 3];
    // Nothing came of it: the next event is another workflow task, or not one its completion asked for.
    const commands = next && Object.values(next).some((v) => v && typeof v === 'object' && 'workflowTaskCompletedEventId' in v && String((v as { workflowTaskCompletedEventId: unknown }).workflowTaskCompletedEventId) === String(events[i + 1]!.eventId));
    if (events[i + 1]!.workflowTaskStartedEventAttributes && completed && !commands) extra += 3;
  }
  return extra;
}

if (PARTS.has('year') || PARTS.has('lead')) {
const env = await createTimeSkippingEnv();
const smtp = await startSmtpCapture();
const twilio = await startLocalTwilio({ accountSid: TWILIO.accountSid, authToken: TWILIO.authToken });
const mailer = nodemailer.createTransport({ host: '127.0.0.1', port: smtp.port, ignoreTLS: true });
const sms = createSmsClient({ ...TWILIO, apiBase: twilio.baseUrl });
/** Raw Temporal's least for `touches` touches: that many timers, each into a no-op activity (a worker runs once: one each). */
const floorEvents = async (touches: number) =>
  (await Worker.create({ connection: env.nativeConnection, taskQueue: 'baseline', workflowBundle: baselineBundle, activities: { noopActivity: async (n: number) => n } })).runUntil(async () => {
    const h = await env.client.workflow.start('timerActivityLoop', { taskQueue: 'baseline', workflowId: `floor-${touches}`, args: [touches, 86_400_000] });
    await h.result();
    const history = await h.fetchHistory();
    return { events: history.events!.length, actions: billableActions(history) };
  });

if (PARTS.has('year')) {
step('one customer-year with its calls (time-skipping server)');
const worker = await createPlan33Worker({ connection: env.nativeConnection, taskQueue: 'bench', workflowBundle: bundle, deps: { mailer, sms, ...storeDeps, business } });
t = performance.now();
const { status, history } = await worker.runUntil(
  runSimulatedYear({ env, taskQueue: 'bench' }, {
    customer: { id: 'bench-1', name: { first: 'Bench' }, email: 'b@bench.test', phone: '+447700900123', consent: { email: true, sms: true, postal: true, phone: true }, address: { line1: '1 Bench St', city: 'London', country: 'GB' }, timezone: 'Europe/London', agent: 'a' },
    sendingHours: DEFAULT_SENDING_HOURS,
  }),
);
results.customerYearWallMs = performance.now() - t;
results.touchesInYear = status.touchesDone.length;
results.callsInYear = status.touchesDone.filter((x) => x.kind === 'call').length;
results.yearTestServerOnlyEvents = testServerOnlyEvents(history);
results.historyEventsPerYear = history.events!.length - results.yearTestServerOnlyEvents;
results.historyBytesPerYear = JSON.stringify(history).length;
results.historyEventsPerTouch = results.historyEventsPerYear / results.touchesInYear;
results.actionsPerYear = billableActions(history);

step('raw floor: 33 timers into activities');
const floor33 = await floorEvents(33);
results.baselineEventsPerYear = floor33.events;
results.baselineActionsPerYear = floor33.actions;
results.baselineEventsPerTouch = results.baselineEventsPerYear / 33;
results.historyEventsPerTouchRatio = results.historyEventsPerTouch / results.baselineEventsPerTouch;
}

// A lead's 8x8, as dev/simulate-lead.ts drives it: captured, the stand-in agent makes the first
// contact at once, then every touch of the 8x8 to its end, where the lead (no deal) continues as
// new into the general 33. The figure is the leadJourney run's history over its touches.
if (PARTS.has('lead')) {
step("a lead's 8x8 (time-skipping server)");
const agent = 'agent-bench';
const leadWorker = await createPlan33Worker({
  connection: env.nativeConnection,
  taskQueue: 'bench-lead',
  workflowBundle: bundle,
  deps: { mailer, sms, ...storeDeps, leads: benchStores.leads, business, agents: createAgentDirectory(parseAgentsFile({ agents: [{ id: agent, name: 'Bench agent' }] })), leadSettings: DEFAULT_LEAD_SETTINGS },
});
t = performance.now();
const lead = await leadWorker.runUntil(async () => {
  const { leadId } = await captureLead(
    env.client,
    benchStores.db,
    { id: 'bench-lead', name: { first: 'Lead' }, email: 'lead@bench.test', phone: '+447700900124', address: { line1: '2 Bench St', city: 'London', country: 'GB' }, timezone: 'Europe/London', consent: { email: true, sms: true, postal: true, phone: true }, source: { channel: 'open-house', text: 'the bench open house' }, agent },
    { taskQueue: 'bench-lead', settings: DEFAULT_LEAD_SETTINGS, sendingHours: DEFAULT_SENDING_HOURS },
  );
  const handle = env.client.workflow.getHandle(leadWorkflowId(leadId));
  let runId: string | undefined;
  let last: lm.LeadStatus | undefined;
  let contacted = false;
  // The Java test server answers a query that comes while a workflow task is in flight with a
  // workflow task of its own, written to the history (a real server writes none). The driver
  // asks only when the run is idle, so the figure counts the workflow's events, not the driver's.
  const idle = async () => {
    for (let i = 0; i < 500; i++) {
      const d = await handle.describe().catch(() => undefined);
      if (d && !d.raw.pendingWorkflowTask && !d.raw.pendingActivities?.length) return;
      await pause(20);
    }
  };
  const status = async () => {
    await idle();
    return handle.query(lm.leadStatusQuery).catch(() => undefined);
  };
  for (let step = 0; step < 1000; step++) {
    const running = await leadRun(env.client, leadId);
    if (running !== 'leadJourney' && runId) break; // the 8x8 is over: the general 33 runs now
    const st = await status();
    if (!st) {
      await pause(20);
      continue;
    }
    runId ??= (await handle.describe()).runId;
    last = st;
    if (!contacted) {
      await handle.executeUpdate(lm.leadOutcomeUpdate, { args: [{ outcome: 'no-response', taskId: st.firstContact.taskId, notes: 'left a voicemail' }] });
      contacted = true;
      continue;
    }
    const now = await env.currentTimeMs();
    const next = st.nextTouches[0] ? Date.parse(st.nextTouches[0].at) : now + 86_400_000;
    await env.sleep(Math.max(next - now, 0) + 1000);
    // Wait (real time) until what came due is recorded, or the run has continued as new.
    for (let i = 0; i < 300; i++) {
      const after = await status();
      if (!after || after.touchesDone.length !== st.touchesDone.length) break;
      await pause(20);
    }
  }
  if (!runId) throw new Error('the lead never started');
  const eightByEight = env.client.workflow.getHandle(leadWorkflowId(leadId), runId);
  const final = await eightByEight.query(lm.leadStatusQuery).catch(() => last);
  const history = await eightByEight.fetchHistory();
  const general = env.client.workflow.getHandle(leadWorkflowId(leadId));
  // Not while an activity of the general 33 runs (see runSimulatedYear): the clock would stay held.
  for (let i = 0; i < 250 && ((await general.describe().catch(() => undefined))?.raw.pendingActivities?.length ?? 0) > 0; i++) await pause(20);
  await general.terminate('bench: the 8x8 is measured').catch(() => undefined);
  return { touches: final?.touchesDone.length ?? 0, events: history.events!.length - testServerOnlyEvents(history), testServerOnly: testServerOnlyEvents(history), bytes: JSON.stringify(history).length, actions: billableActions(history) };
});
results.leadWallMs = performance.now() - t;
results.leadTouches = lead.touches;
results.leadHistoryEvents = lead.events;
results.leadTestServerOnlyEvents = lead.testServerOnly;
results.leadHistoryBytes = lead.bytes;
results.leadEventsPerTouch = lead.events / lead.touches;
results.leadActions = lead.actions;
results.baselineEventsPer8Touches = (await floorEvents(8)).events;
results.baselineEventsPerLeadTouch = results.baselineEventsPer8Touches / 8;
}

results.emailsAndSmsSent = smtp.messages.length + twilio.messages.length;
mailer.close();
await twilio.close();
await smtp.close();
await env.teardown();
}

// ---- Touches per second: K customer-years running free on a fresh time-skipping server
// (timers into activities that render and send to the local SMTP and SMS endpoints, queue
// postal items, give call tasks) against K raw loops of 33 timers into no-op activities. ----
if (PARTS.has('touches')) {
step('touches per second');
const K = Number(process.env.BENCH_TOUCH_CUSTOMERS ?? MODES.touchCustomers);
const tsEnv = await createTimeSkippingEnv();
const tsSmtp = await startSmtpCapture();
const tsTwilio = await startLocalTwilio({ accountSid: TWILIO.accountSid, authToken: TWILIO.authToken });
// Results are awaited one after another: concurrent long polls stall the time-skipping server.
await Worker.create({ connection: tsEnv.nativeConnection, taskQueue: 'raw-loops', workflowBundle: baselineBundle, activities: { noopActivity: async (n: number) => n } }).then((w) =>
  w.runUntil(async () => {
    const t0 = performance.now();
    const handles = await Promise.all(Array.from({ length: K }, (_, i) => tsEnv.client.workflow.start('timerActivityLoop', { taskQueue: 'raw-loops', workflowId: `loop-${i}`, args: [33, 11 * 86_400_000] })));
    for (const h of handles) await h.result();
    results.touchesPerSecondBaseline = (K * 33) / ((performance.now() - t0) / 1000);
  }),
);
const freeMailer = nodemailer.createTransport({ host: '127.0.0.1', port: tsSmtp.port, ignoreTLS: true, pool: true });
// The same raw loops, each activity doing what a touch's delivery cannot skip: one email (a
// plan33 newsletter rendered once, so not its rendering) to the same local SMTP server and one
// row written to PostgreSQL. The floor for touches that reach someone.
{
  const sample = await renderTouchEmail(
    { id: 'floor', name: { first: 'Bench' }, email: 'floor@bench.test', timezone: 'Europe/London', locale: 'en', consent: { email: true, sms: false, postal: false, phone: false }, agent: 'a' } as Customer,
    { seq: 1, kind: 'newsletter', title: 'Newsletter', at: '2026-12-01T10:00:00.000Z', channel: 'email', slot: 'newsletter-1' } as Touch,
    business,
  );
  await sql`create table if not exists bench_deliveries (key text primary key, at timestamptz not null default now())`.execute(benchStores.db);
  const deliver = async (n: number) => {
    const key = `${activityInfo().workflowExecution?.workflowId ?? 'raw'}.${n}`;
    await freeMailer.sendMail({ from: business.mailFrom, to: 'floor@bench.test', subject: sample.subject, text: sample.text, html: sample.html, messageId: `<${key}@bench.test>` });
    await sql`insert into bench_deliveries (key) values (${key}) on conflict do nothing`.execute(benchStores.db);
    return n;
  };
  await Worker.create({ connection: tsEnv.nativeConnection, taskQueue: 'raw-deliveries', workflowBundle: baselineBundle, activities: { noopActivity: deliver } }).then((w) =>
    w.runUntil(async () => {
      const t0 = performance.now();
      const handles = await Promise.all(Array.from({ length: K }, (_, i) => tsEnv.client.workflow.start('timerActivityLoop', { taskQueue: 'raw-deliveries', workflowId: `delivery-loop-${i}`, args: [33, 11 * 86_400_000] })));
      for (const h of handles) await h.result();
      results.touchesPerSecondDeliveringBaseline = (K * 33) / ((performance.now() - t0) / 1000);
    }),
  );
}
const freeWorker = await createPlan33Worker({
  connection: tsEnv.nativeConnection,
  taskQueue: 'free-years',
  workflowBundle: bundle,
  deps: { mailer: freeMailer, sms: createSmsClient({ ...TWILIO, apiBase: tsTwilio.baseUrl }), ...storeDeps, business },
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
  // A touch is a deliverTouch activity, or a local one (postal items and call tasks, behind
  // the local-steps patch): a marker whose data names the activity type.
  const isTouch = (e: temporal.api.history.v1.IHistoryEvent) =>
    e.activityTaskScheduledEventAttributes?.activityType?.name === 'deliverTouch' ||
    (e.markerRecordedEventAttributes?.details?.data?.payloads ?? []).some((p) => /"activity_type":\s*"deliverTouch"/.test(Buffer.from(p.data ?? []).toString()));
  const touches = histories.flatMap((h) => h.events!.filter(isTouch)).length;
  results.touchCustomers = K;
  results.touchesPerCustomerYearFree = touches / K;
  results.touchesPerSecondPlan33 = touches / seconds;
  results.touchEmailsAndSms = tsSmtp.messages.length + tsTwilio.messages.length;
});
results.touchesPerSecondRatio = results.touchesPerSecondPlan33! / results.touchesPerSecondBaseline!;
freeMailer.close();
await tsTwilio.close();
await tsSmtp.close();
await tsEnv.teardown();
}

// ---- Touches per second when many are due at once, on a real server (the dev server, SQLite in
// memory): K customer-years started with their year's start backdated (as the chaos suite does,
// dev/chaos.ts), so every touch up to today is due now and they go out side by side; against K
// raw loops of 33 no-op activities one after another (due already: no timer). On the time-skipping server above, time
// moves only when every workflow is idle, so the customers' touches take turns: that figure is
// the latency of one touch; this one is what a worker delivers when a day's touches come due. ----
if (PARTS.has('burst')) {
  step('touches per second, years due at once (dev server)');
  const K = Number(process.env.BENCH_BURST_CUSTOMERS ?? MODES.burstCustomers);
  const burstEnv = await createDevServerEnv();
  const burstSmtp = await startSmtpCapture();
  const burstMailer = nodemailer.createTransport({ host: '127.0.0.1', port: burstSmtp.port, ignoreTLS: true, pool: true });
  await Worker.create({ connection: burstEnv.nativeConnection, taskQueue: 'burst-raw', workflowBundle: baselineBundle, activities: { noopActivity: async (n: number) => n } }).then((w) =>
    w.runUntil(async () => {
      const t0 = performance.now();
      const handles = await Promise.all(Array.from({ length: K }, (_, i) => burstEnv.client.workflow.start('activityLoop', { taskQueue: 'burst-raw', workflowId: `burst-loop-${i}`, args: [33] })));
      await Promise.all(handles.map((h) => h.result()));
      results.burstTouchesPerSecondBaseline = (K * 33) / ((performance.now() - t0) / 1000);
    }),
  );
  const burstWorker = await createPlan33Worker({ connection: burstEnv.nativeConnection, taskQueue: 'burst', workflowBundle: bundle, deps: { mailer: burstMailer, ...storeDeps, business } });
  await burstWorker.runUntil(async () => {
    // A year that started 362 days ago: the deal anniversary's touches (the last three days) are not due yet.
    const yearStartMs = Date.now() - 362 * 86_400_000;
    const t0 = performance.now();
    const ids = Array.from({ length: K }, (_, i) => `burst-${i}`);
    await Promise.all(
      ids.map((id, i) => {
        const customer = customerSchema.parse({ id, name: { first: 'Burst' }, email: `${id}@bench.test`, consent: { email: true, sms: false, postal: true, phone: true }, address: { line1: '1 Bench St', city: 'London', country: 'GB' }, timezone: 'Europe/London', agent: `agent-${i % 5}` });
        const start: CustomerYearInput = { v: 1, customerId: id, plan: 'client-for-life', planYear: 1, yearStartMs, sendingHours: { startMinute: 0, endMinute: 24 * 60 } };
        return burstEnv.client.workflow.signalWithStart('customerYear', { workflowId: customerWorkflowId(id), taskQueue: 'burst', args: [start], signal: dealClosedSignal, signalArgs: [{ customer, deal: { id: `d-${id}`, closedAt: new Date(yearStartMs).toISOString().slice(0, 10) } }] });
      }),
    );
    // Done when no customer has a touch due any more.
    let touches = 0;
    for (const deadline = Date.now() + 20 * 60_000; Date.now() < deadline; await pause(200)) {
      const statuses = await Promise.all(ids.map((id) => burstEnv.client.workflow.getHandle(customerWorkflowId(id)).query(statusQuery).catch(() => undefined)));
      const due = statuses.some((st) => !st || st.state === 'starting' || (st.nextDueAt !== undefined && st.nextDueAt !== null && Date.parse(st.nextDueAt) <= Date.now()));
      if (!due) {
        touches = statuses.reduce((sum, st) => sum + st!.touchesDone.length, 0);
        break;
      }
    }
    if (touches === 0) throw new Error('bench: the backdated years did not finish their due touches');
    results.burstCustomers = K;
    results.burstTouches = touches;
    results.burstTouchesPerSecondPlan33 = touches / ((performance.now() - t0) / 1000);
    results.burstEmails = burstSmtp.messages.length;
  });
  burstMailer.close();
  await burstSmtp.close();
  await burstEnv.teardown();
}

// ---- Against raw Temporal on a dev server (SQLite in memory): enrolment and sleeping customers ----
let small = 0;
let large = 0;
let boundedCache = 0;
if (PARTS.has('devserver')) {
step('dev server');
const dev = await createDevServerEnv();
const address = dev.connection.options.address;
const baselinePath = join(benchDir, `baseline-bundle-${process.pid}.js`);
writeFileSync(baselinePath, baselineBundle.code);
// BENCH_WORKER_NODE_OPTIONS: node flags for the worker processes, e.g. --max-old-space-size=256.
const workerNodeOptions = (process.env.BENCH_WORKER_NODE_OPTIONS ?? '').split(' ').filter(Boolean);
// The worker processes run compiled, as production does (scripts/build.mjs), the raw one too.
const { build, upToDate, outdir: buildOutdir } = (await import('../scripts/build.mjs')) as { build: () => Promise<unknown>; upToDate: () => boolean; outdir: string };
if (!upToDate()) await build();
/** Runs one worker in a process of its own until its workflows sleep; returns its RSS. */
async function workerProcess(job: WorkerProcessJob): Promise<WorkerProcessResult> {
  const { stdout } = await execFileAsync(process.execPath, [...workerNodeOptions, '--enable-source-maps', join(buildOutdir, 'bench-worker.mjs'), JSON.stringify(job)], { maxBuffer: 16 * 2 ** 20, timeout: 15 * 60_000 });
  return JSON.parse(stdout.trim().split('\n').at(-1)!) as WorkerProcessResult;
}
const concurrency = Number(process.env.BENCH_CONCURRENCY ?? 32);
async function rate(n: number, fn: (i: number) => Promise<unknown>): Promise<number> {
  let next = 0;
  const t0 = performance.now();
  await Promise.all(Array.from({ length: Math.min(concurrency, n) }, async () => { while (next < n) await fn(next++); }));
  return n / ((performance.now() - t0) / 1000);
}
// Sending hours that start three hours from now (UTC): every enrolled customer sleeps.
const startHour = (new Date().getUTCHours() + 3) % 24;
const asleep = `${String(startHour).padStart(2, '0')}:00-${String(startHour + 1).padStart(2, '0')}:00`;
const run = Date.now();
const sizes = (process.env.BENCH_ENROL ?? MODES.enrol).split(',').map(Number);
if (new Set(sizes).size < 2 || sizes.some((n) => !Number.isInteger(n) || n < 1)) throw new Error('BENCH_ENROL: give two or more sizes (e.g. 1000,10000): the smallest sleeps all cached, the largest behind the bounded cache');
step('enrolment');
for (const n of sizes) {
  const noop = await rate(n, (i) => dev.client.workflow.start('noopWorkflow', { taskQueue: 'noop', workflowId: `noop-${run}-${n}-${i}` }));
  const plan33 = await rate(n, (i) =>
    dealClosed(dev.client, { customer: { id: `bench-${run}-${n}-${i}`, name: { first: 'Bench' }, email: `c${i}@bench.test`, timezone: 'UTC', agent: `agent-${i % 50}`, sendingHours: asleep }, deal: { id: `d-${i}`, closedAt: '2026-11-23' } }, { taskQueue: `plan33-${n}` }),
  );
  results[`enrolPerSecondNoop_${n}`] = noop;
  // What every deal asks first (is there a lead road to hand over from?), then a raw start: the
  // floor under plan33's enrolment on one machine, where server, store and client share the cores.
  if (n === Math.max(...sizes)) {
    results[`enrolPerSecondCheckedNoop_${n}`] = await rate(n, async (i) => {
      await dev.client.workflow.getHandle(`lead-check-${run}-${n}-${i}`).describe().catch(() => undefined);
      await dev.client.workflow.start('noopWorkflow', { taskQueue: 'noop', workflowId: `noop-checked-${run}-${n}-${i}` });
    });
  }
  results[`enrolPerSecondPlan33_${n}`] = plan33;
  results[`enrolRatio_${n}`] = plan33 / noop;
}

// Worker memory, each worker alone in its process. The smallest enrolment sleeps in a worker
// that caches every customer (the cost of one cached customer: the RSS over that of the worker
// just created, its threads and bundle loaded, divided by the customers); the largest in a
// worker with the default bounded cache (WORKER_MAX_CACHED_WORKFLOWS): the rest are evicted and
// replayed from history when they wake. Raw workflows asleep on a timer are the floor for both,
// at the same sizes and cache.
small = Math.min(...sizes);
large = Math.max(...sizes);
// BENCH_CACHE: another bounded cache size than the default (WORKER_MAX_CACHED_WORKFLOWS).
boundedCache = Number(process.env.BENCH_CACHE ?? MODES.cache ?? loadConfig({}).worker.maxCachedWorkflows);
const sleeping = (n: number) => `TaskQueue = 'plan33-${n}' AND NextTouchKind = 'newsletter' AND TouchesDone = 0`;
async function rawSleepers(n: number, maxCachedWorkflows: number, tag: string, kind: 'baseline' | 'baseline-with-libraries' = 'baseline'): Promise<WorkerProcessResult> {
  const ids = Array.from({ length: n }, (_, i) => `sleep-${run}-${tag}-${i}`);
  await rate(n, (i) => dev.client.workflow.start('timerActivityLoop', { taskQueue: `baseline-${tag}`, workflowId: ids[i]!, args: [33, 86_400_000] }));
  // Tasks are taken roughly in order: when the last ones sleep, they all do.
  return workerProcess({ address, taskQueue: `baseline-${tag}`, kind, bundlePath: baselinePath, maxCachedWorkflows, sleepingIds: ids.slice(-20) });
}
const memoryJobs = {
  cached: () => workerProcess({ address, taskQueue: `plan33-${small}`, kind: 'plan33', bundlePath, databaseUrl: benchDatabaseUrl, maxCachedWorkflows: small + 100, query: sleeping(small), count: small }),
  bounded: () => workerProcess({ address, taskQueue: `plan33-${large}`, kind: 'plan33', bundlePath, databaseUrl: benchDatabaseUrl, maxCachedWorkflows: boundedCache, query: sleeping(large), count: large }),
  rawCached: () => rawSleepers(small, small + 100, 'cached'),
  rawBounded: () => rawSleepers(large, boundedCache, 'evicted'),
  // The same raw worker in a process that has loaded plan33's modules: what its libraries weigh.
  rawBoundedWithLibraries: () => rawSleepers(large, boundedCache, 'evicted-libraries', 'baseline-with-libraries'),
};
let memory: Record<keyof typeof memoryJobs, WorkerProcessResult>;
if (MODES.memoryInParallel) {
  step('worker memory: four worker processes side by side');
  const [cached, bounded, rawCached, rawBounded, rawBoundedWithLibraries] = await Promise.all([memoryJobs.cached(), memoryJobs.bounded(), memoryJobs.rawCached(), memoryJobs.rawBounded(), memoryJobs.rawBoundedWithLibraries()]);
  memory = { cached, bounded, rawCached, rawBounded, rawBoundedWithLibraries };
} else {
  step(`worker memory: ${small} customers, all cached`);
  const cached = await memoryJobs.cached();
  step(`worker memory: ${large} customers, cache of ${boundedCache}`);
  const bounded = await memoryJobs.bounded();
  step(`worker memory: raw workflows (${small} cached, ${large} behind the cache)`);
  const rawCached = await memoryJobs.rawCached();
  const rawBounded = await memoryJobs.rawBounded();
  const rawBoundedWithLibraries = await memoryJobs.rawBoundedWithLibraries();
  memory = { cached, bounded, rawCached, rawBounded, rawBoundedWithLibraries };
}
const { cached, bounded, rawCached, rawBounded, rawBoundedWithLibraries } = memory;
results.workerRssMiBIdle = cached.rssMiBBefore;
results.workerRssMiBCreated = cached.rssMiBWorkerCreated;
results[`workerRssMiB_${small}Cached`] = cached.rssMiB;
results.rssMiBPerCachedCustomer = (cached.rssMiB - cached.rssMiBWorkerCreated) / small;
// What the README (now docs/scaling.md) reported before issue 18: the worker's own start-up counted in.
results.rssMiBPerCachedCustomerWithWorker = (cached.rssMiB - cached.rssMiBBefore) / small;
results[`secondsToPlan_${small}`] = cached.secondsToReach;
results.cacheSize = boundedCache;
results[`workerRssMiB_${large}AfterEviction`] = bounded.rssMiB;
results[`secondsToPlan_${large}`] = bounded.secondsToReach;
results.baselineRssMiBCreated = rawCached.rssMiBWorkerCreated;
results[`baselineRssMiB_${small}Cached`] = rawCached.rssMiB;
results.baselineRssMiBPerCachedWorkflow = (rawCached.rssMiB - rawCached.rssMiBWorkerCreated) / small;
results.rssPerCachedRatio = results.rssMiBPerCachedCustomer / results.baselineRssMiBPerCachedWorkflow;
results[`baselineRssMiB_${large}AfterEviction`] = rawBounded.rssMiB;
results[`baselineSecondsToSleep_${large}`] = rawBounded.secondsToReach;
results.rssAfterEvictionRatio = bounded.rssMiB / rawBounded.rssMiB;
results[`baselineWithLibrariesRssMiB_${large}AfterEviction`] = rawBoundedWithLibraries.rssMiB;
await dev.teardown();
}

await benchStores.db.destroy();
await postgres?.stop();
results.benchSeconds = (performance.now() - benchStarted) / 1000;

// ---- The figures, each next to raw Temporal, with issue 18's goals ----
const r = (k: string): number | undefined => results[k];
const n = (x: number) => x.toLocaleString('en-US');
const figures: Figure[] = [];
const push = (f: Figure, when: boolean) => void (when && figures.push(f));
push(figure('history events per touch, a customer-year with its calls (raw: 33 timers into 33 no-op activities)', r('historyEventsPerTouch'), r('baselineEventsPerTouch'), { on: 'plan33', op: '≤', value: 12 }), PARTS.has('year'));
push(figure("history events per touch, a lead's 8x8 (raw: 8 timers into 8 no-op activities)", r('leadEventsPerTouch'), r('baselineEventsPerLeadTouch'), { on: 'plan33', op: '≤', value: 12 }), PARTS.has('lead'));
push(figure('history events per customer-year (information)', r('historyEventsPerYear'), r('baselineEventsPerYear')), PARTS.has('year'));
push(figure('Temporal Cloud actions per customer-year, from its history (information)', r('actionsPerYear'), r('baselineActionsPerYear')), PARTS.has('year'));
push(figure('history KiB per customer-year (information)', PARTS.has('year') ? r('historyBytesPerYear')! / 1024 : undefined, null), PARTS.has('year'));
push(figure(`touches per second, ${r('touchCustomers')} customer-years running free (raw: timer+activity loops)`, r('touchesPerSecondPlan33'), r('touchesPerSecondBaseline'), { on: 'ratio', op: '≥', value: 0.8 }), PARTS.has('touches'));
push(figure(`touches per second, ${r('touchCustomers')} customer-years running free (raw: the loops, each activity sending one email over SMTP and writing one row; information)`, r('touchesPerSecondPlan33'), r('touchesPerSecondDeliveringBaseline')), PARTS.has('touches'));
push(figure(`touches per second, ${r('burstCustomers')} customer-years due at once on the dev server (raw: as many loops of 33 no-op activities, due already; information)`, r('burstTouchesPerSecondPlan33'), r('burstTouchesPerSecondBaseline')), PARTS.has('burst'));
if (PARTS.has('devserver')) {
  push(figure(`enrolment per second, N = ${n(small)} (raw: no-op starts; information)`, r(`enrolPerSecondPlan33_${small}`), r(`enrolPerSecondNoop_${small}`)), true);
  push(figure(`enrolment per second, N = ${n(large)} (raw: no-op starts)`, r(`enrolPerSecondPlan33_${large}`), r(`enrolPerSecondNoop_${large}`), { on: 'ratio', op: '≥', value: 0.9 }), true);
  push(figure(`enrolment per second, N = ${n(large)} (raw: a describe, as the lead check, then a no-op start; information)`, r(`enrolPerSecondPlan33_${large}`), r(`enrolPerSecondCheckedNoop_${large}`)), true);
  push(figure(`worker RSS MiB per cached person, ${n(small)} asleep, all cached (raw: asleep on a timer)`, r('rssMiBPerCachedCustomer'), r('baselineRssMiBPerCachedWorkflow'), { on: 'ratio', op: '≤', value: 1.5 }), true);
  push(figure(`worker RSS MiB, ${n(large)} asleep, cache of ${n(boundedCache)} (raw: the same)`, r(`workerRssMiB_${large}AfterEviction`), r(`baselineRssMiB_${large}AfterEviction`), { on: 'ratio', op: '≤', value: 1.3 }), true);
  push(figure(`worker RSS MiB, ${n(large)} asleep, cache of ${n(boundedCache)} (raw: the same in a process that loaded plan33's modules; information)`, r(`workerRssMiB_${large}AfterEviction`), r(`baselineWithLibrariesRssMiB_${large}AfterEviction`)), true);
  push(figure('worker RSS MiB, the worker just created (information)', r('workerRssMiBCreated'), r('baselineRssMiBCreated')), true);
  // The goal is for 10,000; a smaller run is scaled to 10,000 at its measured rate.
  const scale = 10_000 / large;
  push(
    figure(
      `seconds to plan 10,000 new customers, one worker${large === 10_000 ? '' : ` (${n(large)} measured, scaled)`} (raw: to reach their first timer)`,
      r(`secondsToPlan_${large}`)! * scale,
      r(`baselineSecondsToSleep_${large}`)! * scale,
      { on: 'plan33', op: '<', value: 60 },
    ),
    true,
  );
}
push(figure('one simulated customer-year, wall seconds (information)', PARTS.has('year') ? r('customerYearWallMs')! / 1000 : undefined, null), PARTS.has('year'));
push(figure('time-skipping server ready, ms (information)', r('timeSkippingServerReadyMs'), null), PARTS.has('startup'));
push(figure('dev server ready, ms (information)', r('devServerReadyMs'), null), PARTS.has('startup'));
push(figure('workflow bundle KiB (information)', r('workflowBundleKiB'), null), true);

const report: BenchReport = { quick: MODE !== 'full', figures };
const problems = reportProblems(report);
console.log(`plan33 bench, ${MODE === 'full' ? 'full' : `--${MODE}`} (${cpus().length} cores, node ${process.version}; ${results.benchSeconds.toFixed(0)} s)\n`);
console.log(formatTable(report));
const rows = Object.entries(results).map(([k, v]) => `${k.padEnd(40)} ${v.toFixed(v < 10 ? 2 : 0).padStart(10)}`);
console.log(`\nevery measurement:\n${rows.join('\n')}`);
mkdirSync(dirname(OUT), { recursive: true });
writeFileSync(OUT, `${JSON.stringify(report, null, 2)}\n`);
const all = join(benchDir, `results-${new Date().toISOString().replace(/[:.]/g, '-')}.json`);
writeFileSync(all, JSON.stringify({ at: new Date().toISOString(), mode: MODE, cores: cpus().length, node: process.version, results, figures }, null, 2));
console.log(`\nfigures written to ${OUT}; every measurement to ${all}`);
if (problems.length) {
  console.error(`bench: the figures are not well-formed:\n${problems.join('\n')}`);
  process.exitCode = 1;
}

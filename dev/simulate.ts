// `plan33 simulate`: the real workflow and activities run a whole customer-year in seconds on
// the time-skipping test server, against a real local SMTP server and a Twilio-compatible
// endpoint; an agent stand-in completes each call task. Returns every touch with its outcome
// and, where a message went out, its recipient and subject.
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { DateTime } from 'luxon';
import nodemailer from 'nodemailer';
import { simpleParser } from 'mailparser';
import { openStores, type Stores } from '../stores';
import { freePort } from './binaries.mjs';
import { postgresTempDir, startEmbeddedPostgres, type EmbeddedPostgres } from './embedded-postgres';
import type { Business } from '../activities/email-content';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { startSmtpCapture } from './smtp-capture';
import { createTimeSkippingEnv } from './temporal-server';
import { startLocalTwilio } from './twilio-local';
import { customerSchema, type CustomerInput } from '../plan/customer';
import type { SendingHours } from '../plan/sending-hours';
import { customerWorkflowId } from '../plan/ids';
import { buildWorkflowBundle } from '../worker/bundle';
import { randomBytes } from 'node:crypto';
import { createPlan33Worker } from '../worker/create-worker';
import { dataConverterFor } from '../lib/codec';
import { createSmsClient } from '../worker/sms';
import { completeCallUpdate, referralReceivedSignal, statusQuery, type CallCompletion, type CustomerStatus } from '../workflows/messages';
import { dealClosed } from '../service/enroll';
import { ValidationError } from '../service/errors';

export interface SimulatedTouch {
  seq: number;
  kind: string;
  channel: string;
  at: string;
  outcome: string;
  reason?: string;
  title: string;
  recipient?: string;
  subject?: string;
}

export interface SimulateOptions {
  customer: CustomerInput;
  /** YYYY-MM-DD; today or later (the simulated clock only runs forward). */
  start?: string;
  referralAt?: string;
  callOutcome?: CallCompletion['outcome'];
  /** Hours the stand-in agent takes to complete a call task (default 0: at once). */
  agentDelayHours?: number;
  business: Business;
  sendingHours: SendingHours;
  onTouch?: (touch: SimulatedTouch) => void;
  /** plan33's store (DATABASE_URL); unset: an embedded PostgreSQL for this run only. */
  databaseUrl?: string;
}

export interface SimulateResult {
  touches: SimulatedTouch[];
  status: CustomerStatus;
  wallMs: number;
  historyEvents: number;
  historyBytes: number;
}

const TWILIO = { accountSid: 'AC00000000000000000000000000000033', authToken: 'simulate-token', from: '+15005550006' };

/** What the year's loop needs: a time-skipping environment with a worker running on `taskQueue`. */
export interface SimulationRig {
  env: TestWorkflowEnvironment;
  taskQueue: string;
}

/**
 * Drives one customer's first plan year to its end on a running rig: advances the simulated
 * clock one touch at a time, completes call tasks as the agent would, sends the referral.
 * Returns the year-1 run's final status and its history.
 */
export async function runSimulatedYear({ env, taskQueue }: SimulationRig, options: Omit<SimulateOptions, 'business' | 'onTouch'>) {
  const opts = { ...options, customer: customerSchema.parse(options.customer) };
  const zone = opts.customer.timezone;
  const nowMs = await env.currentTimeMs();
  const startMs = opts.start ? DateTime.fromISO(opts.start, { zone }).startOf('day').toMillis() : nowMs;
  if (startMs < DateTime.fromMillis(nowMs, { zone }).startOf('day').toMillis()) {
    throw new ValidationError([`--start ${opts.start}: the simulated clock starts today and only runs forward; give today or a later date`]);
  }
  const referralMs = opts.referralAt ? DateTime.fromISO(opts.referralAt, { zone }).set({ hour: 12 }).toMillis() : undefined;
  if (referralMs !== undefined && referralMs < startMs) throw new ValidationError([`--referral-at ${opts.referralAt}: before the plan year starts`]);
  if (startMs > nowMs) await env.sleep(startMs - nowMs);

  const closedAt = DateTime.fromMillis(Math.max(startMs, nowMs), { zone }).toISODate()!;
  const { runId } = await dealClosed(env.client, { customer: opts.customer, deal: { id: `simulated-deal-${opts.customer.id}`, closedAt } }, { taskQueue, sendingHours: opts.sendingHours });
  const latest = env.client.workflow.getHandle(customerWorkflowId(opts.customer.id));
  const yearOne = env.client.workflow.getHandle(customerWorkflowId(opts.customer.id), runId);
  let referralSent = referralMs === undefined;
  const outcome = opts.callOutcome ?? 'reached';

  for (let step = 0; step < 1000; step++) {
    const st = await latest.query(statusQuery);
    if (st.planYear > 1 || st.state === 'cancelled') break;
    if (st.state === 'starting') {
      await new Promise((r) => setTimeout(r, 20));
      continue;
    }
    // The agent stand-in completes every open call task when it appears (or after
    // `agentDelayHours`, which lets reminders and escalations happen).
    const delayMs = (opts.agentDelayHours ?? 0) * 3_600_000;
    const nowMs = await env.currentTimeMs();
    const waiting = st.calls.filter((c) => !c.outcome && c.givenAt && Date.parse(c.givenAt) + delayMs > nowMs);
    const open = st.calls.filter((c) => !c.outcome && !waiting.includes(c));
    for (const call of open) {
      const callBackOn = DateTime.fromMillis(await env.currentTimeMs(), { zone }).plus({ days: 7 });
      // The customer asks for a call-back once per call (not past the year's end); the
      // call-back, and a retry after no answer, then reach them.
      const again = /\((call-back|retry \d+)\)$/.test(st.touchesDone.find((t) => t.seq === call.seq)?.title ?? '');
      const ending = (outcome === 'call-back' || outcome === 'no-answer') && (again || callBackOn.toMillis() >= Date.parse(st.yearEndsAt)) ? 'reached' : outcome;
      await latest.executeUpdate(completeCallUpdate, {
        args: [{ taskId: call.taskId, outcome: ending, notes: 'Talked about their new kitchen; a neighbour may be moving soon.', ...(ending === 'call-back' ? { callBackOn: callBackOn.toISODate()! } : {}) }],
      });
    }
    if (open.length > 0) continue;
    const now = await env.currentTimeMs();
    if (!referralSent && referralMs! <= now) {
      await latest.signal(referralReceivedSignal, { referralId: `simulated-referral-${opts.customer.id}` });
      referralSent = true;
      continue;
    }
    const target = Math.min(
      st.nextDueAt ? Date.parse(st.nextDueAt) : Infinity,
      Date.parse(st.yearEndsAt),
      referralSent ? Infinity : referralMs!,
      ...waiting.map((c) => Date.parse(c.givenAt!) + delayMs),
    );
    await env.sleep(Math.max(target - now, 0) + 1000);
    // Wait (in real time) until what came due is recorded, so each step moves one touch.
    for (let i = 0; i < 750; i++) {
      const after = await latest.query(statusQuery);
      if (after.touchesDone.length > st.touchesDone.length || after.planYear > 1 || after.nextDueAt !== st.nextDueAt || target !== Date.parse(st.nextDueAt ?? '')) break;
      await new Promise((r) => setTimeout(r, 20));
    }
  }
  // Year 1 continued as new into year 2, which carries year 1's outcome; the history is year 1's.
  const st = await latest.query(statusQuery);
  const status = st.planYear === 1 ? st : { ...st, ...st.previousYear!, customer: st.customer };
  const history = await yearOne.fetchHistory();
  // The simulation covers one year: stop year 2 here rather than leave it running. Not while
  // one of its activities runs: the time-skipping server then never releases that activity's
  // hold on the clock, and the next simulation on the same server stalls.
  for (let i = 0; i < 250; i++) {
    const pending = (await latest.describe().catch(() => undefined))?.raw.pendingActivities?.length ?? 0;
    if (pending === 0) break;
    await new Promise((r) => setTimeout(r, 20));
  }
  await latest.terminate('simulation covers one plan year').catch(() => undefined);
  return { status, history, runId, nextYear: st.planYear > 1 ? st : undefined };
}

/** The servers a simulation runs on: time-skipping Temporal, SMTP capture, Twilio stand-in, PostgreSQL, a worker. */
export async function withSimulationStack<T>(
  opts: { business: Business; databaseUrl?: string; deps?: Partial<Parameters<typeof createPlan33Worker>[0]['deps']> },
  fn: (stack: { env: TestWorkflowEnvironment; taskQueue: string; stores: Stores; describe: (reference: string | undefined) => Promise<{ recipient?: string; subject?: string }> }) => Promise<T>,
): Promise<T> {
  const dir = postgresTempDir('plan33-simulate-');
  const startDatabase = async (): Promise<{ url: string; postgres?: EmbeddedPostgres }> => {
    if (opts.databaseUrl) return { url: opts.databaseUrl };
    const postgres = await startEmbeddedPostgres({ dataDir: join(dir, 'postgres'), port: await freePort() });
    return { url: postgres.url, postgres };
  };
  // Customer data is encrypted in Temporal as in production, with a key of the run's own.
  const dataConverter = dataConverterFor([{ id: 'simulate', key: randomBytes(32) }])!;
  const [env, smtp, twilio, bundle, database] = await Promise.all([
    createTimeSkippingEnv({ dataConverter }),
    startSmtpCapture(),
    startLocalTwilio({ accountSid: TWILIO.accountSid, authToken: TWILIO.authToken }),
    buildWorkflowBundle(),
    startDatabase(),
  ]);
  const stores = await openStores({ url: database.url, maxConnections: 4 });
  const mailer = nodemailer.createTransport({ host: '127.0.0.1', port: smtp.port, secure: false, ignoreTLS: true });
  /** Where a delivered touch went and what it said, from what the endpoints received. */
  const describe = async (reference: string | undefined) => {
    if (!reference) return {};
    for (const m of smtp.messages) {
      const parsed = await simpleParser(m.raw);
      if (parsed.messageId === reference) return { recipient: m.to.join(', '), subject: parsed.subject };
    }
    const sms = twilio.messages.find((x) => x.sid === reference);
    if (sms) return { recipient: sms.to, subject: sms.body };
    const task = (await stores.tasks.list()).find((x) => x.taskId === reference);
    if (task?.type === 'call') return { recipient: `agent ${task.agent}`, subject: task.title };
    if (task?.type === 'postal') return { recipient: task.recipient, subject: task.item };
    return {};
  };
  try {
    const worker = await createPlan33Worker({
      connection: env.nativeConnection,
      taskQueue: 'simulate',
      workflowBundle: bundle,
      overrides: { dataConverter },
      // Signed links (unsubscribe, the NPS survey) as a local API would serve them; a secret of the run's own.
      deps: { mailer, tasks: stores.tasks, ledger: stores.ledger, records: stores.records, contacts: stores.contacts, leads: stores.leads, business: opts.business, sms: createSmsClient({ ...TWILIO, apiBase: twilio.baseUrl }), unsubscribe: { baseUrl: 'http://localhost:8080', secret: randomBytes(24).toString('base64url') }, ...opts.deps },
    });
    return await worker.runUntil(fn({ env, taskQueue: 'simulate', stores, describe }));
  } finally {
    mailer.close();
    await Promise.all([smtp.close(), twilio.close()]);
    await env.teardown();
    await stores.db.destroy();
    await database.postgres?.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

export async function simulate(opts: SimulateOptions): Promise<SimulateResult> {
  const started = performance.now();
  return withSimulationStack(opts, async ({ env, taskQueue, describe }) => {
    const result = await runSimulatedYear({ env, taskQueue }, opts);
    const { history } = result;
    const yearOne = result.status;
    const touches: SimulatedTouch[] = [];
    for (const t of [...yearOne.touchesDone].sort((a, b) => Date.parse(a.at) - Date.parse(b.at) || a.seq - b.seq)) {
      touches.push({ seq: t.seq, kind: t.kind, channel: t.channel, at: t.at, outcome: t.outcome, reason: t.reason, title: t.title, ...(await describe(t.reference)) });
    }
    touches.forEach((t) => opts.onTouch?.(t));
    return { touches, status: yearOne, wallMs: performance.now() - started, historyEvents: history.events?.length ?? 0, historyBytes: JSON.stringify(history).length };
  });
}

// A worker killed in the middle of a send sends no duplicate. The first worker is a separate
// process (test/helpers/crash-worker.ts) that gets SIGKILLed at the worst moment: Twilio has
// accepted the SMS but the answer never reached the worker; the SMTP server is in the middle of
// DATA. A second worker sharing the delivery ledger then runs the retried activity.
//
// Why the dev server and not the time-skipping one: the server only notices a dead worker when
// the attempt's start-to-close timeout (2 minutes, no heartbeat) passes. On the time-skipping
// test server a started activity locks time skipping until it completes, so with the dead
// worker's attempt still "running" `env.sleep('30 seconds')` took 30 s of wall time: nothing
// fast-forwards past the timeout. On the dev server the test shortens that one orphaned
// attempt's start-to-close timeout with UpdateActivityOptions: the same server path (timeout ->
// retry with the workflow's retry policy), seconds instead of two minutes. Each case then takes
// ~16 s: 2 s timeout, the policy's 5 s backoff, and ~10 s until the workflow task leaves the dead
// worker's sticky queue (its schedule-to-start timeout; queries fail until then).
import type { AddressInfo } from 'node:net';
import { hostname } from 'node:os';
import { simpleParser } from 'mailparser';
import nodemailer from 'nodemailer';
import { SMTPServer } from 'smtp-server';
import proto from '@temporalio/proto';
import type { WorkflowHandle } from '@temporalio/client';
import { msToTs, tsToMs } from '@temporalio/common/lib/time';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { messageIdFor } from '../activities';
import { freshStores, type TestStores } from './helpers/database';
import { dealClosed } from '../service/enroll';
import { createDevServerEnv } from '../dev/temporal-server';
import { startSmtpCapture, type SmtpCapture } from '../dev/smtp-capture';
import { startLocalTwilio, type LocalSms, type LocalTwilio } from '../dev/twilio-local';
import type { CustomerInput } from '../plan/customer';
import { touchKey } from '../plan/ids';
import { statusQuery, type CustomerStatus } from '../workflows/messages';
import { spawnCrashWorker, type CrashWorker } from './helpers/crash-worker';
import { business, createTestWorker, installTestRuntime, tempDir, TWILIO } from './helpers/temporal';
import { customer } from './fixtures/customers';

const { PendingActivityState, EventType, TimeoutType } = proto.temporal.api.enums.v1;

let env: TestWorkflowEnvironment;
let smtp: SmtpCapture;
let twilio: LocalTwilio;
let mailServer: SMTPServer | undefined;
const children: CrashWorker[] = [];
const workflowIds: string[] = [];

/** The SMS the dead worker sent: Twilio kept it, its answer never left. */
let heldSms: LocalSms | undefined;
/** The process to kill when Twilio holds that SMS. */
let smsSenderPid = 0;
const SMS_PHONE = '+966500000311';

beforeAll(async () => {
  installTestRuntime();
  env = await createDevServerEnv();
  smtp = await startSmtpCapture();
  twilio = await startLocalTwilio({
    accountSid: TWILIO.accountSid,
    authToken: TWILIO.authToken,
    holdReply: (sms) => {
      if (sms.to !== SMS_PHONE || heldSms) return false;
      heldSms = sms;
      process.kill(smsSenderPid, 'SIGKILL'); // the sender dies before Twilio's answer reaches it
      return true;
    },
  });
});

afterAll(async () => {
  for (const id of workflowIds) await env?.client.workflow.getHandle(id).terminate('test done').catch(() => undefined);
  for (const c of children) if (c.child.exitCode === null && c.child.signalCode === null) c.child.kill('SIGKILL');
  await Promise.all(children.map((c) => c.exited));
  await smtp?.close();
  await twilio?.close();
  await new Promise<void>((ok) => (mailServer ? mailServer.close(() => ok()) : ok()));
  await env?.teardown();
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * A zone where it is 10:00-19:59 now, so the welcome touch is due at once (this server does not
 * skip time): inside the SMS hours, and after a holiday card's 10:00 slot should today be one.
 */
function daytimeZone(): string {
  const zones = ['Pacific/Kiritimati', 'Pacific/Auckland', 'Australia/Brisbane', 'Asia/Tokyo', 'Asia/Shanghai', 'Asia/Bangkok', 'Asia/Kolkata', 'Asia/Dubai', 'Asia/Riyadh', 'Europe/Berlin', 'Europe/London', 'Atlantic/Azores', 'America/Sao_Paulo', 'America/New_York', 'America/Chicago', 'America/Denver', 'America/Los_Angeles', 'Pacific/Honolulu', 'Pacific/Pago_Pago'];
  const now = new Date();
  for (const zone of zones) {
    const hour = Number(new Intl.DateTimeFormat('en-GB', { hour: '2-digit', hourCycle: 'h23', timeZone: zone }).format(now));
    if (hour >= 10 && hour < 20) return zone;
  }
  throw new Error('no zone with daytime now');
}

function startCrashWorker(taskQueue: string, databaseUrl: string, smtpPort: number): CrashWorker {
  const worker = spawnCrashWorker({
    address: env.address,
    namespace: env.namespace,
    taskQueue,
    bundlePath: inject('workflowBundlePath'),
    databaseUrl,
    tasksDir: tempDir('crash-tasks'),
    smtpPort,
    twilio: { ...TWILIO, apiBase: twilio.baseUrl },
    business,
  });
  children.push(worker);
  return worker;
}

async function enroll(id: string, input: CustomerInput): Promise<WorkflowHandle> {
  const today = new Intl.DateTimeFormat('en-CA', { timeZone: input.timezone }).format(new Date()); // YYYY-MM-DD there
  const { workflowId } = await dealClosed(env.client, { customer: input, deal: { id: `deal-${id}`, closedAt: today } }, { taskQueue: id });
  workflowIds.push(workflowId);
  return env.client.workflow.getHandle(workflowId);
}

async function describeWorkflow(workflowId: string) {
  return env.client.workflowService.describeWorkflowExecution({ namespace: env.namespace ?? 'default', execution: { workflowId } });
}

/**
 * The dead worker's attempt is still "started" on the server. Shortens its start-to-close
 * timeout, waits until the server timed it out and scheduled attempt 2, then restores the
 * workflow's own options (attempt 2 has the full 2 minutes again). Returns the retry as the
 * server describes it: its attempt number, why the one before ended and on which worker.
 */
async function expireOrphanedAttempt(workflowId: string) {
  const orphan = (await describeWorkflow(workflowId)).pendingActivities.find((a) => a.activityType?.name === 'deliverTouch');
  expect(orphan, 'the killed worker left its deliverTouch attempt running').toBeDefined();
  expect(orphan!.state).toBe(PendingActivityState.PENDING_ACTIVITY_STATE_STARTED);
  expect(orphan!.attempt).toBe(1);
  const target = { namespace: env.namespace ?? 'default', execution: { workflowId }, id: orphan!.activityId };
  await env.client.workflowService.updateActivityOptions({ ...target, activityOptions: { startToCloseTimeout: msToTs('2s') }, updateMask: { paths: ['start_to_close_timeout'] } });
  let retry: typeof orphan;
  for (let i = 0; i < 100 && !retry; i++) {
    retry = (await describeWorkflow(workflowId)).pendingActivities.find((a) => a.activityId === orphan!.activityId && (a.attempt ?? 0) > 1);
    if (!retry) await sleep(100);
  }
  const restored = await env.client.workflowService.updateActivityOptions({ ...target, restoreOriginal: true });
  expect(tsToMs(restored.activityOptions?.startToCloseTimeout)).toBe(tsToMs(orphan!.activityOptions?.startToCloseTimeout));
  return { attempt: retry?.attempt, timeout: retry?.lastFailure?.timeoutFailureInfo?.timeoutType, timedOutOn: retry?.lastWorkerIdentity };
}

/** Polls the status until a touch on `channel` is recorded (queries fail while the dead worker's sticky queue still has the workflow). */
async function touchDone(handle: WorkflowHandle, channel: string, timeoutMs = 40_000): Promise<{ status: CustomerStatus; touch: CustomerStatus['touchesDone'][number] }> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const status = await env.connection.withDeadline(Date.now() + 3000, () => handle.query(statusQuery)).catch(() => undefined);
    const touch = status?.touchesDone.find((t) => t.channel === channel);
    if (status && touch) return { status, touch };
    await sleep(250);
  }
  throw new Error(`no ${channel} touch recorded within ${timeoutMs} ms`);
}

/** The recorded attempt of deliverTouch: which attempt completed, on which worker. */
async function deliveryAttempt(handle: WorkflowHandle) {
  const events = (await handle.fetchHistory()).events ?? [];
  const scheduled = events.find((e) => e.eventType === EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED && e.activityTaskScheduledEventAttributes?.activityType?.name === 'deliverTouch')!;
  const started = events.find((e) => e.eventType === EventType.EVENT_TYPE_ACTIVITY_TASK_STARTED && String(e.activityTaskStartedEventAttributes?.scheduledEventId) === String(scheduled.eventId));
  const completed = events.some((e) => e.eventType === EventType.EVENT_TYPE_ACTIVITY_TASK_COMPLETED && String(e.activityTaskCompletedEventAttributes?.scheduledEventId) === String(scheduled.eventId));
  const attrs = started?.activityTaskStartedEventAttributes;
  return { attempt: attrs?.attempt, worker: attrs?.identity, completed };
}

/** The key the dead attempt marked as "sending" in the shared ledger, without a recorded result. */
async function onlySendingMark(stores: TestStores): Promise<string> {
  const rows = await stores.db.selectFrom('deliveries').select(['key', 'recorded_at', 'sending_mark']).execute();
  expect(rows).toHaveLength(1);
  expect(rows[0]!.recorded_at).toBeNull();
  expect(rows[0]!.sending_mark).not.toBeNull();
  return rows[0]!.key;
}

describe('a worker killed in the middle of a send', () => {
  it('SMS accepted by Twilio, answer lost: the retry on another worker finds it and sends nothing', async () => {
    const id = 'crash-sms';
    const zone = daytimeZone();
    const stores = await freshStores();
    const first = startCrashWorker(id, stores.url, smtp.port);
    smsSenderPid = first.pid;
    await first.ready;

    const handle = await enroll(id, customer({ id, phone: SMS_PHONE, locale: 'en', timezone: zone, sendingHours: '00:00-24:00', email: undefined, address: undefined, consent: { email: false, sms: true, postal: false, phone: true } }));
    expect(await first.exited, `the first worker is SIGKILLed when Twilio holds its reply:\n${first.output()}`).toBe('SIGKILL');
    const sms = heldSms!;
    expect(sms.to).toBe(SMS_PHONE);

    // The dead attempt wrote its mark and never learned the SID.
    const key = await onlySendingMark(stores);
    const { ledger } = stores;
    expect(await ledger.sendingMark(key)).toMatchObject({ channel: 'sms', to: SMS_PHONE, body: sms.body });
    expect(await ledger.get(key)).toBeUndefined();
    expect(twilio.requests).toEqual([]); // the held POST was never answered; nothing else yet

    const second = await createTestWorker({ connection: env.nativeConnection, taskQueue: id, smtp, twilio, stores });
    const { retry, touch } = await second.runUntil(async () => {
      const retry = await expireOrphanedAttempt(handle.workflowId);
      return { retry, ...(await touchDone(handle, 'sms')) };
    });

    expect(key).toBe(touchKey(handle.workflowId, 1, touch.seq));
    expect(touch).toMatchObject({ outcome: 'sent', reference: sms.sid });
    // Exactly one message for that touch at the provider, and the retry asked for the list instead of posting.
    expect(twilio.messages.filter((m) => m.to === SMS_PHONE)).toEqual([sms]);
    expect(twilio.requests.map((r) => `${r.method} ${r.status}`)).toEqual(['GET 200']);
    expect(await ledger.get(key)).toEqual({ outcome: 'sent', reference: sms.sid });
    // The server retried because the dead worker's attempt timed out; attempt 2 ran on the second worker.
    expect(retry).toEqual({ attempt: 2, timeout: TimeoutType.TIMEOUT_TYPE_START_TO_CLOSE, timedOutOn: `${first.pid}@${hostname()}` });
    expect(await deliveryAttempt(handle)).toEqual({ attempt: 2, worker: `${process.pid}@${hostname()}`, completed: true });
  });

  it('email cut off in the middle of DATA: nothing was accepted, the retry sends exactly one, same Message-ID', async () => {
    const id = 'crash-email';
    const address = 'crash-email@example.com';
    const zone = daytimeZone();
    const stores = await freshStores();
    /** Messages the server accepted (answered 250), and DATA transfers cut off by the kill. */
    const accepted: Array<{ to: string[]; raw: string }> = [];
    const cutOff: Array<{ to: string[]; raw: string }> = [];
    let senderPid = 0;
    mailServer = new SMTPServer({
      authOptional: true,
      disabledCommands: ['STARTTLS'],
      logger: false,
      onData(stream, session, callback) {
        const to = session.envelope.rcptTo.map((r) => r.address);
        const chunks: Buffer[] = [];
        let killedHere = false;
        stream.on('data', (c: Buffer) => {
          chunks.push(c);
          if (killedHere || cutOff.length > 0 || !to.includes(address)) return;
          // The first bytes of the message are here, the final "." is not acknowledged: kill the sender.
          killedHere = true;
          cutOff.push({ to, raw: Buffer.concat(chunks).toString('utf8') });
          process.kill(senderPid, 'SIGKILL');
        });
        stream.on('end', () => {
          if (killedHere) return callback(new Error('sender gone before the end of DATA'));
          accepted.push({ to, raw: Buffer.concat(chunks).toString('utf8') });
          callback();
        });
      },
    });
    mailServer.on('error', () => undefined); // the killed sender's socket just goes away
    await new Promise<void>((ok) => mailServer!.listen(0, '127.0.0.1', () => ok()));
    const mailPort = (mailServer.server.address() as AddressInfo).port;

    const first = startCrashWorker(id, stores.url, mailPort);
    senderPid = first.pid;
    await first.ready;
    const handle = await enroll(id, customer({ id, email: address, locale: 'en', timezone: zone, sendingHours: '00:00-24:00', phone: undefined, address: undefined, consent: { email: true, sms: false, postal: false, phone: false } }));
    expect(await first.exited, `the first worker is SIGKILLed in the middle of DATA:\n${first.output()}`).toBe('SIGKILL');
    expect(cutOff).toHaveLength(1);
    expect(accepted).toEqual([]);

    const key = await onlySendingMark(stores);
    const { ledger } = stores;
    expect(await ledger.sendingMark(key)).toMatchObject({ channel: 'email' });
    expect(await ledger.get(key)).toBeUndefined();

    const mailer = nodemailer.createTransport({ host: '127.0.0.1', port: mailPort, secure: false, ignoreTLS: true });
    const second = await createTestWorker({ connection: env.nativeConnection, taskQueue: id, smtp, stores, deps: { mailer } });
    const { retry, touch } = await second.runUntil(async () => {
      const retry = await expireOrphanedAttempt(handle.workflowId);
      return { retry, ...(await touchDone(handle, 'email')) };
    });

    expect(key).toBe(touchKey(handle.workflowId, 1, touch.seq));
    expect(touch).toMatchObject({ outcome: 'sent', reference: messageIdFor(key) });
    expect(accepted).toHaveLength(1);
    expect(accepted[0]!.to).toEqual([address]);
    const mail = await simpleParser(accepted[0]!.raw);
    expect(mail.messageId).toBe(messageIdFor(key));
    expect(mail.headers.get('x-plan33-touch')).toBe(key);
    // The cut-off transfer carried the same Message-ID: a receiver that kept a partial copy can drop it.
    expect(cutOff[0]!.raw).toContain(`Message-ID: ${messageIdFor(key)}`);
    expect(retry).toEqual({ attempt: 2, timeout: TimeoutType.TIMEOUT_TYPE_START_TO_CLOSE, timedOutOn: `${first.pid}@${hostname()}` });
    expect(await deliveryAttempt(handle)).toEqual({ attempt: 2, worker: `${process.pid}@${hostname()}`, completed: true });
  });
});

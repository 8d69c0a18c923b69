// Shared test wiring: the prebuilt workflow bundle, the Temporal runtime logging into pino,
// a real SMTP capture server and the worker built exactly as production builds it.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import nodemailer from 'nodemailer';
import { inject } from 'vitest';
import type { NativeConnection, WorkerOptions } from '@temporalio/worker';
import type { TaskSink } from '../../activities/task-sink';
import type { Stores } from '../../stores';
import { freshStores } from './database';
import type { LocalTwilio } from '../../dev/twilio-local';
import type { UnsubscribeConfig } from '../../lib/unsubscribe';
import { createSmsClient } from '../../worker/sms';
import type { Business } from '../../activities/email-content';
import { createLogger, installTemporalRuntimeLogger } from '../../lib/logger';
import type { SmtpCapture } from '../../dev/smtp-capture';
import { createPlan33Worker, type CreateWorkerOptions } from '../../worker/create-worker';
import type { ActivityDeps } from '../../activities';
import { dataConverterFor } from '../../lib/codec';

export const business: Business = {
  name: 'Cedar Homes',
  postalAddress: '12 Olaya St, Riyadh 12211, SA',
  mailFrom: 'Cedar Homes <hello@cedar.test>',
  referralUrl: 'https://cedar.test/refer',
};

export const TWILIO = { accountSid: 'AC00000000000000000000000000000001', authToken: 'test-token', from: '+15005550006' };

/**
 * The instant every time-skipping test starts its customers' years at, never today: tests must
 * pass on any day at any hour. 2040 while it lies ahead (the server's clock only runs forward).
 */
export const PINNED_START_MS = Date.parse(`${Math.max(2040, new Date().getUTCFullYear() + 1)}-01-04T06:00:00Z`);

/** Skips a fresh time-skipping server's clock to PINNED_START_MS. */
export async function pinClock(env: { sleep(ms: number): Promise<void>; currentTimeMs(): Promise<number> }): Promise<void> {
  await env.sleep(PINNED_START_MS - (await env.currentTimeMs()));
}

export function installTestRuntime(): void {
  installTemporalRuntimeLogger(createLogger(process.env.TEST_LOG_LEVEL ?? 'error'));
}

export function workflowBundle(): WorkerOptions['workflowBundle'] {
  return { codePath: inject('workflowBundlePath') };
}

export function tempDir(prefix: string): string {
  return mkdtempSync(join(tmpdir(), `plan33-${prefix}-`));
}

/** The test workers' signed links: unsubscribe headers and survey links, as `npm start` has them. */
export const TEST_LINKS: UnsubscribeConfig = { baseUrl: 'http://127.0.0.1:8080', secret: 'test-links-secret-0123456789abcdef' };

/**
 * The tests' encryption key (lib/codec.ts): customer data reaches Temporal encrypted as in
 * production. An environment marked with `encrypted` gets workers from createTestWorker that
 * encrypt and decrypt with it; its client must carry TEST_DATA_CONVERTER too.
 */
export const TEST_DATA_CONVERTER = dataConverterFor([{ id: 'test-1', key: Buffer.alloc(32, 0x33) }])!;
const encryptedConnections = new WeakSet<NativeConnection>();
export function encrypted<E extends { nativeConnection: NativeConnection }>(env: E): E {
  encryptedConnections.add(env.nativeConnection);
  return env;
}

export interface TestWorkerOptions {
  connection: NativeConnection;
  taskQueue: string;
  smtp: SmtpCapture;
  /** The store the worker writes to; default: a new database of its own. */
  stores?: Stores;
  /** Tasks go here instead (a database of the test's own, to list only its tasks). */
  tasks?: TaskSink;
  twilio?: LocalTwilio;
  unsubscribe?: UnsubscribeConfig;
  /** Anything else the activities take (agents, contacts, crm, fulfilment, content, ...). */
  deps?: Partial<ActivityDeps>;
  overrides?: Partial<WorkerOptions>;
  rateLimits?: CreateWorkerOptions['rateLimits'];
}

export async function createTestWorker(opts: TestWorkerOptions) {
  // A store of its own unless shared on purpose (as each worker had its own ledger folder before).
  const stores = opts.stores ?? (await freshStores());
  const mailer = nodemailer.createTransport({ host: '127.0.0.1', port: opts.smtp.port, secure: false, ignoreTLS: true });
  return createPlan33Worker({
    connection: opts.connection,
    taskQueue: opts.taskQueue,
    workflowBundle: workflowBundle(),
    deps: {
      mailer,
      ledger: stores.ledger,
      records: stores.records,
      contacts: stores.contacts,
      leads: stores.leads,
      tasks: opts.tasks ?? stores.tasks,
      sms: opts.twilio ? createSmsClient({ accountSid: TWILIO.accountSid, authToken: TWILIO.authToken, from: TWILIO.from, apiBase: opts.twilio.baseUrl }) : undefined,
      business,
      // Signed links (unsubscribe, the NPS survey) as the API would serve them, unless a test brings its own.
      unsubscribe: opts.unsubscribe ?? TEST_LINKS,
      ...opts.deps,
    },
    rateLimits: opts.rateLimits,
    overrides: { shutdownGraceTime: '1s', ...(encryptedConnections.has(opts.connection) ? { dataConverter: TEST_DATA_CONVERTER } : {}), ...opts.overrides },
  });
}

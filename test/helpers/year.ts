// Shared wiring for the customer-year test files: one time-skipping server per file with real
// SMTP, Twilio-compatible and task sinks, and helpers to step simulated time.
import { afterAll, afterEach, beforeAll, beforeEach, expect } from 'vitest';
import { randomUUID } from 'node:crypto';
import { isGrpcDeadlineError, WorkflowUpdateFailedError, type WorkflowHandle } from '@temporalio/client';
import type { UpdateDefinition } from '@temporalio/common';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { Stores } from '../../stores';
import { testStores } from './database';
import { createTimeSkippingEnv } from '../../dev/temporal-server';
import { startSmtpCapture, type SmtpCapture } from '../../dev/smtp-capture';
import { startLocalTwilio, type LocalTwilio } from '../../dev/twilio-local';
import { customerWorkflowId } from '../../plan/ids';
import * as m from '../../workflows/messages';
import { createTestWorker, encrypted, installTestRuntime, pinClock, TEST_DATA_CONVERTER, TWILIO } from './temporal';

export interface YearRig {
  env: TestWorkflowEnvironment;
  smtp: SmtpCapture;
  twilio: LocalTwilio;
  /** The file's store (tasks, deliveries, records), shared by its workers. */
  stores: Stores;
  tasks: Stores['tasks'];
  worker(taskQueue: string): ReturnType<typeof createTestWorker>;
}

/** Registers before/after hooks for a file; the rig's fields are set once beforeAll ran. */
export function useYearRig(customerIds: string[]): YearRig {
  const rig = {} as YearRig;
  rig.worker = (taskQueue) => createTestWorker({ connection: rig.env.nativeConnection, taskQueue, smtp: rig.smtp, twilio: rig.twilio, stores: rig.stores });
  beforeAll(async () => {
    installTestRuntime();
    rig.smtp = await startSmtpCapture();
    rig.twilio = await startLocalTwilio({ accountSid: TWILIO.accountSid, authToken: TWILIO.authToken });
    rig.stores = await testStores();
    rig.tasks = rig.stores.tasks;
  });
  // A time-skipping server per test, its clock pinned: an activity still running when a test
  // ends (a worker shut down under it) holds the server's clock until it times out, and would
  // stall the next test on a shared server.
  beforeEach(async () => {
    // Customer data encrypted in Temporal, as in production (the worker and client share the test key).
    rig.env = encrypted(await createTimeSkippingEnv({ dataConverter: TEST_DATA_CONVERTER }));
    await pinClock(rig.env);
  });
  afterEach(async () => {
    for (const id of customerIds) await rig.env.client.workflow.getHandle(customerWorkflowId(id)).terminate('test done').catch(() => undefined);
    await rig.env.teardown().catch(() => undefined);
  });
  afterAll(async () => {
    await rig.smtp?.close();
    await rig.twilio?.close();
  });
  return rig;
}

/**
 * Runs an update on the time-skipping server, retried under the same update id (so it applies
 * once) when the server does not answer within 30 s: the Java test server can drop an update
 * that arrives while a workflow task is in flight (temporalio/sdk-java#1903), which a client
 * retry with the same id recovers, as a production client would.
 */
export async function runUpdate<R, A>(env: TestWorkflowEnvironment, handle: WorkflowHandle, def: UpdateDefinition<R, [A]>, arg: A): Promise<R> {
  const updateId = randomUUID();
  for (let attempt = 1; ; attempt++) {
    try {
      return await env.client.withDeadline(Date.now() + 30_000, () => handle.executeUpdate(def, { args: [arg], updateId }));
    } catch (e) {
      if (attempt >= 3 || !isGrpcDeadlineError(e)) throw e;
    }
  }
}

/** The message of a rejected update (the reason travels as the failure's cause). */
export async function rejection(p: Promise<unknown>): Promise<string> {
  const err = await p.then(() => undefined, (e: unknown) => e);
  expect(err).toBeInstanceOf(WorkflowUpdateFailedError);
  return String((err as WorkflowUpdateFailedError).cause?.message);
}

/** Advances simulated time, one due touch at a time, until `predicate` holds for the status. */
export async function until(env: TestWorkflowEnvironment, handle: WorkflowHandle, predicate: (s: m.CustomerStatus) => boolean, maxSteps = 80) {
  for (let step = 0; step < maxSteps; step++) {
    const st = await handle.query(m.statusQuery);
    if (st.state !== 'starting' && predicate(st)) return st;
    if (st.state === 'starting') {
      await new Promise((r) => setTimeout(r, 20));
      continue;
    }
    const now = await env.currentTimeMs();
    await env.sleep(Math.max((st.nextDueAt ? Date.parse(st.nextDueAt) : now + 86_400_000) - now, 0) + 1000);
    for (let i = 0; i < 500 && (await handle.query(m.statusQuery)).touchesDone.length === st.touchesDone.length; i++) await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error('condition not reached');
}

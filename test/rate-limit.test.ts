// Per-channel send rates on a real Temporal server (the dev server enforces task-queue rate
// limits; the time-skipping server does not): welcome emails of customers enrolled together
// leave no faster than SMTP_RATE_PER_SECOND allows, and every one still arrives, once.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { dealClosed } from '../service/enroll';
import { createDevServerEnv } from '../dev/temporal-server';
import { startSmtpCapture, type SmtpCapture } from '../dev/smtp-capture';
import { createTestWorker, installTestRuntime } from './helpers/temporal';
import { customer } from './fixtures/customers';

let env: TestWorkflowEnvironment;
let smtp: SmtpCapture;

beforeAll(async () => {
  installTestRuntime();
  env = await createDevServerEnv();
  smtp = await startSmtpCapture();
});

afterAll(async () => {
  await smtp?.close();
  await env?.teardown();
});

describe('per-channel rate limits (dev server)', () => {
  it('six welcome emails at 1 per second take seconds, not milliseconds, and each arrives exactly once', async () => {
    const taskQueue = 'rate-limited';
    const worker = await createTestWorker({ connection: env.nativeConnection, taskQueue, smtp, rateLimits: { email: 1 } });
    const ids = Array.from({ length: 6 }, (_, i) => `rate-${i}`);
    await worker.runUntil(async () => {
      // Sending hours around the clock: each welcome newsletter is due the moment the deal closes.
      for (const id of ids) {
        await dealClosed(env.client, { customer: customer({ id, email: `${id}@example.com`, timezone: 'UTC', sendingHours: '00:00-24:00' }), deal: { id: `deal-${id}`, closedAt: '2026-11-20' } }, { taskQueue });
      }
      await smtp.waitFor(ids.length, 60_000);
      for (const id of ids) await env.client.workflow.getHandle(`customer-${id}`).terminate('test done');
    });
    const recipients = smtp.messages.flatMap((m) => m.to).sort();
    expect(recipients).toEqual(ids.map((id) => `${id}@example.com`).sort());
    // Five gaps of about a second each (about 5 s; the first send's cold start can eat into the
    // first gap, and CI measured 3.9 s once); without the limit all six leave within about 50 ms.
    const arrivals = smtp.messages.map((m) => m.receivedAt.getTime()).sort((a, b) => a - b);
    expect(arrivals.at(-1)! - arrivals[0]!).toBeGreaterThanOrEqual(3_000);
  });
});

// On the dev server (the real Temporal CLI server, SQLite visibility): the customer's workflow
// is found by a visibility query on the custom search attribute CustomerId.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { dealClosed } from '../service/enroll';
import { createDevServerEnv } from '../dev/temporal-server';
import { startSmtpCapture, type SmtpCapture } from '../dev/smtp-capture';
import { AssignedAgent, CustomerId, NextTouchAt, NextTouchKind, PlanYear, TouchPlan } from '../plan/search-attributes';
import { statusQuery } from '../workflows/messages';
import { createTestWorker, installTestRuntime } from './helpers/temporal';
import { customer } from './fixtures/customers';

let env: TestWorkflowEnvironment;
let smtp: SmtpCapture;

beforeAll(async () => {
  installTestRuntime();
  const started = Date.now();
  env = await createDevServerEnv();
  console.log(`dev server answered after ${Date.now() - started} ms`);
  smtp = await startSmtpCapture();
});

afterAll(async () => {
  await smtp?.close();
  await env?.teardown();
});

async function listUntil(query: string, predicate: (n: number) => boolean, timeoutMs = 20_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const found = [];
    for await (const wf of env.client.workflow.list({ query })) found.push(wf);
    if (predicate(found.length) || Date.now() > deadline) return found;
    await new Promise((r) => setTimeout(r, 200));
  }
}

describe('visibility on the dev server', () => {
  it('finds customer-<id> by CustomerId, with its plan, year, agent and next touch', async () => {
    const taskQueue = 'visibility';
    const worker = await createTestWorker({ connection: env.nativeConnection, taskQueue, smtp });
    await worker.runUntil(async () => {
      // Sending hours that exclude nothing: the first touch fires at once.
      await dealClosed(env.client, { customer: customer({ id: 'cust-vis', sendingHours: '00:00-24:00' }), deal: { id: 'd-vis', closedAt: '2026-11-23' } }, { taskQueue });
      await dealClosed(env.client, { customer: customer({ id: 'cust-other', agent: 'agent-omar' }), deal: { id: 'd-other', closedAt: '2026-11-23' } }, { taskQueue });
      await smtp.waitFor(1);

      const found = await listUntil(`CustomerId = "cust-vis"`, (n) => n === 1);
      expect(found.map((w) => w.workflowId)).toEqual(['customer-cust-vis']);
      const [wf] = found;
      expect(wf!.status.name).toBe('RUNNING');
      expect(wf!.typedSearchAttributes.get(CustomerId)).toBe('cust-vis');
      expect(wf!.typedSearchAttributes.get(TouchPlan)).toBe('client-for-life');
      expect(wf!.typedSearchAttributes.get(PlanYear)).toBe(1);
      expect(wf!.typedSearchAttributes.get(AssignedAgent)).toBe('agent-sara');

      // After touch 1 the workflow upserts TouchesDone = 1 and the next touch's kind and time.
      const advanced = await listUntil(`CustomerId = "cust-vis" AND TouchesDone = 1`, (n) => n === 1);
      expect(advanced).toHaveLength(1);
      const status = await env.client.workflow.getHandle('customer-cust-vis').query(statusQuery);
      expect(advanced[0]!.typedSearchAttributes.get(NextTouchKind)).toBe(status.nextTouches[0]!.kind);
      expect(advanced[0]!.typedSearchAttributes.get(NextTouchAt)?.toISOString()).toBe(new Date(status.nextDueAt!).toISOString());

      const omar = await listUntil(`AssignedAgent = "agent-omar" AND TouchPlan = "client-for-life"`, (n) => n === 1);
      expect(omar.map((w) => w.workflowId)).toEqual(['customer-cust-other']);

      for (const id of ['customer-cust-vis', 'customer-cust-other']) await env.client.workflow.getHandle(id).terminate('test done');
    });
  });
});

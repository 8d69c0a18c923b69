// A small sample of `npm run bench` inside `npm test`: the bench's worker process (the one
// that measures RSS) runs the real plan33 worker against the dev server, waits until the
// enrolled customers sleep, and reports its memory as one JSON line.
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { WorkerProcessJob, WorkerProcessResult } from '../bench/worker-process';
import { dealClosed } from '../client/enroll';
import { createDevServerEnv } from '../lib/temporal-server';
import { customer } from './fixtures/customers';
import { installTestRuntime, workflowBundle } from './helpers/temporal';

let env: TestWorkflowEnvironment;

beforeAll(async () => {
  installTestRuntime();
  env = await createDevServerEnv();
});

afterAll(async () => {
  await env?.teardown();
});

describe('bench sample (dev server)', () => {
  it('the bench worker process plans five customers, sees them asleep and reports its RSS', async () => {
    const taskQueue = 'bench-sample';
    // Sending hours that start three hours from now: every customer sleeps after planning.
    const hour = (new Date().getUTCHours() + 3) % 24;
    const sendingHours = `${String(hour).padStart(2, '0')}:00-${String(hour + 1).padStart(2, '0')}:00`;
    for (let i = 0; i < 5; i++) {
      await dealClosed(env.client, { customer: customer({ id: `sample-${i}`, timezone: 'UTC', sendingHours }), deal: { id: `d-${i}`, closedAt: '2026-11-20' } }, { taskQueue });
    }
    const query = `TaskQueue = '${taskQueue}' AND NextTouchKind = 'newsletter' AND TouchesDone = 0`;
    const job: WorkerProcessJob = { address: env.connection.options.address, taskQueue, kind: 'plan33', bundlePath: (workflowBundle() as { codePath: string }).codePath, maxCachedWorkflows: 10, query, count: 5 };
    const script = fileURLToPath(new URL('../bench/worker-process.ts', import.meta.url));
    const { stdout } = await promisify(execFile)(process.execPath, ['--import', 'tsx', script, JSON.stringify(job)], { timeout: 90_000 });
    const result = JSON.parse(stdout.trim().split('\n').at(-1)!) as WorkerProcessResult;
    expect(result.rssMiB).toBeGreaterThan(result.rssMiBBefore);
    expect(result.secondsToReach).toBeGreaterThan(0);
    expect((await env.client.workflow.count(query)).count).toBe(5);
  }, 120_000);
});

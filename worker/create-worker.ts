// Builds the plan33 worker from its parts; used by `npm start`, the production worker,
// the tests and the bench, so all of them run the same workflows and activities.
import { Worker, type NativeConnection, type WorkerOptions } from '@temporalio/worker';
import { createActivities, type ActivityDeps } from '../activities';
import { buildWorkflowBundle } from './bundle';

export interface CreateWorkerOptions {
  connection: NativeConnection;
  namespace?: string;
  taskQueue: string;
  deps: ActivityDeps;
  /** A prebuilt bundle ({ code } or { codePath }); built here when absent. */
  workflowBundle?: WorkerOptions['workflowBundle'];
  /** Anything else the caller wants to set (tests: shorter shutdown, bench: cache size). */
  overrides?: Partial<WorkerOptions>;
}

export async function createPlan33Worker(opts: CreateWorkerOptions): Promise<Worker> {
  return Worker.create({
    connection: opts.connection,
    namespace: opts.namespace ?? 'default',
    taskQueue: opts.taskQueue,
    workflowBundle: opts.workflowBundle ?? (await buildWorkflowBundle()),
    activities: createActivities(opts.deps),
    ...opts.overrides,
  });
}

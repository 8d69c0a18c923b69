// Builds the plan33 worker from its parts; used by `npm start`, the production worker,
// the tests and the bench, so all of them run the same workflows and activities.
//
// One plan33 worker is three SDK workers on one connection: the main task queue (workflows,
// postal items, call tasks, plan loading) and one task queue per rate-limited channel
// (`<queue>-email`, `<queue>-sms`), whose send rate Temporal enforces across every worker
// polling it (`maxTaskQueueActivitiesPerSecond`). They start, run and stop together.
import { Worker, type NativeConnection, type State, type WorkerOptions } from '@temporalio/worker';
import { createActivities, type ActivityDeps } from '../activities';
import { RATE_LIMITED_CHANNELS, channelTaskQueue, type RateLimitedChannel } from '../plan/ids';
import { buildWorkflowBundle } from './bundle';

export interface CreateWorkerOptions {
  connection: NativeConnection;
  namespace?: string;
  taskQueue: string;
  deps: ActivityDeps;
  /** A prebuilt bundle ({ code } or { codePath }); built here when absent. */
  workflowBundle?: WorkerOptions['workflowBundle'];
  /** Customers kept in memory between touches (WORKER_MAX_CACHED_WORKFLOWS); unset: the SDK's default. */
  maxCachedWorkflows?: number;
  /** Sends per second per channel, across all workers (SMTP_RATE_PER_SECOND, SMS_RATE_PER_SECOND); 0 or unset: no limit. */
  rateLimits?: Partial<Record<RateLimitedChannel, number>>;
  /** Anything else the caller wants to set (tests: shorter shutdown, bench: cache size). */
  overrides?: Partial<WorkerOptions>;
}

/** The main worker and the channel workers, run and stopped as one. */
export class Plan33Worker {
  constructor(
    readonly main: Worker,
    readonly channels: Record<RateLimitedChannel, Worker>,
  ) {}

  private get all(): Worker[] {
    return [this.main, ...Object.values(this.channels)];
  }

  /** Runs until shut down (SIGINT/SIGTERM or `shutdown()`); if one worker fails, all stop. */
  async run(): Promise<void> {
    const runs = this.all.map((w) => w.run());
    try {
      await Promise.all(runs);
    } catch (err) {
      this.shutdown();
      await Promise.allSettled(runs);
      throw err;
    }
  }

  /** Runs while `fnOrPromise` is pending, then shuts down and returns its result. */
  async runUntil<R>(fnOrPromise: Promise<R> | (() => Promise<R>)): Promise<R> {
    const work = async () => {
      try {
        return await (typeof fnOrPromise === 'function' ? fnOrPromise() : fnOrPromise);
      } finally {
        this.shutdown();
      }
    };
    const [, result] = await Promise.all([this.run(), work()]);
    return result;
  }

  shutdown(): void {
    for (const w of this.all) if (w.getState() === 'RUNNING') w.shutdown();
  }

  /** The main worker's state (the channel workers follow it). */
  getState(): State {
    return this.main.getState();
  }
}

export async function createPlan33Worker(opts: CreateWorkerOptions): Promise<Plan33Worker> {
  const activities = createActivities(opts.deps);
  const common = { connection: opts.connection, namespace: opts.namespace ?? 'default' };
  const main = await Worker.create({
    ...common,
    taskQueue: opts.taskQueue,
    workflowBundle: opts.workflowBundle ?? (await buildWorkflowBundle()),
    activities,
    ...(opts.maxCachedWorkflows !== undefined ? { maxCachedWorkflows: opts.maxCachedWorkflows } : {}),
    ...opts.overrides,
  });
  // The channel workers run activities only: workflow settings stay with the main worker.
  const activityOverrides: Partial<WorkerOptions> = { ...opts.overrides };
  for (const key of ['workflowBundle', 'workflowsPath', 'maxCachedWorkflows', 'debugMode'] as const) delete activityOverrides[key];
  const channel = async (name: RateLimitedChannel) => {
    const rate = opts.rateLimits?.[name];
    return Worker.create({
      ...common,
      taskQueue: channelTaskQueue(opts.taskQueue, name),
      activities: { deliverTouch: activities.deliverTouch },
      ...(rate ? { maxTaskQueueActivitiesPerSecond: rate } : {}),
      ...activityOverrides,
    });
  };
  const [email, sms] = await Promise.all(RATE_LIMITED_CHANNELS.map(channel));
  return new Plan33Worker(main, { email: email!, sms: sms! });
}

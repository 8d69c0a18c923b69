// The daily segment refresh's Temporal Schedule: `plan33-segments` starts `segmentRefresh`
// (workflows/segments.ts) every day at 02:00 UTC, one run at a time. The worker and `npm start`
// make sure it exists at start-up (idempotent: created once, brought up to date after that,
// its paused state and note kept); `refreshSegmentsNow` runs it at once.
import { ScheduleAlreadyRunning, ScheduleOverlapPolicy, type Client, type ScheduleOptions, type ScheduleSpec } from '@temporalio/client';
import type { SegmentRefreshCounts } from '../workflows/segments';

export const SEGMENT_SCHEDULE_ID = 'plan33-segments';
/** Every day at 02:00 UTC. */
export const SEGMENT_SCHEDULE_SPEC: ScheduleSpec = { calendars: [{ hour: 2, minute: 0, comment: 'daily at 02:00 UTC' }] };

export interface SegmentScheduleOptions {
  taskQueue: string;
  /** How long the calls to Temporal may take in all (default 10 s), so start-up never hangs on it. */
  timeoutMs?: number;
}

function definition(taskQueue: string): Omit<ScheduleOptions, 'scheduleId'> {
  return {
    spec: SEGMENT_SCHEDULE_SPEC,
    // Runs are `plan33-segments-<time>`; a run's input is empty: it computes as of its own day.
    action: { type: 'startWorkflow', workflowType: 'segmentRefresh', workflowId: SEGMENT_SCHEDULE_ID, taskQueue, args: [] },
    // One run at a time; a day missed while Temporal was down is made up once when it is back.
    policies: { overlap: ScheduleOverlapPolicy.SKIP, catchupWindow: '1 day' },
  };
}

/** Creates the schedule, or updates an existing one to this definition. */
export async function ensureSegmentSchedule(client: Client, opts: SegmentScheduleOptions): Promise<'created' | 'updated'> {
  const wanted = definition(opts.taskQueue);
  return client.withDeadline(Date.now() + (opts.timeoutMs ?? 10_000), async () => {
    try {
      await client.schedule.create({ scheduleId: SEGMENT_SCHEDULE_ID, ...wanted });
      return 'created';
    } catch (err) {
      if (!(err instanceof ScheduleAlreadyRunning)) throw err;
    }
    await client.schedule.getHandle(SEGMENT_SCHEDULE_ID).update((previous) => ({ ...previous, ...wanted }));
    return 'updated';
  });
}

export interface SegmentRefreshRun {
  workflowId: string;
  runId: string;
  /** True when a refresh was already running: that one is returned, no second one started. */
  alreadyRunning: boolean;
  /** With `wait`: what the run did. */
  counts?: SegmentRefreshCounts;
}

/**
 * Runs the refresh now through the schedule (ensureSegmentSchedule first): the run it started,
 * or the one already running. `wait`: also waits for it to finish and returns its counts.
 */
export async function refreshSegmentsNow(client: Client, opts: { wait?: boolean; timeoutMs?: number } = {}): Promise<SegmentRefreshRun> {
  const handle = client.schedule.getHandle(SEGMENT_SCHEDULE_ID);
  const before = await handle.describe();
  let run: Omit<SegmentRefreshRun, 'counts'> | undefined;
  const running = before.info.runningActions.at(-1);
  if (running) run = { workflowId: running.workflow.workflowId, runId: running.workflow.firstExecutionRunId, alreadyRunning: true };
  else {
    await handle.trigger(ScheduleOverlapPolicy.SKIP);
    // The schedule takes the action asynchronously: wait for it to show.
    const deadline = Date.now() + (opts.timeoutMs ?? 10_000);
    while (!run) {
      const now = await handle.describe();
      if (now.info.numActionsTaken > before.info.numActionsTaken) {
        const taken = now.info.runningActions.at(-1) ?? now.info.recentActions.at(-1)?.action;
        if (taken) run = { workflowId: taken.workflow.workflowId, runId: taken.workflow.firstExecutionRunId, alreadyRunning: false };
      }
      if (!run && Date.now() > deadline) throw new Error(`the schedule ${SEGMENT_SCHEDULE_ID} took no action within ${opts.timeoutMs ?? 10_000} ms`);
      if (!run) await new Promise((r) => setTimeout(r, 100));
    }
  }
  if (!opts.wait) return run;
  // result() follows continue-as-new to the last run.
  const counts = (await client.workflow.getHandle(run.workflowId, undefined, { firstExecutionRunId: run.runId }).result()) as SegmentRefreshCounts;
  return { ...run, counts };
}

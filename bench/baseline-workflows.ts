// Raw Temporal baselines for `npm run bench`: what the same server does for a workflow that
// does nothing, and for the bare minimum of a customer-year (33 timers, each into an activity).
import { proxyActivities, sleep } from '@temporalio/workflow';

const { noopActivity } = proxyActivities<{ noopActivity(n: number): Promise<number> }>({ startToCloseTimeout: '1 minute' });

export async function noopWorkflow(): Promise<void> {}

/** `touches` timers, each followed by one activity: the least a 33-touch year can cost. */
export async function timerActivityLoop(touches: number, gapMs: number): Promise<number> {
  let sum = 0;
  for (let i = 0; i < touches; i++) {
    await sleep(gapMs);
    sum += await noopActivity(i);
  }
  return sum;
}

/** `touches` activities one after another, no timer: a year whose touches are all due already. */
export async function activityLoop(touches: number): Promise<number> {
  let sum = 0;
  for (let i = 0; i < touches; i++) sum += await noopActivity(i);
  return sum;
}

// One customer's year, told in order: plan the touches, sleep until each, run it, record the
// outcome. Handlers only record; the main loop acts. Deterministic: time is workflow time.
import {
  ActivityFailure,
  ApplicationFailure,
  log,
  proxyActivities,
  setHandler,
  sleep,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import type { createActivities } from '../activities';
import { customerSchema, describeIssues, type Customer, type Deal } from '../plan/customer';
import { touchKey } from '../plan/ids';
import { NextTouchAt, NextTouchKind, PlanYear, TouchesDone, TouchPlan, AssignedAgent, CustomerId } from '../plan/search-attributes';
import type { SendingHours } from '../plan/sending-hours';
import { touchSummary, type DoneTouch, type PlanName, type Touch, type TouchResult } from '../plan/touch';
import { planYear } from '../plan/year';
import { dealClosedSignal, statusQuery, type CustomerStatus } from './messages';

/** Versioned input: a year started under version N keeps running under version N. */
export interface CustomerYearInput {
  v: 1;
  customerId: string;
  plan: PlanName;
  planVersion: number;
  /** 1 for the first year after the deal, 2 for the next, ... */
  planYear: number;
  /** Carried into the next year; empty on the first start (the dealClosed signal brings it). */
  customer?: Customer;
  deals?: Deal[];
  sendingHours?: SendingHours;
}

const { sendTouchEmail } = proxyActivities<ReturnType<typeof createActivities>>({
  startToCloseTimeout: '1 minute',
  retry: { initialInterval: '5 seconds', backoffCoefficient: 2, maximumInterval: '10 minutes' },
});

/** Runs one touch; a permanent failure is recorded as `failed`, never fails the year. */
async function runTouch(touch: Touch, customer: Customer, key: string): Promise<TouchResult> {
  if (touch.channel !== 'email') return { outcome: 'skipped', reason: 'no allowed channel for this touch' };
  try {
    return await sendTouchEmail.executeWithOptions({ summary: touchSummary(touch) }, [{ key, customer, touch }]);
  } catch (err) {
    if (err instanceof ActivityFailure && err.cause instanceof ApplicationFailure) {
      log.warn('touch failed for good', { seq: touch.seq, type: err.cause.type });
      return { outcome: 'failed', reason: err.cause.message };
    }
    throw err;
  }
}

export async function customerYear(input: CustomerYearInput): Promise<CustomerStatus> {
  const info = workflowInfo();
  const yearStartedAt = new Date(Date.now()).toISOString();
  let customer: Customer | undefined = input.customer;
  const deals: Deal[] = [...(input.deals ?? [])];
  const done: DoneTouch[] = [];
  let touches: Touch[] = [];

  setHandler(dealClosedSignal, ({ customer: raw, deal }) => {
    const parsed = customerSchema.safeParse(raw);
    if (!parsed.success) {
      // A signal cannot be refused; the client validates first, so this only logs.
      log.warn('dealClosed ignored: bad customer', { problems: describeIssues(parsed.error, 'customer') });
      return;
    }
    if (parsed.data.id !== input.customerId) {
      log.warn('dealClosed ignored: customer id does not match this workflow', { got: parsed.data.id });
      return;
    }
    customer = parsed.data;
    if (!deals.some((d) => d.id === deal.id)) deals.push(deal);
  });

  const status = (): CustomerStatus => ({
    customerId: input.customerId,
    plan: input.plan,
    planVersion: input.planVersion,
    planYear: input.planYear,
    yearStartedAt,
    deals,
    touchesDone: done,
    nextTouches: touches.filter((t) => !done.some((d) => d.seq === t.seq)),
  });
  setHandler(statusQuery, status);

  // The first start comes with the dealClosed signal (signal-with-start): it is delivered
  // before the first line here runs, so the customer is known. Guard anyway.
  if (!customer) {
    throw ApplicationFailure.nonRetryable(`customer ${input.customerId} started without a profile`, 'MissingProfile');
  }

  touches = planYear(customer, Date.now(), { sendingHours: input.sendingHours });
  const publish = (next: Touch | undefined) =>
    upsertSearchAttributes([
      { key: CustomerId, value: input.customerId },
      { key: TouchPlan, value: input.plan },
      { key: PlanYear, value: input.planYear },
      { key: AssignedAgent, value: customer!.agent },
      { key: TouchesDone, value: done.length },
      { key: NextTouchAt, value: next ? new Date(next.at) : null },
      { key: NextTouchKind, value: next ? next.kind : null },
    ]);

  for (const touch of touches) {
    publish(touch);
    const wait = Date.parse(touch.at) - Date.now();
    if (wait > 0) await sleep(wait, { summary: `Until ${touchSummary(touch)}` });
    const result = await runTouch(touch, customer, touchKey(info.workflowId, input.planYear, touch.seq));
    done.push({ ...touch, ...result, doneAt: new Date(Date.now()).toISOString() });
  }
  publish(undefined);
  return status();
}

// Starting a customer's year: the one place the client starts workflows. Idempotent: the first
// call starts `customer-<id>` with the deal in its input, a repeat only signals the deal to it.
import { WorkflowExecutionAlreadyStartedError, type Client } from '@temporalio/client';
import { customerSchema, dealSchema, describeIssues, type CustomerInput, type Deal } from '../plan/customer';
import { customerWorkflowId, leadWorkflowId } from '../plan/ids';
import { leadDealSignal } from '../workflows/lead-messages';
import { leadRun } from './leads';
import { AssignedAgent, CustomerId, CustomerSegment, PlanYear, TouchPlan } from '../plan/search-attributes';
import { dealClosedSignal } from '../workflows/messages';
import type { CustomerYearInput } from '../workflows/customer-year';
import type { SendingHours } from '../plan/sending-hours';
import { PlanEndedError, ValidationError } from './errors';
import { inHoldout } from '../plan/holdout';

export { PlanEndedError, ValidationError } from './errors';

export interface DealClosedInput {
  customer: CustomerInput;
  deal: Deal;
}

export interface EnrollOptions {
  taskQueue: string;
  sendingHours?: SendingHours;
  /** HOLDOUT_PERCENT: this share of new customers (stable hash of the id) gets only the transactional minimum. */
  holdoutPercent?: number;
}

export async function dealClosed(client: Client, input: DealClosedInput, opts: EnrollOptions) {
  const customer = customerSchema.safeParse(input?.customer);
  const deal = dealSchema.safeParse(input?.deal);
  const problems = [
    ...(customer.success ? [] : describeIssues(customer.error, 'customer')),
    ...(deal.success ? [] : describeIssues(deal.error, 'deal')),
  ];
  if (!customer.success || !deal.success) throw new ValidationError(problems);
  const workflowId = customerWorkflowId(customer.data.id);
  // A lead on its road (`lead-<id>`): the deal is a hand-over; the lead's workflow starts the
  // customer's year itself, carrying what was sent so nothing is repeated within 30 days.
  const lead = await leadRun(client, customer.data.id);
  if (lead) {
    const handle = client.workflow.getHandle(leadWorkflowId(customer.data.id));
    // On the 8x8 the lead's workflow hands over; on the general 33 the year does.
    if (lead === 'leadJourney') await handle.signal(leadDealSignal, { deal: deal.data, customer: customer.data });
    else await handle.signal(dealClosedSignal, { customer: customer.data, deal: deal.data });
    return { workflowId, handedOverFrom: leadWorkflowId(customer.data.id) };
  }
  const start: CustomerYearInput = {
    v: 1,
    customerId: customer.data.id,
    plan: 'client-for-life',
    planYear: 1,
    ...(customer.data.segment ? { segment: customer.data.segment } : {}),
    ...(opts.sendingHours ? { sendingHours: opts.sendingHours } : {}),
    // Chosen once, at the deal: a lead's road (above) was already worked, so it is never held out.
    ...(inHoldout(customer.data.id, opts.holdoutPercent ?? 0) ? { holdout: true } : {}),
  };
  const options = {
    workflowId,
    // A plan that ended because the customer was lost (completed) is not restarted by a
    // repeated deal; a terminated or failed one may be.
    workflowIdReusePolicy: 'ALLOW_DUPLICATE_FAILED_ONLY' as const,
    taskQueue: opts.taskQueue,
    typedSearchAttributes: [
      { key: CustomerId, value: customer.data.id },
      { key: TouchPlan, value: start.plan },
      { key: PlanYear, value: start.planYear },
      { key: AssignedAgent, value: customer.data.agent },
      // The business's own segment; the workflow adds ValueClass when the daily refresh computes it.
      ...(customer.data.segment ? [{ key: CustomerSegment, value: customer.data.segment }] : []),
    ],
    staticSummary: `Customer ${customer.data.id}: client-for-life year 1 (agent ${customer.data.agent})`,
  };
  type Started = { workflowId: string; runId?: string; handedOverFrom?: string };
  // A new customer: the year starts with the deal in its input, one start (a signal-with-start
  // costs the server a signal more: 0.78 of a bare start's rate against 0.9, issue 18).
  try {
    const handle = await client.workflow.start('customerYear', { ...options, args: [{ ...start, customer: customer.data, deals: [deal.data] }] });
    return { workflowId, runId: handle.firstExecutionRunId } as Started;
  } catch (err) {
    if (!(err instanceof WorkflowExecutionAlreadyStartedError)) throw err;
  }
  // The year runs already (a repeated deal, or another of the same customer's): it hears of the
  // deal as a signal; one that ended because the customer was lost stays ended.
  let handle;
  try {
    handle = await client.workflow.signalWithStart('customerYear', { ...options, args: [start], signal: dealClosedSignal, signalArgs: [{ customer: customer.data, deal: deal.data }] });
  } catch (err) {
    if (err instanceof WorkflowExecutionAlreadyStartedError) throw new PlanEndedError(`customer ${customer.data.id}: the plan ended (customer lost); nothing was changed`);
    throw err;
  }
  return { workflowId, runId: handle.signaledRunId } as Started;
}

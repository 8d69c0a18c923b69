// What other apps, the HTTP API and the CLI do to a running customer workflow, in one place:
// each function validates its input first (ValidationError names every bad field, nothing is
// sent), then signals, updates or queries `customer-<id>`; an unknown customer is NotFoundError.
// What people read across customers (an agent's open tasks) comes from plan33's store.
import { WorkflowNotFoundError, WorkflowUpdateFailedError, type Client } from '@temporalio/client';
import { describeIssues } from '../plan/customer';
import { customerWorkflowId, leadOfTask, parseTouchKey } from '../plan/ids';
import type { LeadOutcomeResult } from '../workflows/lead-messages';
import { reportLeadOutcome } from './leads';
import type { Db } from '../stores';
import { openCallTasks as queryOpenCallTasks, type OpenCallTask } from '../stores/reports';
import * as m from '../workflows/messages';
import { NotFoundError, ValidationError } from './errors';
import { queryOrUnstarted, unstartedYear, type UnstartedYearStatus } from './unstarted-status';

export { NotFoundError } from './errors';
import { z } from 'zod';


function parse<T>(schema: z.ZodType<T>, input: unknown, prefix = ''): T {
  const parsed = schema.safeParse(input);
  if (!parsed.success) throw new ValidationError(describeIssues(parsed.error, prefix));
  return parsed.data;
}

async function withWorkflow<T>(customerId: string, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    if (err instanceof WorkflowNotFoundError || (err as { code?: number }).code === 5) throw new NotFoundError(`no running plan for customer ${customerId}`);
    throw err;
  }
}

/** Agent ids go into visibility queries: only characters that need no quoting. */
export const agentIdSchema = z.string().regex(/^[^'"\\\u0000-\u001f]{1,64}$/, 'expected an agent id: 1-64 characters, no quotes or backslashes');

const customerId = z.string().regex(/^[A-Za-z0-9._-]{1,64}$/, 'expected 1-64 characters of A-Za-z0-9._-');

/**
 * What happened to a customer (GET /v1/customers/:id, `plan33 status`): the year as its status
 * query tells it, or, when none of its workflow tasks has run (closed before its first, or
 * waiting for a worker), as Temporal describes the run (service/unstarted-status.ts).
 */
export async function customerStatus(client: Client, id: string, opts: { queryDeadlineMs?: number } = {}): Promise<m.CustomerStatus | UnstartedYearStatus> {
  parse(customerId, id, 'id');
  const handle = client.workflow.getHandle(customerWorkflowId(id));
  return withWorkflow(id, () => queryOrUnstarted(client, () => handle.query(m.statusQuery), () => unstartedYear(client, id, handle), opts.queryDeadlineMs));
}

/** The year as its status query tells it; a year that never ran a workflow task is NotFoundError (nothing to show or change). */
export async function getStatus(client: Client, id: string): Promise<m.CustomerStatus> {
  const status = await customerStatus(client, id);
  if ('workflow' in status) throw new NotFoundError(`customer ${id}: ${status.note}`);
  return status;
}

/** A referral arrived (`referralId`) or the customer pledged one (`pledged: true`). */
export async function recordReferral(client: Client, id: string, input: unknown): Promise<{ customerId: string; kind: 'referral' | 'pledge' }> {
  parse(customerId, id, 'id');
  const body = parse(z.union([m.referralSchema, m.pledgeSchema.extend({ pledged: z.literal(true) })]), input);
  const handle = client.workflow.getHandle(customerWorkflowId(id));
  if ('referralId' in body) {
    await withWorkflow(id, () => handle.signal(m.referralReceivedSignal, body));
    return { customerId: id, kind: 'referral' };
  }
  await withWorkflow(id, () => handle.signal(m.referralPledgedSignal, { note: body.note }));
  return { customerId: id, kind: 'pledge' };
}

export async function changeConsent(client: Client, id: string, input: unknown, direction: 'opt-out' | 'opt-in'): Promise<m.ConsentChange> {
  parse(customerId, id, 'id');
  const change = parse(m.consentChangeSchema, input);
  await withWorkflow(id, () => client.workflow.getHandle(customerWorkflowId(id)).signal(direction === 'opt-out' ? m.optOutSignal : m.optInSignal, change));
  return change;
}

/** An agent finished a call: the workflow checks the task and answers with what happens next. */
export async function completeCall(client: Client, taskId: string, input: unknown): Promise<m.CallCompletionResult | LeadOutcomeResult> {
  // A lead's task (first contact, reply, contact later, an 8x8 call): the lead's outcomes.
  const leadId = leadOfTask(taskId);
  if (leadId) return reportLeadOutcome(client, leadId, { ...(input as object), taskId });
  const key = parseTouchKey(taskId);
  if (!key) throw new ValidationError([`taskId: ${taskId} is not a call task id (customer-<id>.y<year>.t<seq>)`]);
  const completion = parse(m.callCompletionSchema, { ...(input as object), taskId });
  try {
    // An update waits for a worker: without one, give up after 30 s rather than hang.
    return await withWorkflow(key.customerId, () =>
      client.connection.withDeadline(Date.now() + 30_000, () => client.workflow.getHandle(key.workflowId).executeUpdate(m.completeCallUpdate, { args: [completion] })),
    );
  } catch (err) {
    // The workflow's validator refused it (unknown task, already completed, date out of the year).
    if (err instanceof WorkflowUpdateFailedError) throw new ValidationError([(err.cause as Error | undefined)?.message ?? err.message]);
    throw err;
  }
}

export async function customerReplied(client: Client, id: string, input: unknown): Promise<void> {
  const reply = parse(m.customerReplySchema, input);
  await withWorkflow(id, () => client.workflow.getHandle(customerWorkflowId(id)).signal(m.customerRepliedSignal, reply));
}

export async function fulfilmentUpdate(client: Client, input: unknown): Promise<m.FulfilmentUpdate> {
  const update = parse(m.fulfilmentUpdateSchema, input);
  const key = parseTouchKey(update.taskId);
  if (!key) throw new ValidationError([`taskId: ${update.taskId} is not a plan33 item id`]);
  await withWorkflow(key.customerId, () => client.workflow.getHandle(key.workflowId).signal(m.fulfilmentUpdateSignal, update));
  return update;
}

export type { OpenCallTask } from '../stores/reports';

/** Open call tasks of an agent (their own customers' and those they cover), oldest first: one SQL query. */
export async function openCallTasks(db: Db, agent: string): Promise<OpenCallTask[]> {
  parse(agentIdSchema, agent, 'agent');
  return queryOpenCallTasks(db, agent);
}

const pauseSchema = z.object({ reason: z.string().trim().max(200).optional() }).strict();

/** Holds every touch until `resume` (touches that fall due meanwhile are skipped on resume). */
export async function pause(client: Client, id: string, input: unknown = {}): Promise<void> {
  parse(customerId, id, 'id');
  const { reason } = parse(pauseSchema, input ?? {});
  await withWorkflow(id, () => client.workflow.getHandle(customerWorkflowId(id)).signal(m.pauseSignal, { reason }));
}

export async function resume(client: Client, id: string): Promise<void> {
  parse(customerId, id, 'id');
  await withWorkflow(id, () => client.workflow.getHandle(customerWorkflowId(id)).signal(m.resumeSignal));
}

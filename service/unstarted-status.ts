// A person's status when their workflow's status query cannot answer, because no workflow task
// of the run has ever completed: the run closed before its first task (terminated or timed out
// the moment it started, e.g. forgotten right after the deal) or it has not started yet (no
// worker has taken its first task). The query then fails (FAILED_PRECONDITION "Workflow
// execution closed before WorkflowTaskStarted event", or waits for a worker until its deadline);
// what happened is still known: Temporal's description of the run (its status, times and search
// attributes) and what was stored in its history (the input the run was started with: the
// customer and the deal). Nothing ran, so no touch was done.
import { WorkflowNotFoundError, type Client, type WorkflowHandle } from '@temporalio/client';
import type { Payload } from '@temporalio/common';
import type { Customer, Deal } from '../plan/customer';
import { AssignedAgent, PlanYear, TouchPlan } from '../plan/search-attributes';

/** How long a status query may wait for a worker before the run is looked at instead. */
export const STATUS_QUERY_DEADLINE_MS = 25_000;

/** What Temporal says of the run. */
export interface RunInfo {
  workflowId: string;
  runId: string;
  /** RUNNING (its first task has not run), TERMINATED, TIMED_OUT, CANCELLED, FAILED, COMPLETED, CONTINUED_AS_NEW. */
  status: string;
  startedAt: string;
  closedAt?: string;
}

/** The status of a customer's year whose first workflow task never completed. */
export interface UnstartedYearStatus {
  customerId: string;
  /** `not-started`: running, waiting for a worker to take its first task; `ended`: closed before it. */
  state: 'not-started' | 'ended';
  /** What the run was started with (a deal's customer), when it was. */
  customer?: Customer;
  plan: string;
  planYear?: number;
  agent?: string;
  deals: Deal[];
  referrals: 0;
  calls: [];
  touchesDone: [];
  nextTouches: [];
  workflow: RunInfo;
  note: string;
}

/** The status of a lead's workflow whose first workflow task never completed. */
export interface UnstartedLeadStatus {
  leadId: string;
  /** The stage a lead is captured at: nothing ran to move it on. */
  stage: 'new';
  plan: string;
  state: 'not-started' | 'ended';
  touchesDone: [];
  nextTouches: [];
  workflow: RunInfo;
  note: string;
}

type Failure = Error & { code?: number; cause?: { code?: number } };
const grpcCode = (err: unknown) => (err as Failure).code ?? (err as Failure).cause?.code;

/**
 * Whether a failed status query may mean that no workflow task ever completed: FAILED_PRECONDITION
 * (the run closed before its first task) or DEADLINE_EXCEEDED (no worker answered in time).
 */
export const mayBeUnstarted = (err: unknown): boolean => (err as Error)?.name === 'ServiceError' && (grpcCode(err) === 9 || grpcCode(err) === 4);

/** The first payload through the client's codecs (the encryption codec, last applied first) and payload converter. */
async function firstArgument(client: Client, payloads: Payload[]): Promise<unknown> {
  const { payloadCodecs, payloadConverter } = client.workflow.options.loadedDataConverter;
  let decoded = payloads.slice(0, 1);
  for (const codec of [...payloadCodecs].reverse()) decoded = await codec.decode(decoded);
  return payloadConverter.fromPayload(decoded[0]!);
}

const iso = (d: Date | undefined) => (d ? d.toISOString() : undefined);

/**
 * The run as Temporal describes it and the input stored in its history, when none of its workflow
 * tasks has completed; undefined when one has (the query failed for another reason: the caller
 * rethrows). WorkflowNotFoundError passes through.
 */
async function unstarted(client: Client, handle: WorkflowHandle): Promise<{ run: RunInfo; type: string; input: Record<string, unknown> | undefined; attributes: { plan?: string; planYear?: number; agent?: string } } | undefined> {
  const d = await handle.describe();
  const history = await handle.fetchHistory();
  const events = history.events ?? [];
  // A completed workflow task is the run's first step: from there the query answers (or a worker is slow).
  if (events.some((e) => e.workflowTaskCompletedEventAttributes)) return undefined;
  const started = events[0]?.workflowExecutionStartedEventAttributes;
  const input = started?.input?.payloads?.length ? await firstArgument(client, started.input.payloads as Payload[]) : undefined;
  const plan = d.typedSearchAttributes.get(TouchPlan);
  const planYear = d.typedSearchAttributes.get(PlanYear);
  const agent = d.typedSearchAttributes.get(AssignedAgent);
  return {
    run: { workflowId: d.workflowId, runId: d.runId, status: d.status.name, startedAt: iso(d.startTime)!, ...(d.closeTime ? { closedAt: iso(d.closeTime) } : {}) },
    type: d.type,
    input: input && typeof input === 'object' ? (input as Record<string, unknown>) : undefined,
    attributes: { ...(plan !== undefined ? { plan } : {}), ...(planYear !== undefined ? { planYear } : {}), ...(agent !== undefined ? { agent } : {}) },
  };
}

const noteOf = (run: RunInfo) =>
  run.status === 'RUNNING'
    ? 'the plan has not started yet: no worker has taken its first step (is a worker running on its task queue?)'
    : `the plan ended (${run.status.toLowerCase().replace(/_/g, ' ')}) before its first step: nothing was sent`;

/** A customer's year that never ran a workflow task, or undefined when it did. */
export async function unstartedYear(client: Client, customerId: string, handle: WorkflowHandle): Promise<UnstartedYearStatus | undefined> {
  const found = await unstarted(client, handle);
  if (!found) return undefined;
  const { run, input, attributes } = found;
  const customer = input?.customer as Customer | undefined;
  return {
    customerId,
    state: run.status === 'RUNNING' ? 'not-started' : 'ended',
    ...(customer ? { customer } : {}),
    plan: (input?.plan as string | undefined) ?? attributes.plan ?? 'client-for-life',
    ...(typeof (input?.planYear ?? attributes.planYear) === 'number' ? { planYear: (input?.planYear ?? attributes.planYear) as number } : {}),
    ...((customer?.agent ?? attributes.agent) ? { agent: customer?.agent ?? attributes.agent } : {}),
    deals: Array.isArray(input?.deals) ? (input.deals as Deal[]) : [],
    referrals: 0,
    calls: [],
    touchesDone: [],
    nextTouches: [],
    workflow: run,
    note: noteOf(run),
  };
}

/** A lead's workflow that never ran a workflow task, or undefined when it did. */
export async function unstartedLead(client: Client, leadId: string, handle: WorkflowHandle): Promise<UnstartedLeadStatus | undefined> {
  const found = await unstarted(client, handle);
  if (!found) return undefined;
  const { run, type } = found;
  return { leadId, stage: 'new', plan: type === 'customerYear' ? 'general-33' : '8x8', state: run.status === 'RUNNING' ? 'not-started' : 'ended', touchesDone: [], nextTouches: [], workflow: run, note: noteOf(run) };
}

/**
 * Runs a status query with a deadline; when it fails because no workflow task of the run ever
 * completed, answers `fallback`'s status of the run instead. Anything else is rethrown as it came.
 */
export async function queryOrUnstarted<T, U>(client: Client, query: () => Promise<T>, fallback: () => Promise<U | undefined>, deadlineMs = STATUS_QUERY_DEADLINE_MS): Promise<T | U> {
  try {
    return await client.connection.withDeadline(Date.now() + deadlineMs, query);
  } catch (err) {
    if (!mayBeUnstarted(err)) throw err;
    let status: U | undefined;
    try {
      status = await fallback();
    } catch (lookErr) {
      if (lookErr instanceof WorkflowNotFoundError) throw lookErr;
      throw err;
    }
    if (status === undefined) throw err;
    return status;
  }
}

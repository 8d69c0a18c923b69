// What the web app's timeline does to a person's year that operations.ts does not say yet:
// skip a touch and move a touch (the workflow's skipTouch and rescheduleTouch updates, the
// new time given in the person's local time and turned into an ISO instant with their offset),
// and the operator actions on a contact of the general 33 (whose year runs as `lead-<id>`, not
// `customer-<id>`). Each function validates first (ValidationError names the field, nothing is
// sent), then sends one signal or update: nothing half-applies.
import { WorkflowNotFoundError, WorkflowUpdateFailedError, type Client } from '@temporalio/client';
import { DateTime } from 'luxon';
import { z } from 'zod';
import { describeIssues } from '../plan/customer';
import { customerWorkflowId, leadWorkflowId } from '../plan/ids';
import type { Touch } from '../plan/touch';
import * as m from '../workflows/messages';
import { NotFoundError, ValidationError } from './errors';
import { leadRun } from './leads';

const personId = z.string().regex(/^[A-Za-z0-9._-]{1,64}$/, 'expected 1-64 characters of A-Za-z0-9._-');

function parse<T>(schema: z.ZodType<T>, input: unknown, prefix = ''): T {
  const parsed = schema.safeParse(input);
  if (!parsed.success) throw new ValidationError(describeIssues(parsed.error, prefix));
  return parsed.data;
}

/** Where a person's year runs: `customer-<id>` (a customer) or `lead-<id>` (a contact on the general 33). */
export interface YearRef {
  personId: string;
  workflowId: string;
  contact: boolean;
}

/** The person's year: a customer's workflow (running or closed), else a contact's general 33; undefined when neither. */
export async function yearOf(client: Client, id: string): Promise<YearRef | undefined> {
  parse(personId, id, 'id');
  try {
    await client.workflow.getHandle(customerWorkflowId(id)).describe();
    return { personId: id, workflowId: customerWorkflowId(id), contact: false };
  } catch (err) {
    if (!(err instanceof WorkflowNotFoundError || (err as { code?: number }).code === 5)) throw err;
  }
  if ((await leadRun(client, id)) === 'customerYear') return { personId: id, workflowId: leadWorkflowId(id), contact: true };
  return undefined;
}

async function onYear<T>(ref: YearRef, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    if (err instanceof WorkflowNotFoundError || (err as { code?: number }).code === 5) throw new NotFoundError(`no running plan for ${ref.personId}`);
    // The workflow's validator refused it (no such touch still to come, a time in the past).
    if (err instanceof WorkflowUpdateFailedError) throw new ValidationError([(err.cause as Error | undefined)?.message ?? err.message]);
    throw err;
  }
}

const seqField = z.coerce.number({ message: 'expected the touch to change' }).int('expected the touch to change').positive('expected the touch to change');

/** Skips a touch still to come (`seq`), with the operator's reason; the year records it skipped. */
export async function skipTouch(client: Client, ref: YearRef, input: { seq?: unknown; reason?: unknown }): Promise<Touch> {
  const req = parse(m.skipTouchSchema, { seq: parse(seqField, input.seq, 'seq'), reason: typeof input.reason === 'string' ? input.reason : '' });
  // An update waits for a worker: without one, give up after 30 s rather than hang.
  return onYear(ref, () => client.connection.withDeadline(Date.now() + 30_000, () => client.workflow.getHandle(ref.workflowId).executeUpdate(m.skipTouchUpdate, { args: [req] })));
}

/**
 * A local date-time as a person's calendar and clock show it (`2040-03-09T10:00`) in their zone,
 * as an ISO instant with their offset (`2040-03-09T10:00:00+03:00`); ValidationError naming `field` otherwise.
 */
export function localToIso(local: unknown, zone: string, field = 'at'): string {
  const text = typeof local === 'string' ? local.trim() : '';
  if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2})?$/.test(text)) throw new ValidationError([`${field}: expected a local date and time such as 2040-03-09T10:00, got ${JSON.stringify(local ?? '')}`]);
  const dt = DateTime.fromISO(text, { zone });
  if (!dt.isValid) throw new ValidationError([`${field}: ${text} is not a valid time in ${zone} (${dt.invalidExplanation ?? dt.invalidReason})`]);
  // A time the clocks skip (daylight saving) comes back shifted: refuse it rather than guess.
  if (dt.toFormat("yyyy-MM-dd'T'HH:mm") !== text.slice(0, 16)) throw new ValidationError([`${field}: ${text} does not exist in ${zone} (the clocks change then)`]);
  return dt.toISO({ suppressMilliseconds: true })!;
}

/** Moves a touch still to come to a new local date-time in the person's zone (`local`), or to an ISO instant (`at`). */
export async function moveTouch(client: Client, ref: YearRef, input: { seq?: unknown; local?: unknown; at?: unknown }, zone: string): Promise<Touch> {
  const problems: string[] = [];
  const seq = seqField.safeParse(input.seq);
  if (!seq.success) problems.push('seq: expected the touch to move');
  let at: string | undefined;
  try {
    at = input.at !== undefined ? String(input.at) : localToIso(input.local, zone);
  } catch (err) {
    if (!(err instanceof ValidationError)) throw err;
    problems.push(...err.problems);
  }
  if (problems.length || !seq.success || !at) throw new ValidationError(problems);
  const req = parse(m.rescheduleTouchSchema, { seq: seq.data, at });
  return onYear(ref, () => client.connection.withDeadline(Date.now() + 30_000, () => client.workflow.getHandle(ref.workflowId).executeUpdate(m.rescheduleTouchUpdate, { args: [req] })));
}

// ---- a contact's general 33 (`lead-<id>`): the operator actions operations.ts has for customers ----

const pauseSchema = z.object({ reason: z.string().trim().max(200).optional() }).strict();

export async function pauseContact(client: Client, ref: YearRef, input: unknown = {}): Promise<void> {
  const { reason } = parse(pauseSchema, input ?? {});
  await onYear(ref, () => client.workflow.getHandle(ref.workflowId).signal(m.pauseSignal, { reason }));
}

export async function resumeContact(client: Client, ref: YearRef): Promise<void> {
  await onYear(ref, () => client.workflow.getHandle(ref.workflowId).signal(m.resumeSignal));
}

export async function referralForContact(client: Client, ref: YearRef, input: unknown): Promise<{ customerId: string; kind: 'referral' | 'pledge' }> {
  const body = parse(z.union([m.referralSchema, m.pledgeSchema.extend({ pledged: z.literal(true) })]), input);
  const handle = client.workflow.getHandle(ref.workflowId);
  if ('referralId' in body) {
    await onYear(ref, () => handle.signal(m.referralReceivedSignal, body));
    return { customerId: ref.personId, kind: 'referral' };
  }
  await onYear(ref, () => handle.signal(m.referralPledgedSignal, { note: body.note }));
  return { customerId: ref.personId, kind: 'pledge' };
}

export async function optOutContact(client: Client, ref: YearRef, input: unknown): Promise<m.ConsentChange> {
  const change = parse(m.consentChangeSchema, input);
  await onYear(ref, () => client.workflow.getHandle(ref.workflowId).signal(m.optOutSignal, change));
  return change;
}

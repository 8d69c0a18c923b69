// The funnel (F.A.S.T.): one entry point for every lead, whichever door it came through (the
// API, the CLI, a CSV import, the web form). Normalises the contact details (lower-case email,
// E.164 phone by libphonenumber-js), checks the source against the business's list, finds a
// person captured before (by email or phone) and merges into them, and starts or signals the
// lead's workflow `lead-<id>`. Also what agents and other apps do to a running lead.
import { createHash, randomUUID } from 'node:crypto';
import { WorkflowExecutionAlreadyStartedError, WorkflowNotFoundError, WorkflowUpdateFailedError, type Client } from '@temporalio/client';
import { parsePhoneNumberWithError, type CountryCode } from 'libphonenumber-js';
import { describeIssues } from '../plan/customer';
import { leadWorkflowId } from '../plan/ids';
import { leadAsCustomer, leadOutcomeSchema, leadSchema, type Lead } from '../plan/lead';
import type { LeadSettings } from '../plan/lead-routing';
import { AssignedAgent, CustomerId, CustomerSegment, LeadSource, LeadStage, TouchPlan } from '../plan/search-attributes';
import type { SendingHours } from '../plan/sending-hours';
import type { Db } from '../stores';
import { PgContactIndex } from '../stores/contacts';
import { PgLeadStore } from '../stores/leads';
import type { LeadJourneyInput } from '../workflows/lead';
import type { CustomerYearInput } from '../workflows/customer-year';
import * as lm from '../workflows/lead-messages';
import * as m from '../workflows/messages';
import { NotFoundError, PlanEndedError, ValidationError } from './errors';
import { queryOrUnstarted, unstartedLead, type UnstartedLeadStatus } from './unstarted-status';

export interface LeadOptions {
  taskQueue: string;
  settings: LeadSettings;
  sendingHours?: SendingHours;
}

export interface CaptureResult {
  leadId: string;
  workflowId: string;
  /** True when the person was captured before (same email or phone): merged into that lead. */
  merged: boolean;
  /** `deal`: the person is a customer already; nothing was started. */
  stage?: string;
}

const leadIdSchema = /^[A-Za-z0-9._-]{1,64}$/;

/** Lower-case email, E.164 phone; problems name the field. */
function normalise(raw: Record<string, unknown>, settings: LeadSettings): { value: Record<string, unknown>; problems: string[] } {
  const value = { ...raw };
  const problems: string[] = [];
  if (typeof raw.email === 'string') value.email = raw.email.trim().toLowerCase() || undefined;
  if (typeof raw.phone === 'string' && raw.phone.trim()) {
    const country = ((raw.address as { country?: unknown } | undefined)?.country as string | undefined) ?? settings.defaultCountry;
    try {
      const phone = parsePhoneNumberWithError(raw.phone, { defaultCountry: country as CountryCode | undefined });
      if (!phone.isPossible()) throw new Error('not a possible number');
      value.phone = phone.number;
    } catch (err) {
      problems.push(`phone: expected a phone number${country ? ` (${country} or +<country code>)` : ' with +<country code>'}, got ${JSON.stringify(raw.phone)} (${(err as Error).message})`);
    }
  } else if (raw.phone !== undefined && typeof raw.phone !== 'string') problems.push('phone: expected a string');
  else if (typeof raw.phone === 'string') delete value.phone;
  return { value, problems };
}

/** A stable id from the first contact detail, so two captures racing for a new person get one id. */
function derivedId(lead: { email?: unknown; phone?: unknown }): string {
  const key = typeof lead.email === 'string' ? lead.email : typeof lead.phone === 'string' ? lead.phone : randomUUID();
  return `p-${createHash('sha256').update(key).digest('hex').slice(0, 16)}`;
}

/** Validates a lead as captured anywhere; throws ValidationError naming every bad field. */
export function parseLead(input: unknown, settings: LeadSettings): Lead {
  if (!input || typeof input !== 'object' || Array.isArray(input)) throw new ValidationError(['lead: expected a JSON object']);
  const { value, problems } = normalise(input as Record<string, unknown>, settings);
  const parsed = leadSchema.safeParse({ ...value, id: value.id ?? derivedId(value) });
  const all = [...problems, ...(parsed.success ? [] : describeIssues(parsed.error).filter((p) => !(problems.length && p.startsWith('phone:'))))];
  const channel = (value.source as { channel?: unknown } | undefined)?.channel;
  if (typeof channel === 'string' && !settings.sources.includes(channel.trim())) all.push(`source.channel: expected one of ${settings.sources.join(', ')}, got ${JSON.stringify(channel)}`);
  if (!parsed.success || all.length > 0) throw new ValidationError(all);
  return parsed.data;
}

/**
 * Captures a lead: a new person starts `lead-<id>` (assigned, first-contact task, the 8x8); a
 * person captured before (same email or phone) is merged into their lead and the answer says so.
 */
export async function captureLead(client: Client, db: Db, input: unknown, opts: LeadOptions): Promise<CaptureResult> {
  const parsed = parseLead(input, opts.settings);
  const store = new PgLeadStore(db);
  const { leadId, merged } = await store.capture(parsed);
  const lead = { ...parsed, id: leadId };
  const row = merged ? await store.get(leadId) : undefined;
  if (row?.stage === 'deal') return { leadId, workflowId: `customer-${leadId}`, merged: true, stage: 'deal' };
  const workflowId = leadWorkflowId(leadId);
  const start: LeadJourneyInput = {
    v: 1,
    leadId,
    taskQueue: opts.taskQueue,
    timings: { firstContactHours: opts.settings.firstContactHours, reassignAfterHours: opts.settings.reassignAfterHours },
    ...(opts.sendingHours ? { sendingHours: opts.sendingHours } : {}),
  };
  await client.workflow.signalWithStart('leadJourney', {
    workflowId,
    taskQueue: opts.taskQueue,
    // A lost lead who comes back starts a new road; a running one is only signalled.
    workflowIdReusePolicy: 'ALLOW_DUPLICATE',
    args: [start],
    signal: lm.leadCapturedSignal,
    signalArgs: [lead],
    typedSearchAttributes: [
      { key: CustomerId, value: leadId },
      { key: TouchPlan, value: '8x8' },
      { key: LeadStage, value: 'new' },
      { key: LeadSource, value: lead.source.channel },
    ],
    staticSummary: `Lead ${leadId}: ${[lead.name.first, lead.name.last].filter(Boolean).join(' ')} (source ${lead.source.channel})`,
  });
  // An SMS reply from this number finds the lead.
  if (lead.phone) await new PgContactIndex(db).remember(lead.phone, { customerId: leadId, workflowId });
  return { leadId, workflowId, merged };
}

/**
 * A contact of the business's sphere of influence (people the agents know who have not bought):
 * straight onto the general 33 as `lead-<id>`, stage `nurture`, with an agent of their own. A
 * person already known (same id, email or phone) is not started twice.
 */
export async function addContact(client: Client, db: Db, input: unknown, opts: LeadOptions): Promise<CaptureResult> {
  if (!input || typeof input !== 'object' || Array.isArray(input)) throw new ValidationError(['contact: expected a JSON object']);
  const raw = input as Record<string, unknown>;
  const withSource = { ...raw, source: raw.source ?? { channel: 'other', text: 'sphere of influence' } };
  const lead = parseLead(withSource, { ...opts.settings, sources: [...new Set([...opts.settings.sources, 'other'])] });
  if (!lead.agent) throw new ValidationError(['agent: required for a contact (whose sphere they are in)']);
  const customer = leadAsCustomer(lead, lead.agent);
  const store = new PgLeadStore(db);
  const { leadId, merged } = await store.capture(lead);
  if (merged) return { leadId, workflowId: leadWorkflowId(leadId), merged: true, stage: (await store.get(leadId))?.stage };
  const workflowId = leadWorkflowId(leadId);
  const start: CustomerYearInput = { v: 1, customerId: leadId, plan: 'general-33', planYear: 1, customer, ...(customer.segment ? { segment: customer.segment } : {}), ...(opts.sendingHours ? { sendingHours: opts.sendingHours } : {}) };
  try {
    await client.workflow.start('customerYear', {
      workflowId,
      taskQueue: opts.taskQueue,
      args: [start],
      workflowIdReusePolicy: 'ALLOW_DUPLICATE_FAILED_ONLY',
      typedSearchAttributes: [
        { key: CustomerId, value: leadId },
        { key: TouchPlan, value: 'general-33' },
        { key: LeadStage, value: 'nurture' },
        { key: LeadSource, value: lead.source.channel },
        { key: AssignedAgent, value: customer.agent },
        ...(customer.segment ? [{ key: CustomerSegment, value: customer.segment }] : []),
      ],
      staticSummary: `Contact ${leadId}: general 33 (sphere of ${customer.agent})`,
    });
  } catch (err) {
    if (!(err instanceof WorkflowExecutionAlreadyStartedError)) throw err;
    return { leadId, workflowId, merged: true };
  }
  await store.recordStage({ leadId, stage: 'nurture', agent: customer.agent, source: lead.source.channel, at: new Date().toISOString(), reason: 'sphere of influence' });
  if (customer.phone) await new PgContactIndex(db).remember(customer.phone, { customerId: leadId, workflowId });
  return { leadId, workflowId, merged: false };
}

async function withLead<T>(id: string, fn: () => Promise<T>): Promise<T> {
  if (!leadIdSchema.test(id)) throw new ValidationError([`id: expected 1-64 characters of A-Za-z0-9._-, got ${JSON.stringify(id)}`]);
  try {
    return await fn();
  } catch (err) {
    if (err instanceof WorkflowNotFoundError || (err as { code?: number }).code === 5) throw new NotFoundError(`no running lead ${id}`);
    if (err instanceof WorkflowUpdateFailedError) throw new ValidationError([(err.cause as Error | undefined)?.message ?? err.message]);
    throw err;
  }
}

/** The general 33 a lead went on to after the 8x8: its year, as the customer status query tells it. */
export interface GeneralStatus {
  leadId: string;
  stage: 'nurture';
  plan: 'general-33';
  year: m.CustomerStatus;
}

/** The lead's road as its status query tells it; a run that never ran a workflow task is NotFoundError. */
export async function getLead(client: Client, id: string): Promise<lm.LeadStatus | GeneralStatus> {
  const status = await leadStatus(client, id);
  if ('workflow' in status) throw new NotFoundError(`lead ${id}: ${status.note}`);
  return status;
}

/**
 * What happened to a lead (GET /v1/leads/:id, `plan33 lead status`): as its status query tells it,
 * or, when none of its workflow tasks has run (closed before its first, or waiting for a worker),
 * as Temporal describes the run (service/unstarted-status.ts).
 */
export async function leadStatus(client: Client, id: string): Promise<lm.LeadStatus | GeneralStatus | UnstartedLeadStatus> {
  // The run can change under the look (the 8x8 continuing as the general 33) and a lead just
  // created may not have registered its queries yet: look again a few times before saying 404.
  for (let attempt = 1; ; attempt++) {
    try {
      const handle = client.workflow.getHandle(leadWorkflowId(id));
      if (leadIdSchema.test(id) && (await leadRun(client, id)) === 'customerYear') {
        const year = await withLead(id, () => handle.query(m.statusQuery));
        return { leadId: id, stage: 'nurture', plan: 'general-33', year };
      }
      // A run none of whose workflow tasks ran (ended before its first, or no worker yet): as Temporal describes it.
      return await withLead(id, () => queryOrUnstarted(client, () => handle.query(lm.leadStatusQuery), () => unstartedLead(client, id, handle)));
    } catch (err) {
      if ((err as Error).name !== 'QueryNotRegisteredError' || attempt >= 5) throw err;
      await new Promise((r) => setTimeout(r, 200 * attempt));
    }
  }
}

/** An agent's report on a lead (a conversation, the first contact, an 8x8 call task). */
export async function reportLeadOutcome(client: Client, id: string, input: unknown): Promise<lm.LeadOutcomeResult> {
  const parsed = leadOutcomeSchema.safeParse(input);
  if (!parsed.success) throw new ValidationError(describeIssues(parsed.error));
  // After the 8x8 the same workflow id runs the general 33 (a customer year): no outcome to report there.
  if (leadIdSchema.test(id) && (await leadRun(client, id)) === 'customerYear') {
    throw new PlanEndedError(`lead ${id} has finished the 8x8 and is on the general 33: an outcome belongs to the 8x8 (record a deal to start client-for-life)`);
  }
  // An update waits for a worker: without one, give up after 30 s rather than hang.
  return withLead(id, () => client.connection.withDeadline(Date.now() + 30_000, () => client.workflow.getHandle(leadWorkflowId(id)).executeUpdate(lm.leadOutcomeUpdate, { args: [parsed.data] })));
}

/** The person answered (an email reply through the inbound webhook, an SMS, a logged conversation). */
export async function leadReplied(client: Client, id: string, input: unknown): Promise<lm.LeadReply> {
  const parsed = lm.leadReplySchema.safeParse(input);
  if (!parsed.success) throw new ValidationError(describeIssues(parsed.error));
  const handle = client.workflow.getHandle(leadWorkflowId(id));
  // On the general 33 a reply is a customer year's reply: a task for the agent.
  if (leadIdSchema.test(id) && (await leadRun(client, id)) === 'customerYear') {
    await withLead(id, () => handle.signal(m.customerRepliedSignal, { messageSid: parsed.data.id.slice(0, 64), text: parsed.data.text.slice(0, 1600), receivedAt: parsed.data.receivedAt }));
  } else await withLead(id, () => handle.signal(lm.leadRepliedSignal, parsed.data));
  return parsed.data;
}

export async function resumeLead(client: Client, id: string): Promise<void> {
  await withLead(id, () => client.workflow.getHandle(leadWorkflowId(id)).signal(lm.resumeLeadSignal));
}

export async function endLead(client: Client, id: string, input: unknown): Promise<{ reason: string }> {
  const parsed = lm.endLeadSchema.safeParse(input);
  if (!parsed.success) throw new ValidationError(describeIssues(parsed.error));
  await withLead(id, () => client.workflow.getHandle(leadWorkflowId(id)).signal(lm.endLeadSignal, parsed.data));
  return parsed.data;
}

/**
 * What runs as `lead-<id>` now: `leadJourney` (capture, first contact, the 8x8), `customerYear`
 * (the general 33 after it), or nothing. A deal for a running one is a hand-over.
 */
export async function leadRun(client: Client, id: string): Promise<'leadJourney' | 'customerYear' | undefined> {
  try {
    const d = await client.workflow.getHandle(leadWorkflowId(id)).describe();
    if (d.status.name !== 'RUNNING') return undefined;
    return d.type === 'customerYear' ? 'customerYear' : 'leadJourney';
  } catch (err) {
    if (err instanceof WorkflowNotFoundError || (err as { code?: number }).code === 5) return undefined;
    throw err;
  }
}

export type { ConversionRow } from '../stores/leads';

/** Conversion by source or by agent: one SQL query over the stage rows. */
export function leadConversion(db: Db, by: 'source' | 'agent') {
  return new PgLeadStore(db).conversion(by);
}

/** Leads by stage now, and the lead tasks past due (first contacts missed). */
export async function leadOverview(db: Db, nowIso: string, agent?: string) {
  const store = new PgLeadStore(db);
  return { byStage: await store.byStage(agent), overdue: (await store.overdue(nowIso)).filter((t) => !agent || t.agent === agent) };
}

// Every message the lead workflow understands, defined once and imported by the workflow, the
// service layer and the tests. Signals record facts that cannot be refused (a capture, a
// reply, a deal); updates are used where the caller must learn that bad input was rejected.
import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
import { z } from 'zod';
import { channelSchema, type CustomerInput, type Deal } from '../plan/customer';
import { isoDateTimeSchema } from '../plan/dates';
import type { Lead, LeadOutcomeReport, LeadStage } from '../plan/lead';
import type { LeadStatus } from '../plan/lead-state';

export type { LeadStatus } from '../plan/lead-state';

/** The person was captured (again): the first starts the road, later ones merge into it. */
export const leadCapturedSignal = defineSignal<[Lead]>('leadCaptured');

/** An agent's report: a conversation, a first-contact or 8x8 call task. Rejected with the reason. */
export const leadOutcomeUpdate = defineUpdate<LeadOutcomeResult, [LeadOutcomeReport]>('leadOutcome');
export interface LeadOutcomeResult {
  taskId?: string;
  outcome: LeadOutcomeReport['outcome'];
  stage: LeadStage;
  /** What happens next, in words. */
  next: string;
}

export const leadReplySchema = z
  .object({
    /** The message's own id (email Message-ID, SMS MessageSid, or the agent's note id): a webhook sent twice makes one task. */
    id: z.string().trim().min(1, 'expected the message id').max(200),
    /** How the person answered; `phone` or `meeting` when an agent logs a conversation. */
    channel: z.enum([...channelSchema.options, 'meeting']),
    text: z.string().max(5000).default(''),
    receivedAt: isoDateTimeSchema('expected an ISO date-time'),
  })
  .strict();
export type LeadReply = z.infer<typeof leadReplySchema>;
/** The person answered: the 8x8 pauses, the agent gets a task, and resumes or ends it. */
export const leadRepliedSignal = defineSignal<[LeadReply]>('leadReplied');

export const resumeLeadSignal = defineSignal<[]>('resumeLead');

export const endLeadSchema = z.object({ reason: z.string().trim().min(1, 'expected a reason, e.g. bought elsewhere').max(200) }).strict();
/** The lead is closed as lost, with a reason: nothing more is sent. */
export const endLeadSignal = defineSignal<[z.infer<typeof endLeadSchema>]>('endLead');

export interface LeadDeal {
  deal: Deal;
  /** The customer as the deal app knows them (merged over the lead; `agent` may change). */
  customer?: Partial<CustomerInput>;
}
/** A deal closed on the lead: the same person continues as `customer-<id>` on client-for-life. */
export const leadDealSignal = defineSignal<[LeadDeal]>('leadDeal');

export const leadStatusQuery = defineQuery<LeadStatus>('leadStatus');

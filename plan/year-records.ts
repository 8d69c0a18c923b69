// The records of a customer's year that the pure rules, the workflow, the service layer and the
// stores share: a call's outcome as agents report it, a fulfilment report, a call task as the
// year keeps it, and the status a query returns. Defined here (pure) so plan/ needs nothing
// from workflows/; workflows/messages.ts re-exports them next to the message definitions.
import { z } from 'zod';
import type { Customer, Deal } from './customer';
import { isoDate, isoDateTimeSchema } from './dates';
import { FULFILMENT_STATUSES, type DoneTouch, type PlanName, type Touch } from './touch';

export const CALL_OUTCOMES = ['reached', 'not-interested', 'no-answer', 'call-back'] as const;
/** The fields of a call completion (the API documents them without `taskId`, which is in the path). */
export const callCompletionFields = z
  .object({
    taskId: z.string().trim().min(1, 'expected the call task id'),
    outcome: z.enum(CALL_OUTCOMES, { message: `expected one of ${CALL_OUTCOMES.join(', ')}` }),
    /** Required with `call-back`: the day the customer asked to be called. */
    callBackOn: isoDate.optional(),
    notes: z.string().trim().max(2000).optional(),
  })
  .strict();
export const callCompletionSchema = callCompletionFields.refine((c) => c.outcome !== 'call-back' || c.callBackOn !== undefined, { path: ['callBackOn'], message: 'required when outcome is call-back' });
export type CallCompletion = z.infer<typeof callCompletionSchema>;
export const fulfilmentUpdateSchema = z
  .object({
    /** The postal item's task id (the touch's idempotency key). */
    taskId: z.string().trim().min(1, 'expected the task id').max(200),
    status: z.enum(FULFILMENT_STATUSES, { message: `expected one of ${FULFILMENT_STATUSES.join(', ')}` }),
    trackingNumber: z.string().trim().max(100).optional(),
    carrier: z.string().trim().max(100).optional(),
    at: isoDateTimeSchema('expected an ISO date-time').optional(),
  })
  .strict();
export type FulfilmentUpdate = z.infer<typeof fulfilmentUpdateSchema>;
export interface CallRecord {
  taskId: string;
  seq: number;
  /** Who has the task (the owner, or who covers while they are away). */
  assignee?: string;
  /** When the task was handed over (workflow time). */
  givenAt?: string;
  remindedAt?: string;
  escalatedAt?: string;
  outcome?: CallCompletion['outcome'];
  notes?: string;
  completedAt?: string;
}

export interface CustomerStatus {
  customerId: string;
  customer: Customer;
  plan: PlanName;
  planVersion: number;
  planYear: number;
  yearStartedAt: string;
  yearEndsAt: string;
  /** `starting`: the plan is loading (a moment after the first start of each year). */
  /** `converted`: a general-33 contact bought; the same person goes on as `customer-<id>`. */
  state: 'starting' | 'running' | 'paused' | 'cancelled' | 'year-complete' | 'converted';
  deals: Deal[];
  referrals: number;
  calls: CallRecord[];
  /** SMS replies that became tasks for the agent. */
  replies?: Array<{ messageSid: string; receivedAt: string; taskId: string }>;
  touchesDone: DoneTouch[];
  /** Still to come, by time; follow-up letters wait here until their call is reached. */
  nextTouches: Touch[];
  /** When the next touch that may run is due (unset when none is). */
  nextDueAt?: string;
  /** How the year before ended (carried across continue-as-new). */
  previousYear?: YearSummary;
  /** NPS answers given this year (the survey page), oldest first. */
  nps?: NpsRecord[];
  /** In the holdout group: only the transactional minimum. */
  holdout?: boolean;
  /**
   * The value class the daily refresh computed (`vip`, `a`, `b`, `c`), beside the business's own
   * `customer.segment`, which it never replaces. Unset until the first refresh after the deal.
   */
  valueClass?: string;
}

/** An NPS answer as the year keeps it, and what it set off. */
export interface NpsRecord {
  surveyId: string;
  score: number;
  why?: string;
  toTen?: string;
  answeredAt: string;
  /** `detractor` (0-6), `passive` (7-8), `promoter` (9-10). */
  group: 'detractor' | 'passive' | 'promoter';
  /** The follow-up it set off: a call task for the agent (detractor) or a referral ask (promoter). */
  followUpSeq?: number;
}

export interface YearSummary {
  planYear: number;
  plan: PlanName;
  touchesDone: DoneTouch[];
}

// ---- what the year writes to plan33's store (stores/records.ts) ----

export interface OutcomeRecord {
  key: string;
  seq: number;
  kind: string;
  channel: string;
  outcome: 'sent' | 'skipped' | 'failed';
  reason?: string;
  /** When it was due (ISO). */
  at: string;
  /** When the year recorded it (ISO, workflow time). */
  doneAt: string;
}

/** Who the row is about and where their year stands. */
export interface PersonSnapshot {
  customerId: string;
  workflowId: string;
  name: string;
  agent: string;
  plan: string;
  planYear: number;
}

export interface YearProgress extends PersonSnapshot {
  state: Exclude<CustomerStatus['state'], 'starting'>;
  referralIds: string[];
  deals: Array<{ id: string; closedAt: string; value?: number }>;
  /** Outcomes the deliveries did not write themselves (skipped, failed). */
  outcomes: OutcomeRecord[];
  /** Call tasks of the year that have an outcome. */
  calls: Array<{ taskId: string; outcome: string; notes?: string; completedAt?: string }>;
  /** Workflow time of this snapshot: an older snapshot never overwrites a newer one. */
  at: string;
  /** The household the person shares printed cards with (address key), or null when they do not. */
  household?: string | null;
  /** Referral id -> the touch key whose link brought it. */
  referralVia?: Record<string, string>;
  /** The customer's segment, for the budget by segment. */
  segment?: string | null;
  /** In the holdout group (set only when true). */
  holdout?: boolean;
  /** Every touch of the year (done and to come) with its cost and owner: the budget's rows. */
  planned?: PlannedTouch[];
}

export interface PlannedTouch {
  key: string;
  kind: string;
  channel: string;
  at: string;
  cost: number;
  owner: string;
  /** Dropped by the budget cap: planned, but never to be paid for. */
  dropped: boolean;
}


// Every message the customer workflow understands, defined once and imported by the
// workflow, the client library, the CLI and the tests. Signals record facts that cannot be
// refused (a deal closed, a referral came in, an opt-out); updates are used where the caller
// must learn that bad input was rejected (profile, call outcome, operator edits).
import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
import { z } from 'zod';
import { channelSchema, type CustomerInput, type Deal } from '../plan/customer';
import { isoDateTimeSchema } from '../plan/dates';
import type { Touch } from '../plan/touch';
import type { CallCompletion, CustomerStatus, FulfilmentUpdate } from '../plan/year-records';

export * from '../plan/year-records';

export interface DealClosed {
  customer: CustomerInput;
  deal: Deal;
}
/** A deal closed: starts the year (with signal-with-start) or updates the running one. */
export const dealClosedSignal = defineSignal<[DealClosed]>('dealClosed');

export const referralSchema = z
  .object({
    referralId: z.string().trim().min(1, 'expected the referral id').max(128),
    /** Who was referred, for the thank-you ("Thank you for introducing Omar"). */
    referredName: z.string().trim().max(100).optional(),
    /** The touch that asked for it: the `ref` of the referral link (a touch key). */
    via: z.string().regex(/^(customer|lead)-[A-Za-z0-9._-]{1,64}\.y\d{1,4}\.t\d{1,5}$/, 'expected the touch key of a referral link, e.g. customer-cust-0001.y1.t3').optional(),
  })
  .strict();
export type Referral = z.infer<typeof referralSchema>;
/** Someone the customer referred arrived: advocate from now on, and a thank-you. */
export const referralReceivedSignal = defineSignal<[Referral]>('referralReceived');

export const pledgeSchema = z.object({ note: z.string().trim().max(500).optional() }).strict();
export type Pledge = z.infer<typeof pledgeSchema>;
/** The customer pledged to refer: advocate from now on, and a thank-you (once). */
export const referralPledgedSignal = defineSignal<[Pledge]>('referralPledged');

export const consentChangeSchema = z.object({ channel: channelSchema, reason: z.string().trim().max(200).optional() }).strict();
export type ConsentChange = z.infer<typeof consentChangeSchema>;
export const optOutSignal = defineSignal<[ConsentChange]>('optOut');
export const optInSignal = defineSignal<[ConsentChange]>('optIn');

/** An agent finished a call task. Rejected: unknown task, already completed, bad date. */
export const completeCallUpdate = defineUpdate<CallCompletionResult, [CallCompletion]>('completeCall');
export interface CallCompletionResult {
  taskId: string;
  outcome: CallCompletion['outcome'];
  /** What the workflow will do next, e.g. "follow-up letter 1 at 2027-02-03T09:00:00+03:00". */
  next: string;
}

/** New profile data; validated (and rejected with the bad fields named) before it is stored. */
export const updateProfileUpdate = defineUpdate<ProfileUpdateResult, [CustomerInput]>('updateProfile');
export interface ProfileUpdateResult {
  /** How many touches still to come after re-planning. */
  touchesAhead: number;
}

export const pauseSignal = defineSignal<[{ reason?: string }]>('pause');

/**
 * The daily refresh (workflows/segments.ts) moved the customer to another value class: the
 * class's plan overrides apply from the next re-plan, beside the business's own segment's (patch
 * `own-segment`; before it, the class replaced the segment).
 */
export interface SegmentChange {
  /** The new value class: `vip`, `a`, `b` or `c` (unset in signals sent before issue 24: see `segment`). */
  valueClass?: string;
  /** The same class, under the name it had before issue 24 (what earlier releases read). */
  segment: string;
  /** When the refresh computed it (ISO). */
  computedAt: string;
}
export const segmentChangedSignal = defineSignal<[SegmentChange]>('segmentChanged');

/** The customer answered an NPS survey (the survey page, after the token was checked and the answer stored once). */
export interface NpsAnswer {
  /** The survey's touch key. */
  surveyId: string;
  score: number;
  why?: string;
  toTen?: string;
  answeredAt: string;
}
export const npsAnsweredSignal = defineSignal<[NpsAnswer]>('npsAnswered');
export const resumeSignal = defineSignal<[]>('resume');

export const skipTouchSchema = z.object({ seq: z.number().int().positive(), reason: z.string().trim().min(1, 'expected a reason').max(200) }).strict();
export const skipTouchUpdate = defineUpdate<Touch, [z.infer<typeof skipTouchSchema>]>('skipTouch');

export const rescheduleTouchSchema = z
  .object({ seq: z.number().int().positive(), at: isoDateTimeSchema('expected an ISO date-time with offset') })
  .strict();
export const rescheduleTouchUpdate = defineUpdate<Touch, [z.infer<typeof rescheduleTouchSchema>]>('rescheduleTouch');

export const customerReplySchema = z
  .object({
    /** Twilio's MessageSid of the inbound SMS: a webhook delivered twice makes one task. */
    messageSid: z.string().trim().min(1, 'expected the message id').max(64),
    text: z.string().max(1600),
    receivedAt: isoDateTimeSchema('expected an ISO date-time'),
  })
  .strict();
export type CustomerReply = z.infer<typeof customerReplySchema>;
/** The customer answered an SMS with words (not STOP/START): a task for the agent. */
export const customerRepliedSignal = defineSignal<[CustomerReply]>('customerReplied');

/** The print-and-mail provider reports on a card or gift (shipped, delivered, returned). */
export const fulfilmentUpdateSignal = defineSignal<[FulfilmentUpdate]>('fulfilmentUpdate');

/** The customer is lost: the year ends now, nothing more is sent. */
export const cancelSignal = defineSignal<[{ reason: string }]>('cancel');

export const statusQuery = defineQuery<CustomerStatus>('status');

// What every channel shares: permanent failures, the mail server's refusals, stable ids, the
// attempt's workflow time, and `once` (a side effect run once per key through the ledger).
import { AsyncLocalStorage } from 'node:async_hooks';
import { ApplicationFailure, Context } from '@temporalio/activity';
import type { Customer } from '../plan/customer';
import type { Touch, TouchResult } from '../plan/touch';
import { surveyUrl } from '../lib/survey-link';
import type { UnsubscribeConfig } from '../lib/unsubscribe';
import type { TouchContext } from './copy';
import type { DeliveryLedger } from '../stores/deliveries';

/** Twilio errors no retry will fix: opted out (21610), invalid or unreachable number. */
export const PERMANENT_TWILIO_CODES = new Set([21610, 21211, 21214, 21612, 21614, 21408]);

export function permanent(reason: string, type: string): never {
  throw ApplicationFailure.nonRetryable(reason, type);
}

/**
 * An SMTP answer no retry will change: a 5xx reply, or an envelope refused before any reply (no
 * valid address). A 4xx reply is "try later" wherever it comes, also at MAIL FROM or RCPT TO
 * (nodemailer reports those as EENVELOPE too, with the 4xx as responseCode): retried.
 */
export function refusedByMailServer(err: unknown): boolean {
  const e = err as { responseCode?: number; code?: string };
  if (typeof e.responseCode === 'number') return e.responseCode >= 500;
  return e.code === 'EENVELOPE';
}

/** A stable Message-ID from the idempotency key: receivers can drop a duplicate too. */
export function messageIdFor(key: string): string {
  return `<${key.replace(/[^A-Za-z0-9._-]/g, '.')}@plan33>`;
}

export const fullName = (c: Customer) => [c.name.first, c.name.last].filter(Boolean).join(' ');

const workflowClock = new AsyncLocalStorage<number>();

/**
 * Runs `fn` (a local activity's work) on the workflow's clock: `workflowNowMs` when the workflow
 * asked, plus the time since (a local activity's own timestamps are the worker's clock).
 */
export function onWorkflowClock<T>(workflowNowMs: number | undefined, fn: () => Promise<T>): Promise<T> {
  if (workflowNowMs === undefined) return fn();
  let offset = 0;
  try {
    offset = workflowNowMs - Context.current().info.scheduledTimestampMs;
  } catch {
    // called outside an activity (unit use)
  }
  return workflowClock.run(offset, fn);
}

/** Workflow time of this attempt (the server's clock, so it is also right on a time-skipping server). */
export function attemptTimeMs(): number {
  try {
    const offset = workflowClock.getStore();
    if (offset !== undefined) return Context.current().info.currentAttemptScheduledTimestampMs + offset;
    return Context.current().info.currentAttemptScheduledTimestampMs;
  } catch {
    return Date.now(); // called outside an activity (unit use)
  }
}

export const attemptIso = () => new Date(attemptTimeMs()).toISOString();

export type Once = <T extends TouchResult>(key: string, fn: () => Promise<T>) => Promise<TouchResult>;

/** Runs a side effect once per key through the ledger (a sub-step of an activity that may be retried). */
export function onceThrough(ledger: DeliveryLedger): Once {
  return async (key, fn) => {
    const earlier = await ledger.get(key);
    if (earlier) return earlier;
    const result = await fn();
    await ledger.record(key, result);
    return result;
  };
}

/**
 * An NPS survey touch carries its signed link (lib/survey-link.ts), made from the touch's key and
 * due time, so a retried send carries the same link. Without a public base URL and secret
 * (UNSUBSCRIBE_SECRET) a survey cannot be answered: it is skipped, saying why.
 */
export function withSurveyLink(config: UnsubscribeConfig | undefined, key: string, customer: Customer, touch: Touch, context: TouchContext | undefined): TouchContext | undefined {
  if (touch.kind !== 'nps-survey') return context;
  // Recorded skipped by the year (like a newsletter issue that never came): the business's gap.
  if (!config) permanent('no survey page to link to: set PUBLIC_BASE_URL and UNSUBSCRIBE_SECRET', 'ContentMissing');
  return { plan: 'client-for-life', planYear: 1, ...context, surveyUrl: surveyUrl(config, { key, customerId: customer.id, locale: customer.locale, dueAt: touch.firstAt ?? touch.at }) };
}

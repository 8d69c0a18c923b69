// The activity factory: composes the channels (one file each, rendering apart from sending) and
// the records, every activity with exactly the dependencies it needs; only worker/ builds the
// real ones from validated config. Workflows import this file by type only.
import { ApplicationFailure, log as activityLog } from '@temporalio/activity';
import { resolvePlan, type PlanDefinition } from '../plan/definitions';
import type { PlanName, TouchResult } from '../plan/touch';
import type { PersonSnapshot, YearProgress } from '../stores/records';
import { agentTasks } from './agent-tasks';
import { leadActivities } from './leads';
import { segmentActivities } from './segments';
import type { ActivityDeps, TouchDelivery } from './deps';
import { emailChannel } from './email';
import { attemptIso, attemptTimeMs, fullName, onceThrough, onWorkflowClock, permanent } from './kit';
import { holdFor } from '../plan/contact-rules';
import { newsletterIssues } from './newsletter';
import { postalChannel } from './postal';
import { smsChannel } from './sms';

export type { ActivityDeps, CallReminder, CustomerReply, SmsClient, TouchDelivery } from './deps';
export { messageIdFor } from './kit';

/** Who a delivery's row is about (the plan and year come with the touch's context). */
function personOf(req: TouchDelivery): PersonSnapshot {
  const { customer, context } = req;
  return { customerId: customer.id, workflowId: req.key.split('.y')[0]!, name: fullName(customer), agent: customer.agent, plan: context?.plan ?? 'client-for-life', planYear: context?.planYear ?? 1 };
}

export function createActivities(deps: ActivityDeps) {
  const { ledger } = deps;

  /**
   * The one limit on contact pressure, across all of the person's plans: held back (not an
   * activity retry: the workflow moves the touch to its next allowed slot and says why).
   */
  async function holdIfPressed(req: TouchDelivery): Promise<void> {
    const rules = deps.contactRules ?? { perWeek: {}, blackoutDates: [] };
    const channel = req.touch.channel;
    if (channel === 'none') return;
    const nowMs = attemptTimeMs();
    const facts = { channel, nowMs, zone: req.customer.timezone, doNotContactUntil: req.customer.doNotContactUntil };
    // The person's day and hours first (no database), then the limit: counted and reserved in
    // one step under the person's lock, so two plans waking together count each other.
    let hold = holdFor({ ...facts, rules: { ...rules, perWeek: {} }, recentSendsMs: [] });
    const limit = rules.perWeek[channel];
    if (!hold && limit !== undefined) {
      const recentSendsMs = await deps.records.reserveSend({ customerId: req.customer.id, channel, key: req.key, nowIso: new Date(nowMs).toISOString(), sinceIso: new Date(nowMs - 7 * 86_400_000).toISOString(), limit });
      if (recentSendsMs.length > 0) hold = holdFor({ ...facts, rules, recentSendsMs });
    }
    if (!hold) return;
    activityLog.info('touch held back', { key: req.key, reason: hold.reason, untilMs: hold.untilMs });
    throw ApplicationFailure.create({ message: `held back: ${hold.reason}`, type: 'ContactPressure', nonRetryable: true, details: [{ retryAtMs: hold.untilMs, reason: hold.reason }] });
  }
  const once = onceThrough(ledger);
  const { sendEmail, emailTo } = emailChannel(deps, once);
  const { sendSms } = smsChannel(deps);
  const { queuePostal } = postalChannel(deps);
  const { createCallTask, remindCallTask, deliverReply } = agentTasks(deps, { once, emailTo });
  const { newsletterFor } = newsletterIssues(deps, once);
  const { assignLead, giveLeadTask, recordLead } = leadActivities(deps, { emailTo });

  /** Delivers one touch on its channel, exactly once per key. */
  async function deliverTouch(req: TouchDelivery): Promise<TouchResult> {
    // The touch's own outcome row, written with the result (again, harmlessly, after a retry).
    const recordOutcome = (result: TouchResult) =>
      deps.records.recordDelivered(personOf(req), { key: req.key, seq: req.touch.seq, kind: req.touch.kind, channel: req.touch.channel, outcome: result.outcome, reason: result.reason, at: req.touch.at, doneAt: attemptIso() });
    const earlier = await ledger.get(req.key);
    if (earlier) {
      activityLog.info('touch already delivered; not sending again', { key: req.key });
      if (earlier.outcome === 'sent') await recordOutcome(earlier);
      return earlier;
    }
    const send = { email: sendEmail, sms: sendSms, postal: queuePostal, phone: createCallTask, none: undefined }[req.touch.channel];
    if (!send) permanent(`touch ${req.touch.seq} has no channel`, 'NoChannel');
    const deliver = async (): Promise<TouchResult> => {
      await holdIfPressed(req);
      try {
        const newsletter = await newsletterFor(req.customer, req.touch);
        const result = await send({ ...req, context: { plan: 'client-for-life', planYear: 1, ...req.context, touchKey: req.key, ...(newsletter ? { newsletter } : {}) } });
        await ledger.record(req.key, result);
        await recordOutcome(result);
        activityLog.info('touch delivered', { key: req.key, kind: req.touch.kind, channel: req.touch.channel });
        return result;
      } catch (err) {
        if (err instanceof ApplicationFailure && err.nonRetryable && err.type !== 'ContentNotReady' && err.type !== 'ContactPressure') await ledger.record(req.key, { outcome: 'failed', reason: err.message });
        throw err;
      }
    };
    return deliver();
  }

  return {
    /** The daily segment refresh: recompute, store, and say whose segment changed (activities/segments.ts). */
    ...segmentActivities(deps),

    /** Delivers one touch on its channel, exactly once per key (on the workflow's clock when run as a local activity). */
    async deliverTouch(req: TouchDelivery): Promise<TouchResult> {
      return onWorkflowClock(req.workflowNowMs, () => deliverTouch(req));
    },

    /**
     * An open call task is overdue: remind whoever has it, or escalate to the manager. If the
     * agent is away now, the task moves to whoever covers. Returns who has the task now.
     */
    remindCallTask,

    /** The customer replied to an SMS with words other than STOP/START: a task for the agent. */
    deliverReply,

    /**
     * What the year decided that no delivery wrote: skipped and failed touches, call outcomes,
     * referrals, deals, pause and loss. Idempotent (upserts by key): a retry writes the same rows.
     */
    async recordProgress(progress: YearProgress): Promise<void> {
      await deps.records.recordProgress(progress);
    },

    /** Assign: the agent for a lead (rules, then round robin by open load; away and capped agents skipped). */
    assignLead,

    /** A lead task (first contact, reply, contact later) to the tasks table and the agent's (or manager's) email. */
    giveLeadTask,

    /** A lead's stage changes and finished lead tasks, to the store. */
    recordLead,

    /** The plan definition for a new year, an advocate switch or a new value class, with the overrides of its class and its segment. */
    async loadPlanDefinition(req: { plan: PlanName; version?: number; segment?: string; valueClass?: string }): Promise<PlanDefinition> {
      return resolvePlan(req.plan, { version: req.version, segment: req.segment, valueClass: req.valueClass, overrides: deps.planOverrides });
    },
  };
}

export type Activities = ReturnType<typeof createActivities>;

// One customer's year, told in order: load the plan, plan the touches, sleep until each, run
// it, record the outcome; at the year's end, continue as new into the next year. Handlers
// only record (validated updates change state; signals queue events); the main loop acts.
// Deterministic: time is workflow time, the plan engine is pure.
import {
  ActivityFailure,
  ApplicationFailure,
  allHandlersFinished,
  condition,
  continueAsNew,
  getExternalWorkflowHandle,
  log,
  proxyActivities,
  proxyLocalActivities,
  setHandler,
  startChild,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import { TimeoutFailure, WorkflowExecutionAlreadyStartedError } from '@temporalio/common';
import type { createActivities } from '../activities';
import { customerSchema, describeIssues, type Customer, type Deal } from '../plan/customer';
import { channelKeyOf, chooseChannel } from '../plan/channels';
import { channelTaskQueue, customerWorkflowId, parseTouchKey, replyTaskId, touchKey } from '../plan/ids';
import { AssignedAgent, CallAssignees, CustomerId, CustomerSegment, LeadStage, NextTouchAt, NextTouchKind, PlanYear, TouchesDone, TouchPlan, ValueClass } from '../plan/search-attributes';
import { DEFAULT_SENDING_HOURS, SMS_HOURS, insideHours, nextSendingSlot, type SendingHours } from '../plan/sending-hours';
import { touchSummary, type PlanName, type Touch, type TouchResult } from '../plan/touch';
import * as year from '../plan/year-state';
import * as m from './messages';
import { patch } from './patches';

/** Versioned input: a year started under version N keeps running under version N. */
export interface CustomerYearInput {
  v: 1;
  customerId: string;
  plan: PlanName;
  /** 1 for the first year after the deal, 2 for the next, ... */
  planYear: number;
  sendingHours?: SendingHours;
  /** The business's own label (import, API, CLI, web): its `segments` overrides apply. */
  segment?: string;
  /** The value class the daily refresh computed, carried into the next year: its `classes` overrides apply (`own-segment`). */
  valueClass?: string;
  /** Carried into a new year (unset on the first start: the dealClosed signal brings them). */
  yearStartMs?: number;
  customer?: Customer;
  deals?: Deal[];
  referralIds?: string[];
  pledged?: boolean;
  /** A whole year's state, when the history grew long mid-year (continue-as-new). */
  state?: year.YearState;
  /** The outcome of the year before, for operators (status query). */
  previousYear?: m.YearSummary;
  /** Signals that came in while the run was ending: handled first by the next run. */
  inbox?: Event[];
  /**
   * Touches sent on the plan the person came from (the 8x8 at a lead's deal), so that none of
   * the same kind is repeated within 30 days (year.holdBackRecent). First year's start only.
   */
  recentTouches?: Array<{ kind: string; at: string }>;
  /** In the holdout group (chosen at enrolment, HOLDOUT_PERCENT): only the transactional minimum, every year. */
  holdout?: boolean;
}

const activities = proxyActivities<ReturnType<typeof createActivities>>({
  startToCloseTimeout: '2 minutes',
  retry: { initialInterval: '5 seconds', backoffCoefficient: 2, maximumInterval: '30 minutes' },
});
// The cheap steps (a plan definition, the progress batch, a postal item or a call task written to
// the store) as local activities: one marker in the workflow task that asked, where an activity
// costs three events and a workflow task of its own (behind `local-steps`). Email and SMS stay
// activities: their task queues carry the send-rate limits.
const local = proxyLocalActivities<ReturnType<typeof createActivities>>({
  startToCloseTimeout: '1 minute',
  retry: { initialInterval: '5 seconds', backoffCoefficient: 2, maximumInterval: '30 minutes' },
});

/**
 * Why an activity failed: the cause of an ActivityFailure, or a local activity's failure itself
 * (sdk-core hands those over unwrapped, temporalio/sdk-core#449); undefined for anything else.
 */
export function activityFailureCause(err: unknown): Error | undefined {
  if (err instanceof ActivityFailure) return err.cause ?? err;
  if (err instanceof ApplicationFailure || err instanceof TimeoutFailure) return err;
  return undefined;
}

export type Event =
  | { type: 'referral'; referral: m.Referral }
  | { type: 'pledge'; pledge: m.Pledge }
  | { type: 'opt-out' | 'opt-in'; change: m.ConsentChange }
  | { type: 'reply'; reply: m.CustomerReply }
  | { type: 'pause'; reason?: string }
  | { type: 'resume' }
  | { type: 'cancel'; reason: string }
  | { type: 'deal'; closed: m.DealClosed }
  | { type: 'nps'; answer: m.NpsAnswer }
  | { type: 'segment'; change: m.SegmentChange };

export async function customerYear(input: CustomerYearInput): Promise<m.CustomerStatus> {
  const { workflowId } = workflowInfo();
  let state: year.YearState | undefined = input.state;
  let customer: Customer | undefined = input.customer;
  const deals: Deal[] = [...(input.deals ?? [])];
  const inbox: Event[] = [...(input.inbox ?? [])];
  let changes = 0; // bumped by every update, so the main loop re-reads the plan
  // The business's own segment. Before `own-segment`, the daily refresh's value class replaced it;
  // since, the class is a field of its own (s.valueClass) and both choose the overrides.
  let segment = input.segment;
  // Each behaviour change is a patch (workflows/patches.ts says what it changed and when it may go).
  const callTasksV2 = patch('call-tasks-v2');
  const channelQueues = patch('channel-task-queues');
  const storeProgress = patch('store-progress');
  // Asked only when an NPS answer or a segment change comes (so other years record no marker).
  const npsAndSegments = () => patch('nps-and-segments');
  // Asked only when the refresh's value class comes.
  const ownSegment = () => patch('own-segment');
  /** The overrides' keys for a definition load (no `valueClass` key until a class came: the same input as before it). */
  const overrideKeys = (valueClass: string | undefined) => ({ segment, ...(valueClass ? { valueClass } : {}) });
  // Asked at the first cheap step (a run that started before it replays its activities).
  let localSteps: boolean | undefined;
  const cheap = () => ((localSteps ??= patch('local-steps')) ? local : activities);

  // ---- messages: record, validate, never act ----
  setHandler(m.dealClosedSignal, ({ customer: raw, deal }) => {
    const parsed = customerSchema.safeParse(raw);
    if (!parsed.success || parsed.data.id !== input.customerId) {
      // A signal cannot be refused; the client validated it first, so this only logs.
      log.warn('dealClosed ignored: bad customer', { problems: parsed.success ? ['customer.id: does not match'] : describeIssues(parsed.error, 'customer') });
      return;
    }
    // A general-33 contact bought: the same person goes on as `customer-<id>` (the main loop hands over).
    if ((state?.plan ?? input.plan) === 'general-33') {
      inbox.push({ type: 'deal', closed: { customer: parsed.data, deal } });
      return;
    }
    const list = state?.deals ?? deals;
    if (!list.some((d) => d.id === deal.id)) list.push(deal);
    if (state) {
      state.customer = parsed.data;
      year.replanRest(state, Date.now());
    } else customer = parsed.data;
    changes++;
  });
  setHandler(m.referralReceivedSignal, (referral) => void inbox.push({ type: 'referral', referral }));
  setHandler(m.referralPledgedSignal, (pledge) => void inbox.push({ type: 'pledge', pledge }));
  setHandler(m.optOutSignal, (change) => void inbox.push({ type: 'opt-out', change }));
  setHandler(m.optInSignal, (change) => void inbox.push({ type: 'opt-in', change }));
  setHandler(m.customerRepliedSignal, (reply) => void inbox.push({ type: 'reply', reply }));
  setHandler(m.fulfilmentUpdateSignal, (update) => {
    const parsed = m.fulfilmentUpdateSchema.safeParse(update);
    const key = parsed.success ? parseTouchKey(parsed.data.taskId) : undefined;
    if (!parsed.success || !key || key.workflowId !== workflowId || !state || key.planYear !== state.planYear || !year.recordFulfilment(state, key.seq, parsed.data, Date.now())) {
      log.warn('fulfilmentUpdate ignored: no such postal item in this year', { taskId: update?.taskId });
      return;
    }
    changes++;
  });
  setHandler(m.pauseSignal, ({ reason }) => void inbox.push({ type: 'pause', reason }));
  setHandler(m.resumeSignal, () => void inbox.push({ type: 'resume' }));
  setHandler(m.cancelSignal, ({ reason }) => void inbox.push({ type: 'cancel', reason }));
  setHandler(m.npsAnsweredSignal, (answer) => void inbox.push({ type: 'nps', answer }));
  setHandler(m.segmentChangedSignal, (change) => void inbox.push({ type: 'segment', change }));

  const requireState = () => {
    if (!state) throw new Error('the year has not started yet');
    return state;
  };
  setHandler(
    m.updateProfileUpdate,
    (raw) => {
      const s = requireState();
      s.customer = customerSchema.parse(raw);
      year.replanRest(s, Date.now());
      changes++;
      return { touchesAhead: s.touches.length };
    },
    {
      validator: (raw) => {
        requireState();
        const parsed = customerSchema.safeParse(raw);
        if (!parsed.success) throw new Error(describeIssues(parsed.error, 'customer').join('; '));
        if (parsed.data.id !== input.customerId) throw new Error(`customer.id: is ${parsed.data.id}, this workflow is ${input.customerId}`);
      },
    },
  );
  setHandler(
    m.completeCallUpdate,
    (c) => {
      const s = requireState();
      const next = year.completeCall(s, m.callCompletionSchema.parse(c), Date.now());
      changes++;
      return { taskId: c.taskId, outcome: c.outcome, next };
    },
    {
      validator: (c) => {
        const parsed = m.callCompletionSchema.safeParse(c);
        if (!parsed.success) throw new Error(describeIssues(parsed.error).join('; '));
        const problem = year.callCompletionProblem(requireState(), parsed.data, Date.now());
        if (problem) throw new Error(problem);
      },
    },
  );
  setHandler(
    m.skipTouchUpdate,
    ({ seq, reason }) => {
      const s = requireState();
      const touch = s.touches.find((t) => t.seq === seq)!;
      year.skip(s, touch, `skipped by operator: ${reason}`, Date.now());
      changes++;
      return touch;
    },
    {
      validator: (req) => {
        const parsed = m.skipTouchSchema.safeParse(req);
        if (!parsed.success) throw new Error(describeIssues(parsed.error).join('; '));
        if (!requireState().touches.some((t) => t.seq === req.seq)) throw new Error(`seq: no touch ${req.seq} still to come`);
      },
    },
  );
  setHandler(
    m.rescheduleTouchUpdate,
    ({ seq, at }) => {
      const touch = year.reschedule(requireState(), seq, at);
      changes++;
      return touch;
    },
    {
      validator: (req) => {
        const parsed = m.rescheduleTouchSchema.safeParse(req);
        if (!parsed.success) throw new Error(describeIssues(parsed.error).join('; '));
        const problem = year.rescheduleProblem(requireState(), req.seq, req.at, Date.now());
        if (problem) throw new Error(problem);
      },
    },
  );
  setHandler(m.statusQuery, () => {
    if (state) return { ...year.status(state, input.customerId), previousYear: input.previousYear };
    if (!customer) throw new Error('the year has not started yet: no customer profile received');
    // The first moments of a new year, while its plan loads.
    return {
      customerId: input.customerId, customer, plan: input.plan, planVersion: 0, planYear: input.planYear,
      yearStartedAt: '', yearEndsAt: '', state: 'starting', deals, referrals: input.referralIds?.length ?? 0, calls: [], touchesDone: [], nextTouches: [],
      previousYear: input.previousYear,
    };
  });

  // ---- the year ----
  if (!state) {
    if (!customer) throw ApplicationFailure.nonRetryable(`customer ${input.customerId} started without a profile`, 'MissingProfile');
    const definition = await cheap().loadPlanDefinition.executeWithOptions({ summary: `Load the ${input.plan} plan` }, [{ plan: input.plan, ...overrideKeys(input.valueClass) }]);
    state = year.newYear({
      customer,
      plan: input.plan,
      definition,
      planYear: input.planYear,
      yearStartMs: input.yearStartMs ?? Date.now(),
      sendingHours: input.sendingHours ?? DEFAULT_SENDING_HOURS,
      deals,
      referralIds: input.referralIds ?? [],
      pledged: input.pledged ?? false,
      ...(input.holdout ? { holdout: true } : {}),
      ...(input.valueClass ? { valueClass: input.valueClass } : {}),
    });
    if (input.recentTouches?.length) year.holdBackRecent(state, input.recentTouches, Date.now());
  }
  const s = state;

  // Upserts only what changed: every upsert is a history event.
  let published = '';
  const publish = () => {
    const next = year.nextDue(s);
    const assignees = callTasksV2 ? year.openCallAssignees(s) : [];
    const values = JSON.stringify([s.plan, s.planYear, s.customer.agent, s.done.length, next?.at, next?.kind, assignees]);
    if (values === published) return;
    published = values;
    upsertSearchAttributes([
      { key: CustomerId, value: input.customerId },
      { key: TouchPlan, value: s.plan },
      { key: PlanYear, value: s.planYear },
      { key: AssignedAgent, value: s.customer.agent },
      { key: TouchesDone, value: s.done.length },
      { key: NextTouchAt, value: next ? new Date(next.at) : null },
      { key: NextTouchKind, value: next ? next.kind : null },
      ...(callTasksV2 ? [{ key: CallAssignees, value: assignees }] : []),
    ]);
  };

  async function becomeAdvocate(): Promise<void> {
    if (s.plan === 'advocate') return;
    const definition = await cheap().loadPlanDefinition.executeWithOptions({ summary: 'Load the advocate plan' }, [
      { plan: 'advocate', version: s.definition.version, ...overrideKeys(s.valueClass) },
    ]);
    year.switchPlan(s, 'advocate', definition, Date.now());
  }

  async function handle(event: Event): Promise<void> {
    switch (event.type) {
      case 'referral':
        if (!year.recordReferral(s, event.referral.referralId, event.referral.via)) return;
        await becomeAdvocate();
        year.addThankYou(s, Date.now());
        return;
      case 'pledge':
        if (!year.recordPledge(s)) return;
        await becomeAdvocate();
        year.addThankYou(s, Date.now());
        return;
      case 'opt-out':
      case 'opt-in':
        year.changeConsent(s, event.change.channel, event.type === 'opt-in');
        return;
      case 'reply': {
        const { messageSid, text, receivedAt } = event.reply;
        s.replies ??= [];
        if (s.replies.some((r) => r.messageSid === messageSid)) return; // the webhook came twice
        const taskId = replyTaskId(workflowId, messageSid);
        try {
          await activities.deliverReply.executeWithOptions({ summary: `Reply from the customer: task for ${s.customer.agent}` }, [{ key: taskId, customer: s.customer, messageSid, text, receivedAt }]);
        } catch (err) {
          // A task that cannot be handed over must not end the customer's year.
          if (!(err instanceof ActivityFailure)) throw err;
          log.error('reply task could not be handed over', { taskId, error: err.message });
        }
        s.replies.push({ messageSid, receivedAt, taskId });
        return;
      }
      case 'pause':
        s.paused = true;
        return;
      case 'resume':
        year.resume(s, Date.now());
        return;
      case 'cancel':
        s.cancelled = event.reason;
        return;
      case 'deal':
        if (!s.handedOver) await handOver(event.closed);
        return;
      case 'nps': {
        const { answer } = event;
        const key = parseTouchKey(answer.surveyId);
        const valid = key !== undefined && !key.lead && key.customerId === input.customerId && Number.isInteger(answer.score) && answer.score >= 0 && answer.score <= 10;
        if (!valid) {
          log.warn('npsAnswered ignored: not a survey of this customer, or a score outside 0-10', { surveyId: answer.surveyId });
          return;
        }
        if (!npsAndSegments()) return;
        const record = year.recordNps(s, answer, Date.now());
        if (record) log.info('NPS answer recorded', { surveyId: record.surveyId, score: record.score, group: record.group });
        return;
      }
      case 'segment': {
        const next = event.change.valueClass ?? event.change.segment;
        if (ownSegment()) {
          // The value class is a field of its own: the business's segment stays, both overrides apply.
          if (next === s.valueClass) return;
          s.valueClass = next;
          upsertSearchAttributes([{ key: ValueClass, value: next }, ...(segment ? [{ key: CustomerSegment, value: segment }] : [])]);
          const definition = await cheap().loadPlanDefinition.executeWithOptions({ summary: `Load the ${s.plan} plan for value class ${next}${segment ? ` and segment ${segment}` : ''}` }, [
            { plan: s.plan, version: s.definition.version, ...overrideKeys(next) },
          ]);
          year.switchPlan(s, s.plan, definition, Date.now());
          return;
        }
        // Before `own-segment`: the class replaced the segment.
        if (next === (segment ?? s.customer.segment) || !npsAndSegments()) return;
        segment = next;
        s.customer = { ...s.customer, segment: next };
        const definition = await cheap().loadPlanDefinition.executeWithOptions({ summary: `Load the ${s.plan} plan for segment ${next}` }, [{ plan: s.plan, version: s.definition.version, segment: next }]);
        year.switchPlan(s, s.plan, definition, Date.now());
        return;
      }
    }
  }

  /**
   * The business gave the person another segment (a profile update, a repeated deal or import, the
   * web): its overrides from now on, the rest of the year re-planned (`own-segment`). Before it,
   * the overrides kept the segment the year started with; a segment the refresh replaced then
   * comes back when the business gives it again.
   */
  async function followOwnSegment(): Promise<void> {
    const given = s.customer.segment;
    if (given === segment || s.cancelled || s.handedOver || !ownSegment()) return;
    segment = given;
    upsertSearchAttributes([{ key: CustomerSegment, value: given ?? null }]);
    const definition = await cheap().loadPlanDefinition.executeWithOptions({ summary: `Load the ${s.plan} plan for segment ${given ?? '(none)'}` }, [
      { plan: s.plan, version: s.definition.version, ...overrideKeys(s.valueClass) },
    ]);
    year.switchPlan(s, s.plan, definition, Date.now());
  }

  /**
   * A general-33 contact bought: the same person (id, profile, consent, source) goes on as
   * `customer-<id>` on client-for-life, carrying what was sent lately so that nothing of the
   * same kind is repeated within 30 days. This run (`lead-<id>`) ends there.
   */
  async function handOver({ customer, deal }: m.DealClosed): Promise<void> {
    const person = customerSchema.parse(customer);
    const now = Date.now();
    const start: CustomerYearInput = {
      v: 1,
      customerId: input.customerId,
      plan: 'client-for-life',
      planYear: 1,
      customer: person,
      deals: [deal],
      ...(person.segment ? { segment: person.segment } : {}),
      ...(input.sendingHours ? { sendingHours: input.sendingHours } : {}),
      recentTouches: s.done.filter((t) => t.outcome === 'sent' && now - Date.parse(t.doneAt) < year.RECENT_DAYS * 86_400_000).map((t) => ({ kind: t.kind, at: t.doneAt })),
    };
    const workflowId = customerWorkflowId(input.customerId);
    try {
      await startChild(customerYear, {
        workflowId,
        args: [start],
        parentClosePolicy: 'ABANDON',
        typedSearchAttributes: [
          { key: CustomerId, value: input.customerId },
          { key: TouchPlan, value: 'client-for-life' },
          { key: PlanYear, value: 1 },
          { key: AssignedAgent, value: person.agent },
        ],
        staticSummary: `Customer ${input.customerId}: client-for-life year 1 (from the general 33, agent ${person.agent})`,
      });
    } catch (err) {
      // The customer's year runs already: tell it of this deal.
      if (!(err instanceof WorkflowExecutionAlreadyStartedError)) throw err;
      await getExternalWorkflowHandle(workflowId).signal(m.dealClosedSignal, { customer: person, deal });
    }
    s.handedOver = workflowId;
    s.deals.push(deal);
    upsertSearchAttributes([{ key: LeadStage, value: 'deal' }]);
    await activities.recordLead.executeWithOptions({ summary: 'Record lead stage: deal' }, [
      { changes: [{ leadId: input.customerId, stage: 'deal', agent: person.agent, source: person.source?.channel ?? 'unknown', at: new Date(now).toISOString(), reason: `deal ${deal.id}` }], doneTasks: [] },
    ]);
  }

  /** Runs a touch; `retryAtMs` when it must wait (its newsletter issue is not there yet, or it is held back). */
  async function run(touch: Touch): Promise<TouchResult | { retryAtMs: number; held?: string }> {
    const channel = chooseChannel(channelKeyOf(touch), s.customer, s.definition);
    if (channel === 'none') return { outcome: 'skipped', reason: 'no channel with consent and contact details for this touch' };
    const delivery = { ...touch, channel };
    const rateLimited = channel === 'email' || channel === 'sms';
    const queue = channelQueues && rateLimited ? { taskQueue: channelTaskQueue(workflowInfo().taskQueue, channel) } : {};
    const req = {
      key: touchKey(workflowId, s.planYear, touch.seq),
      customer: s.customer,
      touch: delivery,
      context: {
        plan: s.plan,
        planYear: s.planYear,
        callNotes: year.notesForLetter(s, touch),
        ...(callTasksV2 && touch.kind === 'call' ? { call: year.callContext(s, touch) } : {}),
      },
    };
    const summary = touchSummary(delivery);
    try {
      // A postal item or a call task is a cheap step; email and SMS wait for their channel's rate.
      if (rateLimited) return await activities.deliverTouch.executeWithOptions({ summary, ...queue }, [req]);
      const steps = cheap();
      return await steps.deliverTouch.executeWithOptions({ summary }, [steps === local ? { ...req, workflowNowMs: Date.now() } : req]);
    } catch (err) {
      const cause = activityFailureCause(err);
      if (cause instanceof ApplicationFailure) {
        const { type, message, details } = cause;
        if (type === 'ContentNotReady') return { retryAtMs: (details?.[0] as { retryAtMs: number }).retryAtMs };
        // The contact limit, quiet hours, a blackout date or "do not contact until": later, with the reason.
        if (type === 'ContactPressure') {
          const hold = details?.[0] as { retryAtMs: number; reason: string };
          return { retryAtMs: hold.retryAtMs, held: hold.reason };
        }
        log.warn('touch failed for good', { seq: touch.seq, type });
        // A newsletter issue that never came is the business's gap, not a delivery failure.
        return { outcome: type === 'ContentMissing' ? 'skipped' : 'failed', reason: message };
      }
      throw err;
    }
  }

  /** Reminds the agent of an overdue call task, or escalates it to the manager. */
  async function remind(r: year.CallReminderDue): Promise<void> {
    const touch = s.done.find((t) => t.seq === r.call.seq)!;
    let assignee = r.call.assignee ?? s.customer.agent;
    try {
      ({ assignee } = await activities.remindCallTask.executeWithOptions({ summary: `Call task ${r.stage}: ${touch.title} (${r.call.assignee})` }, [
        { taskId: r.call.taskId, stage: r.stage, customer: s.customer, touch, assignee, context: year.callContext(s, touch) },
      ]));
    } catch (err) {
      // Marked done anyway: a reminder that cannot be sent is not retried forever here.
      if (!(err instanceof ActivityFailure)) throw err;
      log.error(`call task ${r.stage} could not be sent`, { taskId: r.call.taskId, error: err.message });
    }
    year.markReminded(r, assignee, Date.now());
  }

  // What the store has not heard from a delivery (skips, failures, call outcomes, referrals,
  // pause, loss) goes in one batch when it changed, before the year sleeps again.
  let recorded = '';
  let plannedRecorded = '';
  async function recordProgress(): Promise<void> {
    if (!storeProgress) return;
    const progress = year.progressOf(s, { customerId: input.customerId, workflowId }, Date.now());
    const digest = year.progressDigest(progress);
    if (digest === recorded) return;
    // The year's planned touches (34 rows) go only when they changed since the last batch.
    const planned = JSON.stringify(progress.planned ?? null);
    const batch = planned === plannedRecorded ? { ...progress, planned: undefined } : progress;
    try {
      await cheap().recordProgress.executeWithOptions({ summary: `Record the year's progress (${progress.state})` }, [batch]);
      recorded = digest;
      plannedRecorded = planned;
    } catch (err) {
      // Retried without limit while the store is down; only a non-retryable failure lands here.
      if (activityFailureCause(err) === undefined) throw err;
      log.error('progress could not be recorded', { error: (err as Error).message });
    }
  }

  for (;;) {
    while (inbox.length > 0) await handle(inbox.shift()!);
    await followOwnSegment();
    publish();
    if (s.cancelled || s.handedOver) break;
    await recordProgress();
    const seen = changes;
    const wake = () => inbox.length > 0 || changes !== seen;
    if (s.paused) {
      await condition(wake);
      continue;
    }
    const until = year.nextWake(s, { reminders: callTasksV2 });
    const waitMs = until.atMs - Date.now();
    if (waitMs > 0 && (await condition(wake, waitMs, { summary: until.summary }))) continue;
    if (until.what === 'reminder') {
      await remind(until.reminder!);
      continue;
    }
    const next = until.touch;
    if (!next || Date.now() >= s.yearEndMs) break;
    // An SMS waits for 08:00-21:00 local, even when the customer's sending hours are wider.
    if (chooseChannel(channelKeyOf(next), s.customer, s.definition) === 'sms' && !insideHours(Date.now(), s.customer.timezone, SMS_HOURS)) {
      year.deferTo(s, next, nextSendingSlot(Date.now(), s.customer.timezone, SMS_HOURS).toMillis());
      continue;
    }
    const result = await run(next);
    if ('retryAtMs' in result) {
      if (result.held) next.held = result.held;
      // Still one touch a day: the wait lands on a day without another touch.
      const slot = new Date(year.slotAtOrAfter(s, result.retryAtMs)).toISOString();
      year.deferTo(s, next, Date.parse(year.onFreeDay(s, slot, next.seq)));
      continue;
    }
    year.recordDone(s, next, result, Date.now());
    if (workflowInfo().continueAsNewSuggested) {
      await condition(allHandlersFinished);
      await continueAsNew<typeof customerYear>({ ...input, segment, state: s, inbox: [...inbox] });
    }
  }

  const now = Date.now();
  const why = s.handedOver ? `deal closed: handed over to ${s.handedOver}` : s.cancelled ? `customer lost: ${s.cancelled}` : 'the plan year ended';
  for (const t of [...s.touches]) year.skip(s, t, t.kind === 'follow-up-letter' && !s.cancelled ? 'no reached call to follow up this year' : why, now);
  publish();
  await recordProgress();
  await condition(allHandlersFinished);
  if (s.cancelled || s.handedOver) return { ...year.status(s, input.customerId), previousYear: input.previousYear };
  // A dormant client (last deal long ago, no sign all year) gets a reactivation year; one who
  // answered during it goes back to client-for-life.
  let nextPlan = s.plan;
  if ((s.plan === 'client-for-life' || s.plan === 'reactivation') && patch('reactivation')) {
    const dormant = year.isDormant(s, { referrals: input.referralIds?.length ?? 0, pledged: input.pledged ?? false }, Date.now());
    nextPlan = dormant ? 'reactivation' : 'client-for-life';
    if (nextPlan !== s.plan) log.info('next year on another plan', { from: s.plan, to: nextPlan });
  }
  return continueAsNew<typeof customerYear>({
    v: 1,
    customerId: input.customerId,
    plan: nextPlan,
    planYear: s.planYear + 1,
    sendingHours: s.sendingHours,
    segment,
    ...(s.valueClass ? { valueClass: s.valueClass } : {}),
    yearStartMs: s.yearEndMs,
    customer: s.customer,
    deals: s.deals,
    referralIds: s.referralIds,
    pledged: s.pledged,
    previousYear: { planYear: s.planYear, plan: s.plan, touchesDone: s.done },
    ...(inbox.length > 0 ? { inbox: [...inbox] } : {}),
    ...(input.holdout ? { holdout: true } : {}),
  });
}

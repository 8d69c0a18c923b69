// One lead's road, told in order: captured, assigned to an agent with a first-contact deadline
// (a reminder at the deadline, then another agent, and the manager is told), the 8x8 prospect
// plan meanwhile, and its end: positive interest (the agent takes it from here), a deal (the
// same person continues as `customer-<id>` on client-for-life), or lost with a reason. Handlers
// only record; the main loop acts. Deterministic: time is workflow time, the rules are in plan/.
import {
  ApplicationFailure,
  CancellationScope,
  allHandlersFinished,
  condition,
  getExternalWorkflowHandle,
  log,
  makeContinueAsNewFunc,
  proxyActivities,
  proxyLocalActivities,
  setHandler,
  sleep,
  startChild,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import { WorkflowExecutionAlreadyStartedError } from '@temporalio/common';
import type { createActivities } from '../activities';
import type { LeadTask } from '../activities/task-sink';
import { customerSchema, describeIssues, type Customer } from '../plan/customer';
import { customerWorkflowId, touchKey } from '../plan/ids';
import { leadAsCustomer, leadOutcomeSchema, leadSchema, mergeLead, type Lead } from '../plan/lead';
import * as lead from '../plan/lead-state';
import { EIGHT_BY_EIGHT } from '../plan/prospect';
import { AssignedAgent, CustomerId, LeadSource, LeadStage, NextTouchAt, NextTouchKind, PlanYear, TouchesDone, TouchPlan } from '../plan/search-attributes';
import { DEFAULT_SENDING_HOURS, SMS_HOURS, insideHours, nextSendingSlot, type SendingHours } from '../plan/sending-hours';
import { touchSummary, type Touch, type TouchResult } from '../plan/touch';
import { activityFailureCause, customerYear, type CustomerYearInput } from './customer-year';
import * as lm from './lead-messages';
import { dealClosedSignal } from './messages';
import { patch } from './patches';

export interface LeadJourneyInput {
  v: 1;
  leadId: string;
  sendingHours?: SendingHours;
  timings?: lead.LeadTimings;
  /** The task queue the customer's year runs on after the deal (default: this one). */
  taskQueue?: string;
}

/**
 * The 8x8 is year 0 of the person's road under `lead-<id>`: its touch keys (`lead-<id>.y0.t3`)
 * never meet those of the general 33 that may follow under the same workflow id (y1, y2, ...).
 */
const EIGHT_BY_EIGHT_YEAR = 0;

const activities = proxyActivities<ReturnType<typeof createActivities>>({
  startToCloseTimeout: '2 minutes',
  retry: { initialInterval: '5 seconds', backoffCoefficient: 2, maximumInterval: '30 minutes' },
});
// Behind `lead-light`: the cheap steps (choosing the agent, a task for people, the store's stage
// record, a postal item or a call task) as local activities, one marker each in the workflow
// task that asked; email and SMS stay activities, as in the customer-year.
const local = proxyLocalActivities<ReturnType<typeof createActivities>>({
  startToCloseTimeout: '1 minute',
  retry: { initialInterval: '5 seconds', backoffCoefficient: 2, maximumInterval: '30 minutes' },
});

type LeadEvent =
  | { type: 'reply'; reply: lm.LeadReply }
  | { type: 'resume' }
  | { type: 'end'; reason: string }
  | { type: 'deal'; deal: lm.LeadDeal };

export async function leadJourney(input: LeadJourneyInput): Promise<lm.LeadStatus> {
  const { workflowId } = workflowInfo();
  let captured: Lead | undefined;
  let capturesBefore = 0;
  // Set once the lead is assigned; the handlers below read it before that.
  // eslint-disable-next-line prefer-const
  let state: lead.LeadState | undefined;
  const inbox: LeadEvent[] = [];
  let changes = 0;

  // ---- messages: record, validate, never act ----
  setHandler(lm.leadCapturedSignal, (raw) => {
    const parsed = leadSchema.safeParse(raw);
    if (!parsed.success || parsed.data.id !== input.leadId) {
      log.warn('leadCaptured ignored: bad lead', { problems: parsed.success ? ['lead.id: does not match'] : describeIssues(parsed.error, 'lead') });
      return;
    }
    if (!state) {
      captured = captured ? mergeLead(captured, parsed.data).lead : parsed.data;
      capturesBefore++;
      return;
    }
    state.lead = mergeLead(state.lead, parsed.data).lead;
    state.captures++;
    changes++;
  });
  setHandler(
    lm.leadOutcomeUpdate,
    (report) => {
      const s = requireState();
      const parsed = leadOutcomeSchema.parse(report);
      const next = lead.recordOutcome(s, parsed, Date.now());
      if (parsed.taskId) finishedTasks.push({ taskId: parsed.taskId, outcome: parsed.outcome, ...(parsed.notes ? { notes: parsed.notes } : {}), at: new Date().toISOString() });
      changes++;
      return { ...(parsed.taskId ? { taskId: parsed.taskId } : {}), outcome: parsed.outcome, stage: s.stage, next };
    },
    {
      validator: (report) => {
        const parsed = leadOutcomeSchema.safeParse(report);
        if (!parsed.success) throw new Error(describeIssues(parsed.error).join('; '));
        const problem = lead.outcomeProblem(requireState(), parsed.data, Date.now());
        if (problem) throw new Error(problem);
      },
    },
  );
  setHandler(lm.leadRepliedSignal, (reply) => void inbox.push({ type: 'reply', reply }));
  setHandler(lm.resumeLeadSignal, () => void inbox.push({ type: 'resume' }));
  setHandler(lm.endLeadSignal, ({ reason }) => void inbox.push({ type: 'end', reason }));
  setHandler(lm.leadDealSignal, (deal) => void inbox.push({ type: 'deal', deal }));
  setHandler(lm.leadStatusQuery, () => {
    if (state) return lead.leadStatus(state);
    throw new Error('the lead is being assigned: ask again in a moment');
  });
  const requireState = () => {
    if (!state) throw new Error('the lead is being assigned: try again in a moment');
    return state;
  };
  const finishedTasks: Array<{ taskId: string; outcome: string; notes?: string; at: string }> = [];

  // ---- the road ----
  await condition(() => captured !== undefined);
  // Asked once the lead is in (a run that started before it replays its activities and timers).
  const light = patch('lead-light');
  const steps = light ? local : activities;
  const first = captured!;
  const { agent, why } = await steps.assignLead.executeWithOptions({ summary: `Assign lead ${first.id}` }, [{ lead: first, exclude: [] }]);
  log.info('lead assigned', { agent, why });
  // Captures that came in while the agent was chosen are merged in `captured` already.
  state = lead.newLeadState({ lead: captured!, agent, nowMs: Date.now(), plan: EIGHT_BY_EIGHT, sendingHours: input.sendingHours ?? DEFAULT_SENDING_HOURS, timings: input.timings ?? lead.DEFAULT_LEAD_TIMINGS });
  const s = state;
  s.captures = capturesBefore;

  const person = (): Customer => leadAsCustomer(s.lead, s.agent);
  const leadTask = (taskId: string, reason: LeadTask['reason'], dueMs: number, extra: Partial<LeadTask> = {}): LeadTask => {
    const p = s.lead;
    return {
      type: 'lead',
      taskId,
      reason,
      agent: s.agent,
      owner: s.agent,
      customerId: p.id,
      customerName: [p.name.first, p.name.last].filter(Boolean).join(' '),
      ...(p.email ? { email: p.email } : {}),
      ...(p.phone ? { phone: p.phone } : {}),
      locale: p.locale,
      timezone: p.timezone,
      dueAt: new Date(dueMs).toISOString(),
      ...(p.needs ? { needs: p.needs } : {}),
      source: [p.source.channel, p.source.text].filter(Boolean).join(': '),
      ...(s.missedBy.length ? { missedBy: [...s.missedBy] } : {}),
      ...extra,
    };
  };
  /** A task for people must not end the lead's road: a failure that will not pass is logged. */
  const bestEffort = async (what: string, fn: () => Promise<unknown>) => {
    try {
      await fn();
    } catch (err) {
      const cause = activityFailureCause(err);
      if (!cause) throw err;
      log.error(`${what} failed`, { error: (err as Error).message });
    }
  };

  // Upserts only what changed: every upsert is a history event.
  let published = '';
  const publish = () => {
    const next = s.touches[0];
    const sending = lead.isSending(s);
    const values = JSON.stringify([s.stage, s.agent, s.done.length, sending ? next?.at : undefined]);
    if (values === published) return;
    published = values;
    upsertSearchAttributes([
      { key: CustomerId, value: s.lead.id },
      { key: TouchPlan, value: '8x8' },
      { key: PlanYear, value: 1 },
      { key: AssignedAgent, value: s.agent },
      { key: LeadStage, value: s.stage },
      { key: LeadSource, value: s.lead.source.channel },
      { key: TouchesDone, value: s.done.length },
      { key: NextTouchAt, value: sending && next ? new Date(next.at) : null },
      { key: NextTouchKind, value: sending && next ? next.kind : null },
    ]);
  };

  // The store hears every stage change once, and the tasks the agent finished.
  let stagesRecorded = 0;
  const record = async () => {
    const changes = s.stages.slice(stagesRecorded).map((c) => ({ leadId: s.lead.id, stage: c.stage, agent: s.agent, source: s.lead.source.channel, at: c.at, ...(c.reason ? { reason: c.reason } : {}) }));
    const done = finishedTasks.splice(0);
    if (changes.length === 0 && done.length === 0) return;
    await steps.recordLead.executeWithOptions({ summary: `Record lead stage: ${s.stage}` }, [{ changes, doneTasks: done }]);
    stagesRecorded = s.stages.length;
  };

  await steps.giveLeadTask.executeWithOptions({ summary: `First contact: ${s.agent}` }, [{ task: leadTask(s.contact.taskId, 'first-contact', s.contact.dueMs), notice: 'new' }]);

  async function run(touch: Touch): Promise<TouchResult | { retryAtMs: number; held: string }> {
    const channel = touch.channel;
    if (channel === 'none') return { outcome: 'skipped', reason: 'no channel with consent and contact details for this touch' };
    const req = { key: touchKey(workflowId, EIGHT_BY_EIGHT_YEAR, touch.seq), customer: person(), touch, context: { plan: '8x8', planYear: EIGHT_BY_EIGHT_YEAR, ...(touch.kind === 'call' ? { call: callContext(touch) } : {}) } };
    try {
      // A postal item or a call task is a cheap step (on workflow time); email and SMS are sends.
      if (light && channel !== 'email' && channel !== 'sms') return await local.deliverTouch.executeWithOptions({ summary: touchSummary(touch) }, [{ ...req, workflowNowMs: Date.now() }]);
      return await activities.deliverTouch.executeWithOptions({ summary: touchSummary(touch) }, [req]);
    } catch (err) {
      const cause = activityFailureCause(err);
      if (cause instanceof ApplicationFailure) {
        // The contact limit (across the person's plans), quiet hours, a blackout date: later, with the reason.
        if (cause.type === 'ContactPressure') {
          const hold = cause.details?.[0] as { retryAtMs: number; reason: string };
          return { retryAtMs: hold.retryAtMs, held: hold.reason };
        }
        return { outcome: 'failed', reason: cause.message };
      }
      throw err;
    }
  }
  const callContext = (touch: Touch) => ({
    plan: '8x8',
    planYear: EIGHT_BY_EIGHT_YEAR,
    recentTouches: s.done.slice(-5).map((t) => ({ kind: t.kind, title: t.title, channel: t.channel, at: t.at, outcome: t.outcome })),
    previousCalls: s.outcomes.map((o) => ({ at: o.at, outcome: o.outcome, ...(o.notes ? { notes: o.notes } : {}) })),
    upcoming: s.touches.filter((t) => t.seq !== touch.seq).slice(0, 3).map((t) => ({ kind: t.kind, title: t.title, at: t.at, ...(t.occasion ? { occasion: t.occasion } : {}) })),
    referrals: 0,
  });

  /** The deal: the same person continues as `customer-<id>` on client-for-life, nothing repeated within 30 days. */
  async function handOver(d: lm.LeadDeal): Promise<void> {
    const merged = customerSchema.safeParse({ ...person(), ...(d.customer ?? {}), id: s.lead.id });
    const customer = merged.success ? merged.data : person();
    if (!merged.success) log.warn('deal customer fields ignored', { problems: describeIssues(merged.error, 'customer') });
    const start: CustomerYearInput = {
      v: 1,
      customerId: s.lead.id,
      plan: 'client-for-life',
      planYear: 1,
      customer,
      deals: [d.deal],
      ...(customer.segment ? { segment: customer.segment } : {}),
      ...(input.sendingHours ? { sendingHours: input.sendingHours } : {}),
      recentTouches: lead.recentSends(s, Date.now()),
    };
    try {
      await startChild(customerYear, {
        workflowId: customerWorkflowId(s.lead.id),
        args: [start],
        parentClosePolicy: 'ABANDON',
        ...(input.taskQueue ? { taskQueue: input.taskQueue } : {}),
        typedSearchAttributes: [
          { key: CustomerId, value: s.lead.id },
          { key: TouchPlan, value: 'client-for-life' },
          { key: PlanYear, value: 1 },
          { key: AssignedAgent, value: customer.agent },
        ],
        staticSummary: `Customer ${s.lead.id}: client-for-life year 1 (from lead, agent ${customer.agent})`,
      });
    } catch (err) {
      // The customer's year runs already (the deal also came straight to /v1/deals): tell it.
      if (!(err instanceof WorkflowExecutionAlreadyStartedError)) throw err;
      await getExternalWorkflowHandle(customerWorkflowId(s.lead.id)).signal(dealClosedSignal, { customer, deal: d.deal });
    }
    s.deal = d.deal;
    lead.end(s, 'deal', `deal ${d.deal.id}`, Date.now());
  }

  async function handle(event: LeadEvent): Promise<void> {
    const now = Date.now();
    switch (event.type) {
      case 'reply': {
        const taskId = `${workflowId}.reply.${event.reply.id.replace(/[^A-Za-z0-9]/g, '').slice(0, 40)}`;
        if (!lead.replied(s, { id: event.reply.id, channel: event.reply.channel, at: event.reply.receivedAt }, taskId, now)) return;
        await bestEffort('reply task', () =>
          steps.giveLeadTask.executeWithOptions({ summary: `Reply from the lead: task for ${s.agent}` }, [{ task: leadTask(taskId, 'reply', Date.parse(event.reply.receivedAt), { text: event.reply.text }), notice: 'new' }]),
        );
        return;
      }
      case 'resume':
        lead.resume(s, now);
        return;
      case 'end':
        lead.end(s, 'lost', event.reason, now);
        return;
      case 'deal':
        if (!s.ended) await handOver(event.deal);
        return;
    }
  }

  /** A timer to `atMs` that outlives the loop's iterations (behind `lead-light`). */
  interface KeptTimer {
    atMs: number;
    fired: Promise<void>;
    done: boolean;
    cancel(): void;
  }
  let timer: KeptTimer | undefined;
  function startTimer(atMs: number, ms: number, summary: string): KeptTimer {
    const scope = new CancellationScope();
    const t: KeptTimer = {
      atMs,
      done: false,
      fired: scope.run(() => sleep(ms, { summary })).then(
        () => void (t.done = true),
        () => undefined, // cancelled: a new wake-up replaced it
      ),
      cancel: () => scope.cancel(),
    };
    return t;
  }

  for (;;) {
    while (inbox.length > 0) await handle(inbox.shift()!);
    publish();
    await record();
    if (s.ended || s.stage === 'nurture') break;
    const seen = changes;
    const wake = () => inbox.length > 0 || changes !== seen;
    const until = lead.nextWake(s);
    const waitMs = until.atMs - Date.now();
    if (!Number.isFinite(waitMs)) {
      timer?.cancel();
      timer = undefined;
      await condition(wake);
      continue;
    }
    if (light) {
      // The timer stays when what woke the loop (an outcome, a reply) leaves the next wake-up
      // where it was: no cancelled timer and no new one in the history.
      if (waitMs > 0) {
        if (timer?.atMs !== until.atMs) {
          timer?.cancel();
          timer = startTimer(until.atMs, waitMs, until.summary);
        }
        const woken = new CancellationScope();
        const fired = timer.fired;
        await Promise.race([fired, woken.run(() => condition(wake)).catch(() => undefined)]);
        woken.cancel();
        // Woken (with or without the timer): the inbox first, as below; a fired timer is acted on next time round.
        if (!timer.done || wake()) {
          if (timer.done) timer = undefined;
          continue;
        }
      }
      timer = undefined;
    } else if (waitMs > 0 && (await condition(wake, waitMs, { summary: until.summary }))) continue;
    switch (until.what) {
      case 'contact-reminder':
        s.contact.remindedMs = Date.now();
        await bestEffort('first-contact reminder', () =>
          steps.giveLeadTask.executeWithOptions({ summary: `Reminder: first contact (${s.agent})` }, [{ task: leadTask(s.contact.taskId, 'first-contact', s.contact.dueMs), notice: 'reminder' }]),
        );
        continue;
      case 'reassign': {
        const before = s.agent;
        const next = await steps.assignLead.executeWithOptions({ summary: `Reassign lead ${s.lead.id} (not contacted by ${before})` }, [{ lead: s.lead, exclude: [...s.missedBy, before] }]);
        const task = lead.reassignContact(s, next.agent, Date.now());
        await bestEffort('reassigned first contact', () =>
          steps.giveLeadTask.executeWithOptions({ summary: `First contact handed to ${next.agent}` }, [{ task: leadTask(task.taskId, 'first-contact', task.dueMs), notice: 'new' }]),
        );
        await bestEffort('manager notice', () =>
          steps.giveLeadTask.executeWithOptions({ summary: `Tell the manager: ${before} missed the first contact` }, [{ task: leadTask(task.taskId, 'first-contact', task.dueMs), notice: 'escalation', previousAgent: before }]),
        );
        continue;
      }
      case 'contact-later': {
        const taskId = `${workflowId}.later.${s.outcomes.length}`;
        lead.resume(s, Date.now());
        await bestEffort('contact-later task', () => steps.giveLeadTask.executeWithOptions({ summary: `Contact later: task for ${s.agent}` }, [{ task: leadTask(taskId, 'contact-later', Date.now()), notice: 'new' }]));
        continue;
      }
      case 'touch': {
        const touch = until.touch;
        // An SMS waits for 08:00-21:00 local, like every SMS plan33 sends.
        if (touch.channel === 'sms' && !insideHours(Date.now(), s.lead.timezone, SMS_HOURS)) {
          touch.at = new Date(nextSendingSlot(Date.now(), s.lead.timezone, SMS_HOURS).toMillis()).toISOString();
          continue;
        }
        const result = await run(touch);
        if ('retryAtMs' in result) {
          lead.holdBack(s, touch, result.retryAtMs, result.held);
          continue;
        }
        lead.recordDone(s, touch, result, Date.now());
        if (s.touches.length === 0 && lead.isSending(s)) lead.setStage(s, 'nurture', Date.now(), 'the 8x8 ended without a deal');
        continue;
      }
      case 'nurture':
        lead.setStage(s, 'nurture', Date.now(), `qualified ${lead.QUALIFIED_WAIT_DAYS} days ago, no deal since`);
        continue;
      case 'nothing':
        continue;
    }
  }

  timer?.cancel();
  timer = undefined;
  publish();
  await record();
  await condition(allHandlersFinished);
  // Signals that came in meanwhile (a deal, an end) are handled before the road goes on.
  while (inbox.length > 0 && !s.ended) await handle(inbox.shift()!);
  if (s.ended) {
    await record();
    return lead.leadStatus(s);
  }
  // No deal after the 8x8 (or long after positive interest): the general 33, year after year,
  // under the same workflow id, until a deal or an opt-out. Nothing of a kind the 8x8 sent in
  // the last 30 days is repeated.
  const general = makeContinueAsNewFunc<typeof customerYear>({ workflowType: 'customerYear' });
  return general({
    v: 1,
    customerId: s.lead.id,
    plan: 'general-33',
    planYear: 1,
    customer: person(),
    ...(s.lead.segment ? { segment: s.lead.segment } : {}),
    ...(input.sendingHours ? { sendingHours: input.sendingHours } : {}),
    yearStartMs: Date.now(),
    recentTouches: lead.recentSends(s, Date.now()),
  }) as never;
}

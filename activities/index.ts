// The activity factory: every activity gets exactly the dependencies it needs, and only
// worker/ builds the real ones from validated config. Workflows import this file by type only.
import { ApplicationFailure, Context, log as activityLog } from '@temporalio/activity';
import type { Transporter } from 'nodemailer';
import { DateTime } from 'luxon';
import type { Customer } from '../plan/customer';
import { resolvePlan, type PlanDefinition, type PlanOverrides } from '../plan/definitions';
import type { PlanName, Touch, TouchResult } from '../plan/touch';
import { listUnsubscribeHeaders, type UnsubscribeConfig } from '../lib/unsubscribe';
import { createAgentDirectory, type AgentDirectory } from './agents';
import { buildCallTask, renderAgentEmail, type AgentEmailKind, type CallContext, type CallTask, type ReplyTask } from './call-task';
import type { ContactIndex } from '../stores/contacts';
import type { DeliveryLedger } from '../stores/deliveries';
import type { PersonSnapshot, RecordStore, YearProgress } from '../stores/records';
import { languageOf } from './copy';
import { renderPostal, renderTouchEmail, renderTouchSms, type Business, type TouchContext } from './email-content';
import { ContentError, loadNewsletterIssue, monthOf } from './newsletter-content';
import type { PostalItem, TaskSink } from './task-sink';
import { postSignedJson, type WebhookTarget } from './webhooks';

/** The calls of the Twilio client plan33 makes (`messages.create`, and `messages.list` to reconcile). */
export interface SmsClient {
  messages: {
    create(opts: { to: string; body: string; from?: string; messagingServiceSid?: string }): Promise<{ sid: string }>;
    list(opts: { to: string; limit: number }): Promise<Array<{ sid: string; body: string; dateCreated: Date }>>;
  };
}

export interface ActivityDeps {
  mailer: Pick<Transporter, 'sendMail'>;
  sms?: { client: SmsClient; from?: string; messagingServiceSid?: string };
  tasks: TaskSink;
  ledger: DeliveryLedger;
  /** The rows reports read: touch outcomes, where each year stands, deals, referrals, call outcomes. */
  records: RecordStore;
  business: Business;
  planOverrides?: PlanOverrides;
  /** Adds RFC 8058 one-click unsubscribe headers to every email when set. */
  unsubscribe?: UnsubscribeConfig;
  /** Agents' emails, cover while away, managers; without it tasks only go to the task folder. */
  agents?: AgentDirectory;
  /** Phone number -> customer, for inbound SMS. */
  contacts?: ContactIndex;
  /** Call and reply tasks are also posted here (signed JSON). */
  crm?: WebhookTarget;
  /** Cards and gifts go to this print-and-mail provider instead of the local queue folder. */
  fulfilment?: WebhookTarget;
  /** Newsletter issues, one per month; unset: the built-in newsletter words. */
  content?: { dir: string; graceHours: number };
  /** Who hears about problems only a person can fix (a missing newsletter issue). */
  operatorEmail?: string;
  /** How an agent completes a task, e.g. the API URL (shown in the agent's email). */
  completeHint?: (taskId: string) => string;
}

export interface TouchDelivery {
  /** Idempotency key: workflow id, plan year and touch number (see plan/ids.ts). */
  key: string;
  customer: Customer;
  touch: Touch;
  context?: TouchContext & { call?: CallContext };
}

export interface CallReminder {
  taskId: string;
  stage: 'reminder' | 'escalation';
  customer: Customer;
  touch: Touch;
  /** The agent the task is with now. */
  assignee: string;
  context: CallContext;
}

export interface CustomerReply {
  key: string;
  customer: Customer;
  messageSid: string;
  text: string;
  receivedAt: string;
}

/** Twilio errors no retry will fix: opted out (21610), invalid or unreachable number. */
const PERMANENT_TWILIO_CODES = new Set([21610, 21211, 21214, 21612, 21614, 21408]);

function permanent(reason: string, type: string): never {
  throw ApplicationFailure.nonRetryable(reason, type);
}

/** An SMTP answer no retry will change: a 5xx reply, or an address the server refuses outright. */
function refusedByMailServer(err: unknown): boolean {
  const e = err as { responseCode?: number; code?: string };
  return (typeof e.responseCode === 'number' && e.responseCode >= 500) || e.code === 'EENVELOPE';
}

/** A stable Message-ID from the idempotency key: receivers can drop a duplicate too. */
export function messageIdFor(key: string): string {
  return `<${key.replace(/[^A-Za-z0-9._-]/g, '.')}@plan33>`;
}

const fullName = (c: Customer) => [c.name.first, c.name.last].filter(Boolean).join(' ');

/** Workflow time of this attempt (the server's clock, so it is also right on a time-skipping server). */
function attemptTimeMs(): number {
  try {
    return Context.current().info.currentAttemptScheduledTimestampMs;
  } catch {
    return Date.now(); // called outside an activity (unit use)
  }
}

const attemptIso = () => new Date(attemptTimeMs()).toISOString();

/** Who a delivery's row is about (the plan and year come with the touch's context). */
function personOf(req: TouchDelivery): PersonSnapshot {
  const { customer, context } = req;
  return { customerId: customer.id, workflowId: req.key.split('.y')[0]!, name: fullName(customer), agent: customer.agent, plan: context?.plan ?? 'client-for-life', planYear: context?.planYear ?? 1 };
}

export function createActivities(deps: ActivityDeps) {
  const { mailer, ledger, business, tasks } = deps;
  const agents = deps.agents ?? createAgentDirectory();
  const completeHint = deps.completeHint ?? ((taskId: string) => `npx plan33 complete-call --task ${taskId} --outcome reached --notes "..."`);

  /** Runs a side effect once per key (a sub-step of an activity that may be retried). */
  async function once<T extends TouchResult>(key: string, fn: () => Promise<T>): Promise<TouchResult> {
    const earlier = await ledger.get(key);
    if (earlier) return earlier;
    const result = await fn();
    await ledger.record(key, result);
    return result;
  }

  async function emailTo(key: string, to: string, subject: string, text: string): Promise<void> {
    await once(key, async () => {
      await mailer.sendMail({ from: business.mailFrom, to, subject, text, messageId: messageIdFor(key), headers: { 'X-Plan33-Task': key } });
      return { outcome: 'sent' as const, reference: messageIdFor(key) };
    });
  }

  /** This month's newsletter issue in the customer's language; alerts and waits when missing. */
  async function newsletterFor(customer: Customer, touch: Touch): Promise<TouchContext['newsletter']> {
    if (!deps.content || touch.kind !== 'newsletter') return undefined;
    // The month it was first due: a wait past the month's end must not pick next month's issue.
    const month = monthOf(touch.firstAt ?? touch.at, customer.timezone);
    const lang = languageOf(customer);
    let problem = `newsletters/${month}.json has no "${lang}" issue`;
    try {
      const issue = await loadNewsletterIssue(deps.content.dir, month, lang);
      if (issue) return { subject: issue.subject, paragraphs: issue.paragraphs };
    } catch (err) {
      if (!(err instanceof ContentError)) throw err;
      problem = err.message;
    }
    const dueMs = Date.parse(touch.firstAt ?? touch.at);
    const deadlineMs = dueMs + deps.content.graceHours * 3_600_000;
    const now = attemptTimeMs();
    if (now >= deadlineMs) permanent(`no ${month} newsletter issue (${lang}) by the deadline: ${problem}`, 'ContentMissing');
    // The alert must not hold the customers up: if it cannot be sent, the log still says it.
    await once(`alert.newsletter.${month}.${lang}`, async () => {
      activityLog.error('newsletter issue missing: add it before the deadline or the touch is skipped', { month, lang, problem, deadline: new Date(deadlineMs).toISOString() });
      if (deps.operatorEmail) {
        const text = [`plan33 could not send the ${month} newsletter (${lang}): ${problem}.`, '', `Add it to the content folder (${deps.content!.dir}/newsletters/${month}.json).`, `plan33 keeps trying until ${new Date(deadlineMs).toISOString()}; after that, the newsletter is recorded as skipped for each customer still waiting.`].join('\n');
        await mailer.sendMail({ from: business.mailFrom, to: deps.operatorEmail, subject: `plan33: the ${month} newsletter (${lang}) is missing`, text, messageId: messageIdFor(`alert.newsletter.${month}.${lang}`) });
      }
      return { outcome: 'sent' as const };
    }).catch((err: Error) => activityLog.error('could not email the operator about the missing newsletter issue', { month, lang, error: err.message }));
    // Not an activity retry: the workflow moves this touch later and goes on with the others.
    throw ApplicationFailure.create({
      message: `waiting for the ${month} newsletter issue (${lang}): ${problem}`,
      type: 'ContentNotReady',
      nonRetryable: true,
      details: [{ retryAtMs: Math.min(deadlineMs, now + Math.max(600_000, (deps.content.graceHours * 3_600_000) / 12)) }],
    });
  }

  async function sendEmail({ key, customer, touch, context }: TouchDelivery): Promise<TouchResult> {
    if (!customer.email || !customer.consent.email) permanent('no email address or no email consent', 'NoConsent');
    const content = await renderTouchEmail(customer, touch, business, context);
    const messageId = messageIdFor(key);
    const unsure = await ledger.sendingMark(key);
    // SMTP has no way to ask "did you get it?": the resend keeps the Message-ID, so the
    // receiving mailbox can drop the copy, and the log says so.
    if (unsure) activityLog.warn('an earlier attempt may have sent this email; resending with the same Message-ID', { key, startedAt: unsure.startedAt });
    await ledger.markSending(key, { startedAt: new Date().toISOString(), channel: 'email' });
    try {
      const headers = { 'X-Plan33-Touch': key, ...(deps.unsubscribe ? listUnsubscribeHeaders(deps.unsubscribe, customer.id) : {}) };
      await mailer.sendMail({ from: business.mailFrom, to: customer.email, subject: content.subject, text: content.text, html: content.html, messageId, headers });
    } catch (err) {
      if (refusedByMailServer(err)) permanent(`refused by the mail server: ${(err as Error).message}`, 'PermanentDeliveryFailure');
      throw err; // transient: Temporal retries with backoff
    }
    return { outcome: 'sent', reference: messageId };
  }

  async function sendSms({ key, customer, touch, context }: TouchDelivery): Promise<TouchResult> {
    if (!deps.sms) permanent('SMS is not configured (TWILIO_ACCOUNT_SID)', 'ChannelNotConfigured');
    if (!customer.phone || !customer.consent.sms) permanent('no phone number or no SMS consent', 'NoConsent');
    const { client, from, messagingServiceSid } = deps.sms;
    const to = customer.phone;
    const body = renderTouchSms(customer, touch, business, context);
    await deps.contacts?.remember(to, { customerId: customer.id, workflowId: key.split('.y')[0]! });
    // An earlier attempt died after starting: ask Twilio whether that message went out.
    const unsure = await ledger.sendingMark(key);
    if (unsure) {
      const since = Date.parse(unsure.startedAt) - 60_000;
      const sent = (await client.messages.list({ to, limit: 50 })).find((m) => m.body === (unsure.body ?? body) && m.dateCreated.getTime() >= since);
      if (sent) {
        activityLog.warn('an earlier attempt sent this SMS before it died; not sending again', { key, sid: sent.sid });
        return { outcome: 'sent', reference: sent.sid };
      }
    }
    await ledger.markSending(key, { startedAt: new Date().toISOString(), channel: 'sms', to, body });
    try {
      const message = await client.messages.create({ to, body, ...(messagingServiceSid ? { messagingServiceSid } : { from }) });
      return { outcome: 'sent', reference: message.sid };
    } catch (err) {
      const e = err as { code?: number; status?: number; message: string };
      if (e.code !== undefined && PERMANENT_TWILIO_CODES.has(e.code)) permanent(`Twilio refused the message (${e.code}): ${e.message}`, 'PermanentDeliveryFailure');
      throw err; // 429 and 5xx: Temporal retries with backoff
    }
  }

  async function queuePostal({ key, customer, touch, context }: TouchDelivery): Promise<TouchResult> {
    if (!customer.address || !customer.consent.postal) permanent('no postal address or no postal consent', 'NoConsent');
    const item: PostalItem = {
      type: 'postal',
      taskId: key,
      customerId: customer.id,
      recipient: fullName(customer),
      address: customer.address,
      kind: touch.kind,
      item: touch.kind === 'give-away' || touch.kind === 'value-added' ? touch.title : `${{ newsletter: 'Printed newsletter', 'follow-up-letter': 'Letter' }[touch.kind as string] ?? 'Card'}: ${touch.title}`,
      title: touch.title,
      message: renderPostal(customer, touch, business, context),
      locale: customer.locale,
    };
    if (deps.fulfilment) {
      const answer = (await postSignedJson(deps.fulfilment, item, key)) as { id?: unknown } | undefined;
      return { outcome: 'sent', reference: typeof answer?.id === 'string' ? answer.id : key };
    }
    await tasks.push(item, attemptIso());
    return { outcome: 'sent', reference: key };
  }

  /** The task to the folder, the agent's inbox and the CRM; each step once per key. */
  async function handOver(task: CallTask | ReplyTask, kind: AgentEmailKind, to: { email?: string; name?: string } | undefined): Promise<string[]> {
    const reached = ['task folder'];
    if (kind === 'new' || kind === 'reply') await tasks.push(task, attemptIso());
    if (kind === 'reassigned') await tasks.replace(task);
    // A reassignment is per new assignee: Sara -> Omar and later Omar -> Lina are two hand-overs.
    const step = kind === 'reassigned' ? `${kind}.${task.agent}` : kind;
    // The task folder is the record; an email or CRM post that can never succeed (a 550 for a
    // mistyped agent address, a 4xx from the CRM) is logged and skipped, never blocks the year.
    // Transient errors still throw, so Temporal retries the activity.
    const bestEffort = async (what: string, fn: () => Promise<unknown>) => {
      try {
        await fn();
        reached.push(what);
      } catch (err) {
        if (!((err instanceof ApplicationFailure && err.nonRetryable) || refusedByMailServer(err))) throw err;
        activityLog.error(`could not reach ${what} for task ${task.taskId}; the task is in the task folder`, { taskId: task.taskId, error: (err as Error).message });
      }
    };
    if (to?.email) {
      const mail = renderAgentEmail(task, kind, { completeHint: completeHint(task.taskId), agentName: agents.get(task.agent)?.name });
      await bestEffort(`email to ${to.name ?? to.email}`, () => emailTo(`${task.taskId}.${step}.email`, to.email!, mail.subject, mail.text));
    }
    if (deps.crm) {
      await bestEffort('CRM', () =>
        once(`${task.taskId}.${step}.crm`, async () => {
          await postSignedJson(deps.crm!, { event: kind === 'new' || kind === 'reply' ? `${task.type}-task` : `call-task-${kind}`, task }, `${task.taskId}.${step}`);
          return { outcome: 'sent' as const };
        }),
      );
    }
    return reached;
  }

  async function createCallTask({ key, customer, touch, context }: TouchDelivery): Promise<TouchResult> {
    if (!customer.phone || !customer.consent.phone) permanent('no phone number or no phone consent', 'NoConsent');
    const day = DateTime.fromISO(touch.at, { zone: customer.timezone }).toISODate()!;
    const assignee = agents.assignee(customer.agent, day);
    const callContext: CallContext = context?.call ?? { plan: context?.plan ?? 'client-for-life', planYear: context?.planYear ?? 1, recentTouches: [], previousCalls: [], upcoming: [], referrals: 0 };
    const task = buildCallTask({ taskId: key, customer, touch, context: callContext, business, assignee });
    await handOver(task, 'new', assignee.agent);
    if (assignee.reassignedFrom) activityLog.info('call task reassigned: agent away', { key, from: assignee.reassignedFrom, to: assignee.id });
    return { outcome: 'sent', reference: key, assignee: assignee.id };
  }

  return {
    /** Delivers one touch on its channel, exactly once per key. */
    async deliverTouch(req: TouchDelivery): Promise<TouchResult> {
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
      try {
        const newsletter = await newsletterFor(req.customer, req.touch);
        const result = await send(newsletter ? { ...req, context: { plan: 'client-for-life', planYear: 1, ...req.context, newsletter } } : req);
        await ledger.record(req.key, result);
        await recordOutcome(result);
        activityLog.info('touch delivered', { key: req.key, kind: req.touch.kind, channel: req.touch.channel });
        return result;
      } catch (err) {
        if (err instanceof ApplicationFailure && err.nonRetryable && err.type !== 'ContentNotReady') await ledger.record(req.key, { outcome: 'failed', reason: err.message });
        throw err;
      }
    },

    /**
     * An open call task is overdue: remind whoever has it, or escalate to the manager. If the
     * agent is away now, the task moves to whoever covers. Returns who has the task now.
     */
    async remindCallTask(req: CallReminder): Promise<{ assignee: string; notified: string[] }> {
      const day = DateTime.fromMillis(attemptTimeMs(), { zone: req.customer.timezone }).toISODate()!;
      const now = agents.assignee(req.assignee, day);
      const task = buildCallTask({ taskId: req.taskId, customer: req.customer, touch: req.touch, context: req.context, business, assignee: now.reassignedFrom ? now : { id: req.assignee } });
      const notified: string[] = [];
      if (now.reassignedFrom) {
        // Reassignment is a new task for the one covering, not a reminder.
        notified.push(...(await handOver(task, 'reassigned', now.agent)).map((n) => `reassigned to ${now.id}: ${n}`));
      }
      // Just handed over: the new holder's hand-over email is their reminder.
      if (req.stage === 'reminder' && !now.reassignedFrom) notified.push(...(await handOver(task, 'reminder', now.agent)));
      else {
        const manager = agents.managerOf(now.id) ?? agents.managerOf(req.customer.agent);
        notified.push(...(await handOver(task, 'escalation', manager ?? (deps.operatorEmail ? { email: deps.operatorEmail, name: 'operator' } : undefined))));
      }
      await tasks.markStage(req.taskId, req.stage, now.id, attemptIso());
      activityLog.info(`call task ${req.stage}`, { taskId: req.taskId, assignee: now.id, notified });
      return { assignee: now.id, notified };
    },

    /** The customer replied to an SMS with words other than STOP/START: a task for the agent. */
    async deliverReply(req: CustomerReply): Promise<TouchResult> {
      const { customer } = req;
      const day = DateTime.fromISO(req.receivedAt, { zone: customer.timezone }).toISODate()!;
      const assignee = agents.assignee(customer.agent, day);
      const task: ReplyTask = { type: 'reply', taskId: req.key, agent: assignee.id, owner: customer.agent, customerId: customer.id, customerName: fullName(customer), phone: customer.phone ?? '', text: req.text, receivedAt: req.receivedAt };
      await handOver(task, 'reply', assignee.agent);
      return { outcome: 'sent', reference: req.key, assignee: assignee.id };
    },

    /**
     * What the year decided that no delivery wrote: skipped and failed touches, call outcomes,
     * referrals, deals, pause and loss. Idempotent (upserts by key): a retry writes the same rows.
     */
    async recordProgress(progress: YearProgress): Promise<void> {
      await deps.records.recordProgress(progress);
    },

    /** The plan definition for a new year or an advocate switch, with the segment's overrides. */
    async loadPlanDefinition(req: { plan: PlanName; version?: number; segment?: string }): Promise<PlanDefinition> {
      return resolvePlan(req.plan, { version: req.version, segment: req.segment, overrides: deps.planOverrides });
    },
  };
}

export type Activities = ReturnType<typeof createActivities>;

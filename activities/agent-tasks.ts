// Work for agents: a call task when a call touch is due, a reply task when a customer answers
// an SMS in words, reminders and escalations for open call tasks. Each goes to the tasks table
// (the record), the agent's email and the CRM webhook, each step once per key; who gets it
// follows the agents directory (away, covered by, manager).
import { ApplicationFailure, log as activityLog } from '@temporalio/activity';
import { DateTime } from 'luxon';
import type { TouchResult } from '../plan/touch';
import { createAgentDirectory } from './agents';
import { buildCallTask, renderAgentEmail, type AgentEmailKind, type CallContext, type CallTask, type ReplyTask } from './call-task';
import type { ActivityDeps, CallReminder, CustomerReply, TouchDelivery } from './deps';
import { attemptIso, attemptTimeMs, fullName, permanent, refusedByMailServer, type Once } from './kit';
import { postSignedJson } from './webhooks';

export function agentTasks(deps: Pick<ActivityDeps, 'tasks' | 'business' | 'agents' | 'crm' | 'operatorEmail' | 'completeHint'>, io: { once: Once; emailTo: (key: string, to: string, subject: string, text: string) => Promise<void> }) {
  const { tasks, business } = deps;
  const { once, emailTo } = io;
  const agents = deps.agents ?? createAgentDirectory();
  const completeHint = deps.completeHint ?? ((taskId: string) => `npx plan33 complete-call --task ${taskId} --outcome reached --notes "..."`);

  /** The task to the folder, the agent's inbox and the CRM; each step once per key. */
  async function handOver(task: CallTask | ReplyTask, kind: AgentEmailKind, to: { email?: string; name?: string } | undefined): Promise<string[]> {
    const reached = ['tasks table'];
    if (kind === 'new' || kind === 'reply') await tasks.push(task, attemptIso());
    if (kind === 'reassigned') await tasks.replace(task);
    // A reassignment is per new assignee: Sara -> Omar and later Omar -> Lina are two hand-overs.
    const step = kind === 'reassigned' ? `${kind}.${task.agent}` : kind;
    // The tasks table is the record; an email or CRM post that can never succeed (a 550 for a
    // mistyped agent address, a 4xx from the CRM) is logged and skipped, never blocks the year.
    // Transient errors still throw, so Temporal retries the activity.
    const bestEffort = async (what: string, fn: () => Promise<unknown>) => {
      try {
        await fn();
        reached.push(what);
      } catch (err) {
        if (!((err instanceof ApplicationFailure && err.nonRetryable) || refusedByMailServer(err))) throw err;
        activityLog.error(`could not reach ${what} for task ${task.taskId}; the task is in the tasks table`, { taskId: task.taskId, error: (err as Error).message });
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
    // A detractor's follow-up call: the manager hears of it with the task ("a complaint is a gift").
    if (touch.occasion === 'nps-detractor') {
      const manager = agents.managerOf(customer.agent) ?? (deps.operatorEmail ? { email: deps.operatorEmail, name: 'operator' } : undefined);
      if (manager?.email) {
        const text = [
          `${fullName(customer)} (${customer.id}) answered the NPS survey: ${touch.title.replace(/^NPS follow-up call: /, '')}.`,
          `A call task went to ${assignee.id} (${key}), due ${DateTime.fromISO(touch.at, { zone: customer.timezone }).toFormat('yyyy-MM-dd HH:mm')} (${customer.timezone}).`,
          'A complaint is a gift: please make sure the call happens and the customer hears back.',
        ].join('\n\n');
        try {
          await emailTo(`${key}.manager-note.email`, manager.email, `NPS detractor: ${fullName(customer)} — call task for ${assignee.id}`, text);
        } catch (err) {
          if (!refusedByMailServer(err)) throw err;
          activityLog.error('the manager could not be told of a detractor; the call task is given', { key, error: (err as Error).message });
        }
      }
    }
    return { outcome: 'sent', reference: key, assignee: assignee.id };
  }

  /**
   * An open call task is overdue: remind whoever has it, or escalate to the manager. If the
   * agent is away now, the task moves to whoever covers. Returns who has the task now.
   */
  async function remindCallTask(req: CallReminder): Promise<{ assignee: string; notified: string[] }> {
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
  }

  /** The customer replied to an SMS with words other than STOP/START: a task for the agent. */
  async function deliverReply(req: CustomerReply): Promise<TouchResult> {
    const { customer } = req;
    const day = DateTime.fromISO(req.receivedAt, { zone: customer.timezone }).toISODate()!;
    const assignee = agents.assignee(customer.agent, day);
    const task: ReplyTask = { type: 'reply', taskId: req.key, agent: assignee.id, owner: customer.agent, customerId: customer.id, customerName: fullName(customer), phone: customer.phone ?? '', text: req.text, receivedAt: req.receivedAt };
    await handOver(task, 'reply', assignee.agent);
    return { outcome: 'sent', reference: req.key, assignee: assignee.id };
  }

  return { createCallTask, remindCallTask, deliverReply };
}

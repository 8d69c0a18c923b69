// Assign and Track for leads: which agent gets a lead (rules, then round robin by open load,
// skipping agents away or at their daily cap), the lead tasks agents get (first contact, a
// reply to answer, a day to call back) with reminders and hand-overs, and the stage rows.
import { ApplicationFailure, log as activityLog } from '@temporalio/activity';
import { DateTime } from 'luxon';
import type { Lead } from '../plan/lead';
import { candidatesFor, DEFAULT_LEAD_SETTINGS, pickAgent, type AgentLoad } from '../plan/lead-routing';
import type { StageChange } from '../stores/leads';
import { createAgentDirectory } from './agents';
import type { ActivityDeps } from './deps';
import { attemptIso, attemptTimeMs, refusedByMailServer } from './kit';
import type { LeadTask } from './task-sink';

export type LeadTaskNotice = 'new' | 'reminder' | 'reassigned' | 'escalation';

const localDay = (iso: string, zone: string) => DateTime.fromISO(iso, { zone }).toFormat("d LLL yyyy, HH:mm");

/** The plain-text email about a lead task: to the agent, or (escalation) to their manager. */
export function renderLeadTaskEmail(task: LeadTask, notice: LeadTaskNotice, opts: { completeHint: string; agentName?: string }): { subject: string; text: string } {
  const what = { 'first-contact': 'New lead', reply: 'A lead replied', 'contact-later': 'Contact a lead today' }[task.reason];
  const subject = {
    new: `${what}: ${task.customerName}`,
    reminder: `Reminder: ${task.customerName} has not been contacted yet`,
    reassigned: `${what} handed over to you: ${task.customerName}`,
    escalation: `Lead not contacted in time: ${task.customerName} (${opts.agentName ?? task.agent})`,
  }[notice];
  const lines = [
    notice === 'escalation'
      ? `${opts.agentName ?? task.agent} did not contact ${task.customerName} by ${localDay(task.dueAt, task.timezone)}; the lead now goes to ${task.agent}.`
      : task.reason === 'first-contact'
        ? `Please contact ${task.customerName} by ${localDay(task.dueAt, task.timezone)} (${task.timezone}).`
        : task.reason === 'reply'
          ? `${task.customerName} answered at ${localDay(task.dueAt, task.timezone)}; the 8x8 plan is paused until you resume or end it.`
          : `${task.customerName} asked to be contacted today.`,
    ...(task.missedBy?.length && notice !== 'escalation' ? [`(Given to ${task.missedBy.join(', ')} before, not contacted in time.)`] : []),
    '',
    `Email: ${task.email ?? '(none)'}   Phone: ${task.phone ?? '(none)'}   Language: ${task.locale}`,
    `Heard of us through: ${task.source}`,
    ...(task.needs ? ['', `Looking for: ${task.needs}`] : []),
    ...(task.text ? ['', `Their words: ${task.text}`] : []),
    '',
    `When done, report the outcome (positive-interest, negative, no-response, contact-later): ${opts.completeHint}`,
    `Task: ${task.taskId}`,
  ];
  return { subject, text: lines.join('\n') };
}

export function leadActivities(
  deps: Pick<ActivityDeps, 'tasks' | 'agents' | 'leads' | 'leadSettings' | 'operatorEmail' | 'completeHint'>,
  io: { emailTo: (key: string, to: string, subject: string, text: string) => Promise<void> },
) {
  const agents = deps.agents ?? createAgentDirectory();
  const settings = deps.leadSettings ?? DEFAULT_LEAD_SETTINGS;
  const completeHint = deps.completeHint ?? ((taskId: string) => `npx plan33 lead outcome --task ${taskId} --outcome positive-interest --notes "..."`);

  /**
   * The agent for a lead: the one given at capture (if available), else the rules' candidates,
   * else anyone who takes leads; among them the lowest open load per weight, round robin among
   * equals. `exclude`: agents who let the first contact pass.
   */
  async function assignLead(req: { lead: Lead; exclude: string[] }): Promise<{ agent: string; why: string }> {
    const { lead, exclude } = req;
    const nowMs = attemptTimeMs();
    const day = DateTime.fromMillis(nowMs, { zone: lead.timezone });
    const today = day.toISODate()!;
    const everyone = agents.all().filter((a) => a.takesLeads).map((a) => a.id);
    const available = (id: string) => !exclude.includes(id) && !agents.isAway(id, today);
    let chosen: { agent: string; why: string } | undefined;
    if (lead.agent && available(lead.agent) && (everyone.length === 0 || agents.get(lead.agent))) chosen = { agent: lead.agent, why: 'named at capture' };
    if (!chosen && everyone.length > 0) {
      const { agents: candidates, rule } = candidatesFor(lead, settings, everyone);
      const facts = deps.leads ? await deps.leads.agentFacts(everyone, day.startOf('day').toUTC().toISO()!, day.endOf('day').toUTC().toISO()!) : new Map();
      const loads = (ids: string[]): AgentLoad[] =>
        ids
          .filter((id) => agents.get(id))
          .map((id) => {
            const a = agents.get(id)!;
            const f = facts.get(id) ?? { open: 0, givenToday: 0 };
            return { id, open: f.open, givenToday: f.givenToday, weight: a.weight, away: agents.isAway(id, today), ...(a.dailyCap !== undefined ? { dailyCap: a.dailyCap } : {}), ...(f.lastLeadMs !== undefined ? { lastLeadMs: f.lastLeadMs } : {}) };
          });
      const byRule = pickAgent(loads(candidates), exclude);
      if (byRule) chosen = { agent: byRule.agent, why: `${rule !== undefined ? `rule ${rule + 1}` : 'any agent'}: ${byRule.why}` };
      else {
        const anyone = pickAgent(loads(everyone), exclude);
        if (anyone) chosen = { agent: anyone.agent, why: `no one of ${rule !== undefined ? `rule ${rule + 1}` : 'the team'} available: ${anyone.why}` };
      }
    }
    // No one free at all: the lead stays with who had it (or was named), and the manager hears of it.
    chosen ??= { agent: lead.agent ?? exclude.at(-1) ?? everyone[0] ?? 'unassigned', why: 'no agent available (away, at the daily cap, or already tried)' };
    await deps.leads?.recordAssignment(lead.id, chosen.agent, new Date(nowMs).toISOString());
    activityLog.info('lead assigned', { leadId: lead.id, agent: chosen.agent, why: chosen.why });
    return chosen;
  }

  /** A lead task to the tasks table and the agent's email (or, for an escalation, the manager's); each once. */
  async function giveLeadTask(req: { task: LeadTask; notice: LeadTaskNotice; previousAgent?: string }): Promise<{ notified: string[] }> {
    const { task, notice } = req;
    if (notice === 'new') await deps.tasks.push(task, attemptIso());
    if (notice === 'reassigned') await deps.tasks.replace(task);
    if (notice === 'reminder') await deps.tasks.markStage(task.taskId, 'reminder', task.agent, attemptIso());
    const notified = ['tasks table'];
    const to =
      notice === 'escalation'
        ? (agents.managerOf(req.previousAgent ?? task.owner) ?? agents.managerOf(task.agent) ?? (deps.operatorEmail ? { email: deps.operatorEmail, name: 'operator' } : undefined))
        : agents.get(task.agent);
    if (to?.email) {
      const mail = renderLeadTaskEmail(task, notice, { completeHint: completeHint(task.taskId), agentName: agents.get(req.previousAgent ?? task.agent)?.name });
      try {
        await io.emailTo(`${task.taskId}.${notice}.${task.agent}.email`, to.email, mail.subject, mail.text);
        notified.push(`email to ${to.name ?? to.email}`);
      } catch (err) {
        // The tasks table is the record: an address the server refuses is logged, not retried forever.
        if (!((err instanceof ApplicationFailure && err.nonRetryable) || refusedByMailServer(err))) throw err;
        activityLog.error('could not email a lead task; it is in the tasks table', { taskId: task.taskId, error: (err as Error).message });
      }
    }
    return { notified };
  }

  /** Stage changes of a lead (its row and one history row each) and the lead tasks it finished; idempotent. */
  async function recordLead(req: { changes: StageChange[]; doneTasks: Array<{ taskId: string; outcome: string; notes?: string; at: string }> }): Promise<void> {
    for (const change of req.changes) await deps.leads?.recordStage(change);
    if (req.doneTasks.length > 0) await deps.leads?.completeTasks(req.doneTasks);
  }

  return { assignLead, giveLeadTask, recordLead };
}

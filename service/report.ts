// `plan33 report`: the business at a glance, from Temporal visibility (counts by search
// attribute) and each running customer's status query: customers by plan, touches done this
// month by kind and outcome, referrals, overdue call tasks, and the same per agent.
import type { Client } from '@temporalio/client';
import { PLANS } from '../plan/touch';
import { statusQuery, type CustomerStatus } from '../workflows/messages';
import { ValidationError } from './errors';
import { agentIdSchema } from './operations';

export interface Report {
  month: string;
  customersByPlan: Record<string, number>;
  touchesThisMonth: Record<string, Record<string, number>>;
  referrals: number;
  overdueCalls: Array<{ taskId: string; customerId: string; agent: string; givenAt: string }>;
  perAgent: Record<string, { customers: number; sentThisMonth: number; openCalls: number; overdueCalls: number }>;
}

const RUNNING = `WorkflowType = 'customerYear' AND ExecutionStatus = 'Running'`;
/** An open call task older than this is overdue (the workflow reminds the agent then too). */
export const OVERDUE_AFTER_MS = 48 * 3_600_000;

export async function buildReport(client: Client, opts: { nowMs?: number; agent?: string } = {}): Promise<Report> {
  const nowMs = opts.nowMs ?? Date.now();
  const month = new Date(nowMs).toISOString().slice(0, 7);
  if (opts.agent !== undefined && !agentIdSchema.safeParse(opts.agent).success) throw new ValidationError(['agent: expected an agent id: 1-64 characters, no quotes or backslashes']);
  const agentFilter = opts.agent ? ` AND AssignedAgent = '${opts.agent}'` : '';
  const customersByPlan: Record<string, number> = {};
  for (const plan of PLANS) customersByPlan[plan] = (await client.workflow.count(`${RUNNING} AND TouchPlan = '${plan}'${agentFilter}`)).count;

  const report: Report = { month, customersByPlan, touchesThisMonth: {}, referrals: 0, overdueCalls: [], perAgent: {} };
  for await (const wf of client.workflow.list({ query: `${RUNNING}${agentFilter}` })) {
    const st: CustomerStatus | undefined = await client.workflow
      .getHandle(wf.workflowId, wf.runId)
      .query(statusQuery)
      .catch(() => undefined);
    if (!st) continue;
    const agent = (report.perAgent[st.customer.agent] ??= { customers: 0, sentThisMonth: 0, openCalls: 0, overdueCalls: 0 });
    agent.customers++;
    report.referrals += st.referrals;
    for (const t of st.touchesDone.filter((x) => x.doneAt.startsWith(month))) {
      const byOutcome = (report.touchesThisMonth[t.kind] ??= {});
      byOutcome[t.outcome] = (byOutcome[t.outcome] ?? 0) + 1;
      if (t.outcome === 'sent') agent.sentThisMonth++;
    }
    for (const call of st.calls.filter((c) => !c.outcome)) {
      const holder = (report.perAgent[call.assignee ?? st.customer.agent] ??= { customers: 0, sentThisMonth: 0, openCalls: 0, overdueCalls: 0 });
      holder.openCalls++;
      if (call.givenAt && nowMs - Date.parse(call.givenAt) > OVERDUE_AFTER_MS) {
        holder.overdueCalls++;
        report.overdueCalls.push({ taskId: call.taskId, customerId: st.customerId, agent: call.assignee ?? st.customer.agent, givenAt: call.givenAt });
      }
    }
  }
  return report;
}

// `plan33 report`: the business at a glance from plan33's store, in one SQL query: customers
// by plan, touches done this month by kind and outcome, referrals, overdue call tasks, and the
// same per agent. The rows are written by the workflows' activities as each year moves.
import { PLANS } from '../plan/touch';
import type { Db } from '../stores';
import { buildReport as queryReport, type Report } from '../stores/reports';
import { ValidationError } from './errors';
import { agentIdSchema } from './operations';

export { OVERDUE_AFTER_MS, type Report } from '../stores/reports';

export async function buildReport(db: Db, opts: { nowMs?: number; agent?: string } = {}): Promise<Report> {
  if (opts.agent !== undefined && !agentIdSchema.safeParse(opts.agent).success) throw new ValidationError(['agent: expected an agent id: 1-64 characters, no quotes or backslashes']);
  const report = await queryReport(db, { nowMs: opts.nowMs ?? Date.now(), ...(opts.agent !== undefined ? { agent: opts.agent } : {}) });
  // Every plan is listed, with 0 where nobody is on it.
  report.customersByPlan = Object.fromEntries(PLANS.map((p) => [p, report.customersByPlan[p] ?? 0]));
  return report;
}

// Customer lifetime value (the documents' formula, plan/clv.ts) from plan33's store: one SQL query
// gathers every customer's deals and their referrals' deals; the formula and the distribution are
// pure. Shown by `plan33 status` and `plan33 report`, `GET /v1/customers/:id/value` and
// `GET /v1/reports/clv`.
import { customerIdSchema } from '../plan/customer';
import { customerValue, distribution, type ClvSettings, type CustomerValue } from '../plan/clv';
import type { Db } from '../stores';
import { budget, dealFacts } from '../stores/reports';
import { NotFoundError, ValidationError } from './errors';

export type { CustomerValue } from '../plan/clv';

const today = (nowMs: number) => new Date(nowMs).toISOString().slice(0, 10);

export async function valueOf(db: Db, customerId: string, settings: ClvSettings, nowMs = Date.now()): Promise<CustomerValue & { customerId: string }> {
  if (!customerIdSchema.safeParse(customerId).success) throw new ValidationError([`id: expected 1-64 characters of A-Za-z0-9._-, got ${JSON.stringify(customerId)}`]);
  const [facts] = await dealFacts(db, customerId);
  if (!facts) throw new NotFoundError(`no deals recorded for customer ${customerId}`);
  return { customerId, ...customerValue(facts, today(nowMs), settings) };
}

/** Every customer's value, and the distribution of CLV and of the referral-adjusted value. */
export async function clvReport(db: Db, settings: ClvSettings, nowMs = Date.now()) {
  const rows = (await dealFacts(db)).map((f) => ({ customerId: f.customerId, ...customerValue(f, today(nowMs), settings) }));
  return {
    asOf: today(nowMs),
    currency: settings.currency,
    formula: 'average purchase value × purchases per year × lifespan in years − acquisition cost',
    clv: distribution(rows.map((r) => r.clv)),
    referralAdjusted: distribution(rows.map((r) => r.referralAdjustedClv)),
    customers: rows,
  };
}

export type { BudgetBy, BudgetRow } from '../stores/reports';

const BUDGET_BY = ['month', 'kind', 'owner', 'segment'] as const;

/** The plan's budget for a calendar year: planned and spent cost by month, kind, owner or segment (one query). */
export async function budgetReport(db: Db, input: { year?: unknown; by?: unknown }, currency: string) {
  const year = Number(input.year);
  const problems: string[] = [];
  if (!Number.isInteger(year) || year < 2000 || year > 2200) problems.push(`year: expected a year such as 2027, got ${JSON.stringify(input.year ?? null)}`);
  const by = (input.by ?? 'month') as (typeof BUDGET_BY)[number];
  if (!BUDGET_BY.includes(by)) problems.push(`by: expected one of ${BUDGET_BY.join(', ')}, got ${JSON.stringify(input.by)}`);
  if (problems.length) throw new ValidationError(problems);
  const rows = await budget(db, year, by);
  const sum = (k: 'planned' | 'spent') => Math.round(rows.reduce((a, r) => a + r[k], 0) * 100) / 100;
  return { year, by, currency, rows, total: { planned: sum('planned'), spent: sum('spent') } };
}

// What managers and agents read, in one SQL query each: an agent's open call tasks, and the
// business at a glance (customers by plan, this month's touches by kind and outcome, referrals,
// overdue calls, the same per agent). Never a query per workflow: the rows are already here.
import { sql } from 'kysely';
import type { Db } from './db';

export interface OpenCallTask {
  taskId: string;
  customerId: string;
  customerName: string;
  phone?: string;
  agent: string;
  title: string;
  dueAt: string;
  givenAt?: string;
  remindedAt?: string;
  escalatedAt?: string;
}

export interface AgentFigures {
  customers: number;
  sentThisMonth: number;
  openCalls: number;
  overdueCalls: number;
}

export interface Report {
  month: string;
  customersByPlan: Record<string, number>;
  touchesThisMonth: Record<string, Record<string, number>>;
  referrals: number;
  overdueCalls: Array<{ taskId: string; customerId: string; agent: string; givenAt: string }>;
  perAgent: Record<string, AgentFigures>;
}

const iso = (d: Date | string | null | undefined) => (d ? new Date(d).toISOString() : undefined);

/** Open call tasks of an agent (their own customers' and those they cover), oldest due first. */
export async function openCallTasks(db: Db, agent: string): Promise<OpenCallTask[]> {
  const rows = await db
    .selectFrom('tasks')
    .select(['task_id', 'customer_id', 'agent', 'due_at', 'given_at', 'reminded_at', 'escalated_at', 'payload'])
    .where('type', '=', 'call')
    .where('state', '<>', 'done')
    .where('agent', '=', agent)
    .orderBy('due_at')
    .orderBy('task_id')
    .execute();
  return rows.map((r) => {
    const p = r.payload as { customerName?: string; phone?: string; title?: string; dueAt?: string };
    const task: OpenCallTask = { taskId: r.task_id, customerId: r.customer_id, customerName: p.customerName ?? '', agent: r.agent ?? agent, title: p.title ?? 'Call', dueAt: p.dueAt ?? iso(r.due_at) ?? '' };
    if (p.phone) task.phone = p.phone;
    for (const [k, v] of [['givenAt', r.given_at], ['remindedAt', r.reminded_at], ['escalatedAt', r.escalated_at]] as const) if (v) task[k] = iso(v)!;
    return task;
  });
}

/** An open call task older than this is overdue (the workflow reminds the agent then too). */
export const OVERDUE_AFTER_MS = 48 * 3_600_000;

/** The report for the UTC month of `nowMs`; with `agent`, only that agent's customers. */
export async function buildReport(db: Db, opts: { nowMs: number; agent?: string }): Promise<Report> {
  const now = new Date(opts.nowMs);
  const from = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), 1));
  const to = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() + 1, 1));
  const overdueBefore = new Date(opts.nowMs - OVERDUE_AFTER_MS);
  const agent = opts.agent ?? null;
  const { rows } = await sql<{ by_plan: Record<string, number>; touches: Array<{ kind: string; outcome: string; n: number }>; referrals: number; overdue: Array<{ taskId: string; customerId: string; agent: string; givenAt: string }>; per_agent: Array<{ agent: string } & AgentFigures> }>`
    with c as (select * from customers where state <> 'cancelled' and (${agent}::text is null or agent = ${agent}::text)),
    o as (select * from touch_outcomes where done_at >= ${from} and done_at < ${to} and customer_id in (select customer_id from c)),
    k as (select * from tasks where type = 'call' and state <> 'done' and customer_id in (select customer_id from c))
    select
      (select coalesce(json_object_agg(plan, n), '{}') from (select plan, count(*)::int as n from c group by plan) x) as by_plan,
      (select coalesce(json_agg(x), '[]') from (select kind, outcome, count(*)::int as n from o group by kind, outcome) x) as touches,
      (select coalesce(sum(referrals), 0)::int from c) as referrals,
      (select coalesce(json_agg(json_build_object('taskId', task_id, 'customerId', customer_id, 'agent', agent, 'givenAt', given_at) order by given_at), '[]') from k where given_at < ${overdueBefore}) as overdue,
      (select coalesce(json_agg(x), '[]') from (
        select a.agent,
          (select count(*)::int from c where c.agent = a.agent) as "customers",
          (select count(*)::int from o where o.agent = a.agent and o.outcome = 'sent') as "sentThisMonth",
          (select count(*)::int from k where k.agent = a.agent) as "openCalls",
          (select count(*)::int from k where k.agent = a.agent and k.given_at < ${overdueBefore}) as "overdueCalls"
        from (select agent from c union select agent from k where agent is not null) a
      ) x) as per_agent
  `.execute(db);
  const r = rows[0]!;
  const touchesThisMonth: Report['touchesThisMonth'] = {};
  for (const t of r.touches) (touchesThisMonth[t.kind] ??= {})[t.outcome] = t.n;
  return {
    month: from.toISOString().slice(0, 7),
    customersByPlan: r.by_plan,
    touchesThisMonth,
    referrals: r.referrals,
    overdueCalls: r.overdue.map((o) => ({ ...o, givenAt: iso(o.givenAt)! })),
    perAgent: Object.fromEntries(r.per_agent.map(({ agent: a, ...figures }) => [a, figures])),
  };
}

export interface DealFactsRow {
  customerId: string;
  values: number[];
  firstDeal: string;
  referredValue: number;
}

/**
 * The inputs of every customer's lifetime value, in one query: their deals' values and first
 * date, and the value of the deals closed by people they referred (a referral's id is the
 * referred person's customer id when the deal app knows it). `customerId` narrows it to one.
 */
export async function dealFacts(db: Db, customerId?: string): Promise<DealFactsRow[]> {
  const one = customerId ?? null;
  const { rows } = await sql<{ customer_id: string; vals: number[]; first_deal: string; referred_value: string | number }>`
    select d.customer_id,
      array_agg(coalesce(d.value, 0)::float8 order by d.closed_at) as vals,
      min(left(d.closed_at, 10)) as first_deal,
      coalesce((select sum(coalesce(rd.value, 0)) from referrals r join deals rd on rd.customer_id = r.referral_id where r.customer_id = d.customer_id), 0) as referred_value
    from deals d
    where (${one}::text is null or d.customer_id = ${one}::text)
    group by d.customer_id
    order by d.customer_id`.execute(db);
  return rows.map((r) => ({ customerId: r.customer_id, values: r.vals.map(Number), firstDeal: r.first_deal, referredValue: Number(r.referred_value) }));
}

export type BudgetBy = 'month' | 'kind' | 'owner' | 'segment';
export interface BudgetRow {
  key: string;
  /** Cost of the touches planned in the year that are not skipped or dropped (sent or still to come). */
  planned: number;
  /** Cost of the touches sent. */
  spent: number;
  touches: number;
  sent: number;
}

/**
 * The plan's budget for calendar year `year` (UTC), for everyone on the books: planned and spent
 * cost by month, kind, owner or segment, in one query over the year's touches and their outcomes.
 */
export async function budget(db: Db, year: number, by: BudgetBy): Promise<BudgetRow[]> {
  const group = { month: sql<string>`to_char(p.at at time zone 'UTC', 'YYYY-MM')`, kind: sql<string>`p.kind`, owner: sql<string>`p.owner`, segment: sql<string>`coalesce(p.segment, '(none)')` }[by];
  const from = new Date(Date.UTC(year, 0, 1));
  const to = new Date(Date.UTC(year + 1, 0, 1));
  const { rows } = await sql<{ key: string; planned: string | null; spent: string | null; touches: number; sent: number }>`
    select ${group} as key,
      sum(p.cost) filter (where not p.dropped and (o.outcome is null or o.outcome = 'sent')) as planned,
      sum(p.cost) filter (where o.outcome = 'sent') as spent,
      (count(*) filter (where not p.dropped and (o.outcome is null or o.outcome = 'sent')))::int as touches,
      (count(*) filter (where o.outcome = 'sent'))::int as sent
    from planned_touches p left join touch_outcomes o on o.key = p.key
    where p.at >= ${from} and p.at < ${to}
    group by 1 order by 1`.execute(db);
  return rows.map((r) => ({ key: r.key, planned: Number(r.planned ?? 0), spent: Number(r.spent ?? 0), touches: r.touches, sent: r.sent }));
}

export interface ReferralAttribution {
  /** Referrals whose link named the touch that asked, by that touch's kind and plan. */
  byTouch: Array<{ kind: string; plan: string; referrals: number }>;
  /** Referrals that came without a touch's link (a call, a word of mouth). */
  unattributed: number;
  total: number;
}

/** Referrals per touch kind and per plan (the touch whose link brought each), in one query. */
export async function referralAttribution(db: Db): Promise<ReferralAttribution> {
  const { rows } = await sql<{ by_touch: Array<{ kind: string; plan: string; referrals: number }>; unattributed: number; total: number }>`
    select
      (select coalesce(json_agg(x order by x.referrals desc, x.kind, x.plan), '[]') from (
        select o.kind, o.plan, count(*)::int as referrals from referrals r join touch_outcomes o on o.key = r.via_key group by o.kind, o.plan) x) as by_touch,
      (select count(*)::int from referrals r where r.via_key is null or not exists (select 1 from touch_outcomes o where o.key = r.via_key)) as unattributed,
      (select count(*)::int from referrals) as total`.execute(db);
  const r = rows[0]!;
  return { byTouch: r.by_touch, unattributed: r.unattributed, total: r.total };
}

// The measurement reports (issue 15, "measure and evaluate"), one SQL query each, over the rows
// the workflows' activities write. Every query takes its period or instant from the caller: a
// period is [from, to) in whole UTC days (`from` and `to` as YYYY-MM-DD, `to` excluded), and
// nothing here reads the host's clock.
//
// Shared definitions:
// - A customer's first deal: the earliest `deals.closed_at` day of that customer id.
// - Lost: a customer row in state `cancelled`; when it was lost is that row's `updated_at` (the
//   last progress the year recorded, which for a lost customer is the cancellation).
// - On the books during a period: first deal before `to`, and not lost before `from`.
import { sql } from 'kysely';
import type { Db } from './db';
import { OVERDUE_AFTER_MS } from './reports';

export interface Period {
  /** First day, YYYY-MM-DD (UTC). */
  from: string;
  /** The day after the last, YYYY-MM-DD (UTC): excluded. */
  to: string;
}

const instant = (day: string) => new Date(`${day}T00:00:00Z`);
const iso = (d: Date | string | null | undefined) => (d ? new Date(d).toISOString() : null);

/** Every customer with a deal: first deal day, deals closed before `to`, and when they were lost (null: not lost). */
const dealCustomers = (p: Period) => sql`
  select f.customer_id, f.first_deal, f.deals, c.holdout, case when c.state = 'cancelled' then c.updated_at end as lost_at
  from (select customer_id, min(left(closed_at, 10)) as first_deal, (count(*) filter (where left(closed_at, 10) < ${p.to}))::int as deals from deals group by customer_id) f
  left join customers c on c.customer_id = f.customer_id`;

/** The customers on the books during the period (see above). */
const onTheBooks = (p: Period) => sql`select * from (${dealCustomers(p)}) dc where dc.first_deal < ${p.to} and (dc.lost_at is null or dc.lost_at >= ${instant(p.from)})`;

export interface RetentionFigures {
  /** On the books at the period's start: first deal before `from`, not lost before `from`. */
  atStart: number;
  /** Of those, lost during the period. */
  lost: number;
  /** First deal during the period. */
  gained: number;
  /** On the books at the period's end: first deal before `to`, not lost before `to`. */
  atEnd: number;
}

/** Retention over a period: of the customers on the books at its start, how many were not lost by its end. */
export async function retention(db: Db, p: Period): Promise<RetentionFigures> {
  const from = instant(p.from);
  const to = instant(p.to);
  const { rows } = await sql<{ at_start: number; lost: number; gained: number; at_end: number }>`
    select
      (count(*) filter (where first_deal < ${p.from} and (lost_at is null or lost_at >= ${from})))::int as at_start,
      (count(*) filter (where first_deal < ${p.from} and lost_at >= ${from} and lost_at < ${to}))::int as lost,
      (count(*) filter (where first_deal >= ${p.from} and first_deal < ${p.to}))::int as gained,
      (count(*) filter (where first_deal < ${p.to} and (lost_at is null or lost_at >= ${to})))::int as at_end
    from (${dealCustomers(p)}) dc`.execute(db);
  const r = rows[0]!;
  return { atStart: r.at_start, lost: r.lost, gained: r.gained, atEnd: r.at_end };
}

export interface ReferralsPerCustomerFigures {
  /** On the books during the period. */
  customers: number;
  /** Referrals they recorded during the period. */
  referrals: number;
  /** Of them, those with at least one referral. */
  referrers: number;
  /** How many customers made 0, 1, 2, ... referrals in the period. */
  distribution: Array<{ referrals: number; customers: number }>;
  /** Referrals in the period from people not on the books (a contact on the general 33, a customer lost before). */
  otherReferrals: number;
}

export async function referralsPerCustomer(db: Db, p: Period): Promise<ReferralsPerCustomerFigures> {
  const from = instant(p.from);
  const to = instant(p.to);
  const { rows } = await sql<{ customers: number; referrals: number; referrers: number; distribution: Array<{ referrals: number; customers: number }>; other_referrals: number }>`
    with b as (${onTheBooks(p)}),
    r as (select customer_id, count(*)::int as n from referrals where recorded_at >= ${from} and recorded_at < ${to} group by customer_id),
    per as (select b.customer_id, coalesce(r.n, 0) as n from b left join r on r.customer_id = b.customer_id)
    select
      (select count(*)::int from per) as customers,
      (select coalesce(sum(n), 0)::int from per) as referrals,
      (select count(*)::int from per where n > 0) as referrers,
      (select coalesce(json_agg(json_build_object('referrals', n, 'customers', k) order by n), '[]') from (select n, count(*)::int as k from per group by n) x) as distribution,
      (select count(*)::int from referrals where recorded_at >= ${from} and recorded_at < ${to} and customer_id not in (select customer_id from b)) as other_referrals`.execute(db);
  const r = rows[0]!;
  return { customers: r.customers, referrals: r.referrals, referrers: r.referrers, distribution: r.distribution, otherReferrals: r.other_referrals };
}

export interface ConversionFigures {
  /** Referrals recorded in the period. */
  referrals: number;
  /** Of them, those whose referred person (referral id = their customer id) has a deal closed before `to`. */
  referralsConverted: number;
  /** Leads created in the period. */
  leads: number;
  /** Of them, those that reached stage `deal` before `to`. */
  leadsConverted: number;
}

export async function referralConversion(db: Db, p: Period): Promise<ConversionFigures> {
  const from = instant(p.from);
  const to = instant(p.to);
  const { rows } = await sql<{ referrals: number; referrals_converted: number; leads: number; leads_converted: number }>`
    with rr as (
      select exists (select 1 from deals d where d.customer_id = r.referral_id and left(d.closed_at, 10) < ${p.to}) as converted
      from referrals r where r.recorded_at >= ${from} and r.recorded_at < ${to}),
    l as (
      select exists (select 1 from lead_stages s where s.lead_id = l.lead_id and s.stage = 'deal' and s.at < ${to}) as converted
      from leads l where l.created_at >= ${from} and l.created_at < ${to})
    select
      (select count(*)::int from rr) as referrals,
      (select (count(*) filter (where converted))::int from rr) as referrals_converted,
      (select count(*)::int from l) as leads,
      (select (count(*) filter (where converted))::int from l) as leads_converted`.execute(db);
  const r = rows[0]!;
  return { referrals: r.referrals, referralsConverted: r.referrals_converted, leads: r.leads, leadsConverted: r.leads_converted };
}

export interface ReferralSourceRow {
  customerId: string;
  name: string | null;
  agent: string | null;
  /** Referrals this customer recorded in the period. */
  referrals: number;
  /** Of them, referred people with a deal closed before `to`. */
  converted: number;
  /** The value of those people's deals closed before `to`. */
  value: number;
}

/** Referrers of the period ranked by converted referrals, then their deals' value, then referrals. */
export async function bestReferralSources(db: Db, p: Period, limit: number): Promise<ReferralSourceRow[]> {
  const { rows } = await sql<{ customer_id: string; name: string | null; agent: string | null; referrals: number; converted: number; value: number }>`
    with rr as (
      select r.customer_id, (select sum(coalesce(d.value, 0)) from deals d where d.customer_id = r.referral_id and left(d.closed_at, 10) < ${p.to}) as value
      from referrals r where r.recorded_at >= ${instant(p.from)} and r.recorded_at < ${instant(p.to)})
    select rr.customer_id, c.name, c.agent, count(*)::int as referrals, count(rr.value)::int as converted, coalesce(sum(rr.value), 0)::float8 as value
    from rr left join customers c on c.customer_id = rr.customer_id
    group by rr.customer_id, c.name, c.agent
    order by converted desc, value desc, referrals desc, rr.customer_id
    limit ${limit}`.execute(db);
  return rows.map((r) => ({ customerId: r.customer_id, name: r.name, agent: r.agent, referrals: r.referrals, converted: r.converted, value: Number(r.value) }));
}

export interface NpsMonthRow {
  /** YYYY-MM (UTC). */
  month: string;
  responses: number;
  /** Score 9-10. */
  promoters: number;
  /** Score 7-8. */
  passives: number;
  /** Score 0-6. */
  detractors: number;
  scoreSum: number;
}

/** NPS answers by UTC month of the period, every month listed (0 responses where none came). */
export async function npsByMonth(db: Db, p: Period): Promise<NpsMonthRow[]> {
  const { rows } = await sql<{ month: string; responses: number; promoters: number; passives: number; detractors: number; score_sum: number }>`
    select to_char(m, 'YYYY-MM') as month,
      count(n.score)::int as responses,
      (count(*) filter (where n.score >= 9))::int as promoters,
      (count(*) filter (where n.score between 7 and 8))::int as passives,
      (count(*) filter (where n.score <= 6))::int as detractors,
      coalesce(sum(n.score), 0)::int as score_sum
    from generate_series(date_trunc('month', ${p.from}::timestamp), ${p.to}::timestamp - interval '1 day', interval '1 month') m
    left join nps_responses n
      on n.answered_at >= m at time zone 'UTC' and n.answered_at < (m + interval '1 month') at time zone 'UTC'
      and n.answered_at >= ${instant(p.from)} and n.answered_at < ${instant(p.to)}
    group by m order by m`.execute(db);
  return rows.map((r) => ({ month: r.month, responses: r.responses, promoters: r.promoters, passives: r.passives, detractors: r.detractors, scoreSum: r.score_sum }));
}

export interface TouchMonthRow {
  month: string;
  kind: string;
  sent: number;
  skipped: number;
  failed: number;
  total: number;
}

/** Touches done in the period by UTC month (of `done_at`), kind and outcome. */
export async function touchesByMonth(db: Db, p: Period): Promise<TouchMonthRow[]> {
  const { rows } = await sql<TouchMonthRow>`
    select to_char(done_at at time zone 'UTC', 'YYYY-MM') as month, kind,
      (count(*) filter (where outcome = 'sent'))::int as sent,
      (count(*) filter (where outcome = 'skipped'))::int as skipped,
      (count(*) filter (where outcome = 'failed'))::int as failed,
      count(*)::int as total
    from touch_outcomes where done_at >= ${instant(p.from)} and done_at < ${instant(p.to)}
    group by 1, 2 order by 1, 2`.execute(db);
  return rows;
}

export interface OverdueAgentRow {
  agent: string;
  /** Open call tasks (not done) of customers not lost. */
  open: number;
  /** Of them, given more than 48 h before `asOf`. */
  overdue: number;
  /** The oldest overdue task's given time. */
  oldestGivenAt: string | null;
}

export interface OverdueCalls {
  rows: OverdueAgentRow[];
  tasks: Array<{ taskId: string; customerId: string; agent: string; givenAt: string }>;
}

/**
 * Overdue calls per agent as of an instant: the open call tasks of customers not lost (as `plan33
 * report` counts them), overdue when given more than OVERDUE_AFTER_MS (48 h) before `asOfMs`.
 */
export async function overdueCalls(db: Db, asOfMs: number): Promise<OverdueCalls> {
  const before = new Date(asOfMs - OVERDUE_AFTER_MS);
  const { rows } = await sql<{ per_agent: Array<{ agent: string; open: number; overdue: number; oldest: string | null }>; tasks: Array<{ taskId: string; customerId: string; agent: string; givenAt: string }> }>`
    with k as (
      select t.task_id, t.customer_id, coalesce(t.agent, '(unassigned)') as agent, t.given_at
      from tasks t join customers c on c.customer_id = t.customer_id
      where t.type = 'call' and t.state <> 'done' and c.state <> 'cancelled')
    select
      (select coalesce(json_agg(x order by x.overdue desc, x.agent), '[]') from (
        select agent, count(*)::int as open, (count(*) filter (where given_at < ${before}))::int as overdue, min(given_at) filter (where given_at < ${before}) as oldest
        from k group by agent) x) as per_agent,
      (select coalesce(json_agg(json_build_object('taskId', task_id, 'customerId', customer_id, 'agent', agent, 'givenAt', given_at) order by given_at, task_id), '[]') from k where given_at < ${before}) as tasks`.execute(db);
  const r = rows[0]!;
  return {
    rows: r.per_agent.map((a) => ({ agent: a.agent, open: a.open, overdue: a.overdue, oldestGivenAt: iso(a.oldest) })),
    tasks: r.tasks.map((t) => ({ ...t, givenAt: iso(t.givenAt)! })),
  };
}

export interface SegmentFigures {
  customers: number;
  vip: number;
  /** Per value class (`vip`, `a`, `b`, `c`; the report's key names kept from before the class had its own name). */
  bySegment: Array<{ segment: string; customers: number; revenue: number }>;
  byAbc: Array<{ abc: string; customers: number; revenue: number }>;
  /** For each RFM score 1-5, how many customers have it as recency, frequency and monetary score. */
  rfm: Array<{ score: number; recency: number; frequency: number; monetary: number }>;
  computedAt: string | null;
}

/** The segments as last computed (the daily schedule writes them): counts per segment, A/B/C, RFM score, VIPs. */
export async function segmentDistribution(db: Db): Promise<SegmentFigures> {
  const { rows } = await sql<{ customers: number; vip: number; by_segment: SegmentFigures['bySegment']; by_abc: SegmentFigures['byAbc']; rfm: SegmentFigures['rfm']; computed_at: string | null }>`
    select
      (select count(*)::int from customer_segments) as customers,
      (select count(*)::int from customer_segments where vip) as vip,
      (select coalesce(json_agg(x order by x.segment), '[]') from (select value_class as segment, count(*)::int as customers, sum(revenue)::float8 as revenue from customer_segments group by value_class) x) as by_segment,
      (select coalesce(json_agg(x order by x.abc), '[]') from (select abc, count(*)::int as customers, sum(revenue)::float8 as revenue from customer_segments group by abc) x) as by_abc,
      (select json_agg(x order by x.score) from (
        select s as score, (count(*) filter (where cs.recency = s))::int as recency, (count(*) filter (where cs.frequency = s))::int as frequency, (count(*) filter (where cs.monetary = s))::int as monetary
        from generate_series(1, 5) s left join customer_segments cs on true group by s) x) as rfm,
      (select max(computed_at) from customer_segments) as computed_at`.execute(db);
  const r = rows[0]!;
  return { customers: r.customers, vip: r.vip, bySegment: r.by_segment, byAbc: r.by_abc, rfm: r.rfm, computedAt: iso(r.computed_at) };
}

export interface GroupFigures {
  holdout: boolean;
  /** On the books during the period. */
  customers: number;
  /** Referrals they recorded in the period, and the sum of each customer's count squared (for the variance). */
  referrals: number;
  referralsSquared: number;
  /** Customers with two deals or more closed before `to`. */
  repeat: number;
  /** NPS answers in the period from these customers. */
  responses: number;
  promoters: number;
  detractors: number;
  scoreSum: number;
  scoreSquared: number;
}

/**
 * Plan vs holdout (customers.holdout) in one query: per group, the customers on the books during
 * the period, their referrals in the period (sum and sum of squares of the per-customer count),
 * those with a repeat deal, and their NPS answers in the period (count, promoters, detractors,
 * sum and sum of squares of the score). Both groups are always returned, plan first.
 */
export async function planVsHoldout(db: Db, p: Period): Promise<[GroupFigures, GroupFigures]> {
  const from = instant(p.from);
  const to = instant(p.to);
  const { rows } = await sql<{ holdout: boolean; customers: number; referrals: number; referrals_squared: number; repeat: number; responses: number; promoters: number; detractors: number; score_sum: number; score_squared: number }>`
    with b as (select customer_id, coalesce(holdout, false) as holdout, deals from (${onTheBooks(p)}) x),
    r as (select customer_id, count(*)::int as n from referrals where recorded_at >= ${from} and recorded_at < ${to} group by customer_id),
    per as (select b.holdout, b.deals, coalesce(r.n, 0) as n from b left join r on r.customer_id = b.customer_id),
    a as (select b.holdout, n.score from nps_responses n join b on b.customer_id = n.customer_id where n.answered_at >= ${from} and n.answered_at < ${to})
    select g.holdout,
      (select count(*)::int from per where per.holdout = g.holdout) as customers,
      (select coalesce(sum(n), 0)::int from per where per.holdout = g.holdout) as referrals,
      (select coalesce(sum(n * n), 0)::int from per where per.holdout = g.holdout) as referrals_squared,
      (select count(*)::int from per where per.holdout = g.holdout and per.deals >= 2) as repeat,
      (select count(*)::int from a where a.holdout = g.holdout) as responses,
      (select count(*)::int from a where a.holdout = g.holdout and a.score >= 9) as promoters,
      (select count(*)::int from a where a.holdout = g.holdout and a.score <= 6) as detractors,
      (select coalesce(sum(score), 0)::int from a where a.holdout = g.holdout) as score_sum,
      (select coalesce(sum(score * score), 0)::int from a where a.holdout = g.holdout) as score_squared
    from (values (false), (true)) g(holdout)
    order by g.holdout`.execute(db);
  const group = (r: (typeof rows)[number]): GroupFigures => ({
    holdout: r.holdout,
    customers: r.customers,
    referrals: r.referrals,
    referralsSquared: r.referrals_squared,
    repeat: r.repeat,
    responses: r.responses,
    promoters: r.promoters,
    detractors: r.detractors,
    scoreSum: r.score_sum,
    scoreSquared: r.score_squared,
  });
  return [group(rows[0]!), group(rows[1]!)];
}

// Value classes from the deals (issue 15): A/B/C by revenue (Pareto), RFM scores 1-5 as
// quintiles, VIP = the top 20 % by revenue, and the value class (`vip`, `a`, `b` or `c`) whose
// `classes` plan overrides apply. The class sits beside the business's own `segment` (a label it
// gives, never overwritten by these figures; issue 24). Pure: the "as of" day is a parameter; no
// clock, no I/O. The daily refresh (workflows/segments.ts, a Temporal Schedule) stores the
// result in customer_segments.value_class.
//
// The rules, exactly (every tie is decided by the values alone, never by id or input order, so
// customers with equal figures always get equal results):
// - ABC: customers ranked by revenue, highest first. A customer's "revenue above" is the sum of
//   the revenue of the customers with strictly more revenue. A when the revenue above is less
//   than 80 % of the total (so the customer who crosses the 80 % line is still A: the A group
//   holds at least 80 % of revenue); else B when it is less than 95 %; else C. Equal revenue,
//   equal class. A customer with no revenue is always C (also when nobody has any).
// - RFM: each score is 1 + floor(5 × k / n), where n is the number of customers and k the
//   number of customers strictly worse on that measure (recency: last deal strictly earlier;
//   frequency: strictly fewer deals; monetary: strictly less revenue). Quintiles by rank: the
//   worst fifth scores 1, the best fifth 5; ties share the score of the lowest rank among them
//   (everyone equal: everyone 1).
// - VIP: fewer than 20 % of the customers have strictly more revenue, i.e. the top ceil(20 % of
//   n) by rank (1 VIP among 1-5 customers, 2 among 6-10, ...), plus anyone tied with the last of
//   them; and revenue above zero.
// - Value class: `vip` when VIP, else the ABC class in lower case.
// Amounts are compared in whole cents, so the shares are exact (no floating-point boundary).

/** The share of total revenue (percent) the A customers reach: up to 80 %. */
export const ABC_A_PERCENT = 80;
/** The share of total revenue (percent) up to which customers are B: 80-95 %; the rest C. */
export const ABC_B_PERCENT = 95;
/** VIP: the top 20 % of customers by revenue. */
export const VIP_PERCENT = 20;
/** RFM scores run from 1 to 5 (quintiles). */
export const RFM_BUCKETS = 5;

export type AbcClass = 'A' | 'B' | 'C';
/** The computed value classes, best first; `classes` overrides are keyed by them. */
export const VALUE_CLASSES = ['vip', 'a', 'b', 'c'] as const;
export type ValueClass = (typeof VALUE_CLASSES)[number];

/** What the deals say about one customer (stores/segments.ts gathers them in one query). */
export interface CustomerFacts {
  customerId: string;
  /** The sum of the deals' values (a deal without a value counts 0). */
  revenue: number;
  /** How many deals. */
  deals: number;
  /** The day of the last deal, YYYY-MM-DD. */
  lastDealOn: string;
}

export interface CustomerSegment {
  customerId: string;
  revenue: number;
  abc: AbcClass;
  /** Days from the last deal to the "as of" day (0: that day). */
  recencyDays: number;
  recency: number;
  frequency: number;
  monetary: number;
  vip: boolean;
  /** `vip` when VIP, else the ABC class in lower case (never the business's own `segment`). */
  valueClass: ValueClass;
}

const DAY_MS = 86_400_000;
const ISO_DAY = /^\d{4}-\d{2}-\d{2}$/;

function dayNumber(day: string, what: string): number {
  if (!ISO_DAY.test(day)) throw new Error(`${what}: expected YYYY-MM-DD, got ${JSON.stringify(day)}`);
  const ms = Date.parse(`${day}T00:00:00Z`);
  if (Number.isNaN(ms)) throw new Error(`${what}: not a date: ${day}`);
  return Math.round(ms / DAY_MS);
}

const cents = (amount: number) => Math.round(amount * 100);

/**
 * For each value, how many values are strictly smaller (the "strictly worse" count when larger
 * is better). O(n log n): sorted once, ties found by value.
 */
function strictlyBelow(values: number[]): number[] {
  const sorted = [...values].sort((a, b) => a - b);
  const firstIndex = new Map<number, number>();
  sorted.forEach((v, i) => {
    if (!firstIndex.has(v)) firstIndex.set(v, i);
  });
  return values.map((v) => firstIndex.get(v)!);
}

/** 1 + floor(5 × k / n): the quintile score of a customer with k customers strictly worse. */
export function quintileScore(worse: number, n: number): number {
  return 1 + Math.floor((RFM_BUCKETS * worse) / n);
}

/**
 * Value classes (and their figures) for every customer, as of a day (YYYY-MM-DD). `facts` should
 * hold only deals closed on or before that day (stores/segments.ts filters them); each customer
 * once. The result is in the order of `facts`.
 */
export function computeSegments(facts: readonly CustomerFacts[], asOf: string): CustomerSegment[] {
  const today = dayNumber(asOf, 'asOf');
  const seen = new Set<string>();
  for (const f of facts) {
    if (seen.has(f.customerId)) throw new Error(`customer ${f.customerId} appears twice`);
    seen.add(f.customerId);
    if (!Number.isFinite(f.revenue) || f.revenue < 0) throw new Error(`customer ${f.customerId}: revenue must be a number >= 0`);
    if (!Number.isInteger(f.deals) || f.deals < 1) throw new Error(`customer ${f.customerId}: deals must be a whole number >= 1`);
  }
  const n = facts.length;
  if (n === 0) return [];
  const revenueCents = facts.map((f) => cents(f.revenue));
  const lastDay = facts.map((f) => dayNumber(f.lastDealOn, `customer ${f.customerId} lastDealOn`));
  const totalCents = revenueCents.reduce((a, b) => a + b, 0);

  // Revenue above each customer: the sum over customers with strictly more revenue.
  const count = new Map<number, number>();
  for (const r of revenueCents) count.set(r, (count.get(r) ?? 0) + 1);
  const descending = [...count.keys()].sort((a, b) => b - a);
  const aboveByRevenue = new Map<number, { revenue: number; customers: number }>();
  let revenueAbove = 0;
  let customersAbove = 0;
  for (const r of descending) {
    aboveByRevenue.set(r, { revenue: revenueAbove, customers: customersAbove });
    const tied = count.get(r)!;
    revenueAbove += r * tied;
    customersAbove += tied;
  }

  const recencyWorse = strictlyBelow(lastDay);
  const frequencyWorse = strictlyBelow(facts.map((f) => f.deals));
  const monetaryWorse = strictlyBelow(revenueCents);

  return facts.map((f, i) => {
    const r = revenueCents[i]!;
    const above = aboveByRevenue.get(r)!;
    // above / total < 80 %  <=>  100 × above < 80 × total (whole cents: exact).
    const abc: AbcClass = r === 0 ? 'C' : 100 * above.revenue < ABC_A_PERCENT * totalCents ? 'A' : 100 * above.revenue < ABC_B_PERCENT * totalCents ? 'B' : 'C';
    // Fewer than 20 % of n strictly above: 100 × above < 20 × n.
    const vip = r > 0 && 100 * above.customers < VIP_PERCENT * n;
    return {
      customerId: f.customerId,
      revenue: r / 100,
      abc,
      recencyDays: today - lastDay[i]!,
      recency: quintileScore(recencyWorse[i]!, n),
      frequency: quintileScore(frequencyWorse[i]!, n),
      monetary: quintileScore(monetaryWorse[i]!, n),
      vip,
      valueClass: vip ? 'vip' : (abc.toLowerCase() as ValueClass),
    };
  });
}

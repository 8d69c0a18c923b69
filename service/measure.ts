// The measurement reports by name (issue 15, "measure and evaluate"): one registry, REPORTS, that
// `GET /v1/reports/:name` and `plan33 report <name>` both serve, so they list the same reports.
// Each report validates its parameters (every bad one named), runs one SQL query (stores/measure.ts,
// or stores/reports.ts for the older ones) with the period or instant the caller gives, and turns
// the counts into rates and, for comparisons, 95 % intervals (plan/stats.ts). `rows` flattens a
// result into one table for the terminal and CSV.
//
// A period is [from, to) in whole UTC days; unset, the 12 whole UTC months up to and including the
// current one. `year` is the calendar year as a period.
import { z } from 'zod';
import { describeIssues } from '../plan/customer';
import { isoDateSchema, isoDayOrInstantSchema } from '../plan/dates';
import { DEFAULT_CLV_SETTINGS, type ClvSettings } from '../plan/clv';
import { meanDifference, proportionDifference, type MeanDifference, type Moments, type ProportionDifference } from '../plan/stats';
import type { Db } from '../stores';
import * as q from '../stores/measure';
import { OVERDUE_AFTER_MS, referralAttribution } from '../stores/reports';
import { NotFoundError, ValidationError } from './errors';
import { agentIdSchema } from './operations';
import { buildReport } from './report';
import { budgetReport, clvReport } from './value';

export type { Period } from '../stores/measure';

export interface ReportContext {
  /** "Now", for the defaults only (the default period, today's CLV, the overview's month); never read inside a query. */
  nowMs: number;
  clv?: ClvSettings;
}

export type Cell = string | number | boolean | null;
export interface ReportTable {
  columns: string[];
  rows: Cell[][];
}

export interface ReportDefinition<T = any> {
  summary: string;
  /** Parameter -> what it means (query string of the API, options of the CLI). */
  params: Record<string, string>;
  run(db: Db, input: Record<string, unknown>, ctx: ReportContext): Promise<T>;
  /** The result as one table (the CLI's table and CSV). */
  rows(result: T): ReportTable;
}

// ---- parameters ----

const day = isoDateSchema('expected a day, YYYY-MM-DD');
const periodFields = {
  from: day.optional(),
  to: day.optional(),
  year: z.coerce.number({ message: 'expected a year such as 2027' }).int('expected a year such as 2027').min(2000, 'expected a year from 2000 to 2200').max(2200, 'expected a year from 2000 to 2200').optional(),
};
const instantOrDay = isoDayOrInstantSchema();

const PERIOD_PARAMS = {
  from: 'first day, YYYY-MM-DD (UTC); default: the first day of the month 11 months ago',
  to: 'the day after the last, YYYY-MM-DD (excluded); default: the first day of next month',
  year: 'a calendar year instead of from/to, e.g. 2027',
};

function parse<S extends z.ZodRawShape>(report: string, shape: S, input: Record<string, unknown>): z.output<z.ZodObject<S>> {
  const unknown = Object.keys(input).filter((k) => !(k in shape) && input[k] !== undefined);
  const problems = unknown.map((k) => `${k}: not a parameter of the ${report} report (its parameters: ${Object.keys(shape).join(', ') || 'none'})`);
  const parsed = z.object(shape).safeParse(input);
  if (!parsed.success) problems.push(...describeIssues(parsed.error));
  if (problems.length || !parsed.success) throw new ValidationError(problems);
  return parsed.data;
}

const addMonths = (d: Date, n: number) => new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + n, d.getUTCDate()));
const dayOf = (d: Date) => d.toISOString().slice(0, 10);

/** The period from validated parameters: year, from/to, or the 12 months up to this one. At most 10 years. */
export function periodOf(input: { from?: string; to?: string; year?: number }, nowMs: number): q.Period {
  if (input.year !== undefined) {
    if (input.from !== undefined || input.to !== undefined) throw new ValidationError(['year: give either year or from/to, not both']);
    return { from: `${input.year}-01-01`, to: `${input.year + 1}-01-01` };
  }
  const now = new Date(nowMs);
  const to = input.to ?? (input.from ? dayOf(addMonths(new Date(`${input.from}T00:00:00Z`), 12)) : dayOf(new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() + 1, 1))));
  const from = input.from ?? dayOf(addMonths(new Date(`${to}T00:00:00Z`), -12));
  if (from >= to) throw new ValidationError([`to: expected a day after from (${from}), got ${to}`]);
  // Compared as instants: past year 9989 the bound's ISO text (+010008-...) would sort before `to`.
  if (addMonths(new Date(`${from}T00:00:00Z`), 120).getTime() < Date.parse(`${to}T00:00:00Z`)) throw new ValidationError([`to: a period of at most 10 years, got ${from} to ${to}`]);
  return { from, to };
}

const instantMs = (value: string | undefined, nowMs: number) => (value === undefined ? nowMs : Date.parse(value.length === 10 ? `${value}T00:00:00Z` : value));

// ---- figures ----

const r4 = (n: number) => Math.round(n * 10_000) / 10_000;
const r2 = (n: number) => Math.round(n * 100) / 100;
const r1 = (n: number) => Math.round(n * 10) / 10;
const ratio = (a: number, b: number) => (b > 0 ? r4(a / b) : null);

export interface Comparison {
  difference: number | null;
  ci: { lower: number; upper: number } | null;
  df?: number | null;
  method: string;
}

const fromProportions = (d: ProportionDifference): Comparison => ({ difference: r4(d.difference), ci: d.ci ? { lower: r4(d.ci.lower), upper: r4(d.ci.upper) } : null, method: d.method });
const fromMeans = (d: MeanDifference, scale = 1): Comparison => ({
  difference: d.difference === undefined ? null : r4(d.difference * scale),
  ci: d.ci ? { lower: r4(d.ci.lower * scale), upper: r4(d.ci.upper * scale) } : null,
  df: d.df === undefined ? null : r2(d.df),
  method: d.method,
});

/** NPS figures from counts: %promoters, %detractors and NPS = %promoters - %detractors (null without answers). */
function npsFigures(f: { responses: number; promoters: number; detractors: number; scoreSum: number }) {
  const pct = (n: number) => (f.responses ? r1((100 * n) / f.responses) : null);
  return {
    responses: f.responses,
    promoters: f.promoters,
    passives: f.responses - f.promoters - f.detractors,
    detractors: f.detractors,
    promotersPct: pct(f.promoters),
    detractorsPct: pct(f.detractors),
    nps: f.responses ? r1((100 * (f.promoters - f.detractors)) / f.responses) : null,
    averageScore: f.responses ? r2(f.scoreSum / f.responses) : null,
  };
}

// ---- the reports ----

async function retention(db: Db, input: Record<string, unknown>, ctx: ReportContext) {
  const period = periodOf(parse('retention', periodFields, input), ctx.nowMs);
  const f = await q.retention(db, period);
  return { period, ...f, retained: f.atStart - f.lost, rate: ratio(f.atStart - f.lost, f.atStart) };
}

async function referralsPerCustomer(db: Db, input: Record<string, unknown>, ctx: ReportContext) {
  const period = periodOf(parse('referrals-per-customer', periodFields, input), ctx.nowMs);
  const f = await q.referralsPerCustomer(db, period);
  return { period, customers: f.customers, referrals: f.referrals, perCustomer: ratio(f.referrals, f.customers), referrers: f.referrers, shareReferring: ratio(f.referrers, f.customers), distribution: f.distribution, otherReferrals: f.otherReferrals };
}

async function referralConversion(db: Db, input: Record<string, unknown>, ctx: ReportContext) {
  const period = periodOf(parse('referral-conversion', periodFields, input), ctx.nowMs);
  const f = await q.referralConversion(db, period);
  return {
    period,
    referrals: { referrals: f.referrals, converted: f.referralsConverted, rate: ratio(f.referralsConverted, f.referrals) },
    leads: { leads: f.leads, converted: f.leadsConverted, rate: ratio(f.leadsConverted, f.leads) },
    /** Referral conversion minus overall lead conversion. */
    difference: fromProportions(proportionDifference(f.referralsConverted, f.referrals, f.leadsConverted, f.leads)),
  };
}

async function bestReferralSources(db: Db, input: Record<string, unknown>, ctx: ReportContext) {
  const params = parse('best-referral-sources', { ...periodFields, limit: z.coerce.number({ message: 'expected a number from 1 to 1000' }).int('expected a whole number').min(1, 'expected 1 to 1000').max(1000, 'expected 1 to 1000').optional() }, input);
  const period = periodOf(params, ctx.nowMs);
  const rows = await q.bestReferralSources(db, period, params.limit ?? 10);
  return { period, sources: rows.map((r, i) => ({ rank: i + 1, ...r, conversion: ratio(r.converted, r.referrals), value: r2(r.value) })) };
}

async function npsOverTime(db: Db, input: Record<string, unknown>, ctx: ReportContext) {
  const period = periodOf(parse('nps', periodFields, input), ctx.nowMs);
  const months = await q.npsByMonth(db, period);
  const sum = (k: 'responses' | 'promoters' | 'detractors' | 'scoreSum') => months.reduce((a, m) => a + m[k], 0);
  return {
    period,
    months: months.map((m) => ({ month: m.month, ...npsFigures(m) })),
    total: npsFigures({ responses: sum('responses'), promoters: sum('promoters'), detractors: sum('detractors'), scoreSum: sum('scoreSum') }),
  };
}

async function touches(db: Db, input: Record<string, unknown>, ctx: ReportContext) {
  const period = periodOf(parse('touches', periodFields, input), ctx.nowMs);
  return { period, rows: await q.touchesByMonth(db, period) };
}

async function overdueCalls(db: Db, input: Record<string, unknown>, ctx: ReportContext) {
  const params = parse('overdue-calls', { asOf: instantOrDay.optional() }, input);
  const asOfMs = instantMs(params.asOf, ctx.nowMs);
  const r = await q.overdueCalls(db, asOfMs);
  return { asOf: new Date(asOfMs).toISOString(), overdueAfterHours: OVERDUE_AFTER_MS / 3_600_000, agents: r.rows, tasks: r.tasks };
}

async function segments(db: Db, input: Record<string, unknown>) {
  parse('segments', {}, input);
  const f = await q.segmentDistribution(db);
  return { ...f, vipShare: ratio(f.vip, f.customers) };
}

async function planVsHoldout(db: Db, input: Record<string, unknown>, ctx: ReportContext) {
  const period = periodOf(parse('plan-vs-holdout', periodFields, input), ctx.nowMs);
  const [plan, holdout] = await q.planVsHoldout(db, period);
  const group = (g: q.GroupFigures) => ({
    customers: g.customers,
    referrals: g.referrals,
    referralsPerCustomer: ratio(g.referrals, g.customers),
    repeatCustomers: g.repeat,
    repeatShare: ratio(g.repeat, g.customers),
    nps: npsFigures(g),
  });
  const referrals = (g: q.GroupFigures): Moments => ({ n: g.customers, sum: g.referrals, sumOfSquares: g.referralsSquared });
  const scores = (g: q.GroupFigures): Moments => ({ n: g.responses, sum: g.scoreSum, sumOfSquares: g.scoreSquared });
  // NPS is 100 × the mean of +1 (promoter), 0 (passive), -1 (detractor): Welch on that variable.
  const npsVariable = (g: q.GroupFigures): Moments => ({ n: g.responses, sum: g.promoters - g.detractors, sumOfSquares: g.promoters + g.detractors });
  return {
    period,
    confidence: 0.95,
    plan: group(plan),
    holdout: group(holdout),
    /** Each difference is plan - holdout. */
    difference: {
      referralsPerCustomer: fromMeans(meanDifference(referrals(plan), referrals(holdout))),
      repeatShare: fromProportions(proportionDifference(plan.repeat, plan.customers, holdout.repeat, holdout.customers)),
      averageScore: fromMeans(meanDifference(scores(plan), scores(holdout))),
      nps: fromMeans(meanDifference(npsVariable(plan), npsVariable(holdout)), 100),
    },
  };
}

const periodCells = (p: q.Period) => [p.from, p.to];
const ciCells = (c: Comparison) => [c.difference, c.ci?.lower ?? null, c.ci?.upper ?? null, c.method];

type Result<F extends (...args: any[]) => Promise<unknown>> = Awaited<ReturnType<F>>;

function define<F extends (db: Db, input: Record<string, unknown>, ctx: ReportContext) => Promise<any>>(d: { summary: string; params: Record<string, string>; run: F; rows: (r: Result<F>) => ReportTable }): ReportDefinition<Result<F>> {
  return d;
}

/** Every report by its stable name: the API's /v1/reports/<name> and the CLI's `plan33 report <name>`. */
export const REPORTS = {
  retention: define({
    summary: "Retention: of the customers on the books at the period's start (first deal before it, not lost before it), the share not lost by its end; with those gained and on the books at the end",
    params: PERIOD_PARAMS,
    run: retention,
    rows: (r) => ({ columns: ['from', 'to', 'at_start', 'lost', 'retained', 'rate', 'gained', 'at_end'], rows: [[...periodCells(r.period), r.atStart, r.lost, r.retained, r.rate, r.gained, r.atEnd]] }),
  }),
  'referrals-per-customer': define({
    summary: 'Referrals per customer: referrals recorded in the period by the customers on the books during it, over those customers; and how many made 0, 1, 2, ...',
    params: PERIOD_PARAMS,
    run: referralsPerCustomer,
    rows: (r) => ({ columns: ['referrals', 'customers'], rows: r.distribution.map((d) => [d.referrals, d.customers]) }),
  }),
  'referral-conversion': define({
    summary: "Referral conversion (referrals of the period whose referred person has a deal) against overall lead conversion (leads of the period that reached stage 'deal'), the difference with a 95 % Newcombe interval",
    params: PERIOD_PARAMS,
    run: referralConversion,
    rows: (r) => ({
      columns: ['group', 'count', 'converted', 'rate', 'difference', 'ci_lower', 'ci_upper', 'method'],
      rows: [
        ['referrals', r.referrals.referrals, r.referrals.converted, r.referrals.rate, ...ciCells(r.difference)],
        ['leads', r.leads.leads, r.leads.converted, r.leads.rate, null, null, null, null],
      ],
    }),
  }),
  'best-referral-sources': define({
    summary: 'The best referral sources: referrers of the period ranked by referred people who closed a deal, then those deals\' value, then referrals',
    params: { ...PERIOD_PARAMS, limit: 'how many referrers (default 10)' },
    run: bestReferralSources,
    rows: (r) => ({ columns: ['rank', 'customer', 'name', 'agent', 'referrals', 'converted', 'conversion', 'value'], rows: r.sources.map((s) => [s.rank, s.customerId, s.name, s.agent, s.referrals, s.converted, s.conversion, s.value]) }),
  }),
  nps: define({
    summary: 'NPS over time: answers by UTC month, promoters (9-10) %, detractors (0-6) %, NPS = %promoters - %detractors, average score; and the whole period',
    params: PERIOD_PARAMS,
    run: npsOverTime,
    rows: (r) => ({
      columns: ['month', 'responses', 'promoters', 'passives', 'detractors', 'promoters_pct', 'detractors_pct', 'nps', 'average_score'],
      rows: [...r.months.map((m) => ({ ...m, label: m.month })), { ...r.total, label: 'total' }].map((m) => [m.label, m.responses, m.promoters, m.passives, m.detractors, m.promotersPct, m.detractorsPct, m.nps, m.averageScore]),
    }),
  }),
  touches: define({
    summary: 'Touches done in the period by UTC month, kind and outcome (sent, skipped, failed)',
    params: PERIOD_PARAMS,
    run: touches,
    rows: (r) => ({ columns: ['month', 'kind', 'sent', 'skipped', 'failed', 'total'], rows: r.rows.map((t) => [t.month, t.kind, t.sent, t.skipped, t.failed, t.total]) }),
  }),
  'overdue-calls': define({
    summary: 'Overdue calls per agent: open call tasks of customers not lost, overdue when given more than 48 h before asOf',
    params: { asOf: 'an instant (ISO 8601 with a zone) or a day (its 00:00 UTC); default now' },
    run: overdueCalls,
    rows: (r) => ({ columns: ['agent', 'open', 'overdue', 'oldest_given_at'], rows: r.agents.map((a) => [a.agent, a.open, a.overdue, a.oldestGivenAt]) }),
  }),
  segments: define({
    summary: "Value classes as the daily refresh last computed them: customers per value class (vip, a, b, c; rows of group `segment`) and per A/B/C class with their revenue, per RFM score, and the VIPs (not the business's own segments)",
    params: {},
    run: (db, input) => segments(db, input),
    rows: (r) => ({
      columns: ['group', 'key', 'customers', 'revenue'],
      rows: [
        ...r.bySegment.map((s) => ['segment', s.segment, s.customers, s.revenue]),
        ...r.byAbc.map((s) => ['abc', s.abc, s.customers, s.revenue]),
        ...r.rfm.flatMap((s) => [['recency', String(s.score), s.recency, null], ['frequency', String(s.score), s.frequency, null], ['monetary', String(s.score), s.monetary, null]]),
        ['vip', 'true', r.vip, null],
        ['all', '', r.customers, null],
      ] as Cell[][],
    }),
  }),
  'plan-vs-holdout': define({
    summary: 'Plan vs holdout: per group the customers on the books, referrals per customer, the share with a repeat deal (2+), NPS and the average score; plan - holdout with 95 % intervals (Welch for means, Newcombe for the share)',
    params: PERIOD_PARAMS,
    run: planVsHoldout,
    rows: (r) => ({
      columns: ['measure', 'plan', 'holdout', 'difference', 'ci_lower', 'ci_upper', 'method'],
      rows: [
        ['customers', r.plan.customers, r.holdout.customers, null, null, null, null],
        ['referrals per customer', r.plan.referralsPerCustomer, r.holdout.referralsPerCustomer, ...ciCells(r.difference.referralsPerCustomer)],
        ['repeat share', r.plan.repeatShare, r.holdout.repeatShare, ...ciCells(r.difference.repeatShare)],
        ['nps responses', r.plan.nps.responses, r.holdout.nps.responses, null, null, null, null],
        ['average score', r.plan.nps.averageScore, r.holdout.nps.averageScore, ...ciCells(r.difference.averageScore)],
        ['nps', r.plan.nps.nps, r.holdout.nps.nps, ...ciCells(r.difference.nps)],
      ],
    }),
  }),
  clv: define({
    summary: "Customer lifetime value by the documents' formula, every customer's and the distribution (min, quartiles, max, total), plain and referral-adjusted",
    params: { asOf: 'the day the values are computed for, YYYY-MM-DD; default today' },
    run: (db, input, ctx) => {
      const params = parse('clv', { asOf: day.optional() }, input);
      return clvReport(db, ctx.clv ?? DEFAULT_CLV_SETTINGS, instantMs(params.asOf, ctx.nowMs));
    },
    rows: (r) => ({ columns: ['customer', 'deals', 'average_purchase', 'purchases_per_year', 'clv', 'referred_value', 'referral_adjusted_clv'], rows: r.customers.map((c) => [c.customerId, c.deals, c.averagePurchase, c.purchasesPerYear, c.clv, c.referredValue, c.referralAdjustedClv]) }),
  }),
  budget: define({
    summary: "The plan's budget for a calendar year: planned and spent cost by month, kind, owner or segment",
    params: { year: 'the calendar year (required)', by: 'month (default), kind, owner or segment' },
    run: (db, input, ctx) => {
      parse('budget', { year: z.unknown().optional(), by: z.unknown().optional() }, input);
      return budgetReport(db, input, (ctx.clv ?? DEFAULT_CLV_SETTINGS).currency);
    },
    rows: (r) => ({ columns: [r.by, 'planned', 'spent', 'touches', 'sent'], rows: r.rows.map((b) => [b.key, b.planned, b.spent, b.touches, b.sent]) }),
  }),
  referrals: define({
    summary: 'Referral attribution: referrals per touch kind and plan (the touch whose referral link brought each), and those without one',
    params: {},
    run: (db, input) => {
      parse('referrals', {}, input);
      return referralAttribution(db);
    },
    rows: (r) => ({ columns: ['kind', 'plan', 'referrals'], rows: [...r.byTouch.map((b) => [b.kind, b.plan, b.referrals]), ['(none)', '', r.unattributed]] }),
  }),
  overview: define({
    summary: "The month at a glance (what `plan33 report` prints): customers by plan, the month's touches by kind and outcome, referrals, overdue calls, per agent",
    params: { asOf: 'an instant or a day in the month; default now', agent: "only this agent's customers" },
    run: (db, input, ctx) => {
      const params = parse('overview', { asOf: instantOrDay.optional(), agent: agentIdSchema.optional() }, input);
      return buildReport(db, { nowMs: instantMs(params.asOf, ctx.nowMs), ...(params.agent !== undefined ? { agent: params.agent } : {}) });
    },
    rows: (r) => ({ columns: ['agent', 'customers', 'sent_this_month', 'open_calls', 'overdue_calls'], rows: Object.entries(r.perAgent).map(([a, x]) => [a, x.customers, x.sentThisMonth, x.openCalls, x.overdueCalls]) }),
  }),
} satisfies Record<string, ReportDefinition>;

export type ReportName = keyof typeof REPORTS;
export const REPORT_NAMES = Object.keys(REPORTS) as ReportName[];

/** The list: name, summary and parameters of each report. */
export const listReports = () => REPORT_NAMES.map((name) => ({ name, summary: REPORTS[name].summary, params: REPORTS[name].params }));

/** The report by name; an unknown name is NotFoundError (the API's 404) naming the reports there are. */
export function reportNamed(name: string): ReportDefinition {
  if (!Object.hasOwn(REPORTS, name)) throw new NotFoundError(`no report named ${JSON.stringify(name)}; the reports: ${REPORT_NAMES.join(', ')}`);
  return REPORTS[name as ReportName] as ReportDefinition;
}

/** Runs a report by name with its parameters (strings from a query string or options are fine). */
export async function runReport(db: Db, name: string, input: Record<string, unknown>, ctx: Partial<ReportContext> = {}): Promise<unknown> {
  return reportNamed(name).run(db, input, { nowMs: ctx.nowMs ?? Date.now(), ...(ctx.clv ? { clv: ctx.clv } : {}) });
}

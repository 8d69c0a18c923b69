// Customer lifetime value by the documents' formula (seed 000, "Customer Lifetime Value"):
//   CLV = average purchase value × purchases per year × lifespan in years − acquisition cost
// each input from the customer's deals and the business's config, and the referral-adjusted
// value: plus the value of the deals that came from the customer's referrals. Pure.
import { z } from 'zod';

export const clvSettingsSchema = z
  .object({
    /** How many years a customer relationship is expected to last (the formula's lifespan). */
    lifespanYears: z.number().positive().max(100),
    /** What winning one customer costs the business (marketing, commission), in its currency. */
    acquisitionCost: z.number().min(0),
    /** ISO 4217 code of the business's currency, e.g. SAR. */
    currency: z.string().regex(/^[A-Z]{3}$/, 'expected an ISO 4217 currency code, e.g. SAR'),
  })
  .strict();
export type ClvSettings = z.output<typeof clvSettingsSchema>;
export const DEFAULT_CLV_SETTINGS: ClvSettings = { lifespanYears: 10, acquisitionCost: 0, currency: 'SAR' };

export interface DealFacts {
  /** Deal values (deals without a value count as purchases of 0). */
  values: readonly number[];
  /** The first deal's date, YYYY-MM-DD. */
  firstDeal: string;
  /** The value of deals closed by people this customer referred. */
  referredValue: number;
}

export interface CustomerValue {
  deals: number;
  averagePurchase: number;
  purchasesPerYear: number;
  lifespanYears: number;
  acquisitionCost: number;
  clv: number;
  referredValue: number;
  /** CLV plus the value of the deals that came from this customer's referrals. */
  referralAdjustedClv: number;
  currency: string;
}

const round2 = (n: number) => Math.round(n * 100) / 100;

/**
 * Purchases per year: deals over the years since the first deal, counting at least one year
 * (a customer of three months with one deal buys once a year, not four times).
 */
export function customerValue(facts: DealFacts, asOf: string, settings: ClvSettings): CustomerValue {
  const deals = facts.values.length;
  const averagePurchase = deals ? facts.values.reduce((a, b) => a + b, 0) / deals : 0;
  const years = Math.max(1, (Date.parse(`${asOf}T00:00:00Z`) - Date.parse(`${facts.firstDeal}T00:00:00Z`)) / (365.25 * 86_400_000));
  const purchasesPerYear = deals / years;
  const clv = averagePurchase * purchasesPerYear * settings.lifespanYears - settings.acquisitionCost;
  return {
    deals,
    averagePurchase: round2(averagePurchase),
    purchasesPerYear: Math.round(purchasesPerYear * 1000) / 1000,
    lifespanYears: settings.lifespanYears,
    acquisitionCost: settings.acquisitionCost,
    clv: round2(clv),
    referredValue: round2(facts.referredValue),
    referralAdjustedClv: round2(clv + facts.referredValue),
    currency: settings.currency,
  };
}

/** Min, quartiles, max and total of a set of values (the report's CLV distribution). */
export function distribution(values: readonly number[]): { count: number; min: number; p25: number; median: number; p75: number; max: number; total: number } {
  const v = [...values].sort((a, b) => a - b);
  if (v.length === 0) return { count: 0, min: 0, p25: 0, median: 0, p75: 0, max: 0, total: 0 };
  // Linear interpolation between closest ranks.
  const q = (p: number) => {
    const i = (v.length - 1) * p;
    const lo = Math.floor(i);
    const hi = Math.ceil(i);
    return round2(v[lo]! + (v[hi]! - v[lo]!) * (i - lo));
  };
  return { count: v.length, min: v[0]!, p25: q(0.25), median: q(0.5), p75: q(0.75), max: v[v.length - 1]!, total: round2(v.reduce((a, b) => a + b, 0)) };
}

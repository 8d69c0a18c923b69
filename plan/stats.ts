// The statistics of the reports' comparisons (plan vs holdout, referral vs lead conversion),
// computed from the counts and sums one SQL query returns. Pure; 95 % intervals.
//
// - A proportion: the Wilson score interval.
// - A difference of two proportions: Newcombe's hybrid score interval (Newcombe 1998, method 10),
//   built from the two Wilson intervals; it stays inside [-1, 1] and behaves at 0 % and 100 %,
//   where the Wald interval collapses to a point.
// - A difference of two means: Welch's t interval, the Welch-Satterthwaite degrees of freedom and
//   Student's t quantile (@stdlib's, fractional degrees of freedom).
import tQuantile from '@stdlib/stats-base-dists-t-quantile';

/** The standard normal quantile for a two-sided 95 % interval. */
export const Z95 = 1.959963984540054;

export interface Interval {
  lower: number;
  upper: number;
}

/** Wilson's 95 % score interval for `successes` of `n`; undefined for n = 0. */
export function wilson(successes: number, n: number, z = Z95): Interval | undefined {
  if (n <= 0) return undefined;
  const p = successes / n;
  const z2 = z * z;
  const denominator = 1 + z2 / n;
  const centre = (p + z2 / (2 * n)) / denominator;
  const half = (z * Math.sqrt((p * (1 - p)) / n + z2 / (4 * n * n))) / denominator;
  return { lower: Math.max(0, centre - half), upper: Math.min(1, centre + half) };
}

export interface ProportionDifference {
  /** p1 - p2. */
  difference: number;
  /** Newcombe's hybrid score 95 % interval of p1 - p2; undefined when a group is empty. */
  ci?: Interval;
  method: 'Newcombe hybrid score (Wilson)';
}

/** p1 - p2 = x1/n1 - x2/n2 with Newcombe's 95 % interval. */
export function proportionDifference(x1: number, n1: number, x2: number, n2: number): ProportionDifference {
  const method = 'Newcombe hybrid score (Wilson)' as const;
  if (n1 <= 0 || n2 <= 0) return { difference: n1 > 0 ? x1 / n1 : n2 > 0 ? -x2 / n2 : 0, method };
  const p1 = x1 / n1;
  const p2 = x2 / n2;
  const a = wilson(x1, n1)!;
  const b = wilson(x2, n2)!;
  const difference = p1 - p2;
  return {
    difference,
    ci: { lower: difference - Math.sqrt((p1 - a.lower) ** 2 + (b.upper - p2) ** 2), upper: difference + Math.sqrt((a.upper - p1) ** 2 + (p2 - b.lower) ** 2) },
    method,
  };
}

/** A sample summarised by its size, sum and sum of squares (what SQL returns). */
export interface Moments {
  n: number;
  sum: number;
  sumOfSquares: number;
}

export const mean = (m: Moments): number | undefined => (m.n > 0 ? m.sum / m.n : undefined);

/** The sample variance (n - 1 in the denominator); undefined below two observations. */
export function variance(m: Moments): number | undefined {
  if (m.n < 2) return undefined;
  return Math.max(0, (m.sumOfSquares - (m.sum * m.sum) / m.n) / (m.n - 1));
}

export interface MeanDifference {
  /** mean1 - mean2; undefined when a group is empty. */
  difference?: number;
  /** Welch's 95 % interval; undefined below two observations in a group or with no variation at all. */
  ci?: Interval;
  /** Welch-Satterthwaite degrees of freedom. */
  df?: number;
  method: 'Welch t';
}

/** mean1 - mean2 with Welch's 95 % t interval. */
export function meanDifference(a: Moments, b: Moments): MeanDifference {
  const method = 'Welch t' as const;
  const m1 = mean(a);
  const m2 = mean(b);
  if (m1 === undefined || m2 === undefined) return { method };
  const difference = m1 - m2;
  const v1 = variance(a);
  const v2 = variance(b);
  if (v1 === undefined || v2 === undefined) return { difference, method };
  const s1 = v1 / a.n;
  const s2 = v2 / b.n;
  const se = Math.sqrt(s1 + s2);
  if (se === 0) return { difference, method };
  const df = (s1 + s2) ** 2 / (s1 ** 2 / (a.n - 1) + s2 ** 2 / (b.n - 1));
  const t = tQuantile(0.975, df);
  return { difference, ci: { lower: difference - t * se, upper: difference + t * se }, df, method };
}

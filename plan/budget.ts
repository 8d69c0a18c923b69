// The plan's budget: every touch kind has a unit cost (per channel: a printed card costs more than
// an email) and an owner who pays for it (marketing, the agent, the office), in the plan
// definition, so plans and segments can differ through the overrides. A per-customer-year cap
// drops the most expensive optional touches first. Pure.
import { z } from 'zod';
import type { Touch, TouchKind } from './touch';
import { TOUCH_KINDS } from './touch';

export const OWNERS = ['marketing', 'agent', 'office'] as const;
export type Owner = (typeof OWNERS)[number];

const amount = z.number().min(0).max(1_000_000);
export const kindCostSchema = z
  .object({
    /** Unit cost per channel; a channel not named costs nothing. */
    email: amount.optional(),
    sms: amount.optional(),
    postal: amount.optional(),
    phone: amount.optional(),
    owner: z.enum(OWNERS),
    /** May the budget cap drop it (gifts, value-added items, fill-in cards)? */
    optional: z.boolean().default(false),
  })
  .strict();
export type KindCost = z.output<typeof kindCostSchema>;
export const costsSchema = z.object(Object.fromEntries(TOUCH_KINDS.map((k) => [k, kindCostSchema.optional()])) as Record<TouchKind, z.ZodOptional<typeof kindCostSchema>>).strict();
export type Costs = z.output<typeof costsSchema>;

/** plan33's defaults (in the business's currency): emails and SMS cost cents, paper costs postage. */
export const DEFAULT_COSTS: Costs = {
  newsletter: { email: 0.05, sms: 0.05, postal: 1.5, owner: 'marketing', optional: false },
  'holiday-card': { email: 0.05, sms: 0.05, postal: 3.5, owner: 'marketing', optional: false },
  'remembrance-card': { email: 0.05, sms: 0.05, postal: 3.5, owner: 'marketing', optional: false },
  call: { phone: 8, owner: 'agent', optional: false },
  'follow-up-letter': { email: 0.05, postal: 2.5, owner: 'agent', optional: false },
  'personal-card': { email: 0.05, sms: 0.05, postal: 3.5, owner: 'agent', optional: true },
  'give-away': { email: 0.05, postal: 25, owner: 'office', optional: true },
  'value-added': { email: 0.05, postal: 10, owner: 'office', optional: true },
  'prospect-letter': { email: 0.05, sms: 0.05, postal: 2.5, owner: 'marketing', optional: false },
  'reactivation-letter': { email: 0.05, sms: 0.05, postal: 2.5, owner: 'marketing', optional: false },
  'nps-survey': { email: 0.05, sms: 0.05, owner: 'marketing', optional: false },
  'referral-ask': { email: 0.05, sms: 0.05, postal: 2.5, owner: 'marketing', optional: false },
};

export function costOf(touch: Pick<Touch, 'kind' | 'channel'>, costs: Costs | undefined): { cost: number; owner: Owner } {
  const entry = (costs ?? DEFAULT_COSTS)[touch.kind] ?? DEFAULT_COSTS[touch.kind]!;
  const cost = touch.channel === 'none' ? 0 : (entry[touch.channel] ?? 0);
  return { cost, owner: entry.owner };
}

/** A referral's thank-you is never optional, whatever its kind. */
const mayDrop = (t: Touch, costs: Costs | undefined) => ((costs ?? DEFAULT_COSTS)[t.kind] ?? DEFAULT_COSTS[t.kind]!).optional && t.occasion !== 'referral-thank-you';

/**
 * Under a cap, the most expensive optional touches go first (the later one of equal cost), until
 * the year's cost fits. Returns the touches to drop, each with the reason.
 */
export function overBudget(touches: readonly Touch[], costs: Costs | undefined, cap: number | undefined, currency = ''): Array<{ seq: number; reason: string }> {
  if (cap === undefined) return [];
  let total = touches.reduce((sum, t) => sum + costOf(t, costs).cost, 0);
  const drops: Array<{ seq: number; reason: string }> = [];
  const candidates = touches.filter((t) => mayDrop(t, costs)).sort((a, b) => costOf(b, costs).cost - costOf(a, costs).cost || Date.parse(b.at) - Date.parse(a.at));
  for (const t of candidates) {
    if (total <= cap + 1e-9) break;
    const { cost } = costOf(t, costs);
    if (cost <= 0) continue;
    total -= cost;
    drops.push({ seq: t.seq, reason: `budget cap of ${cap}${currency ? ` ${currency}` : ''} a year: the most expensive optional touch (${cost}) was dropped` });
  }
  return drops;
}

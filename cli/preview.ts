// `plan33 preview`: the year's schedule for one customer, without any server.
import { DateTime } from 'luxon';
import type { Customer } from '../plan/customer';
import { resolvePlan, type PlanOverrides } from '../plan/definitions';
import { planTouches } from '../plan/engine';
import type { SendingHours } from '../plan/sending-hours';
import type { PlanName, Touch } from '../plan/touch';
import { costOf } from '../plan/budget';
import { table } from './table';

export interface PreviewOptions {
  /** YYYY-MM-DD, the first day of the plan year in the customer's zone; default today there. */
  start?: string;
  plan: PlanName;
  sendingHours: SendingHours;
  overrides?: PlanOverrides;
  /** Injected clock for "today" (the CLI passes Date.now()). */
  nowMs: number;
}

export function yearStartMs(customer: Customer, start: string | undefined, nowMs: number): number {
  const zone = customer.timezone;
  return (start ? DateTime.fromISO(start, { zone }) : DateTime.fromMillis(nowMs, { zone })).startOf('day').toMillis();
}

/** A touch of the preview, with what it costs (in the business's currency) and who pays. */
export type PreviewTouch = Touch & { cost: number; owner: string };

export function preview(customer: Customer, opts: PreviewOptions): PreviewTouch[] {
  const definition = resolvePlan(opts.plan, { segment: customer.segment, overrides: opts.overrides });
  const touches = planTouches({ customer, definition, yearStartMs: yearStartMs(customer, opts.start, opts.nowMs), sendingHours: opts.sendingHours });
  return touches.map((t) => ({ ...t, ...costOf(t, definition.costs) }));
}

export function formatPreview(customer: Customer, plan: PlanName, touches: PreviewTouch[], currency = ''): string {
  const counts = touches.reduce<Record<string, number>>((acc, t) => ({ ...acc, [t.kind]: (acc[t.kind] ?? 0) + 1 }), {});
  const rows = touches.map((t) => {
    const at = DateTime.fromISO(t.at, { setZone: true });
    return [String(t.seq), at.toFormat('ccc yyyy-MM-dd HH:mm ZZ'), t.kind, t.channel, t.dropped ? '-' : t.cost.toFixed(2), t.owner, t.dropped ? `${t.title} (dropped: ${t.dropped})` : t.title];
  });
  const total = touches.filter((t) => !t.dropped).reduce((sum, t) => sum + t.cost, 0);
  return [
    `${customer.name.first}${customer.name.last ? ` ${customer.name.last}` : ''} (${customer.id}), ${customer.timezone}, plan ${plan}: ${touches.length} touches`,
    '',
    table(['seq', 'when (local)', 'kind', 'channel', 'cost', 'owner', 'title'], rows),
    '',
    Object.entries(counts).map(([k, n]) => `${k} ${n}`).join(', '),
    `cost of the year: ${total.toFixed(2)}${currency ? ` ${currency}` : ''}${touches.some((t) => t.dropped) ? ` (${touches.filter((t) => t.dropped).length} dropped by the budget cap)` : ''}`,
  ].join('\n');
}

// `plan33 preview`: the year's schedule for one customer, without any server.
import { DateTime } from 'luxon';
import type { Customer } from '../plan/customer';
import { resolvePlan, type PlanOverrides } from '../plan/definitions';
import { planTouches } from '../plan/engine';
import type { SendingHours } from '../plan/sending-hours';
import type { PlanName, Touch } from '../plan/touch';
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

export function preview(customer: Customer, opts: PreviewOptions): Touch[] {
  const definition = resolvePlan(opts.plan, { segment: customer.segment, overrides: opts.overrides });
  return planTouches({ customer, definition, yearStartMs: yearStartMs(customer, opts.start, opts.nowMs), sendingHours: opts.sendingHours });
}

export function formatPreview(customer: Customer, plan: PlanName, touches: Touch[]): string {
  const counts = touches.reduce<Record<string, number>>((acc, t) => ({ ...acc, [t.kind]: (acc[t.kind] ?? 0) + 1 }), {});
  const rows = touches.map((t) => {
    const at = DateTime.fromISO(t.at, { setZone: true });
    return [String(t.seq), at.toFormat('ccc yyyy-MM-dd HH:mm ZZ'), t.kind, t.channel, t.title];
  });
  return [
    `${customer.name.first}${customer.name.last ? ` ${customer.name.last}` : ''} (${customer.id}), ${customer.timezone}, plan ${plan}: ${touches.length} touches`,
    '',
    table(['seq', 'when (local)', 'kind', 'channel', 'title'], rows),
    '',
    Object.entries(counts).map(([k, n]) => `${k} ${n}`).join(', '),
  ].join('\n');
}

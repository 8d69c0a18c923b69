// The customer's year as a list of touches: a compatibility wrapper around the plan engine
// (plan/engine.ts) for callers that only know a customer and a start, on the current
// `client-for-life` definition. Pure: takes `startMs` as an argument, never reads the clock.
import type { Customer } from './customer';
import { resolvePlan } from './definitions';
import { planTouches } from './engine';
import { DEFAULT_SENDING_HOURS, type SendingHours } from './sending-hours';
import type { Touch } from './touch';

export interface PlanOptions {
  sendingHours?: SendingHours;
}

export function planYear(customer: Customer, startMs: number, options: PlanOptions = {}): Touch[] {
  return planTouches({ customer, definition: resolvePlan('client-for-life'), yearStartMs: startMs, sendingHours: options.sendingHours ?? DEFAULT_SENDING_HOURS });
}

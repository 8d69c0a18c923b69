// Every message the customer workflow understands, defined once and imported by the
// workflow, the client library and the tests.
import { defineQuery, defineSignal } from '@temporalio/workflow';
import type { CustomerInput, Deal } from '../plan/customer';
import type { DoneTouch, PlanName, Touch } from '../plan/touch';

export interface DealClosed {
  customer: CustomerInput;
  deal: Deal;
}

/** A deal closed: starts the year (with signal-with-start) or updates the running one. */
export const dealClosedSignal = defineSignal<[DealClosed]>('dealClosed');

export interface CustomerStatus {
  customerId: string;
  plan: PlanName;
  planVersion: number;
  planYear: number;
  yearStartedAt: string;
  deals: Deal[];
  touchesDone: DoneTouch[];
  nextTouches: Touch[];
}

export const statusQuery = defineQuery<CustomerStatus>('status');

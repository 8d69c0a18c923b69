// The plan33 client library for other apps: typed functions over the Temporal client. Every
// function validates its input first and throws ValidationError (every bad field named,
// nothing sent) or NotFoundError (no running plan for that customer).
//
//   import { Client, Connection } from '@temporalio/client';
//   import { dealClosed, referralReceived, getStatus } from 'plan33/client';
//   const client = new Client({ connection: await Connection.connect({ address: 'temporal:7233' }) });
//   await dealClosed(client, { customer, deal: { id: 'D-1', closedAt: '2026-11-23' } }, { taskQueue: 'plan33' });
//   await referralReceived(client, 'cust-0001', { referralId: 'R-9', referredName: 'Omar' });
//   const status = await getStatus(client, 'cust-0001');
import type { Client } from '@temporalio/client';
import { changeConsent, recordReferral } from './operations';

export { dealClosed, PlanEndedError, ValidationError, type DealClosedInput, type EnrollOptions } from './enroll';
export {
  changeConsent,
  completeCall,
  customerReplied,
  fulfilmentUpdate,
  getStatus,
  NotFoundError,
  openCallTasks,
  pause,
  resume,
  type OpenCallTask,
} from './operations';
export type { CallCompletion, CallCompletionResult, ConsentChange, CustomerStatus, FulfilmentUpdate, Referral } from '../workflows/messages';
export type { CustomerInput, Deal } from '../plan/customer';

/** Someone the customer referred arrived: the customer becomes an advocate, with a thank-you. */
export function referralReceived(client: Client, customerId: string, referral: { referralId: string; referredName?: string }) {
  return recordReferral(client, customerId, referral);
}

/** The customer promised a referral: advocate from now on (one thank-you). */
export function referralPledged(client: Client, customerId: string, pledge: { note?: string } = {}) {
  return recordReferral(client, customerId, { ...pledge, pledged: true });
}

/** The customer withdrew consent for one channel; it is not used again until `optIn`. */
export function optOut(client: Client, customerId: string, change: { channel: 'email' | 'sms' | 'postal' | 'phone'; reason?: string }) {
  return changeConsent(client, customerId, change, 'opt-out');
}

export function optIn(client: Client, customerId: string, change: { channel: 'email' | 'sms' | 'postal' | 'phone'; reason?: string }) {
  return changeConsent(client, customerId, change, 'opt-in');
}

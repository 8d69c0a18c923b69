// The activity factory: every activity gets exactly the dependencies it needs, and only
// worker/ builds the real ones from validated config. Workflows import this file by type only.
import { ApplicationFailure, log as activityLog } from '@temporalio/activity';
import type { Transporter } from 'nodemailer';
import type { Customer } from '../plan/customer';
import type { Touch, TouchResult } from '../plan/touch';
import type { DeliveryLedger } from './delivery-ledger';
import { renderTouchEmail, type Business } from './email-content';

export interface ActivityDeps {
  mailer: Pick<Transporter, 'sendMail'>;
  ledger: DeliveryLedger;
  business: Business;
}

export interface TouchDelivery {
  /** Idempotency key: workflow id, plan year and touch number (see plan/ids.ts). */
  key: string;
  customer: Customer;
  touch: Touch;
}

/** SMTP replies that no retry will fix: the address or the message is refused for good. */
function isPermanentSmtpFailure(err: unknown): boolean {
  const e = err as { responseCode?: number; code?: string };
  return (typeof e.responseCode === 'number' && e.responseCode >= 500 && e.responseCode < 600) || e.code === 'EENVELOPE';
}

/** A stable Message-ID from the idempotency key: receivers can drop a duplicate too. */
export function messageIdFor(key: string): string {
  return `<${key.replace(/[^A-Za-z0-9._-]/g, '.')}@plan33>`;
}

export function createActivities({ mailer, ledger, business }: ActivityDeps) {
  return {
    async sendTouchEmail({ key, customer, touch }: TouchDelivery): Promise<TouchResult> {
      const earlier = await ledger.get(key);
      if (earlier) {
        activityLog.info('touch already delivered; not sending again', { key });
        return earlier;
      }
      if (!customer.email || !customer.consent.email) {
        return { outcome: 'skipped', reason: 'no email address or no email consent' };
      }
      const content = renderTouchEmail(customer, touch, business);
      const messageId = messageIdFor(key);
      try {
        await mailer.sendMail({
          from: business.mailFrom,
          to: customer.email,
          subject: content.subject,
          text: content.text,
          html: content.html,
          messageId,
          headers: { 'X-Plan33-Touch': key },
        });
      } catch (err) {
        if (isPermanentSmtpFailure(err)) {
          const result: TouchResult = { outcome: 'failed', reason: `refused by the mail server: ${(err as Error).message}` };
          await ledger.record(key, result);
          throw ApplicationFailure.nonRetryable(result.reason!, 'PermanentDeliveryFailure');
        }
        throw err; // transient: Temporal retries with backoff
      }
      const result: TouchResult = { outcome: 'sent', reference: messageId };
      await ledger.record(key, result);
      activityLog.info('touch sent', { key, kind: touch.kind, channel: 'email' });
      return result;
    },
  };
}

export type Activities = ReturnType<typeof createActivities>;

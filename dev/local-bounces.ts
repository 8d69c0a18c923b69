// Bounce mail in the local stack, as the internet would send it: a message to an address at a
// reserved `.invalid` domain (RFC 2606, never deliverable) is accepted by the capture server and
// then bounced with a DSN (RFC 3464) to its envelope sender; a DSN arriving at the capture server
// goes through the same path a production mailbox forwarder takes (`{ "dsn": raw }` to the
// email-events handler), which turns the person's email consent off with the reason.
import type { Client } from '@temporalio/client';
import type { Transporter } from 'nodemailer';
import type { CapturedMessage } from './smtp-capture';
import { composeDsn } from '../service/dsn';
import { emailEvent } from '../service/email-events';

export const UNDELIVERABLE = /@[^@\s>]+\.invalid$/i;
const isDsn = (raw: string) => /report-type="?delivery-status/i.test(raw.slice(0, 4000));

export interface LocalBounces {
  onMessage(message: CapturedMessage): Promise<string | undefined>;
}

export function localBounces(opts: { mailer: () => Transporter | undefined; client: () => Client | undefined }): LocalBounces {
  return {
    /** What happened, for the console: a DSN sent, or a DSN read and acted on. */
    async onMessage(m) {
      const client = opts.client();
      const mailer = opts.mailer();
      if (!client || !mailer) return undefined;
      if (isDsn(m.raw)) {
        const result = await emailEvent(client, { dsn: m.raw });
        return result.action === 'email-consent-off' ? `bounce read: ${result.workflowId} email consent off (${result.reason})` : `bounce read: ${result.reason}`;
      }
      const bad = m.to.filter((a) => UNDELIVERABLE.test(a));
      if (bad.length === 0 || !m.from) return undefined;
      const headerEnd = m.raw.search(/\r?\n\r?\n/);
      for (const recipient of bad) {
        const raw = composeDsn({
          reportingHost: 'mx.local.invalid',
          to: m.from,
          recipient,
          status: '5.1.1',
          diagnostic: `550 5.1.1 <${recipient}>: Recipient address rejected: User unknown`,
          returnedHeaders: headerEnd > 0 ? m.raw.slice(0, headerEnd) : m.raw,
          date: new Date(),
        });
        // The null sender (MAIL FROM:<>): a bounce is never bounced back.
        await mailer.sendMail({ envelope: { from: '', to: [m.from] }, raw });
      }
      return `bounced: ${bad.join(', ')} (DSN to ${m.from})`;
    },
  };
}

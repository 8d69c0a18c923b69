// Delivery status notifications (RFC 3464): the bounce mail a receiving server sends to the
// envelope sender when it accepted a message and then could not deliver it. A DSN is a
// multipart/report with a message/delivery-status part (Action, Status, Diagnostic-Code per
// recipient) and the returned headers of the message that bounced, whose Message-ID says which
// touch it was. `eventFromDsn` reads one into the same event the provider webhook takes.
import { simpleParser, type Attachment } from 'mailparser';
import type { EmailEvent } from './email-events';

/** RFC 3464 fields, per recipient block (`Final-Recipient` starts one), first value wins. */
function deliveryStatusFields(text: string): Array<Record<string, string>> {
  const blocks = text.replace(/\r\n/g, '\n').split(/\n\s*\n/);
  return blocks.map((block) => {
    const fields: Record<string, string> = {};
    // Header folding: a line starting with white space continues the previous field.
    for (const line of block.replace(/\n[ \t]+/g, ' ').split('\n')) {
      const m = /^([A-Za-z-]+):\s*(.*)$/.exec(line);
      if (m && !(m[1]!.toLowerCase() in fields)) fields[m[1]!.toLowerCase()] = m[2]!.trim();
    }
    return fields;
  });
}

const partText = (a: Attachment) => a.content.toString('utf8');

/** The event a DSN stands for, or undefined when the mail is not a failed or delayed delivery of one of plan33's messages. */
export async function eventFromDsn(raw: string | Buffer): Promise<EmailEvent | undefined> {
  const mail = await simpleParser(raw, { keepDeliveryStatus: true, skipHtmlToText: true, skipTextToHtml: true, skipImageLinks: true });
  const parts = mail.attachments ?? [];
  const status = parts.find((a) => a.contentType === 'message/delivery-status');
  if (!status) return undefined;
  const recipient = deliveryStatusFields(partText(status)).find((f) => f['final-recipient'] || f.action);
  if (!recipient) return undefined;
  const action = (recipient.action ?? '').toLowerCase();
  if (action !== 'failed' && action !== 'delayed') return undefined;
  // The returned message: its headers (text/rfc822-headers) or all of it (message/rfc822).
  const returned = parts.find((a) => a.contentType === 'text/rfc822-headers' || a.contentType === 'message/rfc822');
  const messageId = returned ? /^message-id:\s*(<[^>\s]+>)/im.exec(partText(returned).replace(/\r\n[ \t]+/g, ' '))?.[1] : undefined;
  if (!messageId) return undefined;
  const code = (recipient.status ?? '').trim();
  const hard = action === 'failed' && code.startsWith('5');
  const diagnostic = recipient['diagnostic-code']?.replace(/^smtp;\s*/i, '');
  const reason = [`DSN ${code || action}`, diagnostic].filter(Boolean).join(': ').slice(0, 500);
  return { type: 'bounce', bounceType: hard ? 'hard' : 'soft', messageId, reason };
}

/**
 * A DSN as a receiving server writes it: for the local stack, where a message to an address at
 * a reserved `.invalid` domain (RFC 2606: never deliverable) is accepted and then bounced.
 */
export function composeDsn(opts: { reportingHost: string; to: string; recipient: string; status: string; diagnostic: string; returnedHeaders: string; date: Date }): string {
  const boundary = `dsn-${opts.date.getTime().toString(36)}`;
  const permanent = opts.status.startsWith('5');
  return [
    `From: Mail Delivery System <mailer-daemon@${opts.reportingHost}>`,
    `To: ${opts.to}`,
    `Subject: ${permanent ? 'Undelivered Mail Returned to Sender' : 'Delayed Mail (still being retried)'}`,
    `Date: ${opts.date.toUTCString()}`,
    `Message-ID: <${boundary}@${opts.reportingHost}>`,
    'Auto-Submitted: auto-replied',
    'MIME-Version: 1.0',
    `Content-Type: multipart/report; report-type=delivery-status; boundary="${boundary}"`,
    '',
    `--${boundary}`,
    'Content-Type: text/plain; charset=utf-8',
    '',
    `Your message to <${opts.recipient}> ${permanent ? 'could not be delivered' : 'is delayed'}: ${opts.diagnostic}`,
    '',
    `--${boundary}`,
    'Content-Type: message/delivery-status',
    '',
    `Reporting-MTA: dns; ${opts.reportingHost}`,
    '',
    `Final-Recipient: rfc822; ${opts.recipient}`,
    `Action: ${permanent ? 'failed' : 'delayed'}`,
    `Status: ${opts.status}`,
    `Diagnostic-Code: smtp; ${opts.diagnostic}`,
    '',
    `--${boundary}`,
    'Content-Type: text/rfc822-headers',
    '',
    opts.returnedHeaders.trim(),
    '',
    `--${boundary}--`,
    '',
  ].join('\r\n');
}

// Bounce mail (RFC 3464 DSNs): read into the same event the provider webhook takes, and in the
// local stack end to end: an email to a .invalid address is accepted, bounced with a DSN to the
// envelope sender, the DSN is read, and the person's email consent turns off with the reason.
import nodemailer, { type Transporter } from 'nodemailer';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { composeDsn, eventFromDsn } from '../service/dsn';
import { dealClosed } from '../service/enroll';
import { createTimeSkippingEnv } from '../dev/temporal-server';
import { startSmtpCapture, type SmtpCapture } from '../dev/smtp-capture';
import { localBounces } from '../dev/local-bounces';
import { statusQuery } from '../workflows/messages';
import { createTestWorker, encrypted, installTestRuntime, pinClock, TEST_DATA_CONVERTER } from './helpers/temporal';
import { customer } from './fixtures/customers';

const headers = 'From: Cedar Homes <hello@cedar.test>\r\nTo: someone@nowhere.invalid\r\nSubject: Hello\r\nMessage-ID:\r\n <customer-b-1.y1.t3@plan33>';
const dsn = (status: string) =>
  composeDsn({ reportingHost: 'mx.test', to: 'hello@cedar.test', recipient: 'someone@nowhere.invalid', status, diagnostic: `${status.startsWith('5') ? 550 : 451} ${status} user unknown`, returnedHeaders: headers, date: new Date('2027-03-01T10:00:00Z') });

describe('reading a DSN', () => {
  it('a permanent failure is a hard bounce of the returned Message-ID (folded header), a delay a soft one', async () => {
    expect(await eventFromDsn(dsn('5.1.1'))).toEqual({ type: 'bounce', bounceType: 'hard', messageId: '<customer-b-1.y1.t3@plan33>', reason: 'DSN 5.1.1: 550 5.1.1 user unknown' });
    expect(await eventFromDsn(dsn('4.2.2'))).toMatchObject({ type: 'bounce', bounceType: 'soft', messageId: '<customer-b-1.y1.t3@plan33>' });
  });

  it('a Postfix-style report with the whole message returned is read too; ordinary mail and reports without a Message-ID are not bounces', async () => {
    const postfix = [
      'From: MAILER-DAEMON@mx.example.net (Mail Delivery System)',
      'Subject: Undelivered Mail Returned to Sender',
      'MIME-Version: 1.0',
      'Content-Type: multipart/report; report-type=delivery-status;\r\n\tboundary="B1"',
      '',
      '--B1',
      'Content-Description: Notification',
      'Content-Type: text/plain; charset=us-ascii',
      '',
      'This is the mail system at host mx.example.net.',
      '',
      '--B1',
      'Content-Description: Delivery report',
      'Content-Type: message/delivery-status',
      '',
      'Reporting-MTA: dns; mx.example.net',
      'Arrival-Date: Mon,  1 Mar 2027 10:00:00 +0000 (UTC)',
      '',
      'Final-Recipient: rfc822; gone@example.org',
      'Original-Recipient: rfc822;gone@example.org',
      'Action: failed',
      'Status: 5.1.1',
      'Remote-MTA: dns; mail.example.org',
      'Diagnostic-Code: smtp; 550 5.1.1 <gone@example.org>: Recipient address rejected:',
      '    User unknown in virtual mailbox table',
      '',
      '--B1',
      'Content-Description: Undelivered Message',
      'Content-Type: message/rfc822',
      '',
      'Message-ID: <customer-p-9.y2.t14@plan33>',
      'Subject: A card for you',
      '',
      'Hello',
      '',
      '--B1--',
      '',
    ].join('\r\n');
    expect(await eventFromDsn(postfix)).toEqual({
      type: 'bounce',
      bounceType: 'hard',
      messageId: '<customer-p-9.y2.t14@plan33>',
      reason: 'DSN 5.1.1: 550 5.1.1 <gone@example.org>: Recipient address rejected: User unknown in virtual mailbox table',
    });
    expect(await eventFromDsn('From: a@b.test\r\nSubject: hi\r\n\r\njust mail\r\n')).toBeUndefined();
    expect(await eventFromDsn(dsn('5.1.1').replace(/Message-ID:\r\n <customer-b-1.y1.t3@plan33>/, 'Subject: no id'))).toBeUndefined();
  });
});

describe('bounce mail in the local stack (time-skipping Temporal, real SMTP, encrypted payloads)', () => {
  let env: TestWorkflowEnvironment;
  let smtp: SmtpCapture;
  const mailer = { current: undefined as Transporter | undefined };
  const seen: string[] = [];

  beforeAll(async () => {
    installTestRuntime();
    env = encrypted(await createTimeSkippingEnv({ dataConverter: TEST_DATA_CONVERTER }));
    await pinClock(env);
    const bounces = localBounces({ mailer: () => mailer.current, client: () => env.client });
    smtp = await startSmtpCapture({ onMessage: (m) => void bounces.onMessage(m).then((what) => what && seen.push(what)) });
    mailer.current = nodemailer.createTransport({ host: '127.0.0.1', port: smtp.port, secure: false, ignoreTLS: true });
  });
  afterAll(async () => {
    mailer.current?.close();
    await smtp?.close();
    await env?.teardown();
  });

  it('an email to a .invalid address comes back as a DSN from the null sender, and the email consent turns off with its reason', async () => {
    const taskQueue = 'bounce-mail';
    const worker = await createTestWorker({ connection: env.nativeConnection, taskQueue, smtp });
    await worker.runUntil(async () => {
      const person = customer({ id: 'bouncy', email: 'amira@nowhere.invalid', locale: 'en' });
      const { workflowId } = await dealClosed(env.client, { customer: person, deal: { id: 'deal-b', closedAt: '2027-01-02' } }, { taskQueue });
      const handle = env.client.workflow.getHandle(workflowId);
      await env.sleep('3 days'); // the welcome newsletter goes out by email
      let st = await handle.query(statusQuery);
      for (let i = 0; i < 400 && st.customer.consent.email !== false; i++) {
        await new Promise((r) => setTimeout(r, 100));
        st = await handle.query(statusQuery);
      }
      expect(st.customer.consent.email).toBe(false);
      const toPerson = smtp.messages.filter((m) => m.to.includes('amira@nowhere.invalid'));
      const reports = smtp.messages.filter((m) => /report-type="?delivery-status/.test(m.raw));
      expect(toPerson).toHaveLength(1);
      expect(reports).toHaveLength(1);
      // To the envelope sender of the bounced email, from the null sender: a bounce is never bounced back.
      expect(reports[0]!.to).toEqual([toPerson[0]!.from]);
      expect(reports[0]!.from ?? '').toBe('');
      expect(seen).toContain(`bounce read: ${workflowId} email consent off (hard bounce: DSN 5.1.1: 550 5.1.1 <amira@nowhere.invalid>: Recipient address rejected: User unknown)`);
      // Nothing more goes to the bouncing address.
      await env.sleep('40 days');
      expect(smtp.messages.filter((m) => m.to.includes('amira@nowhere.invalid'))).toHaveLength(1);
      expect((await handle.query(statusQuery)).nextTouches.some((t) => t.channel === 'email')).toBe(false);
      await handle.terminate('test done');
    });
  }, 120_000);
});

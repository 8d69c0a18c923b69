// The first vertical slice on the time-skipping server: a deal closes, the customer's
// workflow sleeps until the first touch and an email arrives at a real SMTP server, once.
import { simpleParser } from 'mailparser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { dealClosed, ValidationError } from '../service/enroll';
import { createTimeSkippingEnv } from '../dev/temporal-server';
import { startSmtpCapture, type SmtpCapture } from '../dev/smtp-capture';
import { customerWorkflowId } from '../plan/ids';
import { statusQuery } from '../workflows/messages';
import { business, createTestWorker, installTestRuntime, pinClock } from './helpers/temporal';
import { customer } from './fixtures/customers';

let env: TestWorkflowEnvironment;
let smtp: SmtpCapture;

beforeAll(async () => {
  installTestRuntime();
  env = await createTimeSkippingEnv();
  await pinClock(env);
  smtp = await startSmtpCapture({
    rejectRecipient: (address) => (address.startsWith('bounce@') ? { code: 550, message: 'mailbox unavailable' } : undefined),
  });
});

afterAll(async () => {
  await smtp?.close();
  await env?.teardown();
});

const deal = { id: 'deal-1', closedAt: '2026-11-20', value: 420000 };

describe('first touch end to end (time-skipping server, real SMTP)', () => {
  it('a closed deal starts customer-<id>; the first email arrives exactly once with recipient, subject and referral reminder', async () => {
    const taskQueue = 'first-touch';
    const worker = await createTestWorker({ connection: env.nativeConnection, taskQueue, smtp });
    const before = smtp.messages.length;
    await worker.runUntil(async () => {
      const first = await dealClosed(env.client, { customer: customer(), deal }, { taskQueue });
      // The same deal again (a retrying CRM): same workflow, same run, no second year.
      const again = await dealClosed(env.client, { customer: customer(), deal }, { taskQueue });
      expect(first.workflowId).toBe('customer-cust-0001');
      expect(again).toEqual(first);

      await env.sleep('3 days'); // the first newsletter goes out at the first free sending slot
      const [message] = (await smtp.waitFor(before + 1)).slice(before);
      await env.sleep('20 days'); // long enough for a duplicate to show
      const status = await env.client.workflow.getHandle(first.workflowId).query(statusQuery);
      const emailed = status.touchesDone.filter((t) => t.channel === 'email');
      const mine = smtp.messages.filter((x) => x.to.includes('layla@example.com'));
      expect(mine).toHaveLength(emailed.length); // one message per email touch, none twice
      const ids = await Promise.all(mine.map(async (x) => (await simpleParser(x.raw)).messageId));
      expect(new Set(ids).size).toBe(mine.length);

      const mail = await simpleParser(message!.raw);
      expect(message!.to).toEqual(['layla@example.com']);
      expect(mail.to && 'text' in mail.to ? mail.to.text : '').toContain('layla@example.com');
      // Layla reads Arabic: subject, text and a right-to-left HTML part in Arabic.
      expect(mail.subject).toMatch(/^Cedar Homes: نشرة \S+ \d{4}$/);
      expect(mail.text).toContain('عزيزي/عزيزتي Layla،');
      expect(mail.text).toContain(`عرّفنا به: ${business.referralUrl}`);
      expect(mail.html).toMatch(/<html lang="ar" dir="rtl"/);
      // The referral link carries the touch that asks (referral attribution): the message's own key.
      const key = String(mail.headers.get('x-plan33-touch'));
      expect(key).toMatch(/^customer-.+\.y1\.t\d+$/);
      expect(mail.html).toContain(`href="${business.referralUrl}?ref=${encodeURIComponent(key)}"`);
      expect(mail.text).toContain(`${business.referralUrl}?ref=${encodeURIComponent(key)}`);
      expect(mail.html).toContain('Noto Naskh Arabic');
      expect(mail.text).toContain(business.postalAddress);
      const newsletter = emailed.find((t) => t.kind === 'newsletter')!;
      expect(mail.messageId).toBe(`<customer-cust-0001.y1.t${newsletter.seq}@plan33>`);

      expect(status.deals).toEqual([deal]);
      expect(newsletter).toMatchObject({ kind: 'newsletter', channel: 'email', outcome: 'sent' });
      // Sent inside the customer's sending hours, in Riyadh local time.
      expect(newsletter.at).toMatch(/\+03:00$/);
      const hour = Number(newsletter.at.slice(11, 13));
      expect(hour).toBeGreaterThanOrEqual(9);
      expect(hour).toBeLessThan(19);
      // Email deliveries run on the email task queue (its workers carry SMTP_RATE_PER_SECOND);
      // the plan itself is loaded by the worker that runs the year, as a local activity (a marker).
      const history = await env.client.workflow.getHandle(first.workflowId).fetchHistory();
      const queues = history.events!.flatMap((e) => (e.activityTaskScheduledEventAttributes ? [[e.activityTaskScheduledEventAttributes.activityType?.name, e.activityTaskScheduledEventAttributes.taskQueue?.name]] : []));
      expect(queues).toContainEqual(['deliverTouch', 'first-touch-email']);
      expect(queues.map(([type]) => type)).not.toContain('loadPlanDefinition');
      expect(history.events!.some((e) => e.markerRecordedEventAttributes?.markerName === 'core_local_activity')).toBe(true);
      expect(queues.filter(([type]) => type === 'deliverTouch').every(([, q]) => q === 'first-touch-email' || q === 'first-touch')).toBe(true);
      await env.client.workflow.getHandle(first.workflowId).terminate('test done');
    });
  });

  it('a refused address is recorded as failed, not retried, and the year goes on', async () => {
    const taskQueue = 'bounce';
    const worker = await createTestWorker({ connection: env.nativeConnection, taskQueue, smtp });
    const c = customer({ id: 'cust-bounce', email: 'bounce@example.com' });
    await worker.runUntil(async () => {
      const { workflowId } = await dealClosed(env.client, { customer: c, deal }, { taskQueue });
      const handle = env.client.workflow.getHandle(workflowId);
      let failed;
      for (let i = 0; i < 60 && !failed; i++) {
        await env.sleep('1 day');
        failed = (await handle.query(statusQuery)).touchesDone.find((t) => t.channel === 'email');
      }
      expect(failed).toMatchObject({ kind: 'newsletter', outcome: 'failed' });
      expect(failed!.reason).toMatch(/mailbox unavailable/);
      // Exactly one attempt at the refused email: a permanent failure is not retried.
      const history = await handle.fetchHistory();
      expect(history.events!.filter((e) => e.activityTaskFailedEventAttributes)).toHaveLength(1);
      const started = history.events!.filter((e) => e.activityTaskStartedEventAttributes).map((e) => e.activityTaskStartedEventAttributes!.attempt);
      expect(started.every((n) => n === 1)).toBe(true);
      const status = await handle.query(statusQuery);
      expect(status.nextTouches.length).toBeGreaterThan(0); // the year goes on
      await handle.terminate('test done');
    });
    expect(smtp.messages.filter((m) => m.to.includes('bounce@example.com'))).toHaveLength(0);
  });

  it('bad input is refused before anything starts, naming every bad field', async () => {
    const bad = { ...customer({ id: 'bad id!' }), timezone: 'Mars/Olympus', email: 'not-an-email' };
    const err = await dealClosed(env.client, { customer: bad, deal: { id: '', closedAt: '2026-02-30' } }, { taskQueue: 'x' }).catch((e) => e);
    expect(err).toBeInstanceOf(ValidationError);
    const text = (err as ValidationError).problems.join('\n');
    for (const field of ['customer.id', 'customer.timezone', 'customer.email', 'deal.id', 'deal.closedAt']) expect(text).toContain(field);
    await expect(env.client.workflow.getHandle(customerWorkflowId('bad id!')).describe()).rejects.toThrow();
  });
});

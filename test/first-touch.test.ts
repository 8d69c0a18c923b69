// The first vertical slice on the time-skipping server: a deal closes, the customer's
// workflow sleeps until the first touch and an email arrives at a real SMTP server, once.
import { simpleParser } from 'mailparser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { dealClosed, ValidationError } from '../client/enroll';
import { createTimeSkippingEnv } from '../lib/temporal-server';
import { startSmtpCapture, type SmtpCapture } from '../lib/smtp-capture';
import { customerWorkflowId } from '../plan/ids';
import { statusQuery } from '../workflows/messages';
import type { customerYear } from '../workflows/customer-year';
import { business, createTestWorker, installTestRuntime } from './helpers/temporal';
import { customer } from './fixtures/customers';

let env: TestWorkflowEnvironment;
let smtp: SmtpCapture;

beforeAll(async () => {
  installTestRuntime();
  env = await createTimeSkippingEnv();
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

      await env.sleep('2 days'); // the first sending slot is at most a night away
      const [message] = (await smtp.waitFor(before + 1)).slice(before);
      await env.sleep('20 days'); // long enough for a duplicate to show, short of touch 2
      expect(smtp.messages.length).toBe(before + 1);

      const mail = await simpleParser(message!.raw);
      expect(message!.to).toEqual(['layla@example.com']);
      expect(mail.to && 'text' in mail.to ? mail.to.text : '').toContain('layla@example.com');
      expect(mail.subject).toMatch(/^Cedar Homes: your \w+ \d{4} newsletter$/);
      expect(mail.text).toContain('Dear Layla,');
      expect(mail.text).toContain(`Introduce them: ${business.referralUrl}`);
      expect(mail.html).toContain(business.referralUrl);
      expect(mail.text).toContain(business.postalAddress);
      expect(mail.messageId).toBe('<customer-cust-0001.y1.t1@plan33>');

      const status = await env.client.workflow.getHandle(first.workflowId).query(statusQuery);
      expect(status.deals).toEqual([deal]);
      expect(status.touchesDone).toHaveLength(1);
      expect(status.touchesDone[0]).toMatchObject({ seq: 1, kind: 'newsletter', channel: 'email', outcome: 'sent' });
      expect(status.nextTouches[0]).toMatchObject({ seq: 2, kind: 'newsletter' });
      // The touch was sent inside the customer's sending hours, in Riyadh local time.
      expect(status.touchesDone[0]!.at).toMatch(/\+03:00$/);
      const hour = Number(status.touchesDone[0]!.at.slice(11, 13));
      expect(hour).toBeGreaterThanOrEqual(9);
      expect(hour).toBeLessThan(19);
      await env.client.workflow.getHandle(first.workflowId).terminate('test done');
    });
  });

  it('runs the whole year: 12 newsletters, each delivered once, each key distinct', async () => {
    const taskQueue = 'whole-year';
    const worker = await createTestWorker({ connection: env.nativeConnection, taskQueue, smtp });
    const c = customer({ id: 'cust-year', email: 'year@example.com', timezone: 'America/New_York' });
    const result = await worker.runUntil(async () => {
      const { workflowId } = await dealClosed(env.client, { customer: c, deal }, { taskQueue });
      return env.client.workflow.getHandle<typeof customerYear>(workflowId).result(); // time skips to the year's end
    });
    const mine = smtp.messages.filter((m) => m.to.includes('year@example.com'));
    expect(mine).toHaveLength(12);
    const ids = await Promise.all(mine.map(async (m) => (await simpleParser(m.raw)).messageId));
    expect(new Set(ids).size).toBe(12);
    expect(result.touchesDone.map((t) => t.outcome)).toEqual(Array(12).fill('sent'));
    expect(result.touchesDone.every((t) => /-0[45]:00$/.test(t.at))).toBe(true); // EST/EDT offsets
  });

  it('a refused address is recorded as failed, not retried, and the year goes on', async () => {
    const taskQueue = 'bounce';
    const worker = await createTestWorker({ connection: env.nativeConnection, taskQueue, smtp });
    const c = customer({ id: 'cust-bounce', email: 'bounce@example.com' });
    await worker.runUntil(async () => {
      const { workflowId } = await dealClosed(env.client, { customer: c, deal }, { taskQueue });
      const handle = env.client.workflow.getHandle(workflowId);
      await env.sleep('2 days');
      let status = await handle.query(statusQuery);
      for (let i = 0; i < 50 && status.touchesDone.length === 0; i++) {
        await new Promise((r) => setTimeout(r, 100));
        status = await handle.query(statusQuery);
      }
      expect(status.touchesDone[0]).toMatchObject({ seq: 1, outcome: 'failed' });
      expect(status.touchesDone[0]!.reason).toMatch(/mailbox unavailable/);
      const history = await handle.fetchHistory();
      const attempts = history.events!.filter((e) => e.activityTaskStartedEventAttributes).map((e) => e.activityTaskStartedEventAttributes!.attempt);
      expect(attempts).toEqual([1]);
      expect(status.nextTouches[0]).toMatchObject({ seq: 2 });
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

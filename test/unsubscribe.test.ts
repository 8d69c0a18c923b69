// RFC 8058 one-click unsubscribe: both headers on every email, a signed token that cannot be
// forged, and the round trip from the link back to the customer's workflow.
import { simpleParser } from 'mailparser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { dealClosed } from '../service/enroll';
import { InvalidTokenError, unsubscribeByToken } from '../service/unsubscribe';
import { createTimeSkippingEnv } from '../dev/temporal-server';
import { startSmtpCapture, type SmtpCapture } from '../dev/smtp-capture';
import { unsubscribeToken, verifyUnsubscribeToken } from '../lib/unsubscribe';
import { verifySourceToken } from '../lib/source-link';
import { customerWorkflowId } from '../plan/ids';
import { statusQuery } from '../workflows/messages';
import { createTestWorker, installTestRuntime } from './helpers/temporal';
import { customer } from './fixtures/customers';

const unsubscribe = { baseUrl: 'https://plan33.test/', secret: 'a-test-secret-of-some-length' };

describe('unsubscribe tokens', () => {
  it('verify what was signed, and nothing else', () => {
    const token = unsubscribeToken(unsubscribe.secret, { customerId: 'cust-1', channel: 'email' });
    expect(verifyUnsubscribeToken(unsubscribe.secret, token)).toEqual({ customerId: 'cust-1', channel: 'email' });
    expect(verifyUnsubscribeToken('another-secret-entirely', token)).toBeUndefined();
    const [body, mac] = token.split('.');
    const forged = Buffer.from(JSON.stringify({ c: 'cust-2', ch: 'email' })).toString('base64url');
    expect(verifyUnsubscribeToken(unsubscribe.secret, `${forged}.${mac}`)).toBeUndefined();
    expect(verifyUnsubscribeToken(unsubscribe.secret, `${body}.${mac}x`)).toBeUndefined();
    for (const junk of ['', '.', 'abc', `${body}.${mac}.x`]) expect(verifyUnsubscribeToken(unsubscribe.secret, junk)).toBeUndefined();
  });
});

describe('one-click unsubscribe round trip (time-skipping server, real SMTP)', () => {
  let env: TestWorkflowEnvironment;
  let smtp: SmtpCapture;
  beforeAll(async () => {
    installTestRuntime();
    env = await createTimeSkippingEnv();
    smtp = await startSmtpCapture();
  });
  afterAll(async () => {
    await smtp?.close();
    await env?.teardown();
  });

  it('every email carries List-Unsubscribe and List-Unsubscribe-Post; the link opts the customer out in the workflow', async () => {
    const worker = await createTestWorker({ connection: env.nativeConnection, taskQueue: 'unsub', smtp, unsubscribe });
    await worker.runUntil(async () => {
      await dealClosed(env.client, { customer: customer({ id: 'cust-unsub', email: 'unsub@example.com' }), deal: { id: 'd', closedAt: '2026-11-23' } }, { taskQueue: 'unsub' });
      await env.sleep('3 days');
      const [message] = await smtp.waitFor(1);
      const mail = await simpleParser(message!.raw);
      const header = (name: string) => mail.headerLines.find((h) => h.key === name)?.line.replace(/\r?\n\s+/g, ' ');
      expect(header('list-unsubscribe-post')).toBe('List-Unsubscribe-Post: List-Unsubscribe=One-Click');
      const link = /<(https:\/\/plan33\.test\/v1\/unsubscribe\/[^>]+)>/.exec(header('list-unsubscribe') ?? '')?.[1];
      expect(link).toBeDefined();
      // The welcome issue after the deal asks the one question (Source), with a link of its own (Arabic: the customer's locale).
      const ask = /https:\/\/plan33\.test\/v1\/source\/([A-Za-z0-9_-]+\.[A-Za-z0-9_-]+)\?lang=ar/.exec(mail.text ?? '');
      expect(ask).not.toBeNull();
      expect(mail.text).toContain('كيف سمعت عنا أول مرة؟');
      expect(verifySourceToken(unsubscribe.secret, ask![1]!)).toBe('cust-unsub');
      expect(verifySourceToken(unsubscribe.secret, link!.split('/').at(-1)!)).toBeUndefined(); // an unsubscribe token is not a source token

      await expect(unsubscribeByToken(env.client, unsubscribe.secret, 'forged.token')).rejects.toThrow(InvalidTokenError);
      const token = link!.split('/').at(-1)!;
      expect(await unsubscribeByToken(env.client, unsubscribe.secret, token)).toEqual({ customerId: 'cust-unsub', channel: 'email' });
      const handle = env.client.workflow.getHandle(customerWorkflowId('cust-unsub'));
      let consent = true;
      for (let i = 0; i < 100 && consent; i++) {
        consent = (await handle.query(statusQuery)).customer.consent.email;
        if (consent) await new Promise((r) => setTimeout(r, 20));
      }
      expect(consent).toBe(false);
      await handle.terminate();
    });
  });
});

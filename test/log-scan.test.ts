// No personal data or secret in the logs (issue 17, part 4): a whole simulated customer-year
// (deal, every touch on every channel, calls completed, a referral) runs with every log line
// captured at debug level (the worker's, the SDK's, the workflow's), and the lines are scanned for
// the customer's name, email, phone and address, and for the signing secret.
import { describe, expect, it } from 'vitest';
import { createLogger, installTemporalRuntimeLogger } from '../lib/logger';
import { runSimulatedYear } from '../dev/simulate';
import { createTimeSkippingEnv } from '../dev/temporal-server';
import { startSmtpCapture } from '../dev/smtp-capture';
import { startLocalTwilio } from '../dev/twilio-local';
import { DEFAULT_SENDING_HOURS } from '../plan/sending-hours';
import { customerWorkflowId } from '../plan/ids';
import { testStores } from './helpers/database';
import { createTestWorker, pinClock, TEST_LINKS, TWILIO } from './helpers/temporal';
import { customer } from './fixtures/customers';

const lines: string[] = [];
// Before anything else installs the runtime: every line of this process comes here.
installTemporalRuntimeLogger(createLogger('debug', { write: (line: string) => void lines.push(line) }));

describe('the logs of a whole year', () => {
  it('carry no name, email, phone, address or secret', async () => {
    const [env, smtp, twilio, stores] = await Promise.all([createTimeSkippingEnv(), startSmtpCapture(), startLocalTwilio({ accountSid: TWILIO.accountSid, authToken: TWILIO.authToken }), testStores()]);
    try {
      await pinClock(env);
      const worker = await createTestWorker({ connection: env.nativeConnection, taskQueue: 'log-scan', smtp, twilio, stores });
      const c = customer({ id: 'log-scan-1', name: { first: 'Farida', last: 'Mansour' }, email: 'farida.mansour@example.com', phone: '+966501236666', address: { line1: '19 Corniche Road', city: 'Dammam', postalCode: '32241', country: 'SA' } });
      const start = new Date(await env.currentTimeMs()).toISOString().slice(0, 10);
      const referralAt = new Date(Date.parse(start) + 100 * 86_400_000).toISOString().slice(0, 10);
      const first = await worker.runUntil(runSimulatedYear({ env, taskQueue: 'log-scan' }, { customer: c, referralAt, sendingHours: DEFAULT_SENDING_HOURS }));
      // The same person by SMS only (no email, no post): the SMS path's logs too.
      const smsWorker = await createTestWorker({ connection: env.nativeConnection, taskQueue: 'log-scan-sms', smtp, twilio, stores });
      const bySms = await smsWorker.runUntil(runSimulatedYear({ env, taskQueue: 'log-scan-sms' }, { customer: { ...c, id: 'log-scan-2', consent: { email: false, sms: true, postal: false, phone: true } }, sendingHours: DEFAULT_SENDING_HOURS }));
      // The years really ran on every channel, and the logs really were captured.
      const channels = [...first.status.touchesDone, ...bySms.status.touchesDone].filter((t) => t.outcome === 'sent').map((t) => t.channel);
      expect(new Set(channels)).toEqual(new Set(['email', 'sms', 'postal', 'phone']));
      expect(lines.length).toBeGreaterThan(50);
      expect(lines.join('\n')).toContain(customerWorkflowId('log-scan-1'));
      // The activities' own lines are among them (a send, a call task).
      expect(lines.join('\n')).toContain('touch delivered');
      const text = lines.join('\n');
      for (const secret of ['Farida', 'Mansour', 'farida.mansour@example.com', '+966501236666', '966501236666', 'Corniche', TEST_LINKS.secret, TWILIO.authToken]) expect(text, secret).not.toContain(secret);
    } finally {
      for (const id of ['log-scan-1', 'log-scan-2']) await env.client.workflow.getHandle(customerWorkflowId(id)).terminate().catch(() => undefined);
      await smtp.close();
      await twilio.close();
      await env.teardown().catch(() => undefined);
    }
  });
});

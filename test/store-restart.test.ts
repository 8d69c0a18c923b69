// plan33's PostgreSQL goes away in the middle of a customer's year and comes back: the touches
// that fell due meanwhile are retried by Temporal until the store answers, then go out once
// each; nothing is lost and nothing is delivered twice. A real embedded PostgreSQL of this file's
// own (stopped and started again), the time-skipping server, real SMTP and Twilio stand-ins.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { freePort } from '../dev/binaries.mjs';
import { postgresTempDir, startEmbeddedPostgres, type EmbeddedPostgres } from '../dev/embedded-postgres';
import { startSmtpCapture, type SmtpCapture } from '../dev/smtp-capture';
import { createTimeSkippingEnv } from '../dev/temporal-server';
import { startLocalTwilio, type LocalTwilio } from '../dev/twilio-local';
import { customerWorkflowId, touchKey } from '../plan/ids';
import { dealClosed } from '../service/enroll';
import { openStores, type Stores } from '../stores';
import * as m from '../workflows/messages';
import { customer } from './fixtures/customers';
import { until } from './helpers/year';
import { createTestWorker, installTestRuntime, pinClock, TWILIO } from './helpers/temporal';
import { join } from 'node:path';

let env: TestWorkflowEnvironment;
let smtp: SmtpCapture;
let twilio: LocalTwilio;
let postgres: EmbeddedPostgres;
let stores: Stores;
const droppedConnections: Error[] = [];

beforeAll(async () => {
  installTestRuntime();
  env = await createTimeSkippingEnv();
  await pinClock(env);
  smtp = await startSmtpCapture();
  twilio = await startLocalTwilio({ accountSid: TWILIO.accountSid, authToken: TWILIO.authToken });
  postgres = await startEmbeddedPostgres({ dataDir: join(postgresTempDir('plan33-restart-'), 'data'), port: await freePort() });
  stores = await openStores({ url: postgres.url, onError: (err) => void droppedConnections.push(err) });
});

afterAll(async () => {
  await stores?.db.destroy();
  await postgres?.stop();
  await smtp?.close();
  await twilio?.close();
  await env?.teardown();
});

const header = (raw: string, name: string) => new RegExp(`^${name}: (.+)$`, 'mi').exec(raw)?.[1]?.trim();

describe('PostgreSQL stops in the middle of a simulated year', () => {
  it('the year waits, resumes when it is back, and every touch goes out exactly once', async () => {
    const id = 'pg-restart';
    const taskQueue = 'pg-restart';
    const worker = await createTestWorker({ connection: env.nativeConnection, taskQueue, smtp, twilio, stores });
    await worker.runUntil(async () => {
      await dealClosed(env.client, { customer: customer({ id, email: `${id}@example.com`, phone: '+966500000777' }), deal: { id: 'd-restart', closedAt: '2039-12-30' } }, { taskQueue });
      const handle = env.client.workflow.getHandle(customerWorkflowId(id));
      try {
        let st = await until(env, handle, (s) => s.touchesDone.length >= 6);
        // Asleep between touches (no activity running): the store goes away now.
        for (let i = 0; i < 200 && ((await handle.describe()).raw.pendingActivities?.length ?? 0) > 0; i++) await new Promise((r) => setTimeout(r, 20));
        const doneBefore = st.touchesDone.length;
        const eventsBefore = (await handle.fetchHistory()).events?.length ?? 0;
        await postgres.stop();

        // Three days past the next touch: it is attempted, and fails, again and again.
        const next = Date.parse(st.nextDueAt!);
        await env.sleep(next - (await env.currentTimeMs()) + 3 * 86_400_000);
        const pending = (await handle.describe()).raw.pendingActivities ?? [];
        if (pending.length > 0) {
          // An email or SMS (a normal activity on its channel's queue): retried, each attempt refused.
          expect(pending).toHaveLength(1);
          expect(pending[0]!.attempt).toBeGreaterThan(1);
          expect(pending[0]!.lastFailure?.message).toMatch(/ECONNREFUSED|connect|terminat/i);
        } else {
          // A postal item, a call task or the progress batch (local activities since the local-steps
          // patch) retries inside the worker: its backoff shows as timers in the history.
          // Over three days at up to 30 minutes apart: many backoff timers besides the one to the touch.
          const events = ((await handle.fetchHistory()).events ?? []).slice(eventsBefore);
          expect(events.filter((e) => e.timerStartedEventAttributes).length).toBeGreaterThan(3);
        }
        st = await handle.query(m.statusQuery);
        expect(st.touchesDone).toHaveLength(doneBefore); // nothing recorded while the store is away
        expect(Date.parse(st.nextDueAt!)).toBe(next); // still due: being retried, not skipped

        await postgres.start();
        // The next retry comes within the activity's longest backoff (30 minutes).
        await env.sleep(31 * 60_000);
        st = await until(env, handle, (s) => s.touchesDone.length >= doneBefore + 8, 120);
        expect(st.touchesDone.filter((t) => t.outcome === 'failed')).toEqual([]);
        // The touch that fell due in the outage went out after it, once.
        const late = st.touchesDone.find((t) => Date.parse(t.at) === next)!;
        expect(late.outcome).toBe('sent');
        expect(Date.parse(late.doneAt)).toBeGreaterThanOrEqual(next + 3 * 86_400_000);

        // Exactly once at the providers: one email per touch key, one SMS per body.
        const keys = smtp.messages.map((x) => header(x.raw, 'X-Plan33-Touch')).filter(Boolean);
        expect(new Set(keys).size).toBe(keys.length);
        const sent = st.touchesDone.filter((t) => t.outcome === 'sent');
        expect(keys.sort()).toEqual(sent.filter((t) => t.channel === 'email').map((t) => touchKey(handle.workflowId, 1, t.seq)).sort());
        expect(twilio.messages.filter((x) => x.to === '+966500000777')).toHaveLength(sent.filter((t) => t.channel === 'sms').length);

        // Nothing lost in the store: a delivery row and an outcome row for every touch sent.
        const delivered = await stores.db.selectFrom('deliveries').select('key').where('key', 'like', `${handle.workflowId}.y1.t%`).where('recorded_at', 'is not', null).execute();
        expect(delivered.map((r) => r.key).sort()).toEqual(sent.map((t) => touchKey(handle.workflowId, 1, t.seq)).sort());
        const outcomes = await stores.db.selectFrom('touch_outcomes').select(['key', 'outcome']).where('customer_id', '=', id).where('outcome', '=', 'sent').execute();
        expect(outcomes.map((r) => r.key).sort()).toEqual(sent.map((t) => touchKey(handle.workflowId, 1, t.seq)).sort());
      } finally {
        await handle.terminate('test done').catch(() => undefined);
      }
    });
  });
});

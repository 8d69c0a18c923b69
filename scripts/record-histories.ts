// Records the histories that test/replay.test.ts replays: a whole customer-year (with every
// call reached and a referral mid-year) and a year with other call outcomes, run on the
// time-skipping server. Re-run it only when a change to the workflow is meant to be
// incompatible (and then version the workflow instead, see docs/plan.md "Changing the workflow").
//   npx tsx scripts/record-histories.ts year-call-reminders.json
import { writeFileSync } from 'node:fs';
import { historyToJSON } from '@temporalio/common/lib/proto-utils';
import { join } from 'node:path';
import nodemailer from 'nodemailer';
import { openStores } from '../stores';
import { postgresTempDir, startEmbeddedPostgres } from '../dev/embedded-postgres';
import { runSimulatedYear } from '../dev/simulate';
import { freePort, projectRoot } from '../dev/binaries.mjs';
import { createLogger, installTemporalRuntimeLogger } from '../lib/logger';
import { startSmtpCapture } from '../dev/smtp-capture';
import { createTimeSkippingEnv } from '../dev/temporal-server';
import { startLocalTwilio } from '../dev/twilio-local';
import { DEFAULT_SENDING_HOURS } from '../plan/sending-hours';
import { createPlan33Worker } from '../worker/create-worker';
import { createSmsClient } from '../worker/sms';

installTemporalRuntimeLogger(createLogger('error'));
const dir = postgresTempDir('plan33-record-');
const env = await createTimeSkippingEnv();
const smtp = await startSmtpCapture();
const twilio = await startLocalTwilio({ accountSid: 'AC1', authToken: 't' });
const postgres = await startEmbeddedPostgres({ dataDir: join(dir, 'postgres'), port: await freePort() });
const stores = await openStores({ url: postgres.url });
const worker = await createPlan33Worker({
  connection: env.nativeConnection,
  taskQueue: 'record',
  deps: {
    mailer: nodemailer.createTransport({ host: '127.0.0.1', port: smtp.port, ignoreTLS: true }),
    sms: createSmsClient({ accountSid: 'AC1', authToken: 't', from: '+15005550006', apiBase: twilio.baseUrl }),
    tasks: stores.tasks,
    ledger: stores.ledger,
    records: stores.records,
    contacts: stores.contacts,
    business: { name: 'Cedar Homes', postalAddress: '12 Olaya St, Riyadh', mailFrom: 'hello@cedar.test', referralUrl: 'https://cedar.test/refer' },
  },
});
const base = {
  name: { first: 'Layla', last: 'Haddad' }, email: 'layla@example.com', phone: '+966501234567',
  address: { line1: '12 Olaya St', city: 'Riyadh', postalCode: '12211', country: 'SA' }, timezone: 'Asia/Riyadh', agent: 'agent-sara',
  personalDates: [{ occasion: 'birthday', date: '1990-03-14' }], favoriteTeam: 'Al Hilal', locale: 'ar', consent: { email: true, sms: true, postal: true, phone: true },
};
await worker.runUntil(async () => {
  const now = new Date(await env.currentTimeMs());
  const referralAt = new Date(now.getTime() + 100 * 86_400_000).toISOString().slice(0, 10);
  // Histories are never re-recorded: a new one is added per release that changes the workflow
  // (pass its file name), so every old shape keeps being replayed.
  const runs = [
    { file: 'year-advocate-switch.json', customer: { ...base, id: 'replay-1' }, referralAt, callOutcome: 'reached' as const },
    { file: 'year-call-backs.json', customer: { ...base, id: 'replay-2', address: { ...base.address, country: 'US' }, timezone: 'America/New_York' }, callOutcome: 'call-back' as const },
    // call-tasks-v2: assignees, reminders after 48 h and escalation after 120 h (the agent answers after 130 h).
    { file: 'year-call-reminders.json', customer: { ...base, id: 'replay-3' }, referralAt, callOutcome: 'reached' as const, agentDelayHours: 130 },
    // channel-task-queues: email and SMS deliveries on their own task queues (per-channel send rates).
    { file: 'year-channel-queues.json', customer: { ...base, id: 'replay-4' }, referralAt, callOutcome: 'reached' as const },
    // store-progress: what no delivery wrote goes to plan33's store in recordProgress batches
    // (a no-answer call year: retries, skipped follow-up letters, a referral).
    { file: 'year-store-progress.json', customer: { ...base, id: 'replay-5' }, referralAt, callOutcome: 'no-answer' as const },
  ].filter((r) => process.argv.slice(2).includes(r.file));
  for (const run of runs) {
    const { history } = await runSimulatedYear(
      { env, taskQueue: 'record' },
      { customer: run.customer as never, referralAt: run.referralAt, callOutcome: run.callOutcome, sendingHours: DEFAULT_SENDING_HOURS, agentDelayHours: run.agentDelayHours },
    );
    writeFileSync(join(projectRoot, 'test', 'histories', run.file), historyToJSON(history));
    console.log(`${run.file}: ${history.events!.length} events`);
  }
});
await smtp.close();
await twilio.close();
await env.teardown();
await stores.db.destroy();
await postgres.stop();

// Records the history of a whole first year under the `local-steps` patch: the plan definition,
// every progress batch, postal items and call tasks as local activities (markers), email and SMS
// as activities on their channel queues; with call tasks completed by an agent stand-in and a
// referral mid-year (the advocate plan loaded). Replayed by test/replay.test.ts; a new file per
// release, never re-recorded.
//   npx tsx scripts/record-local-steps-history.ts year-local-steps.json
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import nodemailer from 'nodemailer';
import { historyToJSON } from '@temporalio/common/lib/proto-utils';
import { freePort, projectRoot } from '../dev/binaries.mjs';
import { postgresTempDir, startEmbeddedPostgres } from '../dev/embedded-postgres';
import { runSimulatedYear } from '../dev/simulate';
import { startSmtpCapture } from '../dev/smtp-capture';
import { createTimeSkippingEnv } from '../dev/temporal-server';
import { startLocalTwilio } from '../dev/twilio-local';
import { createLogger, installTemporalRuntimeLogger } from '../lib/logger';
import { DEFAULT_SENDING_HOURS } from '../plan/sending-hours';
import { openStores } from '../stores';
import { createPlan33Worker } from '../worker/create-worker';
import { createSmsClient } from '../worker/sms';

const file = process.argv[2];
if (!file) throw new Error('usage: npx tsx scripts/record-local-steps-history.ts <file>.json');
installTemporalRuntimeLogger(createLogger('error'));
const twilioAccount = { accountSid: 'AC00000000000000000000000000000001', authToken: 'record' };
const env = await createTimeSkippingEnv();
const smtp = await startSmtpCapture();
const twilio = await startLocalTwilio(twilioAccount);
const postgres = await startEmbeddedPostgres({ dataDir: join(postgresTempDir('plan33-record-local-'), 'postgres'), port: await freePort() });
const stores = await openStores({ url: postgres.url });
const taskQueue = 'record-local-steps';
const worker = await createPlan33Worker({
  connection: env.nativeConnection,
  taskQueue,
  deps: {
    mailer: nodemailer.createTransport({ host: '127.0.0.1', port: smtp.port, ignoreTLS: true }),
    sms: createSmsClient({ ...twilioAccount, from: '+15005550006', apiBase: twilio.baseUrl }),
    tasks: stores.tasks,
    ledger: stores.ledger,
    records: stores.records,
    contacts: stores.contacts,
    business: { name: 'Cedar Homes', postalAddress: '12 Olaya St, Riyadh', mailFrom: 'hello@cedar.test', referralUrl: 'https://cedar.test/refer' },
  },
});
const start = new Date(await env.currentTimeMs()).toISOString().slice(0, 10);
const referralAt = new Date(Date.parse(start) + 200 * 86_400_000).toISOString().slice(0, 10);
const { status, history } = await worker.runUntil(
  runSimulatedYear({ env, taskQueue }, {
    customer: { id: 'replay-local', name: { first: 'Layla' }, email: 'layla@example.com', phone: '+447700900123', consent: { email: true, sms: true, postal: true, phone: true }, address: { line1: '1 Cedar St', city: 'London', country: 'GB' }, timezone: 'Europe/London', agent: 'agent-sara' },
    sendingHours: DEFAULT_SENDING_HOURS,
    referralAt,
  }),
);
writeFileSync(join(projectRoot, 'test', 'histories', file), historyToJSON(history));
const markers = history.events!.filter((e) => e.markerRecordedEventAttributes).length;
console.log(`${file}: ${history.events!.length} events (${markers} markers); ${status.touchesDone.length} touches done`);
await twilio.close();
await smtp.close();
await env.teardown();
await stores.db.destroy();
await postgres.stop();

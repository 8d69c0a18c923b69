// Records the history of a year that gets an NPS answer and a segment change (the
// `nps-and-segments` patch): the survey email 14 days after the deal, a detractor's answer (a
// call task follows), then the daily refresh's `segmentChanged` (the rest re-planned with the new
// segment's definition). Replayed by test/replay.test.ts; a new file per release, never re-recorded.
//   npx tsx scripts/record-nps-history.ts year-nps-segment.json
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import nodemailer from 'nodemailer';
import { historyToJSON } from '@temporalio/common/lib/proto-utils';
import { freePort, projectRoot } from '../dev/binaries.mjs';
import { postgresTempDir, startEmbeddedPostgres } from '../dev/embedded-postgres';
import { startSmtpCapture } from '../dev/smtp-capture';
import { createTimeSkippingEnv } from '../dev/temporal-server';
import { createLogger, installTemporalRuntimeLogger } from '../lib/logger';
import { customerWorkflowId } from '../plan/ids';
import { dealClosed } from '../service/enroll';
import { openStores } from '../stores';
import { npsAnsweredSignal, segmentChangedSignal, statusQuery, type CustomerStatus } from '../workflows/messages';
import { createPlan33Worker } from '../worker/create-worker';

const file = process.argv[2];
if (!file) throw new Error('usage: npx tsx scripts/record-nps-history.ts <file>.json');
installTemporalRuntimeLogger(createLogger('error'));
const env = await createTimeSkippingEnv();
const smtp = await startSmtpCapture();
const postgres = await startEmbeddedPostgres({ dataDir: join(postgresTempDir('plan33-record-nps-'), 'postgres'), port: await freePort() });
const stores = await openStores({ url: postgres.url });
const taskQueue = 'record-nps';
const worker = await createPlan33Worker({
  connection: env.nativeConnection,
  taskQueue,
  deps: {
    mailer: nodemailer.createTransport({ host: '127.0.0.1', port: smtp.port, ignoreTLS: true }),
    tasks: stores.tasks,
    ledger: stores.ledger,
    records: stores.records,
    contacts: stores.contacts,
    business: { name: 'Cedar Homes', postalAddress: '12 Olaya St, Riyadh', mailFrom: 'hello@cedar.test', referralUrl: 'https://cedar.test/refer' },
    unsubscribe: { baseUrl: 'http://localhost:8080', secret: 'record-nps-history-secret-0123' },
  },
});
await worker.runUntil(async () => {
  const id = 'replay-nps';
  const zone = 'Asia/Riyadh';
  const closedAt = new Date(await env.currentTimeMs()).toISOString().slice(0, 10);
  const { runId } = await dealClosed(env.client, { customer: { id, name: { first: 'Nora' }, email: 'nora@example.com', phone: '+966501112233', timezone: zone, agent: 'agent-sara', consent: { email: true, sms: false, postal: false, phone: true } }, deal: { id: 'D-nps', closedAt } }, { taskQueue });
  const handle = env.client.workflow.getHandle(customerWorkflowId(id));
  const step = async (done: (s: CustomerStatus) => boolean) => {
    for (let i = 0; i < 100; i++) {
      const st = await handle.query(statusQuery).catch(() => undefined);
      if (st && st.state !== 'starting' && done(st)) return st;
      const t = await env.currentTimeMs();
      await env.sleep(Math.max((st?.nextDueAt ? Date.parse(st.nextDueAt) : t + 60_000) - t, 0) + 1000);
      await new Promise((r) => setTimeout(r, 50));
    }
    throw new Error('not reached');
  };
  const st = await step((s) => s.touchesDone.some((t) => t.kind === 'nps-survey'));
  const survey = st.touchesDone.find((t) => t.kind === 'nps-survey')!;
  await handle.signal(npsAnsweredSignal, { surveyId: `${customerWorkflowId(id)}.y1.t${survey.seq}`, score: 3, why: 'Slow paperwork', answeredAt: new Date(await env.currentTimeMs()).toISOString() });
  await step((s) => s.touchesDone.some((t) => t.occasion === 'nps-detractor'));
  await handle.signal(segmentChangedSignal, { segment: 'vip', computedAt: new Date(await env.currentTimeMs()).toISOString() });
  const after = await step((s) => s.customer.segment === 'vip' && s.touchesDone.length > st.touchesDone.length + 1);
  const history = await env.client.workflow.getHandle(customerWorkflowId(id), runId).fetchHistory();
  writeFileSync(join(projectRoot, 'test', 'histories', file), historyToJSON(history));
  console.log(`${file}: ${history.events!.length} events; ${after.touchesDone.length} touches done; nps ${JSON.stringify(after.nps)}`);
  await handle.terminate('recorded');
});
await smtp.close();
await env.teardown();
await stores.db.destroy();
await postgres.stop();

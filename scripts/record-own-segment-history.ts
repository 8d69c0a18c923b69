// Records the history of a year whose business segment stays through the daily refresh (the
// `own-segment` patch): a customer the business labelled `investor` closes a deal, the first
// touches go out, then the real refresh (`segmentRefresh`, its activity on PostgreSQL) computes
// the value class `vip` and signals the year, which keeps `investor`, takes `vip` as a field of
// its own and re-plans the rest with both overrides (the segment's newsletters, the class's
// holiday cards); the next touches follow. Then the business gives the segment `partner` (a
// profile update, as the API and the web send it): the rest follows its (empty) overrides, the
// class kept. Replayed by test/replay.test.ts; a new file per release, never re-recorded.
//   npx tsx scripts/record-own-segment-history.ts year-own-segment.json
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import nodemailer from 'nodemailer';
import { historyToJSON } from '@temporalio/common/lib/proto-utils';
import { freePort, projectRoot } from '../dev/binaries.mjs';
import { postgresTempDir, startEmbeddedPostgres } from '../dev/embedded-postgres';
import { startSmtpCapture } from '../dev/smtp-capture';
import { createTimeSkippingEnv } from '../dev/temporal-server';
import { createLogger, installTemporalRuntimeLogger } from '../lib/logger';
import { parsePlanOverrides } from '../plan/definitions';
import { customerWorkflowId } from '../plan/ids';
import { dealClosed } from '../service/enroll';
import { openStores } from '../stores';
import { PgSegmentStore } from '../stores/segments';
import { statusQuery, updateProfileUpdate, type CustomerStatus } from '../workflows/messages';
import { segmentRefresh } from '../workflows/segments';
import { createPlan33Worker } from '../worker/create-worker';

const file = process.argv[2];
if (!file) throw new Error('usage: npx tsx scripts/record-own-segment-history.ts <file>.json');
installTemporalRuntimeLogger(createLogger('error'));
const env = await createTimeSkippingEnv();
const smtp = await startSmtpCapture();
const postgres = await startEmbeddedPostgres({ dataDir: join(postgresTempDir('plan33-record-own-segment-'), 'postgres'), port: await freePort() });
const stores = await openStores({ url: postgres.url });
const taskQueue = 'record-own-segment';
const worker = await createPlan33Worker({
  connection: env.nativeConnection,
  taskQueue,
  deps: {
    mailer: nodemailer.createTransport({ host: '127.0.0.1', port: smtp.port, ignoreTLS: true }),
    tasks: stores.tasks,
    ledger: stores.ledger,
    records: stores.records,
    contacts: stores.contacts,
    segments: new PgSegmentStore(stores.db),
    planOverrides: parsePlanOverrides({
      segments: { investor: { 'client-for-life': { counts: { newsletter: 10 } } } },
      classes: { vip: { 'client-for-life': { counts: { newsletter: 11, 'holiday-card': 5 } } } },
    }),
    business: { name: 'Cedar Homes', postalAddress: '12 Olaya St, Riyadh', mailFrom: 'hello@cedar.test', referralUrl: 'https://cedar.test/refer' },
    unsubscribe: { baseUrl: 'http://localhost:8080', secret: 'record-own-segment-secret-0123' },
  },
});
await worker.runUntil(async () => {
  const id = 'replay-own-segment';
  const zone = 'Asia/Riyadh';
  const closedAt = new Date(await env.currentTimeMs()).toISOString().slice(0, 10);
  // Earlier deals: this customer holds most of the revenue (the VIP), another customer little.
  await stores.db
    .insertInto('deals')
    .values([
      { customer_id: id, deal_id: 'D-earlier', closed_at: '2025-03-01', value: 50_000, recorded_at: new Date() },
      { customer_id: 'someone-else', deal_id: 'D-small', closed_at: '2025-03-01', value: 100, recorded_at: new Date() },
    ])
    .execute();
  const customer = { id, name: { first: 'Omar' }, email: 'omar@example.com', phone: '+966501112244', timezone: zone, agent: 'agent-sara', segment: 'investor', consent: { email: true, sms: false, postal: false, phone: true } };
  const { runId } = await dealClosed(env.client, { customer, deal: { id: 'D-own', closedAt, value: 1000 } }, { taskQueue });
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
  const planned = (st: CustomerStatus, kind: string) => [...st.touchesDone, ...st.nextTouches].filter((t) => t.kind === kind).length;
  const before = await step((s) => s.touchesDone.length >= 2);
  // The daily refresh, as the schedule starts it (its input empty: as of its own day).
  const counts = await (await env.client.workflow.start(segmentRefresh, { taskQueue, workflowId: 'plan33-segments-record', args: [{}] })).result();
  if (counts.signalled !== 1) throw new Error(`the refresh signalled ${counts.signalled} years, expected 1: ${JSON.stringify(counts)}`);
  const after = await step((s) => s.valueClass === 'vip' && s.touchesDone.length >= before.touchesDone.length + 2);
  if (after.customer.segment !== 'investor') throw new Error(`the segment became ${after.customer.segment}`);
  await handle.executeUpdate(updateProfileUpdate, { args: [{ ...customer, segment: 'partner' }] });
  const partner = await step((s) => s.customer.segment === 'partner' && s.touchesDone.length >= after.touchesDone.length + 1);
  const history = await env.client.workflow.getHandle(customerWorkflowId(id), runId).fetchHistory();
  writeFileSync(join(projectRoot, 'test', 'histories', file), historyToJSON(history));
  console.log(
    `${file}: ${history.events!.length} events; ${partner.touchesDone.length} touches done; segment ${after.customer.segment}, class ${after.valueClass}; ` +
      `newsletters ${planned(before, 'newsletter')} -> ${planned(after, 'newsletter')}, holiday cards ${planned(before, 'holiday-card')} -> ${planned(after, 'holiday-card')}; ` +
      `then segment ${partner.customer.segment} (class ${partner.valueClass}): newsletters ${planned(partner, 'newsletter')}, holiday cards ${planned(partner, 'holiday-card')}`,
  );
  await handle.terminate('recorded');
});
await smtp.close();
await env.teardown();
await stores.db.destroy();
await postgres.stop();

// Records the history of a plan year's last run, through its end: a dormant customer (last deal
// 500 days before the year, email only, no sign all year) whose year ends with the reactivation
// check (the `reactivation` patch marker) and continues into a reactivation year. Replayed by
// test/replay.test.ts. A new file per release that changes the year's end, never re-recorded.
//   npx tsx scripts/record-year-end-history.ts year-end-reactivation.json
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DateTime } from 'luxon';
import nodemailer from 'nodemailer';
import { historyToJSON } from '@temporalio/common/lib/proto-utils';
import type { temporal } from '@temporalio/proto';
import { freePort, projectRoot } from '../dev/binaries.mjs';
import { postgresTempDir, startEmbeddedPostgres } from '../dev/embedded-postgres';
import { startSmtpCapture } from '../dev/smtp-capture';
import { createTimeSkippingEnv } from '../dev/temporal-server';
import { createLogger, installTemporalRuntimeLogger } from '../lib/logger';
import { customerWorkflowId } from '../plan/ids';
import { dealClosed } from '../service/enroll';
import { openStores } from '../stores';
import { statusQuery } from '../workflows/messages';
import { createPlan33Worker } from '../worker/create-worker';

const file = process.argv[2];
if (!file) throw new Error('usage: npx tsx scripts/record-year-end-history.ts <file>.json');
installTemporalRuntimeLogger(createLogger('error'));
const env = await createTimeSkippingEnv();
const smtp = await startSmtpCapture();
const postgres = await startEmbeddedPostgres({ dataDir: join(postgresTempDir('plan33-record-end-'), 'postgres'), port: await freePort() });
const stores = await openStores({ url: postgres.url });
const taskQueue = 'record-end';
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
  },
});
await worker.runUntil(async () => {
  const zone = 'Europe/London';
  const now = await env.currentTimeMs();
  const id = 'replay-dormant';
  const { runId } = await dealClosed(env.client, { customer: { id, name: { first: 'Ann' }, email: 'ann@example.com', timezone: zone, agent: 'agent-james', consent: { email: true, sms: false, postal: false, phone: false } }, deal: { id: 'D-old', closedAt: DateTime.fromMillis(now, { zone }).minus({ days: 500 }).toISODate()! } }, { taskQueue });
  const handle = env.client.workflow.getHandle(customerWorkflowId(id));
  for (let step = 0; step < 200; step++) {
    const st = await handle.query(statusQuery).catch(() => undefined);
    if (st && st.planYear === 2) break;
    const t = await env.currentTimeMs();
    const target = st?.nextDueAt ? Date.parse(st.nextDueAt) : st?.yearEndsAt ? Date.parse(st.yearEndsAt) : t + 60_000;
    await env.sleep(Math.max(target - t, 0) + 1000);
    await new Promise((r) => setTimeout(r, 30));
  }
  // Follow the runs from the first: the one whose continue-as-new starts year 2 ended the year.
  let current = runId!;
  let yearEnd: temporal.api.history.v1.IHistory | undefined;
  for (let i = 0; i < 20; i++) {
    const history = await env.client.workflow.getHandle(customerWorkflowId(id), current).fetchHistory();
    const last = history.events?.at(-1);
    const next = last?.workflowExecutionContinuedAsNewEventAttributes?.newExecutionRunId;
    if (!next) break;
    const nextStatus = await env.client.workflow.getHandle(customerWorkflowId(id), next).query(statusQuery).catch(() => undefined);
    yearEnd = history;
    if (nextStatus?.planYear === 2 || !nextStatus) break;
    current = next;
  }
  if (!yearEnd) throw new Error('no run ended the year');
  writeFileSync(join(projectRoot, 'test', 'histories', file), historyToJSON(yearEnd));
  console.log(`${file}: ${yearEnd.events!.length} events; plan of year 2: ${(await handle.query(statusQuery)).plan}`);
  await handle.terminate('recorded');
});
await smtp.close();
await env.teardown();
await stores.db.destroy();
await postgres.stop();

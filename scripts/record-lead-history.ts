// Records the lead histories test/replay.test.ts replays: a lead's whole road on the
// time-skipping server (captured twice, assigned, the first contact missed and reassigned, a
// reply that pauses the 8x8, resumed, an 8x8 call completed with contact-later, two touches
// more, and the deal that hands over to client-for-life). Like record-histories.ts: a new file
// per release that changes the lead workflow, never re-recorded.
//   npx tsx scripts/record-lead-history.ts lead-road.json
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import nodemailer from 'nodemailer';
import { historyToJSON } from '@temporalio/common/lib/proto-utils';
import { createAgentDirectory, parseAgentsFile } from '../activities/agents';
import { freePort, projectRoot } from '../dev/binaries.mjs';
import { postgresTempDir, startEmbeddedPostgres } from '../dev/embedded-postgres';
import { startSmtpCapture } from '../dev/smtp-capture';
import { createTimeSkippingEnv } from '../dev/temporal-server';
import { createLogger, installTemporalRuntimeLogger } from '../lib/logger';
import { leadWorkflowId } from '../plan/ids';
import { DEFAULT_LEAD_SETTINGS } from '../plan/lead-routing';
import { dealClosed } from '../service/enroll';
import { captureLead, leadReplied, reportLeadOutcome, resumeLead } from '../service/leads';
import { openStores } from '../stores';
import * as lm from '../workflows/lead-messages';
import { createPlan33Worker } from '../worker/create-worker';

const file = process.argv[2];
if (!file) throw new Error('usage: npx tsx scripts/record-lead-history.ts <file>.json');
installTemporalRuntimeLogger(createLogger('error'));
const dir = postgresTempDir('plan33-record-lead-');
const env = await createTimeSkippingEnv();
const smtp = await startSmtpCapture();
const postgres = await startEmbeddedPostgres({ dataDir: join(dir, 'postgres'), port: await freePort() });
const stores = await openStores({ url: postgres.url });
const taskQueue = 'record-lead';
const agents = createAgentDirectory(parseAgentsFile({ agents: [{ id: 'sara', name: 'Sara', email: 'sara@cedar.test', manager: 'boss' }, { id: 'omar', name: 'Omar', email: 'omar@cedar.test', manager: 'boss' }, { id: 'boss', name: 'Bilal', email: 'boss@cedar.test', takesLeads: false }] }));
const worker = await createPlan33Worker({
  connection: env.nativeConnection,
  taskQueue,
  deps: {
    mailer: nodemailer.createTransport({ host: '127.0.0.1', port: smtp.port, ignoreTLS: true }),
    tasks: stores.tasks,
    ledger: stores.ledger,
    records: stores.records,
    contacts: stores.contacts,
    leads: stores.leads,
    agents,
    leadSettings: DEFAULT_LEAD_SETTINGS,
    business: { name: 'Cedar Homes', postalAddress: '12 Olaya St, Riyadh', mailFrom: 'hello@cedar.test', referralUrl: 'https://cedar.test/refer' },
  },
});
const sleepTo = async (ms: number) => env.sleep(Math.max(ms - (await env.currentTimeMs()), 0));
const status = (id: string) => env.client.workflow.getHandle(leadWorkflowId(id)).query(lm.leadStatusQuery);
async function when(id: string, pred: (s: lm.LeadStatus) => boolean): Promise<lm.LeadStatus> {
  for (let i = 0; i < 400; i++) {
    const s = await status(id).catch(() => undefined);
    if (s && pred(s)) return s;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error('the lead did not get there');
}

await worker.runUntil(async () => {
  const opts = { taskQueue, settings: DEFAULT_LEAD_SETTINGS };
  const lead = { name: { first: 'Yousef', last: 'Replay' }, email: 'yousef.replay@example.com', phone: '+966501230000', timezone: 'Asia/Riyadh', locale: 'ar', needs: 'a villa', source: { channel: 'open-house' } };
  const { leadId } = await captureLead(env.client, stores.db, lead, opts);
  await captureLead(env.client, stores.db, { ...lead, needs: 'or a flat' }, opts);
  let s = await when(leadId, (x) => x.touchesDone.length >= 1 || x.nextTouches.length > 0);
  await sleepTo(Date.parse(s.firstContact.due) + 9 * 3_600_000); // reminder, then reassignment
  s = await when(leadId, (x) => x.firstContact.missedBy.length === 1);
  await leadReplied(env.client, leadId, { id: 'SM-replay', channel: 'sms', text: 'Call me please', receivedAt: new Date(await env.currentTimeMs()).toISOString() });
  await when(leadId, (x) => x.state === 'paused');
  await env.sleep(2 * 86_400_000);
  await resumeLead(env.client, leadId);
  s = await when(leadId, (x) => x.state === 'running');
  await reportLeadOutcome(env.client, leadId, { outcome: 'no-response', taskId: s.firstContact.taskId });
  for (let i = 0; i < 3; i++) {
    s = await status(leadId);
    const next = s.nextTouches[0]!;
    await sleepTo(Date.parse(next.at) + 60_000);
    s = await when(leadId, (x) => x.touchesDone.some((t) => t.seq === next.seq));
  }
  const call = s.touchesDone.find((t) => t.kind === 'call');
  if (call?.reference) await reportLeadOutcome(env.client, leadId, { outcome: 'contact-later', contactOn: new Date((await env.currentTimeMs()) + 10 * 86_400_000).toISOString().slice(0, 10), taskId: call.reference });
  s = await when(leadId, (x) => x.state === 'paused');
  await sleepTo(Date.parse(s.paused!.until!) + 60_000);
  await when(leadId, (x) => x.state === 'running');
  await dealClosed(env.client, { customer: { id: leadId, name: lead.name, email: lead.email, timezone: lead.timezone, agent: 'omar' }, deal: { id: 'D-replay', closedAt: '2040-03-01', value: 1 } }, { taskQueue });
  await env.client.workflow.getHandle(leadWorkflowId(leadId)).result();
  const history = await env.client.workflow.getHandle(leadWorkflowId(leadId)).fetchHistory();
  writeFileSync(join(projectRoot, 'test', 'histories', file), historyToJSON(history));
  console.log(`${file}: ${history.events!.length} events`);
  await env.client.workflow.getHandle(`customer-${leadId}`).terminate('recorded');
});
await smtp.close();
await env.teardown();
await stores.db.destroy();
await postgres.stop();

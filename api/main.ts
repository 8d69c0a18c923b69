// The production HTTP API: connects to Temporal (TEMPORAL_ADDRESS) and plan33's PostgreSQL
// (DATABASE_URL, shared with the workers) and serves /v1 and the webhooks on PLAN33_API_PORT
// until SIGTERM. Stateless: run as many as you like behind a load balancer.
import { connectClient } from '../service/connection';
import { loadConfigOrExit } from '../lib/config';
import { createLogger } from '../lib/logger';
import { openStores } from '../stores';
import { buildApi } from './server';
import { loadLeadSettings } from '../lib/lead-settings';
import { loadAgentDirectory } from '../lib/agents';
import { createMailer } from '../lib/mailer';
import { loadPlanOverrides } from '../lib/plan-overrides';
import { webOptionsFrom } from './web';

const config = loadConfigOrExit();
const log = createLogger(config.logLevel);
if (!config.api.apiKey) {
  log.fatal('PLAN33_API_KEY is not set: the API refuses to run without a key (npm start generates one)');
  process.exit(1);
}
if ((config.twilio.authToken || config.unsubscribe) && !process.env.PUBLIC_BASE_URL) {
  // Twilio signs the public URL, and unsubscribe links point at it: a default would fail both.
  log.fatal('PUBLIC_BASE_URL is not set: Twilio signatures and unsubscribe links need the URL this API is reached at');
  process.exit(1);
}
if (!config.database.url) {
  log.fatal('DATABASE_URL is not set: the API reads tasks and contacts from plan33\'s PostgreSQL (npm start runs an embedded one)');
  process.exit(1);
}
const stores = await openStores({ url: config.database.url, maxConnections: config.database.poolSize, onError: (err) => log.warn({ err }, 'database connection dropped') });
const client = await connectClient(config);
const app = await buildApi({
  client,
  taskQueue: config.temporal.taskQueue,
  apiKey: config.api.apiKey,
  publicBaseUrl: config.publicBaseUrl,
  unsubscribeSecret: config.unsubscribe?.secret,
  twilioAuthToken: config.twilio.authToken,
  webhookSecret: config.webhooks.secret,
  contacts: stores.contacts,
  db: stores.db,
  sendingHours: config.sendingHours,
  holdoutPercent: config.holdoutPercent,
  apiKeys: config.api.apiKeys,
  ...(config.encryptionKeys ? { codec: { keys: config.encryptionKeys, uiOrigin: config.temporalUiOrigin } } : {}),
  web: webOptionsFrom(config, { agents: loadAgentDirectory(config.agentsFile), mailer: createMailer(config.smtp), planOverrides: loadPlanOverrides(config.planOverridesFile) }),
  leadSettings: loadLeadSettings(config.leadsFile),
  formSecret: config.form.secret,
  formPerMinute: config.form.perMinute,
  trustProxy: config.trustProxy,
  clv: config.clv,
  logger: log,
});
await app.listen({ port: config.api.port, host: '0.0.0.0' });
const stop = async () => {
  await app.close();
  await client.connection.close();
  await stores.db.destroy();
  process.exit(0);
};
process.on('SIGTERM', () => void stop());
process.on('SIGINT', () => void stop());

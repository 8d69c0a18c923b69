// The production HTTP API: connects to Temporal (TEMPORAL_ADDRESS) and plan33's PostgreSQL
// (DATABASE_URL, shared with the workers) and serves /v1 and the webhooks on PLAN33_API_PORT
// until SIGTERM. Stateless: run as many as you like behind a load balancer.
import { connectClient } from '../service/connection';
import { insecurePublicUrlProblem, loadConfigOrExit } from '../lib/config';
import { createLogger } from '../lib/logger';
import { openStores } from '../stores';
import { buildApi } from './server';
import { apiOptionsFrom } from './options';

const config = loadConfigOrExit();
const log = createLogger(config.logLevel);
if (!config.api.apiKey) {
  log.fatal('PLAN33_API_KEY is not set: the API refuses to run without a key (npm start generates one)');
  process.exit(1);
}
const insecure = insecurePublicUrlProblem(config);
if (insecure) {
  log.fatal(insecure);
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
const app = await buildApi(apiOptionsFrom(config, { client, stores, apiKey: config.api.apiKey, logger: log }));
await app.listen({ port: config.api.port, host: '0.0.0.0' });
const stop = async () => {
  await app.close();
  await client.connection.close();
  await stores.db.destroy();
  process.exit(0);
};
process.on('SIGTERM', () => void stop());
process.on('SIGINT', () => void stop());

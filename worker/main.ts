// The production worker: connects to a Temporal cluster (TEMPORAL_ADDRESS), plan33's PostgreSQL
// (DATABASE_URL, migrated at start) and a real SMTP relay, registers the search attributes if it
// may, and runs until SIGTERM.
import { NativeConnection } from '@temporalio/worker';
import { loadConfigOrExit } from '../lib/config';
import { createLogger, installTemporalRuntimeLogger } from '../lib/logger';
import { connectClient, temporalConnectionOptions } from '../service/connection';
import { dataConverterFor } from '../lib/codec';
import { registerSearchAttributes } from '../service/search-attributes';
import { ensureSegmentSchedule } from '../service/segments';
import { openStores, redactUrl } from '../stores';
import { createPlan33Worker } from './create-worker';
import { createDependencies } from './dependencies';

const config = loadConfigOrExit();
const log = createLogger(config.logLevel);
installTemporalRuntimeLogger(log);
if (!config.temporal.address) {
  log.fatal('TEMPORAL_ADDRESS is not set: the production worker needs a Temporal server (npm start runs an embedded one)');
  process.exit(1);
}
if (!config.database.url) {
  log.fatal('DATABASE_URL is not set: the production worker needs plan33\'s PostgreSQL (npm start runs an embedded one)');
  process.exit(1);
}
const stores = await openStores({ url: config.database.url, maxConnections: config.database.poolSize, onError: (err) => log.warn({ err }, 'database connection dropped') });
log.info({ database: redactUrl(config.database.url) }, 'database migrated');
const connection = await NativeConnection.connect(temporalConnectionOptions(config));
const admin = await connectClient(config);
await registerSearchAttributes(admin.connection, config.temporal.namespace).catch((err: Error) =>
  log.warn({ err }, 'could not register search attributes (no operator permission?); see docs/operations.md'),
);
// The daily segment refresh (idempotent: created once, updated at each start; at most 10 s).
await ensureSegmentSchedule(admin, { taskQueue: config.temporal.taskQueue }).catch((err: Error) => log.warn({ err }, 'could not create or update the segment schedule plan33-segments'));
await admin.connection.close();

const worker = await createPlan33Worker({
  connection,
  namespace: config.temporal.namespace,
  taskQueue: config.temporal.taskQueue,
  deps: createDependencies(config, stores),
  maxCachedWorkflows: config.worker.maxCachedWorkflows,
  rateLimits: config.worker.rateLimits,
  // Customer data encrypted in Temporal (PLAN33_ENCRYPTION_KEYS; the same keys as the API and CLI).
  ...(dataConverterFor(config.encryptionKeys) ? { overrides: { dataConverter: dataConverterFor(config.encryptionKeys)! } } : {}),
});
log.info({ taskQueue: config.temporal.taskQueue, namespace: config.temporal.namespace }, 'plan33 worker running');
await worker.run(); // the SDK shuts down gracefully on SIGINT/SIGTERM
await connection.close();
await stores.db.destroy();
log.info('plan33 worker stopped');
// The Temporal runtime's native threads would keep the process alive (a container would wait for SIGKILL).
process.exit(0);

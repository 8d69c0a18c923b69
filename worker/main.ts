// The production worker: connects to a Temporal cluster (TEMPORAL_ADDRESS) and a real SMTP
// relay, registers the search attributes if it may, and runs until SIGTERM.
import { NativeConnection } from '@temporalio/worker';
import { loadConfigOrExit } from '../lib/config';
import { createLogger, installTemporalRuntimeLogger } from '../lib/logger';
import { connectClient, temporalConnectionOptions } from '../service/connection';
import { registerSearchAttributes } from '../service/search-attributes';
import { createPlan33Worker } from './create-worker';
import { createDependencies } from './dependencies';

const config = loadConfigOrExit();
const log = createLogger(config.logLevel);
installTemporalRuntimeLogger(log);
if (!config.temporal.address) {
  log.fatal('TEMPORAL_ADDRESS is not set: the production worker needs a Temporal server (npm start runs an embedded one)');
  process.exit(1);
}
const connection = await NativeConnection.connect(temporalConnectionOptions(config));
const admin = await connectClient(config);
await registerSearchAttributes(admin.connection, config.temporal.namespace).catch((err: Error) =>
  log.warn({ err }, 'could not register search attributes (no operator permission?); see README, Operations'),
);
await admin.connection.close();

const worker = await createPlan33Worker({
  connection,
  namespace: config.temporal.namespace,
  taskQueue: config.temporal.taskQueue,
  deps: createDependencies(config),
  maxCachedWorkflows: config.worker.maxCachedWorkflows,
  rateLimits: config.worker.rateLimits,
});
log.info({ taskQueue: config.temporal.taskQueue, namespace: config.temporal.namespace }, 'plan33 worker running');
await worker.run(); // the SDK shuts down gracefully on SIGINT/SIGTERM
await connection.close();
log.info('plan33 worker stopped');

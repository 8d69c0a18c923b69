// One part of `npm run load`'s stack, in a process of its own, configured from the environment
// (lib/config.ts) as production is:
//   api     the HTTP API built as api/main.ts builds it, bound to 127.0.0.1 (loopback only);
//   worker  the plan33 worker built as worker/main.ts builds it (createDependencies), with a
//           prebuilt workflow bundle when LOAD_WORKFLOW_BUNDLE names one.
// Once ready it prints one line `LOAD_READY {json}` on stdout; logs go to stderr. SIGTERM stops it.
import { pino } from 'pino';
import { NativeConnection } from '@temporalio/worker';
import { buildApi } from '../api/server';
import { apiOptionsFrom } from '../api/options';
import { dataConverterFor } from '../lib/codec';
import { loadConfigOrExit } from '../lib/config';
import { createLogger, installTemporalRuntimeLogger } from '../lib/logger';
import { connectClient, temporalConnectionOptions } from '../service/connection';
import { openStores } from '../stores';
import { createPlan33Worker } from '../worker/create-worker';
import { createDependencies } from '../worker/dependencies';

const role = process.argv[2];
// With LOAD_ENV_ON_STDIN the parent starts this process before its servers are up and sends the
// rest of the environment as one JSON line once they are: the modules load meanwhile.
if (process.env.LOAD_ENV_ON_STDIN) {
  let text = '';
  for await (const chunk of process.stdin) {
    text += String(chunk);
    if (text.includes('\n')) break;
  }
  Object.assign(process.env, JSON.parse(text.split('\n')[0]!) as Record<string, string>);
}
const config = loadConfigOrExit();
const log = createLogger(config.logLevel, pino.destination(2));
const ready = (info: Record<string, unknown>) => process.stdout.write(`LOAD_READY ${JSON.stringify({ role, pid: process.pid, ...info })}\n`);
const stores = await openStores({ url: config.database.url!, maxConnections: config.database.poolSize, onError: (err) => log.warn({ err }, 'database connection dropped') });

if (role === 'api') {
  const client = await connectClient(config);
  const app = await buildApi(apiOptionsFrom(config, { client, stores, apiKey: config.api.apiKey!, logger: log }));
  const url = await app.listen({ port: config.api.port, host: '127.0.0.1' });
  ready({ url });
  const stop = async () => {
    await app.close();
    await client.connection.close();
    await stores.db.destroy();
    process.exit(0);
  };
  process.on('SIGTERM', () => void stop());
  process.on('SIGINT', () => void stop());
} else if (role === 'worker') {
  installTemporalRuntimeLogger(log);
  const connection = await NativeConnection.connect(temporalConnectionOptions(config));
  const dataConverter = dataConverterFor(config.encryptionKeys);
  const bundlePath = process.env.LOAD_WORKFLOW_BUNDLE;
  const worker = await createPlan33Worker({
    connection,
    namespace: config.temporal.namespace,
    taskQueue: config.temporal.taskQueue,
    deps: createDependencies(config, stores),
    maxCachedWorkflows: config.worker.maxCachedWorkflows,
    rateLimits: config.worker.rateLimits,
    ...(bundlePath ? { workflowBundle: { codePath: bundlePath } } : {}),
    ...(dataConverter ? { overrides: { dataConverter } } : {}),
  });
  const running = worker.run(); // the SDK shuts down gracefully on SIGINT/SIGTERM
  ready({ taskQueue: config.temporal.taskQueue });
  await running;
  await connection.close();
  await stores.db.destroy();
  process.exit(0);
} else {
  log.fatal(`load-child: expected the role api or worker, got ${JSON.stringify(role)}`);
  process.exit(1);
}

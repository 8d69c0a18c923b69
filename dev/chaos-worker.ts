// The chaos suite's worker (dev/chaos.ts): a plan33 worker in a process of its own, built as
// production builds it (main and channel workers, PostgreSQL stores, SMTP, the real `twilio`
// client), so the suite can SIGKILL it at any moment and start another. Started with
// `node --import tsx dev/chaos-worker.ts`, its configuration one JSON object in PLAN33_CHAOS_WORKER;
// it prints READY once it polls and runs until it is killed. `spawnChaosWorker` is the spawning
// side (importing this file does not start a worker: the process checks it is the entry).
import { spawnReady } from './spawn-ready';
import type { ChildProcess } from 'node:child_process';
import { hostname } from 'node:os';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Business } from '../activities/email-content';

export interface ChaosWorkerConfig {
  address: string;
  namespace?: string;
  taskQueue: string;
  bundlePath: string;
  databaseUrl: string;
  smtpPort: number;
  twilio: { accountSid: string; authToken: string; from: string; apiBase: string };
  business: Business;
}

export const READY = 'chaos-worker: polling';

export interface ChaosWorker {
  child: ChildProcess;
  pid: number;
  /** The worker identity Temporal records for its attempts (the SDK's default, `pid@host`). */
  identity: string;
  ready: Promise<void>;
  exited: Promise<NodeJS.Signals | number | null>;
  output(): string;
}

const self = fileURLToPath(import.meta.url);
const projectRoot = resolve(self, '../..');

export function spawnChaosWorker(config: ChaosWorkerConfig, timeoutMs = 90_000): ChaosWorker {
  const started = spawnReady({ script: self, cwd: projectRoot, env: { ...process.env, PLAN33_CHAOS_WORKER: JSON.stringify(config) }, marker: READY, name: 'chaos worker', timeoutMs });
  return { ...started, identity: `${started.pid}@${hostname()}` };
}

async function main(config: ChaosWorkerConfig): Promise<void> {
  const [{ NativeConnection }, nodemailer, { storesOn, createDatabase }, { createSmsClient }, { createPlan33Worker }, { createLogger, installTemporalRuntimeLogger }] = await Promise.all([
    import('@temporalio/worker'),
    import('nodemailer'),
    import('../stores'),
    import('../worker/sms'),
    import('../worker/create-worker'),
    import('../lib/logger'),
  ]);
  installTemporalRuntimeLogger(createLogger(process.env.CHAOS_LOG_LEVEL ?? 'error'));
  const connection = await NativeConnection.connect({ address: config.address });
  // PostgreSQL restarts under this pool: a dropped idle connection is only noted.
  const stores = storesOn(createDatabase({ url: config.databaseUrl, maxConnections: 8, onError: () => undefined }));
  const worker = await createPlan33Worker({
    connection,
    namespace: config.namespace,
    taskQueue: config.taskQueue,
    workflowBundle: { codePath: config.bundlePath },
    deps: {
      mailer: nodemailer.default.createTransport({ host: '127.0.0.1', port: config.smtpPort, secure: false, ignoreTLS: true }),
      ledger: stores.ledger,
      tasks: stores.tasks,
      records: stores.records,
      contacts: stores.contacts,
      leads: stores.leads,
      sms: createSmsClient(config.twilio),
      business: config.business,
    },
  });
  const running = worker.run();
  process.stdout.write(`${READY} ${config.taskQueue}\n`);
  await running;
  await connection.close();
}

if (process.argv[1] && resolve(process.argv[1]) === self) {
  main(JSON.parse(process.env.PLAN33_CHAOS_WORKER ?? '{}') as ChaosWorkerConfig).catch((err: unknown) => {
    process.stderr.write(`chaos-worker failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exit(1);
  });
}

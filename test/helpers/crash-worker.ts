// A plan33 worker in its own process, built exactly as production builds it, so a test can
// SIGKILL it in the middle of a send (test/worker-crash.test.ts). Started with
// `node --import tsx test/helpers/crash-worker.ts`; its configuration is one JSON object in the
// PLAN33_CRASH_WORKER environment variable. It prints READY once it polls and then runs until
// it is killed. The spawning side is `spawnCrashWorker` (dev/spawn-ready.ts; it imports node built-ins and
// types, so importing this file does not start a worker; the process checks it is the entry).
import { spawnReady } from '../../dev/spawn-ready';
import type { ChildProcess } from 'node:child_process';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Business } from '../../activities/email-content';

export interface CrashWorkerConfig {
  address: string;
  namespace?: string;
  taskQueue: string;
  /** The prebuilt workflow bundle (the path vitest's globalSetup provides). */
  bundlePath: string;
  /** plan33's store, shared with the test (it reads the ledger) and the worker after this one. */
  databaseUrl: string;
  tasksDir: string;
  smtpPort: number;
  twilio?: { accountSid: string; authToken: string; from: string; apiBase: string };
  business: Business;
}

export const READY = 'crash-worker: polling';

export interface CrashWorker {
  child: ChildProcess;
  pid: number;
  /** Resolves once the worker polls its task queue. */
  ready: Promise<void>;
  /** Resolves with the signal (or exit code) once the process is gone. */
  exited: Promise<NodeJS.Signals | number | null>;
  output(): string;
}

const self = fileURLToPath(import.meta.url);
const projectRoot = resolve(self, '../../..');

export function spawnCrashWorker(config: CrashWorkerConfig, timeoutMs = 60_000): CrashWorker {
  return spawnReady({ script: self, cwd: projectRoot, env: { ...process.env, PLAN33_CRASH_WORKER: JSON.stringify(config) }, marker: READY, name: 'crash worker', timeoutMs });
}

async function main(config: CrashWorkerConfig): Promise<void> {
  const [{ NativeConnection }, nodemailer, { storesOn, createDatabase }, { createSmsClient }, { createPlan33Worker }, { createLogger, installTemporalRuntimeLogger }] = await Promise.all([
    import('@temporalio/worker'),
    import('nodemailer'),
    import('../../stores'),
    import('../../worker/sms'),
    import('../../worker/create-worker'),
    import('../../lib/logger'),
  ]);
  installTemporalRuntimeLogger(createLogger(process.env.TEST_LOG_LEVEL ?? 'error'));
  const connection = await NativeConnection.connect({ address: config.address });
  const stores = storesOn(createDatabase({ url: config.databaseUrl, maxConnections: 4 }));
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
      sms: config.twilio ? createSmsClient(config.twilio) : undefined,
      business: config.business,
    },
  });
  const running = worker.run();
  process.stdout.write(`${READY} ${config.taskQueue}\n`);
  await running; // until SIGKILL; a clean end (SIGTERM) closes the connection
  await connection.close();
}

if (process.argv[1] && resolve(process.argv[1]) === self) {
  main(JSON.parse(process.env.PLAN33_CRASH_WORKER ?? '{}') as CrashWorkerConfig).catch((err: unknown) => {
    process.stderr.write(`crash-worker failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exit(1);
  });
}

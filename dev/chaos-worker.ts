// The chaos suite's worker (dev/chaos.ts): a plan33 worker in a process of its own, built as
// production builds it (main and channel workers, PostgreSQL stores, SMTP, the real `twilio`
// client), so the suite can SIGKILL it at any moment and start another. Started with
// `node --import tsx dev/chaos-worker.ts`, its configuration one JSON object in PLAN33_CHAOS_WORKER;
// it prints READY once it polls and runs until it is killed. `spawnChaosWorker` is the spawning
// side (importing this file does not start a worker: the process checks it is the entry).
//
// What it hands to other systems goes to the suite's stand-ins, so the suite counts what they
// received, not plan33's own rows: postal items to the print-and-mail provider (`fulfilment`),
// and every task-creation attempt (each call of the task sink's `push`, before the tasks table
// keeps one row per task id) to the agent task system (`taskLog`). The NPS survey has its page
// configured (`unsubscribe`: the public base URL and the secret that signs its links).
import { spawnReady } from './spawn-ready';
import type { ChildProcess } from 'node:child_process';
import { hostname } from 'node:os';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Business } from '../activities/email-content';
import type { TaskSink } from '../activities/task-sink';
import type { WebhookTarget } from '../activities/webhooks';
import type { UnsubscribeConfig } from '../lib/unsubscribe';

export interface ChaosWorkerConfig {
  address: string;
  namespace?: string;
  taskQueue: string;
  bundlePath: string;
  databaseUrl: string;
  smtpPort: number;
  twilio: { accountSid: string; authToken: string; from: string; apiBase: string };
  business: Business;
  /** The print-and-mail provider's stand-in: postal items go there, not to the tasks table. */
  fulfilment: WebhookTarget;
  /** The agent task system's stand-in: every task-creation attempt is posted there first. */
  taskLog: WebhookTarget;
  /** The survey page's base URL and secret (NPS surveys), also the emails' unsubscribe links. */
  unsubscribe: UnsubscribeConfig;
}

/** The task sink, each `push` (every attempt, a retried one too) posted to `taskLog` first. */
export function reportingTaskSink(sink: TaskSink, taskLog: WebhookTarget, post: (target: WebhookTarget, body: unknown, key: string) => Promise<unknown>): TaskSink {
  return {
    push: async (task, givenAt) => {
      await post(taskLog, { event: 'create', task }, task.taskId);
      return sink.push(task, givenAt);
    },
    replace: (task) => sink.replace(task),
    list: (filter) => sink.list(filter),
    markStage: (...args) => sink.markStage(...args),
  };
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
  const [{ NativeConnection }, nodemailer, { storesOn, createDatabase }, { createSmsClient }, { createPlan33Worker }, { createLogger, installTemporalRuntimeLogger }, { postSignedJson }] = await Promise.all([
    import('@temporalio/worker'),
    import('nodemailer'),
    import('../stores'),
    import('../worker/sms'),
    import('../worker/create-worker'),
    import('../lib/logger'),
    import('../activities/webhooks'),
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
      tasks: reportingTaskSink(stores.tasks, config.taskLog, postSignedJson),
      records: stores.records,
      contacts: stores.contacts,
      leads: stores.leads,
      sms: createSmsClient(config.twilio),
      business: config.business,
      fulfilment: config.fulfilment,
      unsubscribe: config.unsubscribe,
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

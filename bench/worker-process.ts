// One worker in a process of its own, for `npm run bench` to measure its memory alone (the
// bench process itself holds clients, bundles and servers' pipes). It runs either the plan33
// worker or a raw-Temporal baseline worker, waits until `count` workflows match `query`,
// prints one JSON line with its RSS, and exits. Compiled, as production runs (scripts/build.mjs);
// the raw worker loads the SDK and nothing of plan33's (its modules are imported on demand).
//   node dist/bench-worker.mjs '<json of WorkerProcessJob>'
import { Client, Connection } from '@temporalio/client';
import { NativeConnection, Runtime, Worker, makeTelemetryFilterString } from '@temporalio/worker';

export interface WorkerProcessJob {
  address: string;
  taskQueue: string;
  /** `baseline-with-libraries`: the raw worker in a process that has also loaded plan33's modules (its libraries' share of the RSS). */
  kind: 'plan33' | 'baseline' | 'baseline-with-libraries';
  bundlePath: string;
  /** Unset: the SDK's default cache size. */
  maxCachedWorkflows?: number;
  /** Asleep when `count` workflows match `query` (plan33: its search attributes say so)... */
  query?: string;
  count?: number;
  /** ...or when each of these has started a timer (raw workflows upsert nothing). */
  sleepingIds?: string[];
  /** plan33's store (the plan33 kind only). */
  databaseUrl?: string;
}

export interface WorkerProcessResult {
  /** The process before the worker is created (node and the SDK loaded; plan33's modules not yet). */
  rssMiBBefore: number;
  /** The worker created (its threads and workflow bundle loaded), nothing polled yet. */
  rssMiBWorkerCreated: number;
  rssMiB: number;
  secondsToReach: number;
}

const job = JSON.parse(process.argv[2] ?? '{}') as WorkerProcessJob;
Runtime.install({ logger: { log() {}, trace() {}, debug() {}, info() {}, warn() {}, error: (m: string) => console.error(m) }, telemetryOptions: { logging: { filter: makeTelemetryFilterString({ core: 'ERROR' }), forward: {} } } });
const connection = await NativeConnection.connect({ address: job.address });
const client = new Client({ connection: await Connection.connect({ address: job.address }) });
const rssMiBBefore = process.memoryUsage().rss / 2 ** 20;
const cache = job.maxCachedWorkflows !== undefined ? { maxCachedWorkflows: job.maxCachedWorkflows } : {};
// After the RSS above: plan33's modules are part of what its worker costs.
const plan33Modules = () => Promise.all([import('nodemailer'), import('../stores'), import('../worker/create-worker')]);
async function plan33Worker() {
  const [{ default: nodemailer }, { openStores }, { createPlan33Worker }] = await plan33Modules();
  return createPlan33Worker({
    connection,
    taskQueue: job.taskQueue,
    workflowBundle: { codePath: job.bundlePath },
    ...cache,
    deps: {
      mailer: nodemailer.createTransport({ host: '127.0.0.1', port: 9, ignoreTLS: true }),
      ...(await openStores({ url: job.databaseUrl!, maxConnections: 4 })),
      business: { name: 'Bench', postalAddress: '1 Bench St', mailFrom: 'bench@localhost', referralUrl: 'https://bench.test/refer' },
    },
  });
}
const worker =
  job.kind === 'plan33'
    ? await plan33Worker()
    : await (job.kind === 'baseline-with-libraries' ? plan33Modules() : Promise.resolve()).then(() =>
        Worker.create({ connection, taskQueue: job.taskQueue, workflowBundle: { codePath: job.bundlePath }, activities: { noopActivity: async (n: number) => n }, ...cache }),
      );
const rssMiBWorkerCreated = process.memoryUsage().rss / 2 ** 20;
const t0 = performance.now();
const result = await worker.runUntil(async (): Promise<WorkerProcessResult> => {
  const asleep = async (id: string) => (await client.workflow.getHandle(id).fetchHistory()).events?.some((e) => e.timerStartedEventAttributes) ?? false;
  for (;;) {
    if (job.query && (await client.workflow.count(job.query)).count >= (job.count ?? 0)) break;
    if (job.sleepingIds && (await Promise.all(job.sleepingIds.map(asleep))).every(Boolean)) break;
    await new Promise((r) => setTimeout(r, 500));
  }
  const secondsToReach = (performance.now() - t0) / 1000;
  await new Promise((r) => setTimeout(r, 2000)); // the last tasks complete, the cache settles
  return { rssMiBBefore, rssMiBWorkerCreated, rssMiB: process.memoryUsage().rss / 2 ** 20, secondsToReach };
});
console.log(JSON.stringify(result));
await connection.close();
process.exit(0);

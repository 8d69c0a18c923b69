// One worker in a process of its own, for `npm run bench` to measure its memory alone (the
// bench process itself holds clients, bundles and servers' pipes). It runs either the plan33
// worker or a raw-Temporal baseline worker, waits until `count` workflows match `query`,
// prints one JSON line with its RSS, and exits.
//   node --import tsx bench/worker-process.ts '<json of WorkerProcessJob>'
import nodemailer from 'nodemailer';
import { Client, Connection } from '@temporalio/client';
import { NativeConnection, Worker } from '@temporalio/worker';
import { openStores } from '../stores';
import { createLogger, installTemporalRuntimeLogger } from '../lib/logger';
import { createPlan33Worker } from '../worker/create-worker';

export interface WorkerProcessJob {
  address: string;
  taskQueue: string;
  kind: 'plan33' | 'baseline';
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
  /** The process before the worker is created (node, tsx and the libraries loaded). */
  rssMiBBefore: number;
  /** The worker created (its threads and workflow bundle loaded), nothing polled yet. */
  rssMiBWorkerCreated: number;
  rssMiB: number;
  secondsToReach: number;
}

const job = JSON.parse(process.argv[2] ?? '{}') as WorkerProcessJob;
installTemporalRuntimeLogger(createLogger('error'));
const connection = await NativeConnection.connect({ address: job.address });
const client = new Client({ connection: await Connection.connect({ address: job.address }) });
const rssMiBBefore = process.memoryUsage().rss / 2 ** 20;
const cache = job.maxCachedWorkflows !== undefined ? { maxCachedWorkflows: job.maxCachedWorkflows } : {};
const worker =
  job.kind === 'plan33'
    ? await createPlan33Worker({
        connection,
        taskQueue: job.taskQueue,
        workflowBundle: { codePath: job.bundlePath },
        ...cache,
        deps: {
          mailer: nodemailer.createTransport({ host: '127.0.0.1', port: 9, ignoreTLS: true }),
          ...(await openStores({ url: job.databaseUrl!, maxConnections: 4 })),
          business: { name: 'Bench', postalAddress: '1 Bench St', mailFrom: 'bench@localhost', referralUrl: 'https://bench.test/refer' },
        },
      })
    : await Worker.create({ connection, taskQueue: job.taskQueue, workflowBundle: { codePath: job.bundlePath }, activities: { noopActivity: async (n: number) => n }, ...cache });
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

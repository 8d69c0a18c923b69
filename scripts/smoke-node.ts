// The compiled app under the Node production runs (the image's), whatever Node runs the tests:
// `npm run smoke` (and .ci/run). The pinned Node comes from the npm registry's node-linux-<arch>
// package into .plan33/node-<version>/; under it, `plan33 db migrate`, the worker and the API
// start against the Temporal dev server, an embedded PostgreSQL and an SMTP capture on loopback,
// one deal goes in through the API, and the customer's welcome email must arrive.
//   node --import tsx scripts/smoke-node.ts
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { cacheDir, freePort, projectRoot } from '../dev/binaries.mjs';
import { spawnDevServer } from '../dev/dev-server';
import { postgresTempDir, startEmbeddedPostgres } from '../dev/embedded-postgres';
import { startSmtpCapture } from '../dev/smtp-capture';
import { build, upToDate } from './build.mjs';
import { apiReady, enrolOne, runCli, startEntry, workerReady, type ProductionStackOptions, type RunningEntry } from './production-stack';

/** The Node the image runs (Dockerfile's FROM): its current maintenance-LTS line, 24. */
export const PRODUCTION_NODE = '24.22.3';

const say = (line: string) => process.stdout.write(`smoke: ${line}\n`);

/** The pinned node binary, installed from the npm registry when missing. */
export function pinnedNode(version = PRODUCTION_NODE): string {
  const pkg = `node-${process.platform}-${process.arch}`;
  const prefix = join(cacheDir, `node-${version}`);
  const bin = join(prefix, 'node_modules', pkg, 'bin', 'node');
  const answers = () => existsSync(bin) && spawnSync(bin, ['--version'], { encoding: 'utf8' }).stdout.trim() === `v${version}`;
  if (!answers()) {
    say(`installing ${pkg}@${version} from the npm registry into ${prefix}`);
    const npm = spawnSync('npm', ['install', '--no-save', '--no-package-lock', '--no-audit', '--no-fund', '--prefix', prefix, `${pkg}@${version}`], { stdio: ['ignore', 'inherit', 'inherit'] });
    if (npm.status !== 0 || !answers()) throw new Error(`could not install ${pkg}@${version} (npm exited ${npm.status})`);
  }
  return bin;
}

async function smoke(): Promise<void> {
  const started = Date.now();
  const lap = () => `${((Date.now() - started) / 1000).toFixed(1)} s`;
  // PLAN33_SMOKE_NODE: another node binary (to compare; CI runs the pinned one).
  const node = process.env.PLAN33_SMOKE_NODE ?? pinnedNode();
  const version = spawnSync(node, ['--version'], { encoding: 'utf8' }).stdout.trim();
  say(`${node}: ${version} (${lap()})`);
  if (!upToDate()) await build({ log: say });

  const work = mkdtempSync(join(tmpdir(), 'plan33-smoke-'));
  const [temporalPort, smtpPort, apiPort, postgresPort] = [await freePort(), await freePort(), await freePort(), await freePort()];
  const running: RunningEntry[] = [];
  const server = await spawnDevServer({ dbFilename: join(work, 'temporal.sqlite'), port: temporalPort, namespace: 'default', logFile: join(work, 'temporal.log') });
  if (!server) throw new Error('no Temporal CLI at hand: run `npm run setup`');
  const pgDir = postgresTempDir('plan33-smoke-pg-');
  const postgres = await startEmbeddedPostgres({ dataDir: join(pgDir, 'data'), port: postgresPort });
  const smtp = await startSmtpCapture({ port: smtpPort });
  say(`dev server, PostgreSQL and SMTP capture up (${lap()})`);
  try {
    const stack: ProductionStackOptions = { appDir: projectRoot, node, temporalAddress: server.address, databaseUrl: postgres.url, smtpPort, apiPort };
    const migrate = runCli(stack, ['db', 'migrate']);
    if (migrate.status !== 0) throw new Error(`plan33 db migrate exited ${migrate.status}:\n${migrate.stderr}${migrate.stdout}`);
    say(`plan33 db migrate: ${migrate.stdout.trim().split('\n').length} migrations applied (${lap()})`);
    const worker = await startEntry(stack, 'worker', workerReady);
    running.push(worker);
    say(`worker ready after ${(worker.readyAfterMs / 1000).toFixed(1)} s (${lap()})`);
    const api = await startEntry(stack, 'api', apiReady(apiPort));
    running.push(api);
    say(`API ready after ${(api.readyAfterMs / 1000).toFixed(1)} s (${lap()})`);
    const deal = await enrolOne(apiPort, 'smoke-1', 'layla@cedar.example');
    if (deal.status !== 200 && deal.status !== 201 && deal.status !== 202) throw new Error(`POST /v1/deals answered ${deal.status}: ${deal.body}`);
    const [mail] = await smtp.waitFor(1, 60_000);
    if (!mail!.to.includes('layla@cedar.example')) throw new Error(`the first email went to ${mail!.to.join(', ')}`);
    say(`welcome email captured for ${mail!.to.join(', ')} (${lap()})`);
    for (const entry of running.splice(0)) {
      const how = await entry.stop();
      if (how !== 0 && how !== 'SIGTERM') throw new Error(`an entry stopped with ${String(how)}:\n${entry.output()}`);
    }
    say(`passed under Node ${version} in ${lap()}`);
  } finally {
    for (const entry of running) await entry.stop();
    await smtp.close();
    await postgres.stop();
    await server.stop();
    rmSync(work, { recursive: true, force: true });
    rmSync(pgDir, { recursive: true, force: true });
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  smoke().then(
    () => process.exit(0),
    (err: Error) => {
      process.stderr.write(`smoke: FAILED: ${err.message}\n`);
      process.exit(1);
    },
  );
}

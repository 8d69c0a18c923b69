// `npm run load [-- --n 10000 --connections 20 --temporal-db memory|file --json]`: enrols N distinct customers through the HTTP
// API on loopback with autocannon, reports the HTTP figures, then counts the workflows and rows
// (scripts/load-run.ts). Exits 1 on any HTTP error or anything lost, 2 if the run itself failed.
import { Command, InvalidArgumentError } from 'commander';
import { runLoad, summaryLine } from './load-run';

const whole = (name: string) => (value: string) => {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError(`${name}: expected a whole number, 1 or more`);
  return n;
};

const program = new Command('load')
  .description('enrol N customers through POST /v1/deals at a bounded concurrency, then count what exists')
  .option('--n <customers>', 'distinct customers, one request each', whole('--n'), 10_000)
  .option('--connections <count>', 'concurrent HTTP connections', whole('--connections'), 20)
  .option('--temporal-db <memory|file>', "the dev server's state: SQLite in memory, or a file as npm start has it", (v: string) => {
    if (v !== 'memory' && v !== 'file') throw new InvalidArgumentError('--temporal-db: expected memory or file');
    return v;
  }, 'memory')
  .option('--json', 'print the whole result as JSON before the summary line')
  .parse();
const opts = program.opts<{ n: number; connections: number; temporalDb: 'memory' | 'file'; json?: boolean }>();

const say = (line: string) => process.stdout.write(`${line}\n`);
const fmt = (l: number[]) => l.map((x) => x.toFixed(2)).join(' ');
// Ctrl-C (or SIGTERM) stops the requests or the wait and takes the stack down; a second one exits at once.
const abort = new AbortController();
const stop = (signal: string) => {
  if (abort.signal.aborted) process.exit(130);
  say(`load: ${signal}, stopping (again to exit at once)`);
  abort.abort(new Error(`stopped by ${signal}`));
};
process.on('SIGINT', () => stop('SIGINT'));
process.on('SIGTERM', () => stop('SIGTERM'));
try {
  const r = await runLoad({ n: opts.n, connections: opts.connections, temporalDb: opts.temporalDb, log: (line) => say(`load: ${line}`), signal: abort.signal });
  if (opts.json) say(JSON.stringify(r, null, 2));
  say(`load: HTTP ${r.http.sent} requests in ${r.http.durationS} s, ${r.http.status2xx} 2xx, ${r.http.non2xx} non-2xx, ${r.http.errors} errors, ${r.http.timeouts} timeouts`);
  say(`load: latency p50 ${r.http.latencyMs.p50} ms, p90 ${r.http.latencyMs.p90} ms, p99 ${r.http.latencyMs.p99} ms, max ${r.http.latencyMs.max} ms, mean ${r.http.latencyMs.mean} ms; ${r.http.requestsPerSecond} req/s`);
  say(`load: workflows ${r.workflows.listed} listed, ${r.workflows.running} running, ${r.workflows.duplicates} duplicated; rows: ${r.rows.customers} customers, ${r.rows.deals} deals, ${r.rows.contacts} contacts, ${r.rows.plannedTouches} planned touches; all planned ${r.settleS} s after the last response; ${r.emailsCaptured} emails sent`);
  say(`load: machine ${r.machine.cpus} CPUs, load average (1/5/15 min) ${fmt(r.machine.loadBefore)} before, ${fmt(r.machine.loadAfterHttp)} after the requests, ${fmt(r.machine.loadAfterSettle)} once all were planned`);
  say(`load: ${r.accepted} customers accepted (202 naming their workflow)`);
  for (const l of r.lostExamples) say(`load: lost ${l}`);
  for (const p of r.problems) say(`load: FAILED ${p}`);
  if (r.strays) say(`load: ${r.strays} workflows or rows of customers this run never sent`);
  say(summaryLine(r));
  process.exit(r.ok ? 0 : 1);
} catch (err) {
  process.stderr.write(`load: the run failed: ${(err as Error).stack ?? String(err)}\n`);
  process.exit(2);
}

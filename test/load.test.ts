// A small sample of `npm run load` (scripts/load-run.ts, the same code): 200 distinct customers
// enrolled through the HTTP API over loopback by autocannon at 20 connections, against the real
// stack (Temporal dev server with its own SQLite file, PostgreSQL, the worker and the API in
// processes of their own); then every workflow and row is counted. Nothing about speed is
// asserted: only that no request failed and that every customer exists exactly once.
import { inject, expect, it } from 'vitest';
import { runLoad } from '../scripts/load-run';
import { freshDatabaseUrl } from './helpers/database';

const N = 200;

it(`enrols ${N} customers through POST /v1/deals with 0 errors, and loses none`, async () => {
  const lines: string[] = [];
  const r = await runLoad({ n: N, connections: 20, databaseUrl: await freshDatabaseUrl(), workflowBundlePath: inject('workflowBundlePath'), log: (l) => lines.push(l) });
  console.log(lines.map((l) => `load: ${l}`).join('\n'));
  // Everything that went wrong, at once, with the run's own account of it.
  expect(r.problems, lines.join('\n')).toEqual([]);
  expect(r.http).toMatchObject({ sent: N, completed: N, status2xx: N, non2xx: 0, errors: 0, timeouts: 0 });
  expect(r.accepted).toBe(N);
  expect(r.workflows).toEqual({ listed: N, running: N, distinct: N, duplicates: 0 });
  expect(r.rows).toMatchObject({ customers: N, deals: N, contacts: N, duplicateDeals: 0 });
  // Every customer's year was planned (touches with their cost), and none was sent anything.
  expect(r.rows.plannedTouches).toBeGreaterThanOrEqual(33 * N);
  expect(r.emailsCaptured).toBe(0);
  expect(r.lost).toBe(0);
  expect(r.strays).toBe(0);
  expect(r.ok).toBe(true);
  // The latency figures exist (their size is the machine's business).
  expect(r.http.latencyMs.p50).toBeGreaterThan(0);
  expect(r.http.latencyMs.p99).toBeGreaterThanOrEqual(r.http.latencyMs.p50);
}, 240_000);

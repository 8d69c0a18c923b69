// `npm run fuzz`: holds the API to its published contract with schemathesis (an OpenAPI fuzzer,
// hash-pinned from PyPI). Starts `npm start`'s stack (dev/start.ts: the Temporal dev server, an
// embedded PostgreSQL, the worker, the API) in a temporary data folder on free ports, runs every
// check (`--checks all`) in every phase, stateful included (the document's links chain a deal into
// the customer's routes), prints the counts and stops everything. Exit code 0 only when
// schemathesis found nothing.
//
// The report operations (GET /v1/reports/<name>) get FUZZ_REPORT_EXAMPLES each (default: 5 times
// FUZZ_MAX_EXAMPLES): most of their parameters are optional and combine (a period by `year` or by
// `from`/`to`), so a handful of cases barely leaves the defaults. Both counts go into a
// schemathesis.toml beside the reports, not on the command line, whose --max-examples would
// override the per-operation count.
//
//   npm run fuzz                     # the bounded run CI does (FUZZ_MAX_EXAMPLES=5, seed fixed)
//   FUZZ_MAX_EXAMPLES=50 FUZZ_SEED=7 npm run fuzz
import { spawn, spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { cacheDir, freePort, projectRoot } from '../dev/binaries.mjs';
import { postgresTempDir } from '../dev/embedded-postgres';

/** schemathesis and everything it imports, each pinned to one wheel (CPython 3.11, Linux x86_64 for the compiled ones). */
const SCHEMATHESIS = {
  version: '4.32.5',
  requirements: [
    'schemathesis==4.32.5 --hash=sha256:5ec7e532ebdf9b0e0239a943df2a565174aecda513b61e564d8ad2a3ac801f22',
    'anyio==4.16.0 --hash=sha256:c66ae634e0b8228396b801741beb3294326d4b6102f7bba4041c0dfb58c29026',
    'certifi==2026.10.19.post1 --hash=sha256:1324c476b4811eff41a8bc2122cd0bbd4d9c7234c725446d99ab1612b3a7fdd2',
    'charset-normalizer==3.5.3 --hash=sha256:2a6f937e0b70133d1f826d0a253331b6fe1a4c874808cc12e16f2fb8177042f4',
    'click==8.5.1 --hash=sha256:8bb5376d2006950386f8c6427613334a2acadc5f559cb80e638d00b4df957e37',
    'graphql-core==3.3.2 --hash=sha256:d83f49ee18d2db89fb575dab6ffefa8aa1bf5f60dff8a6781db6f63420041348',
    'harfile==0.6.0 --hash=sha256:0f2209d6ec164a2aea7e8fb2b49d9fef5ddeee51b65dbfd28a4167185c34bb30',
    'hypothesis==6.170.17 --hash=sha256:ba5757621056597fd71d101357fed17b7f200592ca6050b59bf6733869de9fc5',
    'hypothesis-graphql==0.13.5 --hash=sha256:7bf16b290fc5b870539e0181446cda1f2aadc3b233a8b475331abc1764fe4e40',
    'idna==3.20 --hash=sha256:ab7ae7122974553370f0bdb919e1a960b2cd1bc1ef0276416d896db81c14582c',
    'iniconfig==2.3.1 --hash=sha256:9121e2c1fdb355232495be3194c8dfe87ccc2d5dee45947b78e68f499790d7a7',
    'jsonschema-rs==0.60.3 --hash=sha256:326ec5b6800552ccd76a1acca131f70511ac013b377230bdd541db3244adc9fa',
    'markdown-it-py==4.3.0 --hash=sha256:7aa1511a46c39138de78d9eba92ce47e63124d8003fc98b3a351909e04239efa',
    'MarkupSafe==3.0.4 --hash=sha256:6da83a088f8ef93b2d483a8232a4dbf4d69d3d8496b568a03c56becac43e1808',
    'mdurl==0.1.2 --hash=sha256:84008a41e51615a49fc9966191ff91509e3c40b939176e643fd50a5c2196b8f8',
    'packaging==26.4 --hash=sha256:81383611a09c1bc0b08b76e0fd5829d7c6824c65b27a6aee339da133f4233ea2',
    'pluggy==1.7.0 --hash=sha256:7dd7b0d8832ba3cb632c306926ded123429211b83641b35dc5c41ad2d34f9bec',
    'Pygments==2.21.0 --hash=sha256:2363c69b61c4a97c838da3b130dcd6468f4848992b21a82f2a63ec34377137d9',
    'pyrate-limiter==4.5.1 --hash=sha256:bb8dd2926b0679e4ada6629a865e85daa5599268f930c61a8992dafa8bf3ba0d',
    'pytest==9.2.0 --hash=sha256:07acdcf88ec174f907dc01af70bf52d49b014bbab03faeeade31c96b18c2e588',
    'PyYAML==6.0.4 --hash=sha256:622aa875fa6533f25fedcffe23079357d65a690d462200afed5d8e9d0e01ebee',
    'requests==2.34.2 --hash=sha256:2a0d60c172f83ac6ab31e4554906c0f3b3588d37b5cb939b1c061f4907e278e0',
    'rich==15.0.0 --hash=sha256:33bd4ef74232fb73fe9279a257718407f169c09b78a87ad3d296f548e27de0bb',
    'sortedcontainers==2.4.0 --hash=sha256:a163dcaede0f1c021485e957a39245190e74249897e2ae4b2aa38595db237ee0',
    'typing-extensions==4.16.0 --hash=sha256:481caa481374e813c1b176ada14e97f1f67a4539ce9cfeb3f350d78d6370c2e8',
    'urllib3==2.8.0 --hash=sha256:0cf3cae568d36aa9576b28dfb35f11328f1cb974ca7647d9475ebb86c75ac6e3',
    'Werkzeug==3.1.9 --hash=sha256:6392e50c78460ba618e5b21f08a71f59c99ce99cdc6cf6e3dd7e6ccca8754fab',
  ],
};

const say = (line: string) => process.stderr.write(`fuzz: ${line}\n`);
const python = process.env.PYTHON ?? 'python3';

/** A virtual environment in the cache with schemathesis in it (installed once, hash-checked); returns its `schemathesis`. */
function ensureSchemathesis(): string {
  const dir = join(cacheDir, `schemathesis-${SCHEMATHESIS.version}`);
  const bin = join(dir, 'bin', 'schemathesis');
  const stamp = join(dir, '.plan33-installed');
  if (existsSync(stamp)) return bin;
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(cacheDir, { recursive: true });
  const run = (cmd: string, args: string[]) => {
    const res = spawnSync(cmd, args, { encoding: 'utf8' });
    if (res.error || res.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed:\n${(res.error?.message ?? (res.stderr || res.stdout)).trim()}`);
  };
  say(`installing schemathesis ${SCHEMATHESIS.version} from PyPI (hash-pinned) into ${dir}...`);
  try {
    run(python, ['-m', 'venv', dir]);
    const requirements = join(dir, 'requirements.txt');
    writeFileSync(requirements, `${SCHEMATHESIS.requirements.join('\n')}\n`);
    run(join(dir, 'bin', 'python'), ['-m', 'pip', 'install', '--no-deps', '--only-binary=:all:', '--require-hashes', '--disable-pip-version-check', '-q', '-r', requirements]);
  } catch (err) {
    rmSync(dir, { recursive: true, force: true }); // a half-installed venv is never taken for a whole one
    throw err;
  }
  writeFileSync(stamp, new Date().toISOString());
  return bin;
}

/** `npm start`'s stack on free ports in a fresh data folder; resolves with the API's URL and key once it is up. */
async function startStack(dataDir: string) {
  const [temporalPort, uiPort, smtpPort, apiPort, pgPort] = await Promise.all([freePort(), freePort(), freePort(), freePort(), freePort()]);
  const child = spawn(process.execPath, ['--import', 'tsx', 'dev/start.ts'], {
    cwd: projectRoot,
    env: { ...process.env, PLAN33_DATA_DIR: dataDir, TEMPORAL_PORT: String(temporalPort), TEMPORAL_UI_PORT: String(uiPort), SMTP_PORT: String(smtpPort), PLAN33_API_PORT: String(apiPort), PLAN33_POSTGRES_PORT: String(pgPort), LOG_LEVEL: 'info' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => (out += d.toString()));
  const exited = new Promise<number | null>((ok) => child.once('exit', (code) => ok(code)));
  const up = async () => {
    const deadline = Date.now() + 300_000;
    while (!out.includes('plan33 is running.') || !/API key in .*: \S+\)/.test(out)) {
      if (child.exitCode !== null) throw new Error(`npm start exited ${child.exitCode}:\n${out}`);
      if (Date.now() > deadline) throw new Error(`npm start did not come up within 300 s:\n${out}`);
      await new Promise((r) => setTimeout(r, 200));
    }
    return /API key in .*: (\S+)\)/.exec(out)![1]!;
  };
  return { child, exited, up, base: `http://127.0.0.1:${apiPort}` };
}

/** The counts from schemathesis's own summary: operations tested, test cases generated, failures per kind. */
function countsOf(summary: string) {
  const tested = /Tested: (\d+)/.exec(summary)?.[1];
  const cases = /(\d+) generated/.exec(summary)?.[1];
  const failures = [...summary.matchAll(/❌ (ST\d+ [^:\n]+): (\d+)/g)].map((m) => `${m[2]} ${m[1]}`);
  return { operations: Number(tested ?? 0), testCases: Number(cases ?? 0), failures };
}

/**
 * The rules of the API that OpenAPI cannot state, taught to the fuzzer (a schemathesis hook): a
 * report's period is `year`, or `from`/`to` with `from` before `to` and at most 10 years apart;
 * a call back's day and a lead's contact-later day lie ahead, not in the past. Only requests
 * whose values are each valid are touched, so invalid ones stay invalid.
 */
const HOOKS = `import datetime, re
import schemathesis

DATE = re.compile(r"^\\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\\d|3[01])$")
LAST = datetime.date(2199, 12, 31)

def day(value):
    if not isinstance(value, str) or not DATE.match(value):
        return None
    try:
        return datetime.date.fromisoformat(value)
    except ValueError:
        return None

def year(value):
    try:
        return 2000 <= int(str(value)) <= 2200 and str(int(str(value))) == str(value)
    except ValueError:
        return False

AHEAD = {"/v1/tasks/{taskId}/complete": ("call-back", "callBackOn"), "/v1/leads/{id}/outcome": ("contact-later", "contactOn")}

@schemathesis.hook
def before_call(context, case, kwargs):
    ahead = AHEAD.get(case.operation.path)
    # The day must lie ahead whatever the outcome says (the server checks a day given with any outcome).
    if ahead and isinstance(case.body, dict) and ahead[1] in case.body:
        given = day(case.body.get(ahead[1]))
        soon = datetime.date.today() + datetime.timedelta(days=2)
        if given is not None and given < soon:
            case.body[ahead[1]] = soon.isoformat()
        return
    if not case.operation.path.startswith("/v1/reports/") or not isinstance(case.query, dict):
        return
    q = case.query
    given = [q[k] for k in ("from", "to") if k in q]
    if any(day(v) is None for v in given) or ("year" in q and not year(q["year"])):
        return
    if "year" in q and given:
        q.pop("from", None)
        q.pop("to", None)
    elif "from" in q and "to" in q:
        start, end = day(q["from"]), day(q["to"])
        if start >= end or end > start.replace(year=start.year + 10, day=min(start.day, 28)):
            # A day later, inside the range the dates keep to (plan/dates.ts: 1900-01-01..2199-12-31).
            if start < LAST:
                q["to"] = (start + datetime.timedelta(days=1)).isoformat()
            else:
                q["from"], q["to"] = (LAST - datetime.timedelta(days=1)).isoformat(), LAST.isoformat()
`;

/** A whole number from the environment, or its default; anything else stops the run before the stack starts. */
function positiveInt(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  if (!/^[1-9]\d{0,5}$/.test(raw)) throw new Error(`${name}: expected a whole number from 1 to 999999, got ${JSON.stringify(raw)}`);
  return Number(raw);
}

/** schemathesis's configuration: `maxExamples` per operation, `reportExamples` for each report (GET /v1/reports/<name>). */
function schemathesisToml(maxExamples: number, reportExamples: number): string {
  return [
    '[generation]',
    `max-examples = ${maxExamples}`,
    '',
    '[[operations]]',
    'include-path-regex = "^/v1/reports/[a-z-]+$"',
    `generation.max-examples = ${reportExamples}`,
    '',
  ].join('\n');
}

const started = Date.now();
const maxExamples = positiveInt('FUZZ_MAX_EXAMPLES', 5);
const reportExamples = positiveInt('FUZZ_REPORT_EXAMPLES', 5 * maxExamples);
const schemathesis = ensureSchemathesis();
const dataDir = postgresTempDir('plan33-fuzz-');
const reportDir = join(cacheDir, 'fuzz');
rmSync(reportDir, { recursive: true, force: true }); // this run's reports only
mkdirSync(reportDir, { recursive: true });
say('starting npm start\'s stack (Temporal dev server, PostgreSQL, worker, API) in a temporary folder...');
const stack = await startStack(dataDir);
let code = 1;
try {
  const key = await stack.up();
  say(`API up at ${stack.base} after ${Math.round((Date.now() - started) / 1000)} s; running schemathesis ${SCHEMATHESIS.version}`);
  const args = [
    'run', `${stack.base}/openapi.json`,
    '--url', stack.base,
    '--checks', 'all',
    // FUZZ_PHASES: CI leaves out the coverage phase (2 of its 3 minutes); `npm run fuzz` runs all four.
    '--phases', process.env.FUZZ_PHASES ?? 'examples,coverage,fuzzing,stateful',
    '--seed', process.env.FUZZ_SEED ?? '33',
    '--workers', process.env.FUZZ_WORKERS ?? '2',
    '--request-timeout', '35',
    '--no-shrink',
    '--header', `Authorization: Bearer ${key}`,
    '--report', 'junit,ndjson', '--report-dir', reportDir,
  ];
  writeFileSync(join(reportDir, 'plan33_fuzz_hooks.py'), HOOKS);
  // Read from the working directory (reportDir): the examples per operation, more for the reports.
  writeFileSync(join(reportDir, 'schemathesis.toml'), schemathesisToml(maxExamples, reportExamples));
  say(`${maxExamples} examples per operation, ${reportExamples} per report`);
  const st = spawn(schemathesis, args, { cwd: reportDir, stdio: ['ignore', 'pipe', 'inherit'], env: { ...process.env, NO_COLOR: '1', PYTHONPATH: reportDir, SCHEMATHESIS_HOOKS: 'plan33_fuzz_hooks' } });
  let summary = '';
  st.stdout.on('data', (d: Buffer) => {
    process.stdout.write(d);
    summary += d.toString();
  });
  code = await new Promise<number>((ok) => st.once('exit', (c) => ok(c ?? 1)));
  const counts = countsOf(summary);
  writeFileSync(join(reportDir, 'counts.json'), `${JSON.stringify(counts, null, 2)}\n`);
  say(`${counts.operations} operations, ${counts.testCases} test cases, ${counts.failures.length ? `failures: ${counts.failures.join(', ')}` : 'no failures'} (schemathesis exit ${code})`);
} finally {
  stack.child.kill('SIGINT');
  const stopped = await Promise.race([stack.exited, new Promise<'timeout'>((ok) => setTimeout(() => ok('timeout'), 30_000))]);
  if (stopped === 'timeout') stack.child.kill('SIGKILL');
  const log = join(dataDir, 'plan33.log');
  if (existsSync(log)) copyFileSync(log, join(reportDir, 'plan33.log'));
  rmSync(dataDir, { recursive: true, force: true });
  say(`done in ${Math.round((Date.now() - started) / 1000)} s; reports in ${reportDir}`);
}
process.exit(code);

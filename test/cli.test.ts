// The `plan33` CLI as a user runs it: `node cli/bin/plan33.mjs ...` in a child process,
// judged only by its stdout, stderr and exit code. Preview runs need no server; the two
// simulate runs start the real time-skipping Temporal server, SMTP capture and Twilio stand-in.
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DateTime } from 'luxon';
import { afterAll, describe, expect, it } from 'vitest';
import { projectRoot } from '../dev/binaries.mjs';
import type { SimulatedTouch } from '../dev/simulate';

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

// Settings that would change the schedule come from the test, not the developer's shell.
const childEnv: NodeJS.ProcessEnv = { ...process.env, LOG_LEVEL: 'warn' };
delete childEnv.SENDING_HOURS;
delete childEnv.PLAN33_PLAN_OVERRIDES;

/** Runs the CLI; a run that outlives `timeoutMs` (e.g. a process that never exits) fails. */
function cli(args: string[], timeoutMs = 30_000): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['cli/bin/plan33.mjs', ...args], { cwd: projectRoot, env: childEnv, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`plan33 ${args.join(' ')}: still running after ${timeoutMs} ms\nstdout: ${stdout.slice(-2000)}\nstderr: ${stderr.slice(-2000)}`));
    }, timeoutMs);
    child.once('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
    child.once('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

// Each distinct command runs once; tests that look at the same output share the run.
const runs = new Map<string, Promise<Run>>();
const cached = (args: string[], timeoutMs?: number) => {
  const key = JSON.stringify(args);
  let run = runs.get(key);
  if (!run) {
    run = cli(args, timeoutMs);
    runs.set(key, run);
  }
  return run;
};

interface PreviewTouch {
  seq: number;
  holidayDate?: string;
  kind: string;
  channel: string;
  at: string;
  title: string;
  occasion?: string;
  slot?: string;
}

interface CustomerFile {
  name: { first: string; last?: string };
  email?: string;
  phone?: string;
  address?: object;
  timezone: string;
  consent?: Partial<Record<'email' | 'sms' | 'postal' | 'phone', boolean>>;
  sendingHours?: string;
}

const customerPath = (name: string) => `examples/customers/${name}.json`;
const readCustomer = (name: string) => JSON.parse(readFileSync(join(projectRoot, customerPath(name)), 'utf8')) as CustomerFile;

/** Parses a successful run's stdout as JSON, showing stderr when the run failed. */
function json<T>(run: Run): T {
  expect(run.code, run.stderr).toBe(0);
  return JSON.parse(run.stdout) as T;
}

const previewJson = async (name: string, ...extra: string[]) => json<PreviewTouch[]>(await cached(['preview', '--customer', customerPath(name), '--start', '2027-01-01', '--json', ...extra]));

const countKinds = (touches: { kind: string }[]) => touches.reduce<Record<string, number>>((acc, t) => ({ ...acc, [t.kind]: (acc[t.kind] ?? 0) + 1 }), {});

const THIRTY_THREE = { newsletter: 12, 'holiday-card': 7, call: 5, 'follow-up-letter': 3, 'personal-card': 4, 'give-away': 2 };
/** A year of plan version 3: the 33 and the NPS survey (14 days after the deal). */
const YEAR_KINDS = { ...THIRTY_THREE, 'nps-survey': 1 };

/** Channels a customer has both the contact detail and the consent for (consent defaults to yes). */
function allowedChannels(c: CustomerFile): string[] {
  const ok = (k: 'email' | 'sms' | 'postal' | 'phone') => c.consent?.[k] !== false;
  return [c.email && ok('email') && 'email', c.phone && ok('sms') && 'sms', c.address && ok('postal') && 'postal', c.phone && ok('phone') && 'phone'].filter((x): x is string => !!x);
}

const GOOD: { name: string; offsets: string[]; hours: [number, number] }[] = [
  { name: 'layla-riyadh', offsets: ['+03:00'], hours: [9, 19] },
  { name: 'john-new-york', offsets: ['-04:00', '-05:00'], hours: [9, 19] },
  // luxon writes UTC+0 as +00:00, never Z.
  { name: 'emma-london', offsets: ['+00:00', '+01:00'], hours: [9, 19] },
  { name: 'aarav-sydney', offsets: ['+10:00', '+11:00'], hours: [17, 20] },
];

const tmp = mkdtempSync(join(tmpdir(), 'plan33-cli-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe.concurrent('plan33 preview --json', () => {
  for (const { name, offsets, hours } of GOOD) {
    it(`${name}: the 33 touches, in the customer's zone, one a day, on allowed channels`, async () => {
      const customer = readCustomer(name);
      const touches = await previewJson(name);

      expect(Array.isArray(touches)).toBe(true);
      expect(touches).toHaveLength(34);
      expect(countKinds(touches)).toEqual(YEAR_KINDS);

      // seq 1..34 in chronological order.
      expect(touches.map((t) => t.seq)).toEqual(Array.from({ length: 34 }, (_, i) => i + 1));
      const instants = touches.map((t) => Date.parse(t.at));
      expect(instants.every((ms) => Number.isFinite(ms))).toBe(true);
      expect([...instants].sort((a, b) => a - b)).toEqual(instants);

      // Every `at` carries the offset the customer's zone has at that instant.
      const seen = new Set<string>();
      for (const t of touches) {
        const offset = /([+-]\d{2}:\d{2}|Z)$/.exec(t.at)?.[1];
        const local = DateTime.fromISO(t.at, { zone: customer.timezone });
        expect(offset, t.at).toBe(local.toFormat('ZZ'));
        seen.add(offset!);
        // Inside sending hours (the business default, or the customer's own).
        expect(local.hour, t.at).toBeGreaterThanOrEqual(hours[0]);
        expect(local.hour, t.at).toBeLessThan(hours[1]);
      }
      expect([...seen].sort()).toEqual([...offsets].sort());

      // The whole year from the start date, in local dates.
      const dates = touches.map((t) => t.at.slice(0, 10));
      expect(dates[0]! >= '2027-01-01').toBe(true);
      expect(dates.at(-1)! <= '2027-12-31').toBe(true);
      expect(new Set(dates).size).toBe(dates.length);

      // Consent: a touch goes on a channel the customer allows, or on none.
      const allowed = allowedChannels(customer);
      for (const t of touches) {
        if (t.channel !== 'none') expect(allowed, `${t.seq} ${t.kind}`).toContain(t.channel);
        expect(typeof t.title).toBe('string');
        expect(t.title.length).toBeGreaterThan(0);
      }
    });
  }

  it('emma (email only) hears only by email; what email cannot carry has no channel', async () => {
    const touches = await previewJson('emma-london');
    expect(new Set(touches.map((t) => t.channel))).toEqual(new Set(['email', 'none']));
    expect(touches.filter((t) => t.kind === 'newsletter').every((t) => t.channel === 'email')).toBe(true);
    expect(touches.filter((t) => t.kind === 'call').every((t) => t.channel === 'none')).toBe(true);
  });

  it('aarav (no email consent) never gets email; calls by phone', async () => {
    const touches = await previewJson('aarav-sydney');
    expect(touches.some((t) => t.channel === 'email')).toBe(false);
    expect(touches.filter((t) => t.kind === 'call').every((t) => t.channel === 'phone')).toBe(true);
  });

  it('Layla (SA) gets Eid al-Fitr and Eid al-Adha cards', async () => {
    const titles = (await previewJson('layla-riyadh')).filter((t) => t.kind === 'holiday-card').map((t) => t.title);
    expect(titles).toContain('Eid al-Fitr');
    expect(titles).toContain('Eid al-Adha');
  });

  it("John (US) gets a Thanksgiving card, and his Feb 29 birthday card goes out in February of 2027 (not a leap year)", async () => {
    const touches = await previewJson('john-new-york');
    expect(touches.filter((t) => t.kind === 'holiday-card').map((t) => t.title)).toContain('Thanksgiving');
    expect(touches.find((t) => t.title === 'Thanksgiving')).toMatchObject({ kind: 'holiday-card', holidayDate: '2027-11-25' });
    const birthday = touches.filter((t) => t.kind === 'personal-card' && /birthday/i.test(t.title));
    expect(birthday).toHaveLength(1);
    expect(birthday[0]!.at.slice(0, 7)).toBe('2027-02');
  });

  it('--plan advocate: the same 33 plus value-added items', async () => {
    const touches = await previewJson('john-new-york', '--plan', 'advocate');
    const counts = countKinds(touches);
    const { 'value-added': valueAdded, ...rest } = counts;
    expect(rest).toEqual(YEAR_KINDS);
    expect(valueAdded).toBeGreaterThan(0);
    expect(touches).toHaveLength(34 + valueAdded!);
    expect(touches.map((t) => t.seq)).toEqual(Array.from({ length: touches.length }, (_, i) => i + 1));
    // John's favourite team's season schedule is one of them.
    expect(touches.filter((t) => t.kind === 'value-added').map((t) => t.title).join('\n')).toContain('New York Yankees');
    const instants = touches.map((t) => Date.parse(t.at));
    expect([...instants].sort((a, b) => a - b)).toEqual(instants);
  });
});

describe.concurrent('plan33 preview (table)', () => {
  it("prints the customer's name, a header and one line per touch", async () => {
    const run = await cached(['preview', '--customer', customerPath('layla-riyadh'), '--start', '2027-01-01']);
    expect(run.code, run.stderr).toBe(0);
    const lines = run.stdout.split('\n');
    expect(lines[0]).toContain('Layla Haddad');
    expect(lines[0]).toContain('34 touches');
    const header = lines.find((l) => /^seq\s/.test(l));
    expect(header).toBeDefined();
    for (const column of ['seq', 'kind', 'channel', 'title']) expect(header).toContain(column);
    const rows = lines.filter((l) => /^\d+\s/.test(l));
    expect(rows.map((l) => Number(l.split(/\s+/)[0]))).toEqual(Array.from({ length: 34 }, (_, i) => i + 1));
    expect(rows.some((l) => l.includes('Eid al-Fitr') && l.includes('holiday-card'))).toBe(true);
    // The same touches as --json, in the same order.
    const touches = await previewJson('layla-riyadh');
    rows.forEach((row, i) => {
      expect(row).toContain(touches[i]!.kind);
      expect(row).toContain(touches[i]!.title);
    });
  });
});

describe.concurrent('plan33 bad input: exit 1, every problem named, no stack trace', () => {
  const noStack = (run: Run) => {
    expect(run.stderr).not.toMatch(/^\s+at /m);
    expect(run.stdout).toBe('');
  };

  it('bad.json names each bad field', async () => {
    const run = await cached(['preview', '--customer', customerPath('bad')]);
    expect(run.code).toBe(1);
    for (const field of ['customer.id', 'customer.name.first', 'customer.email', 'customer.timezone', 'customer.personalDates.0.date', 'customer.agent']) {
      expect(run.stderr).toContain(`${field}:`);
    }
    noStack(run);
  });

  // bad.json's consent is all false: no channel can reach the customer whatever else is
  // fixed, so the CLI should say so together with the other problems.
  it('bad.json also names customer.consent (no reachable channel)', async () => {
    const run = await cached(['preview', '--customer', customerPath('bad')]);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('customer.consent:');
    noStack(run);
  });

  it('a missing file: "no such file"', async () => {
    const run = await cli(['preview', '--customer', join(tmp, 'nobody.json')]);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('no such file');
    expect(run.stderr).toContain('nobody.json');
    noStack(run);
  });

  it('a file that is not JSON: "not valid JSON"', async () => {
    const file = join(tmp, 'notes.json');
    writeFileSync(file, '# not json\nname: Layla\n');
    const run = await cli(['preview', '--customer', file]);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('not valid JSON');
    noStack(run);
  });

  it('--start 2027-02-30 (no such day)', async () => {
    const run = await cli(['preview', '--customer', customerPath('emma-london'), '--start', '2027-02-30']);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('--start');
    expect(run.stderr).toContain('2027-02-30');
    noStack(run);
  });

  it('--plan gold names the allowed plans', async () => {
    const run = await cli(['preview', '--customer', customerPath('emma-london'), '--plan', 'gold']);
    expect(run.code).not.toBe(0);
    expect(run.stderr).toContain('gold');
    expect(run.stderr).toContain('client-for-life');
    expect(run.stderr).toContain('advocate');
    noStack(run);
  });

  it('simulate checks its flags before starting anything', async () => {
    const [referral, calls] = await Promise.all([
      cli(['simulate', '--customer', customerPath('emma-london'), '--referral-at', '2027-13-01']),
      cli(['simulate', '--customer', customerPath('emma-london'), '--calls', 'maybe']),
    ]);
    expect(referral.code).toBe(1);
    expect(referral.stderr).toContain('--referral-at');
    noStack(referral);
    expect(calls.code).toBe(1);
    expect(calls.stderr).toContain('--calls');
    expect(calls.stderr).toContain('reached');
    noStack(calls);
  });
});

// Simulated years start on a pinned date, never today: the time-skipping server starts at the
// real now and skips forward to it, so what the plan looks like does not depend on the run's day.
const SIM_YEAR = Math.max(2040, new Date().getUTCFullYear() + 1);
const SIM_START = `${SIM_YEAR}-01-01`;

/** A local day in spring with no touch on either plan (the thank-you must find it free). */
async function freeSpringDay(name: string): Promise<string> {
  const [client, advocate] = await Promise.all(
    ['client-for-life', 'advocate'].map(async (plan) => json<PreviewTouch[]>(await cached(['preview', '--customer', customerPath(name), '--start', SIM_START, '--plan', plan, '--json']))),
  );
  const taken = new Set([...client!, ...advocate!].map((t) => t.at.slice(0, 10)));
  let day = DateTime.fromISO(`${SIM_YEAR}-04-10`);
  while (taken.has(day.toISODate()!)) day = day.plus({ days: 1 });
  return day.toISODate()!;
}

// Real servers: one run at a time.
describe('plan33 simulate --json', () => {
  it('emma (email only): 33 touches, emails sent to her, the rest skipped with a reason', async () => {
    const touches = json<SimulatedTouch[]>(await cli(['simulate', '--customer', customerPath('emma-london'), '--start', SIM_START, '--json'], 110_000));

    expect(Array.isArray(touches)).toBe(true);
    expect(touches).toHaveLength(34);
    expect(countKinds(touches)).toEqual(YEAR_KINDS);
    expect(touches.map((t) => t.seq).sort((a, b) => a - b)).toEqual(Array.from({ length: 34 }, (_, i) => i + 1));
    for (const t of touches) {
      expect(typeof t.seq).toBe('number');
      for (const field of ['kind', 'channel', 'at', 'outcome', 'title'] as const) expect(typeof t[field], `${t.seq} ${field}`).toBe('string');
      expect(Number.isFinite(Date.parse(t.at)), t.at).toBe(true);
      expect(['email', 'none']).toContain(t.channel);
      expect(['sent', 'skipped']).toContain(t.outcome);
      if (t.outcome === 'sent') {
        expect(t.channel).toBe('email');
        expect(t.recipient).toBe('emma@example.co.uk');
        expect(t.subject, `${t.seq}`).toMatch(/\S/);
      } else {
        expect(t.reason, `${t.seq}`).toMatch(/\S/);
      }
      // No allowed channel (calls, gifts): skipped, saying why.
      if (t.channel === 'none') {
        expect(t.outcome).toBe('skipped');
        expect(t.reason).toMatch(/channel|consent/i);
      }
    }
    // What email can carry goes out.
    for (const kind of ['newsletter', 'holiday-card', 'personal-card']) {
      expect(touches.filter((t) => t.kind === kind).every((t) => t.outcome === 'sent'), kind).toBe(true);
    }
    expect(touches.filter((t) => t.kind === 'call').every((t) => t.channel === 'none' && t.outcome === 'skipped')).toBe(true);
  });

  it('layla with a referral: a thank-you on the day, then value-added items', async () => {
    const referralAt = await freeSpringDay('layla-riyadh');
    const touches = json<SimulatedTouch[]>(await cli(['simulate', '--customer', customerPath('layla-riyadh'), '--start', SIM_START, '--referral-at', referralAt, '--json'], 110_000));

    const { 'value-added': valueAdded, ...rest } = countKinds(touches);
    expect(rest).toEqual(YEAR_KINDS);
    expect(touches.map((t) => t.seq).sort((a, b) => a - b)).toEqual(Array.from({ length: touches.length }, (_, i) => i + 1));
    expect(touches.filter((t) => t.outcome === 'failed')).toEqual([]);

    const thanks = touches.filter((t) => /thank/i.test(t.title) && /referr/i.test(t.title));
    expect(thanks).toHaveLength(1);
    expect(thanks[0]!.kind).toBe('value-added');
    expect(thanks[0]!.outcome).toBe('sent');
    expect(thanks[0]!.at.slice(0, 10)).toBe(referralAt);

    // Besides the thank-you, the advocate plan's items, none before the referral.
    const items = touches.filter((t) => t.kind === 'value-added' && t !== thanks[0]);
    expect(valueAdded).toBe(items.length + 1);
    expect(items.length).toBeGreaterThan(0);
    for (const t of items) expect(t.at.slice(0, 10) >= referralAt, `${t.title} ${t.at}`).toBe(true);
  });
  it('simulate --lead: the 8x8 until the deal, then client-for-life, every touch with its plan; nothing of a kind within 30 days across the hand-over', async () => {
    const dealAt = `${SIM_YEAR}-02-11`;
    const touches = json<Array<SimulatedTouch & { plan: string }>>(await cli(['simulate', '--lead', 'examples/leads/hana-riyadh.json', '--start', SIM_START, '--deal-at', dealAt, '--json'], 220_000));
    const plans = [...new Set(touches.map((t) => t.plan))];
    expect(plans).toEqual(['8x8', 'client-for-life']);
    const road = touches.filter((t) => t.plan === '8x8');
    // Six weeks of the 8x8 before the deal (weeks 1-6), no referral ask in its words.
    expect(road.map((t) => t.kind)).toEqual(['prospect-letter', 'call', 'prospect-letter', 'give-away', 'prospect-letter', 'call']);
    expect(road.every((t) => t.outcome === 'sent' && t.at.slice(0, 10) < dealAt)).toBe(true);
    expect(road[0]).toMatchObject({ channel: 'email', recipient: 'hana@example.com' });
    const year = touches.filter((t) => t.plan === 'client-for-life');
    expect(countKinds(year)).toEqual(YEAR_KINDS);
    // The welcome newsletter follows the 8x8's letter within days: held back by the 30-day rule.
    const lastLetter = Date.parse(road.filter((t) => t.kind === 'prospect-letter').at(-1)!.at);
    for (const t of year.filter((x) => x.kind === 'newsletter' && x.outcome === 'sent')) expect(Date.parse(t.at) - lastLetter).toBeGreaterThanOrEqual(30 * 86_400_000);
    expect(year.find((t) => t.kind === 'newsletter' && t.outcome === 'skipped')?.reason).toMatch(/not repeated within 30 days/);
    const bad = await cli(['simulate', '--lead', 'examples/leads/hana-riyadh.json', '--customer', customerPath('emma-london')]);
    expect(bad.code).toBe(1);
  }, 240_000);
});

// plan33's holiday dates (date-holidays plus the catalogue's corrections) checked against an
// independent implementation, python-holidays 0.109 (installed hash-pinned by `npm test`'s
// set-up), for 15 countries over four years, a leap year among them. A holiday both know must
// fall on the same day; where python-holidays itself only estimates a lunar date (it marks them
// "estimated": the day is announced on the moon's sighting), a day either way is accepted; where
// it lists an official holiday period ("Eid al-Fitr Holiday"), the day must lie inside it.
import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { PYTHON_HOLIDAYS } from '../dev/binaries.mjs';
import { resolvePlan } from '../plan/definitions';
import { DEEPAVALI_DATES, DIWALI_DATES, HOLI_DATES } from '../plan/hindu-festivals';
import { rankedCandidates } from '../plan/holidays';
import { deepavali, diwali, holi } from '../scripts/hindu-festivals';

/** Runs a Python script against python-holidays and hijridate (installed by `npm test`'s set-up) and parses its JSON output. */
function python(script: string, ...args: string[]): unknown {
  const run = spawnSync(process.env.PYTHON ?? 'python3', ['-c', script, ...args], { encoding: 'utf8', env: { ...process.env, PYTHONPATH: PYTHON_HOLIDAYS.dir } });
  if (run.status !== 0) throw new Error(`python-holidays / hijridate did not answer (run \`npm run setup -- --holidays\`): ${run.stderr || run.error?.message}`);
  return JSON.parse(run.stdout);
}

const COUNTRIES = ['SA', 'AE', 'EG', 'IN', 'PK', 'ID', 'NG', 'US', 'CA', 'MX', 'BR', 'GB', 'DE', 'FR', 'AU'];
const YEARS = [2027, 2028, 2031, 2035];

/** python-holidays' English name of each catalogue holiday (first day of a multi-day holiday). */
const PYTHON_NAMES: Record<string, RegExp> = {
  'eid-al-fitr': /^Eid al-Fitr( Holiday)?( \(estimated\))?$/,
  'eid-al-adha': /^Eid al-Adha( Holiday)?( \(estimated\))?$/,
  'islamic-new-year': /^Islamic New Year( \(estimated\))?$/,
  mawlid: /^Prophet's Birthday( \(estimated\))?$/,
  'new-year': /^New Year's Day$/,
  christmas: /^Christmas( Day)?$/,
  'coptic-christmas': /^Coptic Christmas Day$/,
  'boxing-day': /^(Boxing Day|Second Day of Christmas)$/,
  'independence-day': /^Independence Day$/,
  'national-day': /^National Day Holiday$/,
  'union-day': /^National Day$/,
  'bastille-day': /^National Day$/,
  'founding-day': /^Founding Day( Holiday)?$/,
  'german-unity-day': /^German Unity Day$/,
  'republic-day-in': /^Republic Day$/,
  'gandhi-jayanti': /Gandhi's Birthday/,
  diwali: /^Diwali$/,
  holi: /^Holi$/,
  'pakistan-day': /^Pakistan Day$/,
  'quaid-e-azam-day': /^Quaid-e-Azam Day$/,
  'iqbal-day': /^Iqbal Day$/,
  'canada-day': /^Canada Day$/,
  'australia-day': /^Australia Day$/,
  thanksgiving: /^Thanksgiving( Day)?$/,
  'revolution-day-eg': /^July 23 Revolution Day$/,
  'sham-el-nessim': /^Spring Festival$/,
  'revolution-day-mx': /^Revolution Day$/,
  'constitution-day-mx': /^Constitution Day$/,
  tiradentes: /^Tiradentes' Day$/,
  aparecida: /^Our Lady of Aparecida$/,
  assumption: /^Assumption Day$/,
  'all-saints-day': /^All Saints' Day$/,
};

type PythonCalendar = Record<string, Record<string, Array<[string, string]>>>;

function pythonHolidays(): PythonCalendar {
  const script = [
    'import json, sys, holidays',
    'out = {}',
    `for c in ${JSON.stringify(COUNTRIES)}:`,
    '    out[c] = {}',
    `    for y in ${JSON.stringify(YEARS)}:`,
    "        h = holidays.country_holidays(c, years=y, language='en_US') if 'en_US' in holidays.country_holidays(c).supported_languages else holidays.country_holidays(c, years=y)",
    '        out[c][str(y)] = sorted([str(d), n] for d, n in h.items())',
    'print(json.dumps(out))',
  ].join('\n');
  return python(script) as PythonCalendar;
}

const dayNumber = (date: string) => Date.parse(`${date}T00:00:00Z`) / 86_400_000;

describe('holiday dates against python-holidays (an independent implementation)', () => {
  it('agree for 15 countries over 2027, 2028 (leap), 2031 and 2035', () => {
    const python = pythonHolidays();
    const settings = resolvePlan('client-for-life').holidays;
    const compared: string[] = [];
    const disagreements: string[] = [];
    for (const country of COUNTRIES) {
      for (const year of YEARS) {
        const theirs = python[country]![String(year)]!.flatMap(([date, names]) => names.split('; ').map((name) => ({ date, name })));
        for (const ours of rankedCandidates(country, `${year}-01-01`, `${year}-12-31`, settings)) {
          const id = ours.slot.slice('holiday-'.length);
          const pattern = PYTHON_NAMES[id];
          if (!pattern) continue;
          const matching = theirs.filter((h) => pattern.test(h.name));
          // The first day of each run of days (a three-day Eid starts once).
          const starts = matching.filter((h) => !matching.some((o) => dayNumber(o.date) === dayNumber(h.date) - 1));
          if (starts.length === 0) continue; // python-holidays does not keep it in that country
          const exact = starts.some((h) => h.date === ours.date);
          const near = starts.some((h) => /estimated/.test(h.name) && Math.abs(dayNumber(h.date) - dayNumber(ours.date)) <= 1);
          // "... Holiday" is an official holiday period (Saudi Arabia's Eids): the day itself lies inside it.
          const inPeriod = matching.some((h) => /Holiday/.test(h.name) && h.date === ours.date);
          compared.push(`${country} ${ours.date} ${ours.title}`);
          if (!exact && !near && !inPeriod) disagreements.push(`${country} ${year} ${ours.title}: plan33 ${ours.date}, python-holidays ${starts.map((h) => `${h.date} (${h.name})`).join(', ')}`);
        }
      }
    }
    expect(disagreements).toEqual([]);
    // Enough was compared to mean something: every country, every year.
    for (const country of COUNTRIES) expect(compared.filter((c) => c.startsWith(country)).length, country).toBeGreaterThanOrEqual(4 * 2);
    expect(compared.length).toBeGreaterThan(250);
  });
});

/** The Hijri day of each Islamic holiday Saudi Arabia's catalogue carries (month, day). */
const HIJRI_DAYS: Record<string, [number, number]> = {
  'eid-al-fitr': [10, 1],
  'eid-al-adha': [12, 10],
  ramadan: [9, 1],
  'islamic-new-year': [1, 1],
};

describe("Saudi Arabia's Islamic holidays follow Umm al-Qura", () => {
  it('every one, 2025-2045, on the day of the official Umm al-Qura table (hijridate, from KACST data)', () => {
    const script = [
      'import json, sys',
      'from hijridate import Hijri',
      'days = json.loads(sys.argv[1])',
      'out = {k: [Hijri(y, m, d).to_gregorian().isoformat() for y in range(1446, 1469)] for k, (m, d) in days.items()}',
      'print(json.dumps(out))',
    ].join('\n');
    const official = python(script, JSON.stringify(HIJRI_DAYS)) as Record<string, string[]>;
    const settings = resolvePlan('client-for-life').holidays;
    const ours = rankedCandidates('SA', '2025-01-01', '2045-12-31', settings);
    let compared = 0;
    for (const [id, dates] of Object.entries(official)) {
      const mine = ours.filter((c) => c.slot === `holiday-${id}`).map((c) => c.date).sort();
      const theirs = dates.filter((d) => d >= '2025-01-01' && d <= '2045-12-31').sort();
      expect(mine, id).toEqual(theirs);
      compared += theirs.length;
    }
    expect(compared).toBeGreaterThan(80);
  });
});

describe('Diwali and Holi, 2025-2045', () => {
  it("computed from the sky by the panchang rules: timeanddate's dates in every year of 2001-2035, and plan33's table recomputed", () => {
    const script = [
      'import json',
      'from holidays.calendars.hindu import _HinduLunisolar as H',
      "fmt = lambda t: {str(y): '%04d-%02d-%02d' % (y, m, d) for y, (m, d) in t.items()}",
      "print(json.dumps({'diwali': fmt(H.DIWALI_INDIA_DATES), 'holi': fmt(H.HOLI_DATES)}))",
    ].join('\n');
    const published = python(script) as Record<'diwali' | 'holi', Record<string, string>>;
    for (const [name, fn] of [['diwali', diwali], ['holi', holi]] as const) {
      const years = Object.keys(published[name]);
      expect(years.length, name).toBeGreaterThanOrEqual(35);
      expect(Object.fromEntries(years.map((y) => [y, fn(Number(y)).date])), name).toEqual(published[name]);
    }
    const years = Array.from({ length: 21 }, (_, i) => 2025 + i);
    expect(years.map((y) => diwali(y).date)).toEqual([...DIWALI_DATES]);
    expect(years.map((y) => holi(y).date)).toEqual([...HOLI_DATES]);
    // No year of the table hangs on a new moon within a day of the month's sankranti.
    for (const y of years) expect(Math.min(diwali(y).marginDays, holi(y).marginDays), String(y)).toBeGreaterThan(0.5);
  });
});

describe('Deepavali in Malaysia and Singapore, 2025-2045', () => {
  it("the Tamil rule gives Singapore's gazetted day in 25 of 27 years (2001-2027), and plan33's table recomputed", () => {
    const script = [
      'import json, holidays',
      "out = {str(y): [str(d) for d, n in holidays.country_holidays('SG', years=y).items() if n == 'Diwali'] for y in range(2001, 2028)}",
      'print(json.dumps(out))',
    ].join('\n');
    const gazetted = python(script) as Record<string, string[]>;
    const misses = Object.entries(gazetted).filter(([y, days]) => !days.includes(deepavali(Number(y)).date)).map(([y]) => y);
    expect(Object.values(gazetted).every((d) => d.length === 1)).toBe(true);
    expect(misses).toEqual(['2002', '2003']);
    expect(Array.from({ length: 21 }, (_, i) => deepavali(2025 + i).date)).toEqual([...DEEPAVALI_DATES]);
  });
});

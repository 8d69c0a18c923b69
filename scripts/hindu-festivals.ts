// Diwali (Lakshmi Puja) and Holi (Dhulandi) for India, computed from the sky with
// astronomy-engine (a maintained, MIT-licensed ephemeris; accurate to about a minute for the
// Sun and Moon) by the rules the Hindu calendars (panchangs) apply, seen from New Delhi:
//
// - Diwali: the new moon that ends the lunar month in which the Sun enters sidereal Libra
//   (Tula sankranti, Lahiri ayanamsa); the day is the one whose pradosh (the 144 minutes after
//   sunset) first falls in that Amavasya tithi (Moon 348°-360° ahead of the Sun).
// - Holi: the full moon of Phalguna (the lunar month in which the Sun enters sidereal Pisces).
//   Holika Dahan is lit at dusk in Purnima (168°-180°) clear of Bhadra (its first half): the
//   first evening whose pradosh meets the Bhadra-free Purnima, else one whose night meets it
//   before midnight; when Bhadra covers the first night past midnight and Purnima is gone by
//   the second dusk, the second evening if that day's Purnima lasts three and a half prahars
//   (7/8 of daylight), else the first. Holi, the day of colours, is the next day.
//
// Checked against the dates of timeanddate.com as python-holidays 0.109 keeps them (2001-2035,
// 35 of 35 for each festival: test/holiday-crosscheck.test.ts); the table plan33 uses for
// 2025-2045 (plan/hindu-festivals.ts) is this script's output, and the test recomputes it.
//
//   npx tsx scripts/hindu-festivals.ts 2025 2045     # prints the table
import * as Astronomy from 'astronomy-engine';

const DELHI = new Astronomy.Observer(28.6139, 77.209, 216);
const IST_MS = 5.5 * 3_600_000;
const DAY_MS = 86_400_000;
const PRADOSH_DAYS = 144 / 1440;

/** Lahiri (Chitrapaksha) ayanamsa in degrees: 23.853° at J2000, 50.29″ a year. */
const ayanamsa = (t: Astronomy.AstroTime) => 23.853 + (t.tt / 365.25) * 0.013969;
const siderealSun = (t: Astronomy.AstroTime) => (Astronomy.SunPosition(t).elon - ayanamsa(t) + 360) % 360;
const nextDay = (date: string) => new Date(Date.parse(`${date}T00:00:00Z`) + DAY_MS).toISOString().slice(0, 10);
const istMidnight = (date: string) => Astronomy.MakeTime(new Date(Date.parse(`${date}T00:00:00Z`) - IST_MS));
const istDate = (t: Astronomy.AstroTime) => new Date(t.date.getTime() + IST_MS).toISOString().slice(0, 10);

/** The moment the Sun's sidereal longitude reaches `target` degrees, searched 10 days either side of a rough date. */
function sankranti(year: number, month: number, day: number, target: number): Astronomy.AstroTime {
  let lo = Astronomy.MakeTime(new Date(Date.UTC(year, month - 1, day - 10)));
  let hi = Astronomy.MakeTime(new Date(Date.UTC(year, month - 1, day + 10)));
  for (let i = 0; i < 50; i++) {
    const mid = lo.AddDays((hi.ut - lo.ut) / 2);
    if (((siderealSun(mid) - target + 540) % 360) - 180 < 0) lo = mid;
    else hi = mid;
  }
  return lo;
}

const moonPhase = (degrees: number, from: Astronomy.AstroTime, limitDays: number) => {
  const t = Astronomy.SearchMoonPhase(degrees, from, limitDays);
  if (!t) throw new Error(`no moon phase ${degrees}° within ${limitDays} days of ${from.toString()}`);
  return t;
};
const sunset = (date: string) => Astronomy.SearchRiseSet(Astronomy.Body.Sun, DELHI, -1, istMidnight(date), 1)!;
const sunrise = (date: string) => Astronomy.SearchRiseSet(Astronomy.Body.Sun, DELHI, +1, istMidnight(date), 1)!;
const meets = (from: number, to: number, start: Astronomy.AstroTime, end: Astronomy.AstroTime) => Math.min(to, end.ut) > Math.max(from, start.ut);

/** The days (IST) around a tithi, from the day before it begins. */
function daysAround(start: Astronomy.AstroTime): string[] {
  const days = [istDate(start.AddDays(-1))];
  while (days.length < 4) days.push(nextDay(days[days.length - 1]!));
  return days;
}
const pradosh = (date: string): [number, number] => {
  const s = sunset(date).ut;
  return [s, s + PRADOSH_DAYS];
};

export interface FestivalDay {
  date: string;
  /** Days between the deciding new moon and its sankranti: under 1, the month could be the neighbour's. */
  marginDays: number;
}

export function diwali(year: number): FestivalDay {
  const tula = sankranti(year, 10, 17, 180);
  const newMoon = moonPhase(0, tula, 40);
  const amavasya = moonPhase(348, newMoon.AddDays(-3), 3);
  const date = daysAround(amavasya).find((d) => meets(...pradosh(d), amavasya, newMoon));
  if (!date) throw new Error(`no evening in Amavasya for Diwali ${year}`);
  return { date, marginDays: newMoon.ut - tula.ut };
}

export function holi(year: number): FestivalDay {
  const meena = sankranti(year, 3, 14, 330);
  // Phalguna starts at the last new moon before the Sun enters Pisces.
  let monthStart = moonPhase(0, meena.AddDays(-31), 31);
  for (let n = moonPhase(0, monthStart.AddDays(1), 31); n.ut < meena.ut; n = moonPhase(0, n.AddDays(1), 31)) monthStart = n;
  const fullMoon = moonPhase(180, monthStart, 20);
  const purnima = moonPhase(168, fullMoon.AddDays(-3), 3);
  const bhadraEnd = moonPhase(174, purnima, 3);
  const days = daysAround(purnima);
  const untilMidnight = (d: string): [number, number] => [sunset(d).ut, istMidnight(nextDay(d)).ut];
  let dahan = days.find((d) => meets(...pradosh(d), bhadraEnd, fullMoon)) ?? days.find((d) => meets(...untilMidnight(d), bhadraEnd, fullMoon));
  if (!dahan) {
    const first = days.find((d) => meets(...pradosh(d), purnima, fullMoon));
    if (!first) throw new Error(`no evening in Purnima for Holi ${year}`);
    const second = nextDay(first);
    const rise = sunrise(second).ut;
    dahan = fullMoon.ut - rise >= 0.875 * (sunset(second).ut - rise) ? second : first;
  }
  return { date: nextDay(dahan), marginDays: Math.min(meena.ut - monthStart.ut, moonPhase(0, monthStart.AddDays(1), 31).ut - meena.ut) };
}


const CHENNAI = new Astronomy.Observer(13.0827, 80.2707, 6);

/** The Moon's elongation from the Sun, 0-360 degrees (tithi n spans 12(n-1)..12n). */
const elongation = (t: Astronomy.AstroTime) => Astronomy.MoonPhase(t);

/**
 * Deepavali as Tamil Nadu, Malaysia and Singapore keep it (Naraka Chaturdashi, often a day before
 * North India's Lakshmi Puja, and a month later when an intercalary month falls before it): the
 * day whose sunrise (Chennai) falls in Krishna Chaturdashi (Moon 336°-348° ahead of the Sun) with
 * the Sun in sidereal Libra (the Tamil month Aippasi). When two sunrises fall in it, the second;
 * when it begins and ends between two sunrises, the day after it ran. It gives Singapore's
 * gazetted day in 25 of the 27 years 2001-2027 (not 2002 or 2003): test/holiday-crosscheck.test.ts.
 */
export function deepavali(year: number): FestivalDay {
  const tula = sankranti(year, 10, 17, 180);
  const days: Array<{ date: string; e: number; sun: number; ut: number }> = [];
  for (let i = -1; i < 33; i++) {
    const date = istDate(tula.AddDays(i));
    const rise = Astronomy.SearchRiseSet(Astronomy.Body.Sun, CHENNAI, +1, istMidnight(date), 1)!;
    days.push({ date, e: elongation(rise), sun: siderealSun(rise), ut: rise.ut });
  }
  const inLibra = days.filter((d) => d.sun >= 180 && d.sun < 210);
  const hits = inLibra.filter((d) => d.e >= 336 && d.e < 348);
  const lost = inLibra.findIndex((d, j) => j + 1 < inLibra.length && d.e > 300 && d.e < 336 && inLibra[j + 1]!.e >= 348);
  const day = hits.length > 0 ? hits[hits.length - 1] : lost >= 0 ? inLibra[lost + 1] : undefined;
  if (!day) throw new Error(`no Krishna Chaturdashi with the Sun in Libra in ${year}`);
  return { date: day.date, marginDays: day.ut - tula.ut };
}

const [from, to] = process.argv.slice(2).map(Number);
if (import.meta.url === `file://${process.argv[1]}` && from && to) {
  for (const [name, fn] of [['DIWALI', diwali], ['HOLI', holi], ['DEEPAVALI', deepavali]] as const) {
    const rows = Array.from({ length: to - from + 1 }, (_, i) => fn(from + i));
    console.log(`${name}: ${rows.map((r) => `'${r.date}'`).join(', ')}`);
    console.log(`  margins (days): ${rows.map((r) => r.marginDays.toFixed(1)).join(' ')}`);
  }
}

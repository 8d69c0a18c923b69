// Holidays per country (date-holidays) and the choice of the year's holiday cards.
import fc from 'fast-check';
import { DateTime } from 'luxon';
import { describe, expect, it } from 'vitest';
import { resolvePlan } from '../plan/definitions';
import { countryCandidates, holidaysOf, holidayTitle, isValidHolidayRule, selectHolidays, slugify, type HolidayCandidate } from '../plan/holidays';

// Version 1's selection (preferred lists, then spread): the years still running on it.
const settings = resolvePlan('client-for-life', { version: 1 }).holidays;

/** A `place` that accepts every candidate whose date is not taken yet (one card per day). */
function onePerDay() {
  const days = new Set<string>();
  return (c: HolidayCandidate) => {
    if (days.has(c.date)) return undefined;
    days.add(c.date);
    return c.date;
  };
}

function select(country: string | undefined, from: string, to: string, s = settings) {
  return selectHolidays({ country, from, to, count: 7, settings: s, place: onePerDay() });
}

describe('holidaysOf', () => {
  it("gives date-holidays' local dates and English names", () => {
    expect(holidaysOf('SA', 2027)).toEqual([
      { date: '2027-02-22', name: 'Founding Day', type: 'public' },
      { date: '2027-03-09', name: 'End of Ramadan (Eid al-Fitr)', type: 'public' },
      { date: '2027-05-15', name: 'Feast of the Sacrifice (Eid al-Adha)', type: 'public' },
      { date: '2027-09-23', name: 'National Day', type: 'public' },
    ]);
  });

  it('adds the extra rules of a country (Hijri and since-year rules)', () => {
    const names = holidaysOf('SA', 2027, settings.extra.SA).map((h) => `${h.date} ${h.name}`);
    expect(names).toEqual(expect.arrayContaining(['2027-02-08 First day of Ramadan', '2027-06-06 Islamic New Year', '2027-03-11 Flag Day']));
    expect(holidaysOf('SA', 2022, settings.extra.SA).map((h) => h.name)).not.toContain('Flag Day'); // since 2023
  });

  it('leaves out substitute days', () => {
    const us = holidaysOf('US', 2027);
    expect(us.some((h) => /substitute/i.test(h.name))).toBe(false);
    expect(us.filter((h) => h.name === 'Independence Day').map((h) => h.date)).toEqual(['2027-07-04']);
  });

  it('knows nothing of a country without data', () => {
    expect(holidaysOf('AQ', 2027)).toEqual([]);
    expect(countryCandidates(undefined, '2027-01-01', '2027-12-31', settings)).toEqual([]);
  });

  it("does not depend on the machine's time zone", () => {
    const before = process.env.TZ;
    try {
      process.env.TZ = 'Pacific/Kiritimati'; // UTC+14
      expect(holidaysOf('US', 2034).find((h) => h.name === 'Thanksgiving Day')?.date).toBe('2034-11-23');
      process.env.TZ = 'Pacific/Pago_Pago'; // UTC-11
      expect(holidaysOf('SA', 2033).map((h) => h.date)).toEqual(['2033-01-02', '2033-02-22', '2033-03-10', '2033-09-23', '2033-12-22']);
    } finally {
      if (before === undefined) delete process.env.TZ;
      else process.env.TZ = before;
    }
  });

  it('caches: the same list for the same input', () => {
    expect(holidaysOf('DE', 2029)).toBe(holidaysOf('DE', 2029));
    expect(holidaysOf('DE', 2029, [])).toEqual(holidaysOf('DE', 2029));
  });
});

describe('titles and rules', () => {
  it('titles a holiday by the configured title, else the name in brackets, else the name', () => {
    expect(holidayTitle('End of Ramadan (Eid al-Fitr)', 'SA', settings.titles)).toBe('Eid al-Fitr');
    expect(holidayTitle('Birthday of Muhammad (Mawlid)', 'EG', settings.titles)).toBe("Prophet's Birthday");
    expect(holidayTitle('Some Day (Local Name)', 'XX', {})).toBe('Local Name');
    expect(holidayTitle('Thanksgiving Day', 'US', settings.titles)).toBe('Thanksgiving Day');
    // per country: Germany's "National Holiday" is not Austria's
    expect(holidayTitle('National Holiday', 'DE', settings.titles)).toBe('Day of German Unity');
    expect(holidayTitle('National Holiday', 'AT', settings.titles)).toBe('National Holiday');
  });

  it('slugifies English names into slot names', () => {
    expect(slugify('Eid al-Fitr')).toBe('eid-al-fitr');
    expect(slugify("New Year's Day")).toBe('new-year-s-day');
    expect(slugify('1. Advent')).toBe('1-advent');
    expect(slugify('Fête nationale')).toBe('fete-nationale');
    expect(slugify('!!!')).toBe('occasion');
  });

  it('checks date-holidays rules', () => {
    expect(isValidHolidayRule('1 Muharram')).toBe(true);
    expect(isValidHolidayRule('03-11 since 2023')).toBe(true);
    expect(isValidHolidayRule('1st sunday in May')).toBe(true);
    expect(isValidHolidayRule('every blue moon')).toBe(false);
  });
});

describe('selectHolidays', () => {
  it('takes the preferred names first, in order', () => {
    const us = select('US', '2027-01-01', '2027-12-31');
    expect(us.map((x) => x.candidate.title)).toEqual(settings.preferred.US);
    expect(us.every((x) => x.candidate.source === 'preferred')).toBe(true);
  });

  it('fills from the country, spread over the year, then with generic greetings', () => {
    // India in date-holidays: 6 public holidays; 4 preferred, 2 spread, 1 generic
    const india = select('IN', '2027-01-01', '2027-12-31');
    expect(india.map((x) => x.candidate.source)).toEqual(['preferred', 'preferred', 'preferred', 'preferred', 'country', 'country', 'generic']);
    expect(india.map((x) => x.candidate.title).slice(4, 6)).toEqual(['Ambedkar Jayanti', 'Good Friday']);
    // Japan without preferences: the first public holiday, then the farthest from those chosen
    const japan = select('JP', '2027-01-01', '2027-12-31', { ...settings, preferred: {} });
    expect(japan.map((x) => x.candidate.date).slice(0, 3)).toEqual(['2027-01-01', '2027-12-25', '2027-07-19']);
    expect(japan.map((x) => x.candidate.date).sort()).toEqual(['2027-01-01', '2027-02-23', '2027-04-29', '2027-07-19', '2027-10-11', '2027-11-15', '2027-12-25']);
    const days = japan.map((x) => Date.parse(x.candidate.date)).sort((a, b) => a - b);
    const gaps = days.slice(1).map((d, i) => (d - days[i]!) / 86_400_000);
    expect(Math.min(...gaps)).toBeGreaterThanOrEqual(35);
  });

  it('uses the generic greetings without a country', () => {
    const none = select(undefined, '2027-01-01', '2027-12-31');
    const byDate = [...none].sort((a, b) => a.candidate.date.localeCompare(b.candidate.date));
    expect(byDate.map((x) => x.candidate.title)).toEqual(settings.generic.map((g) => g.name));
    expect(byDate.map((x) => x.candidate.date)).toEqual(settings.generic.map((g) => `2027-${g.date}`));
    expect(select('AQ', '2027-01-01', '2027-12-31')).toHaveLength(7);
  });

  it('takes a holiday occurring twice in the year once, at the first occurrence that can be placed', () => {
    // Eid al-Fitr: 2027-03-09 and 2028-02-26, both inside this plan year
    expect(countryCandidates('SA', '2027-03-01', '2028-02-29', settings).filter((c) => c.slot === 'holiday-eid-al-fitr').map((c) => c.date)).toEqual(['2027-03-09', '2028-02-26']);
    const first = select('SA', '2027-03-01', '2028-02-29');
    expect(first.filter((x) => x.candidate.slot === 'holiday-eid-al-fitr').map((x) => x.candidate.date)).toEqual(['2027-03-09']);
    const place = onePerDay();
    const later = selectHolidays({ country: 'SA', from: '2027-03-01', to: '2028-02-29', count: 7, settings, place: (c) => (c.date === '2027-03-09' ? undefined : place(c)) });
    expect(later.filter((x) => x.candidate.slot === 'holiday-eid-al-fitr').map((x) => x.candidate.date)).toEqual(['2028-02-26']);
  });

  it('chooses up to count, one per title and day, inside the window, for any country and year', () => {
    const countries = ['SA', 'US', 'GB', 'AE', 'EG', 'DE', 'FR', 'IN', 'JP', 'BR', 'AU', 'CA', 'AQ', undefined];
    fc.assert(
      fc.property(fc.constantFrom(...countries), fc.integer({ min: 2000, max: 2060 }), fc.integer({ min: 0, max: 364 }), fc.integer({ min: 0, max: 10 }), (country, year, offset, count) => {
        const from = new Date(Date.UTC(year, 0, 1 + offset)).toISOString().slice(0, 10);
        // a whole plan year: up to the same date a year later, inclusive (as the engine asks)
        const to = DateTime.fromISO(from, { zone: 'UTC' }).plus({ years: 1 }).toISODate()!;
        const chosen = selectHolidays({ country, from, to, count, settings, place: onePerDay() });
        expect(chosen.length).toBeLessThanOrEqual(count);
        if (count <= 7) expect(chosen).toHaveLength(count);
        expect(new Set(chosen.map((x) => x.candidate.slot)).size).toBe(chosen.length);
        expect(new Set(chosen.map((x) => x.candidate.date)).size).toBe(chosen.length);
        for (const { candidate } of chosen) {
          expect(candidate.date >= from && candidate.date <= to).toBe(true);
          expect(candidate.name).not.toMatch(/substitute/i);
        }
        // deterministic
        expect(selectHolidays({ country, from, to, count, settings, place: onePerDay() })).toEqual(chosen);
      }),
      { numRuns: Number(process.env.PLAN33_PROPERTY_RUNS ?? 300) },
    );
  });
});

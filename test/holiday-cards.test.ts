// Holiday cards of plan version 2 as a person from each country would expect them: the most
// important holidays, on the day the country keeps them, never a solemn day, one card per day,
// one name per holiday in English and Arabic. Pure: the plan engine with pinned plan years.
import Holidays from 'date-holidays';
import { DateTime } from 'luxon';
import { describe, expect, it } from 'vitest';
import { arabicHolidayName, touchCopy } from '../activities/copy';
import { customerSchema, type Customer } from '../plan/customer';
import { parsePlanOverrides, resolvePlan, type PlanDefinition } from '../plan/definitions';
import { planTouches } from '../plan/engine';
import { HOLIDAY_NAMES, isSolemnName } from '../plan/holiday-catalogue';
import { DEFAULT_SENDING_HOURS } from '../plan/sending-hours';
import type { Touch } from '../plan/touch';
import { layla } from './fixtures/customers';

const ZONES: Record<string, string> = {
  SA: 'Asia/Riyadh', AE: 'Asia/Dubai', EG: 'Africa/Cairo', IN: 'Asia/Kolkata', PK: 'Asia/Karachi', ID: 'Asia/Jakarta', NG: 'Africa/Lagos', US: 'America/New_York',
  CA: 'America/Toronto', MX: 'America/Mexico_City', BR: 'America/Sao_Paulo', GB: 'Europe/London', DE: 'Europe/Berlin', FR: 'Europe/Paris', AU: 'Australia/Sydney',
};

function customerIn(country: string, zone = ZONES[country] ?? 'UTC', locale = 'en'): Customer {
  return customerSchema.parse({ ...layla, id: `c-${country}`, locale, timezone: zone, personalDates: [], address: { ...layla.address, country } });
}

function cards(country: string, start: string, opts: { zone?: string; locale?: string; definition?: PlanDefinition } = {}): Touch[] {
  const c = customerIn(country, opts.zone, opts.locale);
  const yearStartMs = DateTime.fromISO(start, { zone: c.timezone }).toMillis();
  return planTouches({ customer: c, definition: opts.definition ?? resolvePlan('client-for-life'), yearStartMs, sendingHours: DEFAULT_SENDING_HOURS }).filter((t) => t.kind === 'holiday-card');
}

const byTitle = (touches: Touch[]) => Object.fromEntries(touches.map((t) => [t.title, t.holidayDate]));

describe('seven cards a person there would recognise (plan starting 2027-01-10)', () => {
  // What each country must get, with the holiday's own date (the card may go days earlier by post).
  const MUST: Record<string, Record<string, string>> = {
    SA: { 'Eid al-Fitr': '2027-03-09', 'Eid al-Adha': '2027-05-16', 'National Day': '2027-09-23', 'Founding Day': '2027-02-22', Ramadan: '2027-02-08' },
    AE: { 'Eid al-Fitr': '2027-03-09', 'Eid al-Adha': '2027-05-16', 'National Day': '2027-12-02' },
    EG: { 'Eid al-Fitr': '2027-03-09', 'Eid al-Adha': '2027-05-16', Ramadan: '2027-02-08', 'Sham El Nessim': '2027-05-03' },
    IN: { Diwali: '2027-10-29', Holi: '2027-03-22', 'Independence Day': '2027-08-15', 'Republic Day': '2027-01-26' },
    PK: { 'Eid al-Fitr': '2027-03-09', 'Eid al-Adha': '2027-05-16', 'Independence Day': '2027-08-14', 'Pakistan Day': '2027-03-23' },
    ID: { 'Eid al-Fitr': '2027-03-09', 'Eid al-Adha': '2027-05-16', 'Independence Day': '2027-08-17' },
    NG: { 'Eid al-Fitr': '2027-03-09', 'Eid al-Adha': '2027-05-16', Christmas: '2027-12-25', 'Independence Day': '2027-10-01' },
    US: { Christmas: '2027-12-25', Thanksgiving: '2027-11-25', 'Independence Day': '2027-07-04', "New Year's Day": '2028-01-01' },
    CA: { Christmas: '2027-12-25', 'Canada Day': '2027-07-01', Thanksgiving: '2027-10-11' },
    MX: { Christmas: '2027-12-25', 'Independence Day': '2027-09-16', "Mother's Day": '2027-05-10', 'Day of the Virgin of Guadalupe': '2027-12-12' },
    BR: { Christmas: '2027-12-25', Carnival: '2027-02-08', Easter: '2027-03-28' },
    GB: { Christmas: '2027-12-25', Easter: '2027-03-28', "Mother's Day": '2027-03-07' },
    DE: { Christmas: '2027-12-25', 'Day of German Unity': '2027-10-03', Easter: '2027-03-28' },
    FR: { Christmas: '2027-12-25', 'Bastille Day': '2027-07-14', Easter: '2027-03-28' },
    AU: { Christmas: '2027-12-25', 'Australia Day': '2027-01-26', Easter: '2027-03-28' },
  };

  it.each(Object.keys(MUST))('%s', (country) => {
    const touches = cards(country, '2027-01-10');
    expect(touches).toHaveLength(7);
    expect(byTitle(touches)).toMatchObject(MUST[country]!);
    for (const t of touches) {
      expect(t.holidayDate, t.title).toMatch(/^\d{4}-\d{2}-\d{2}$/);
      expect(t.at.slice(0, 10) <= t.holidayDate!, `${t.title}: card ${t.at} after the holiday ${t.holidayDate}`).toBe(true);
    }
  });

  it('no greeting card for a solemn day: Good Friday, Ashura, Anzac Day, Truth and Reconciliation, Kashmir Day', () => {
    const all = Object.keys(MUST).flatMap((c) => cards(c, '2027-01-10').map((t) => t.title));
    for (const solemn of ['Good Friday', 'Ashura', 'Anzac Day', 'National Day for Truth and Reconciliation', 'Kashmir Solidarity Day', 'Memorial Day', 'Veterans Day']) expect(all).not.toContain(solemn);
  });

  it("Mexico's change of federal government is on 1 October since the 2024 reform", async () => {
    const { rankedCandidates } = await import('../plan/holidays');
    const found = rankedCandidates('MX', '2030-01-01', '2030-12-31', resolvePlan('client-for-life').holidays).filter((c) => c.slot === 'holiday-change-of-government-mx');
    expect(found.map((c) => c.date)).toEqual(['2030-10-01']);
  });

  it("a country's announced day by config: dayOffsets moves a computed holiday, validated", () => {
    const overrides = parsePlanOverrides({ segments: { pk: { 'client-for-life': { holidays: { dayOffsets: { PK: { 'eid-al-fitr': 1 } } } } } } });
    const moved = cards('PK', '2027-01-10', { definition: resolvePlan('client-for-life', { segment: 'pk', overrides }) });
    expect(byTitle(moved)['Eid al-Fitr']).toBe('2027-03-10');
    expect(byTitle(cards('PK', '2027-01-10'))['Eid al-Fitr']).toBe('2027-03-09');
    expect(() => parsePlanOverrides({ segments: { pk: { 'client-for-life': { holidays: { dayOffsets: { PK: { 'eid-al-fitr': 9 } } } } } } })).toThrow(/dayOffsets\.PK\.eid-al-fitr/);
  });

  it('one spelling per holiday: Nigeria says Eid al-Fitr and Eid al-Adha like everyone else', () => {
    const titles = cards('NG', '2027-01-10').map((t) => t.title);
    expect(titles).toEqual(expect.arrayContaining(['Eid al-Fitr', 'Eid al-Adha']));
    expect(titles.join()).not.toMatch(/Id el/);
  });
});

describe('every country date-holidays knows, over four plan years (one in a leap year)', () => {
  const countries = Object.keys(new Holidays().getCountries('en'));
  const starts = ['2027-01-10', '2028-02-29', '2031-07-01', '2034-12-15'];

  it('never a solemn day, never two cards for one day, never a card outside the plan year', () => {
    expect(countries.length).toBeGreaterThan(150);
    for (const country of countries) {
      for (const start of starts) {
        const touches = cards(country, start, { zone: 'UTC' });
        const what = `${country} from ${start}`;
        const first = start;
        const last = DateTime.fromISO(start, { zone: 'UTC' }).plus({ years: 1 }).minus({ days: 1 }).toISODate()!;
        expect(new Set(touches.map((t) => t.at.slice(0, 10))).size, what).toBe(touches.length);
        expect(new Set(touches.map((t) => t.holidayDate)).size, what).toBe(touches.length);
        for (const t of touches) {
          const id = t.slot!.slice('holiday-'.length);
          expect(HOLIDAY_NAMES[id]?.solemn === true || isSolemnName(t.title), `${what}: ${t.title}`).toBe(false);
          expect(t.holidayDate! >= first && t.holidayDate! <= last, `${what}: ${t.title} on ${t.holidayDate}`).toBe(true);
        }
      }
    }
  }, 120_000);
});

describe('names in English and Arabic', () => {
  it('every holiday in the catalogue has an Arabic name in Arabic script', () => {
    for (const [id, name] of Object.entries(HOLIDAY_NAMES)) {
      expect(name.en, id).toMatch(/\S/);
      expect(name.ar, id).toMatch(/^[\u0600-\u06FF0-9\s]+$/);
    }
  });

  it('every card of the fifteen countries has an Arabic title, and the Arabic card carries no English name', () => {
    const business = { name: 'Cedar Homes', postalAddress: '12 Olaya St', mailFrom: 'hello@cedar.test', referralUrl: 'https://cedar.test/refer' };
    for (const country of ['SA', 'AE', 'EG', 'IN', 'PK', 'ID', 'NG', 'US', 'CA', 'MX', 'BR', 'GB', 'DE', 'FR', 'AU']) {
      for (const start of ['2027-01-10', '2028-02-29', '2031-07-01', '2034-12-15']) {
        const c = customerIn(country, undefined, 'ar');
        for (const t of cards(country, start, { locale: 'ar' })) {
          expect(arabicHolidayName(t), `${country} ${start}: ${t.title}`).toBeDefined();
          const copy = touchCopy(c, t, business);
          expect(copy.subject + copy.paragraphs.join(' '), `${country}: ${t.title}`).not.toContain(t.title);
        }
      }
    }
  });
});

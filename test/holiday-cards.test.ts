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
  // The thirty added after the first fifteen.
  CN: 'Asia/Shanghai', JP: 'Asia/Tokyo', KR: 'Asia/Seoul', TR: 'Europe/Istanbul', ES: 'Europe/Madrid', IT: 'Europe/Rome', NL: 'Europe/Amsterdam', BE: 'Europe/Brussels',
  CH: 'Europe/Zurich', AT: 'Europe/Vienna', SE: 'Europe/Stockholm', NO: 'Europe/Oslo', PL: 'Europe/Warsaw', PT: 'Europe/Lisbon', IE: 'Europe/Dublin', NZ: 'Pacific/Auckland',
  ZA: 'Africa/Johannesburg', AR: 'America/Argentina/Buenos_Aires', CO: 'America/Bogota', CL: 'America/Santiago', PH: 'Asia/Manila', TH: 'Asia/Bangkok', MY: 'Asia/Kuala_Lumpur',
  SG: 'Asia/Singapore', QA: 'Asia/Qatar', KW: 'Asia/Kuwait', BH: 'Asia/Bahrain', OM: 'Asia/Muscat', JO: 'Asia/Amman', MA: 'Africa/Casablanca',
};

/** Every country with a reviewed catalogue list: the first fifteen and the thirty after them. */
const REVIEWED = Object.keys(ZONES);

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

describe('thirty more countries: seven cards a person there would recognise (plan starting 2027-01-10)', () => {
  // The holiday's own date, checked against python-holidays 0.109 (and the Umm al-Qura table
  // for the Gulf's Islamic days; Malaysia's and Singapore's Eids as gazetted for 2027), or by
  // the calendar where python-holidays has no such day (Mother's Day rules, Midsummer Eve).
  const MUST: Record<string, Record<string, string>> = {
    CN: { 'Chinese New Year': '2027-02-06', 'Mid-Autumn Festival': '2027-09-15', 'National Day': '2027-10-01' },
    JP: { "New Year's Day": '2028-01-01', "Children's Day": '2027-05-05', 'Respect for the Aged Day': '2027-09-20' },
    KR: { Seollal: '2027-02-07', Chuseok: '2027-09-15', Christmas: '2027-12-25' },
    TR: { 'Eid al-Fitr': '2027-03-09', 'Eid al-Adha': '2027-05-16', 'Republic Day': '2027-10-29' },
    ES: { Christmas: '2027-12-25', Epiphany: '2028-01-06', Easter: '2027-03-28', "Mother's Day": '2027-05-02' },
    IT: { Christmas: '2027-12-25', Easter: '2027-03-28', 'Republic Day': '2027-06-02' },
    NL: { Christmas: '2027-12-25', "St. Nicholas' Day": '2027-12-05', "King's Day": '2027-04-27' },
    BE: { Christmas: '2027-12-25', 'National Day': '2027-07-21', Easter: '2027-03-28' },
    CH: { Christmas: '2027-12-25', 'National Day': '2027-08-01', Easter: '2027-03-28' },
    AT: { Christmas: '2027-12-25', 'National Day': '2027-10-26', Easter: '2027-03-28' },
    SE: { Christmas: '2027-12-25', Midsummer: '2027-06-25', 'National Day': '2027-06-06' },
    NO: { Christmas: '2027-12-25', 'Constitution Day': '2027-05-17', Easter: '2027-03-28' },
    PL: { Christmas: '2027-12-25', Easter: '2027-03-28', 'Independence Day': '2027-11-11' },
    PT: { Christmas: '2027-12-25', Easter: '2027-03-28', 'Portugal Day': '2027-06-10' },
    IE: { Christmas: '2027-12-25', "St. Patrick's Day": '2027-03-17', Easter: '2027-03-28' },
    NZ: { Christmas: '2027-12-25', 'Waitangi Day': '2027-02-06', Easter: '2027-03-28' },
    ZA: { Christmas: '2027-12-25', 'Heritage Day': '2027-09-24', 'Freedom Day': '2027-04-27' },
    AR: { Christmas: '2027-12-25', 'Independence Day': '2027-07-09', 'May Revolution Day': '2027-05-25', "Mother's Day": '2027-10-17' },
    CO: { Christmas: '2027-12-25', "Mother's Day": '2027-05-09', 'Independence Day': '2027-07-20' },
    CL: { Christmas: '2027-12-25', 'Independence Day': '2027-09-18', Easter: '2027-03-28' },
    PH: { Christmas: '2027-12-25', 'Independence Day': '2027-06-12', Easter: '2027-03-28' },
    TH: { Songkran: '2027-04-13', "King's Birthday": '2027-07-28', "Mother's Day": '2027-08-12', "Father's Day": '2027-12-05' },
    MY: { 'Eid al-Fitr': '2027-03-10', 'Chinese New Year': '2027-02-06', 'Independence Day': '2027-08-31', Diwali: '2027-10-28' },
    SG: { 'Chinese New Year': '2027-02-06', 'National Day': '2027-08-09', 'Eid al-Fitr': '2027-03-10', Diwali: '2027-10-28' },
    QA: { 'Eid al-Fitr': '2027-03-09', 'Eid al-Adha': '2027-05-16', 'National Day': '2027-12-18' },
    KW: { 'Eid al-Fitr': '2027-03-09', 'Eid al-Adha': '2027-05-16', 'National Day': '2027-02-25' },
    BH: { 'Eid al-Fitr': '2027-03-09', 'Eid al-Adha': '2027-05-16', 'National Day': '2027-12-16' },
    OM: { 'Eid al-Fitr': '2027-03-09', 'Eid al-Adha': '2027-05-16', 'National Day': '2027-11-20' },
    JO: { 'Eid al-Fitr': '2027-03-09', 'Eid al-Adha': '2027-05-16', 'Independence Day': '2027-05-25' },
    MA: { 'Eid al-Fitr': '2027-03-09', 'Eid al-Adha': '2027-05-16', 'Throne Day': '2027-07-30', 'Independence Day': '2027-11-18' },
  };

  it('covers the thirty countries, each with a main zone', () => {
    expect(Object.keys(MUST)).toHaveLength(30);
    for (const country of Object.keys(MUST)) expect(ZONES[country], country).toBeDefined();
  });

  it.each(Object.keys(MUST))('%s', (country) => {
    const touches = cards(country, '2027-01-10');
    expect(touches).toHaveLength(7);
    expect(byTitle(touches)).toMatchObject(MUST[country]!);
    for (const t of touches) {
      expect(t.holidayDate, t.title).toMatch(/^\d{4}-\d{2}-\d{2}$/);
      expect(t.at.slice(0, 10) <= t.holidayDate!, `${t.title}: card ${t.at} after the holiday ${t.holidayDate}`).toBe(true);
    }
  });

  it("every one fills its seven cards with its own holidays, never with generic greetings, over four plan years", () => {
    const generic = new Set(resolvePlan('client-for-life').holidays.generic.map((g) => g.name));
    for (const country of Object.keys(MUST)) {
      for (const start of ['2027-01-10', '2028-02-29', '2031-07-01', '2034-12-15']) {
        const touches = cards(country, start);
        expect(touches, `${country} from ${start}`).toHaveLength(7);
        for (const t of touches) expect(generic.has(t.title), `${country} from ${start}: ${t.title}`).toBe(false);
      }
    }
  });

  it("no greeting card for a solemn day: Turkey's 15 July, Qingming, Korea's Memorial Day, Rizal Day, Thailand's memorial days", () => {
    const all = Object.keys(MUST).flatMap((c) => ['2027-01-10', '2031-07-01'].flatMap((start) => cards(c, start).map((t) => t.title)));
    for (const solemn of ['Democracy and National Unity Day', 'Qingming Festival', 'Memorial Day', 'Rizal Day', 'Ninoy Aquino Day', 'Day of Valor', 'Chakri Memorial Day', 'King Chulalongkorn Memorial Day', 'Remembrance of the Dead', 'Anzac Day', 'Armistice Day', 'Good Friday', 'Ashura']) {
      expect(all).not.toContain(solemn);
    }
    for (const id of ['democracy-and-national-unity-day', 'qingming', 'memorial-day-kr', 'rizal-day', 'chulalongkorn-day', 'truth-and-justice-day', 'malvinas-day']) expect(HOLIDAY_NAMES[id]?.solemn, id).toBe(true);
  });

  it('one name per holiday: every Eid is Eid al-Fitr / Eid al-Adha, Hari Raya and Ramazan Bayramı included', () => {
    for (const country of ['TR', 'MY', 'SG', 'QA', 'KW', 'BH', 'OM', 'JO', 'MA']) {
      const titles = cards(country, '2027-01-10').map((t) => t.title);
      expect(titles, country).toContain('Eid al-Fitr');
      expect(titles.join(), country).not.toMatch(/Hari Raya|End of Ramadan|Feast of the Sacrifice/);
    }
  });

  it('Mid-Autumn and Chuseok 2033 fall on 8 September (the leap month of 2033 follows the 11th)', async () => {
    const { rankedCandidates } = await import('../plan/holidays');
    const settings = resolvePlan('client-for-life').holidays;
    for (const [country, slot] of [['CN', 'holiday-mid-autumn-festival'], ['KR', 'holiday-chuseok'], ['SG', 'holiday-mid-autumn-festival']] as const) {
      const found = rankedCandidates(country, '2033-01-01', '2033-12-31', settings).filter((c) => c.slot === slot);
      expect(found.map((c) => c.date), country).toEqual(['2033-09-08']);
    }
  });
});

describe('every country date-holidays knows, over four plan years (one in a leap year)', () => {
  const countries = Object.keys(new Holidays().getCountries('en'));
  const starts = ['2027-01-10', '2028-02-29', '2031-07-01', '2034-12-15'];

  it('never a solemn day, never two cards for one day, never a card outside the plan year', () => {
    expect(countries.length).toBeGreaterThan(150);
    let checked = 0;
    for (const country of countries) {
      for (const start of starts) {
        const touches = cards(country, start, { zone: 'UTC' });
        const what = `${country} from ${start}`;
        const first = start;
        const last = DateTime.fromISO(start, { zone: 'UTC' }).plus({ years: 1 }).minus({ days: 1 }).toISODate()!;
        expect(new Set(touches.map((t) => t.at.slice(0, 10))).size, what).toBe(touches.length);
        expect(new Set(touches.map((t) => t.holidayDate)).size, what).toBe(touches.length);
        checked += touches.length;
        for (const t of touches) {
          const id = t.slot!.slice('holiday-'.length);
          expect(HOLIDAY_NAMES[id]?.solemn === true || isSolemnName(t.title), `${what}: ${t.title}`).toBe(false);
          expect(t.holidayDate! >= first && t.holidayDate! <= last, `${what}: ${t.title} on ${t.holidayDate}`).toBe(true);
        }
      }
    }
    // Seven cards a year in every country but a few (a short year, the placement rules).
    expect(checked).toBeGreaterThan(countries.length * starts.length * 6);
  }, 120_000);
});

describe('names in English and Arabic', () => {
  it('every holiday in the catalogue has an Arabic name in Arabic script', () => {
    expect(Object.keys(HOLIDAY_NAMES).length).toBeGreaterThan(100);
    for (const [id, name] of Object.entries(HOLIDAY_NAMES)) {
      expect(name.en, id).toMatch(/\S/);
      expect(name.ar, id).toMatch(/^[\u0600-\u06FF0-9\s]+$/);
    }
  });

  it('every card of the 45 reviewed countries has an Arabic title, and the Arabic card carries no English name', () => {
    const business = { name: 'Cedar Homes', postalAddress: '12 Olaya St', mailFrom: 'hello@cedar.test', referralUrl: 'https://cedar.test/refer' };
    expect(REVIEWED).toHaveLength(45);
    for (const country of REVIEWED) {
      for (const start of ['2027-01-10', '2028-02-29', '2031-07-01', '2034-12-15']) {
        const c = customerIn(country, undefined, 'ar');
        const arabic = cards(country, start, { locale: 'ar' });
        expect(arabic.length, `${country} ${start}`).toBeGreaterThan(0);
        for (const t of arabic) {
          expect(arabicHolidayName(t), `${country} ${start}: ${t.title}`).toBeDefined();
          const copy = touchCopy(c, t, business);
          expect(copy.subject + copy.paragraphs.join(' '), `${country}: ${t.title}`).not.toContain(t.title);
        }
      }
    }
  });
});

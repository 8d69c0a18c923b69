// The plan engine: properties over many random customers, zones and year starts, and
// examples against real calendars (date-holidays).
import Holidays from 'date-holidays';
import fc from 'fast-check';
import { DateTime } from 'luxon';
import { describe, expect, it, vi } from 'vitest';
import { IANAZone } from '../plan/luxon';
import { chooseChannel, channelKeyOf } from '../plan/channels';
import { customerSchema, reachableChannels, type Customer, type CustomerInput } from '../plan/customer';
import { CURRENT_PLAN_VERSION, parsePlanOverrides, planDefinitionSchema, resolvePlan, type PlanDefinition } from '../plan/definitions';
import { followUpLetterAt, planTouches, replan, spreadOffsetMinutes, thankYouTouch } from '../plan/engine';
import { countryCandidates, genericCandidates, rankedCandidates } from '../plan/holidays';
import { DEFAULT_SENDING_HOURS, toSendingHours, type SendingHours } from '../plan/sending-hours';
import type { PlanName, Touch, TouchKind } from '../plan/touch';
import { layla } from './fixtures/customers';

/** The local HH:MM a customer's cards go out at: 10:00 plus their own minute of the spread. */
const cardTime = (id = layla.id) => {
  const m = 10 * 60 + spreadOffsetMinutes(id, resolvePlan('client-for-life').spreadMinutes ?? 0);
  return `${String(Math.floor(m / 60)).padStart(2, '0')}:${String(m % 60).padStart(2, '0')}`;
};

const ZONES = [
  'America/New_York',
  'Europe/London',
  'Australia/Sydney',
  'Asia/Riyadh',
  'Asia/Kolkata',
  'America/St_Johns',
  'Pacific/Chatham',
  'America/Sao_Paulo', // DST at midnight until 2019: a day without 00:00
  'Europe/Berlin',
  'Asia/Tokyo',
  'UTC',
];
const COUNTRIES = ['SA', 'US', 'GB', 'AE', 'EG', 'DE', 'FR', 'IN', 'JP', 'BR', 'AQ', undefined] as const;
const WINDOWS = ['09:00-19:00', '17:00-20:00', '02:00-03:00', '00:00-24:00', '08:30-09:00', '12:00-12:01', '01:00-02:30'];
const BASE_COUNTS: Record<TouchKind, number> = { newsletter: 12, 'holiday-card': 7, call: 5, 'follow-up-letter': 3, 'personal-card': 4, 'give-away': 2, 'value-added': 0, 'remembrance-card': 0, 'prospect-letter': 0, 'reactivation-letter': 0, 'nps-survey': 1, 'referral-ask': 0 };

function customer(overrides: Partial<CustomerInput> = {}): Customer {
  return customerSchema.parse({ ...layla, ...overrides });
}

function plan(c: Customer, startIso: string, opts: { plan?: PlanName; hours?: SendingHours; definition?: PlanDefinition } = {}): Touch[] {
  const yearStartMs = DateTime.fromISO(startIso, { zone: c.timezone }).toMillis();
  return planTouches({ customer: c, definition: opts.definition ?? resolvePlan(opts.plan ?? 'client-for-life'), yearStartMs, sendingHours: opts.hours ?? DEFAULT_SENDING_HOURS });
}

const localDate = (t: Touch) => t.at.slice(0, 10);
const plusDays = (date: string, n: number) => DateTime.fromISO(date, { zone: 'UTC' }).plus({ days: n }).toISODate()!;
/** The anniversary of `date` (YYYY-MM-DD) in `year`; Feb 29 falls on Feb 28 in common years. */
const anniversary = (date: string, year: number) => {
  const month = DateTime.utc(year, Number(date.slice(5, 7)), 1);
  return month.set({ day: Math.min(Number(date.slice(8, 10)), month.daysInMonth!) }).toISODate()!;
};
const bySlot = (touches: Touch[], slot: string) => touches.find((t) => t.slot === slot);
const countKinds = (touches: Touch[]) => touches.reduce<Record<string, number>>((acc, t) => ({ ...acc, [t.kind]: (acc[t.kind] ?? 0) + 1 }), {});

// --- arbitraries ---------------------------------------------------------------------------

const dateArb = fc
  .record({ y: fc.integer({ min: 1940, max: 2030 }), m: fc.integer({ min: 1, max: 12 }), d: fc.integer({ min: 1, max: 31 }) })
  .map(({ y, m, d }) => DateTime.utc(y, m, Math.min(d, DateTime.utc(y, m).daysInMonth!)).toISODate()!);
const personalDateArb = fc.record({
  occasion: fc.constantFrom('birthday', 'wedding anniversary', 'graduation', "daughter's birthday", 'name day'),
  date: fc.oneof(dateArb, fc.constantFrom('2000-02-29', '1996-02-29', '1990-12-31', '1985-01-01')),
});

const customerArb = fc
  .record({
    zone: fc.constantFrom(...ZONES),
    country: fc.constantFrom(...COUNTRIES),
    email: fc.boolean(),
    phone: fc.boolean(),
    consent: fc.record({ email: fc.boolean(), sms: fc.boolean(), postal: fc.boolean(), phone: fc.boolean() }),
    personalDates: fc.array(personalDateArb, { maxLength: 6 }),
    favoriteTeam: fc.option(fc.constantFrom('Al Hilal', 'Arsenal', 'Flamengo'), { nil: undefined }),
    sendingHours: fc.option(fc.constantFrom(...WINDOWS), { nil: undefined }),
  })
  .map((r) => {
    const input: CustomerInput = {
      id: 'cust-prop',
      name: { first: 'Pat' },
      timezone: r.zone,
      agent: 'agent-a',
      consent: r.consent,
      personalDates: r.personalDates,
      ...(r.email ? { email: 'pat@example.com' } : {}),
      ...(r.phone ? { phone: '+15555550123' } : {}),
      ...(r.country ? { address: { line1: '1 Main St', city: 'Town', country: r.country } } : {}),
      ...(r.favoriteTeam ? { favoriteTeam: r.favoriteTeam } : {}),
      ...(r.sendingHours ? { sendingHours: r.sendingHours } : {}),
    };
    return customerSchema.safeParse(input);
  })
  .filter((r) => r.success)
  .map((r) => r.data!);

/** Year starts: any local time 2000-2060, or an instant at a DST change, a leap day, a year's end. */
const SPECIAL_STARTS = ['2027-03-14T02:30', '2027-03-28T01:30', '2027-04-04T02:30', '2027-10-03T02:00', '2027-11-07T01:30', '2028-02-29T12:00', '2024-02-29T00:00', '2027-12-31T23:59', '2018-11-04T00:00', '2027-09-26T02:45'];
const startArb = (zone: string) =>
  fc.oneof(
    fc
      .record({ y: fc.integer({ min: 2000, max: 2060 }), m: fc.integer({ min: 1, max: 12 }), d: fc.integer({ min: 1, max: 31 }), minute: fc.integer({ min: 0, max: 1439 }) })
      .map(({ y, m, d, minute }) => DateTime.fromObject({ year: y, month: m, day: Math.min(d, DateTime.utc(y, m).daysInMonth!), hour: Math.floor(minute / 60), minute: minute % 60 }, { zone }).toMillis()),
    fc.constantFrom(...SPECIAL_STARTS).map((iso) => DateTime.fromISO(iso, { zone }).toMillis()),
  );

const scenarioArb = customerArb.chain((c) =>
  fc.record({
    customer: fc.constant(c),
    startMs: startArb(c.timezone),
    plan: fc.constantFrom<PlanName>('client-for-life', 'advocate'),
    business: fc.constantFrom(...WINDOWS).map(toSendingHours),
  }),
);

// --- properties ---------------------------------------------------------------------------

describe('planTouches: properties over random customers', () => {
  it('keeps every rule of the year for any customer, zone and start', () => {
    fc.assert(
      fc.property(scenarioArb, ({ customer: c, startMs, plan: name, business }) => {
        const definition = resolvePlan(name);
        const touches = planTouches({ customer: c, definition, yearStartMs: startMs, sendingHours: business });
        const zone = c.timezone;
        const hours = c.sendingHours ? toSendingHours(c.sendingHours) : business;
        const endMs = DateTime.fromMillis(startMs, { zone }).plus({ years: 1 }).toMillis();

        // counts
        const expected = { ...BASE_COUNTS, 'value-added': name === 'advocate' ? 5 : 0 };
        expect(countKinds(touches)).toEqual(Object.fromEntries(Object.entries(expected).filter(([, n]) => n > 0)));

        const days = new Set<string>();
        touches.forEach((t, i) => {
          const ms = Date.parse(t.at);
          // inside the year
          expect(ms).toBeGreaterThanOrEqual(startMs);
          expect(ms).toBeLessThan(endMs);
          // the offset is the zone's at that instant, and the local time is in the window
          const local = DateTime.fromMillis(ms, { zone });
          expect(local.toISO({ suppressMilliseconds: true })).toBe(t.at);
          const minute = local.hour * 60 + local.minute;
          expect(minute).toBeGreaterThanOrEqual(hours.startMinute);
          expect(minute).toBeLessThan(hours.endMinute);
          // one touch per local day
          expect(days.has(localDate(t))).toBe(false);
          days.add(localDate(t));
          // seq 1..N in chronological order
          expect(t.seq).toBe(i + 1);
          if (i > 0) expect(ms).toBeGreaterThan(Date.parse(touches[i - 1]!.at));
          // consent
          expect(t.channel).toBe(chooseChannel(channelKeyOf(t), c, definition));
          if (t.channel !== 'none') expect(reachableChannels(c)).toContain(t.channel);
        });
        // slots: present and unique
        const slots = touches.map((t) => t.slot);
        expect(slots.every((s) => typeof s === 'string' && s.length > 0)).toBe(true);
        expect(new Set(slots).size).toBe(touches.length);

        // the first call within the first 30 days; letter k not before its call's letter time
        const calls = touches.filter((t) => t.kind === 'call');
        expect(Date.parse(bySlot(touches, 'call-1')!.at)).toBeLessThan(DateTime.fromMillis(startMs, { zone }).plus({ days: 30 }).toMillis());
        for (let k = 1; k <= 3; k++) {
          const call = bySlot(calls, `call-${k}`)!;
          const letter = bySlot(touches, `follow-up-${k}`)!;
          expect(Date.parse(letter.at)).toBeGreaterThanOrEqual(Date.parse(followUpLetterAt(c, definition, Date.parse(call.at), business)));
        }
        // newsletters: twelve different issues, each (after the first) inside its own month
        const newsletters = touches.filter((t) => t.kind === 'newsletter');
        expect(new Set(newsletters.map((t) => t.title)).size).toBe(12);
        for (const t of newsletters.filter((n) => n.slot !== 'newsletter-1')) expect(DateTime.fromISO(t.at, { setZone: true }).toFormat('LLLL yyyy')).toBe(t.title.replace(' newsletter', ''));

        // a card goes out on its occasion (email, SMS) or up to postalLeadDays before it (post)
        const first = DateTime.fromMillis(startMs, { zone }).toISODate()!;
        const last = DateTime.fromMillis(endMs, { zone }).toISODate()!;
        const country = definition.holidays.selection === 'rank' ? rankedCandidates : countryCandidates;
        const candidates = [...country(c.address?.country, first, last, definition.holidays), ...genericCandidates(first, last, definition.holidays)];
        const lead = (t: Touch) => (t.channel === 'postal' ? definition.postalLeadDays : 0);
        const holidayCards = touches.filter((h) => h.kind === 'holiday-card');
        expect(holidayCards.length).toBeGreaterThan(0);
        for (const t of holidayCards) {
          const day = localDate(t);
          const dates = candidates.filter((h) => h.slot === t.slot).map((h) => h.date);
          expect(dates.some((d) => d >= day && d <= plusDays(day, lead(t)))).toBe(true);
        }
        // an own occasion's card: on the day, or up to lead + maxDaysEarly days before it;
        // later only when the occasion is in the year's first days and its day is taken
        const ownOccasions = touches.filter((p) => p.kind === 'personal-card' && p.occasion !== 'deal-anniversary' && p.occasion !== 'thinking-of-you');
        // (None for a customer with no dates of their own before the year, whose cards are then
        // thinking-of-you: a wedding in 2019 has no anniversary in a year that starts in 1999.)
        if (c.personalDates.some((p) => p.date < first)) expect(ownOccasions.length).toBeGreaterThan(0);
        for (const t of ownOccasions) {
          const day = localDate(t);
          const year = Number(day.slice(0, 4));
          const dates = c.personalDates.filter((p) => p.occasion === t.occasion).flatMap((p) => [-1, 0, 1].map((k) => anniversary(p.date, year + k)));
          const slack = lead(t) + definition.personal.maxDaysEarly;
          expect(dates.some((d) => (d >= day && d <= plusDays(day, slack)) || (d < day && d <= plusDays(first, slack) && day <= plusDays(first, slack + 7)))).toBe(true);
        }

        // deterministic: same input (even a copied definition), deep-equal output
        const again = planTouches({ customer: structuredClone(c), definition: JSON.parse(JSON.stringify(definition)), yearStartMs: startMs, sendingHours: { ...business } });
        expect(again).toEqual(touches);
      }),
      { numRuns: Number(process.env.PLAN33_PROPERTY_RUNS ?? 400) },
    );
  });

  it('keeps the value-added rules of the advocate plan', () => {
    fc.assert(
      fc.property(scenarioArb, ({ customer: c, startMs, business }) => {
        const touches = planTouches({ customer: c, definition: resolvePlan('advocate'), yearStartMs: startMs, sendingHours: business });
        const extras = touches.filter((t) => t.kind === 'value-added').map((t) => t.slot);
        expect(extras).toContain('value-added-school-calendar');
        expect(extras).toContain('value-added-year-calendar');
        expect(extras.includes('value-added-team-schedule')).toBe(Boolean(c.favoriteTeam));
        expect(extras.includes('value-added-inspirational-card-3')).toBe(!c.favoriteTeam);
        expect(touches.some((t) => t.occasion === 'referral-thank-you')).toBe(false);
        // moving to advocate mid-year moves nothing already planned: the extras only add
        const base = planTouches({ customer: c, definition: resolvePlan('client-for-life'), yearStartMs: startMs, sendingHours: business });
        const strip = (ts: Touch[]) => ts.map(({ seq: _seq, ...t }) => t);
        expect(strip(touches.filter((t) => t.kind !== 'value-added'))).toEqual(strip(base));
      }),
      { numRuns: 100 },
    );
  });
});

// --- examples -----------------------------------------------------------------------------

function holidayDate(country: string, year: number, name: string): string {
  const found = new Holidays(country, { languages: ['en'] }).getHolidays(year).find((h) => h.name === name);
  if (!found) throw new Error(`${country} ${year}: no ${name}`);
  return found.date.slice(0, 10);
}

const minusDays = (date: string, n: number) => DateTime.fromISO(date, { zone: 'UTC' }).minus({ days: n }).toISODate();

describe('holiday cards', () => {
  it('sends a Saudi customer Eid al-Fitr and Eid al-Adha cards on the right days of 2027', () => {
    // date-holidays starts Saudi Arabia's Eid al-Adha holidays on the Day of Arafah (05-15); the
    // card belongs on the Eid itself, 10 Dhu al-Hijjah (plan version 2's catalogue rule).
    expect(holidayDate('SA', 2027, 'Feast of the Sacrifice (Eid al-Adha)')).toBe('2027-05-15');
    const fitr = '2027-03-09';
    const adha = '2027-05-16';

    // by email: on the day itself
    const byEmail = plan(customer({ consent: { email: true, sms: true, postal: false, phone: true } }), '2027-01-01');
    expect(bySlot(byEmail, 'holiday-eid-al-fitr')).toMatchObject({ kind: 'holiday-card', channel: 'email', title: 'Eid al-Fitr', occasion: 'Eid al-Fitr' });
    expect(localDate(bySlot(byEmail, 'holiday-eid-al-fitr')!)).toBe(fitr);
    expect(bySlot(byEmail, 'holiday-eid-al-fitr')!.at).toBe(`${fitr}T${cardTime()}:00+03:00`);
    expect(localDate(bySlot(byEmail, 'holiday-eid-al-adha')!)).toBe(adha);

    // by post: dispatched postalLeadDays ahead so it arrives for the day
    const byPost = plan(customer(), '2027-01-01');
    const lead = resolvePlan('client-for-life').postalLeadDays;
    expect(bySlot(byPost, 'holiday-eid-al-fitr')!.channel).toBe('postal');
    expect(localDate(bySlot(byPost, 'holiday-eid-al-fitr')!)).toBe(minusDays(fitr, lead));
    expect(localDate(bySlot(byPost, 'holiday-eid-al-adha')!)).toBe(minusDays(adha, lead));

    // the Saudi preferences, in order, fill all seven cards
    expect(byPost.filter((t) => t.kind === 'holiday-card').map((t) => t.title).sort()).toEqual(
      ['Eid al-Adha', 'Eid al-Fitr', 'Flag Day', 'Founding Day', 'Islamic New Year', 'National Day', 'Ramadan'].sort(),
    );
  });

  it('sends a US customer a Thanksgiving card', () => {
    const c = customer({ timezone: 'America/Chicago', address: { line1: '1 Elm St', city: 'Chicago', country: 'US' }, consent: { email: true, sms: true, postal: false, phone: true } });
    const touches = plan(c, '2027-02-01');
    const thanksgiving = holidayDate('US', 2027, 'Thanksgiving Day');
    expect(thanksgiving).toBe('2027-11-25');
    expect(bySlot(touches, 'holiday-thanksgiving')).toMatchObject({ channel: 'email', at: `2027-11-25T${cardTime()}:00-06:00`, title: 'Thanksgiving', holidayDate: '2027-11-25' });
    // New Year's Day of the next calendar year is inside a Feb-Jan plan year
    expect(localDate(bySlot(touches, 'holiday-new-year')!)).toBe('2028-01-01');
  });

  it('falls back to email when postal is opted out, and to none when nothing is allowed', () => {
    const noPostal = plan(customer({ consent: { email: true, sms: true, postal: false, phone: true } }), '2027-01-01');
    expect(new Set(noPostal.filter((t) => t.kind === 'holiday-card').map((t) => t.channel))).toEqual(new Set(['email']));
    expect(new Set(noPostal.filter((t) => t.kind === 'give-away').map((t) => t.channel))).toEqual(new Set(['none']));
    expect(new Set(noPostal.filter((t) => t.kind === 'follow-up-letter').map((t) => t.channel))).toEqual(new Set(['email']));

    const smsOnly = plan(customer({ consent: { email: false, sms: true, postal: false, phone: false } }), '2027-01-01');
    expect(new Set(smsOnly.filter((t) => t.kind === 'holiday-card').map((t) => t.channel))).toEqual(new Set(['sms']));
    expect(new Set(smsOnly.filter((t) => t.kind === 'call').map((t) => t.channel))).toEqual(new Set(['none']));
  });

  it('fills with generic greetings when the country is unknown or missing', () => {
    const noCountry = customer({ address: undefined, timezone: 'Europe/London' });
    const titles = plan(noCountry, '2027-01-01').filter((t) => t.kind === 'holiday-card').map((t) => t.title);
    expect(titles).toEqual(['New Year', 'International Day of Happiness', 'Mid-year greetings', 'International Day of Friendship', 'World Gratitude Day', 'World Kindness Day', "Season's greetings"]);
    const antarctica = customer({ address: { line1: 'Base', city: 'McMurdo', country: 'AQ' }, timezone: 'Antarctica/McMurdo' });
    expect(plan(antarctica, '2027-01-01').filter((t) => t.kind === 'holiday-card')).toHaveLength(7);
  });
});

describe('personal cards', () => {
  it('sends a Feb 29 birthday card on Feb 28 in a common year and on Feb 29 in a leap year', () => {
    const c = customer({ personalDates: [{ occasion: 'birthday', date: '1992-02-29' }], consent: { email: true, sms: true, postal: false, phone: true } });
    expect(bySlot(plan(c, '2027-01-10'), 'personal-birthday')).toMatchObject({ kind: 'personal-card', title: 'Happy birthday', occasion: 'birthday', at: `2027-02-28T${cardTime()}:00+03:00` });
    expect(localDate(bySlot(plan(c, '2028-01-10'), 'personal-birthday')!)).toBe('2028-02-29');
  });

  it('fills to 4 cards for a customer with no personal dates: the deal anniversary and 3 "thinking of you" cards', () => {
    const c = customer({ personalDates: [], consent: { email: true, sms: true, postal: false, phone: true } });
    const cards = plan(c, '2027-01-01T14:00').filter((t) => t.kind === 'personal-card');
    expect(cards.map((t) => t.slot)).toEqual(['personal-thinking-of-you-1', 'personal-thinking-of-you-2', 'personal-thinking-of-you-3', 'personal-deal-anniversary']);
    // the middle of the largest gaps: ~months 3, 6 and 9; the anniversary on the day the year ends
    expect(cards.map(localDate)).toEqual(['2027-04-02', '2027-07-02', '2027-10-01', '2028-01-01']);
    expect(cards[3]).toMatchObject({ title: 'Happy anniversary of our partnership', occasion: 'deal-anniversary' });
  });

  it('sends the deal anniversary on the last day of the year when the year ends before the day\'s slot', () => {
    const c = customer({ personalDates: [], consent: { email: true, sms: true, postal: false, phone: true } });
    const anniversary = bySlot(plan(c, '2027-01-01T00:00'), 'personal-deal-anniversary')!;
    expect(localDate(anniversary)).toBe('2027-12-31');
  });

  it('moves a personal card one day earlier when a holiday card has its day', () => {
    const c = customer({ personalDates: [{ occasion: 'birthday', date: '1990-09-23' }], consent: { email: true, sms: true, postal: false, phone: true } });
    const touches = plan(c, '2027-01-01');
    expect(localDate(bySlot(touches, 'holiday-national-day')!)).toBe('2027-09-23');
    expect(localDate(bySlot(touches, 'personal-birthday')!)).toBe('2027-09-22');
  });

  it('takes own occasions first, in the order given, and no anniversary of a day still to come', () => {
    const c = customer({
      personalDates: [
        { occasion: 'birthday', date: '1990-03-14' },
        { occasion: 'wedding anniversary', date: '2015-06-20' },
        { occasion: 'birthday', date: '2018-11-02' },
        { occasion: 'graduation', date: '2030-07-01' },
      ],
    });
    const cards = plan(c, '2027-01-01').filter((t) => t.kind === 'personal-card');
    expect(cards.map((t) => t.slot).sort()).toEqual(['personal-birthday', 'personal-birthday-2', 'personal-deal-anniversary', 'personal-wedding-anniversary']);
  });
});

describe('the rest of the year', () => {
  it('sends the welcome newsletter at the first sending slot, the others on newsletterDay of each following month', () => {
    const c = customer();
    const early = plan(c, '2027-01-03').filter((t) => t.kind === 'newsletter');
    expect(early[0]).toMatchObject({ at: '2027-01-03T09:00:00+03:00', title: 'January 2027 newsletter', slot: 'newsletter-1' });
    expect(early.slice(1).every((t) => t.at.slice(8, 10) === '05')).toBe(true);
    expect(early.map((t) => t.at.slice(0, 7))).toEqual(Array.from({ length: 12 }, (_, i) => DateTime.fromISO('2027-01-01').plus({ months: i }).toFormat('yyyy-MM')));
    const late = plan(c, '2027-01-20T20:30').filter((t) => t.kind === 'newsletter');
    expect(late[0]!.at).toBe('2027-01-21T09:00:00+03:00');
    expect(late[11]!.title).toBe('December 2027 newsletter');
  });

  it('spreads 5 calls over the year, the first within 30 days, each followed by a tentative letter', () => {
    const touches = plan(customer(), '2027-01-01');
    const calls = touches.filter((t) => t.kind === 'call');
    expect(calls.map((t) => t.channel)).toEqual(['phone', 'phone', 'phone', 'phone', 'phone']);
    const days = calls.map((t) => DateTime.fromISO(t.at).diff(DateTime.fromISO('2027-01-01T00:00:00+03:00'), 'days').days);
    expect(days[0]).toBeLessThan(30);
    const gaps = days.slice(1).map((d, i) => d - days[i]!);
    expect(Math.max(...gaps) - Math.min(...gaps)).toBeLessThanOrEqual(4);
    expect(bySlot(touches, 'follow-up-1')!.at).toBe(followUpLetterAt(customer(), resolvePlan('client-for-life'), Date.parse(bySlot(touches, 'call-1')!.at), DEFAULT_SENDING_HOURS));
  });

  it("uses the customer's sending hours over the business default, and skips a day a DST gap swallows", () => {
    const c = customer({ timezone: 'America/New_York', address: { line1: '1 Elm St', city: 'NYC', country: 'US' }, sendingHours: '02:00-03:00' });
    const touches = plan(c, '2027-03-10', { hours: { startMinute: 600, endMinute: 660 } });
    expect(touches.length).toBeGreaterThan(0);
    for (const t of touches) expect(t.at.slice(11, 13)).toBe('02');
    // 2027-03-14 has no 02:00-03:00 in New York
    expect(touches.some((t) => localDate(t) === '2027-03-14')).toBe(false);
  });

  it('plans the 33 of client-for-life for a mid-year start, and the NPS survey 14 days after the deal', () => {
    const c = customer();
    const startMs = DateTime.fromISO('2027-05-17T13:00', { zone: c.timezone }).toMillis();
    const touches = planTouches({ customer: c, definition: resolvePlan('client-for-life'), yearStartMs: startMs, sendingHours: DEFAULT_SENDING_HOURS });
    expect(touches.filter((t) => t.kind !== 'nps-survey')).toHaveLength(33);
    const surveys = touches.filter((t) => t.kind === 'nps-survey');
    expect(surveys).toHaveLength(1);
    // 2027-05-17 + 14 days = 2027-05-31, or the nearest day without another touch.
    const day = DateTime.fromISO(surveys[0]!.at, { zone: c.timezone }).startOf('day');
    expect(Math.abs(day.diff(DateTime.fromISO('2027-05-31', { zone: c.timezone }), 'days').days)).toBeLessThanOrEqual(3);
    expect(surveys[0]).toMatchObject({ channel: 'email', slot: 'nps-survey' });
    // The holdout group gets the survey alone (the transactional minimum).
    const held = planTouches({ customer: c, definition: resolvePlan('client-for-life'), yearStartMs: startMs, sendingHours: DEFAULT_SENDING_HOURS, holdout: true });
    expect(held.map((t) => t.kind)).toEqual(['nps-survey']);
    expect(held[0]!.at).toBe(surveys[0]!.at);
    // A contact on the general 33 has no deal to ask about.
    expect(planTouches({ customer: c, definition: resolvePlan('general-33'), yearStartMs: startMs, sendingHours: DEFAULT_SENDING_HOURS }).some((t) => t.kind === 'nps-survey')).toBe(false);
  });

  it('plans one customer well under 20 ms after warm-up', () => {
    const c = customer();
    const definition = resolvePlan('advocate');
    const startMs = DateTime.fromISO('2027-01-01', { zone: c.timezone }).toMillis();
    planTouches({ customer: c, definition, yearStartMs: startMs, sendingHours: DEFAULT_SENDING_HOURS });
    const runs = 100;
    const t0 = performance.now();
    for (let i = 0; i < runs; i++) planTouches({ customer: c, definition, yearStartMs: startMs + (i % 5) * 86_400_000, sendingHours: DEFAULT_SENDING_HOURS });
    const perPlan = (performance.now() - t0) / runs;
    console.log(`planTouches: ${perPlan.toFixed(2)} ms per plan`);
    expect(perPlan).toBeLessThan(20);
  });
});

describe('replan, thank-yous and follow-up letters', () => {
  const c = customer();
  const startMs = DateTime.fromISO('2027-01-01', { zone: c.timezone }).toMillis();

  it('keeps the seq of matching slots, drops done slots, numbers new slots above every seq used', () => {
    const previous = planTouches({ customer: c, definition: resolvePlan('client-for-life'), yearStartMs: startMs, sendingHours: DEFAULT_SENDING_HOURS });
    const nowMs = DateTime.fromISO('2027-06-01', { zone: c.timezone }).toMillis();
    const done = previous.filter((t) => Date.parse(t.at) < nowMs);
    const pending = previous.filter((t) => Date.parse(t.at) >= nowMs);
    const thankYou = thankYouTouch(c, resolvePlan('advocate'), nowMs - 86_400_000 * 10, 1, 34, DEFAULT_SENDING_HOURS);
    const next = planTouches({ customer: c, definition: resolvePlan('advocate'), yearStartMs: startMs, sendingHours: DEFAULT_SENDING_HOURS });
    const merged = replan([...done, thankYou, ...pending], new Set(done.map((t) => t.slot!)), next, nowMs);

    const mergedSlots = merged.map((t) => t.slot);
    expect(done.length).toBeGreaterThan(0);
    expect(merged.length).toBeGreaterThan(0);
    for (const t of done) expect(mergedSlots).not.toContain(t.slot);
    for (const t of merged) {
      const before = previous.find((p) => p.slot === t.slot);
      if (before) expect(t.seq).toBe(before.seq);
      else {
        expect(t.seq).toBeGreaterThan(34);
        expect(Date.parse(t.at)).toBeGreaterThanOrEqual(nowMs);
      }
    }
    // the advocate extras before June are back-dated: dropped; the later ones are new
    expect(mergedSlots).not.toContain('value-added-inspirational-card-1');
    expect(mergedSlots).toContain('value-added-year-calendar');
    expect(new Set(merged.map((t) => t.seq)).size).toBe(merged.length);
    expect(merged.map((t) => Date.parse(t.at))).toEqual([...merged.map((t) => Date.parse(t.at))].sort((a, b) => a - b));
    // new seqs follow the order of time
    const fresh = merged.filter((t) => t.seq > 34);
    expect(fresh.map((t) => t.seq)).toEqual(fresh.map((_, i) => 35 + i));
  });

  it('makes a thank-you at the first sending slot at or after the referral', () => {
    const atMs = DateTime.fromISO('2027-04-07T21:15', { zone: c.timezone }).toMillis();
    expect(thankYouTouch(c, resolvePlan('advocate'), atMs, 2, 40, DEFAULT_SENDING_HOURS)).toEqual({
      seq: 40,
      kind: 'value-added',
      channel: 'postal',
      at: '2027-04-08T09:00:00+03:00',
      title: 'Thank you for your referral (#2)',
      occasion: 'referral-thank-you',
      slot: 'thank-you-2',
    });
    const noPost = customer({ consent: { email: true, sms: true, postal: false, phone: true } });
    expect(thankYouTouch(noPost, resolvePlan('advocate'), atMs, 1, 1, DEFAULT_SENDING_HOURS).channel).toBe('email');
  });

  it('sends a follow-up letter followUpDelayDays after the call, at the same local time across DST', () => {
    const ny = customer({ timezone: 'America/New_York', address: { line1: '1 Elm St', city: 'NYC', country: 'US' } });
    const callDone = DateTime.fromISO('2027-03-13T18:30', { zone: ny.timezone }).toMillis();
    expect(followUpLetterAt(ny, resolvePlan('client-for-life'), callDone, DEFAULT_SENDING_HOURS)).toBe('2027-03-15T18:30:00-04:00');
    const evening = DateTime.fromISO('2027-03-13T19:30', { zone: ny.timezone }).toMillis();
    expect(followUpLetterAt(ny, resolvePlan('client-for-life'), evening, DEFAULT_SENDING_HOURS)).toBe('2027-03-16T09:00:00-04:00');
  });
});

describe('plan definitions', () => {
  it('has the 33 of the seed documents in the current version', () => {
    const d = resolvePlan('client-for-life');
    expect(CURRENT_PLAN_VERSION).toBe(3);
    expect(d).toMatchObject({ name: 'client-for-life', version: 3, followUpDelayDays: 2, survey: { afterDays: 14 } });
    expect(resolvePlan('client-for-life', { version: 2 }).survey).toBeUndefined();
    expect(Object.values(resolvePlan('client-for-life', { version: 1 }).counts).reduce((a, b) => a + b, 0)).toBe(33);
    expect(Object.values(d.counts).reduce((a, b) => a + b, 0)).toBe(33);
    expect(planDefinitionSchema.parse(d)).toEqual(d);
    expect(planDefinitionSchema.parse(resolvePlan('advocate'))).toEqual(resolvePlan('advocate'));
    expect(JSON.parse(JSON.stringify(d))).toEqual(d);
    expect(() => resolvePlan('advocate', { version: 99 })).toThrow(/plan version 99 is unknown/);
  });

  it('applies a segment\'s overrides by deep merge, only for that segment and plan', () => {
    const overrides = parsePlanOverrides({
      segments: {
        vip: {
          advocate: { counts: { newsletter: 6 }, channels: { newsletter: ['postal'] }, holidays: { preferred: { SA: ['National Day'] }, extra: { SA: [] } }, postalLeadDays: 7 },
        },
      },
    });
    // Preferred lists and extra rules belong to version 1's selection (years still running on it).
    const v1 = (plan: PlanName, opts: { segment?: string; overrides?: typeof overrides } = {}) => resolvePlan(plan, { version: 1, ...opts });
    const vip = v1('advocate', { segment: 'vip', overrides });
    expect(vip.counts).toEqual({ ...v1('advocate').counts, newsletter: 6 });
    expect(vip.channels.newsletter).toEqual(['postal']);
    expect(vip.channels['holiday-card']).toEqual(['postal', 'email', 'sms']);
    expect(vip.holidays.preferred.SA).toEqual(['National Day']);
    expect(vip.holidays.preferred.US).toEqual(v1('advocate').holidays.preferred.US);
    expect(vip.postalLeadDays).toBe(7);
    expect(resolvePlan('client-for-life', { segment: 'vip', overrides })).toEqual(resolvePlan('client-for-life'));
    expect(resolvePlan('advocate', { segment: 'other', overrides })).toEqual(resolvePlan('advocate'));

    const touches = plan(customer(), '2027-01-01', { definition: vip });
    expect(touches.filter((t) => t.kind === 'newsletter').map((t) => t.channel)).toEqual(Array(6).fill('postal'));
    // without the extra rules, SA has its 4 official holidays; 3 generic greetings complete the 7
    const titles = touches.filter((t) => t.kind === 'holiday-card').map((t) => t.title);
    expect(titles).toHaveLength(7);
    expect(titles).toEqual(expect.arrayContaining(['Founding Day', 'Eid al-Fitr', 'Eid al-Adha', 'National Day']));
    expect(titles.filter((t) => vip.holidays.generic.some((g) => g.name === t))).toHaveLength(3);
    expect(localDate(bySlot(touches, 'holiday-national-day')!)).toBe('2027-09-16');
  });

  it('names every bad field of an overrides file', () => {
    const bad = () =>
      parsePlanOverrides({
        segments: {
          vip: { advocate: { counts: { newsletter: 13 }, newsletterHour: 25, channels: { 'holiday-card': ['fax'] }, colour: 'red' } },
          'bad segment!': {},
        },
      });
    expect(bad).toThrow(/segments\.vip\.advocate\.counts\.newsletter/);
    expect(bad).toThrow(/segments\.vip\.advocate\.newsletterHour/);
    expect(bad).toThrow(/segments\.vip\.advocate\.channels\.holiday-card\.0/);
    expect(bad).toThrow(/colour/);
    expect(bad).toThrow(/bad segment!/);
    // fine alone, wrong once merged: 3 give-aways but only 2 items
    expect(() => parsePlanOverrides({ segments: { gifts: { 'client-for-life': { counts: { 'give-away': 3 } } } } })).toThrow(/segments\.gifts\.client-for-life\.giveAways: expected at least 3 items/);
    expect(() => parsePlanOverrides({ segments: { sa: { advocate: { holidays: { extra: { SA: [{ rule: 'every blue moon', name: 'x' }] } } } } } })).toThrow(/segments\.sa\.advocate\.holidays\.extra\.SA\.0\.rule/);
    expect(() => parsePlanOverrides({ segmints: {} })).toThrow(/segmints/);
    expect(() => parsePlanOverrides({ segments: { x: { advocate: { valueAdded: [{ id: 'y', title: 'Y', timing: { annual: '02-30' } }] } } } })).toThrow(
      /segments\.x\.advocate\.valueAdded\.0\.timing/,
    );
  });
});

describe('no thundering herd', () => {
  const def = resolvePlan('client-for-life');
  it('spreads customers over the window, each always at their own minute, inside sending hours', () => {
    const minutes = new Map<number, number>();
    for (let i = 0; i < 2000; i++) {
      const m = spreadOffsetMinutes(`cust-${i}`, def.spreadMinutes!);
      expect(m).toBeGreaterThanOrEqual(0);
      expect(m).toBeLessThan(def.spreadMinutes!);
      minutes.set(m, (minutes.get(m) ?? 0) + 1);
    }
    // 2000 customers over 120 minutes: about 17 a minute, none crowded.
    expect(minutes.size).toBe(def.spreadMinutes);
    expect(Math.max(...minutes.values())).toBeLessThan(40);
    expect(spreadOffsetMinutes('cust-7', 120)).toBe(spreadOffsetMinutes('cust-7', 120));
    expect(spreadOffsetMinutes('cust-7', 0)).toBe(0);

    const newsletterMinutes = (id: string, hours?: string) => {
      const c = customerSchema.parse({ ...layla, id, ...(hours ? { sendingHours: hours } : {}) });
      return planTouches({ customer: c, definition: def, yearStartMs: Date.parse('2027-01-01T00:00:00+03:00'), sendingHours: DEFAULT_SENDING_HOURS })
        .filter((t) => t.kind === 'newsletter' && t.slot !== 'newsletter-1')
        .map((t) => DateTime.fromISO(t.at, { zone: c.timezone }).toFormat('HH:mm'));
    };
    const a = newsletterMinutes('cust-a');
    expect(new Set(a).size).toBe(1); // every month at the same local minute
    expect(a[0]).toBe(cardTime('cust-a'));
    expect(new Set(['cust-a', 'cust-b', 'cust-c', 'cust-d'].map((id) => newsletterMinutes(id)[0])).size).toBeGreaterThan(1);
    // A narrow window of the customer's own still holds: 17:00-18:00 starts at 17:00.
    expect(newsletterMinutes('cust-a', '17:00-18:00').length).toBeGreaterThan(0);
    for (const hhmm of newsletterMinutes('cust-a', '17:00-18:00')) expect(hhmm >= '17:00' && hhmm < '18:00').toBe(true);
  });
});

describe("plan/luxon.ts: luxon's zone check, remembered", () => {
  it('answers as luxon does, asks Intl once per valid zone, and keeps no invalid name', () => {
    expect(IANAZone.isValidZone('Asia/Riyadh')).toBe(true);
    expect(IANAZone.isValidZone('Mars/Olympus_Mons')).toBe(false);
    expect(IANAZone.isValidZone('')).toBe(false);
    const made = vi.spyOn(Intl, 'DateTimeFormat');
    try {
      for (let i = 0; i < 100; i++) expect(IANAZone.isValidZone('Asia/Riyadh')).toBe(true);
      expect(DateTime.fromMillis(0, { zone: 'Asia/Riyadh' }).isValid).toBe(true);
      expect(made).not.toHaveBeenCalled();
      expect(IANAZone.isValidZone('Mars/Olympus_Mons')).toBe(false);
      expect(made).toHaveBeenCalledTimes(1);
    } finally {
      made.mockRestore();
    }
  });
});

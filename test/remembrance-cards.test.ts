// Solemn days are never greeting cards. A business that wants to mark one (Anzac Day, the US
// Memorial Day) lists it in `holidays.remembrance`: it then gets a remembrance card, another
// kind with words of remembrance, beside the seven holiday cards. Off by default. Pure: the
// plan engine with a pinned plan year.
import { DateTime } from 'luxon';
import { describe, expect, it } from 'vitest';
import { touchCopy } from '../activities/copy';
import { customerSchema, type Customer } from '../plan/customer';
import { parsePlanOverrides, resolvePlan, type PlanDefinition } from '../plan/definitions';
import { planTouches } from '../plan/engine';
import { DEFAULT_SENDING_HOURS } from '../plan/sending-hours';
import type { Touch } from '../plan/touch';
import { layla } from './fixtures/customers';

const business = { name: 'Cedar Homes', postalAddress: '12 Olaya St', mailFrom: 'hello@cedar.test', referralUrl: 'https://cedar.test/refer' };

function customerIn(country: string, timezone: string, locale = 'en'): Customer {
  return customerSchema.parse({ ...layla, id: `c-${country}`, locale, timezone, personalDates: [], address: { ...layla.address, country } });
}

function year(c: Customer, definition: PlanDefinition = resolvePlan('client-for-life')): Touch[] {
  const yearStartMs = DateTime.fromISO('2027-01-10', { zone: c.timezone }).toMillis();
  return planTouches({ customer: c, definition, yearStartMs, sendingHours: DEFAULT_SENDING_HOURS });
}

const marking = (remembrance: string[], plan: 'client-for-life' | 'advocate' = 'client-for-life') =>
  resolvePlan(plan, { segment: 'marks', overrides: parsePlanOverrides({ segments: { marks: { [plan]: { holidays: { remembrance } } } } }) });

const australian = customerIn('AU', 'Australia/Sydney');

describe('remembrance cards', () => {
  it('are off by default: no country gets one, and no solemn day is a card of any kind', () => {
    for (const [country, zone] of [['AU', 'Australia/Sydney'], ['US', 'America/New_York'], ['PK', 'Asia/Karachi'], ['DE', 'Europe/Berlin'], ['FR', 'Europe/Paris']] as const) {
      const touches = year(customerIn(country, zone));
      expect(touches.filter((t) => t.kind === 'remembrance-card'), country).toEqual([]);
      expect(touches.map((t) => t.title), country).not.toContain('Anzac Day');
    }
  });

  it('mark the chosen solemn day on its date, beside the seven holiday cards, which stay as they were', () => {
    const plain = year(australian);
    const marked = year(australian, marking(['anzac-day', 'memorial-day-us']));
    const remembrance = marked.filter((t) => t.kind === 'remembrance-card');
    // Memorial Day is not an Australian day: only Anzac Day is marked.
    expect(remembrance.map((t) => [t.title, t.holidayDate, t.slot])).toEqual([['Anzac Day', '2027-04-25', 'remembrance-anzac-day']]);
    expect(remembrance[0]!.at.slice(0, 10) <= '2027-04-25').toBe(true);
    const cards = (ts: Touch[]) => ts.filter((t) => t.kind === 'holiday-card').map((t) => [t.title, t.holidayDate]);
    expect(cards(marked)).toEqual(cards(plain));
    expect(cards(marked)).toHaveLength(7);
    expect(marked).toHaveLength(plain.length + 1);
    // One touch per local day still.
    const days = marked.map((t) => t.at.slice(0, 10));
    expect(new Set(days).size).toBe(days.length);
  });

  it('take words of remembrance, not greetings, in English and Arabic', () => {
    const [en] = year(australian, marking(['anzac-day'])).filter((t) => t.kind === 'remembrance-card');
    const english = touchCopy(australian, en!, business);
    expect(english.subject).toContain('Anzac Day');
    expect(`${english.subject} ${english.paragraphs.join(' ')}`).not.toMatch(/greeting|wish|happy|celebrat/i);
    const arab = customerIn('AU', 'Australia/Sydney', 'ar');
    const [ar] = year(arab, marking(['anzac-day'])).filter((t) => t.kind === 'remembrance-card');
    const arabic = touchCopy(arab, ar!, business);
    expect(arabic.dir).toBe('rtl');
    expect(arabic.subject).toContain('يوم أنزاك');
    const text = `${arabic.subject} ${arabic.paragraphs.join(' ')}`.replace(business.name, '');
    expect(text).not.toMatch(/[A-Za-z]/);
    expect(text).not.toMatch(/تهنئة|تهاني|كل عام وأنتم بخير/);
  });

  it('accept only solemn days of the catalogue, naming the field', () => {
    expect(() => marking(['christmas'])).toThrow(/holidays\.remembrance\.0/);
    expect(() => marking(['no-such-day'])).toThrow(/solemn day/);
  });
});

// Holidays of a customer's country, from `date-holidays`, and the choice of the year's
// holiday cards among them. Dates are local calendar dates (`YYYY-MM-DD`): date-holidays
// computes them in the country's own zone, so they do not depend on the machine's zone.
// Pure and deterministic: instances and per-year lists are cached in module-level maps
// (same input, same output), which keeps a plan well under a millisecond after warm-up.
import Holidays from 'date-holidays';
import type { ExtraHoliday, PlanDefinition } from './definitions';
import { COUNTRY_HOLIDAYS, DEFAULT_RANK_BY_TYPE, HOLIDAY_NAMES, isSolemnName, type CountryHoliday } from './holiday-catalogue';

export type HolidaySettings = PlanDefinition['holidays'];

export interface HolidayDate {
  /** Local calendar date, `YYYY-MM-DD`. */
  date: string;
  /** date-holidays' English name, or the extra rule's name. */
  name: string;
  type: string;
}

const instances = new Map<string, Holidays>();
const lists = new Map<string, readonly HolidayDate[]>();
const ruleChecks = new Map<string, boolean>();

function calendarOf(country: string, extra: readonly ExtraHoliday[]): Holidays {
  const key = `${country}|${JSON.stringify(extra)}`;
  let hd = instances.get(key);
  if (!hd) {
    hd = new Holidays(country, { languages: ['en'] });
    for (const e of extra) hd.setHoliday(e.rule, { name: { en: e.name }, type: 'observance' });
    instances.set(key, hd);
  }
  return hd;
}

/** True when date-holidays understands `rule` (e.g. `1 Muharram`, `03-11 since 2023`). */
export function isValidHolidayRule(rule: string): boolean {
  let ok = ruleChecks.get(rule);
  if (ok === undefined) {
    // Any country will do: the rule is checked, not evaluated.
    ok = new Holidays('AQ', { languages: ['en'] }).setHoliday(rule, { name: { en: 'check' }, type: 'observance' });
    ruleChecks.set(rule, ok);
  }
  return ok;
}

/**
 * The holidays of `country` in calendar year `year`, substitute days left out, sorted by
 * date. An unknown country (date-holidays has no data) has none.
 */
export function holidaysOf(country: string, year: number, extra: readonly ExtraHoliday[] = []): readonly HolidayDate[] {
  const key = `${country}|${JSON.stringify(extra)}|${year}`;
  let list = lists.get(key);
  if (!list) {
    const found = calendarOf(country, extra).getHolidays(year) || [];
    list = found
      .filter((h) => !h.substitute && !/\(substitute day\)/i.test(h.name))
      .map((h) => ({ date: h.date.slice(0, 10), name: h.name, type: h.type }))
      .sort((a, b) => (a.date < b.date ? -1 : a.date > b.date ? 1 : 0));
    lists.set(key, list);
  }
  return list;
}

/**
 * The card's title: the one configured for the country (or for all, `*`), else the part in
 * brackets ("End of Ramadan (Eid al-Fitr)" -> "Eid al-Fitr"), else the name.
 */
export function holidayTitle(name: string, country: string | undefined, titles: HolidaySettings['titles']): string {
  const configured = (country ? titles[country]?.[name] : undefined) ?? titles['*']?.[name];
  if (configured) return configured;
  const bracket = /\(([^()]+)\)\s*$/.exec(name);
  return bracket?.[1] ? bracket[1].trim() : name;
}

/** `Eid al-Fitr` -> `eid-al-fitr`, `New Year's Day` -> `new-year-s-day`. */
export function slugify(text: string): string {
  const slug = text
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '');
  return slug || 'occasion';
}

export interface HolidayCandidate extends HolidayDate {
  title: string;
  /** `holiday-<slug of title>` (or `holiday-<catalogue id>`): the card's identity within a year. */
  slot: string;
  source: 'preferred' | 'country' | 'generic';
  /** Importance in the country (1 first); ranked selection only. */
  rank?: number;
}

export interface SelectOptions<P> {
  /** ISO country code, or undefined when the customer's address has none. */
  country: string | undefined;
  /** First and last local date of the plan year, inclusive. */
  from: string;
  to: string;
  count: number;
  settings: HolidaySettings;
  /**
   * Places the card for one occurrence, or says it cannot (outside the year's sending
   * slots, or its day is taken). Called only for the occurrence about to be chosen; a
   * placement it returns is kept.
   */
  place: (candidate: HolidayCandidate) => P | undefined;
}

const TYPE_RANK: Record<string, number> = { public: 0, observance: 1, bank: 2, optional: 3, school: 4 };
const DAY_MS = 86_400_000;
const dayNumber = (date: string) => Date.UTC(Number(date.slice(0, 4)), Number(date.slice(5, 7)) - 1, Number(date.slice(8, 10))) / DAY_MS;
const lower = (s: string) => s.toLowerCase();

/** Every occurrence of the country's holidays (with extra rules) between from and to. */
export function countryCandidates(country: string | undefined, from: string, to: string, settings: HolidaySettings): HolidayCandidate[] {
  if (!country) return [];
  const out: HolidayCandidate[] = [];
  for (let y = Number(from.slice(0, 4)); y <= Number(to.slice(0, 4)); y++) {
    for (const h of holidaysOf(country, y, settings.extra[country] ?? [])) {
      if (h.date < from || h.date > to) continue;
      const title = holidayTitle(h.name, country, settings.titles);
      out.push({ ...h, title, slot: `holiday-${slugify(title)}`, source: 'country' });
    }
  }
  return out;
}

/** The generic greetings' occurrences between from and to (Feb 29 only in leap years). */
export function genericCandidates(from: string, to: string, settings: HolidaySettings): HolidayCandidate[] {
  const out: HolidayCandidate[] = [];
  for (let y = Number(from.slice(0, 4)); y <= Number(to.slice(0, 4)); y++) {
    for (const g of settings.generic) {
      const date = `${y}-${g.date}`;
      const back = new Date(dayNumber(date) * DAY_MS).toISOString().slice(0, 10);
      if (back !== date || date < from || date > to) continue;
      out.push({ date, name: g.name, type: 'observance', title: g.name, slot: `holiday-${slugify(g.name)}`, source: 'generic' });
    }
  }
  return out.sort((a, b) => (a.date < b.date ? -1 : a.date > b.date ? 1 : 0));
}

const ruleCalendars = new Map<string, { hd: Holidays; added: Set<string> }>();
const ruleLists = new Map<string, readonly string[]>();

/** The local dates in `year` of a date-holidays rule of plan33's own, in the country's calendar. */
export function ruleDates(country: string, rule: string, year: number): readonly string[] {
  const key = `${country}|${rule}|${year}`;
  let dates = ruleLists.get(key);
  if (!dates) {
    // A calendar of the country's own (zone, weekend) used only for plan33's rules; a rule the
    // country already has (12-25) is renamed there, which only this lookup sees.
    let cal = ruleCalendars.get(country);
    if (!cal) {
      cal = { hd: new Holidays(country, { languages: ['en'] }), added: new Set() };
      ruleCalendars.set(country, cal);
    }
    const name = `plan33 rule ${rule}`;
    if (!cal.added.has(rule)) {
      cal.hd.setHoliday(rule, { name: { en: name }, type: 'observance' });
      cal.added.add(rule);
    }
    dates = (cal.hd.getHolidays(year) || []).filter((h) => h.name === name).map((h) => h.date.slice(0, 10));
    ruleLists.set(key, dates);
  }
  return dates;
}

function computedDates(country: string, entry: CountryHoliday, year: number): readonly string[] {
  if (entry.dates) return entry.dates.filter((d) => d.startsWith(`${year}-`));
  if (entry.rule) return ruleDates(country, entry.rule, year);
  const names = new Set(entry.names ?? []);
  return [...new Set(holidaysOf(country, year).filter((h) => names.has(h.name)).map((h) => h.date))];
}

const plusDays = (date: string, days: number) => new Date((dayNumber(date) + days) * DAY_MS).toISOString().slice(0, 10);

/** The days a catalogue holiday falls on in `year`: a dated correction, else computed and moved by the configured offset. */
function entryDates(country: string, entry: CountryHoliday, year: number, offsetDays = 0): readonly string[] {
  const corrected = entry.corrections?.[String(year)];
  if (corrected) return typeof corrected === 'string' ? [corrected] : corrected;
  const dates = computedDates(country, entry, year);
  return offsetDays ? dates.map((d) => plusDays(d, offsetDays)) : dates;
}

/**
 * Every card-worthy occurrence between from and to, with its rank (plan33's catalogue for the
 * country, else a default by type), solemn days left out. Titles and slots come from the
 * catalogue (one id per holiday across countries) where it names the holiday.
 */
export function rankedCandidates(country: string | undefined, from: string, to: string, settings: HolidaySettings): HolidayCandidate[] {
  if (!country) return [];
  const entries = COUNTRY_HOLIDAYS[country] ?? [];
  const covered = new Set(entries.flatMap((e) => e.names ?? []));
  const out: HolidayCandidate[] = [];
  for (let y = Number(from.slice(0, 4)); y <= Number(to.slice(0, 4)); y++) {
    for (const e of entries) {
      const name = HOLIDAY_NAMES[e.id];
      if (!name || name.solemn) continue;
      for (const date of entryDates(country, e, y, settings.dayOffsets?.[country]?.[e.id])) {
        if (date >= from && date <= to) out.push({ date, name: name.en, type: 'public', title: name.en, slot: `holiday-${e.id}`, source: 'country', rank: e.rank });
      }
    }
    for (const h of holidaysOf(country, y)) {
      if (covered.has(h.name) || isSolemnName(h.name) || h.date < from || h.date > to) continue;
      if (!settings.types.includes(h.type as HolidaySettings['types'][number])) continue;
      const title = holidayTitle(h.name, country, settings.titles);
      out.push({ ...h, title, slot: `holiday-${slugify(title)}`, source: 'country', rank: DEFAULT_RANK_BY_TYPE[h.type] ?? 9 });
    }
  }
  return out.sort((a, b) => (a.rank ?? 9) - (b.rank ?? 9) || (a.date < b.date ? -1 : a.date > b.date ? 1 : 0));
}

/**
 * The solemn days of the country's catalogue list that the business marks (`settings.remembrance`),
 * each occurrence between from and to, in date order. Never a holiday card; a remembrance card.
 */
export function remembranceDays(country: string | undefined, from: string, to: string, settings: HolidaySettings): HolidayCandidate[] {
  const wanted = new Set(settings.remembrance ?? []);
  if (!country || wanted.size === 0) return [];
  const out: HolidayCandidate[] = [];
  for (let y = Number(from.slice(0, 4)); y <= Number(to.slice(0, 4)); y++) {
    for (const e of COUNTRY_HOLIDAYS[country] ?? []) {
      const name = HOLIDAY_NAMES[e.id];
      if (!name?.solemn || !wanted.has(e.id)) continue;
      for (const date of entryDates(country, e, y, settings.dayOffsets?.[country]?.[e.id])) {
        if (date >= from && date <= to) out.push({ date, name: name.en, type: 'public', title: name.en, slot: `remembrance-${e.id}`, source: 'country', rank: e.rank });
      }
    }
  }
  return out.sort((a, b) => (a.date < b.date ? -1 : a.date > b.date ? 1 : 0));
}

/**
 * Chooses up to `count` holiday cards, one per title:
 * 1. the country's preferred names, in the definition's order;
 * 2. then the country's other holidays of an accepted type, spread over the year: each
 *    time the one farthest (in days) from every card chosen so far (ties: public before
 *    observance, then the earlier date);
 * 3. then, if still short, the generic greetings, spread the same way.
 * Of a title occurring twice in the year (Islamic holidays move ~11 days a year), the
 * first occurrence that can be placed is taken.
 */
export function selectHolidays<P>(opts: SelectOptions<P>): Array<{ candidate: HolidayCandidate; placed: P }> {
  const { settings, count } = opts;
  const chosen: Array<{ candidate: HolidayCandidate; placed: P }> = [];
  const usedSlots = new Set<string>();
  const all = countryCandidates(opts.country, opts.from, opts.to, settings);

  // Ranked selection (version 2 on) also keeps to one card per holiday date.
  const usedDates = new Set<string>();
  const onePerDate = settings.selection === 'rank';
  const take = (c: HolidayCandidate): boolean => {
    if (chosen.length >= count || usedSlots.has(c.slot) || (onePerDate && usedDates.has(c.date))) return false;
    const placed = opts.place(c);
    if (placed === undefined) return false;
    chosen.push({ candidate: c, placed });
    usedSlots.add(c.slot);
    usedDates.add(c.date);
    return true;
  };

  const spread = (pool: HolidayCandidate[]) => {
    let left = pool.filter((c) => !usedSlots.has(c.slot));
    while (chosen.length < count && left.length > 0) {
      const days = chosen.map((x) => dayNumber(x.candidate.date));
      let best: HolidayCandidate | undefined;
      let bestScore = -1;
      for (const c of left) {
        const d = dayNumber(c.date);
        const distance = days.length === 0 ? 0 : Math.min(...days.map((x) => Math.abs(x - d)));
        if (distance > bestScore || (distance === bestScore && best && (TYPE_RANK[c.type] ?? 9) < (TYPE_RANK[best.type] ?? 9))) {
          best = c;
          bestScore = distance;
        }
      }
      if (!best) break;
      const picked = best;
      if (take(picked)) left = left.filter((c) => c.slot !== picked.slot);
      else left = left.filter((c) => c !== picked);
    }
  };

  if (settings.selection === 'rank') {
    // Importance first: all of a rank while they fit, spread only among equals; one card per
    // holiday date (Pakistan's Independence Day and the Prophet's Birthday can share a day).
    const pool = rankedCandidates(opts.country, opts.from, opts.to, settings);
    for (const rank of [...new Set(pool.map((c) => c.rank ?? 9))]) {
      const group = pool.filter((c) => (c.rank ?? 9) === rank && !usedSlots.has(c.slot));
      if (new Set(group.map((c) => c.slot)).size <= count - chosen.length) for (const c of group) take(c);
      else spread(group);
      if (chosen.length >= count) break;
    }
    spread(genericCandidates(opts.from, opts.to, settings));
    return chosen;
  }

  const preferred = opts.country ? (settings.preferred[opts.country] ?? []) : [];
  for (const want of preferred.map(lower)) {
    for (const c of all) {
      if (lower(c.name) === want || lower(c.title) === want) {
        if (take({ ...c, source: 'preferred' })) break;
      }
    }
  }

  spread(all.filter((c) => settings.types.includes(c.type as HolidaySettings['types'][number])));
  spread(genericCandidates(opts.from, opts.to, settings));
  return chosen;
}

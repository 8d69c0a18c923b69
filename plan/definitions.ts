// Plan definitions as data: what a year of `client-for-life` or `advocate` contains, how
// many of each touch, which channels, which holidays, when the gifts go out. Plain JSON (a
// definition is carried in workflow input, so a year keeps the definition it started with),
// versioned (a new version never changes a running year), and adjustable per customer
// segment by an overrides file. Pure: safe to import from workflow code.
import { z } from 'zod';
import { channelSchema, describeIssues } from './customer';
import { isRealDate } from './dates';
import { HOLIDAY_NAMES } from './holiday-catalogue';
import { costsSchema } from './budget';
import { isValidHolidayRule } from './holidays';
import { PLANS, type PlanName } from './touch';
import { VALUE_CLASSES } from './segments';

export const CURRENT_PLAN_VERSION = 3;

/** The keys of the channel preference lists: every touch kind, plus referral thank-yous (and the promoter's referral ask). */
export const CHANNEL_KEYS = ['newsletter', 'holiday-card', 'call', 'follow-up-letter', 'personal-card', 'give-away', 'value-added', 'thank-you'] as const;
/** The NPS survey's preferences are optional in a definition (a link: email, else SMS; plan/channels.ts). */
export type ChannelKey = (typeof CHANNEL_KEYS)[number] | 'nps-survey';

const count = (max: number) => z.number().int().min(0).max(max);
const hour = z.number().int().min(0).max(23);
const monthDay = z
  .string()
  .regex(/^\d{2}-\d{2}$/, 'expected MM-DD, e.g. 12-01')
  // 02-29 is allowed: an item then goes on Feb 28 in common years, a greeting only in leap years.
  .refine((md) => isRealDate(`2000-${md}`), 'expected a real month and day, e.g. 12-01');
const countryCode = z.string().regex(/^[A-Z]{2}$/, 'expected an ISO 3166 two-letter country code, e.g. SA');
const itemId = z.string().regex(/^[a-z0-9]+(-[a-z0-9]+)*$/, 'expected a lower-case slug, e.g. memo-cube');

const countsSchema = z
  .object({
    newsletter: count(12),
    'holiday-card': count(20),
    call: count(12),
    'follow-up-letter': count(12),
    'personal-card': count(12),
    'give-away': count(12),
  })
  .strict();

/** Channels in order of preference; the first one the customer can be reached on wins. */
const preferenceSchema = z.array(channelSchema).max(4);
const channelsSchema = z
  .object({ ...(Object.fromEntries(CHANNEL_KEYS.map((k) => [k, preferenceSchema])) as Record<(typeof CHANNEL_KEYS)[number], typeof preferenceSchema>), 'nps-survey': z.array(z.enum(['email', 'sms'])).max(2).optional() })
  .strict();

/**
 * When an item goes out: `months`/`days` after the plan year's first local day, or every
 * year on `annual` MM-DD (the occurrence that falls inside the plan year).
 */
const timingSchema = z.union([
  z.object({ months: z.number().int().min(0).max(11), days: z.number().int().min(0).max(30).default(0) }).strict(),
  z.object({ annual: monthDay }).strict(),
]);
export type Timing = z.infer<typeof timingSchema>;

const extraHolidaySchema = z
  .object({
    /** A date-holidays rule, e.g. `1 Muharram`, `03-11 since 2023`, `1st sunday in May`. */
    rule: z.string().min(1).refine(isValidHolidayRule, 'expected a date-holidays rule, e.g. 1 Muharram or 03-11 since 2023'),
    name: z.string().trim().min(1),
  })
  .strict();
export type ExtraHoliday = z.infer<typeof extraHolidaySchema>;

const holidayTypeSchema = z.enum(['public', 'bank', 'optional', 'school', 'observance']);

const holidaysSchema = z
  .object({
    /**
     * How the cards are chosen: `spread` (version 1: the preferred list, then the rest spread
     * over the year) or `rank` (version 2 on: by importance in the country, plan/holiday-catalogue.ts,
     * spread only among equals; solemn days never).
     */
    selection: z.enum(['spread', 'rank']).optional(),
    /**
     * Ranked selection: days to move a catalogue holiday by in a country, where the country's
     * announcement differs from the computed day (a lunar holiday a day later on the moon's
     * sighting), e.g. `{ "PK": { "eid-al-fitr": 1 } }`. A dated correction in the catalogue wins.
     */
    dayOffsets: z.record(countryCode, z.record(z.string().regex(/^[a-z0-9-]+$/, 'expected a holiday id of plan/holiday-catalogue.ts'), z.number().int().min(-3).max(3))).optional(),
    /**
     * Ranked selection: solemn days of plan/holiday-catalogue.ts the business marks with a
     * remembrance card (words of remembrance, not greetings; beside the holiday cards, not
     * counted among them), e.g. `["anzac-day", "memorial-day-us"]`. Off (empty) by default.
     */
    remembrance: z
      .array(z.string().refine((id) => HOLIDAY_NAMES[id]?.solemn === true, 'expected the id of a solemn day in plan/holiday-catalogue.ts, e.g. anzac-day'))
      .max(20)
      .optional(),
    /** Holiday types taken when filling beyond the preferred list (preferred names take any type). */
    types: z.array(holidayTypeSchema).min(1),
    /** Per country, names in order of preference (date-holidays' English name or our title). */
    preferred: z.record(countryCode, z.array(z.string().min(1))),
    /** Holidays date-holidays does not know for a country, added as custom rules. */
    extra: z.record(countryCode, z.array(extraHolidaySchema)),
    /**
     * date-holidays name -> card title, e.g. "End of Ramadan (Eid al-Fitr)" -> "Eid al-Fitr";
     * per country code, or `*` for every country (a country's own entry wins).
     */
    titles: z.record(z.union([countryCode, z.literal('*')]), z.record(z.string(), z.string().min(1))),
    /** Greetings used when a country (or no country) yields too few holidays: every year on `date`. */
    generic: z.array(z.object({ name: z.string().trim().min(1), date: monthDay }).strict()),
  })
  .strict();

const itemSchema = z.object({ id: itemId, title: z.string().trim().min(1), timing: timingSchema }).strict();

const valueAddedSchema = z
  .object({
    id: itemId,
    /** `{team}` is replaced by the customer's favourite team. */
    title: z.string().trim().min(1),
    timing: timingSchema,
    /** The item only makes sense when the customer has told us this. */
    requires: z.enum(['favoriteTeam']).optional(),
    /** What goes out instead when `requires` is not met. */
    otherwise: z.object({ id: itemId, title: z.string().trim().min(1) }).strict().optional(),
  })
  .strict();

const callsSchema = z
  .object({
    /** The first call's ideal day, counted from the plan year's first day. */
    firstAfterDays: z.number().int().min(0).max(60),
    /** The first call always falls on one of these first days. */
    firstWithinDays: z.number().int().min(1).max(90),
    /** Local hour the call task is handed to the agent. */
    hour,
    /** An open call task is reminded to its agent this long after it was given (default 48). */
    remindAfterHours: z.number().int().min(1).max(24 * 30).optional(),
    /** ... and escalated to the agent's manager this long after it was given (default 120). */
    escalateAfterHours: z.number().int().min(1).max(24 * 60).optional(),
  })
  .strict();

const personalSchema = z
  .object({
    /** Whether the deal's anniversary is one of the personal occasions. */
    dealAnniversary: z.boolean(),
    dealAnniversaryTitle: z.string().trim().min(1),
    /** Title of the cards that fill the gap when fewer occasions are known. */
    fillTitle: z.string().trim().min(1),
    /** How many days a personal card may move earlier when its day is taken. */
    maxDaysEarly: z.number().int().min(0).max(14),
  })
  .strict();

const definitionShape = {
  name: z.enum(PLANS),
  version: z.number().int().min(1),
  counts: countsSchema,
  channels: channelsSchema,
  holidays: holidaysSchema,
  /** Day of the month newsletters go out on (clamped to the month's length). */
  newsletterDay: z.number().int().min(1).max(31),
  newsletterHour: hour,
  /** Local hour cards, letters and gifts go out at (fitted into the sending hours). */
  touchHour: hour,
  /**
   * Minutes after newsletterHour / touchHour / calls.hour over which customers are spread
   * (each customer at their own minute): no thundering herd on newsletter day. Unset: 0.
   */
  spreadMinutes: z.number().int().min(0).max(720).optional(),
  /** A postal card is dispatched this many days before its occasion, so it arrives in time. */
  postalLeadDays: z.number().int().min(0).max(14),
  /** A follow-up letter goes out this many days after a reached call. */
  followUpDelayDays: z.number().int().min(0).max(30),
  calls: callsSchema,
  personal: personalSchema,
  giveAways: z.array(itemSchema),
  /** Advocate extras; empty for client-for-life. */
  valueAdded: z.array(valueAddedSchema),
  /** Unit cost and owner of each touch kind (plan/budget.ts); unset: plan33's defaults. */
  costs: costsSchema.optional(),
  /** At most this much per customer-year (in the business's currency): optional touches are dropped, the most expensive first. */
  budgetCap: z.number().min(0).max(10_000_000).optional(),
  /** The reactivation year's letters (remind, ask why, make an offer); unset on other plans. */
  reactivation: z.array(itemSchema).max(6).optional(),
  /**
   * A customer whose last deal is older than this many months and who gave no sign all year
   * (no reached call, reply, referral or pledge) goes on to a reactivation year. Unset: 24.
   */
  reactivationAfterMonths: z.number().int().min(1).max(240).optional(),
  /**
   * The NPS survey (plan version 3 on): `afterDays` after the plan year's first day (the deal's
   * date in the first year, its anniversary after): 14 days after the deal, then once a year.
   */
  survey: z.object({ afterDays: z.number().int().min(0).max(180) }).strict().optional(),
};

export const planDefinitionSchema = z
  .object(definitionShape)
  .strict()
  .superRefine((d, ctx) => {
    if (d.giveAways.length < d.counts['give-away']) {
      ctx.addIssue({ code: 'custom', path: ['giveAways'], message: `expected at least ${d.counts['give-away']} items (counts.give-away), found ${d.giveAways.length}` });
    }
    if (d.counts['follow-up-letter'] > d.counts.call) {
      ctx.addIssue({ code: 'custom', path: ['counts', 'follow-up-letter'], message: `a follow-up letter follows a call: at most ${d.counts.call} (counts.call)` });
    }
    if (d.calls.firstAfterDays >= d.calls.firstWithinDays) {
      ctx.addIssue({ code: 'custom', path: ['calls', 'firstAfterDays'], message: `expected fewer days than calls.firstWithinDays (${d.calls.firstWithinDays})` });
    }
    const ids = [...d.giveAways.map((i) => i.id), ...d.valueAdded.flatMap((i) => [i.id, ...(i.otherwise ? [i.otherwise.id] : [])])];
    // Ids become slots (`give-away-…`, `value-added-…`): one id, one item.
    const dup = ids.find((id, i) => ids.indexOf(id) !== i);
    if (dup) ctx.addIssue({ code: 'custom', path: ['valueAdded'], message: `item id ${dup} is used twice` });
  });
export type PlanDefinition = z.infer<typeof planDefinitionSchema>;

// ---------------------------------------------------------------------------------------
// The catalogue. Version 1 is the plan of the seed documents (000, 001): 12 newsletters,
// 7 holiday cards, 5 calls, 3 follow-up letters, 4 personal cards, 2 give-aways = 33.

const ISLAMIC_TITLES: Record<string, string> = {
  'End of Ramadan (Eid al-Fitr)': 'Eid al-Fitr',
  'Feast of the Sacrifice (Eid al-Adha)': 'Eid al-Adha',
  'Birthday of Muhammad (Mawlid)': "Prophet's Birthday",
  'First day of Ramadan': 'Ramadan',
};

const CLIENT_FOR_LIFE_V1: PlanDefinition = {
  name: 'client-for-life',
  version: 1,
  counts: { newsletter: 12, 'holiday-card': 7, call: 5, 'follow-up-letter': 3, 'personal-card': 4, 'give-away': 2 },
  channels: {
    // A printed newsletter beats none; SMS (a link to the issue) is the last resort.
    newsletter: ['email', 'postal', 'sms'],
    // Cards are cards: on paper when we may, else by email, else a short SMS.
    'holiday-card': ['postal', 'email', 'sms'],
    'personal-card': ['postal', 'email', 'sms'],
    call: ['phone'],
    'follow-up-letter': ['postal', 'email'],
    // A gift can only travel by post.
    'give-away': ['postal'],
    'value-added': ['postal', 'email'],
    'thank-you': ['postal', 'email', 'sms'],
  },
  holidays: {
    types: ['public', 'observance'],
    // Names as date-holidays 3.37 spells them in English (or our titles for them).
    preferred: {
      SA: ['Founding Day', 'Ramadan', 'Eid al-Fitr', 'Eid al-Adha', 'Islamic New Year', 'National Day', 'Flag Day'],
      AE: ['New Year\'s Day', 'Ramadan', 'Eid al-Fitr', 'Eid al-Adha', 'Islamic New Year', "Prophet's Birthday", 'National Day'],
      EG: ['Ramadan', 'Eid al-Fitr', 'Eid al-Adha', 'Islamic New Year', "Prophet's Birthday", 'Sham El Nessim', 'Revolution Day', 'Armed Forces Day'],
      US: ["New Year's Day", "Valentine's Day", "St. Patrick's Day", 'Independence Day', 'Halloween', 'Thanksgiving Day', 'Christmas Day'],
      GB: ["New Year's Day", "Valentine's Day", "Mother's Day", 'Easter Sunday', "Father's Day", 'Halloween', 'Christmas Day'],
      AU: ["New Year's Day", 'Australia Day', 'Easter Sunday', 'Anzac Day', "Mother's Day", "Father's Day", 'Christmas Day'],
      DE: ["New Year's Day", "Valentine's Day", 'Easter Sunday', "Mother's Day", 'National Holiday', '1. Advent', 'Christmas Day'],
      FR: ["New Year's Day", 'Easter Monday', "Mother's Day", 'Bastille Day', 'Assumption', "All Saints' Day", 'Christmas Day'],
      IN: ['Republic Day', 'Independence Day', 'Gandhi Jayanti', 'Christmas Day'],
      JP: ["New Year's Day", "Children's Day", 'Marine Day', 'Respect-for-the-Aged Day', 'Culture Day', 'Labor Thanksgiving Day', 'Christmas Day'],
      BR: ["New Year's Day", 'Carnival', 'Easter Sunday', "Mother's Day", "Lovers' Day", 'Independence Day', 'Christmas Day'],
    },
    // date-holidays' SA calendar has only the four official holidays; these greetings are
    // customary there (Prophet's Birthday is deliberately absent: not observed in SA).
    extra: {
      SA: [
        { rule: '1 Ramadan', name: 'First day of Ramadan' },
        { rule: '1 Muharram', name: 'Islamic New Year' },
        { rule: '03-11 since 2023', name: 'Flag Day' },
      ],
      EG: [{ rule: '1 Ramadan', name: 'First day of Ramadan' }],
      GB: [
        { rule: '02-14', name: "Valentine's Day" },
        { rule: '10-31', name: 'Halloween' },
      ],
    },
    titles: { '*': ISLAMIC_TITLES, DE: { 'National Holiday': 'Day of German Unity' } },
    // Neutral international days: no hemisphere (seasons) and no religion assumed.
    generic: [
      { name: 'New Year', date: '01-01' },
      { name: 'International Day of Happiness', date: '03-20' },
      { name: 'Mid-year greetings', date: '06-15' },
      { name: 'International Day of Friendship', date: '07-30' },
      { name: 'World Gratitude Day', date: '09-21' },
      { name: 'World Kindness Day', date: '11-13' },
      { name: "Season's greetings", date: '12-20' },
    ],
  },
  newsletterDay: 5,
  newsletterHour: 10,
  touchHour: 10,
  spreadMinutes: 120,
  postalLeadDays: 5,
  followUpDelayDays: 2,
  calls: { firstAfterDays: 10, firstWithinDays: 30, hour: 11, remindAfterHours: 48, escalateAfterHours: 120 },
  personal: { dealAnniversary: true, dealAnniversaryTitle: 'Happy anniversary of our partnership', fillTitle: 'Thinking of you', maxDaysEarly: 7 },
  giveAways: [
    // A week after the deal: on the fridge for the whole year.
    { id: 'magnetic-calendar', title: 'Magnetic calendar', timing: { months: 0, days: 7 } },
    { id: 'memo-cube', title: 'Memo cube', timing: { months: 6, days: 7 } },
  ],
  valueAdded: [],
};

const ADVOCATE_V1: PlanDefinition = {
  ...CLIENT_FOR_LIFE_V1,
  name: 'advocate',
  valueAdded: [
    // Before the school year starts (most of the world: mid-August to September).
    { id: 'school-calendar', title: 'School calendar', timing: { annual: '08-01' } },
    // Before the calendar year turns, with time to arrive by post.
    { id: 'year-calendar', title: 'Year calendar', timing: { annual: '12-01' } },
    // Before most football seasons start; another inspirational card when we do not know the team.
    {
      id: 'team-schedule',
      title: "{team}'s season schedule",
      timing: { annual: '07-15' },
      requires: 'favoriteTeam',
      otherwise: { id: 'inspirational-card-3', title: 'Inspirational card' },
    },
    { id: 'inspirational-card-1', title: 'Inspirational card', timing: { months: 3, days: 14 } },
    { id: 'inspirational-card-2', title: 'Inspirational card', timing: { months: 9, days: 14 } },
  ],
};

/**
 * Version 2: holiday cards by importance in the country (plan/holiday-catalogue.ts: ranks,
 * solemn days never carded, the day the country keeps, one name per holiday in English and
 * Arabic). The preferred lists and extra rules of version 1 live in the catalogue now.
 */
const holidaysV2: PlanDefinition['holidays'] = { ...CLIENT_FOR_LIFE_V1.holidays, selection: 'rank', preferred: {}, extra: {} };
const CLIENT_FOR_LIFE_V2: PlanDefinition = { ...CLIENT_FOR_LIFE_V1, version: 2, holidays: holidaysV2 };
const ADVOCATE_V2: PlanDefinition = { ...ADVOCATE_V1, version: 2, holidays: holidaysV2 };

/** The general 33: the same year for a contact who has not bought, without the deal's anniversary. */
const generalOf = (d: PlanDefinition): PlanDefinition => ({ ...d, name: 'general-33', personal: { ...d.personal, dealAnniversary: false } });

/**
 * The reactivation year for a dormant customer: remind, ask why, make an offer (in the first three
 * months), in place of three of the twelve newsletters; the cards, calls and gifts as before.
 */
const reactivationOf = (d: PlanDefinition): PlanDefinition => ({
  ...d,
  name: 'reactivation',
  counts: { ...d.counts, newsletter: d.counts.newsletter - 3 },
  reactivation: [
    { id: 'remind', title: 'It has been a while', timing: { months: 0, days: 7 } },
    { id: 'ask-why', title: 'How could we do better for you?', timing: { months: 1, days: 7 } },
    { id: 'offer', title: 'Something for you from us', timing: { months: 2, days: 7 } },
  ],
});

/** Version 3: the NPS survey, 14 days after the deal and then once a year (a contact on the general 33 has no deal: none). */
const withSurvey = (d: PlanDefinition): PlanDefinition => ({ ...d, version: 3, survey: { afterDays: 14 } });
const CLIENT_FOR_LIFE_V3 = withSurvey(CLIENT_FOR_LIFE_V2);

const CATALOGUE: Readonly<Record<number, Readonly<Record<PlanName, PlanDefinition>>>> = {
  1: { 'client-for-life': CLIENT_FOR_LIFE_V1, advocate: ADVOCATE_V1, 'general-33': generalOf(CLIENT_FOR_LIFE_V1), reactivation: reactivationOf(CLIENT_FOR_LIFE_V1) },
  2: { 'client-for-life': CLIENT_FOR_LIFE_V2, advocate: ADVOCATE_V2, 'general-33': generalOf(CLIENT_FOR_LIFE_V2), reactivation: reactivationOf(CLIENT_FOR_LIFE_V2) },
  3: { 'client-for-life': CLIENT_FOR_LIFE_V3, advocate: withSurvey(ADVOCATE_V2), 'general-33': { ...generalOf(CLIENT_FOR_LIFE_V2), version: 3 }, reactivation: reactivationOf(CLIENT_FOR_LIFE_V3) },
};

export const PLAN_VERSIONS = Object.keys(CATALOGUE).map(Number);

// ---------------------------------------------------------------------------------------
// Plan overrides: `{ "segments": { "<segment>": { "client-for-life"?: {...}, ... } },
// "classes": { "vip" | "a" | "b" | "c": { "client-for-life"?: {...}, ... } } }`, each a partial
// definition merged deeply into the catalogue's (arrays replace, objects merge). `segments` are
// keyed by the business's own label (the customer's `segment`, never overwritten), `classes` by
// the value class the daily refresh computes (plan/segments.ts). Both may apply to a person:
// the class's first, then the segment's over it (the business's own label is the more specific).

const partialDefinitionSchema = z
  .object({
    counts: countsSchema.partial().strict(),
    channels: channelsSchema.partial().strict(),
    holidays: holidaysSchema.partial().strict(),
    newsletterDay: definitionShape.newsletterDay,
    newsletterHour: hour,
    touchHour: hour,
    spreadMinutes: z.number().int().min(0).max(720),
    postalLeadDays: definitionShape.postalLeadDays,
    followUpDelayDays: definitionShape.followUpDelayDays,
    calls: callsSchema.partial().strict(),
    personal: personalSchema.partial().strict(),
    giveAways: definitionShape.giveAways,
    valueAdded: definitionShape.valueAdded,
    reactivation: definitionShape.reactivation,
    reactivationAfterMonths: definitionShape.reactivationAfterMonths,
    costs: definitionShape.costs,
    budgetCap: definitionShape.budgetCap,
  })
  .partial()
  .strict();
export type PartialPlanDefinition = z.infer<typeof partialDefinitionSchema>;

const segmentName = z.string().regex(/^[A-Za-z0-9._-]{1,64}$/, 'expected a segment name of 1-64 characters of A-Za-z0-9._-');
const perPlan = z.object({ 'client-for-life': partialDefinitionSchema, advocate: partialDefinitionSchema, 'general-33': partialDefinitionSchema, reactivation: partialDefinitionSchema }).partial().strict();
const classesSchema = z
  .record(z.string(), perPlan)
  .superRefine((classes, ctx) => {
    for (const name of Object.keys(classes)) {
      if (!(VALUE_CLASSES as readonly string[]).includes(name)) ctx.addIssue({ code: 'custom', path: [name], message: `expected a value class: ${VALUE_CLASSES.join(', ')} (a business's own label goes under "segments")` });
    }
  });

export const planOverridesSchema = z
  .object({
    /** By the business's own segment (the customer's `segment`). */
    segments: z.record(segmentName, perPlan).default({}),
    /** By the computed value class (`vip`, `a`, `b`, `c`). */
    classes: classesSchema.default({}),
  })
  .strict();
export type PlanOverrides = z.infer<typeof planOverridesSchema>;

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Objects merge key by key; arrays and scalars in `patch` replace. Returns a new value. */
export function deepMerge<T>(base: T, patch: unknown): T {
  if (!isPlainObject(base) || !isPlainObject(patch)) return (patch === undefined ? base : patch) as T;
  const out: Record<string, unknown> = { ...base };
  for (const [k, v] of Object.entries(patch)) out[k] = v === undefined ? out[k] : deepMerge(out[k], v);
  return out as T;
}

function baseDefinition(plan: PlanName, version: number): PlanDefinition {
  const entry = CATALOGUE[version];
  if (!entry) throw new Error(`plan version ${version} is unknown; known versions: ${PLAN_VERSIONS.join(', ')}`);
  return entry[plan];
}

/** A deep copy through JSON: definitions are plain data, callers may keep and change them. */
function copyJson<T>(value: T): T {
  return JSON.parse(JSON.stringify(value)) as T;
}

/** What a person's overrides are chosen by: the business's own segment and the computed value class. */
export interface OverrideKeys {
  segment?: string;
  valueClass?: string;
}

/** The patches that apply to `plan` for these keys, in the order they merge (class, then segment), with their names. */
function patchesFor(plan: PlanName, keys: OverrideKeys, overrides: PlanOverrides | undefined): Array<{ patch: PartialPlanDefinition; at: string }> {
  const out: Array<{ patch: PartialPlanDefinition; at: string }> = [];
  const byClass = keys.valueClass ? overrides?.classes[keys.valueClass]?.[plan] : undefined;
  if (byClass) out.push({ patch: byClass, at: `classes.${keys.valueClass}.${plan}` });
  const bySegment = keys.segment ? overrides?.segments[keys.segment]?.[plan] : undefined;
  if (bySegment) out.push({ patch: bySegment, at: `segments.${keys.segment}.${plan}` });
  return out;
}

/** The merged definition, or every problem with it named by the overrides' path (the last patch's; a pair says what it was merged over). */
function tryMerge(plan: PlanName, version: number, patches: ReadonlyArray<{ patch: PartialPlanDefinition; at: string }>): { definition: PlanDefinition } | { problems: string[] } {
  if (patches.length === 0) return { definition: copyJson(baseDefinition(plan, version)) };
  const result = planDefinitionSchema.safeParse(patches.reduce<unknown>((d, p) => deepMerge(d, p.patch), baseDefinition(plan, version)));
  if (result.success) return { definition: result.data };
  const over = patches.slice(0, -1).map((p) => p.at);
  return { problems: describeIssues(result.error, patches.at(-1)!.at).map((m) => (over.length ? `${m} (merged over ${over.join(', ')})` : m)) };
}

/**
 * The definition a year runs on: the catalogue's `plan` at `version` (default: current), with
 * the overrides of its value class and then of its segment applied, if any.
 */
export function resolvePlan(plan: PlanName, opts: { version?: number; overrides?: PlanOverrides } & OverrideKeys = {}): PlanDefinition {
  const merged = tryMerge(plan, opts.version ?? CURRENT_PLAN_VERSION, patchesFor(plan, opts, opts.overrides));
  if ('problems' in merged) throw new Error(`invalid plan definition: ${merged.problems.join('; ')}`);
  return merged.definition;
}

/**
 * Reads an overrides file's JSON. Throws an Error naming every bad field, also those that
 * are well-formed alone but make a bad plan once merged (e.g. 3 give-aways but 2 items), alone
 * or with each class's overrides under a segment's (a person may have both).
 */
export function parsePlanOverrides(json: unknown): PlanOverrides {
  const result = planOverridesSchema.safeParse(json);
  if (!result.success) throw new Error(`invalid plan overrides:\n${describeIssues(result.error).join('\n')}`);
  const overrides = result.data;
  const problems: string[] = [];
  const check = (plan: PlanName, keys: OverrideKeys) => {
    const patches = patchesFor(plan, keys, overrides);
    if (patches.length === 0) return;
    for (const version of PLAN_VERSIONS) {
      const merged = tryMerge(plan, version, patches);
      if ('problems' in merged) problems.push(...merged.problems);
    }
  };
  const segments = Object.keys(overrides.segments);
  const classes = Object.keys(overrides.classes);
  for (const plan of PLANS) {
    for (const valueClass of classes) check(plan, { valueClass });
    for (const segment of segments) check(plan, { segment });
  }
  // Then each class under each segment, once every one is fine alone (else a pair repeats it).
  if (problems.length === 0) for (const plan of PLANS) for (const valueClass of classes) for (const segment of segments) check(plan, { valueClass, segment });
  if (problems.length > 0) throw new Error(`invalid plan overrides:\n${[...new Set(problems)].join('\n')}`);
  return overrides;
}

// The customer as other programs send it (PRODUCT.md, "Customer, as JSON"). Validated with
// zod everywhere it enters: HTTP API, CLI, client library and the workflow's update validator.
// Pure: safe to import from workflow code.
import { IANAZone } from './luxon';
import { z } from 'zod';
import { isoDate, isoDayOrInstantSchema } from './dates';
import { sendingHoursText } from './sending-hours';

// A missing field says "required" (zod's default would say "expected string, received undefined").
z.config({ customError: (issue) => (issue.code === 'invalid_type' && issue.input === undefined ? 'required' : undefined) });

export const customerIdSchema = z
  .string()
  .regex(/^[A-Za-z0-9._-]{1,64}$/, 'expected 1-64 characters of A-Za-z0-9._-');

export const channelSchema = z.enum(['email', 'sms', 'postal', 'phone']);
export type Channel = z.infer<typeof channelSchema>;

export const consentSchema = z
  .object({
    email: z.boolean().default(true),
    sms: z.boolean().default(true),
    postal: z.boolean().default(true),
    phone: z.boolean().default(true),
  })
  .strict();
export type Consent = z.infer<typeof consentSchema>;

export const addressSchema = z
  .object({
    line1: z.string().trim().min(1, 'expected a street line'),
    line2: z.string().trim().optional(),
    city: z.string().trim().min(1, 'expected a city'),
    region: z.string().trim().optional(),
    postalCode: z.string().trim().optional(),
    country: z.string().regex(/^[A-Z]{2}$/, 'expected an ISO 3166 two-letter country code, e.g. SA'),
  })
  .strict();

/** "How did you hear about us?": one of the business's sources, and the person's own words. */
export const leadSourceSchema = z
  .object({
    /** One of the business's sources (config `sources`), e.g. `open-house`. */
    channel: z.string().trim().min(1, 'expected where the lead heard of the business, e.g. website').max(40),
    /** The lead's own words, e.g. "saw your sign on Olaya St". */
    text: z.string().trim().max(200).optional(),
  })
  .strict();

export const personalDateSchema = z
  .object({
    occasion: z.string().trim().min(1, 'expected an occasion, e.g. birthday').max(60),
    date: isoDate,
  })
  .strict();

export const customerSchema = z
  .object({
    id: customerIdSchema,
    name: z.object({ first: z.string().trim().min(1, 'expected a first name').max(100), last: z.string().trim().max(100).optional() }).strict(),
    email: z.email({ message: 'expected an email address' }).optional(),
    phone: z.string().regex(/^\+[1-9]\d{6,14}$/, 'expected an E.164 phone number, e.g. +966501234567').optional(),
    address: addressSchema.optional(),
    locale: z.string().regex(/^[a-z]{2}(-[A-Z]{2})?$/, 'expected a language tag such as en or ar').default('en'),
    timezone: z.string().refine((tz) => IANAZone.isValidZone(tz), 'expected an IANA time zone, e.g. Asia/Riyadh'),
    personalDates: z.array(personalDateSchema).max(20).default([]),
    favoriteTeam: z.string().trim().max(100).optional(),
    consent: consentSchema.default({ email: true, sms: true, postal: true, phone: true }),
    agent: z
      .string()
      .trim()
      .min(1, 'expected the agent who owns this customer')
      .max(64)
      // Agent ids are matched in visibility queries (AssignedAgent, CallAssignees).
      .regex(/^[^'"\\\u0000-\u001f]*$/, 'expected no quotes or backslashes'),
    /**
     * The business's own label for the person, e.g. "investor": its `segments` plan overrides apply
     * (PLAN33_PLAN_OVERRIDES). Never overwritten: the computed value class (VIP/A/B/C) is a separate field.
     */
    segment: z
      .string()
      .regex(/^[A-Za-z0-9._-]{1,40}$/, 'expected 1-40 characters of A-Za-z0-9._-')
      .describe("The business's own label for the person (e.g. investor): never replaced by the computed value class, which the status shows as valueClass")
      .optional(),
    /** What the agent should know before a call (family, interests, last conversation). */
    notes: z.string().trim().max(2000).optional(),
    /** Overrides the business's sending hours for this customer, e.g. "17:00-20:00". */
    sendingHours: sendingHoursText.optional(),
    /** Shares printed cards with the others at the same address who opted in too (one card for all). */
    household: z.boolean().optional(),
    /** Nothing reaches the person before this local day (they asked for a break). */
    doNotContactUntil: isoDate.optional(),
    /** Where the person first heard of the business (a lead's source, carried at the deal). */
    source: leadSourceSchema.optional(),
  })
  .strict()
  // `when`: also checked when other fields are bad, so one answer names every problem.
  .refine((c): boolean => reachableChannels(c).length > 0, {
    path: ['consent'],
    message: 'no reachable channel: give an email, phone or postal address with consent for it',
    when: () => true,
  });

export type CustomerInput = z.input<typeof customerSchema>;
export type Customer = z.output<typeof customerSchema>;

interface ChannelFacts {
  email?: string;
  phone?: string;
  address?: unknown;
  consent: Consent;
}

/** Channels that have both a contact detail and the customer's consent. */
export function reachableChannels(c: ChannelFacts): Channel[] {
  const out: Channel[] = [];
  // Defensive: the refinement also runs on input that is not an object at all.
  if (!c || typeof c !== 'object') return out;
  // Defensive: the schema's refinement also runs on input that failed other checks.
  const consent: Partial<Consent> = (c as { consent?: Partial<Consent> }).consent ?? { email: true, sms: true, postal: true, phone: true };
  if (c.email && consent.email !== false) out.push('email');
  if (c.phone && consent.sms !== false) out.push('sms');
  if (c.address && consent.postal !== false) out.push('postal');
  if (c.phone && consent.phone !== false) out.push('phone');
  return out;
}

export const dealSchema = z
  .object({
    id: z.string().trim().min(1, 'expected the deal id').max(128),
    closedAt: isoDayOrInstantSchema('expected YYYY-MM-DD or an ISO date-time'),
    value: z.number().nonnegative('expected a value of 0 or more').finite().optional(),
  })
  .strict();
export type Deal = z.infer<typeof dealSchema>;

/** Turns a zod error into "field: message" lines, each naming the field. */
export function describeIssues(error: z.ZodError, prefix = ''): string[] {
  return error.issues.map((i) => {
    const path = [prefix, ...i.path.map(String)].filter(Boolean).join('.');
    return `${path || '(input)'}: ${i.message}`;
  });
}

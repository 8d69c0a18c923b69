// A lead: a person before a customer (PRODUCT.md, "Leads are managed F.A.S.T."). Captured once
// through one entry point, assigned to an agent, taken through the 8x8 prospect plan, and
// handed over as the same person (same id) to the client-for-life year at the deal. Pure: the
// schema, the stages and outcomes, and what the lead becomes at the hand-over.
import { z } from 'zod';
import { customerSchema, leadSourceSchema, reachableChannels, type Customer } from './customer';
import { isoDate } from './dates';

/** Where a lead stands (search attribute `LeadStage`, and one row per change in `lead_stages`). */
export const LEAD_STAGES = ['new', 'contacted', 'qualified', 'nurture', 'deal', 'lost'] as const;
export type LeadStage = (typeof LEAD_STAGES)[number];

/** What an agent reports after talking to (or trying to reach) a lead, as the documents name it. */
export const LEAD_OUTCOMES = ['positive-interest', 'negative', 'no-response', 'contact-later'] as const;
export type LeadOutcome = (typeof LEAD_OUTCOMES)[number];

/** "How did you hear about us?": the answers offered when the business's config lists none. */
export const DEFAULT_LEAD_SOURCES = ['website', 'property-portal', 'referral', 'sign', 'open-house', 'social-media', 'walk-in', 'phone', 'event', 'other'] as const;

export { leadSourceSchema };
export type LeadSource = z.infer<typeof leadSourceSchema>;

/**
 * A lead as the funnel stores it: contact details already normalised (lower-case email, E.164
 * phone: service/leads.ts does that with libphonenumber-js before this schema sees them).
 */
const c = customerSchema.shape;
export const leadSchema = z
  .object({
    id: c.id,
    name: c.name,
    email: c.email,
    phone: c.phone,
    address: c.address,
    locale: c.locale,
    timezone: c.timezone,
    /** What the person is looking for, in their words. */
    needs: z.string().trim().max(2000).optional(),
    consent: c.consent,
    source: leadSourceSchema,
    /** Set when the capturing app already knows the agent; otherwise the Assign rules choose. */
    agent: c.agent.optional(),
    segment: c.segment,
    notes: c.notes,
    doNotContactUntil: c.doNotContactUntil,
  })
  .strict()
  .refine((l): boolean => reachableChannels(l).length > 0, {
    path: ['consent'],
    message: 'no reachable channel: give an email, phone or postal address with consent for it',
    when: () => true,
  });
export type LeadInput = z.input<typeof leadSchema>;
export type Lead = z.output<typeof leadSchema>;

/** An agent's report on a lead: a conversation, a call task of the 8x8, or the first contact. */
export const leadOutcomeSchema = z
  .object({
    outcome: z.enum(LEAD_OUTCOMES, { message: `expected one of ${LEAD_OUTCOMES.join(', ')}` }),
    /** Required with `contact-later`: the day the person asked to be contacted again. */
    contactOn: isoDate.optional(),
    notes: z.string().trim().max(2000).optional(),
    /** The task this reports on (a first-contact, reply or call task), when there is one. */
    taskId: z.string().trim().min(1).max(200).optional(),
    /** Who reports it (default: the lead's agent). */
    agent: c.agent.optional(),
  })
  .strict()
  .refine((o) => o.outcome !== 'contact-later' || o.contactOn !== undefined, { path: ['contactOn'], message: 'required when outcome is contact-later' });
export type LeadOutcomeReport = z.infer<typeof leadOutcomeSchema>;

/**
 * Merges a second capture of the same person into the lead: what was missing is filled in,
 * new needs are added to the old, consent given again stays given; the id, source and agent of
 * the first capture stay. Returns the fields that changed.
 */
export function mergeLead(current: Lead, again: Lead): { lead: Lead; changed: string[] } {
  const changed: string[] = [];
  const next: Lead = { ...current, name: { ...current.name }, consent: { ...current.consent } };
  for (const field of ['email', 'phone', 'address', 'notes', 'segment'] as const) {
    if (next[field] === undefined && again[field] !== undefined) {
      (next as Record<string, unknown>)[field] = again[field];
      changed.push(field);
    }
  }
  if (!next.name.last && again.name.last) {
    next.name.last = again.name.last;
    changed.push('name.last');
  }
  if (again.needs && again.needs !== current.needs && !(current.needs ?? '').includes(again.needs)) {
    next.needs = current.needs ? `${current.needs}\n${again.needs}` : again.needs;
    changed.push('needs');
  }
  return { lead: next, changed };
}

/** The lead as the customer it becomes (and as the touch activities address it). */
export function leadAsCustomer(lead: Lead, agent: string): Customer {
  return customerSchema.parse({
    id: lead.id,
    name: lead.name,
    ...(lead.email ? { email: lead.email } : {}),
    ...(lead.phone ? { phone: lead.phone } : {}),
    ...(lead.address ? { address: lead.address } : {}),
    locale: lead.locale,
    timezone: lead.timezone,
    consent: lead.consent,
    agent,
    ...(lead.segment ? { segment: lead.segment } : {}),
    source: lead.source,
    ...(lead.doNotContactUntil ? { doNotContactUntil: lead.doNotContactUntil } : {}),
    ...(lead.notes || lead.needs ? { notes: [lead.needs && `Looking for: ${lead.needs}`, lead.notes].filter(Boolean).join('\n').slice(0, 2000) } : {}),
  });
}

// Assign (F.A.S.T.): which agent gets a new lead. Rules from the business's leads file choose
// the candidates (by language, country, source); among them, round robin weighted by each
// agent's open load, skipping agents who are away or at their daily cap. Pure: the activity
// gathers the facts (agents, open tasks, today's tasks) and this decides.
import { IANAZone } from './luxon';
import { z } from 'zod';
import { DEFAULT_LEAD_SOURCES, type Lead } from './lead';

const slug = z.string().regex(/^[a-z0-9]+(-[a-z0-9]+)*$/, 'expected a lower-case slug, e.g. open-house');
const agentId = z.string().trim().min(1).max(64);

const ruleSchema = z
  .object({
    /** Every condition given must hold; an empty `when` matches every lead. */
    when: z
      .object({
        language: z.array(z.string().regex(/^[a-z]{2}$/, 'expected a language code such as ar')).min(1).optional(),
        country: z.array(z.string().regex(/^[A-Z]{2}$/, 'expected an ISO 3166 two-letter country code, e.g. SA')).min(1).optional(),
        source: z.array(slug).min(1).optional(),
      })
      .strict()
      .default({}),
    /** The agents who take these leads (round robin by load among them). */
    agents: z.array(agentId).min(1),
  })
  .strict();

export const leadSettingsSchema = z
  .object({
    /** The answers to "How did you hear about us?" a lead's `source.channel` must be one of. */
    sources: z.array(slug).min(1).default([...DEFAULT_LEAD_SOURCES]),
    /** The time zone of a lead whose own is not known (the web form without the browser's), e.g. Asia/Riyadh. */
    defaultTimezone: z.string().refine((tz) => IANAZone.isValidZone(tz), 'expected an IANA time zone, e.g. Asia/Riyadh').optional(),
    /** Country for phone numbers given without +<country code>, e.g. SA. */
    defaultCountry: z.string().regex(/^[A-Z]{2}$/, 'expected an ISO 3166 two-letter country code, e.g. SA').optional(),
    /** The first-contact task's deadline after capture. */
    firstContactHours: z.number().int().min(1).max(24 * 14).default(24),
    /** After the reminder at the deadline, this long until the lead goes to another agent. */
    reassignAfterHours: z.number().int().min(1).max(24 * 14).default(8),
    /** First match wins; no match: every agent who takes leads. */
    rules: z.array(ruleSchema).max(200).default([]),
  })
  .strict();
export type LeadSettings = z.output<typeof leadSettingsSchema>;
export const DEFAULT_LEAD_SETTINGS: LeadSettings = leadSettingsSchema.parse({});

/** The candidates for a lead: the agents of the first rule that matches, else everyone. */
export function candidatesFor(lead: Pick<Lead, 'locale' | 'address' | 'source'>, settings: Pick<LeadSettings, 'rules'>, everyone: readonly string[]): { agents: string[]; rule?: number } {
  const language = lead.locale.slice(0, 2);
  const country = lead.address?.country;
  const index = settings.rules.findIndex(({ when }) => {
    if (when.language && !when.language.includes(language)) return false;
    if (when.country && (!country || !when.country.includes(country))) return false;
    if (when.source && !when.source.includes(lead.source.channel)) return false;
    return true;
  });
  return index >= 0 ? { agents: [...settings.rules[index]!.agents], rule: index } : { agents: [...everyone] };
}

export interface AgentLoad {
  id: string;
  /** Open tasks now (first contacts, calls, replies). */
  open: number;
  /** Tasks given today (the agent's day). */
  givenToday: number;
  /** Most tasks a day; unset: no cap. */
  dailyCap?: number;
  /** Share of leads: 2 takes twice the load of 1. */
  weight: number;
  away: boolean;
  /** When this agent last got a lead (ms), for the round robin among equals. */
  lastLeadMs?: number;
}

/**
 * The agent who gets the lead: available (not away, under the daily cap, not excluded), the
 * lowest open load per weight, then the one whose last lead is oldest (never had one: first),
 * then by id. Undefined when no one is available.
 */
export function pickAgent(loads: readonly AgentLoad[], exclude: readonly string[] = []): { agent: string; why: string } | undefined {
  const available = loads.filter((a) => !a.away && !exclude.includes(a.id) && (a.dailyCap === undefined || a.givenToday < a.dailyCap));
  available.sort((a, b) => a.open / a.weight - b.open / b.weight || (a.lastLeadMs ?? -1) - (b.lastLeadMs ?? -1) || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  const best = available[0];
  if (!best) return undefined;
  return { agent: best.id, why: `${best.open} open task${best.open === 1 ? '' : 's'} (weight ${best.weight}), ${best.givenToday} given today${best.dailyCap !== undefined ? ` of ${best.dailyCap}` : ''}` };
}

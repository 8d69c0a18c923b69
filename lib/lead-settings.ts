// The business's lead rules from the JSON file PLAN33_LEADS_FILE names (sources, Assign rules,
// first-contact timings): read and validated once, every bad field named, by the worker, the
// API and the CLI. Unset: plan33's defaults (plan/lead-routing.ts).
import { readFileSync } from 'node:fs';
import { describeIssues } from '../plan/customer';
import { DEFAULT_LEAD_SETTINGS, leadSettingsSchema, type LeadSettings } from '../plan/lead-routing';

export function parseLeadSettings(raw: unknown, file = 'leads file'): LeadSettings {
  const parsed = leadSettingsSchema.safeParse(raw);
  if (!parsed.success) throw new Error(`${file}: ${describeIssues(parsed.error).join('; ')}`);
  return parsed.data;
}

export function loadLeadSettings(file: string | undefined): LeadSettings {
  if (!file) return DEFAULT_LEAD_SETTINGS;
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, 'utf8'));
  } catch (err) {
    throw new Error(`PLAN33_LEADS_FILE=${file}: ${(err as Error).message}`, { cause: err });
  }
  return parseLeadSettings(raw, `PLAN33_LEADS_FILE=${file}`);
}

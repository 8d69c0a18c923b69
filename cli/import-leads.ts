// `plan33 import --leads FILE` and `--contacts FILE`: leads (onto the 8x8) or the sphere's
// contacts (onto the general 33) from a CSV file, through the same entry point as the API. Every
// row is validated first (bad rows named by line and skipped); a person already known (same
// email or phone, or a row repeated) is merged, so running the same file twice starts nothing new.
import { readFileSync } from 'node:fs';
import type { Client } from '@temporalio/client';
import { parse } from 'csv-parse/sync';
import type { LeadSettings } from '../plan/lead-routing';
import type { SendingHours } from '../plan/sending-hours';
import { ValidationError } from '../service/errors';
import { addContact, captureLead, parseLead } from '../service/leads';
import type { Db } from '../stores';
import { InputError } from './read-customer';

export const LEAD_CSV_COLUMNS = [
  'id', 'first_name', 'last_name', 'email', 'phone', 'address_line1', 'address_line2', 'city', 'region', 'postal_code', 'country',
  'locale', 'timezone', 'needs', 'source', 'source_text', 'agent', 'segment', 'notes', 'consent_email', 'consent_sms', 'consent_postal', 'consent_phone',
] as const;

export interface LeadImportResult {
  captured: number;
  merged: number;
  bad: Array<{ line: number; problems: string[] }>;
  failed: Array<{ line: number; problems: string[] }>;
}

function row(r: Record<string, string>): { input: Record<string, unknown>; problems: string[]; country?: string } {
  const v = (k: string) => (r[k] ?? '').trim() || undefined;
  const problems: string[] = [];
  const consent: Record<string, boolean> = {};
  for (const ch of ['email', 'sms', 'postal', 'phone'] as const) {
    const given = v(`consent_${ch}`);
    if (given === undefined) consent[ch] = true;
    else if (/^(1|true|yes|y)$/i.test(given)) consent[ch] = true;
    else if (/^(0|false|no|n)$/i.test(given)) consent[ch] = false;
    else problems.push(`consent_${ch}: expected yes or no, got "${given}"`);
  }
  const address = v('address_line1') ? { line1: v('address_line1'), line2: v('address_line2'), city: v('city') ?? '', region: v('region'), postalCode: v('postal_code'), country: v('country') ?? '' } : undefined;
  const input = Object.fromEntries(
    Object.entries({
      id: v('id'),
      name: { first: v('first_name'), ...(v('last_name') ? { last: v('last_name') } : {}) },
      email: v('email'),
      phone: v('phone'),
      address: address && Object.fromEntries(Object.entries(address).filter(([, x]) => x !== undefined)),
      locale: v('locale'),
      timezone: v('timezone'),
      needs: v('needs'),
      source: v('source') ? { channel: v('source'), ...(v('source_text') ? { text: v('source_text') } : {}) } : undefined,
      agent: v('agent'),
      segment: v('segment'),
      notes: v('notes'),
      consent,
    }).filter(([, x]) => x !== undefined),
  );
  // `country` also reads phone numbers written without +<country code>.
  return { input, problems, ...(v('country') ? { country: v('country') } : {}) };
}

export async function importLeads(
  client: Client,
  db: Db,
  file: string,
  opts: { kind: 'leads' | 'contacts'; taskQueue: string; settings: LeadSettings; sendingHours?: SendingHours; onStart?: (total: number) => void; onProgress?: (done: number) => void },
): Promise<LeadImportResult> {
  let records: Array<{ record: string[]; info: { lines: number } }>;
  try {
    records = parse(readFileSync(file, 'utf8'), { skip_empty_lines: true, bom: true, info: true, relax_column_count: true }) as unknown as typeof records;
  } catch (err) {
    throw new InputError([`--${opts.kind}: cannot read ${file} as CSV: ${(err as Error).message}`]);
  }
  if (records.length === 0) throw new InputError([`--${opts.kind}: ${file} is empty; expected a header row and people`]);
  const header = records[0]!.record.map((h) => h.trim().toLowerCase());
  const unknown = header.filter((h) => !(LEAD_CSV_COLUMNS as readonly string[]).includes(h));
  if (unknown.length > 0) throw new InputError(unknown.map((h) => `${h}: unknown column (expected ${LEAD_CSV_COLUMNS.join(', ')})`));
  const good: Array<{ line: number; input: Record<string, unknown>; settings: LeadSettings }> = [];
  const bad: LeadImportResult['bad'] = [];
  const settings = opts.kind === 'contacts' ? { ...opts.settings, sources: [...new Set([...opts.settings.sources, 'other'])] } : opts.settings;
  let previousEnd = records[0]!.info.lines;
  for (const { record: fields, info } of records.slice(1)) {
    const line = previousEnd + 1;
    previousEnd = info.lines;
    const { input, problems, country } = row(Object.fromEntries(header.map((h, i) => [h, fields[i] ?? ''])));
    const rowSettings = country && /^[A-Z]{2}$/.test(country) ? { ...settings, defaultCountry: country } : settings;
    if (fields.length > header.length) problems.push(`row: ${fields.length} fields, the header has ${header.length} (an unquoted comma?)`);
    if (opts.kind === 'contacts') {
      input.source ??= { channel: 'other', text: 'sphere of influence' };
      if (!input.agent) problems.push('agent: required for a contact (whose sphere they are in)');
    }
    try {
      parseLead(input, rowSettings);
    } catch (err) {
      if (!(err instanceof ValidationError)) throw err;
      problems.push(...err.problems);
    }
    if (problems.length > 0) bad.push({ line, problems });
    else good.push({ line, input, settings: rowSettings });
  }
  opts.onStart?.(good.length);
  const failed: LeadImportResult['failed'] = [];
  let captured = 0;
  let merged = 0;
  let done = 0;
  // One at a time: two rows of one person must merge, not race.
  for (const r of good) {
    try {
      const leadOpts = { taskQueue: opts.taskQueue, settings: r.settings, sendingHours: opts.sendingHours };
      const result = opts.kind === 'leads' ? await captureLead(client, db, r.input, leadOpts) : await addContact(client, db, r.input, leadOpts);
      if (result.merged) merged++;
      else captured++;
    } catch (err) {
      failed.push({ line: r.line, problems: err instanceof ValidationError ? err.problems : [(err as Error).message] });
    }
    opts.onProgress?.(++done);
  }
  return { captured, merged, bad, failed };
}

// `plan33 import`: customers and their closed deals from a CSV file. Every row is validated
// before anything is sent; bad rows are reported with their line numbers and skipped, good
// rows are enrolled with signal-with-start, so running the same file twice changes nothing.
import { readFileSync } from 'node:fs';
import type { Client } from '@temporalio/client';
import { parse } from 'csv-parse/sync';
import { customerSchema, dealSchema, describeIssues, type CustomerInput } from '../plan/customer';
import type { SendingHours } from '../plan/sending-hours';
import { dealClosed, type DealClosedInput } from './enroll';

/** The columns a file may have; `id`, `first_name`, `timezone`, `agent`, `deal_id`, `deal_closed_at` are required. */
export const CSV_COLUMNS = [
  'id', 'first_name', 'last_name', 'email', 'phone', 'address_line1', 'address_line2', 'city', 'region', 'postal_code', 'country',
  'locale', 'timezone', 'agent', 'segment', 'favorite_team', 'birthday', 'wedding_anniversary', 'notes',
  'consent_email', 'consent_sms', 'consent_postal', 'consent_phone', 'deal_id', 'deal_closed_at', 'deal_value',
] as const;

export interface BadRow {
  line: number;
  problems: string[];
}

export interface ParsedFile {
  rows: Array<{ line: number; input: DealClosedInput }>;
  bad: BadRow[];
}

const yes = (v: string | undefined) => (v === undefined || v.trim() === '' ? undefined : /^(1|true|yes|y)$/i.test(v.trim()));

function toInput(r: Record<string, string>): { input: DealClosedInput; problems: string[] } {
  const v = (k: (typeof CSV_COLUMNS)[number]) => (r[k] ?? '').trim() || undefined;
  const problems: string[] = [];
  const address = v('address_line1')
    ? { line1: v('address_line1')!, line2: v('address_line2'), city: v('city') ?? '', region: v('region'), postalCode: v('postal_code'), country: v('country') ?? '' }
    : undefined;
  const personalDates = [
    ...(v('birthday') ? [{ occasion: 'birthday', date: v('birthday')! }] : []),
    ...(v('wedding_anniversary') ? [{ occasion: 'wedding-anniversary', date: v('wedding_anniversary')! }] : []),
  ];
  const consent = { email: yes(r.consent_email) ?? true, sms: yes(r.consent_sms) ?? true, postal: yes(r.consent_postal) ?? true, phone: yes(r.consent_phone) ?? true };
  const customer = Object.fromEntries(
    Object.entries({
      id: v('id'), name: { first: v('first_name'), last: v('last_name') }, email: v('email'), phone: v('phone'), address, locale: v('locale'),
      timezone: v('timezone'), agent: v('agent'), segment: v('segment'), favoriteTeam: v('favorite_team'), notes: v('notes'), personalDates, consent,
    }).filter(([, x]) => x !== undefined),
  ) as unknown as CustomerInput;
  const value = v('deal_value');
  if (value !== undefined && !Number.isFinite(Number(value))) problems.push(`deal_value: expected a number, got "${value}"`);
  const deal = { id: v('deal_id') ?? '', closedAt: v('deal_closed_at') ?? '', ...(value !== undefined && Number.isFinite(Number(value)) ? { value: Number(value) } : {}) };
  return { input: { customer, deal }, problems };
}

/** Reads and validates a CSV file; throws only when the file itself cannot be read or parsed. */
export function parseCustomersCsv(text: string): ParsedFile {
  const records = parse(text, { columns: (header: string[]) => header.map((h) => h.trim().toLowerCase()), skip_empty_lines: true, bom: true, info: true, relax_column_count: true }) as Array<{
    record: Record<string, string>;
    info: { lines: number };
  }>;
  const rows: ParsedFile['rows'] = [];
  const bad: BadRow[] = [];
  const seen = new Map<string, number>();
  for (const { record, info } of records) {
    const line = info.lines;
    const unknown = Object.keys(record).filter((k) => !(CSV_COLUMNS as readonly string[]).includes(k));
    const { input, problems } = toInput(record);
    const customer = customerSchema.safeParse(input.customer);
    const deal = dealSchema.safeParse(input.deal);
    problems.push(
      ...unknown.map((k) => `${k}: unknown column (expected ${CSV_COLUMNS.join(', ')})`),
      ...(customer.success ? [] : describeIssues(customer.error, 'customer')),
      ...(deal.success ? [] : describeIssues(deal.error, 'deal')),
    );
    const id = record.id?.trim();
    if (id && seen.has(id)) problems.push(`id: ${id} already on line ${seen.get(id)}`);
    if (id) seen.set(id, line);
    if (problems.length > 0) bad.push({ line, problems });
    else rows.push({ line, input });
  }
  return { rows, bad };
}

export interface ImportResult {
  enrolled: number;
  bad: BadRow[];
  failed: BadRow[];
}

/** Enrols every good row (a few at a time); `onProgress` after each. */
export async function importCustomers(
  client: Client,
  file: string,
  opts: { taskQueue: string; sendingHours?: SendingHours; concurrency?: number; onStart?: (total: number) => void; onProgress?: (done: number) => void },
): Promise<ImportResult> {
  const { rows, bad } = parseCustomersCsv(readFileSync(file, 'utf8'));
  opts.onStart?.(rows.length);
  const failed: BadRow[] = [];
  let next = 0;
  let done = 0;
  const workers = Array.from({ length: Math.min(opts.concurrency ?? 8, rows.length) }, async () => {
    while (next < rows.length) {
      const row = rows[next++]!;
      try {
        await dealClosed(client, row.input, { taskQueue: opts.taskQueue, sendingHours: opts.sendingHours });
      } catch (err) {
        failed.push({ line: row.line, problems: [(err as Error).message] });
      }
      opts.onProgress?.(++done);
    }
  });
  await Promise.all(workers);
  return { enrolled: rows.length - failed.length, bad, failed: failed.sort((a, b) => a.line - b.line) };
}

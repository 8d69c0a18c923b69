// `plan33 import`: customers and their closed deals from a CSV file. Every row is validated
// before anything is sent; bad rows are reported with their line numbers and skipped, good
// rows are enrolled with signal-with-start, so running the same file twice changes nothing.
import { readFileSync } from 'node:fs';
import type { Client } from '@temporalio/client';
import { parse } from 'csv-parse/sync';
import { customerSchema, dealSchema, describeIssues, type CustomerInput } from '../plan/customer';
import type { SendingHours } from '../plan/sending-hours';
import { dealClosed, type DealClosedInput } from '../service/enroll';
import { InputError } from './read-customer';

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

/** yes/no, true/false, y/n, 1/0 (any case); empty is "not given"; anything else is a problem. */
function yes(v: string | undefined): boolean | undefined | 'bad' {
  if (v === undefined || v.trim() === '') return undefined;
  if (/^(1|true|yes|y)$/i.test(v.trim())) return true;
  if (/^(0|false|no|n)$/i.test(v.trim())) return false;
  return 'bad';
}

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
  const consent: Record<string, boolean> = {};
  for (const ch of ['email', 'sms', 'postal', 'phone'] as const) {
    const given = yes(r[`consent_${ch}`]);
    if (given === 'bad') problems.push(`consent_${ch}: expected yes or no, got "${r[`consent_${ch}`]}"`);
    consent[ch] = given === 'bad' ? false : (given ?? true);
  }
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
  // Rows as arrays, so a row with more fields than the header is caught, not cut.
  const records = parse(text, { skip_empty_lines: true, bom: true, info: true, relax_column_count: true }) as unknown as Array<{ record: string[]; info: { lines: number } }>;
  const rows: ParsedFile['rows'] = [];
  const bad: BadRow[] = [];
  const seen = new Map<string, number>();
  if (records.length === 0) throw new InputError(['file: empty; expected a header row and customers']);
  const header = records[0]!.record.map((h) => h.trim().toLowerCase());
  let previousEnd = records[0]!.info.lines;
  for (const { record: fields, info } of records.slice(1)) {
    const record = Object.fromEntries(header.map((h, i) => [h, fields[i] ?? '']));
    // A quoted field may span lines: the row starts after the previous one ended.
    const line = previousEnd + 1;
    previousEnd = info.lines;
    const extra = fields.length > header.length ? [`row: ${fields.length} fields, the header has ${header.length} (an unquoted comma?)`] : [];
    const unknown = Object.keys(record).filter((k) => !(CSV_COLUMNS as readonly string[]).includes(k));
    const { input, problems } = toInput(record);
    const customer = customerSchema.safeParse(input.customer);
    const deal = dealSchema.safeParse(input.deal);
    problems.push(
      ...extra,
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
  opts: { taskQueue: string; sendingHours?: SendingHours; holdoutPercent?: number; concurrency?: number; onStart?: (total: number) => void; onProgress?: (done: number) => void },
): Promise<ImportResult> {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new InputError([`--file: cannot read ${file}: ${(err as Error).message}`]);
  }
  let parsed: ParsedFile;
  try {
    parsed = parseCustomersCsv(text);
  } catch (err) {
    if (err instanceof InputError) throw err;
    throw new InputError([`--file: ${file} is not valid CSV: ${(err as Error).message}`]);
  }
  const { rows, bad } = parsed;
  opts.onStart?.(rows.length);
  const failed: BadRow[] = [];
  let next = 0;
  let done = 0;
  const workers = Array.from({ length: Math.min(opts.concurrency ?? 8, rows.length) }, async () => {
    while (next < rows.length) {
      const row = rows[next++]!;
      try {
        await dealClosed(client, row.input, { taskQueue: opts.taskQueue, sendingHours: opts.sendingHours, holdoutPercent: opts.holdoutPercent });
      } catch (err) {
        failed.push({ line: row.line, problems: [(err as Error).message] });
      }
      opts.onProgress?.(++done);
    }
  });
  await Promise.all(workers);
  return { enrolled: rows.length - failed.length, bad, failed: failed.sort((a, b) => a.line - b.line) };
}

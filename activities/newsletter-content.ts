// Newsletter issues are written by people, month by month, in a content folder the operator
// maintains (`<contentDir>/newsletters/YYYY-MM.json`), so the words can change without a
// deploy. A typo in one of those files must stop that month's sends with a message an editor
// can act on, not send a broken email or silently fall back to the built-in words.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { DateTime, IANAZone } from 'luxon';
import { z } from 'zod';

export type NewsletterLanguage = 'en' | 'ar';

export interface NewsletterIssue {
  month: string;
  lang: NewsletterLanguage;
  subject: string;
  paragraphs: string[];
  /** The path the issue was read from (under contentDir), for logs and alerts. */
  file: string;
}

export class ContentError extends Error {
  /** The file, relative to the content folder, that the message is about. */
  readonly file: string;

  constructor(file: string, message: string, options?: { cause?: unknown }) {
    super(`${file}: ${message}`, options);
    this.name = 'ContentError';
    this.file = file;
  }
}

const MONTH = /^\d{4}-(0[1-9]|1[0-2])$/;

// trim() first so an editor cannot satisfy "non-empty" with a stray space.
const text = (max: number) => z.string().trim().min(1).max(max);

const languageSchema = z.strictObject({
  subject: text(150),
  paragraphs: z.array(text(1500)).min(1).max(8),
});

const issueFileSchema = z
  .strictObject({
    month: z.string().regex(MONTH, 'expected YYYY-MM'),
    en: languageSchema.optional(),
    ar: languageSchema.optional(),
  })
  // An issue with no language at all is almost certainly a half-finished file; saying so beats
  // treating the month as "missing" and leaving the editor to guess why.
  .refine((issue) => issue.en !== undefined || issue.ar !== undefined, 'expected at least one of "en", "ar"');

export type NewsletterFile = z.output<typeof issueFileSchema>;

function describeIssues(error: z.ZodError): string {
  const at = (path: readonly PropertyKey[]) =>
    path.reduce<string>((acc, key) => (typeof key === 'number' ? `${acc}[${key}]` : acc ? `${acc}.${String(key)}` : String(key)), '');
  return error.issues
    .map((issue) => {
      // A misspelt language key ("arabic", "EN") is the likeliest strict-mode failure; name the key itself.
      if (issue.code === 'unrecognized_keys') return issue.keys.map((key) => `${at([...issue.path, key])}: unexpected field`).join('; ');
      return `${at(issue.path) || '(file)'}: ${issue.message}`;
    })
    .join('; ');
}

/**
 * The issue for `month` in `lang`, or undefined when nobody has written it (yet): the caller
 * decides whether that means "wait and alert" or "skip".
 */
export async function loadNewsletterIssue(contentDir: string, month: string, lang: NewsletterLanguage): Promise<NewsletterIssue | undefined> {
  // The month becomes part of a path: an unchecked value could read files outside the folder.
  if (typeof month !== 'string' || !MONTH.test(month)) throw new ContentError(`newsletters/${String(month)}.json`, `month: expected YYYY-MM, got ${JSON.stringify(month)}`);
  const name = `newsletters/${month}.json`;
  if (lang !== 'en' && lang !== 'ar') throw new ContentError(name, `lang: expected "en" or "ar", got ${JSON.stringify(lang)}`);
  const file = join(contentDir, 'newsletters', `${month}.json`);

  let raw: string;
  try {
    raw = await readFile(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new ContentError(name, `cannot read: ${(err as Error).message}`, { cause: err });
  }

  let json: unknown;
  try {
    // Editors on Windows like to save a byte-order mark, which JSON.parse rejects.
    json = JSON.parse(raw.replace(/^\uFEFF/, ''));
  } catch (err) {
    throw new ContentError(name, `malformed JSON: ${(err as Error).message}`, { cause: err });
  }

  const parsed = issueFileSchema.safeParse(json);
  if (!parsed.success) throw new ContentError(name, describeIssues(parsed.error), { cause: parsed.error });
  // A copied-and-renamed file with a stale month would send last month's words; refuse it.
  if (parsed.data.month !== month) throw new ContentError(name, `month: expected "${month}" (the file's name), got "${parsed.data.month}"`);

  const entry = parsed.data[lang];
  if (!entry) return undefined;
  return { month, lang, subject: entry.subject, paragraphs: entry.paragraphs, file };
}

/**
 * The calendar month a touch falls in for the customer, not for the server: a newsletter sent
 * late on 31 January in New York is already February in Riyadh.
 */
export function monthOf(isoInstant: string, timezone: string): string {
  // Without an offset the instant would be read in the worker's own zone, which differs between
  // machines; an instant must say where it is.
  if (!/[T ][^T ]*(?:Z|[+-]\d{2}(?::?\d{2})?)$/i.test(isoInstant)) throw new RangeError(`monthOf: expected an ISO instant with an offset or Z, got ${JSON.stringify(isoInstant)}`);
  if (!IANAZone.isValidZone(timezone)) throw new RangeError(`monthOf: expected an IANA time zone, got ${JSON.stringify(timezone)}`);
  const at = DateTime.fromISO(isoInstant, { zone: timezone });
  if (!at.isValid) throw new RangeError(`monthOf: expected an ISO instant, got ${JSON.stringify(isoInstant)} (${at.invalidExplanation ?? at.invalidReason})`);
  return at.toFormat('yyyy-MM');
}

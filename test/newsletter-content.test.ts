// The monthly newsletter folder: issues load per month and language, every way an editor can get
// a file wrong fails loudly with the file and field named, and the shipped sample content is valid.
import { mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ContentError, loadNewsletterIssue, monthOf } from '../activities/newsletter-content';

const ARABIC = /[\u0600-\u06FF]/;
const examples = join(dirname(fileURLToPath(import.meta.url)), '..', 'examples', 'content');

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'plan33-newsletters-'));
  await mkdir(join(dir, 'newsletters'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const write = (month: string, body: unknown) =>
  writeFile(join(dir, 'newsletters', `${month}.json`), typeof body === 'string' ? body : JSON.stringify(body, null, 2));

const en = { subject: 'Winter tips', paragraphs: ['Check the heating.', 'Clear the gutters.'] };
const ar = { subject: 'نصائح الشتاء', paragraphs: ['افحص التدفئة.'] };

/** The ContentError a load fails with; fails the test if it resolves or throws anything else. */
async function failure(month: string, lang: 'en' | 'ar' = 'en'): Promise<ContentError> {
  const error = await loadNewsletterIssue(dir, month, lang).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ContentError);
  return error as ContentError;
}

describe('loadNewsletterIssue', () => {
  it('returns the issue in the requested language', async () => {
    await write('2027-01', { month: '2027-01', en, ar });
    const file = join(dir, 'newsletters', '2027-01.json');
    expect(await loadNewsletterIssue(dir, '2027-01', 'en')).toEqual({ month: '2027-01', lang: 'en', subject: 'Winter tips', paragraphs: ['Check the heating.', 'Clear the gutters.'], file });
    expect(await loadNewsletterIssue(dir, '2027-01', 'ar')).toEqual({ month: '2027-01', lang: 'ar', subject: 'نصائح الشتاء', paragraphs: ['افحص التدفئة.'], file });
  });

  it('tolerates a byte-order mark from editors', async () => {
    await write('2027-01', `\uFEFF${JSON.stringify({ month: '2027-01', en })}`);
    expect((await loadNewsletterIssue(dir, '2027-01', 'en'))?.subject).toBe('Winter tips');
  });

  it('returns undefined when the month has no file', async () => {
    await write('2027-01', { month: '2027-01', en, ar });
    expect(await loadNewsletterIssue(dir, '2027-02', 'en')).toBeUndefined();
    // Not even the newsletters folder: a fresh content directory.
    expect(await loadNewsletterIssue(join(dir, 'nowhere'), '2027-01', 'en')).toBeUndefined();
  });

  it('returns undefined when the file has no entry for the language', async () => {
    await write('2027-01', { month: '2027-01', en });
    expect(await loadNewsletterIssue(dir, '2027-01', 'ar')).toBeUndefined();
    expect(await loadNewsletterIssue(dir, '2027-01', 'en')).toBeDefined();
  });

  it('rejects malformed JSON, naming the file', async () => {
    await write('2027-01', '{ "month": "2027-01", "en": { "subject": "Hi", }');
    const error = await failure('2027-01');
    expect(error.message).toMatch(/^newsletters\/2027-01\.json: malformed JSON/);
    expect(error.file).toBe('newsletters/2027-01.json');
  });

  it('rejects schema violations, naming the file and each bad field path', async () => {
    await write('2027-01', { month: '2027-01', en: { subject: '', paragraphs: ['ok', 'x'.repeat(1501)] }, ar: { subject: 'ا'.repeat(151), paragraphs: ar.paragraphs } });
    const { message } = await failure('2027-01');
    expect(message).toMatch(/^newsletters\/2027-01\.json: /);
    expect(message).toMatch(/en\.subject: [^;]*>=1/);
    expect(message).toMatch(/en\.paragraphs\[1\]: [^;]*<=1500/);
    expect(message).toMatch(/ar\.subject: [^;]*<=150/);
    expect(message).not.toMatch(/en\.paragraphs\[0\]/);
  });

  it.each([
    ['a whitespace-only subject', { month: '2027-01', en: { subject: '   ', paragraphs: ['ok'] } }, /en\.subject: /],
    ['no paragraphs', { month: '2027-01', en: { subject: 'Hi', paragraphs: [] } }, /en\.paragraphs: /],
    ['nine paragraphs', { month: '2027-01', ar: { subject: 'مرحبا', paragraphs: Array(9).fill('نص') } }, /ar\.paragraphs: /],
    ['a paragraph that is not text', { month: '2027-01', en: { subject: 'Hi', paragraphs: ['ok', 3] } }, /en\.paragraphs\[1\]: /],
    ['an unknown language key', { month: '2027-01', en, fr: en }, /fr: unexpected field/],
    ['an unknown field inside a language', { month: '2027-01', en: { ...en, greeting: 'Hello' } }, /en\.greeting: unexpected field/],
    ['no language at all', { month: '2027-01' }, /at least one of "en", "ar"/],
    ['a month that is not YYYY-MM', { month: 'January 2027', en }, /month: expected YYYY-MM/],
    ['a JSON array', [en], /newsletters\/2027-01\.json: /],
  ])('rejects %s', async (_name, body, pattern) => {
    await write('2027-01', body);
    const { message } = await failure('2027-01');
    expect(message).toMatch(/^newsletters\/2027-01\.json: /);
    expect(message).toMatch(pattern);
  });

  it('rejects a file whose month differs from its name', async () => {
    await write('2027-02', { month: '2027-01', en, ar });
    const { message } = await failure('2027-02', 'ar');
    expect(message).toMatch(/^newsletters\/2027-02\.json: month: expected "2027-02"/);
    expect(message).toContain('"2027-01"');
  });

  it.each(['2027-13', '2027-00', '2027-1', '27-01', '2027-01-05', '../2027-01', ''])('rejects the month argument %j', async (month) => {
    // A valid file next door proves the argument is checked, not the file system.
    await write('2027-01', { month: '2027-01', en });
    const { message } = await failure(month);
    expect(message).toMatch(/month: expected YYYY-MM/);
  });
});

describe('monthOf', () => {
  it.each([
    ['2027-01-31T23:30:00-05:00', 'America/New_York', '2027-01'],
    ['2027-01-31T23:30:00-05:00', 'Asia/Riyadh', '2027-02'],
    ['2027-01-31T23:30:00-05:00', 'Europe/London', '2027-02'],
    ['2027-01-31T23:30:00-05:00', 'America/Los_Angeles', '2027-01'],
    ['2026-12-31T14:00:00Z', 'Australia/Sydney', '2027-01'],
    ['2026-12-31T14:00:00Z', 'Europe/London', '2026-12'],
    ['2027-03-01T00:30:00+03:00', 'Asia/Riyadh', '2027-03'],
    ['2027-03-01T00:30:00+03:00', 'Europe/London', '2027-02'],
  ])('%s in %s is %s', (instant, zone, month) => {
    expect(monthOf(instant, zone)).toBe(month);
  });

  it.each([
    ['no offset', '2027-01-31T23:30:00', 'Asia/Riyadh'],
    ['a date only', '2027-01-31', 'Asia/Riyadh'],
    ['not a date', 'soon', 'Asia/Riyadh'],
    ['an impossible date', '2027-02-30T10:00:00Z', 'Asia/Riyadh'],
    ['an unknown zone', '2027-01-31T23:30:00Z', 'Mars/Olympus_Mons'],
  ])('rejects %s', (_name, instant, zone) => {
    expect(() => monthOf(instant, zone)).toThrow(RangeError);
  });
});

describe('sample content in examples/content', () => {
  it('has a valid issue in English and Arabic for every month from 2026-11 to 2027-12', async () => {
    const files = (await readdir(join(examples, 'newsletters'))).sort();
    const expected = [...['11', '12'].map((m) => `2026-${m}`), ...Array.from({ length: 12 }, (_, i) => `2027-${String(i + 1).padStart(2, '0')}`)];
    expect(files).toEqual(expected.map((m) => `${m}.json`));
    for (const file of files) {
      const month = file.replace(/\.json$/, '');
      const english = await loadNewsletterIssue(examples, month, 'en');
      const arabic = await loadNewsletterIssue(examples, month, 'ar');
      expect(english, `${file} en`).toBeDefined();
      expect(arabic, `${file} ar`).toBeDefined();
      for (const issue of [english!, arabic!]) {
        expect(issue.paragraphs.length, `${file} ${issue.lang}`).toBeGreaterThanOrEqual(2);
        expect(issue.paragraphs.length, `${file} ${issue.lang}`).toBeLessThanOrEqual(3);
        // Templates add the referral and opt-out words; content repeating them would say it twice.
        const words = [issue.subject, ...issue.paragraphs].join(' ');
        expect(words, `${file} ${issue.lang}`).not.toMatch(/unsubscribe|opt out|referr|refer a|إلغاء الاشتراك|للإيقاف|توصية|توصيت/i);
        expect(words, `${file} ${issue.lang}`).not.toMatch(/\bSTOP\b/);
      }
      expect(ARABIC.test(english!.subject + english!.paragraphs.join('')), `${file} en is English`).toBe(false);
      for (const text of [arabic!.subject, ...arabic!.paragraphs]) expect(ARABIC.test(text), `${file} ar is Arabic: ${text}`).toBe(true);
    }
  });
});

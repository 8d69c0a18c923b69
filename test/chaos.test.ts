// The chaos suite (dev/chaos.ts, `npm run chaos` runs it for 50 people) in small: six people's
// years on a real Temporal dev server with a SQLite file, a real PostgreSQL, real SMTP and the
// real twilio client against the local endpoint, while the worker process is SIGKILLed, the
// Temporal server and PostgreSQL are restarted and SMTP and SMS fail. Nothing may be lost and
// nothing delivered twice, counted from what the stand-ins received against what the plan
// (planTouches) made due; the counting itself is checked first on made-up arrivals.
import { describe, expect, inject, it } from 'vitest';
import { runChaos, smsTouchKey } from '../dev/chaos';
import { accountChaos, type DueTouch } from '../dev/chaos-accounting';
import { referralLink } from '../activities/copy';
import { surveyUrl } from '../lib/survey-link';
import type { Touch } from '../plan/touch';

const touch = (seq: number, channel: Touch['channel'], extra: Partial<Touch> = {}): DueTouch => ({
  key: `customer-p.y1.t${seq}`,
  touch: { seq, kind: 'newsletter', channel, at: '2026-01-05T10:00:00+03:00', title: `Touch ${seq}`, ...extra },
});

describe('the chaos suite counts from raw arrivals', () => {
  const due = [touch(1, 'email'), touch(2, 'sms'), touch(3, 'postal'), touch(4, 'phone'), touch(5, 'none'), touch(6, 'email'), touch(7, 'email', { dropped: 'over the budget' })];
  const clean = {
    emails: [{ key: 'customer-p.y1.t1', messageId: '<customer-p.y1.t1@plan33>' }],
    sms: [{ sid: 'SM1', key: 'customer-p.y1.t2' }],
    postal: [{ key: 'customer-p.y1.t3', idempotencyKey: 'customer-p.y1.t3' }],
    tasks: [{ key: 'customer-p.y1.t4' }],
  };

  it('each due touch sent, refused or skipped for the plan\'s reason', () => {
    const f = accountChaos(due, clean, new Set(['customer-p.y1.t6']));
    expect(f).toMatchObject({ due: 7, sent: 4, refused: 1, skipped: 2, lost: 0, duplicates: 0, rawArrivals: 4, resentSameMessageId: 0 });
    expect(f.sentBy).toEqual({ email: 1, sms: 1, postal: 1, phone: 1 });
    expect(f.problems).toEqual([]);
  });

  it('a touch nothing arrived for is lost, even when the mail server refused it once and it is not email', () => {
    const f = accountChaos(due, { ...clean, sms: [] }, new Set(['customer-p.y1.t6', 'customer-p.y1.t2']));
    expect(f).toMatchObject({ sent: 3, lost: 1, duplicates: 0 });
    expect(f.problems).toEqual(['lost: customer-p.y1.t2 (newsletter, sms) due 2026-01-05T10:00:00+03:00, nothing arrived']);
  });

  it('a second distinct item is a duplicate; the same Message-ID, Idempotency-Key or task id again is its own figure', () => {
    const f = accountChaos(
      due,
      {
        emails: [...clean.emails, { key: 'customer-p.y1.t1', messageId: '<customer-p.y1.t1@plan33>' }, { key: 'customer-p.y1.t1', messageId: '<other@plan33>' }],
        sms: [...clean.sms, { sid: 'SM2', key: 'customer-p.y1.t2' }, { sid: 'SM3', key: undefined }],
        postal: [...clean.postal, { key: 'customer-p.y1.t3', idempotencyKey: 'customer-p.y1.t3' }],
        tasks: [...clean.tasks, { key: 'customer-p.y1.t4' }, { key: 'customer-p.y1.t5' }],
      },
      new Set(['customer-p.y1.t6']),
    );
    // Email: a second Message-ID for t1. SMS: a second one for t2, one naming no touch. Task: one for t5, which the plan skips.
    expect(f).toMatchObject({ due: 7, sent: 4, refused: 1, skipped: 2, lost: 0, duplicates: 4, rawArrivals: 11, resentSameMessageId: 1, postalRepostedSameKey: 1, taskRepeatedSameId: 1 });
    expect(f.problems).toHaveLength(4);
  });

  it('a touch the plan dropped that arrives anyway is a duplicate and skipped, not sent', () => {
    const f = accountChaos(due, { ...clean, emails: [...clean.emails, { key: 'customer-p.y1.t7', messageId: '<customer-p.y1.t7@plan33>' }] }, new Set(['customer-p.y1.t6']));
    expect(f).toMatchObject({ due: 7, sent: 4, refused: 1, skipped: 2, lost: 0, duplicates: 1, rawArrivals: 5 });
    expect(f.sentBy).toEqual({ email: 1, sms: 1, postal: 1, phone: 1 });
    expect(f.problems).toEqual(['duplicate: an email arrival for customer-p.y1.t7 belongs to no due email touch']);
  });

  it('an email the mail server refused for good that arrives anyway is a problem', () => {
    const f = accountChaos(due, { ...clean, emails: [...clean.emails, { key: 'customer-p.y1.t6', messageId: '<customer-p.y1.t6@plan33>' }] }, new Set(['customer-p.y1.t6']));
    expect(f).toMatchObject({ due: 7, sent: 5, refused: 0, skipped: 2, lost: 0, duplicates: 0 });
    expect(f.problems).toEqual(['refused yet arrived: customer-p.y1.t6 (newsletter, email) was refused for good by the mail server, then 1 message arrived']);
  });

  it('an SMS names its touch by the referral link or the survey link', () => {
    const key = 'customer-chaos-c002.y1.t7';
    expect(smsTouchKey(`Person2, our news. Refer a friend: ${referralLink({ referralUrl: 'https://cedar.test/refer' }, key)} Reply STOP to opt out.`)).toBe(key);
    const link = surveyUrl({ baseUrl: 'https://plan33.chaos.test', secret: 's3cret-s3cret-s3cret' }, { key, customerId: 'chaos-c002', locale: 'en', dueAt: '2026-01-05T10:00:00+03:00' });
    expect(smsTouchKey(`Person2, how likely are you to recommend us? ${link} Reply STOP to opt out.`)).toBe(key);
    expect(smsTouchKey('Person2, hello. Reply STOP to opt out.')).toBeUndefined();
  });
});

describe('the chaos suite, small', () => {
  it('every fault injected, every due touch delivered once', { timeout: 420_000 }, async () => {
    const lines: string[] = [];
    const result = await runChaos({
      people: 6,
      workerKills: 3,
      temporalRestarts: 1,
      postgresRestarts: 1,
      smtp: { '4xx': 1, '5xx': 1, drop: 1 },
      sms: { '429': 1, '5xx': 1, timeout: 1 },
      waves: 1,
      gapMs: [300, 1200],
      bundlePath: inject('workflowBundlePath'),
      seed: 33,
      settleTimeoutMs: 120_000,
      // Few sends in a small run: every send meets a fault until each kind's minimum is reached.
      owedFaultRate: 1,
      log: (line) => lines.push(line),
    });
    console.log(result.line);
    const report = `${result.line}\n${result.problems.join('\n')}\n${lines.join('\n')}`;
    expect(result.problems, report).toEqual([]);
    expect(result.lost, report).toBe(0);
    expect(result.duplicates, report).toBe(0);
    // Every touch the plan made due is accounted for; the plan skips only for want of a channel
    // (each person lacks one of email, SMS, post: see dev/chaos.ts people()); a refused email is
    // one the injected 5xx refused for good.
    expect(result.sent + result.refused + result.skipped, report).toBe(result.due);
    expect(result.refused, report).toBeLessThanOrEqual(result.faults.smtp5xx);
    // Every channel carried touches, the NPS survey included (its page is configured).
    for (const channel of ['email', 'sms', 'postal', 'phone']) expect(result.sentBy[channel], `${channel}\n${report}`).toBeGreaterThan(0);
    expect(result.sentByKind['nps-survey'], report).toBeGreaterThan(0);
    expect(result.rawArrivals, report).toBeGreaterThanOrEqual(result.sent);
    // Each fault kind actually happened, at least as often as asked.
    expect(result.faults.workerKills).toBeGreaterThanOrEqual(3);
    expect(result.faults.temporalRestarts).toBeGreaterThanOrEqual(1);
    expect(result.faults.postgresRestarts).toBeGreaterThanOrEqual(1);
    expect(result.faults.smtp4xx, report).toBeGreaterThanOrEqual(1);
    expect(result.faults.smtp5xx, report).toBeGreaterThanOrEqual(1);
    expect(result.faults.smtpDrops, report).toBeGreaterThanOrEqual(1);
    expect(result.faults.sms429, report).toBeGreaterThanOrEqual(1);
    expect(result.faults.sms5xx, report).toBeGreaterThanOrEqual(1);
    expect(result.faults.smsTimeouts, report).toBeGreaterThanOrEqual(1);
    expect(result.minimumsReached).toBe(true);
    // The year really ran: six people's year, but for the last days and the follow-up letters.
    expect(result.due).toBeGreaterThan(6 * 25);
    expect(result.line).toMatch(/^chaos: (\d+) due, \1 accounted for \(sent \d+, refused \d+, skipped \d+\), 0 lost, 0 duplicates in \d+ raw arrivals, \d+ resent with the same Message-ID, faults: worker kills \d+, temporal restarts \d+, postgres restarts \d+, smtp 4xx \d+, smtp 5xx \d+, smtp drops \d+, sms 429 \d+, sms 5xx \d+, sms timeouts \d+$/);
  });
});

// This month's newsletter issue for a touch, in the customer's language. A missing issue alerts
// the operator once and makes the touch wait (ContentNotReady, with when to try again) until
// the grace period ends; then it is skipped (ContentMissing), never sent with the wrong words.
import { ApplicationFailure, log as activityLog } from '@temporalio/activity';
import type { Customer } from '../plan/customer';
import type { Touch } from '../plan/touch';
import { languageOf } from './copy';
import type { ActivityDeps } from './deps';
import type { TouchContext } from './email-content';
import { attemptTimeMs, messageIdFor, permanent, type Once } from './kit';
import { ContentError, loadNewsletterIssue, monthOf } from './newsletter-content';

export function newsletterIssues(deps: Pick<ActivityDeps, 'content' | 'operatorEmail' | 'mailer' | 'business'>, once: Once) {
  const { mailer, business } = deps;

  /** This month's newsletter issue in the customer's language; alerts and waits when missing. */
  async function newsletterFor(customer: Customer, touch: Touch): Promise<TouchContext['newsletter']> {
    if (!deps.content || touch.kind !== 'newsletter') return undefined;
    // The month it was first due: a wait past the month's end must not pick next month's issue.
    const month = monthOf(touch.firstAt ?? touch.at, customer.timezone);
    const lang = languageOf(customer);
    let problem = `newsletters/${month}.json has no "${lang}" issue`;
    try {
      const issue = await loadNewsletterIssue(deps.content.dir, month, lang);
      if (issue) return { subject: issue.subject, paragraphs: issue.paragraphs };
    } catch (err) {
      if (!(err instanceof ContentError)) throw err;
      problem = err.message;
    }
    const dueMs = Date.parse(touch.firstAt ?? touch.at);
    const deadlineMs = dueMs + deps.content.graceHours * 3_600_000;
    const now = attemptTimeMs();
    if (now >= deadlineMs) permanent(`no ${month} newsletter issue (${lang}) by the deadline: ${problem}`, 'ContentMissing');
    // The alert must not hold the customers up: if it cannot be sent, the log still says it.
    await once(`alert.newsletter.${month}.${lang}`, async () => {
      activityLog.error('newsletter issue missing: add it before the deadline or the touch is skipped', { month, lang, problem, deadline: new Date(deadlineMs).toISOString() });
      if (deps.operatorEmail) {
        const text = [`plan33 could not send the ${month} newsletter (${lang}): ${problem}.`, '', `Add it to the content folder (${deps.content!.dir}/newsletters/${month}.json).`, `plan33 keeps trying until ${new Date(deadlineMs).toISOString()}; after that, the newsletter is recorded as skipped for each customer still waiting.`].join('\n');
        await mailer.sendMail({ from: business.mailFrom, to: deps.operatorEmail, subject: `plan33: the ${month} newsletter (${lang}) is missing`, text, messageId: messageIdFor(`alert.newsletter.${month}.${lang}`) });
      }
      return { outcome: 'sent' as const };
    }).catch((err: Error) => activityLog.error('could not email the operator about the missing newsletter issue', { month, lang, error: err.message }));
    // Not an activity retry: the workflow moves this touch later and goes on with the others.
    throw ApplicationFailure.create({
      message: `waiting for the ${month} newsletter issue (${lang}): ${problem}`,
      type: 'ContentNotReady',
      nonRetryable: true,
      details: [{ retryAtMs: Math.min(deadlineMs, now + Math.max(600_000, (deps.content.graceHours * 3_600_000) / 12)) }],
    });
  }

  return { newsletterFor };
}

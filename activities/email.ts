// Email: a touch rendered (email-content.ts) and sent over SMTP, and the plain notices agents
// and operators get. Exactly once per key: the ledger's sending mark first, a Message-ID made
// from the key (a receiver can drop a copy), a refused address failing for good.
import { log as activityLog } from '@temporalio/activity';
import type { TouchResult } from '../plan/touch';
import { listUnsubscribeHeaders } from '../lib/unsubscribe';
import { sourceQuestionUrl } from '../lib/source-link';
import { preferenceUrl } from '../lib/preference-link';
import { customerWorkflowId } from '../plan/ids';
import { withSurveyLink } from './kit';
import type { ActivityDeps, TouchDelivery } from './deps';
import { renderTouchEmail } from './email-content';
import { messageIdFor, permanent, refusedByMailServer, type Once } from './kit';

export function emailChannel(deps: Pick<ActivityDeps, 'mailer' | 'ledger' | 'business' | 'unsubscribe'>, once: Once) {
  const { mailer, ledger, business } = deps;

  async function sendEmail({ key, customer, touch, context }: TouchDelivery): Promise<TouchResult> {
    if (!customer.email || !customer.consent.email) permanent('no email address or no email consent', 'NoConsent');
    // The welcome issue of the first year after the deal asks the one question (F.A.S.T.'s Source).
    const welcome = touch.slot === 'newsletter-1' && context?.planYear === 1 && (context.plan === 'client-for-life' || context.plan === 'advocate');
    const asked = welcome && deps.unsubscribe ? { ...context, sourceQuestionUrl: sourceQuestionUrl(deps.unsubscribe, customer.id, customer.locale) } : context;
    // The footer's preference page link: on a customer's year (`customer-<id>`), the one the page reads and changes.
    const ownYear = key.startsWith(`${customerWorkflowId(customer.id)}.`);
    const withPreferences = asked && deps.unsubscribe && ownYear ? { ...asked, preferencesUrl: preferenceUrl(deps.unsubscribe, customer.id, customer.locale) } : asked;
    const content = await renderTouchEmail(customer, touch, business, withSurveyLink(deps.unsubscribe, key, customer, touch, withPreferences));
    const messageId = messageIdFor(key);
    const unsure = await ledger.sendingMark(key);
    // SMTP has no way to ask "did you get it?": the resend keeps the Message-ID, so the
    // receiving mailbox can drop the copy, and the log says so.
    if (unsure) activityLog.warn('an earlier attempt may have sent this email; resending with the same Message-ID', { key, startedAt: unsure.startedAt });
    await ledger.markSending(key, { startedAt: new Date().toISOString(), channel: 'email' });
    try {
      const headers = { 'X-Plan33-Touch': key, ...(deps.unsubscribe ? listUnsubscribeHeaders(deps.unsubscribe, customer.id) : {}) };
      await mailer.sendMail({ from: business.mailFrom, to: customer.email, subject: content.subject, text: content.text, html: content.html, messageId, headers });
    } catch (err) {
      if (refusedByMailServer(err)) permanent(`refused by the mail server: ${(err as Error).message}`, 'PermanentDeliveryFailure');
      throw err; // transient: Temporal retries with backoff
    }
    return { outcome: 'sent', reference: messageId };
  }

  async function emailTo(key: string, to: string, subject: string, text: string): Promise<void> {
    await once(key, async () => {
      await mailer.sendMail({ from: business.mailFrom, to, subject, text, messageId: messageIdFor(key), headers: { 'X-Plan33-Task': key } });
      return { outcome: 'sent' as const, reference: messageIdFor(key) };
    });
  }

  return { sendEmail, emailTo };
}

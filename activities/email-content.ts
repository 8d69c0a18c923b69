// Rendering a touch for its channel: responsive HTML email through mjml (right-to-left with
// Arabic fonts for Arabic customers) plus a plain-text part, and the short SMS text.
import mjml2html from 'mjml';
import type { Customer } from '../plan/customer';
import type { Touch } from '../plan/touch';
import { referralLink, touchCopy, type Business, type TouchContext } from './copy';

export type { Business, TouchContext } from './copy';

export interface EmailContent {
  subject: string;
  text: string;
  html: string;
}

/** The bare address of a From header (`Cedar Homes <hello@cedar.test>` -> `hello@cedar.test`). */
const replyAddress = (from: string) => /<([^>]+)>/.exec(from)?.[1] ?? from;

const escape = (s: string) => s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

/** Fonts that render Arabic on every major mail client, with safe fallbacks. */
const FONTS = { ar: "'Noto Naskh Arabic', 'Segoe UI', Tahoma, 'Arial Unicode MS', Arial, sans-serif", en: "'Helvetica Neue', Helvetica, Arial, sans-serif" };

export async function renderTouchEmail(customer: Customer, touch: Touch, business: Business, context?: TouchContext): Promise<EmailContent> {
  const copy = touchCopy(customer, touch, business, context);
  const align = copy.dir === 'rtl' ? 'right' : 'left';
  // mjml writes `direction:ltr` on sections and columns unless told otherwise, and `dir` on
  // <html> does not reach into them: each block says its direction itself.
  const text = (t: string, extra = '') => `<mj-text align="${align}" ${extra}><div dir="${copy.dir}" style="direction:${copy.dir}">${escape(t)}</div></mj-text>`;
  // The footer's link to the customer's preference page (channels, pause, language, household).
  const preferences = context?.preferencesUrl
    ? `<mj-text align="${align}" font-size="12px" color="#52606d" css-class="preferences"><div dir="${copy.dir}" style="direction:${copy.dir}"><a href="${escape(context.preferencesUrl)}" style="color:#3e4c59">${escape(copy.preferencesLink)}</a></div></mj-text>`
    : '';
  const source = `
<mjml lang="${copy.lang}" dir="${copy.dir}">
  <mj-head>
    <mj-title>${escape(copy.subject)}</mj-title>
    <mj-font name="Noto Naskh Arabic" href="https://fonts.googleapis.com/css2?family=Noto+Naskh+Arabic" />
    <mj-attributes><mj-all font-family="${FONTS[copy.lang]}" /><mj-text font-size="16px" line-height="1.6" color="#1f2933" /></mj-attributes>
  </mj-head>
  <mj-body background-color="#f4f5f7">
    <mj-section background-color="#ffffff" padding="24px" direction="${copy.dir}">
      <mj-column direction="${copy.dir}">
        ${text(copy.greeting)}
        ${copy.paragraphs.map((p) => text(p)).join('\n        ')}
        <mj-divider border-color="#e4e7eb" border-width="1px" />
        ${text(copy.referral, 'css-class="referral"')}
        <mj-button href="${escape(copy.prospect ? `mailto:${replyAddress(business.mailFrom)}` : referralLink(business, context?.touchKey))}" align="${align}" background-color="#0b6e4f">${escape(copy.referralCta)}</mj-button>
        ${text(copy.signOff)}
      </mj-column>
    </mj-section>
    <mj-section padding="12px 24px" direction="${copy.dir}">
      <mj-column direction="${copy.dir}">
        ${text(`${business.name} · ${business.postalAddress}`, 'font-size="12px" color="#7b8794" css-class="footer"')}
        ${preferences}
      </mj-column>
    </mj-section>
  </mj-body>
</mjml>`;
  const { html, errors } = await mjml2html(source, { validationLevel: 'strict' });
  if (errors.length > 0) throw new Error(`email template for ${touch.kind}: ${errors.map((e) => e.formattedMessage).join('; ')}`);
  const plain = [copy.greeting, '', ...copy.paragraphs.flatMap((p) => [p, '']), copy.referral, '', copy.signOff, '--', business.name, business.postalAddress, ...(context?.preferencesUrl ? [`${copy.preferencesLink}: ${context.preferencesUrl}`] : [])].join('\n');
  return { subject: copy.subject, text: plain, html };
}

/** An SMS: one or two segments, with the referral link and the opt-out hint. */
export function renderTouchSms(customer: Customer, touch: Touch, business: Business, context?: TouchContext): string {
  const copy = touchCopy(customer, touch, business, context);
  const separator = copy.lang === 'ar' ? '، ' : ', ';
  const refer = copy.lang === 'ar' ? 'للتوصية' : 'Refer a friend';
  // A newsletter issue's paragraphs are written for email: an SMS carries its headline.
  const line = touch.kind === 'newsletter' && context?.newsletter ? context.newsletter.subject : copy.paragraphs[0];
  // A prospect is not asked for referrals: a reply reaches the agent.
  // The survey's SMS carries the survey's link, not the referral link.
  if (touch.kind === 'nps-survey') return `${customer.name.first}${separator}${line} ${copy.stopHint}`;
  if (copy.prospect) return `${customer.name.first}${separator}${line} ${copy.lang === 'ar' ? 'ردّ على هذه الرسالة لنساعدك.' : 'Reply to talk to us.'} ${copy.stopHint}`;
  return `${customer.name.first}${separator}${line} ${refer}: ${referralLink(business, context?.touchKey)} ${copy.stopHint}`;
}

/** The words of a printed item (card, letter, gift note). */
export function renderPostal(customer: Customer, touch: Touch, business: Business, context?: TouchContext): string {
  const copy = touchCopy(customer, touch, business, context);
  return [copy.subject, copy.greeting, ...copy.paragraphs, copy.referral, copy.signOff].join('\n\n');
}

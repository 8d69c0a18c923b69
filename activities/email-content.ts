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

/** The dynamic parts of an email, as they go into the MJML (escaped where they are text). */
interface EmailSlots {
  lang: 'en' | 'ar';
  dir: 'ltr' | 'rtl';
  title: string;
  greeting: string;
  paragraphs: string[];
  referral: string;
  buttonHref: string;
  buttonText: string;
  signOff: string;
  footer: string;
  preferences?: { href: string; text: string };
}

function emailSlots(customer: Customer, touch: Touch, business: Business, context?: TouchContext) {
  const copy = touchCopy(customer, touch, business, context);
  const slots: EmailSlots = {
    lang: copy.lang,
    dir: copy.dir,
    title: escape(copy.subject),
    greeting: escape(copy.greeting),
    paragraphs: copy.paragraphs.map(escape),
    referral: escape(copy.referral),
    buttonHref: escape(copy.prospect ? `mailto:${replyAddress(business.mailFrom)}` : referralLink(business, context?.touchKey)),
    buttonText: escape(copy.referralCta),
    signOff: escape(copy.signOff),
    footer: escape(`${business.name} · ${business.postalAddress}`),
    // The footer's link to the customer's preference page (channels, pause, language, household).
    ...(context?.preferencesUrl ? { preferences: { href: escape(context.preferencesUrl), text: escape(copy.preferencesLink) } } : {}),
  };
  const plain = [copy.greeting, '', ...copy.paragraphs.flatMap((p) => [p, '']), copy.referral, '', copy.signOff, '--', business.name, business.postalAddress, ...(context?.preferencesUrl ? [`${copy.preferencesLink}: ${context.preferencesUrl}`] : [])].join('\n');
  return { subject: copy.subject, plain, slots };
}

/** The MJML source of an email. */
function mjmlSource(x: EmailSlots): string {
  const align = x.dir === 'rtl' ? 'right' : 'left';
  // mjml writes `direction:ltr` on sections and columns unless told otherwise, and `dir` on
  // <html> does not reach into them: each block says its direction itself.
  const text = (t: string, extra = '') => `<mj-text align="${align}" ${extra}><div dir="${x.dir}" style="direction:${x.dir}">${t}</div></mj-text>`;
  const preferences = x.preferences
    ? `<mj-text align="${align}" font-size="12px" color="#52606d" css-class="preferences"><div dir="${x.dir}" style="direction:${x.dir}"><a href="${x.preferences.href}" style="color:#3e4c59">${x.preferences.text}</a></div></mj-text>`
    : '';
  return `
<mjml lang="${x.lang}" dir="${x.dir}">
  <mj-head>
    <mj-title>${x.title}</mj-title>
    <mj-font name="Noto Naskh Arabic" href="https://fonts.googleapis.com/css2?family=Noto+Naskh+Arabic" />
    <mj-attributes><mj-all font-family="${FONTS[x.lang]}" /><mj-text font-size="16px" line-height="1.6" color="#1f2933" /></mj-attributes>
  </mj-head>
  <mj-body background-color="#f4f5f7">
    <mj-section background-color="#ffffff" padding="24px" direction="${x.dir}">
      <mj-column direction="${x.dir}">
        ${text(x.greeting)}
        ${x.paragraphs.map((p) => text(p)).join('\n        ')}
        <mj-divider border-color="#e4e7eb" border-width="1px" />
        ${text(x.referral, 'css-class="referral"')}
        <mj-button href="${x.buttonHref}" align="${align}" background-color="#0b6e4f">${x.buttonText}</mj-button>
        ${text(x.signOff)}
      </mj-column>
    </mj-section>
    <mj-section padding="12px 24px" direction="${x.dir}">
      <mj-column direction="${x.dir}">
        ${text(x.footer, 'font-size="12px" color="#7b8794" css-class="footer"')}
        ${preferences}
      </mj-column>
    </mj-section>
  </mj-body>
</mjml>`;
}

async function compile(source: string, kind: string): Promise<string> {
  const { html, errors } = await mjml2html(source, { validationLevel: 'strict' });
  if (errors.length > 0) throw new Error(`email template for ${kind}: ${errors.map((e) => e.formattedMessage).join('; ')}`);
  return html;
}

// mjml takes about 3 ms an email; the words change, the layout does not. So each layout (the
// language, the number of paragraphs, a preferences link or not) is compiled once, with a
// marker in every slot, and an email is that HTML with its escaped words in the slots.
// `renderTouchEmailThroughMjml` renders the whole email through mjml instead: the tests hold
// the two to the same bytes.
const SLOT = /PLAN33SLOT(\d+)X/g;
const layouts = new Map<string, Promise<string>>();

function slotValues(x: EmailSlots): string[] {
  return [x.title, x.greeting, ...x.paragraphs, x.referral, x.buttonHref, x.buttonText, x.signOff, x.footer, ...(x.preferences ? [x.preferences.href, x.preferences.text] : [])];
}

function withMarkers(x: EmailSlots): EmailSlots {
  let n = 0;
  const mark = () => `PLAN33SLOT${n++}X`;
  return {
    lang: x.lang,
    dir: x.dir,
    title: mark(),
    greeting: mark(),
    paragraphs: x.paragraphs.map(mark),
    referral: mark(),
    buttonHref: mark(),
    buttonText: mark(),
    signOff: mark(),
    footer: mark(),
    ...(x.preferences ? { preferences: { href: mark(), text: mark() } } : {}),
  };
}

export async function renderTouchEmail(customer: Customer, touch: Touch, business: Business, context?: TouchContext): Promise<EmailContent> {
  const { subject, plain, slots } = emailSlots(customer, touch, business, context);
  const key = `${slots.lang}|${slots.dir}|${slots.paragraphs.length}|${slots.preferences ? 'p' : ''}`;
  let layout = layouts.get(key);
  if (!layout) {
    layout = compile(mjmlSource(withMarkers(slots)), touch.kind);
    layouts.set(key, layout);
    layout.catch(() => layouts.delete(key));
  }
  const values = slotValues(slots);
  // One pass: words that happen to look like a marker are not filled in again.
  const html = (await layout).replace(SLOT, (_, i: string) => values[Number(i)]!);
  return { subject, text: plain, html };
}

/** The same email rendered whole by mjml (what renderTouchEmail's layouts must equal). */
export async function renderTouchEmailThroughMjml(customer: Customer, touch: Touch, business: Business, context?: TouchContext): Promise<EmailContent> {
  const { subject, plain, slots } = emailSlots(customer, touch, business, context);
  return { subject, text: plain, html: await compile(mjmlSource(slots), touch.kind) };
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

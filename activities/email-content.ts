// What each touch says. Every customer-facing message carries the referral reminder and the
// business's postal address. (Per-kind templates in English and Arabic come with the
// channels issue; these are plain, personal, and short.)
import type { Customer } from '../plan/customer';
import type { Touch } from '../plan/touch';

export interface Business {
  name: string;
  postalAddress: string;
  mailFrom: string;
  referralUrl: string;
}

export interface TouchContext {
  plan: string;
  planYear: number;
  /** The agent's notes from the reached call a follow-up letter thanks for. */
  callNotes?: string;
}

export interface MessageContent {
  subject: string;
  /** The body: a few short paragraphs. */
  paragraphs: string[];
}

export interface EmailContent {
  subject: string;
  text: string;
  html: string;
}

const escapeHtml = (s: string) =>
  s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

export function referralReminder(business: Business): string {
  return `Know someone who would value the care you get from ${business.name}? Introduce them: ${business.referralUrl} — a referral is the best thank-you we can receive.`;
}

/** The words of a touch, whatever the channel. */
export function touchMessage(customer: Customer, touch: Touch, business: Business, context?: TouchContext): MessageContent {
  const name = business.name;
  switch (touch.kind) {
    case 'newsletter':
      return { subject: `${name}: your ${touch.title}`, paragraphs: [`Here is your ${touch.title}: news, useful tips and stories from the people at ${name}.`] };
    case 'holiday-card':
      return { subject: `${touch.title} greetings from ${name}`, paragraphs: [`Warm wishes for ${touch.occasion ?? touch.title} to you and your family from all of us at ${name}.`] };
    case 'personal-card':
      return { subject: `${touch.title}, from ${name}`, paragraphs: [`${touch.title}! We are thinking of you today and wish you every happiness.`] };
    case 'follow-up-letter':
      return {
        subject: `Great talking to you, ${customer.name.first}`,
        paragraphs: [
          `Thank you for taking the time to talk with us. It was great to hear how things are going.`,
          ...(context?.callNotes ? [`As we discussed: “${context.callNotes}”`] : []),
          `If there is anything we can do for you, just reply to this letter.`,
        ],
      };
    case 'give-away':
      return { subject: `A small gift from ${name}: ${touch.title}`, paragraphs: [`We hope this ${touch.title} is useful to you all year round.`] };
    case 'value-added':
      return touch.occasion === 'referral-thank-you'
        ? { subject: `Thank you for your referral, ${customer.name.first}`, paragraphs: [`Thank you for trusting us with someone you care about. Referrals like yours are how ${name} grows.`] }
        : { subject: `${touch.title}, from ${name}`, paragraphs: [`Something useful for you: ${touch.title}. With our compliments.`] };
    case 'call':
      return { subject: touch.title, paragraphs: [`A call from your ${name} agent.`] };
  }
}

export function renderTouchEmail(customer: Customer, touch: Touch, business: Business, context?: TouchContext): EmailContent {
  const { subject, paragraphs } = touchMessage(customer, touch, business, context);
  const greeting = `Dear ${customer.name.first},`;
  const reminder = referralReminder(business);
  const text = [greeting, '', ...paragraphs.flatMap((p) => [p, '']), reminder, '', '--', business.name, business.postalAddress].join('\n');
  const html = [
    `<!doctype html><html lang="${escapeHtml(customer.locale)}"><body>`,
    `<p>${escapeHtml(greeting)}</p>`,
    ...paragraphs.map((p) => `<p>${escapeHtml(p)}</p>`),
    `<p class="referral">${escapeHtml(reminder)}</p>`,
    `<hr><p class="footer">${escapeHtml(business.name)}<br>${escapeHtml(business.postalAddress)}</p>`,
    `</body></html>`,
  ].join('\n');
  return { subject, text, html };
}

/** An SMS: one or two segments, with the referral link and the opt-out hint. */
export function renderTouchSms(customer: Customer, touch: Touch, business: Business, context?: TouchContext): string {
  const { paragraphs } = touchMessage(customer, touch, business, context);
  return `${customer.name.first}, ${paragraphs[0]} Refer a friend: ${business.referralUrl} Reply STOP to opt out.`;
}

// What a touch email says. Every customer-facing message carries the referral reminder and
// the business's postal address. (Templates per kind and language come with the channels issue.)
import type { Customer } from '../plan/customer';
import type { Touch } from '../plan/touch';

export interface Business {
  name: string;
  postalAddress: string;
  mailFrom: string;
  referralUrl: string;
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

export function renderTouchEmail(customer: Customer, touch: Touch, business: Business): EmailContent {
  const subject = `${business.name}: your ${touch.title}`;
  const greeting = `Dear ${customer.name.first},`;
  const body = `Here is your ${touch.title}: news, useful tips and stories from the people at ${business.name}.`;
  const reminder = referralReminder(business);
  const text = [greeting, '', body, '', reminder, '', '--', business.name, business.postalAddress].join('\n');
  const html = [
    `<!doctype html><html lang="${escapeHtml(customer.locale)}"><body>`,
    `<p>${escapeHtml(greeting)}</p>`,
    `<p>${escapeHtml(body)}</p>`,
    `<p class="referral">${escapeHtml(reminder)}</p>`,
    `<hr><p class="footer">${escapeHtml(business.name)}<br>${escapeHtml(business.postalAddress)}</p>`,
    `</body></html>`,
  ].join('\n');
  return { subject, text, html };
}

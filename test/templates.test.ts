// Every customer-facing touch kind has its words in English and Arabic, renders through mjml
// without errors, and carries the referral reminder and the business's postal address.
import { describe, expect, it } from 'vitest';
import { renderPostal, renderTouchEmail, renderTouchEmailThroughMjml, renderTouchSms } from '../activities/email-content';
import { customerSchema } from '../plan/customer';
import { TOUCH_KINDS, type Touch } from '../plan/touch';
import { business } from './helpers/temporal';
import { customer } from './fixtures/customers';

const ARABIC = /[\u0600-\u06FF]/;
const touches: Touch[] = TOUCH_KINDS.filter((k) => k !== 'call').flatMap((kind) => [
  { seq: 1, kind, channel: 'email', at: '2027-03-09T10:00:00+03:00', title: kind === 'newsletter' ? 'March 2027 newsletter' : kind === 'holiday-card' ? 'Eid al-Fitr' : 'Happy birthday', occasion: kind === 'holiday-card' ? 'Eid al-Fitr' : 'birthday' },
  ...(kind === 'value-added' ? [{ seq: 2, kind, channel: 'email' as const, at: '2027-03-09T10:00:00+03:00', title: 'Thank you', occasion: 'referral-thank-you' }] : []),
]);

describe.each([
  ['en', 'ltr'],
  ['ar', 'rtl'],
] as const)('templates in %s', (locale, dir) => {
  const c = customerSchema.parse(customer({ locale }));
  it.each(touches.map((t) => [`${t.kind}${t.occasion === 'referral-thank-you' ? ' (referral thank-you)' : ''}`, t] as const))('%s: email, SMS and printed words', async (_name, touch) => {
    const surveyUrl = 'https://cedar.test/survey/abc.def';
    const email = await renderTouchEmail(c, touch, business, { plan: 'advocate', planYear: 1, callNotes: 'Loves the garden', surveyUrl });
    expect(email.html).toMatch(new RegExp(`<html lang="${locale}" dir="${dir}"`));
    // The direction reaches every block: mjml's own inline `direction` is the customer's too.
    const directions = new Set([...email.html.matchAll(/direction:\s*(ltr|rtl)/g)].map((m) => m[1]));
    expect([...directions]).toEqual([dir]);
    expect(email.html.match(new RegExp(`<div dir="${dir}"`, 'g'))?.length ?? 0).toBeGreaterThanOrEqual(4);
    expect(email.subject.length).toBeGreaterThan(5);
    expect(ARABIC.test(email.subject)).toBe(locale === 'ar');
    for (const part of [email.text, email.html]) {
      expect(part).toContain(business.referralUrl);
      expect(part).toContain(business.postalAddress);
    }
    // The survey's SMS carries the survey's link (one link per SMS); every other one the referral link.
    const sms = renderTouchSms(c, touch, business, { plan: 'advocate', planYear: 1, surveyUrl });
    expect(sms).toContain(touch.kind === 'nps-survey' ? surveyUrl : business.referralUrl);
    if (touch.kind === 'nps-survey') expect(email.text).toContain(surveyUrl);
    expect(sms).toMatch(locale === 'ar' ? /للإيقاف أرسل STOP$/ : /Reply STOP to opt out\.$/);
    expect(renderPostal(c, touch, business)).toContain(business.referralUrl);
    if (touch.kind === 'follow-up-letter') expect(email.text).toContain('Loves the garden');
  });
});

// renderTouchEmail fills a layout compiled once per shape; the same email rendered whole by mjml
// must be the same bytes, whatever the words: quotes, markup, `$&`, a word shaped like a slot.
describe('email layouts compiled once', () => {
  const odd = { first: `O'Brien <b>&amp; "Co"</b> $& $1 PLAN33SLOT0X`, last: 'سارة' };
  it.each([
    ['en', undefined],
    ['en', 'https://cedar.test/p/abc?x=1&y="2"'],
    ['ar', undefined],
    ['ar', 'https://cedar.test/p/abc'],
  ] as const)('%s, preferences link %s: the same HTML as mjml, for every kind', async (locale, preferencesUrl) => {
    expect(touches.length).toBeGreaterThan(0);
    for (const name of [{ first: 'Layla' }, odd]) {
      const c = customerSchema.parse(customer({ locale, name }));
      for (const touch of touches) {
        const context = { plan: 'advocate' as const, planYear: 1, callNotes: `Loves the garden & "roses" ${odd.first}`, surveyUrl: 'https://cedar.test/survey/abc.def', touchKey: 'customer-x.y1.t3', ...(preferencesUrl ? { preferencesUrl } : {}) };
        const [fast, whole] = await Promise.all([renderTouchEmail(c, touch, business, context), renderTouchEmailThroughMjml(c, touch, business, context)]);
        expect(fast).toEqual(whole);
      }
    }
    const c = customerSchema.parse(customer({ locale, name: odd }));
    const email = await renderTouchEmail(c, touches[0]!, business, { plan: 'client-for-life', planYear: 1 });
    expect(email.html).toContain('O&#39;Brien &lt;b&gt;&amp;amp; &quot;Co&quot;&lt;/b&gt; $&amp; $1 PLAN33SLOT0X');
  });
});

// The customer's preference page (no sign-in): GET /prefs?t=<token> shows, in the customer's
// language (locale `ar*`: Arabic, right to left; `?lang=` overrides), which channels we may use,
// "pause until", language and household; POST /prefs?t=<token> changes them through the service
// layer (service/preferences.ts: opt-out / opt-in signals and the validated profile update).
// The token (lib/preference-link.ts) comes from the footer of every email and the survey's
// thank-you page; a forged or altered one gets 403, a customer whose plan ended a polite page.
// One-click unsubscribe (/v1/unsubscribe/..., api/server.ts) is separate and unchanged.
//
// CSRF. Customers have no session: no cookie rides along with a cross-site request, so the
// classic attack (a foreign page making the browser post with its ambient credentials) has
// nothing to borrow. The signed token in the URL is the capability: whoever holds it may change
// these choices, so the form must carry something a foreign page cannot make from the URL alone.
// We chose the per-render HMAC over "the token again in the body": the body copy of the token is
// exactly what a foreign page that knows the URL can write, so it proves nothing. The hidden
// `_form` field is HMAC(secret, token + the time the page was rendered) (formStamp): it cannot be
// made without the server's secret, it binds the form to this customer's link (a form rendered for
// one link fails on another), and it expires (FORM_VALID_MS, a day), so a page left open or a copy
// from a browser's history cannot post old choices over newer ones: a refused post gets the page
// again with the current choices and a fresh stamp. The page is sent with `Referrer-Policy:
// no-referrer` (the token must not leak to other sites through links) and is never cached.
import { limitPublicPages, postLimit } from '../public-limits';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { checkFormStamp, formStamp, verifyPreferenceToken } from '../../lib/preference-link';
import type { Channel } from '../../plan/customer';
import { DATE_RANGE } from '../../plan/dates';
import { NotFoundError, ValidationError } from '../../service/errors';
import { readPreferences, savePreferences, type Preferences, type PreferencesInput } from '../../service/preferences';
import type { WebContext } from './context';
import { esc, page, sendPage, type Lang } from './layout';

const WORDS = {
  en: {
    title: 'Your preferences',
    hello: (name: string) => `Hello ${name}. Choose how we keep in touch with you: your choices apply from now on.`,
    channels: 'How we may contact you',
    channel: { email: 'Email', sms: 'Text messages (SMS)', postal: 'Cards and letters by post', phone: 'Phone calls' } as Record<Channel, string>,
    noDetail: { email: 'we have no email address for you', sms: 'we have no mobile number for you', postal: 'we have no postal address for you', phone: 'we have no phone number for you' } as Record<Channel, string>,
    channelsHint: 'Untick a channel and we stop using it. Untick them all and we send you nothing more.',
    pause: 'Pause until',
    pauseHint: 'We will not contact you before this day. Leave it empty for no pause.',
    language: 'Language',
    household: 'Household',
    householdLabel: 'One printed card for everyone at my address',
    householdHint: 'Others at your address who chose this too share one holiday card or printed newsletter with you. Emails stay personal.',
    save: 'Save my preferences',
    saved: 'Thank you: your preferences are saved.',
    problem: 'Please check:',
    invalid: 'This link is not valid. Please use the link from one of our emails.',
    stale: 'This page was open too long, or did not come from us, so nothing was changed. Here are your current choices: please make your changes again.',
    ended: 'We no longer send you anything, so there is nothing to change here. Thank you for the time you spent with us.',
    unavailable: 'The preference page is not available at the moment. Please try again later.',
    other: 'العربية',
  },
  ar: {
    title: 'تفضيلاتك',
    hello: (name: string) => `مرحبًا ${name}. اختر كيف نبقى على تواصل معك، وتسري اختياراتك من الآن.`,
    channels: 'كيف يمكننا التواصل معك',
    channel: { email: 'البريد الإلكتروني', sms: 'الرسائل النصية (SMS)', postal: 'البطاقات والرسائل بالبريد', phone: 'المكالمات الهاتفية' } as Record<Channel, string>,
    noDetail: { email: 'ليس لدينا بريد إلكتروني لك', sms: 'ليس لدينا رقم جوال لك', postal: 'ليس لدينا عنوان بريدي لك', phone: 'ليس لدينا رقم هاتف لك' } as Record<Channel, string>,
    channelsHint: 'ألغِ تحديد أي وسيلة ونتوقف عن استخدامها. ألغِ تحديدها كلها ولن نرسل لك شيئًا بعد ذلك.',
    pause: 'إيقاف مؤقت حتى',
    pauseHint: 'لن نتواصل معك قبل هذا اليوم. اتركه فارغًا إن لم ترغب في الإيقاف.',
    language: 'اللغة',
    household: 'الأسرة',
    householdLabel: 'بطاقة مطبوعة واحدة لكل من يقيم في عنواني',
    householdHint: 'من يقيم في عنوانك واختار ذلك أيضًا يتشارك معك بطاقة المناسبة أو النشرة المطبوعة. أما الرسائل الإلكترونية فتبقى شخصية.',
    save: 'احفظ تفضيلاتي',
    saved: 'شكرًا لك: حُفظت تفضيلاتك.',
    problem: 'يُرجى المراجعة:',
    invalid: 'هذا الرابط غير صالح. يُرجى استخدام الرابط الوارد في إحدى رسائلنا.',
    stale: 'بقيت هذه الصفحة مفتوحة طويلًا أو لم تصدر عنا، فلم يتغير شيء. هذه اختياراتك الحالية: يُرجى إجراء تغييراتك من جديد.',
    ended: 'لم نعد نرسل لك شيئًا، فلا يوجد ما يمكن تغييره هنا. شكرًا للوقت الذي أمضيته معنا.',
    unavailable: 'صفحة التفضيلات غير متاحة حاليًا. يُرجى المحاولة لاحقًا.',
    other: 'English',
  },
} as const;

const LANGUAGE_NAMES: Record<Lang, string> = { en: 'English', ar: 'العربية' };
const CHANNELS: Channel[] = ['email', 'sms', 'postal', 'phone'];
const DETAIL: Record<Channel, keyof Preferences['has']> = { email: 'email', sms: 'phone', postal: 'address', phone: 'phone' };

/** The page's fields, by the names problems use (service/preferences.ts). */
const FIELD_LABEL = (lang: Lang): Record<string, string> => ({
  consent: WORDS[lang].channels,
  ...Object.fromEntries(CHANNELS.map((ch) => [`consent.${ch}`, WORDS[lang].channel[ch]])),
  pauseUntil: WORDS[lang].pause,
  language: WORDS[lang].language,
  household: WORDS[lang].householdLabel,
});
const FIELD_ID: Record<string, string> = { consent: 'consent-email', pauseUntil: 'pauseUntil', language: 'language', household: 'household', ...Object.fromEntries(CHANNELS.map((ch) => [`consent.${ch}`, `consent-${ch}`])) };
/** Arabic words for the messages a customer can meet (others are shown as they come). */
const AR_MESSAGES: Record<string, string> = {
  'expected a real date as YYYY-MM-DD': 'أدخل تاريخًا صحيحًا بالصيغة YYYY-MM-DD',
  'expected a date from 1900-01-01 to 2199-12-31': 'أدخل تاريخًا بين 1900-01-01 و2199-12-31',
  'no reachable channel: give an email, phone or postal address with consent for it': 'لا بد من وسيلة واحدة على الأقل نصل بها إليك لحفظ بقية اختياراتك',
  'expected en or ar': 'اختر العربية أو English',
};

interface Problem {
  field: string;
  message: string;
}
function problemsOf(lines: string[]): Problem[] {
  return lines.map((line) => {
    const at = line.indexOf(': ');
    return at > 0 ? { field: line.slice(0, at), message: line.slice(at + 2) } : { field: '', message: line };
  });
}

/** The form's current values: the customer's choices, or what they just posted. */
interface FormValues {
  consent: Record<Channel, boolean>;
  pauseUntil: string;
  language: Lang;
  household: boolean;
}

function form(lang: Lang, prefs: Preferences, values: FormValues, action: string, stamp: string, notice: string, problems: Problem[]): string {
  const w = WORDS[lang];
  const labels = FIELD_LABEL(lang);
  const problemOf = (...fields: string[]) => problems.find((p) => fields.includes(p.field));
  const messageOf = (p: Problem) => (lang === 'ar' ? (AR_MESSAGES[p.message] ?? p.message) : p.message);
  // A field with a problem says so itself (aria-invalid, its message next to it) and in the alert above.
  const invalid = (id: string, p: Problem | undefined, hint?: string) => {
    const described = [hint, p ? `${id}-error` : undefined].filter(Boolean).join(' ');
    return `${p ? ' aria-invalid="true"' : ''}${described ? ` aria-describedby="${described}"` : ''}`;
  };
  const errorText = (id: string, p: Problem | undefined) => (p ? `<p class="field-error" id="${id}-error">${esc(messageOf(p))}</p>` : '');
  const alert = problems.length
    ? `<div role="alert"><p>${w.problem}</p><ul>${problems.map((p) => `<li>${FIELD_ID[p.field] ? `<a href="#${FIELD_ID[p.field]}">${esc(labels[p.field])}</a>: ` : ''}${esc(messageOf(p))}</li>`).join('')}</ul></div>`
    : '';

  const consentProblem = problemOf('consent');
  const channels = CHANNELS.map((ch) => {
    const id = `consent-${ch}`;
    const p = problemOf(`consent.${ch}`);
    const note = prefs.has[DETAIL[ch]] ? '' : ` <span class="muted" id="${id}-note">(${w.noDetail[ch]})</span>`;
    return `<div class="check"><input type="checkbox" id="${id}" name="${ch}" value="on"${values.consent[ch] ? ' checked' : ''}${invalid(id, p, note ? `${id}-note` : undefined)}><label for="${id}">${w.channel[ch]}</label>${note}</div>${errorText(id, p)}`;
  }).join('');
  const pauseProblem = problemOf('pauseUntil');
  const languageProblem = problemOf('language');
  const householdProblem = problemOf('household');
  const household = prefs.has.address
    ? `<fieldset class="card"><legend>${w.household}</legend><div class="check"><input type="checkbox" id="household" name="household" value="on"${values.household ? ' checked' : ''}${invalid('household', householdProblem, 'household-hint')}><label for="household">${w.householdLabel}</label></div><p class="muted" id="household-hint">${w.householdHint}</p>${errorText('household', householdProblem)}</fieldset>`
    : '';
  const options = (['en', 'ar'] as const).map((l) => `<option value="${l}" lang="${l}"${values.language === l ? ' selected' : ''}>${LANGUAGE_NAMES[l]}</option>`).join('');

  return `<p>${esc(w.hello(prefs.firstName))}</p>${notice}${alert}
<form method="post" action="${esc(action)}">
<input type="hidden" name="_form" value="${esc(stamp)}">
<fieldset class="card"${consentProblem ? ' aria-describedby="consent-error channels-hint"' : ' aria-describedby="channels-hint"'}><legend>${w.channels}</legend>${channels}<p class="muted" id="channels-hint">${w.channelsHint}</p>${errorText('consent', consentProblem)}</fieldset>
<div class="card"><label for="pauseUntil">${w.pause}</label><p class="muted" id="pause-hint">${w.pauseHint}</p><input type="date" id="pauseUntil" name="pauseUntil" min="${DATE_RANGE.from}" max="${DATE_RANGE.to}" value="${esc(values.pauseUntil)}"${invalid('pauseUntil', pauseProblem, 'pause-hint')}>${errorText('pauseUntil', pauseProblem)}</div>
<div class="card"><label for="language">${w.language}</label><select id="language" name="language"${invalid('language', languageProblem)}>${options}</select>${errorText('language', languageProblem)}</div>
${household}
<button type="submit">${w.save}</button>
</form>`;
}

const HEAD = '<style>fieldset{border:1px solid #d0d0d0}legend{font-weight:600;padding:0 .25rem}.check{display:flex;flex-wrap:wrap;gap:.5rem;align-items:center;margin:.35rem 0}.check input{width:1.25rem;height:1.25rem;margin:0}.check label{display:inline;flex:1 1 12rem;margin:0;font-weight:400}.field-error{color:#7a1010;font-weight:600;margin:.25rem 0}main{max-width:40rem}</style>';

/** The link's own characters only (base64url and the dot): nothing else reaches the page. */
const clean = (token: string) => token.replace(/[^A-Za-z0-9._-]/g, '');

export async function registerPreferences(app: FastifyInstance, ctx: WebContext): Promise<void> {
  const overrideOf = (req: FastifyRequest): Lang | undefined => {
    const q = (req.query as { lang?: string } | undefined)?.lang;
    return q === 'ar' || q === 'en' ? q : undefined;
  };
  const send = (reply: FastifyReply, html: string, status = 200) => sendPage(reply.header('referrer-policy', 'no-referrer'), html, status);
  const message = (reply: FastifyReply, lang: Lang, text: string, status: number, role: 'alert' | 'status' = 'alert') => send(reply, page(lang, WORDS[lang].title, `<p role="${role}">${esc(text)}</p>`, { head: HEAD }), status);
  /** A link that is not ours: said in both languages (we do not know whose it is). */
  const refuse = (reply: FastifyReply, lang: Lang) => {
    const other: Lang = lang === 'ar' ? 'en' : 'ar';
    return send(reply, page(lang, WORDS[lang].title, `<div role="alert"><p>${esc(WORDS[lang].invalid)}</p><p lang="${other}" dir="${other === 'ar' ? 'rtl' : 'ltr'}">${esc(WORDS[other].invalid)}</p></div>`, { head: HEAD }), 403);
  };
  const href = (token: string, lang?: Lang, extra = '') => `/prefs?t=${encodeURIComponent(token)}${lang ? `&lang=${lang}` : ''}${extra}`;

  /** The whole page for a customer: the form, a notice above it, problems named. */
  const render = (reply: FastifyReply, args: { token: string; override?: Lang; prefs: Preferences; values?: FormValues; notice?: string; problems?: Problem[]; status?: number }) => {
    const lang = args.override ?? args.prefs.language;
    const values: FormValues = args.values ?? { consent: { ...args.prefs.consent }, pauseUntil: args.prefs.pauseUntil ?? '', language: args.prefs.language, household: args.prefs.household };
    const other: Lang = lang === 'ar' ? 'en' : 'ar';
    const body = `${form(lang, args.prefs, values, href(args.token, args.override), formStamp(ctx.linkSecret!, args.token, Date.now()), args.notice ?? '', args.problems ?? [])}
<p><a href="${esc(href(args.token, other))}" lang="${other}">${WORDS[lang].other}</a></p>`;
    return send(reply, page(lang, WORDS[lang].title, body, { head: HEAD }), args.status ?? 200);
  };

  /** The customer a link names; undefined when the reply was sent (403 forged, 404 not configured). */
  const customerOf = (req: FastifyRequest, reply: FastifyReply): { token: string; customerId: string; lang: Lang } | undefined => {
    const token = clean((req.query as { t?: string } | undefined)?.t ?? '');
    const lang = overrideOf(req) ?? 'en';
    if (!ctx.linkSecret) return void message(reply, lang, WORDS[lang].unavailable, 404);
    const claims = verifyPreferenceToken(ctx.linkSecret, token);
    if (!claims) return void refuse(reply, lang);
    return { token, customerId: claims.customerId, lang: claims.lang };
  };

  // Rate-limited per client address (api/public-limits.ts), as the survey is.
  await app.register(async (pages) => {
    await limitPublicPages(pages);
    pages.get<{ Querystring: { t?: string; lang?: string; saved?: string } }>('/prefs', async (req, reply) => {
      const who = customerOf(req, reply);
      if (!who) return reply;
      const override = overrideOf(req);
      try {
        const prefs = await readPreferences(ctx.client, who.customerId);
        const lang = override ?? prefs.language;
        return render(reply, { token: who.token, override, prefs, notice: req.query.saved === '1' ? `<p role="status">${WORDS[lang].saved}</p>` : '' });
      } catch (err) {
        if (err instanceof NotFoundError) return message(reply, override ?? who.lang, WORDS[override ?? who.lang].ended, 404, 'status');
        throw err;
      }
    });

    pages.post<{ Querystring: { t?: string; lang?: string } }>('/prefs', postLimit, async (req, reply) => {
      const who = customerOf(req, reply);
      if (!who) return reply;
      const override = overrideOf(req);
      const body = (req.body ?? {}) as Record<string, string | undefined>;
      try {
        if (!checkFormStamp(ctx.linkSecret!, who.token, String(body._form ?? ''), Date.now())) {
          const prefs = await readPreferences(ctx.client, who.customerId);
          return render(reply, { token: who.token, override, prefs, notice: `<p role="alert">${WORDS[override ?? prefs.language].stale}</p>`, status: 403 });
        }
        const language: Lang = body.language === 'ar' ? 'ar' : body.language === 'en' ? 'en' : (override ?? who.lang);
        const input: PreferencesInput = {
          consent: { email: body.email === 'on', sms: body.sms === 'on', postal: body.postal === 'on', phone: body.phone === 'on' },
          pauseUntil: String(body.pauseUntil ?? ''),
          language,
          household: body.household === 'on',
        };
        try {
          const saved = await savePreferences(ctx.client, who.customerId, input);
          req.log.info({ customerId: who.customerId, changed: saved.changed }, 'preferences saved by the customer');
          // A new language is the page's language from now on; otherwise a chosen `?lang=` stays.
          const keep = saved.changed.includes('language') ? undefined : override;
          return reply.header('referrer-policy', 'no-referrer').redirect(href(who.token, keep, '&saved=1'), 303);
        } catch (err) {
          if (!(err instanceof ValidationError)) throw err;
          const prefs = await readPreferences(ctx.client, who.customerId);
          return render(reply, { token: who.token, override, prefs, values: { consent: input.consent, pauseUntil: input.pauseUntil ?? '', language, household: input.household ?? false }, problems: problemsOf(err.problems), status: 400 });
        }
      } catch (err) {
        if (err instanceof NotFoundError) return message(reply, override ?? who.lang, WORDS[override ?? who.lang].ended, 404, 'status');
        throw err;
      }
    });
  });
}

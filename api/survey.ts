// The NPS survey page (no login): GET /survey?t=<token> shows the documents' three questions in the
// customer's language (Arabic right to left), POST /survey?t=<token> stores the answer once and tells
// the customer's year. The token is the capability: signed, naming one person and one survey,
// expiring; a forged or altered link gets 403, an expired one 410, a used one 409.
import { limitPublicPages, postLimit } from './public-limits';
import type { FastifyInstance, FastifyReply } from 'fastify';
import type { Client } from '@temporalio/client';
import type { Db } from '../stores';
import { answerSurvey, openSurvey, SurveyLinkError } from '../service/nps';
import { ValidationError } from '../service/errors';
import { preferenceToken } from '../lib/preference-link';

type Lang = 'en' | 'ar';

const WORDS = {
  en: {
    title: 'How are we doing?',
    q1: 'How likely are you to recommend us to a friend or colleague?',
    scale: '0 = not at all likely, 10 = extremely likely',
    q2: 'Why did you give this score?',
    q3: 'What would it take for us to earn a 10?',
    send: 'Send my answers',
    thanks: 'Thank you! Your answers reached the people who serve you.',
    invalid: 'This survey link is not valid. Please use the link from our message.',
    expired: 'This survey link has expired. Thank you for wanting to answer.',
    answered: 'This survey was answered already. Thank you!',
    problem: 'Please check your answer:',
    preferences: 'Manage your preferences',
  },
  ar: {
    title: 'كيف نخدمك؟',
    q1: 'ما مدى احتمال أن توصي بنا لصديق أو زميل؟',
    scale: '0 = غير محتمل إطلاقًا، 10 = محتمل جدًا',
    q2: 'لماذا اخترت هذا التقييم؟',
    q3: 'ما الذي يجعلنا نستحق تقييم 10؟',
    send: 'أرسل إجاباتي',
    thanks: 'شكرًا لك! وصلت إجاباتك إلى الفريق الذي يخدمك.',
    invalid: 'رابط الاستبيان هذا غير صالح. يُرجى استخدام الرابط الوارد في رسالتنا.',
    expired: 'انتهت صلاحية رابط الاستبيان. شكرًا لرغبتك في الإجابة.',
    answered: 'تمت الإجابة على هذا الاستبيان من قبل. شكرًا لك!',
    problem: 'يُرجى مراجعة إجابتك:',
    preferences: 'إدارة تفضيلاتك',
  },
} as const;

const escape = (s: string) => s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

function page(lang: Lang, body: string): string {
  const w = WORDS[lang];
  return `<!doctype html><html lang="${lang}" dir="${lang === 'ar' ? 'rtl' : 'ltr'}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>${w.title}</title>
<style>body{font-family:system-ui,sans-serif;max-width:36rem;margin:1rem auto;padding:0 1rem;color:#1a1a1a;line-height:1.5}fieldset{border:0;padding:0;margin:1rem 0}legend{font-weight:600;margin-bottom:.25rem}.scale{display:flex;flex-wrap:wrap;gap:.25rem}.scale label{display:inline-flex;flex-direction:column;align-items:center;min-width:2.5rem;padding:.4rem;border:1px solid #767676;border-radius:.3rem;cursor:pointer}.hint{color:#4a4a4a;font-size:.9rem}label.q{display:block;font-weight:600;margin-top:1rem}textarea{width:100%;box-sizing:border-box;min-height:5rem;font:inherit}button{margin-top:1rem;padding:.6rem 1.2rem;font:inherit;background:#0b5394;color:#fff;border:0;border-radius:.3rem;cursor:pointer}[role=alert]{background:#fde8e8;color:#7a1010;padding:.5rem;border-radius:.3rem}</style></head>
<body><main>${body}</main></body></html>`;
}

function form(lang: Lang, token: string, problems: string[] = [], values: { score?: string; why?: string; toTen?: string } = {}): string {
  const w = WORDS[lang];
  const radios = Array.from({ length: 11 }, (_, n) => `<label for="score-${n}"><input type="radio" id="score-${n}" name="score" value="${n}" required${values.score === String(n) ? ' checked' : ''}>${n}</label>`).join('');
  const alert = problems.length ? `<div role="alert"><p>${w.problem}</p><ul>${problems.map((p) => `<li>${escape(p)}</li>`).join('')}</ul></div>` : '';
  return page(
    lang,
    `<h1>${w.title}</h1>${alert}<form method="post" action="/survey?t=${token}">
<fieldset><legend>1. ${w.q1}</legend><p class="hint" id="scale-hint">${w.scale}</p><div class="scale" role="radiogroup" aria-describedby="scale-hint">${radios}</div></fieldset>
<label class="q" for="why">2. ${w.q2}</label><textarea id="why" name="why" maxlength="2000">${escape(values.why ?? '')}</textarea>
<label class="q" for="toTen">3. ${w.q3}</label><textarea id="toTen" name="toTen" maxlength="2000">${escape(values.toTen ?? '')}</textarea>
<button type="submit">${w.send}</button></form>`,
  );
}

const STATUS = { invalid: 403, expired: 410, answered: 409 } as const;

export async function registerSurveyRoutes(app: FastifyInstance, opts: { client: Client; db: Db; secret?: string }): Promise<void> {
  const langOf = (q: { lang?: string }): Lang => (q.lang === 'ar' ? 'ar' : 'en');
  const refuse = (reply: FastifyReply, err: SurveyLinkError, lang: Lang) => reply.code(STATUS[err.why]).type('text/html; charset=utf-8').send(page(lang, `<h1>${WORDS[lang].title}</h1><p role="alert">${WORDS[lang][err.why]}</p>`));
  // The token (a query parameter: longer than a path parameter may be) is the capability; only its own characters reach the page.
  const clean = (token: string) => token.replace(/[^A-Za-z0-9._-]/g, '');

  // Rate-limited per client address (api/public-limits.ts): a link is a capability, not to be hammered.
  await app.register(async (pages) => {
    await limitPublicPages(pages);
    pages.get<{ Querystring: { t?: string; lang?: string } }>('/survey', async (req, reply) => {
      const token = req.query.t ?? '';
      try {
        const claims = await openSurvey(opts.db, opts.secret, token);
        return reply.type('text/html; charset=utf-8').header('cache-control', 'no-store').send(form(claims.lang, clean(token)));
      } catch (err) {
        if (err instanceof SurveyLinkError) return refuse(reply, err, langOf(req.query));
        throw err;
      }
    });

    pages.post<{ Querystring: { t?: string; lang?: string } }>('/survey', postLimit, async (req, reply) => {
      const token = req.query.t ?? '';
      const body = (req.body ?? {}) as { score?: string; why?: string; toTen?: string };
      try {
        const result = await answerSurvey(opts.client, opts.db, opts.secret, token, { score: body.score === '' ? undefined : body.score, why: body.why, toTen: body.toTen });
        req.log.info({ surveyId: result.surveyId, group: result.group }, 'NPS answer stored');
        // The same customer's preference page (channels, pause, language, household), as in every email's footer.
        const prefs = opts.secret ? `<p><a href="/prefs?t=${preferenceToken(opts.secret, { customerId: result.customerId, lang: result.lang })}">${WORDS[result.lang].preferences}</a></p>` : '';
        return reply.type('text/html; charset=utf-8').send(page(result.lang, `<h1>${WORDS[result.lang].title}</h1><p role="status">${WORDS[result.lang].thanks}</p>${prefs}`));
      } catch (err) {
        if (err instanceof SurveyLinkError) return refuse(reply, err, langOf(req.query));
        if (err instanceof ValidationError) {
          const claims = await openSurvey(opts.db, opts.secret, token);
          return reply.code(400).type('text/html; charset=utf-8').send(form(claims.lang, clean(token), err.problems, body));
        }
        throw err;
      }
    });
  });
}

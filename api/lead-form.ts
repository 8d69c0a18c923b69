// The embeddable lead form (F.A.S.T.'s Funnel on a website): GET /forms/lead serves an HTML form
// (English, or Arabic right to left with ?lang=ar) to embed in an iframe or link to; POST takes it
// as a plain form post through the same entry point as the API. Guarded three ways:
// - CSRF: every form carries a token signed with FORM_SECRET and dated; a post without a valid,
//   unexpired token is refused (a page elsewhere cannot post blind), and one posted within two
//   seconds of the form being served is taken for a bot;
// - a honeypot field hidden from people: a post that fills it is thanked and dropped;
// - a rate limit per client address (@fastify/rate-limit).
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import rateLimit from '@fastify/rate-limit';
import type { FastifyInstance } from 'fastify';
import type { LeadOptions } from '../service/leads';
import { captureLead } from '../service/leads';
import { ValidationError } from '../service/errors';
import type { Client } from '@temporalio/client';
import type { Db } from '../stores';

export interface LeadFormOptions {
  client: Client;
  db: Db;
  lead: LeadOptions;
  secret: string;
  /** Posts per client address per minute (default 5). */
  perMinute?: number;
  /** A token is good this long after the form was served (default 2 hours). */
  tokenTtlMs?: number;
  /** Posted sooner than this after the form was served: a bot (default 2 s). */
  minFillMs?: number;
  /** The time, for tests (default Date.now). */
  now?: () => number;
}

const HONEYPOT = 'website';

const WORDS = {
  en: {
    dir: 'ltr', title: 'Tell us what you are looking for', first: 'First name', last: 'Last name', email: 'Email', phone: 'Phone', needs: 'What are you looking for?', source: 'How did you hear about us?', sourceText: 'Anything more (optional)', consent: 'You may contact me about my enquiry by email, SMS and phone.', send: 'Send',
    thanks: 'Thank you. Someone from our team will be in touch shortly.', again: 'Thank you, we have your details already; we will be in touch.', fix: 'Please check these fields:', expired: 'This form has expired; please load it again.', honeypotLabel: 'Leave this empty',
  },
  ar: {
    dir: 'rtl', title: 'أخبرنا بما تبحث عنه', first: 'الاسم الأول', last: 'اسم العائلة', email: 'البريد الإلكتروني', phone: 'الهاتف', needs: 'عمّ تبحث؟', source: 'كيف سمعت عنا؟', sourceText: 'تفاصيل إضافية (اختياري)', consent: 'أوافق على التواصل معي بشأن طلبي عبر البريد الإلكتروني والرسائل والهاتف.', send: 'إرسال',
    thanks: 'شكرًا لك. سيتواصل معك أحد أعضاء فريقنا قريبًا.', again: 'شكرًا لك، بياناتك لدينا بالفعل وسنتواصل معك.', fix: 'يُرجى مراجعة هذه الحقول:', expired: 'انتهت صلاحية هذا النموذج؛ يُرجى تحميله من جديد.', honeypotLabel: 'اترك هذا الحقل فارغًا',
  },
} as const;
type Lang = keyof typeof WORDS;

const escape = (s: string) => s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

export function formToken(secret: string, issuedMs: number): string {
  const body = `${issuedMs.toString(36)}.${randomBytes(9).toString('base64url')}`;
  return `${body}.${createHmac('sha256', secret).update(`lead-form:${body}`).digest('base64url')}`;
}

/** The time a valid token was issued, or a reason it is not valid. */
export function checkFormToken(secret: string, token: string, nowMs: number, ttlMs: number, minFillMs: number): { issuedMs: number } | { problem: 'forged' | 'expired' | 'too-fast' } {
  const [time, nonce, mac, extra] = token.split('.');
  if (!time || !nonce || !mac || extra !== undefined) return { problem: 'forged' };
  const expected = Buffer.from(createHmac('sha256', secret).update(`lead-form:${time}.${nonce}`).digest('base64url'));
  const given = Buffer.from(mac);
  if (expected.length !== given.length || !timingSafeEqual(expected, given)) return { problem: 'forged' };
  const issuedMs = parseInt(time, 36);
  if (!Number.isFinite(issuedMs) || nowMs - issuedMs > ttlMs || issuedMs > nowMs + 60_000) return { problem: 'expired' };
  if (nowMs - issuedMs < minFillMs) return { problem: 'too-fast' };
  return { issuedMs };
}

function page(lang: Lang, body: string): string {
  const w = WORDS[lang];
  return `<!doctype html><html lang="${lang}" dir="${w.dir}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>${escape(w.title)}</title>
<style>body{font-family:system-ui,'Noto Naskh Arabic',sans-serif;max-width:32rem;margin:1rem auto;padding:0 1rem;color:#1f2933}label{display:block;margin:.6rem 0 .2rem}input,select,textarea{width:100%;padding:.5rem;box-sizing:border-box}.hp{position:absolute;left:-10000px;width:1px;height:1px;overflow:hidden}button{margin-top:1rem;padding:.6rem 1.2rem}.problems{color:#a61b1b}</style></head><body>${body}</body></html>`;
}

export function renderLeadForm(opts: { lang: Lang; token: string; sources: readonly string[]; problems?: string[]; values?: Record<string, string> }): string {
  const w = WORDS[opts.lang];
  const v = (k: string) => escape(opts.values?.[k] ?? '');
  const field = (name: string, label: string, type = 'text', required = false) => `<label for="${name}">${escape(label)}</label><input id="${name}" name="${name}" type="${type}" value="${v(name)}"${required ? ' required' : ''}>`;
  return page(
    opts.lang,
    `<h1>${escape(w.title)}</h1>${opts.problems?.length ? `<div class="problems" role="alert"><p>${escape(w.fix)}</p><ul>${opts.problems.map((p) => `<li>${escape(p)}</li>`).join('')}</ul></div>` : ''}
<form method="post" action="/forms/lead?lang=${opts.lang}">
<input type="hidden" name="token" value="${escape(opts.token)}"><input type="hidden" name="timezone" id="timezone" value="${v('timezone')}">
${field('first', w.first, 'text', true)}${field('last', w.last)}${field('email', w.email, 'email')}${field('phone', w.phone, 'tel')}
<label for="needs">${escape(w.needs)}</label><textarea id="needs" name="needs" rows="3">${v('needs')}</textarea>
<label for="source">${escape(w.source)}</label><select id="source" name="source">${opts.sources.map((s) => `<option value="${escape(s)}"${opts.values?.source === s ? ' selected' : ''}>${escape(s.replace(/-/g, ' '))}</option>`).join('')}</select>
${field('sourceText', w.sourceText)}
<div class="hp" aria-hidden="true"><label for="${HONEYPOT}">${escape(w.honeypotLabel)}</label><input id="${HONEYPOT}" name="${HONEYPOT}" type="text" tabindex="-1" autocomplete="off"></div>
<label><input type="checkbox" name="consent" value="yes" style="width:auto"${opts.values?.consent ? ' checked' : ''}> ${escape(w.consent)}</label>
<button type="submit">${escape(w.send)}</button></form>
<script>try{var tz=document.getElementById('timezone');if(!tz.value)tz.value=Intl.DateTimeFormat().resolvedOptions().timeZone}catch(e){}</script>`,
  );
}

export async function registerLeadForm(app: FastifyInstance, opts: LeadFormOptions): Promise<void> {
  const now = opts.now ?? Date.now;
  const ttl = opts.tokenTtlMs ?? 2 * 3_600_000;
  const minFill = opts.minFillMs ?? 2000;
  const langOf = (q: unknown): Lang => ((q as { lang?: string } | undefined)?.lang === 'ar' ? 'ar' : 'en');
  await app.register(async (forms) => {
    await forms.register(rateLimit, { max: opts.perMinute ?? 5, timeWindow: 60_000, keyGenerator: (req) => req.ip, errorResponseBuilder: (_req, ctx) => ({ statusCode: 429, error: 'Too Many Requests', message: `too many posts from this address; try again in ${Math.ceil(ctx.ttl / 1000)} s` }) });
    forms.get('/forms/lead', { config: { rateLimit: { max: (opts.perMinute ?? 5) * 12, timeWindow: 60_000 } } }, async (req, reply) => {
      const lang = langOf(req.query);
      // Embeddable in an iframe on the business's own site; nothing here is cached.
      return reply.type('text/html; charset=utf-8').header('cache-control', 'no-store').send(renderLeadForm({ lang, token: formToken(opts.secret, now()), sources: opts.lead.settings.sources }));
    });
    forms.post('/forms/lead', async (req, reply) => {
      const lang = langOf(req.query);
      const w = WORDS[lang];
      const body = (req.body ?? {}) as Record<string, string | undefined>;
      const html = (status: number, content: string) => reply.code(status).type('text/html; charset=utf-8').header('cache-control', 'no-store').send(page(lang, content));
      const checked = checkFormToken(opts.secret, String(body.token ?? ''), now(), ttl, minFill);
      if ('problem' in checked) {
        req.log.warn({ problem: checked.problem }, 'lead form refused');
        return checked.problem === 'expired' ? html(400, `<p>${escape(w.expired)}</p><p><a href="/forms/lead?lang=${lang}">${escape(w.title)}</a></p>`) : html(403, '<p>Forbidden</p>');
      }
      // A bot filled the field people cannot see: thanked, and nothing is kept.
      if ((body[HONEYPOT] ?? '') !== '') {
        req.log.warn('lead form: honeypot filled; dropped');
        return html(200, `<p>${escape(w.thanks)}</p>`);
      }
      const consent = body.consent === 'yes';
      const input = {
        name: { first: body.first ?? '', ...(body.last?.trim() ? { last: body.last } : {}) },
        ...(body.email?.trim() ? { email: body.email } : {}),
        ...(body.phone?.trim() ? { phone: body.phone } : {}),
        ...(body.needs?.trim() ? { needs: body.needs } : {}),
        locale: lang,
        // The browser's zone is unknown to a plain form: the business's default country's, else UTC.
        timezone: body.timezone?.trim() || opts.lead.settings.defaultTimezone || 'UTC',
        source: { channel: body.source ?? '', ...(body.sourceText?.trim() ? { text: body.sourceText } : {}) },
        consent: { email: consent, sms: consent, phone: consent, postal: false },
      };
      try {
        const result = await captureLead(opts.client, opts.db, input, opts.lead);
        return html(202, `<p>${escape(result.merged ? w.again : w.thanks)}</p>`);
      } catch (err) {
        if (!(err instanceof ValidationError)) throw err;
        return reply
          .code(400)
          .type('text/html; charset=utf-8')
          .send(renderLeadForm({ lang, token: formToken(opts.secret, now() - minFill), sources: opts.lead.settings.sources, problems: err.problems, values: Object.fromEntries(Object.entries(body).filter(([k]) => k !== 'token' && k !== HONEYPOT).map(([k, x]) => [k, String(x ?? '')])) }));
      }
    });
  });
}

// The web app's page shell: server-rendered HTML in English or Arabic (right to left), usable on a
// phone, with a skip link, landmarks and labelled forms (axe-core checks every page in the tests).
// Pages escape every value they print with `esc`.
import type { FastifyReply, FastifyRequest } from 'fastify';
import type {} from '@fastify/cookie';

export type Lang = 'en' | 'ar';

export const esc = (s: unknown): string => String(s ?? '').replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

/** The page's language: `?lang=`, else the `plan33_lang` cookie, else English. */
export function langOf(req: FastifyRequest): Lang {
  const q = (req.query as { lang?: string } | undefined)?.lang;
  if (q === 'ar' || q === 'en') return q;
  return req.cookies?.plan33_lang === 'ar' ? 'ar' : 'en';
}

const NAV = {
  en: { inbox: 'Inbox', dashboard: 'Dashboard', impact: 'Plan change', signOut: 'Sign out', skip: 'Skip to content', other: 'العربية' },
  ar: { inbox: 'المهام', dashboard: 'لوحة المتابعة', impact: 'تغيير الخطة', signOut: 'تسجيل الخروج', skip: 'انتقل إلى المحتوى', other: 'English' },
} as const;

export const STYLE = `
*{box-sizing:border-box}body{font-family:system-ui,-apple-system,"Segoe UI",Tahoma,sans-serif;margin:0;color:#1a1a1a;line-height:1.5;background:#fafafa}
a{color:#0b5394}header.top{background:#0b3d66;color:#fff;padding:.5rem 1rem;display:flex;flex-wrap:wrap;gap:.75rem;align-items:center}
header.top a{color:#fff}header.top .brand{font-weight:700;margin-inline-end:auto}header.top form button{padding:.25rem .6rem}main{max-width:64rem;margin:0 auto;padding:1rem}
.skip{position:absolute;inset-inline-start:-999px}.skip:focus{inset-inline-start:1rem;background:#fff;color:#000;padding:.25rem}
table{border-collapse:collapse;width:100%;margin:.5rem 0;background:#fff}th,td{border:1px solid #d0d0d0;padding:.35rem .5rem;text-align:start;vertical-align:top}
caption{text-align:start;font-weight:600;padding:.25rem 0}.card{background:#fff;border:1px solid #d0d0d0;border-radius:.4rem;padding:.75rem;margin:.75rem 0}
label{display:block;margin:.4rem 0 .15rem;font-weight:600}input,select,textarea,button{font:inherit}input[type=text],input[type=email],input[type=date],input[type=datetime-local],select,textarea{width:100%;max-width:32rem;padding:.35rem}
textarea{min-height:6rem}button{padding:.45rem 1rem;background:#0b5394;color:#fff;border:0;border-radius:.3rem;cursor:pointer;margin-top:.5rem}
button.secondary{background:#4a4a4a}.muted{color:#4a4a4a}.tag{display:inline-block;padding:0 .4rem;border-radius:.3rem;background:#e8eef5;color:#0b3d66;font-size:.9rem}
.overdue{color:#8a1010;font-weight:600}[role=alert]{background:#fde8e8;color:#7a1010;padding:.5rem;border-radius:.3rem}[role=status]{background:#e6f4ea;color:#0d5323;padding:.5rem;border-radius:.3rem}
.inline{display:inline}.row{display:flex;flex-wrap:wrap;gap:1rem}.row>*{flex:1 1 18rem}.chart{position:relative;min-height:16rem}
@media (max-width:40rem){th,td{padding:.25rem}main{padding:.5rem}}
`;

export interface PageUser {
  id: string;
  name: string;
  role: 'agent' | 'manager';
  csrf: string;
}

/** A whole page: `<html lang dir>`, the top bar (when signed in), `main#content`. */
export function page(lang: Lang, title: string, body: string, opts: { user?: PageUser; head?: string } = {}): string {
  const n = NAV[lang];
  const other: Lang = lang === 'ar' ? 'en' : 'ar';
  const bar = opts.user
    ? `<header class="top"><span class="brand">plan33</span><nav aria-label="${lang === 'ar' ? 'التنقل' : 'Main'}" style="display:flex;flex-wrap:wrap;gap:.75rem"><a href="/app/inbox">${n.inbox}</a>${opts.user.role === 'manager' ? `<a href="/app/dashboard">${n.dashboard}</a><a href="/app/plan-impact">${n.impact}</a>` : ''}<a href="?lang=${other}" lang="${other}">${n.other}</a></nav><span>${esc(opts.user.name)}</span><form method="post" action="/app/sign-out" class="inline"><input type="hidden" name="_csrf" value="${esc(opts.user.csrf)}"><button type="submit" class="secondary" style="margin:0">${n.signOut}</button></form></header>`
    : '';
  return `<!doctype html><html lang="${lang}" dir="${lang === 'ar' ? 'rtl' : 'ltr'}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>${esc(title)} · plan33</title><style>${STYLE}</style>${opts.head ?? ''}</head>
<body><a class="skip" href="#content">${n.skip}</a>${bar}<main id="content"><h1>${esc(title)}</h1>${body}</main></body></html>`;
}

/** Sends a page (HTML, not cached: pages show people's data). */
export function sendPage(reply: FastifyReply, html: string, status = 200): FastifyReply {
  return reply.code(status).type('text/html; charset=utf-8').header('cache-control', 'no-store').header('x-frame-options', 'DENY').send(html);
}

/** The hidden CSRF field every form of a signed-in page carries. */
export const csrfField = (user: PageUser) => `<input type="hidden" name="_csrf" value="${esc(user.csrf)}">`;

/** A date-time in a person's zone, e.g. 2027-03-09 10:00 (Asia/Riyadh). */
export function localTime(iso: string | undefined, zone: string): string {
  if (!iso) return '';
  const d = new Date(iso);
  const parts = new Intl.DateTimeFormat('en-CA', { timeZone: zone, year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).formatToParts(d);
  const get = (t: string) => parts.find((p) => p.type === t)?.value ?? '';
  return `${get('year')}-${get('month')}-${get('day')} ${get('hour')}:${get('minute')}`;
}

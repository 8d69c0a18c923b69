// Sign-in to the web app: an agent or manager asks for a one-time link by email (signed by
// randomness: 32 bytes, stored hashed, 15 minutes, single use), sent through the same SMTP as the
// touches; the link opens a session in a Secure, HttpOnly, SameSite=Lax cookie (12 hours) that
// carries nothing but a random id. Every signed-in page sits behind `requireUser`.
//
// The link's GET (and HEAD) only shows a page with one "Sign in" button; the button's POST spends
// the token. Corporate mail scanners (Defender Safe Links, Mimecast, Proofpoint) open every link
// in an email before the person does: a link spent by a GET would be used up by the scanner, and
// agents at such companies could never sign in. Scanners fetch; they do not press buttons. The
// POST is refused from another site's page (login CSRF; see fromOwnPages).
import rateLimit from '@fastify/rate-limit';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Agent, AgentDirectory } from '../../lib/agents';
import { linkUrl } from '../../lib/link-token';
import { checkCsrf, type WebContext } from './context';
import { esc, langOf, page, sendPage, type Lang } from './layout';

export const SIGN_IN_TTL_MS = 15 * 60_000;
export const SESSION_TTL_MS = 12 * 3_600_000;
export const SESSION_COOKIE = 'plan33_session';

const WORDS = {
  en: {
    title: 'Sign in',
    email: 'Your work email',
    send: 'Email me a sign-in link',
    sent: 'If that address belongs to an agent or manager, a sign-in link is on its way. It works once, for 15 minutes.',
    bad: 'This sign-in link is not valid: it was used already, has expired, or was altered. Ask for a new one.',
    subject: 'Your plan33 sign-in link',
    confirm: 'Press the button to sign in on this device. The link works once.',
    signIn: 'Sign in',
    elsewhere: 'This sign-in was sent from another site and was refused. Open your sign-in link again and press its button.',
  },
  ar: {
    title: 'تسجيل الدخول',
    email: 'بريدك الإلكتروني للعمل',
    send: 'أرسل لي رابط الدخول',
    sent: 'إن كان هذا العنوان لممثل أو مدير، فرابط الدخول في طريقه إليك. يعمل مرة واحدة خلال 15 دقيقة.',
    bad: 'رابط الدخول هذا غير صالح: استُخدم من قبل أو انتهت صلاحيته أو عُدّل. اطلب رابطًا جديدًا.',
    subject: 'رابط الدخول إلى plan33',
    confirm: 'اضغط الزر لتسجيل الدخول على هذا الجهاز. يعمل الرابط مرة واحدة.',
    signIn: 'تسجيل الدخول',
    elsewhere: 'رُفض تسجيل الدخول هذا لأنه أُرسل من موقع آخر. افتح رابط الدخول من جديد واضغط زره.',
  },
} as const;

/**
 * Whether a POST came from plan33's own pages (login CSRF: another site could otherwise make a
 * browser POST a token the attacker asked for, and sign the person in as the attacker). Refused
 * when the browser says the request is cross-site (`Sec-Fetch-Site` other than `same-origin`,
 * or `none` for one the person typed), or when its `Origin` is neither the public base URL's nor
 * the host the request was sent to. Clients
 * that send neither header (not browsers) pass: the token is what they need.
 */
export function fromOwnPages(req: FastifyRequest, publicBaseUrl: string): boolean {
  const site = req.headers['sec-fetch-site'];
  // A browser that sends Sec-Fetch-Site has said it all: its Origin is "null" on pages with
  // Referrer-Policy: no-referrer, as plan33's are. Older browsers are judged by their Origin.
  if (site !== undefined) return site === 'same-origin' || site === 'none';
  const origin = req.headers.origin;
  if (origin === undefined || origin === new URL(publicBaseUrl).origin) return true;
  // The page the button was on, reached by another name for this server (npm start's
  // 127.0.0.1 beside its localhost base URL): the browser's Origin names the host it asked.
  try {
    return new URL(origin).host === req.headers.host;
  } catch {
    return false;
  }
}

/** Managers: role `manager`, or named as another agent's manager. */
export function roleOf(agents: AgentDirectory, agent: Agent): 'agent' | 'manager' {
  return agent.role === 'manager' || agents.all().some((a) => a.manager === agent.id) ? 'manager' : 'agent';
}

/** A ready one-time sign-in link for `userId` (`npm start` prints one for the sample manager). */
export async function signInLink(ctx: WebContext, userId: string, nowMs = Date.now()): Promise<string> {
  const token = await ctx.store.createSignIn(userId, nowMs, SIGN_IN_TTL_MS);
  return linkUrl(ctx.publicBaseUrl, `/app/auth?t=${token}`);
}

function signInForm(lang: Lang, notice = ''): string {
  const w = WORDS[lang];
  return page(lang, w.title, `${notice}<form method="post" action="/app/sign-in?lang=${lang}"><label for="email">${w.email}</label><input type="email" id="email" name="email" autocomplete="email" required><button type="submit">${w.send}</button></form>`);
}

/** Sign-in requests per client address per minute: no one fills an agent's inbox with links. */
export const SIGN_IN_PER_MINUTE = 10;

export async function registerAuth(app: FastifyInstance, ctx: WebContext): Promise<void> {
  const cookieOptions = { path: '/', httpOnly: true, secure: ctx.secureCookies, sameSite: 'lax' as const };

  app.get('/app/sign-in', async (req, reply) => sendPage(reply, signInForm(langOf(req))));

  await app.register(async (limited) => {
    await limited.register(rateLimit, { max: SIGN_IN_PER_MINUTE, timeWindow: 60_000, keyGenerator: (req) => req.ip });
    limited.post('/app/sign-in', async (req, reply) => {
      const lang = langOf(req);
      const email = String((req.body as { email?: string } | undefined)?.email ?? '').trim().toLowerCase();
      const agent = ctx.agents.all().find((a) => a.email?.toLowerCase() === email);
      // The same answer whether or not the address is known: no one learns who the agents are.
      if (agent?.email) {
        const link = await signInLink(ctx, agent.id);
        await ctx.sendMail(agent.email, WORDS[lang].subject, `${lang === 'ar' ? 'رابط الدخول (مرة واحدة، 15 دقيقة):' : 'Your sign-in link (once, 15 minutes):'}\n\n${link}\n`);
        req.log.info({ agent: agent.id }, 'web sign-in link sent');
      }
      return sendPage(reply, signInForm(lang, `<p role="status">${WORDS[lang].sent}</p>`));
    });
  });

  // The emailed link: a page with one button (GET and HEAD change nothing; see the top of this file).
  app.get<{ Querystring: { t?: string } }>('/app/auth', async (req, reply) => {
    const lang = langOf(req);
    const token = (req.query.t ?? '').replace(/[^A-Za-z0-9_-]/g, '');
    if (!token) return sendPage(reply, signInForm(lang, `<p role="alert">${WORDS[lang].bad}</p>`), 400);
    const w = WORDS[lang];
    return sendPage(reply, page(lang, w.signIn, `<form method="post" action="/app/auth?lang=${lang}"><p>${w.confirm}</p><input type="hidden" name="t" value="${esc(token)}"><button type="submit">${w.signIn}</button></form>`));
  });

  // The button: spends the token (once, within 15 minutes) and opens the session.
  app.post('/app/auth', async (req, reply) => {
    const lang = langOf(req);
    // Before the token is looked at: a refused POST spends nothing.
    if (!fromOwnPages(req, ctx.publicBaseUrl)) return sendPage(reply, signInForm(lang, `<p role="alert">${WORDS[lang].elsewhere}</p>`), 403);
    const token = String((req.body as { t?: unknown } | undefined)?.t ?? '');
    const userId = token ? await ctx.store.redeemSignIn(token, Date.now()) : undefined;
    const agent = userId ? ctx.agents.get(userId) : undefined;
    if (!agent) return sendPage(reply, signInForm(lang, `<p role="alert">${WORDS[lang].bad}</p>`), 400);
    const role = roleOf(ctx.agents, agent);
    const session = await ctx.store.createSession({ userId: agent.id, role }, Date.now(), SESSION_TTL_MS);
    void reply.setCookie(SESSION_COOKIE, session.id, { ...cookieOptions, maxAge: SESSION_TTL_MS / 1000 });
    return reply.redirect(role === 'manager' ? '/app/dashboard' : '/app/inbox', 303);
  });

  app.post('/app/sign-out', { preHandler: requireUser(ctx) }, async (req, reply) => {
    if (!checkCsrf(req, reply)) return reply;
    const id = req.cookies[SESSION_COOKIE];
    if (id) await ctx.store.endSession(id);
    void reply.clearCookie(SESSION_COOKIE, cookieOptions);
    return reply.redirect('/app/sign-in', 303);
  });
}

/** The session hook: the signed-in user on `req.webUser`, or a redirect to sign in. */
export function requireUser(ctx: WebContext) {
  return async (req: FastifyRequest, reply: FastifyReply) => {
    const id = req.cookies[SESSION_COOKIE];
    const session = id ? await ctx.store.session(id, Date.now()) : undefined;
    const agent = session ? ctx.agents.get(session.userId) : undefined;
    if (!session || !agent) return reply.redirect(`/app/sign-in?lang=${langOf(req)}`, 303);
    req.webUser = { id: agent.id, name: agent.name, role: session.role, csrf: session.csrf };
    // The page's language sticks for the session.
    const q = (req.query as { lang?: string } | undefined)?.lang;
    if (q === 'ar' || q === 'en') void reply.setCookie('plan33_lang', q, { path: '/', httpOnly: true, secure: ctx.secureCookies, sameSite: 'lax' });
    return undefined;
  };
}

export { esc };

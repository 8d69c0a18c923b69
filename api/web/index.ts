// The plan33 web app, served by the API process: server-rendered pages (fastify, no build step)
// with a small client where a page needs one (Chart.js on the dashboard). Agents and managers sign
// in with a one-time emailed link; customers reach their preference page by a signed link.
//   /app/sign-in, /app/auth          sign-in (auth.ts)
//   /app/inbox, /app/people/:id       the agent's inbox and a person's timeline (inbox.ts)
//   /app/dashboard, /app/plan-impact  the manager's dashboard and what a plan change affects (dashboard.ts)
//   /prefs?t=                         the customer's preference page (preferences.ts)
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import cookie from '@fastify/cookie';
import type { FastifyInstance } from 'fastify';
import { isLoopbackUrl } from '../../lib/config';
import { PgWebStore } from '../../stores/web';
import { registerAuth, requireUser } from './auth';
import type { WebContext, WebOptions } from './context';
import { registerDashboard } from './dashboard';
import { registerInbox } from './inbox';
import { registerPreferences } from './preferences';

export type { WebOptions } from './context';

export async function registerWebApp(app: FastifyInstance, opts: WebOptions): Promise<WebContext> {
  const ctx: WebContext = { ...opts, store: new PgWebStore(opts.db) };
  await app.register(cookie);
  // Chart.js from its npm package, served by us (no CDN: pages work on a closed network).
  // (the UMD build sits beside the package's main file; `exports` does not name it)
  const chartJs = readFileSync(join(dirname(createRequire(import.meta.url).resolve('chart.js')), 'chart.umd.min.js'), 'utf8');
  app.get('/app/assets/chart.js', async (_req, reply) => reply.type('text/javascript; charset=utf-8').header('cache-control', 'public, max-age=86400').send(chartJs));
  app.get('/app', async (_req, reply) => reply.redirect('/app/inbox', 303));
  await registerAuth(app, ctx);
  await app.register(async (signedIn) => {
    signedIn.addHook('preHandler', requireUser(ctx));
    registerInbox(signedIn, ctx);
    registerDashboard(signedIn, ctx);
  });
  await registerPreferences(app, ctx);
  return ctx;
}

/** The web app's options from the config: the agents file, the SMTP transport, the public URL. */
export function webOptionsFrom(
  config: { publicBaseUrl: string; allowInsecureCookies?: boolean; business: { mailFrom: string }; unsubscribe?: { secret: string }; clv: WebOptions['clv']; sendingHours?: WebOptions['sendingHours'] },
  io: { agents: WebOptions['agents']; mailer: { sendMail(m: { from: string; to: string; subject: string; text: string }): Promise<unknown> }; planOverrides?: WebOptions['planOverrides'] },
): Omit<WebOptions, 'client' | 'db' | 'taskQueue'> {
  const url = new URL(config.publicBaseUrl);
  return {
    agents: io.agents,
    sendMail: async (to, subject, text) => void (await io.mailer.sendMail({ from: config.business.mailFrom, to, subject, text })),
    publicBaseUrl: config.publicBaseUrl,
    linkSecret: config.unsubscribe?.secret,
    clv: config.clv,
    sendingHours: config.sendingHours,
    planOverrides: io.planOverrides,
    // Secure cookies, except over plain http on another host when PLAN33_ALLOW_INSECURE_COOKIES says so (the API
    // refuses to start there otherwise). Browsers treat loopback as a secure context, so npm start's http keeps them.
    secureCookies: url.protocol === 'https:' || isLoopbackUrl(config.publicBaseUrl) || !config.allowInsecureCookies,
  };
}

// The HTTP API other apps call (PRODUCT.md, "HTTP API"), and the webhooks that bring the
// outside world back in: one-click unsubscribe, Twilio's inbound SMS, fulfilment reports.
// Every route validates first: bad input gets 400 with the fields named and changes nothing.
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import formbody from '@fastify/formbody';
import Fastify, { type FastifyBaseLogger, type FastifyInstance, type FastifyReply, type FastifyRequest, type HTTPMethods } from 'fastify';
import type { Client } from '@temporalio/client';
import type { Logger } from 'pino';
import twilio from 'twilio';
import { databaseAnswers, type Db } from '../service/store-health';
import type { ContactIndex } from '../stores/contacts';
import { dealClosed, PlanEndedError, ValidationError } from '../service/enroll';
import * as ops from '../service/operations';
import { InvalidTokenError, unsubscribeByToken } from '../service/unsubscribe';
import { SIGNATURE_HEADER, signatureProblem } from '../lib/webhook-signature';
import { verifyUnsubscribeToken } from '../lib/unsubscribe';
import { sameText } from '../lib/same-text';
import { openApiDocument } from './openapi';
import type { SendingHours } from '../plan/sending-hours';
import { DEFAULT_LEAD_SETTINGS, type LeadSettings } from '../plan/lead-routing';
import * as leads from '../service/leads';
import { registerLeadForm } from './lead-form';
import { valueOf } from '../service/value';
import { listReports, runReport } from '../service/measure';
import { DEFAULT_CLV_SETTINGS, type ClvSettings } from '../plan/clv';
import { verifySourceToken } from '../lib/source-link';
import { registerSurveyRoutes } from './survey';
import { exportPerson, forgetPerson } from '../service/privacy';
import type { ApiScope } from '../lib/config';
import { registerCodecServer, type CodecServerOptions } from './codec-server';
import { page, sendPage } from './web/layout';
import { emailEvent } from '../service/email-events';
import { registerWebApp, type WebOptions } from './web';
import { PgLeadStore } from '../stores/leads';

export interface ApiOptions {
  client: Client;
  taskQueue: string;
  /** Bearer key for /v1 (not for the webhooks, which carry their own signatures): scope admin. */
  apiKey: string;
  /** The codec server for Temporal UI (PLAN33_ENCRYPTION_KEYS); `uiOrigin`: the UI's origin, the only one CORS lets in. */
  codec?: CodecServerOptions;
  /** More keys, each with a name and a scope, stored as the key's SHA-256 (PLAN33_API_KEYS). */
  apiKeys?: ReadonlyArray<{ name: string; scope: ApiScope; sha256: string }>;
  /** The URL Twilio and mail clients use to reach this server (Twilio signs the full URL). */
  publicBaseUrl: string;
  unsubscribeSecret?: string;
  twilioAuthToken?: string;
  webhookSecret?: string;
  contacts: ContactIndex;
  /** plan33's store: the agent's tasks are read from it. */
  db: Db;
  sendingHours?: SendingHours;
  /** Lead sources, Assign rules and timings (PLAN33_LEADS_FILE); unset: defaults. */
  leadSettings?: LeadSettings;
  /** Signs the embeddable lead form's CSRF tokens (FORM_SECRET); unset: derived from the API key. */
  formSecret?: string;
  /** Lead form posts per client address per minute (default 5). */
  formPerMinute?: number;
  /** Behind a load balancer: take the client's address from X-Forwarded-For (TRUST_PROXY). */
  trustProxy?: boolean;
  /** The web app (agents' inbox, timelines, the manager's dashboard, customers' preferences); unset: not served. */
  web?: Omit<WebOptions, 'client' | 'db' | 'taskQueue'>;
  /** HOLDOUT_PERCENT: the share of new customers held out of the plan (stable hash of the id); unset: 0. */
  holdoutPercent?: number;
  /** Customer lifetime value's lifespan, acquisition cost and currency; unset: plan/clv.ts defaults. */
  clv?: ClvSettings;
  logger: Logger;
}

const UNSUBSCRIBE_WORDS = {
  en: { title: 'Unsubscribe', question: 'Stop receiving these emails?', button: 'Unsubscribe', done: 'You are unsubscribed: we will send you no more of these emails.' },
  ar: { title: 'إلغاء الاشتراك', question: 'هل تريد التوقف عن تلقي هذه الرسائل؟', button: 'إلغاء الاشتراك', done: 'أُلغي اشتراكك: لن نرسل لك المزيد من هذه الرسائل.' },
} as const;
/** The unsubscribe page (the web app's page shell): the token does not say the person's language, so every line is in both. */
const unsubscribePage = (body: string) => page('en', `${UNSUBSCRIBE_WORDS.en.title} | ${UNSUBSCRIBE_WORDS.ar.title}`, body);
const bothLanguages = (line: (w: (typeof UNSUBSCRIBE_WORDS)['en' | 'ar']) => string) => `<p>${line(UNSUBSCRIBE_WORDS.en)}</p><p lang="ar" dir="rtl">${line(UNSUBSCRIBE_WORDS.ar)}</p>`;

/** Twilio's standard keywords, plus their Arabic equivalents. */
const STOP_WORDS = new Set(['stop', 'stopall', 'unsubscribe', 'cancel', 'end', 'quit', 'revoke', 'optout', 'توقف', 'إيقاف', 'ايقاف', 'الغاء', 'إلغاء']);
const START_WORDS = new Set(['start', 'yes', 'unstop', 'ابدأ', 'ابدا', 'بدء']);
const HELP_WORDS = new Set(['help', 'info', 'مساعدة']);

export function keywordOf(text: string): 'stop' | 'start' | 'help' | undefined {
  const word = text.trim().toLowerCase().replace(/[.!]+$/, '');
  if (STOP_WORDS.has(word)) return 'stop';
  if (START_WORDS.has(word)) return 'start';
  if (HELP_WORDS.has(word)) return 'help';
  return undefined;
}

const twiml = (message?: string) =>
  `<?xml version="1.0" encoding="UTF-8"?><Response>${message ? `<Message>${message.replace(/[<>&]/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;' })[c]!)}</Message>` : ''}</Response>`;

const UNSTORABLE = /\u0000|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;
/** The path of the first string (or key) in a parsed body that PostgreSQL cannot store, or undefined. */
export function unstorableText(value: unknown, path = ''): string | undefined {
  if (typeof value === 'string') return UNSTORABLE.test(value) ? path : undefined;
  if (!value || typeof value !== 'object') return undefined;
  for (const [k, v] of Object.entries(value)) {
    const here = path ? `${path}.${k}` : k;
    if (UNSTORABLE.test(k)) return here;
    const found = unstorableText(v, here);
    if (found !== undefined) return found;
  }
  return undefined;
}

/** A call or lead task the workflow's validator refused: unknown is 404, done already 409, anything else 400. */
function refusedTaskStatus(problems: readonly string[]): number {
  if (problems.length !== 1) return 400;
  // The path names the task: no such task is 404.
  if (/^taskId: no call task .* in this customer's year/.test(problems[0]!)) return 404;
  // Done already, ended, or not ready yet (a lead a moment after its capture), or a body's taskId
  // that is not one of the lead's tasks (the lead is there): a conflict with the state, not bad input.
  if (/^taskId: call task .* was already completed|^taskId: .* is not a task of lead |^the lead's road has ended|^the lead is being assigned/.test(problems[0]!)) return 409;
  return 400;
}

/**
 * The longest path parameter served: unsubscribe and source links carry their token in the path,
 * and fastify's default (100) answered 414 for a UUID's unsubscribe token (118 characters). The
 * longest token for a 64-character id is 158 (unsubscribe; test/link-token.test.ts holds every kind,
 * new and old, under half of this).
 */
export const MAX_PATH_TOKEN = 512;

const servedRoutes = new WeakMap<FastifyInstance, ReadonlyMap<string, ReadonlySet<string>>>();
/** Every path the API serves (fastify's `:param` syntax) and its methods, HEAD included, the 405 answers not. */
export const routesOf = (app: FastifyInstance): ReadonlyMap<string, ReadonlySet<string>> => servedRoutes.get(app) ?? new Map();

export async function buildApi(opts: ApiOptions): Promise<FastifyInstance> {
  // Request logs name the route, never a secret: unsubscribe tokens are cut from the URL.
  const logger = opts.logger.child(
    { component: 'api' },
    { serializers: { req: (req: { method: string; url: string; ip?: string }) => ({ method: req.method, url: req.url.replace(/\/v1\/(unsubscribe|source)\/[^/?]+/, '/v1/$1/[token]').replace(/\/codec\/ui\/[^/?]+/, '/codec/ui/[token]').replace(/([?&]t=)[^&]+/, '$1[token]'), remoteAddress: req.ip }) } },
  );
  const app = Fastify({ loggerInstance: logger as FastifyBaseLogger, bodyLimit: 1_000_000, trustProxy: opts.trustProxy ?? false, routerOptions: { maxParamLength: MAX_PATH_TOKEN } });
  await app.register(formbody);
  // No route takes QUERY: read as bodyless, so that it reaches the 405 below instead of a 400 for its missing Content-Type.
  app.addHttpMethod('QUERY', { hasBody: false, overrideExisting: true });
  // Text PostgreSQL cannot store (U+0000, a lone surrogate) is bad input, refused before any handler (not a 500 from the database).
  app.addHook('preValidation', async (req) => {
    // Twilio's form is read for its signature first (403), and nothing in it is stored as sent.
    if (req.routeOptions.url === '/webhooks/twilio/sms') return;
    // The codec server stores nothing: its payloads are bytes in base64, checked by its own schema.
    if (req.url.startsWith('/codec/')) return;
    const where = unstorableText(req.body);
    if (where !== undefined) throw new ValidationError([`${where || 'body'}: text with U+0000 or an unpaired surrogate`]);
  });
  // Every path's methods, so that another method on a known path answers 405 with Allow (below).
  const methodsByPath = new Map<string, Set<string>>();
  app.addHook('onRoute', (route) => {
    const set = methodsByPath.get(route.url) ?? new Set<string>();
    for (const m of [route.method].flat()) set.add(String(m).toUpperCase());
    methodsByPath.set(route.url, set);
  });
  // Security headers on every HTML page (the web app, survey, preferences, source, unsubscribe):
  // no sniffing, no referrer (links carry tokens), scripts and styles only from here (inline ones
  // are ours), no framing except the lead form, which businesses embed in their own sites.
  app.addHook('onSend', async (req, reply, payload) => {
    if (!String(reply.getHeader('content-type') ?? '').startsWith('text/html')) return payload;
    const embeddable = req.url.startsWith('/forms/lead');
    reply.header('x-content-type-options', 'nosniff');
    reply.header('referrer-policy', 'no-referrer');
    reply.header('content-security-policy', `default-src 'self'; script-src 'self' 'unsafe-inline'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; form-action 'self'; base-uri 'none'; frame-ancestors ${embeddable ? '*' : "'none'"}`);
    if (!embeddable) reply.header('x-frame-options', 'DENY');
    return payload;
  });
  // Webhook signatures are computed over the exact bytes received.
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (req, body, done) => {
    (req as FastifyRequest & { rawBody?: string }).rawBody = body as string;
    try {
      done(null, body === '' ? {} : JSON.parse(body as string));
    } catch {
      const err = new Error('body: not valid JSON') as Error & { statusCode: number };
      err.statusCode = 400;
      done(err, undefined);
    }
  });

  app.setErrorHandler((err: Error & { statusCode?: number }, req, reply) => {
    if (err instanceof ValidationError) {
      const status = refusedTaskStatus(err.problems);
      return reply.code(status).send({ error: status === 400 ? 'invalid input' : err.problems[0], problems: err.problems });
    }
    // The workflow ended between the service's look and its signal (a lead closed as the deal came in): nothing changed.
    if (err.name === 'WorkflowNotFoundError') return reply.code(409).send({ error: `the workflow ended meanwhile; nothing was changed (${err.message})` });
    // A lead's route on an id whose workflow is not a lead's (a customer's year): no such lead.
    if (err.name === 'QueryNotRegisteredError') return reply.code(404).send({ error: 'no lead with this id' });
    if (err instanceof ops.NotFoundError) return reply.code(404).send({ error: err.message });
    if (err instanceof PlanEndedError) return reply.code(409).send({ error: err.message });
    // A forged or altered link: refused like the survey's and the lead form's (403).
    if (err instanceof InvalidTokenError) return reply.code(403).send({ error: err.message });
    if (err.statusCode && err.statusCode < 500) return reply.code(err.statusCode).send({ error: err.message });
    req.log.error({ err }, 'request failed');
    return reply.code(500).send({ error: 'internal error; see the server log' });
  });

  // API keys: the admin key (PLAN33_API_KEY), and named keys with a scope stored as SHA-256
  // (PLAN33_API_KEYS): several may be valid at once, so a key is rotated by adding the new one,
  // moving the callers, then removing the old. GET needs read, other methods write; forgetting
  // and exporting a person need admin.
  const RANK: Record<ApiScope, number> = { read: 1, write: 2, admin: 3 };
  const keyOf = (given: string): { name: string; scope: ApiScope } | undefined => {
    if (sameText(given, opts.apiKey)) return { name: 'admin', scope: 'admin' };
    const digest = createHash('sha256').update(given).digest();
    return (opts.apiKeys ?? []).find((k) => k.sha256.length === 64 && timingSafeEqual(Buffer.from(k.sha256, 'hex'), digest));
  };
  const requireKey = async (req: FastifyRequest, reply: FastifyReply) => {
    const header = req.headers.authorization ?? '';
    const given = header.startsWith('Bearer ') ? header.slice(7) : '';
    const key = given ? keyOf(given) : undefined;
    if (!key) return reply.code(401).header('www-authenticate', 'Bearer').send({ error: 'missing or wrong API key (Authorization: Bearer <key>)' });
    const needed: ApiScope = req.url.startsWith('/v1/people/') ? 'admin' : req.method === 'GET' || req.method === 'HEAD' || req.url.startsWith('/codec/') ? 'read' : 'write';
    if (RANK[key.scope] < RANK[needed]) return reply.code(403).send({ error: `API key ${key.name} has scope ${key.scope}; ${req.method} ${req.routeOptions.url ?? req.url} needs ${needed}` });
    req.log.debug({ apiKey: key.name }, 'API key accepted');
  };

  if (opts.codec) registerCodecServer(app, { ...opts.codec, requireKey });
  app.get('/health', async () => ({ ok: true }));
  app.get('/ready', async (_req, reply) => {
    try {
      await opts.client.connection.withDeadline(Date.now() + 2000, () => opts.client.workflowService.getSystemInfo({}));
    } catch (err) {
      return reply.code(503).send({ ready: false, error: `Temporal unreachable: ${(err as Error).message}` });
    }
    try {
      await databaseAnswers(opts.db);
      return { ready: true };
    } catch (err) {
      return reply.code(503).send({ ready: false, error: `database unreachable: ${(err as Error).message}` });
    }
  });
  const document = openApiDocument(opts.publicBaseUrl, { sources: (opts.leadSettings ?? DEFAULT_LEAD_SETTINGS).sources, codec: Boolean(opts.codec) });
  app.get('/openapi.json', async () => document);

  // ---- /v1: other apps ----
  await app.register(async (v1) => {
    v1.addHook('onRequest', requireKey);
    v1.post('/v1/deals', async (req, reply) => {
      const body = (req.body ?? {}) as Parameters<typeof dealClosed>[1];
      const extra = body && typeof body === 'object' && !Array.isArray(body) ? Object.keys(body).filter((k) => k !== 'customer' && k !== 'deal') : [];
      if (extra.length) throw new ValidationError(extra.map((k) => `${k}: not a field of a deal (customer, deal)`));
      const started = await dealClosed(opts.client, body, { taskQueue: opts.taskQueue, sendingHours: opts.sendingHours, holdoutPercent: opts.holdoutPercent });
      // Validated by dealClosed: an inbound SMS from this number now finds the customer.
      const { id, phone } = body.customer as { id: string; phone?: string };
      if (phone) await opts.contacts.remember(phone, { customerId: id, workflowId: started.workflowId });
      return reply.code(202).send(started);
    });
    // What happened, never a 500: a year that closed before its first task, or has not started, as Temporal describes it.
    v1.get<{ Params: { id: string } }>('/v1/customers/:id', async (req) => ops.customerStatus(opts.client, req.params.id));
    // The right to be forgotten and to a copy (service/privacy.ts): audited, without personal data.
    v1.delete<{ Params: { id: string } }>('/v1/people/:id', async (req) => forgetPerson(opts.client, opts.db, req.params.id, 'api'));
    v1.get<{ Params: { id: string } }>('/v1/people/:id/export', async (req) => exportPerson(opts.client, opts.db, req.params.id, 'api'));
    v1.get<{ Params: { id: string } }>('/v1/customers/:id/value', async (req) => valueOf(opts.db, req.params.id, opts.clv ?? DEFAULT_CLV_SETTINGS));
    // The reports (service/measure.ts REPORTS, the same list as `plan33 report <name>`): parameters in the query string.
    v1.get('/v1/reports', async () => ({ reports: listReports() }));
    v1.get<{ Params: { name: string }; Querystring: Record<string, unknown> }>('/v1/reports/:name', async (req) => runReport(opts.db, req.params.name, req.query ?? {}, { clv: opts.clv ?? DEFAULT_CLV_SETTINGS }));
    v1.post<{ Params: { id: string } }>('/v1/customers/:id/referrals', async (req, reply) => reply.code(202).send(await ops.recordReferral(opts.client, req.params.id, req.body)));
    v1.post<{ Params: { id: string } }>('/v1/customers/:id/opt-out', async (req, reply) => reply.code(202).send(await ops.changeConsent(opts.client, req.params.id, req.body, 'opt-out')));
    v1.post<{ Params: { id: string } }>('/v1/customers/:id/opt-in', async (req, reply) => reply.code(202).send(await ops.changeConsent(opts.client, req.params.id, req.body, 'opt-in')));
    v1.post<{ Params: { taskId: string } }>('/v1/tasks/:taskId/complete', async (req) => ops.completeCall(opts.client, req.params.taskId, req.body ?? {}));
    v1.get<{ Querystring: { agent?: string } }>('/v1/tasks', async (req) => ({ tasks: await ops.openCallTasks(opts.db, req.query.agent ?? '') }));

    // Leads (F.A.S.T.): one entry point; the person's road is `lead-<id>`.
    const leadOpts = { taskQueue: opts.taskQueue, settings: opts.leadSettings ?? DEFAULT_LEAD_SETTINGS, sendingHours: opts.sendingHours };
    v1.post('/v1/leads', async (req, reply) => reply.code(202).send(await leads.captureLead(opts.client, opts.db, req.body, leadOpts)));
    v1.get<{ Querystring: { by?: string } }>('/v1/leads/conversion', async (req) => {
      const by = req.query.by ?? 'source';
      if (by !== 'source' && by !== 'agent') throw new ValidationError([`by: expected source or agent, got ${JSON.stringify(by)}`]);
      return { by, rows: await leads.leadConversion(opts.db, by) };
    });
    v1.post('/v1/contacts', async (req, reply) => reply.code(202).send(await leads.addContact(opts.client, opts.db, req.body, leadOpts)));
    v1.get<{ Params: { id: string } }>('/v1/leads/:id', async (req) => leads.leadStatus(opts.client, req.params.id));
    v1.post<{ Params: { id: string } }>('/v1/leads/:id/outcome', async (req) => leads.reportLeadOutcome(opts.client, req.params.id, req.body ?? {}));
    v1.post<{ Params: { id: string } }>('/v1/leads/:id/replies', async (req, reply) => reply.code(202).send(await leads.leadReplied(opts.client, req.params.id, req.body ?? {})));
    v1.post<{ Params: { id: string } }>('/v1/leads/:id/resume', async (req, reply) => {
      await leads.resumeLead(opts.client, req.params.id);
      return reply.code(202).send({ resumed: req.params.id });
    });
    v1.post<{ Params: { id: string } }>('/v1/leads/:id/end', async (req, reply) => reply.code(202).send(await leads.endLead(opts.client, req.params.id, req.body ?? {})));
  });

  // ---- the embeddable lead form: CSRF token, honeypot, rate limit ----
  {
    const secret = opts.formSecret ?? createHmac('sha256', opts.apiKey).update('plan33 lead form').digest('base64url');
    await registerLeadForm(app, { client: opts.client, db: opts.db, secret, perMinute: opts.formPerMinute, lead: { taskQueue: opts.taskQueue, settings: opts.leadSettings ?? DEFAULT_LEAD_SETTINGS, sendingHours: opts.sendingHours } });
  }

  // ---- the web app: sign-in, the agent's inbox, timelines, the dashboard, preference pages ----
  if (opts.web) await registerWebApp(app, { ...opts.web, client: opts.client, db: opts.db, taskQueue: opts.taskQueue });

  // ---- the NPS survey page (signed, single-use, expiring links; no login) ----
  await registerSurveyRoutes(app, { client: opts.client, db: opts.db, secret: opts.unsubscribeSecret });

  // ---- "How did you hear about us?" after the deal: the welcome issue's one-question link ----
  const sourcePage = (lang: 'en' | 'ar', body: string) => page(lang, lang === 'ar' ? 'سؤال واحد' : 'One question', body);
  const sourceCustomer = (token: string) => {
    const id = opts.unsubscribeSecret ? verifySourceToken(opts.unsubscribeSecret, token) : undefined;
    if (!id) throw Object.assign(new Error('this link is not valid'), { statusCode: 403 });
    return id;
  };
  app.get<{ Params: { token: string }; Querystring: { lang?: string } }>('/v1/source/:token', async (req, reply) => {
    sourceCustomer(req.params.token);
    const lang = req.query.lang === 'ar' ? 'ar' : 'en';
    const sources = (opts.leadSettings ?? DEFAULT_LEAD_SETTINGS).sources;
    const token = req.params.token.replace(/[^A-Za-z0-9._-]/g, '');
    const options = sources.map((s) => `<label style="display:block;margin:.3rem 0"><input type="radio" name="source" value="${s}" required> ${s.replace(/-/g, ' ')}</label>`).join('');
    return sendPage(
      reply,
      sourcePage(lang, `<form method="post" action="/v1/source/${token}?lang=${lang}"><h2>${lang === 'ar' ? 'كيف سمعت عنا أول مرة؟' : 'How did you first hear about us?'}</h2>${options}<label>${lang === 'ar' ? 'تفاصيل (اختياري)' : 'Anything more (optional)'} <input name="text" maxlength="200"></label><p><button type="submit">${lang === 'ar' ? 'إرسال' : 'Send'}</button></p></form>`),
    );
  });
  app.post<{ Params: { token: string }; Querystring: { lang?: string } }>('/v1/source/:token', async (req, reply) => {
    const customerId = sourceCustomer(req.params.token);
    const lang = req.query.lang === 'ar' ? 'ar' : 'en';
    const body = (req.body ?? {}) as { source?: string; text?: string };
    const extra = Object.keys(body).filter((k) => k !== 'source' && k !== 'text');
    if (extra.length) throw new ValidationError(extra.map((k) => `${k}: not a field of this form (source, text)`));
    const sources = (opts.leadSettings ?? DEFAULT_LEAD_SETTINGS).sources;
    if (!body.source || !sources.includes(body.source)) throw new ValidationError([`source: expected one of ${sources.join(', ')}, got ${JSON.stringify(body.source ?? null)}`]);
    const text = typeof body.text === 'string' && body.text.trim() ? body.text.trim().slice(0, 200) : undefined;
    await new PgLeadStore(opts.db).confirmSource(customerId, body.source, text);
    return sendPage(reply, sourcePage(lang, `<p>${lang === 'ar' ? 'شكرًا لك!' : 'Thank you!'}</p>`));
  });

  // ---- one-click unsubscribe (RFC 8058): the link in List-Unsubscribe ----
  const unsubscribe = async (token: string) => {
    if (!opts.unsubscribeSecret) throw Object.assign(new Error('unsubscribe links are not configured (UNSUBSCRIBE_SECRET)'), { statusCode: 404 });
    return unsubscribeByToken(opts.client, opts.unsubscribeSecret, token);
  };
  await app.register(async (oneClick) => {
    // RFC 8058: the mail client POSTs "List-Unsubscribe=One-Click", SHOULD as multipart/form-data;
    // the body says nothing the token does not, so any body of any type is read and dropped.
    oneClick.removeAllContentTypeParsers();
    oneClick.addContentTypeParser('*', (_req, payload, done) => {
      payload.resume();
      payload.on('end', () => done(null, undefined));
      payload.on('error', (err) => done(err, undefined));
    });
    oneClick.post<{ Params: { token: string } }>('/v1/unsubscribe/:token', async (req, reply) => {
      const done = await unsubscribe(req.params.token);
      // A person who pressed the page's button gets a page; a mail client, the JSON it ignores.
      if (req.headers.accept?.includes('text/html')) return sendPage(reply, unsubscribePage(`<div role="status">${bothLanguages((w) => w.done)}</div>`));
      return { unsubscribed: done.channel };
    });
  });
  // A person who clicks the link sees a page with a button; mail clients POST directly. GET and
  // HEAD change nothing (mail scanners open every link): only the POST unsubscribes.
  app.get<{ Params: { token: string } }>('/v1/unsubscribe/:token', async (req, reply) => {
    // The page unsubscribes no one, but a link that is not ours gets no page with a button (403, as the POST).
    if (opts.unsubscribeSecret && !verifyUnsubscribeToken(opts.unsubscribeSecret, req.params.token)) throw new InvalidTokenError('this unsubscribe link is not valid');
    const token = req.params.token.replace(/[^A-Za-z0-9._-]/g, '');
    const form = `<form method="post" action="/v1/unsubscribe/${token}">${bothLanguages((w) => w.question)}<button type="submit">${UNSUBSCRIBE_WORDS.en.button} | <span lang="ar">${UNSUBSCRIBE_WORDS.ar.button}</span></button></form>`;
    return sendPage(reply, unsubscribePage(form));
  });

  // ---- Twilio inbound SMS: STOP / START change consent, anything else is a task ----
  app.post('/webhooks/twilio/sms', async (req, reply) => {
    if (!opts.twilioAuthToken) return reply.code(404).send({ error: 'SMS is not configured (TWILIO_AUTH_TOKEN)' });
    const params = (req.body ?? {}) as Record<string, string>;
    const url = `${opts.publicBaseUrl.replace(/\/$/, '')}${req.url}`;
    const signature = req.headers['x-twilio-signature'];
    if (typeof signature !== 'string' || !twilio.validateRequest(opts.twilioAuthToken, signature, url, params)) {
      req.log.warn({ url }, 'inbound SMS refused: bad X-Twilio-Signature');
      return reply.code(403).send({ error: 'invalid X-Twilio-Signature' });
    }
    const from = params.From ?? '';
    const text = params.Body ?? '';
    const contact = await opts.contacts.lookup(from);
    reply.type('text/xml');
    if (!contact) {
      req.log.warn({ messageSid: params.MessageSid }, 'inbound SMS from a number no customer has');
      return twiml();
    }
    const keyword = keywordOf(text);
    if (keyword === 'stop' || keyword === 'start') {
      await ops.changeConsent(opts.client, contact.customerId, { channel: 'sms', reason: `SMS keyword ${text.trim().toUpperCase()}` }, keyword === 'stop' ? 'opt-out' : 'opt-in');
      return twiml(); // Twilio's own opt-out handling sends the confirmation
    }
    if (keyword === 'help') return twiml('Reply STOP to stop messages, START to receive them again. A person from our team reads every other reply.');
    if (contact.workflowId.startsWith('lead-')) {
      // A lead answered: the 8x8 pauses and the agent gets a task.
      await leads.leadReplied(opts.client, contact.customerId, { id: params.MessageSid ?? `unknown-${Date.now()}`, channel: 'sms', text: text.slice(0, 1600), receivedAt: new Date().toISOString() });
      return twiml();
    }
    await ops.customerReplied(opts.client, contact.customerId, { messageSid: params.MessageSid ?? `unknown-${Date.now()}`, text: text.slice(0, 1600), receivedAt: new Date().toISOString() });
    return twiml();
  });

  // ---- fulfilment provider: shipped / delivered / returned ----
  app.post('/webhooks/fulfilment', async (req, reply) => {
    if (!opts.webhookSecret) return reply.code(404).send({ error: 'fulfilment webhooks are not configured (WEBHOOK_SECRET)' });
    const raw = (req as FastifyRequest & { rawBody?: string }).rawBody ?? '';
    const problem = signatureProblem(opts.webhookSecret, req.headers[SIGNATURE_HEADER] as string | undefined, raw);
    if (problem) return reply.code(401).send({ error: problem });
    const update = await ops.fulfilmentUpdate(opts.client, req.body);
    return reply.code(202).send({ accepted: update.taskId, status: update.status });
  });

  // ---- the mail provider: bounces and complaints turn email consent off (signed like fulfilment) ----
  app.post('/webhooks/email-events', async (req, reply) => {
    if (!opts.webhookSecret) return reply.code(404).send({ error: 'email event webhooks are not configured (WEBHOOK_SECRET)' });
    const raw = (req as FastifyRequest & { rawBody?: string }).rawBody ?? '';
    const problem = signatureProblem(opts.webhookSecret, req.headers[SIGNATURE_HEADER] as string | undefined, raw);
    if (problem) return reply.code(401).send({ error: problem });
    return reply.code(202).send(await emailEvent(opts.client, req.body));
  });

  // What is served, for the OpenAPI test (every route documented with its methods): before the 405s below.
  servedRoutes.set(app, new Map([...methodsByPath].map(([url, have]) => [url, new Set(have)])));
  // A known path with a method it does not have: 405 and the methods it has (not 404).
  for (const [url, have] of [...methodsByPath.entries()]) {
    const missing = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'TRACE', 'QUERY'].filter((m) => !have.has(m));
    const allow = [...have].sort().join(', ');
    if (missing.length) app.route({ method: missing as HTTPMethods[], url, handler: async (_req, reply) => reply.code(405).header('allow', allow).send({ error: `method not allowed; ${url} takes ${allow}` }) });
  }
  return app;
}

// The one place plan33 reads its environment. Parsed once with zod at start-up; every bad
// variable is reported in one message, then the process exits (see `loadConfigOrExit`).
/** What an API key may do: read (GET), write (also POST), admin (also forget and export). */
export type ApiScope = 'read' | 'write' | 'admin';
import { parseEncryptionKeys } from './codec';
import { dirname, resolve } from 'node:path';
import { z } from 'zod';
import { envBool, envInt, envLogLevel, envOptional, envPort, envRate, envString } from './env-parsers';
import { sendingHoursText, toSendingHours } from '../plan/sending-hours';
import { isDateInRange } from '../plan/dates';
import type { ContactRules } from '../plan/contact-rules';
import type { ClvSettings } from '../plan/clv';
import { fileURLToPath } from 'node:url';

/** The checkout's root: relative defaults (data, cache) resolve from here, not from the shell's cwd. */
const projectRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..');

const optionalUrl = z.url({ message: 'expected an absolute URL' }).optional().or(z.literal('')).transform((v) => v || undefined);

const schema = z
  .object({
    TEMPORAL_ADDRESS: envOptional(),
    TEMPORAL_NAMESPACE: envString('default'),
    TEMPORAL_TASK_QUEUE: envString('plan33'),
    TEMPORAL_API_KEY: envOptional(),
    TEMPORAL_TLS: envBool(false),
    TEMPORAL_PORT: envPort(7233),
    TEMPORAL_UI_PORT: envPort(8233),
    WORKER_MAX_CACHED_WORKFLOWS: envInt(100, { min: 0, max: 1_000_000 }),
    SMTP_RATE_PER_SECOND: envRate(10),
    SMS_RATE_PER_SECOND: envRate(1),
    PLAN33_DATA_DIR: envString(resolve(projectRoot, '.plan33', 'data')),
    DATABASE_URL: z
      .string()
      .optional()
      .transform((v) => v?.trim() || undefined)
      .refine((v) => v === undefined || /^postgres(ql)?:\/\/[^\s]+$/.test(v), { message: 'expected a PostgreSQL URL, postgres://user:password@host:5432/database' }),
    DATABASE_POOL_SIZE: envInt(10, { min: 1, max: 500 }),
    PLAN33_POSTGRES_PORT: envPort(5433),
    SMTP_HOST: envString('127.0.0.1'),
    SMTP_PORT: envPort(2525),
    SMTP_SECURE: envBool(false),
    SMTP_REQUIRE_TLS: envBool(false),
    SMTP_REJECT_UNAUTHORIZED: envBool(true),
    SMTP_USER: envOptional(),
    SMTP_PASS: envOptional(),
    SMTP_POOL: envBool(true),
    SMTP_MAX_CONNECTIONS: envInt(5, { min: 1, max: 100 }),
    SMTP_TLS_CA: envOptional(),
    MAIL_FROM: envString('plan33 <plan33@localhost>'),
    BUSINESS_NAME: envString('Your plan33 business'),
    BUSINESS_POSTAL_ADDRESS: envString('1 Main Street, Springfield'),
    REFERRAL_URL: z.url({ message: 'expected an absolute URL' }).optional().or(z.literal('')).transform((v) => v || 'https://example.com/refer'),
    SENDING_HOURS: z.string().optional().transform((v) => v || '09:00-19:00').pipe(sendingHoursText).transform(toSendingHours),
    TWILIO_ACCOUNT_SID: envOptional(),
    TWILIO_AUTH_TOKEN: envOptional(),
    TWILIO_FROM: envOptional(),
    TWILIO_MESSAGING_SERVICE_SID: envOptional(),
    TWILIO_API_BASE: envOptional(),
    PLAN33_PLAN_OVERRIDES: envOptional(),
    PUBLIC_BASE_URL: z.url({ message: 'expected an absolute URL' }).optional().or(z.literal('')).transform((v) => v || 'http://localhost:8080'),
    PLAN33_ALLOW_INSECURE_COOKIES: envBool(false),
    UNSUBSCRIBE_SECRET: envOptional(),
    PLAN33_API_PORT: envPort(8080, { allowZero: true }),
    PLAN33_API_KEY: envOptional(),
    PLAN33_ENCRYPTION_KEYS: z
      .string()
      .optional()
      .transform((v, ctx) => {
        if (!v?.trim()) return undefined;
        try {
          return parseEncryptionKeys(v);
        } catch (err) {
          ctx.addIssue({ code: 'custom', message: (err as Error).message });
          return z.NEVER;
        }
      }),
    TEMPORAL_UI_ORIGIN: envOptional(),
    PLAN33_API_KEYS: z
      .string()
      .optional()
      .transform((v, ctx) => {
        const keys = [];
        for (const entry of (v ?? '').split(',').map((s) => s.trim()).filter(Boolean)) {
          const m = /^([A-Za-z0-9._-]{1,40}):(read|write|admin):([0-9a-f]{64})$/.exec(entry);
          if (!m) {
            ctx.addIssue({ code: 'custom', message: `expected name:scope:sha256 (scope read, write or admin; the key's SHA-256 in hex), got ${JSON.stringify(entry.slice(0, 50))}` });
            return z.NEVER;
          }
          keys.push({ name: m[1]!, scope: m[2] as ApiScope, sha256: m[3]! });
        }
        return keys;
      }),
    PLAN33_AGENTS_FILE: envOptional(),
    PLAN33_LEADS_FILE: envOptional(),
    BUSINESS_CURRENCY: z.string().optional().transform((v) => v?.trim() || 'SAR').refine((v) => /^[A-Z]{3}$/.test(v), { message: 'expected an ISO 4217 currency code, e.g. SAR' }),
    CLV_LIFESPAN_YEARS: z.string().optional().transform((v) => (v?.trim() ? Number(v) : 10)).refine((n) => Number.isFinite(n) && n > 0 && n <= 100, { message: 'expected a number of years, e.g. 10' }),
    CLV_ACQUISITION_COST: z.string().optional().transform((v) => (v?.trim() ? Number(v) : 0)).refine((n) => Number.isFinite(n) && n >= 0, { message: 'expected an amount of 0 or more, e.g. 5000' }),
    HOLDOUT_PERCENT: z.string().optional().transform((v) => (v?.trim() ? Number(v) : 0)).refine((n) => Number.isFinite(n) && n >= 0 && n <= 50, { message: 'expected a share of new customers from 0 to 50 (percent), e.g. 5' }),
    FORM_SECRET: envOptional(),
    FORM_POSTS_PER_MINUTE: envInt(5, { min: 1, max: 1000 }),
    TRUST_PROXY: envBool(false),
    CONTACT_LIMIT_EMAIL_PER_WEEK: envInt(2, { min: 0, max: 50 }),
    CONTACT_LIMIT_SMS_PER_WEEK: envInt(1, { min: 0, max: 50 }),
    CONTACT_LIMIT_POSTAL_PER_WEEK: envInt(0, { min: 0, max: 50 }),
    BLACKOUT_DATES: z
      .string()
      .optional()
      .transform((v) => (v ?? '').split(',').map((d) => d.trim()).filter(Boolean))
      .refine((days) => days.every(isDateInRange), { message: 'expected dates as YYYY-MM-DD from 1900-01-01 to 2199-12-31, comma-separated, e.g. 2027-01-01,2027-04-10' }),
    PLAN33_CONTENT_DIR: envOptional(),
    NEWSLETTER_GRACE_HOURS: envInt(72, { min: 1, max: 24 * 28 }),
    OPERATOR_EMAIL: envOptional(),
    CRM_WEBHOOK_URL: optionalUrl,
    FULFILMENT_WEBHOOK_URL: optionalUrl,
    WEBHOOK_SECRET: envOptional(),
    LOG_LEVEL: envLogLevel,
  })
  .transform((env) => ({
    temporal: {
      /** Unset: `npm start` runs the embedded dev server on `embeddedPort`. */
      address: env.TEMPORAL_ADDRESS,
      namespace: env.TEMPORAL_NAMESPACE,
      taskQueue: env.TEMPORAL_TASK_QUEUE,
      apiKey: env.TEMPORAL_API_KEY,
      tls: env.TEMPORAL_TLS || env.TEMPORAL_API_KEY !== undefined,
      embeddedPort: env.TEMPORAL_PORT,
      uiPort: env.TEMPORAL_UI_PORT,
    },
    worker: {
      /** Customers kept in memory between touches; the rest are replayed when they wake. */
      maxCachedWorkflows: env.WORKER_MAX_CACHED_WORKFLOWS,
      /** Sends per second across every worker of the task queue (Temporal enforces it); 0: none. */
      rateLimits: { email: env.SMTP_RATE_PER_SECOND, sms: env.SMS_RATE_PER_SECOND },
    },
    dataDir: resolve(env.PLAN33_DATA_DIR),
    database: {
      /** Unset: `npm start`, `plan33 simulate` and the tests run an embedded PostgreSQL; the production worker and API require it. */
      url: env.DATABASE_URL,
      poolSize: env.DATABASE_POOL_SIZE,
      /** Port of the embedded PostgreSQL (`npm start`), its data under `<data dir>/postgres`. */
      embeddedPort: env.PLAN33_POSTGRES_PORT,
    },
    smtp: {
      host: env.SMTP_HOST,
      port: env.SMTP_PORT,
      secure: env.SMTP_SECURE,
      requireTLS: env.SMTP_REQUIRE_TLS,
      rejectUnauthorized: env.SMTP_REJECT_UNAUTHORIZED,
      auth: env.SMTP_USER && env.SMTP_PASS ? { user: env.SMTP_USER, pass: env.SMTP_PASS } : undefined,
      pool: env.SMTP_POOL,
      maxConnections: env.SMTP_MAX_CONNECTIONS,
      /** A PEM file of extra CA certificates to trust (a private relay's own CA). */
      caFile: env.SMTP_TLS_CA,
    },
    business: {
      name: env.BUSINESS_NAME,
      postalAddress: env.BUSINESS_POSTAL_ADDRESS,
      mailFrom: env.MAIL_FROM,
      referralUrl: env.REFERRAL_URL,
    },
    twilio: {
      accountSid: env.TWILIO_ACCOUNT_SID,
      authToken: env.TWILIO_AUTH_TOKEN,
      from: env.TWILIO_FROM,
      messagingServiceSid: env.TWILIO_MESSAGING_SERVICE_SID,
      /** Unset: Twilio's API. `npm start` points it at its local Twilio-compatible endpoint. */
      apiBase: env.TWILIO_API_BASE,
    },
    /** One-click unsubscribe links in every email; without a secret, none are added. */
    unsubscribe: env.UNSUBSCRIBE_SECRET ? { baseUrl: env.PUBLIC_BASE_URL, secret: env.UNSUBSCRIBE_SECRET } : undefined,
    publicBaseUrl: env.PUBLIC_BASE_URL,
    /** PLAN33_ALLOW_INSECURE_COOKIES: the API may serve sessions over a plain http PUBLIC_BASE_URL that is not this machine (cookies without Secure). */
    allowInsecureCookies: env.PLAN33_ALLOW_INSECURE_COOKIES,
    /** A JSON file of per-segment plan overrides (see plan/definitions.ts). */
    planOverridesFile: env.PLAN33_PLAN_OVERRIDES,
    sendingHours: env.SENDING_HOURS,
    /** Payload encryption in Temporal (AES-256-GCM; the first key encrypts, all decrypt); unset: payloads in clear. */
    encryptionKeys: env.PLAN33_ENCRYPTION_KEYS,
    /** The Temporal UI's origin (e.g. http://localhost:8233): the codec server's CORS lets it in. */
    temporalUiOrigin: env.TEMPORAL_UI_ORIGIN,
    /** `apiKey`: an admin key (npm start generates it); `apiKeys`: named keys with scopes, stored as SHA-256 (PLAN33_API_KEYS). */
    api: { port: env.PLAN33_API_PORT, apiKey: env.PLAN33_API_KEY, apiKeys: env.PLAN33_API_KEYS },
    /** Who the agents are, who covers for whom, who their manager is (JSON, see docs/configuration.md). */
    agentsFile: env.PLAN33_AGENTS_FILE,
    /** Lead sources, Assign rules and first-contact timings (JSON, see docs/configuration.md); unset: defaults. */
    leadsFile: env.PLAN33_LEADS_FILE,
    /** Customer lifetime value: the formula's lifespan and acquisition cost, in the business's currency. */
    clv: { lifespanYears: env.CLV_LIFESPAN_YEARS, acquisitionCost: env.CLV_ACQUISITION_COST, currency: env.BUSINESS_CURRENCY } satisfies ClvSettings,
    /** The holdout group: this share (percent) of new customers, by a stable hash of the id, gets only the transactional minimum. */
    holdoutPercent: env.HOLDOUT_PERCENT,
    /** The embeddable lead form (GET/POST /forms/lead): its CSRF tokens' secret (unset: derived from the API key), posts per client address per minute. */
    form: { secret: env.FORM_SECRET, perMinute: env.FORM_POSTS_PER_MINUTE },
    /** Behind a load balancer: the client's address from X-Forwarded-For (rate limits, logs). */
    trustProxy: env.TRUST_PROXY,
    /** One limit on contact pressure across a person's plans (0: no limit for that channel). */
    contactRules: {
      perWeek: Object.fromEntries(
        (
          [
            ['email', env.CONTACT_LIMIT_EMAIL_PER_WEEK],
            ['sms', env.CONTACT_LIMIT_SMS_PER_WEEK],
            ['postal', env.CONTACT_LIMIT_POSTAL_PER_WEEK],
          ] as const
        ).filter(([, n]) => n > 0),
      ) as ContactRules['perWeek'],
      blackoutDates: env.BLACKOUT_DATES,
    } satisfies ContactRules,
    /** One newsletter issue per month (`newsletters/YYYY-MM.json`); unset: built-in words. */
    contentDir: env.PLAN33_CONTENT_DIR ? resolve(env.PLAN33_CONTENT_DIR) : undefined,
    newsletterGraceHours: env.NEWSLETTER_GRACE_HOURS,
    operatorEmail: env.OPERATOR_EMAIL,
    webhooks: { crmUrl: env.CRM_WEBHOOK_URL, fulfilmentUrl: env.FULFILMENT_WEBHOOK_URL, secret: env.WEBHOOK_SECRET },
    logLevel: env.LOG_LEVEL,
  }));

export type Config = Readonly<z.output<typeof schema>>;

/** Every environment variable plan33 reads (docs/configuration.md lists them). */
export const CONFIG_VARIABLES: readonly string[] = Object.keys(schema.in.shape);

/** Rules between variables; checked on the raw environment so they are reported with the rest. */
function crossFieldProblems(env: NodeJS.ProcessEnv): string[] {
  const set = (name: string) => (env[name] ?? '').trim() !== '';
  const problems: string[] = [];
  if (set('SMTP_USER') !== set('SMTP_PASS')) problems.push('SMTP_PASS: SMTP_USER and SMTP_PASS must be set together');
  if (set('TWILIO_ACCOUNT_SID') !== set('TWILIO_AUTH_TOKEN')) problems.push('TWILIO_AUTH_TOKEN: TWILIO_ACCOUNT_SID and TWILIO_AUTH_TOKEN must be set together');
  if (set('UNSUBSCRIBE_SECRET') && (env.UNSUBSCRIBE_SECRET ?? '').trim().length < 16) problems.push('UNSUBSCRIBE_SECRET: expected at least 16 characters');
  for (const name of ['WEBHOOK_SECRET', 'PLAN33_API_KEY']) if (set(name) && (env[name] ?? '').trim().length < 16) problems.push(`${name}: expected at least 16 characters`);
  if ((set('CRM_WEBHOOK_URL') || set('FULFILMENT_WEBHOOK_URL')) && !set('WEBHOOK_SECRET')) problems.push('WEBHOOK_SECRET: required to sign CRM_WEBHOOK_URL and FULFILMENT_WEBHOOK_URL requests');
  if (set('TWILIO_ACCOUNT_SID') && !set('TWILIO_FROM') && !set('TWILIO_MESSAGING_SERVICE_SID')) problems.push('TWILIO_FROM: set TWILIO_FROM or TWILIO_MESSAGING_SERVICE_SID to send SMS');
  return problems;
}

/** Whether a URL names this machine (localhost, 127.0.0.0/8, ::1): browsers treat it as secure over plain http. */
export function isLoopbackUrl(url: string): boolean {
  const host = new URL(url).hostname.toLowerCase();
  return host === 'localhost' || host.endsWith('.localhost') || /^127(\.\d{1,3}){3}$/.test(host) || host === '[::1]';
}

/**
 * Why the API must not start with this config, or undefined: a plain http PUBLIC_BASE_URL on
 * another host would send the web app's session cookies without `Secure` (readable on the wire),
 * and every emailed link's token in clear; PLAN33_ALLOW_INSECURE_COOKIES=true says that is meant.
 */
export function insecurePublicUrlProblem(config: Pick<Config, 'publicBaseUrl' | 'allowInsecureCookies'>): string | undefined {
  if (new URL(config.publicBaseUrl).protocol !== 'http:' || isLoopbackUrl(config.publicBaseUrl) || config.allowInsecureCookies) return undefined;
  return `PUBLIC_BASE_URL: ${config.publicBaseUrl} is plain http on a host that is not this machine: session cookies would lose Secure and links would carry their tokens in clear. Use https, or set PLAN33_ALLOW_INSECURE_COOKIES=true if that is meant (a closed network)`;
}

export class ConfigError extends Error {
  override name = 'ConfigError';
  constructor(readonly problems: string[]) {
    super(`plan33: ${problems.length} bad environment variable${problems.length === 1 ? '' : 's'}:\n${problems.map((p) => `  ${p}`).join('\n')}`);
  }
}

function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object') {
    for (const v of Object.values(value)) deepFreeze(v);
    Object.freeze(value);
  }
  return value;
}

/** Parses the environment; throws a ConfigError naming every bad variable. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const parsed = schema.safeParse(env);
  const problems = [
    ...(parsed.success ? [] : parsed.error.issues.map((i) => `${i.path.join('.') || '(environment)'}: ${i.message}`)),
    ...crossFieldProblems(env),
  ];
  if (!parsed.success || problems.length > 0) throw new ConfigError(problems);
  return deepFreeze(parsed.data);
}

/** For entry points: prints the ConfigError (no stack trace) and exits 1. */
export function loadConfigOrExit(env: NodeJS.ProcessEnv = process.env): Config {
  try {
    return loadConfig(env);
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`${err.message}\n`);
      process.exit(1);
    }
    throw err;
  }
}

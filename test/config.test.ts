import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CONFIG_VARIABLES, ConfigError, insecurePublicUrlProblem, loadConfig } from '../lib/config';
import { projectRoot } from '../dev/binaries.mjs';
import { envBool, envPort, envRate } from '../lib/env-parsers';
import { webOptionsFrom } from '../api/web';

describe('configuration from the environment', () => {
  it('has working defaults for an empty environment', () => {
    const config = loadConfig({});
    expect(config.temporal).toMatchObject({ address: undefined, namespace: 'default', taskQueue: 'plan33', embeddedPort: 7233, uiPort: 8233, tls: false });
    expect(config.smtp).toMatchObject({ host: '127.0.0.1', port: 2525, secure: false, auth: undefined });
    expect(config.sendingHours).toEqual({ startMinute: 540, endMinute: 1140 });
    expect(Object.isFrozen(config.smtp)).toBe(true);
  });

  it('reads and derives values', () => {
    const config = loadConfig({ TEMPORAL_ADDRESS: 'temporal:7233', TEMPORAL_API_KEY: 'k', SMTP_PORT: '587', SMTP_SECURE: 'yes', SMTP_USER: 'u', SMTP_PASS: 'p', SENDING_HOURS: '08:30-20:00' });
    expect(config.temporal.tls).toBe(true); // an API key implies TLS
    expect(config.smtp).toMatchObject({ port: 587, secure: true, auth: { user: 'u', pass: 'p' } });
    expect(config.sendingHours).toEqual({ startMinute: 510, endMinute: 1200 });
  });

  it('names every bad variable in one error', () => {
    let err: unknown;
    try {
      loadConfig({ SMTP_PORT: 'abc', TEMPORAL_TLS: 'maybe', SENDING_HOURS: '19:00-09:00', LOG_LEVEL: 'loud', SMTP_USER: 'only-user', REFERRAL_URL: 'not a url' });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ConfigError);
    const message = (err as ConfigError).message;
    expect(message).toMatch(/^plan33: 6 bad environment variables:/);
    for (const name of ['SMTP_PORT', 'TEMPORAL_TLS', 'SENDING_HOURS', 'LOG_LEVEL', 'SMTP_PASS', 'REFERRAL_URL']) expect(message).toContain(`${name}:`);
    expect(message).toContain('expected a port 1-65535, got "abc"');
  });

  it('env parsers accept what people write and refuse the rest', () => {
    const bool = envBool(false);
    expect(['1', 'TRUE', 'on', 'yes'].map((v) => bool.parse(v))).toEqual([true, true, true, true]);
    expect(['0', 'False', 'off', 'no', '', undefined].map((v) => bool.parse(v))).toEqual([false, false, false, false, false, false]);
    expect(bool.safeParse('2').success).toBe(false);
    const port = envPort(80);
    expect(port.parse('65535')).toBe(65535);
    expect(port.safeParse('0').success).toBe(false);
    expect(envPort(0, { allowZero: true }).parse('0')).toBe(0);
    expect(port.safeParse('70000').success).toBe(false);
    expect(port.safeParse('12.5').success).toBe(false);
    const rate = envRate(10);
    expect(['', '0', '0.5', '250'].map((v) => rate.parse(v))).toEqual([10, 0, 0.5, 250]);
    for (const bad of ['-1', 'fast', '1e3', '200000']) expect(rate.safeParse(bad).success).toBe(false);
  });

  it('reads the worker cache and the per-channel send rates', () => {
    expect(loadConfig({}).worker).toEqual({ maxCachedWorkflows: 100, rateLimits: { email: 10, sms: 1 } });
    const config = loadConfig({ WORKER_MAX_CACHED_WORKFLOWS: '0', SMTP_RATE_PER_SECOND: '2.5', SMS_RATE_PER_SECOND: '0' });
    expect(config.worker).toEqual({ maxCachedWorkflows: 0, rateLimits: { email: 2.5, sms: 0 } });
    expect(() => loadConfig({ WORKER_MAX_CACHED_WORKFLOWS: 'lots', SMS_RATE_PER_SECOND: '-1' })).toThrow(/WORKER_MAX_CACHED_WORKFLOWS[\s\S]*SMS_RATE_PER_SECOND|SMS_RATE_PER_SECOND[\s\S]*WORKER_MAX_CACHED_WORKFLOWS/);
  });

  it('reads named API keys with scopes (stored as SHA-256), and names a bad entry', () => {
    const hash = 'a'.repeat(64);
    expect(loadConfig({ PLAN33_API_KEYS: `reporting:read:${hash}, crm:write:${'b'.repeat(64)}` }).api.apiKeys).toEqual([
      { name: 'reporting', scope: 'read', sha256: hash },
      { name: 'crm', scope: 'write', sha256: 'b'.repeat(64) },
    ]);
    expect(loadConfig({}).api.apiKeys).toEqual([]);
    expect(() => loadConfig({ PLAN33_API_KEYS: `reporting:superuser:${hash}` })).toThrow(/PLAN33_API_KEYS: expected name:scope:sha256/);
  });
});

describe('the README', () => {
  it('documents every environment variable plan33 reads', async () => {
    const { readFileSync } = await import('node:fs');
    const readme = readFileSync(new URL('../docs/configuration.md', import.meta.url), 'utf8');
    const missing = CONFIG_VARIABLES.filter((name) => !readme.includes(`\`${name}\``));
    expect(missing).toEqual([]);
  });
});

describe('channel configuration', () => {
  it('reads the webhook, content and agent settings, and refuses unsigned webhooks', () => {
    const config = loadConfig({ CRM_WEBHOOK_URL: 'https://crm.test/hook', WEBHOOK_SECRET: 'a-webhook-secret-of-length', NEWSLETTER_GRACE_HOURS: '24', SMTP_MAX_CONNECTIONS: '3' });
    expect(config.webhooks).toEqual({ crmUrl: 'https://crm.test/hook', fulfilmentUrl: undefined, secret: 'a-webhook-secret-of-length' });
    expect(config.newsletterGraceHours).toBe(24);
    expect(config.smtp.maxConnections).toBe(3);
    let err: unknown;
    try {
      loadConfig({ FULFILMENT_WEBHOOK_URL: 'https://print.test/items', NEWSLETTER_GRACE_HOURS: '0', PLAN33_API_KEY: 'short', CRM_WEBHOOK_URL: 'nope' });
    } catch (e) {
      err = e;
    }
    const message = (err as ConfigError).message;
    for (const name of ['WEBHOOK_SECRET', 'NEWSLETTER_GRACE_HOURS', 'PLAN33_API_KEY', 'CRM_WEBHOOK_URL']) expect(message).toContain(`${name}:`);
  });
});

describe('a plain http PUBLIC_BASE_URL', () => {
  it('PLAN33_ALLOW_INSECURE_COOKIES is a validated boolean, false unless set', () => {
    expect(loadConfig({}).allowInsecureCookies).toBe(false);
    expect(loadConfig({ PLAN33_ALLOW_INSECURE_COOKIES: 'true' }).allowInsecureCookies).toBe(true);
    expect(loadConfig({ PLAN33_ALLOW_INSECURE_COOKIES: 'no' }).allowInsecureCookies).toBe(false);
    expect(() => loadConfig({ PLAN33_ALLOW_INSECURE_COOKIES: 'sometimes' })).toThrow(/PLAN33_ALLOW_INSECURE_COOKIES: /);
  });

  it('is refused for a host other than this machine, unless insecure cookies are allowed', () => {
    const problem = (env: Record<string, string>) => insecurePublicUrlProblem(loadConfig(env));
    for (const url of ['http://plan33.cedar.example', 'http://10.0.0.7:8080', 'http://127.example.com']) expect(problem({ PUBLIC_BASE_URL: url }), url).toMatch(/^PUBLIC_BASE_URL: .* is plain http .*PLAN33_ALLOW_INSECURE_COOKIES=true/);
    for (const url of ['https://plan33.cedar.example', 'http://localhost:8080', 'http://127.0.0.1:9000', 'http://[::1]:8080', 'http://app.localhost']) expect(problem({ PUBLIC_BASE_URL: url }), url).toBeUndefined();
    expect(problem({})).toBeUndefined(); // the default, http://localhost:8080
    expect(problem({ PUBLIC_BASE_URL: 'http://plan33.cedar.example', PLAN33_ALLOW_INSECURE_COOKIES: 'true' })).toBeUndefined();
  });

  it('session cookies keep Secure except over plain http on another host that was allowed so', () => {
    const io = { agents: { all: () => [] } as never, mailer: { sendMail: async () => undefined } };
    const secure = (env: Record<string, string>) => webOptionsFrom(loadConfig(env), io).secureCookies;
    expect(secure({ PUBLIC_BASE_URL: 'https://plan33.cedar.example' })).toBe(true);
    expect(secure({ PUBLIC_BASE_URL: 'http://[::1]:8080', PLAN33_ALLOW_INSECURE_COOKIES: 'true' })).toBe(true);
    expect(secure({ PUBLIC_BASE_URL: 'http://app.localhost', PLAN33_ALLOW_INSECURE_COOKIES: 'true' })).toBe(true);
    expect(secure({ PUBLIC_BASE_URL: 'http://plan33.cedar.example', PLAN33_ALLOW_INSECURE_COOKIES: 'true' })).toBe(false);
  });

  it('the API process refuses to start with one, and names the variable to set', async () => {
    const run = (extra: Record<string, string>) =>
      new Promise<{ code: number | null; out: string }>((resolve, reject) => {
        // A clean environment: no database, no Temporal; the check comes before either is reached.
        const env = { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', PLAN33_API_KEY: 'an-api-key-of-some-length', LOG_LEVEL: 'info', ...extra };
        const child = spawn(process.execPath, ['--import', 'tsx', 'api/main.ts'], { cwd: projectRoot, env, stdio: ['ignore', 'pipe', 'pipe'] });
        let out = '';
        child.stdout.on('data', (d: Buffer) => (out += d.toString()));
        child.stderr.on('data', (d: Buffer) => (out += d.toString()));
        const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
        child.once('error', reject);
        child.once('close', (code) => {
          clearTimeout(timer);
          resolve({ code, out });
        });
      });
    const refused = await run({ PUBLIC_BASE_URL: 'http://plan33.cedar.example' });
    expect(refused.code).toBe(1);
    expect(refused.out).toContain('PUBLIC_BASE_URL: http://plan33.cedar.example is plain http');
    expect(refused.out).toContain('PLAN33_ALLOW_INSECURE_COOKIES=true');
    // Allowed explicitly: past that check, to the next one (no DATABASE_URL here).
    const allowed = await run({ PUBLIC_BASE_URL: 'http://plan33.cedar.example', PLAN33_ALLOW_INSECURE_COOKIES: 'true' });
    expect(allowed.code).toBe(1);
    expect(allowed.out).not.toContain('is plain http');
    expect(allowed.out).toContain('DATABASE_URL is not set');
  }, 120_000);

  it('npm start (dev/start.ts) refuses to start with one too, before writing or starting anything', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'plan33-start-insecure-'));
    try {
      const env = { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', PLAN33_DATA_DIR: dataDir, PUBLIC_BASE_URL: 'http://plan33.cedar.example' };
      const { code, out } = await new Promise<{ code: number | null; out: string }>((resolve, reject) => {
        const child = spawn(process.execPath, ['--import', 'tsx', 'dev/start.ts'], { cwd: projectRoot, env, stdio: ['ignore', 'pipe', 'pipe'] });
        let text = '';
        child.stdout.on('data', (d: Buffer) => (text += d.toString()));
        child.stderr.on('data', (d: Buffer) => (text += d.toString()));
        const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
        child.once('error', reject);
        child.once('close', (exit) => {
          clearTimeout(timer);
          resolve({ code: exit, out: text });
        });
      });
      expect(code).toBe(1);
      expect(out).toContain('PUBLIC_BASE_URL: http://plan33.cedar.example is plain http');
      expect(out).toContain('PLAN33_ALLOW_INSECURE_COOKIES=true');
      // Nothing was started or written: no secrets, no log, no database, no Temporal file.
      expect(readdirSync(dataDir)).toEqual([]);
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  }, 120_000);
});

// The published contract (GET /openapi.json) against the server that publishes it: every route
// fastify serves is documented with its methods (and nothing documented is missing), every
// answer has a schema, the constraints the server enforces through zod refinements are in the
// document (IANA zones, real dates, non-blank trimmed strings, rules between fields), links
// name real operations and parameters, and a method a path does not take answers 405 with Allow.
// `npm run fuzz` holds the running API to the same document with schemathesis.
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import type { FastifyInstance } from 'fastify';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { buildApi, routesOf } from '../api/server';
import { BROWSER_PATHS, DATE_PATTERN, DATE_TIME_PATTERN, TIME_ZONES, undocumentedReportParams } from '../api/openapi';
import { customerSchema } from '../plan/customer';
import { DATE_RANGE, isoDate, isoDateTimeSchema, isoDayOrInstantSchema } from '../plan/dates';
import { REPORT_NAMES } from '../service/measure';
import { createLogger } from '../lib/logger';
import { createDevServerEnv } from '../dev/temporal-server';
import { testStores, type TestStores } from './helpers/database';
import { installTestRuntime } from './helpers/temporal';

interface Operation {
  operationId?: string;
  security?: unknown[];
  parameters?: Array<{ name: string; in: string; schema?: Record<string, unknown> }>;
  requestBody?: { content: Record<string, { schema: unknown }> };
  responses: Record<string, { description: string; content?: Record<string, { schema?: unknown }>; links?: Record<string, { operationId: string; parameters?: Record<string, string> }> }>;
}
interface Doc {
  openapi: string;
  paths: Record<string, Record<string, Operation>>;
  components: { schemas: Record<string, Record<string, any>> };
}

const API_KEY = 'openapi-test-key-0123456789';
let env: TestWorkflowEnvironment;
let stores: TestStores;
let app: FastifyInstance;
let doc: Doc;

beforeAll(async () => {
  installTestRuntime();
  env = await createDevServerEnv();
  stores = await testStores();
  app = await buildApi({
    client: env.client,
    taskQueue: 'openapi',
    apiKey: API_KEY,
    publicBaseUrl: 'http://127.0.0.1:1',
    unsubscribeSecret: 'unsubscribe-secret-0123456789',
    twilioAuthToken: 'twilio-token',
    webhookSecret: 'webhook-secret-0123456789',
    contacts: stores.contacts,
    db: stores.db,
    // The codec server too (as npm start mounts it): its routes are part of the contract.
    codec: { keys: [{ id: 'k1', key: randomBytes(32) }] },
    logger: createLogger('silent'),
  });
  doc = (await app.inject({ method: 'GET', url: '/openapi.json' })).json<Doc>();
});

afterAll(async () => {
  await app?.close();
  await env?.teardown();
});

const METHODS = ['get', 'put', 'post', 'delete', 'patch', 'options', 'head', 'trace'];
const operations = () => Object.entries(doc.paths).flatMap(([path, item]) => Object.entries(item).filter(([m]) => METHODS.includes(m)).map(([method, op]) => ({ path, method, op })));
/** fastify's `/v1/customers/:id` as OpenAPI's `/v1/customers/{id}`; the report route is one path per report. */
const asOpenApi = (url: string) => (url === '/v1/reports/:name' ? REPORT_NAMES.map((n) => `/v1/reports/${n}`) : [url.replace(/:([A-Za-z]+)/g, '{$1}')]);

describe('the OpenAPI document', () => {
  it('documents every route the server serves, with exactly its methods, and nothing it does not serve', () => {
    const served = new Map<string, string[]>();
    for (const [url, methods] of routesOf(app)) {
      if (BROWSER_PATHS.some((p) => p.test(url))) continue;
      // HEAD comes with every GET (fastify); OPTIONS is only the codec server's CORS preflight.
      const own = [...methods].filter((m) => m !== 'HEAD' && m !== 'OPTIONS').map((m) => m.toLowerCase()).sort();
      for (const path of asOpenApi(url)) served.set(path, own);
    }
    expect(served.size).toBeGreaterThan(30);
    expect(served.get('/codec/decode')).toEqual(['post']);
    const documented = new Map(Object.entries(doc.paths).map(([path, item]) => [path, Object.keys(item).filter((m) => METHODS.includes(m)).sort()]));
    expect(Object.fromEntries(documented)).toEqual(Object.fromEntries(served));
  });

  it('gives every operation an id, a 2xx answer and its errors, each with a schema of its body', () => {
    const ids = new Set<string>();
    for (const { path, method, op } of operations()) {
      const where = `${method.toUpperCase()} ${path}`;
      expect(op.operationId, where).toBeTruthy();
      expect(ids.has(op.operationId!), `${where}: operationId ${op.operationId} twice`).toBe(false);
      ids.add(op.operationId!);
      const codes = Object.keys(op.responses);
      expect(codes.some((c) => c.startsWith('2')), where).toBe(true);
      for (const [code, res] of Object.entries(op.responses)) {
        const media = Object.values(res.content ?? {});
        expect(media.length, `${where} ${code} has no content`).toBeGreaterThan(0);
        for (const m of media) expect(m.schema, `${where} ${code}`).toBeTruthy();
      }
      // Behind the API key: 401 without it, 403 with a key of too small a scope.
      if (path.startsWith('/v1/') && op.security === undefined) expect(codes, where).toEqual(expect.arrayContaining(['401', '403']));
      if (op.requestBody) expect(codes, where).toEqual(expect.arrayContaining(['400']));
      if (path.includes('{id}')) expect(codes, where).toEqual(expect.arrayContaining(['404']));
    }
    expect(ids.size).toBe(operations().length);
  });

  it('states what zod refinements check: IANA zones, real dates, non-blank trimmed strings, the rules between fields', () => {
    const customer = doc.components.schemas.Customer!;
    expect(customer.properties.timezone.enum).toEqual(expect.arrayContaining(['Asia/Riyadh', 'Europe/London', 'UTC']));
    expect(customer.properties.timezone.enum).not.toContain('Mars/Olympus_Mons');
    expect(customer.properties.personalDates.items.properties.date).toMatchObject({ format: 'date', pattern: DATE_PATTERN });
    expect(customer.properties.doNotContactUntil).toMatchObject({ format: 'date' });
    expect(customer.required).toEqual(expect.arrayContaining(['id', 'name', 'timezone', 'agent']));
    expect(customer.additionalProperties).toBe(false);
    // A trimmed name needs a character that is not white space; an agent id also no quotes.
    expect(new RegExp(customer.properties.name.properties.first.pattern).test('   ')).toBe(false);
    expect(new RegExp(customer.properties.name.properties.first.pattern).test(' Layla ')).toBe(true);
    expect(new RegExp(customer.properties.agent.pattern).test('agent-sara')).toBe(true);
    expect(new RegExp(customer.properties.agent.pattern).test("o'brien")).toBe(false);
    // Reachable: an email, phone or address with consent for it.
    expect(customer.anyOf.map((b: { required: string[] }) => b.required[0])).toEqual(['email', 'phone', 'address', 'phone']);
    expect(doc.components.schemas.CallCompletion!.anyOf).toEqual([{ properties: { outcome: { not: { enum: ['call-back'] } } } }, { required: ['callBackOn'] }]);
    expect(doc.components.schemas.LeadOutcome!.anyOf[1]).toEqual({ required: ['contactOn'] });
    expect(doc.components.schemas.Contact!.required).toContain('agent');
    expect(doc.components.schemas.Lead!.properties.source.properties.channel.enum).toContain('open-house');
    // Path and query parameters: ids, task ids, agents, report days.
    expect(doc.paths['/v1/customers/{id}']!.get!.parameters![0]!.schema!.pattern).toBe('^[A-Za-z0-9._-]{1,64}$');
    expect(doc.paths['/v1/tasks/{taskId}/complete']!.post!.parameters![0]!.schema!.pattern).toMatch(/^\^customer-/);
    expect(doc.paths['/v1/tasks']!.get!.parameters![0]!.schema!.pattern).toBeTruthy();
    expect(doc.paths['/v1/reports/budget']!.get!.parameters!.find((p) => p.name === 'year')!.schema).toMatchObject({ type: 'integer', minimum: 2000, maximum: 2200 });
    expect(undocumentedReportParams()).toEqual([]);
    for (const name of REPORT_NAMES) {
      for (const p of doc.paths[`/v1/reports/${name}`]!.get!.parameters!) expect(p.schema, `${name}.${p.name}`).not.toEqual({ type: 'string' });
    }
  });

  it('lists only zones the server takes, and its date patterns admit exactly what zod takes: real days and instants from 1900-01-01 to 2199-12-31', () => {
    for (const zone of TIME_ZONES) expect(customerSchema.shape.timezone.safeParse(zone).success, zone).toBe(true);
    const pattern = new RegExp(DATE_PATTERN);
    const instant = new RegExp(DATE_TIME_PATTERN);
    const dateTime = isoDateTimeSchema();
    const either = isoDayOrInstantSchema();
    // Every day of years 0-9999 (and days that do not exist: Feb 29-31, day 00, month 13): the pattern and zod agree.
    const text = fc.tuple(fc.integer({ min: 0, max: 9999 }), fc.integer({ min: 0, max: 13 }), fc.integer({ min: 0, max: 32 })).map(([y, m, d]) => `${String(y).padStart(4, '0')}-${String(m).padStart(2, '0')}-${String(d).padStart(2, '0')}`);
    fc.assert(fc.property(text, (day) => pattern.test(day) === isoDate.safeParse(day).success), { numRuns: 20_000 });
    fc.assert(fc.property(fc.date({ min: new Date(Date.UTC(0, 0, 1)), max: new Date(Date.UTC(9999, 11, 31)), noInvalidDate: true }), (d) => {
      const day = d.toISOString().slice(0, 10);
      return pattern.test(day) === isoDate.safeParse(day).success && pattern.test(day) === (day >= DATE_RANGE.from && day <= DATE_RANGE.to);
    }), { numRuns: 5_000 });
    // Leap days: 2000 and 2096 are leap years, 1900 and 2100 are not.
    for (const [day, ok] of [['2000-02-29', true], ['2096-02-29', true], ['1904-02-29', true], ['2196-02-29', true], ['1900-02-29', false], ['2100-02-29', false], ['2027-02-29', false], ['1899-12-31', false], ['1900-01-01', true], ['2199-12-31', true], ['2200-01-01', false], ['0171-08-01', false]] as const) {
      expect(pattern.test(day), day).toBe(ok);
      expect(isoDate.safeParse(day).success, day).toBe(ok);
    }
    // Instants: the same days, a time with seconds and a zone.
    const instants = fc.tuple(text, fc.constantFrom('T09:00:00Z', 'T23:59:59.999+03:00', 'T00:00:00-12:00', 'T24:00:00Z', 'T09:00Z', 'T09:00:00', ' 09:00:00Z')).map(([d, t]) => `${d}${t}`);
    fc.assert(fc.property(instants, (s) => instant.test(s) === dateTime.safeParse(s).success && (instant.test(s) || pattern.test(s)) === either.safeParse(s).success), { numRuns: 20_000 });
    // Not a date by the pattern: not one for zod either.
    fc.assert(fc.property(fc.string(), (s) => pattern.test(s) || !isoDate.safeParse(s).success));
    expect(isoDate.safeParse('0171-08-01').error?.issues[0]?.message).toBe('expected a date from 1900-01-01 to 2199-12-31');
  });

  it('links a deal to the customer routes and a lead to the lead routes, each link naming a real operation and its parameters', () => {
    const byId = new Map(operations().map((o) => [o.op.operationId!, o.op]));
    const links = operations().flatMap(({ op }) => Object.values(op.responses).flatMap((r) => Object.values(r.links ?? {})));
    expect(links.length).toBeGreaterThanOrEqual(10);
    for (const link of links) {
      const target = byId.get(link.operationId);
      expect(target, link.operationId).toBeTruthy();
      for (const name of Object.keys(link.parameters ?? {})) expect(target!.parameters?.map((p) => p.name), `${link.operationId}.${name}`).toContain(name);
    }
    const fromDeal = Object.values(doc.paths['/v1/deals']!.post!.responses['202']!.links!).map((l) => l.operationId);
    expect(fromDeal).toEqual(expect.arrayContaining(['getCustomer', 'recordReferral', 'optOut', 'optIn', 'listTasks']));
    expect(Object.values(doc.paths['/v1/leads']!.post!.responses['202']!.links!).map((l) => l.operationId)).toEqual(expect.arrayContaining(['getLead', 'reportLeadOutcome', 'endLead']));
    expect(doc.paths['/v1/tasks']!.get!.responses['200']!.links!.CompleteTask!.operationId).toBe('completeTask');
  });
});

/** What a report parameter's schema allows, at its edges: each enum value, an integer's bounds, the first and last day (and instant) of the date range. */
function boundsOf(schema: Record<string, any>): string[] {
  if (schema.enum) return schema.enum.map(String);
  if (schema.anyOf) return schema.anyOf.flatMap((s: Record<string, any>) => boundsOf(s));
  if (schema.type === 'integer') return [String(schema.minimum), String(schema.maximum)];
  if (schema.format === 'date') return [DATE_RANGE.from, DATE_RANGE.to];
  if (schema.format === 'date-time') return [`${DATE_RANGE.from}T00:00:00Z`, `${DATE_RANGE.to}T23:59:59.999+14:00`];
  if (schema.pattern) return ['agent-sara', 'a', 'x'.repeat(64)].filter((s) => new RegExp(schema.pattern).test(s));
  return [];
}
/** Values just outside: a day before and after the range, a year in the 200s, an integer past each bound. */
function outsideOf(schema: Record<string, any>): string[] {
  if (schema.enum) return ['not-one-of-them'];
  if (schema.type === 'integer') return [String(schema.minimum - 1), String(schema.maximum + 1)];
  if (schema.format === 'date' || schema.anyOf) return ['1899-12-31', '2200-01-01', '0171-08-01', ...(schema.anyOf ? ['2200-01-01T00:00:00Z', '0171-08-01T09:00:00Z'] : [])];
  return [];
}

describe('the report parameters', () => {
  it('each says exactly what it takes (a format and pattern, an enum, a range or a pattern), never a bare string', () => {
    const shapes: Record<string, number> = {};
    for (const name of REPORT_NAMES) {
      for (const p of doc.paths[`/v1/reports/${name}`]!.get!.parameters!) {
        const s = p.schema!;
        const kind = s.enum ? 'enum' : s.anyOf ? 'date-or-date-time' : s.type === 'integer' ? 'integer' : s.format ? String(s.format) : s.pattern ? 'pattern' : 'none';
        expect(kind, `${name}.${p.name}`).not.toBe('none');
        if (s.type === 'integer') expect([typeof s.minimum, typeof s.maximum], `${name}.${p.name}`).toEqual(['number', 'number']);
        if (s.format === 'date') expect(s.pattern, `${name}.${p.name}`).toBe(DATE_PATTERN);
        if (s.anyOf) expect((s.anyOf as Array<Record<string, string>>).map((a) => a.pattern), `${name}.${p.name}`).toEqual([DATE_PATTERN, DATE_TIME_PATTERN]);
        shapes[kind] = (shapes[kind] ?? 0) + 1;
      }
    }
    // from/to of the seven period reports and clv's asOf; year of the seven and budget's, limit; by; agent; two instants-or-days.
    expect(shapes).toEqual({ date: 15, integer: 9, enum: 1, pattern: 1, 'date-or-date-time': 2 });
  });

  it('the server takes each parameter at each bound and refuses it just outside, naming it (400)', async () => {
    const get = (name: string, query: Record<string, string>) => app.inject({ method: 'GET', url: `/v1/reports/${name}?${new URLSearchParams(query).toString()}`, headers: { authorization: `Bearer ${API_KEY}` } });
    let accepted = 0;
    let refused = 0;
    for (const name of REPORT_NAMES) {
      for (const p of doc.paths[`/v1/reports/${name}`]!.get!.parameters!) {
        // budget needs its year; the others take each parameter alone.
        const base: Record<string, string> = name === 'budget' && p.name !== 'year' ? { year: '2027' } : {};
        for (const value of boundsOf(p.schema!)) {
          const res = await get(name, { ...base, [p.name]: value });
          expect(res.statusCode, `${name}?${p.name}=${value}: ${res.body}`).toBe(200);
          accepted++;
        }
        for (const value of outsideOf(p.schema!)) {
          const res = await get(name, { ...base, [p.name]: value });
          expect(res.statusCode, `${name}?${p.name}=${value}`).toBe(400);
          expect(res.json<{ problems: string[] }>().problems.some((x) => x.startsWith(`${p.name}: `)), `${name}?${p.name}=${value}: ${res.body}`).toBe(true);
          refused++;
        }
      }
    }
    expect(accepted).toBeGreaterThan(60);
    expect(refused).toBeGreaterThan(60);
  });
});

describe('methods a documented path does not take', () => {
  it('answer 405 with Allow naming the methods it takes (TRACE and QUERY too), before the key is checked', async () => {
    for (const { path, methods } of [
      { path: '/v1/deals', methods: ['GET', 'PUT', 'PATCH', 'DELETE', 'TRACE', 'QUERY'] },
      { path: '/v1/customers/cust-1', methods: ['POST', 'PUT', 'DELETE', 'TRACE', 'QUERY'] },
      { path: '/v1/reports/budget?year=2027', methods: ['POST', 'TRACE', 'QUERY'] },
      { path: '/health', methods: ['POST', 'TRACE', 'QUERY'] },
    ]) {
      for (const method of methods) {
        const res = await app.inject({ method: method as 'GET', url: path });
        expect(res.statusCode, `${method} ${path}`).toBe(405);
        const documented = Object.keys(doc.paths[path.replace(/cust-1/, '{id}').replace(/\?.*/, '')]!).map((m) => m.toUpperCase());
        // Allow: what is documented, and HEAD with every GET.
        expect(res.headers.allow!.split(', ').filter((m) => m !== 'HEAD'), `${method} ${path}`).toEqual(documented.sort());
      }
    }
    expect((await app.inject({ method: 'DELETE', url: '/v1/nothing-here' })).statusCode).toBe(404);
  });

  it('refuses text PostgreSQL cannot store with 400 naming the field, not a 500', async () => {
    const res = await app.inject({ method: 'POST', url: '/v1/leads', headers: { authorization: `Bearer ${API_KEY}`, 'content-type': 'application/json' }, payload: JSON.stringify({ name: { first: 'A\u0000b' }, timezone: 'UTC', source: { channel: 'website' }, email: 'a@example.com' }) });
    expect(res.statusCode).toBe(400);
    expect(res.json<{ problems: string[] }>().problems).toEqual(['name.first: text with U+0000 or an unpaired surrogate']);
    const lone = await app.inject({ method: 'POST', url: '/v1/leads', headers: { authorization: `Bearer ${API_KEY}`, 'content-type': 'application/json' }, payload: '{"name":{"first":"A\\ud800"},"timezone":"UTC","source":{"channel":"website"},"email":"a@example.com"}' });
    expect(lone.statusCode).toBe(400);
  });

  it('answers a deal with fields it does not know with 400 naming them', async () => {
    const res = await app.inject({ method: 'POST', url: '/v1/deals', headers: { authorization: `Bearer ${API_KEY}` }, payload: { customer: {}, deal: {}, extra: 1 } });
    expect(res.statusCode).toBe(400);
    expect(res.json<{ problems: string[] }>().problems).toContain('extra: not a field of a deal (customer, deal)');
  });
});

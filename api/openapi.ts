// The OpenAPI document served at /openapi.json: the contract fuzzers hold the API to (`npm run
// fuzz`). Request bodies come from the same zod schemas that validate every request, with what
// JSON Schema cannot read from a zod refinement added here once: an IANA zone is one of the
// zones, a date is a real YYYY-MM-DD, a trimmed required string has a character that is not
// white space, and the rules between fields (a call back needs its day, a customer a reachable
// channel). Every answer has its schema, errors included, and links chain a deal into the
// customer's routes and a lead into the lead's, so a fuzzer can test them in sequence.
import { getCountries } from 'libphonenumber-js';
import { z } from 'zod';
import { customerSchema, dealSchema } from '../plan/customer';
import { DATE_PATTERN, DATE_RANGE, DATE_TIME_PATTERN, dateKinds, isoDateSchema, isoDayOrInstantSchema } from '../plan/dates';
import * as m from '../workflows/messages';
import * as lm from '../workflows/lead-messages';
import { LEAD_OUTCOMES, LEAD_STAGES, leadOutcomeSchema, leadSchema, DEFAULT_LEAD_SOURCES } from '../plan/lead';
import { VALUE_CLASSES } from '../plan/segments';
import { REPORT_NAMES, REPORTS } from '../service/measure';
import { emailEventSchema } from '../service/email-events';
import { agentIdSchema } from '../service/operations';

type Json = Record<string, unknown>;

/** Every zone the API accepts and every engine knows (luxon accepts these and a few aliases more). */
export const TIME_ZONES: readonly string[] = ['UTC', ...Intl.supportedValuesOf('timeZone').filter((z) => z !== 'UTC')];
export { DATE_PATTERN, DATE_TIME_PATTERN } from '../plan/dates';
/** One character JavaScript's trim() keeps: not WhiteSpace nor LineTerminator in ECMAScript's sense (spelled out: Python's \\s differs). */
const NOT_SPACE = '[^\\u0009-\\u000d\\u0020\\u00a0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000\\ufeff]';
/** No U+0000 in a body's text: PostgreSQL cannot store it, and the server refuses it (400). */
const NO_NUL = '(?![\\s\\S]*\\u0000)';
/** Sending hours whose window surely starts before it ends (the server takes any such window). */
const SENDING_HOURS_PATTERN = '^(0\\d|1[01]):[0-5]\\d-((1[2-9]|2[0-3]):[0-5]\\d|24:00)$';
/** Phone numbers of a lead the server's libphonenumber always finds possible (it also takes national numbers and other countries). */
const LEAD_PHONE_PATTERN = '^\\+(1[2-9]\\d{9}|9665\\d{8}|447\\d{9})$';
const ID_PATTERN = '^[A-Za-z0-9._-]{1,64}$';
/** A customer's call task (parseTouchKey); a lead's tasks are reported with POST /v1/leads/{id}/outcome. */
const TASK_ID_PATTERN = '^customer-[A-Za-z0-9._-]{1,64}\\.y\\d{1,4}\\.t\\d{1,5}$';
/** A signed link's token: base64url body, a dot, the HMAC (the signature is what the server checks). */
const TOKEN_PATTERN = '^[A-Za-z0-9_-]{2,400}\\.[A-Za-z0-9_-]{43}$';

const isTrimmed = (s: unknown) => ((s as { _zod?: { def?: { checks?: Array<{ _zod: { def: { check: string } } }> } } })._zod?.def?.checks ?? []).some((c) => c._zod.def.check === 'overwrite');

const RANGE = `from ${DATE_RANGE.from} to ${DATE_RANGE.to}`;
const DATE_JSON = { type: 'string', format: 'date', pattern: DATE_PATTERN, description: `a real day, YYYY-MM-DD, ${RANGE}` };
const DATE_TIME_JSON = { type: 'string', format: 'date-time', pattern: DATE_TIME_PATTERN, description: `an instant, ISO 8601 with seconds and a zone (Z or an offset), its date ${RANGE}` };
/** The date schemas of plan/dates.ts in JSON Schema: a real day or an instant in 1900-01-01..2199-12-31, each a pattern that says exactly what zod takes. */
const dateJson = (kind: 'date' | 'date-time' | 'date-or-date-time'): Json =>
  kind === 'date' ? DATE_JSON : kind === 'date-time' ? DATE_TIME_JSON : { type: 'string', anyOf: [DATE_JSON, DATE_TIME_JSON], description: `a day (YYYY-MM-DD) or an instant (ISO 8601 with a zone), ${RANGE}` };

/** What a zod refinement checks, said in JSON Schema; `body`: the schema is a request body's (no U+0000 in its text). */
const constrain = (body: boolean) => (ctx: { zodSchema: unknown; jsonSchema: Json }): void => {
  const s = ctx.zodSchema;
  const j = ctx.jsonSchema;
  if (s === customerSchema.shape.timezone) Object.assign(j, { enum: TIME_ZONES, description: 'an IANA time zone, e.g. Asia/Riyadh' });
  else if (dateKinds.has(s as z.ZodType)) Object.assign(j, dateJson(dateKinds.get(s as z.ZodType)!));
  else if (s === customerSchema.shape.sendingHours.unwrap()) Object.assign(j, { pattern: SENDING_HOURS_PATTERN });
  else if (j.format === 'email') delete j.format; // zod's own pattern (kept) is the rule; JSON Schema's `email` format is another

  else if (j.type === 'string' && !j.enum && !j.format) {
    // zod trims first, then counts: a required string needs a character that is not white space.
    const notBlank = isTrimmed(s) && typeof j.minLength === 'number' && j.minLength >= 1 ? `(?=[\\s\\S]*${NOT_SPACE})` : '';
    const noNul = body && typeof j.pattern !== 'string' ? NO_NUL : '';
    if (notBlank || noNul) j.pattern = `^${notBlank}${noNul}${typeof j.pattern === 'string' ? `(?:${j.pattern})` : ''}`;
  }
};

const json = (schema: z.ZodType, body = true): Json => z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any', target: 'openapi-3.0', override: constrain(body) as never }) as Json;
const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });
const body = (name: string) => ({ required: true, content: { 'application/json': { schema: ref(name) } } });
const answer = (description: string, schema: object, links?: Json) => ({ description, content: { 'application/json': { schema } }, ...(links ? { links } : {}) });
const html = (description: string) => ({ description, content: { 'text/html': { schema: { type: 'string' } } } });
const error = (description: string) => answer(description, ref('Error'));
const E = {
  400: answer('bad input: every bad field named, nothing changed', ref('Problems')),
  401: error('missing or wrong API key'),
  403: error('the API key\'s scope does not allow this'),
  404: error('no such customer, lead or task'),
  409: error('the customer\'s plan ended (lost): a repeated deal does not restart it'),
  413: error('body over 1 MB'),
  415: error('a content type other than JSON or a form'),
};
/** A /v1 operation's errors: its own, and the key's. */
const v1 = (...codes: Array<keyof typeof E>) => Object.fromEntries([...new Set([...codes, 401, 403] as Array<keyof typeof E>)].sort().map((c) => [c, E[c]]));
const withBody = [400, 413, 415] as const;

/** The rules between fields, which toJSONSchema cannot read from a refinement. */
const requiredWhen = (field: string, values: readonly string[], needed: string) => ({ anyOf: [{ properties: { [field]: { not: { enum: values } } } }, { required: [needed] }] });
const reachable = {
  // At least one channel with a contact detail and consent (reachableChannels in plan/customer.ts).
  anyOf: [
    { required: ['email'], properties: { email: { minLength: 1 }, consent: { properties: { email: { enum: [true] } } } } },
    { required: ['phone'], properties: { phone: { minLength: 1 }, consent: { properties: { sms: { enum: [true] } } } } },
    { required: ['address'], properties: { consent: { properties: { postal: { enum: [true] } } } } },
    { required: ['phone'], properties: { phone: { minLength: 1 }, consent: { properties: { phone: { enum: [true] } } } } },
  ],
};

/** Each report parameter's schema, as the report's own zod parser (service/measure.ts) reads it. */
const day = isoDateSchema();
const instantOrDay = isoDayOrInstantSchema();
const REPORT_PARAMS: Record<string, z.ZodType> = {
  from: day,
  to: day,
  year: z.number().int().min(2000).max(2200),
  limit: z.number().int().min(1).max(1000),
  by: z.enum(['month', 'kind', 'owner', 'segment']),
  agent: agentIdSchema,
};
const reportParam = (report: string, param: string): Json => json(param === 'asOf' ? (report === 'clv' ? day : instantOrDay) : REPORT_PARAMS[param]!, false);
/** Report parameters with no schema here: the OpenAPI test fails on any. */
export const undocumentedReportParams = () => REPORT_NAMES.flatMap((r) => Object.keys(REPORTS[r].params).filter((p) => p !== 'asOf' && !REPORT_PARAMS[p]).map((p) => `${r}.${p}`));

const PERIOD_RULE = ' Give `year`, or `from` and/or `to` (a period of at most 10 years, `from` before `to`), not both.';
const reportPaths = () =>
  Object.fromEntries(
    REPORT_NAMES.map((name) => {
      const params = REPORTS[name].params as Record<string, string>;
      const period = 'from' in params;
      return [
        `/v1/reports/${name}`,
        {
          get: {
            operationId: `report-${name}`,
            tags: ['reports'],
            summary: REPORTS[name].summary,
            description: period ? `Parameters in the query string.${PERIOD_RULE}` : 'Parameters in the query string; any other is refused.',
            parameters: Object.entries(params).map(([p, description]) => ({ name: p, in: 'query', required: name === 'budget' && p === 'year', description, schema: reportParam(name, p) })),
            responses: { 200: answer('the report', { type: 'object' }), ...v1(400) },
          },
        },
      ];
    }),
  );

const idParam = (name = 'id', description = 'the customer\'s or lead\'s id') => ({ name, in: 'path', required: true, description, schema: { type: 'string', pattern: ID_PATTERN } });
const tokenParam = { name: 'token', in: 'path', required: true, description: 'the signed token of the link', schema: { type: 'string', pattern: TOKEN_PATTERN } };
const langParam = { name: 'lang', in: 'query', required: false, schema: { type: 'string', enum: ['en', 'ar'] } };

/** From a deal to the customer's routes (stateful testing). */
const customerLinks = (idFrom: string, agentFrom?: string) => ({
  GetCustomer: { operationId: 'getCustomer', parameters: { id: idFrom } },
  CustomerValue: { operationId: 'getCustomerValue', parameters: { id: idFrom } },
  Referral: { operationId: 'recordReferral', parameters: { id: idFrom } },
  OptOut: { operationId: 'optOut', parameters: { id: idFrom } },
  OptIn: { operationId: 'optIn', parameters: { id: idFrom } },
  ExportPerson: { operationId: 'exportPerson', parameters: { id: idFrom } },
  ForgetPerson: { operationId: 'forgetPerson', parameters: { id: idFrom } },
  ...(agentFrom ? { AgentTasks: { operationId: 'listTasks', parameters: { agent: agentFrom } } } : {}),
});
const leadLinks = (idFrom: string) => ({
  GetLead: { operationId: 'getLead', parameters: { id: idFrom } },
  LeadOutcome: { operationId: 'reportLeadOutcome', parameters: { id: idFrom } },
  LeadReply: { operationId: 'leadReplied', parameters: { id: idFrom } },
  ResumeLead: { operationId: 'resumeLead', parameters: { id: idFrom } },
  EndLead: { operationId: 'endLead', parameters: { id: idFrom } },
});

export interface OpenApiOptions {
  /** The business's lead sources (PLAN33_LEADS_FILE): `source.channel` is one of them. */
  sources?: readonly string[];
  /** The codec server is mounted (PLAN33_ENCRYPTION_KEYS). */
  codec?: boolean;
}

const str = { type: 'string' };
const obj = (properties: Json, required: string[] = []) => ({ type: 'object', properties, ...(required.length ? { required } : {}) });

export function openApiDocument(publicBaseUrl: string, opts: OpenApiOptions = {}) {
  const sources = [...(opts.sources ?? DEFAULT_LEAD_SOURCES)];
  const lead = json(leadSchema);
  // A lead as captured: `id` is optional (derived from the email or phone), `source.channel` is one of the business's sources.
  const leadProps = lead.properties as Record<string, Json>;
  const leadBody = {
    ...lead,
    required: ['name', 'timezone', 'source'],
    properties: {
      ...leadProps,
      // A null id is taken for none (derived from the email or phone), an empty email or phone too.
      id: { ...leadProps.id, nullable: true },
      // An empty email or phone is taken for none.
      email: { anyOf: [leadProps.email, { type: 'string', enum: [''] }] },
      phone: { anyOf: [{ type: 'string', pattern: LEAD_PHONE_PATTERN }, { type: 'string', enum: [''] }], description: 'E.164; the server also takes a national number of the default country' },
      source: { ...leadProps.source, properties: { ...(leadProps.source!.properties as Json), channel: { type: 'string', enum: sources } } },
      // A lead's phone is read in the address's country: one libphonenumber knows.
      address: { ...leadProps.address, properties: { ...(leadProps.address!.properties as Json), country: { type: 'string', enum: getCountries() } } },
    },
    ...reachable,
  };
  // As api/codec-server.ts checks: base64 text (standard or URL-safe); the body limit (1 MB) bounds the rest.
  const base64 = { type: 'string', pattern: '^[A-Za-z0-9+/_-]*={0,2}$' };
  const codecPayloads = obj({ payloads: { type: 'array', items: obj({ metadata: { type: 'object', additionalProperties: base64 }, data: base64 }) } }, ['payloads']);
  return {
    openapi: '3.0.3',
    info: { title: 'plan33 API', version: '1', description: 'The 33-touch relationship plan: one durable Temporal workflow per customer-year. Every request is checked against this document\'s schemas (bad input: 400 naming every field); a method a path does not take answers 405 with Allow.' },
    servers: [{ url: publicBaseUrl }],
    security: [{ bearer: [] }],
    components: {
      securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } },
      schemas: {
        Customer: { ...json(customerSchema), ...reachable },
        Deal: json(dealSchema),
        DealClosed: { type: 'object', required: ['customer', 'deal'], properties: { customer: ref('Customer'), deal: ref('Deal') }, additionalProperties: false },
        Referral: json(z.union([m.referralSchema, m.pledgeSchema.extend({ pledged: z.literal(true) })])),
        ConsentChange: json(m.consentChangeSchema),
        CallCompletion: { ...json(m.callCompletionFields.omit({ taskId: true })), ...requiredWhen('outcome', ['call-back'], 'callBackOn') },
        FulfilmentUpdate: json(m.fulfilmentUpdateSchema),
        EmailEvent: { ...json(emailEventSchema), ...requiredWhen('type', ['bounce'], 'bounceType') },
        Lead: leadBody,
        // A contact: an agent required; no source needed (`other`, "sphere of influence").
        Contact: {
          ...leadBody,
          required: ['name', 'timezone', 'agent'],
          properties: { ...leadBody.properties, source: { ...leadBody.properties.source, nullable: true, properties: { ...(leadBody.properties.source.properties as Json), channel: { type: 'string', enum: [...new Set([...sources, 'other'])] } } } },
        },
        LeadOutcome: { ...json(leadOutcomeSchema), ...requiredWhen('outcome', ['contact-later'], 'contactOn') },
        LeadReply: json(lm.leadReplySchema),
        EndLead: json(lm.endLeadSchema),
        // Answers.
        Started: obj({ workflowId: str, runId: str, handedOverFrom: str }, ['workflowId']),
        Captured: obj({ leadId: str, workflowId: str, merged: { type: 'boolean' }, stage: str }, ['leadId', 'workflowId', 'merged']),
        // A run none of whose workflow tasks ran (ended before its first, or waiting for a worker) answers state `ended` or `not-started`, with `workflow` and `note`.
        Run: obj({ workflowId: str, runId: str, status: str, startedAt: str, closedAt: str }, ['workflowId', 'runId', 'status', 'startedAt']),
        CustomerStatus: obj({ customerId: str, customer: { type: 'object', properties: { segment: { type: 'string', description: "The business's own segment, as given (import, API, CLI, web): the daily refresh never replaces it" } } }, valueClass: { type: 'string', enum: [...VALUE_CLASSES], description: 'The value class the daily refresh computed from the deals (VIP = top 20 % by revenue, else A/B/C); unset until the first refresh after the deal' }, plan: str, planYear: { type: 'integer' }, state: str, deals: { type: 'array' }, referrals: { type: 'integer' }, calls: { type: 'array' }, touchesDone: { type: 'array' }, nextTouches: { type: 'array' }, workflow: ref('Run'), note: str }, ['customerId', 'plan', 'state', 'touchesDone', 'nextTouches']),
        LeadStatus: obj({ leadId: str, stage: { type: 'string', enum: [...LEAD_STAGES] }, plan: str, state: str, workflow: ref('Run'), note: str }, ['leadId', 'stage']),
        Task: obj({ taskId: str, customerId: str, customerName: str, phone: str, agent: str, title: str, dueAt: str, givenAt: str, remindedAt: str, escalatedAt: str }, ['taskId', 'customerId', 'agent', 'title', 'dueAt']),
        Next: obj({ taskId: str, outcome: str, stage: { type: 'string', enum: [...LEAD_STAGES] }, next: str }, ['outcome', 'next']),
        Error: obj({ error: str, problems: { type: 'array', items: str } }, ['error']),
        Problems: obj({ error: str, problems: { type: 'array', items: str } }, ['error']),
      },
    },
    paths: {
      '/v1/deals': {
        post: {
          operationId: 'dealClosed', tags: ['customers'],
          summary: "A deal closed: starts the customer's year, or updates it; idempotent",
          requestBody: body('DealClosed'),
          responses: { 202: answer('started or updated', ref('Started'), customerLinks('$request.body#/customer/id', '$request.body#/customer/agent')), ...v1(...withBody, 409) },
        },
      },
      '/v1/customers/{id}': { get: { operationId: 'getCustomer', tags: ['customers'], summary: 'Plan, year, touches done and next', parameters: [idParam()], responses: { 200: answer('the status query', ref('CustomerStatus')), ...v1(400, 404) } } },
      '/v1/customers/{id}/referrals': { post: { operationId: 'recordReferral', tags: ['customers'], summary: 'A referral received (referralId) or pledged (pledged: true); moves to advocate', parameters: [idParam()], requestBody: body('Referral'), responses: { 202: answer('recorded', obj({ customerId: str, kind: { type: 'string', enum: ['referral', 'pledge'] } }, ['customerId', 'kind'])), ...v1(...withBody, 404) } } },
      '/v1/customers/{id}/opt-out': { post: { operationId: 'optOut', tags: ['customers'], summary: 'Consent withdrawn for a channel', parameters: [idParam()], requestBody: body('ConsentChange'), responses: { 202: answer('recorded', ref('ConsentChange')), ...v1(...withBody, 404) } } },
      '/v1/customers/{id}/opt-in': { post: { operationId: 'optIn', tags: ['customers'], summary: 'Consent given again for a channel', parameters: [idParam()], requestBody: body('ConsentChange'), responses: { 202: answer('recorded', ref('ConsentChange')), ...v1(...withBody, 404) } } },
      '/v1/customers/{id}/value': { get: { operationId: 'getCustomerValue', tags: ['customers'], summary: "Customer lifetime value by the documents' formula, and the referral-adjusted value", parameters: [idParam()], responses: { 200: answer('the inputs and the values', { type: 'object' }), ...v1(400, 404) } } },
      '/v1/tasks': {
        get: {
          operationId: 'listTasks', tags: ['tasks'], summary: "An agent's open call tasks, oldest first",
          parameters: [{ name: 'agent', in: 'query', required: true, schema: json(agentIdSchema, false) }],
          responses: { 200: answer('the tasks', obj({ tasks: { type: 'array', items: ref('Task') } }, ['tasks']), { CompleteTask: { operationId: 'completeTask', parameters: { taskId: '$response.body#/tasks/0/taskId' } } }), ...v1(400) },
        },
      },
      '/v1/tasks/{taskId}/complete': {
        post: {
          operationId: 'completeTask', tags: ['tasks'],
          summary: 'An agent finished a call; answers with what happens next (a lead\'s task: POST /v1/leads/{id}/outcome with its taskId)',
          parameters: [{ name: 'taskId', in: 'path', required: true, description: 'customer-<id>.y<year>.t<seq>', schema: { type: 'string', pattern: TASK_ID_PATTERN } }],
          requestBody: body('CallCompletion'),
          responses: { 200: answer('accepted', ref('Next')), ...v1(...withBody, 404) },
        },
      },
      '/v1/people/{id}': { delete: { operationId: 'forgetPerson', tags: ['privacy'], summary: "Right to be forgotten: ends the person's workflows and deletes every row kept about them; an audit row without personal data stays (scope admin)", parameters: [idParam('id', 'the person\'s id')], responses: { 200: answer('the workflows ended and the rows deleted per table', { type: 'object' }), ...v1(400, 404) } } },
      '/v1/people/{id}/export': { get: { operationId: 'exportPerson', tags: ['privacy'], summary: "Right to a copy: every row kept about the person, and their running plan's status (scope admin)", parameters: [idParam('id', 'the person\'s id')], responses: { 200: answer('the rows per table and the workflows', { type: 'object' }), ...v1(400, 404) } } },
      '/v1/reports': { get: { operationId: 'listReports', tags: ['reports'], summary: 'The reports there are: name, what each measures, its parameters (the same list as `plan33 report <name>`)', responses: { 200: answer('the list', obj({ reports: { type: 'array', items: obj({ name: { type: 'string', enum: [...REPORT_NAMES] }, summary: str, params: { type: 'object', additionalProperties: str } }, ['name', 'summary', 'params']) } }, ['reports'])), ...v1() } } },
      ...reportPaths(),
      '/v1/leads': { post: { operationId: 'captureLead', tags: ['leads'], summary: 'A lead came in (Funnel): starts lead-<id> (assigned, first-contact task, the 8x8), or merges a person captured before (same email or phone)', requestBody: body('Lead'), responses: { 202: answer('captured', ref('Captured'), leadLinks('$response.body#/leadId')), ...v1(...withBody) } } },
      '/v1/contacts': { post: { operationId: 'addContact', tags: ['leads'], summary: "A contact of the business's sphere of influence: straight onto the general 33 as lead-<id> (an agent required)", requestBody: body('Contact'), responses: { 202: answer('started, or merged into a person known before', ref('Captured'), { GetLead: { operationId: 'getLead', parameters: { id: '$response.body#/leadId' } } }), ...v1(...withBody) } } },
      '/v1/leads/conversion': { get: { operationId: 'leadConversion', tags: ['leads'], summary: 'Conversion by source or agent (Track): leads, contacted, qualified, deals, lost', parameters: [{ name: 'by', in: 'query', required: false, schema: { type: 'string', enum: ['source', 'agent'] } }], responses: { 200: answer('one row per source or agent', obj({ by: { type: 'string', enum: ['source', 'agent'] }, rows: { type: 'array', items: { type: 'object' } } }, ['by', 'rows'])), ...v1(400) } } },
      '/v1/leads/{id}': { get: { operationId: 'getLead', tags: ['leads'], summary: "The lead's road: stage, agent, first contact, 8x8 touches done and next, outcomes", parameters: [idParam('id', 'the lead\'s id')], responses: { 200: answer('the lead status query', ref('LeadStatus')), ...v1(400, 404) } } },
      '/v1/leads/{id}/outcome': { post: { operationId: 'reportLeadOutcome', tags: ['leads'], summary: `An agent's report: ${LEAD_OUTCOMES.join(', ')} (with contactOn)`, parameters: [idParam('id', 'the lead\'s id')], requestBody: body('LeadOutcome'), responses: { 200: answer('accepted: the stage and what happens next', ref('Next')), ...v1(...withBody, 404, 409) } } },
      '/v1/leads/{id}/replies': { post: { operationId: 'leadReplied', tags: ['leads'], summary: 'The lead answered (inbound email webhook, a logged conversation): the 8x8 pauses, the agent gets a task', parameters: [idParam('id', 'the lead\'s id')], requestBody: body('LeadReply'), responses: { 202: answer('recorded', ref('LeadReply')), ...v1(...withBody, 404) } } },
      '/v1/leads/{id}/resume': { post: { operationId: 'resumeLead', tags: ['leads'], summary: 'The agent resumes the paused 8x8', parameters: [idParam('id', 'the lead\'s id')], responses: { 202: answer('resumed', obj({ resumed: str }, ['resumed'])), ...v1(400, 404, 413) } } },
      '/v1/leads/{id}/end': { post: { operationId: 'endLead', tags: ['leads'], summary: 'The lead is closed as lost, with a reason', parameters: [idParam('id', 'the lead\'s id')], requestBody: body('EndLead'), responses: { 202: answer('closed', ref('EndLead')), ...v1(...withBody, 404) } } },
      '/v1/source/{token}': {
        get: { operationId: 'sourceQuestion', tags: ['links'], security: [], summary: '"How did you hear about us?" (the welcome email\'s signed link): a page with the question', parameters: [tokenParam, langParam], responses: { 200: html('the page'), 403: error('the link is not valid') } },
        post: {
          operationId: 'sourceAnswer', tags: ['links'], security: [], summary: 'The answer to "How did you hear about us?"', parameters: [tokenParam, langParam],
          requestBody: { required: true, content: { 'application/x-www-form-urlencoded': { schema: { type: 'object', required: ['source'], properties: { source: { type: 'string', enum: sources }, text: { type: 'string', maxLength: 200, pattern: `^${NO_NUL}` } }, additionalProperties: false } } } },
          responses: { 200: html('thank you'), 400: E[400], 403: error('the link is not valid'), 413: E[413], 415: E[415] },
        },
      },
      '/v1/unsubscribe/{token}': {
        get: { operationId: 'unsubscribePage', tags: ['links'], security: [], summary: 'The page behind the List-Unsubscribe link (does not unsubscribe)', parameters: [tokenParam], responses: { 200: html('a page with a button'), 403: error('the link is not valid') } },
        post: { operationId: 'unsubscribe', tags: ['links'], security: [], summary: 'RFC 8058 one-click unsubscribe (any body, read and dropped)', parameters: [tokenParam], responses: { 200: { description: 'unsubscribed: JSON for a mail client, a confirmation page for a browser (Accept: text/html)', content: { 'application/json': { schema: obj({ unsubscribed: { type: 'string', enum: ['email', 'sms', 'postal', 'phone'] } }, ['unsubscribed']) }, 'text/html': { schema: { type: 'string' } } } }, 403: error('the link is not valid'), 404: error('unsubscribe links are not configured'), 413: E[413] } },
      },
      '/webhooks/twilio/sms': {
        post: {
          operationId: 'twilioSms', tags: ['webhooks'], security: [], summary: 'Twilio inbound SMS (X-Twilio-Signature): STOP/START/HELP, other replies become agent tasks',
          parameters: [{ name: 'X-Twilio-Signature', in: 'header', required: true, schema: str }],
          requestBody: { required: true, content: { 'application/x-www-form-urlencoded': { schema: { type: 'object', properties: { From: str, To: str, Body: str, MessageSid: str }, additionalProperties: str } } } },
          responses: { 200: { description: 'TwiML', content: { 'text/xml': { schema: str } } }, 400: E[400], 403: error('bad signature'), 404: error('SMS is not configured'), 413: E[413], 415: E[415] },
        },
      },
      '/webhooks/email-events': { post: { operationId: 'emailEvent', tags: ['webhooks'], security: [], summary: "The mail provider's bounces and complaints (x-plan33-signature): a hard bounce or complaint turns email consent off", parameters: [{ name: 'x-plan33-signature', in: 'header', required: true, schema: str }], requestBody: body('EmailEvent'), responses: { 202: answer('what was done', { type: 'object' }), 400: E[400], 401: error('bad signature'), 404: error('webhooks are not configured'), 413: E[413], 415: E[415] } } },
      '/webhooks/fulfilment': { post: { operationId: 'fulfilment', tags: ['webhooks'], security: [], summary: 'Print-and-mail provider reports (x-plan33-signature)', parameters: [{ name: 'x-plan33-signature', in: 'header', required: true, schema: str }], requestBody: body('FulfilmentUpdate'), responses: { 202: answer('recorded', obj({ accepted: str, status: str }, ['accepted', 'status'])), 400: E[400], 401: error('bad signature'), 404: error('no such item, or webhooks are not configured'), 413: E[413], 415: E[415] } } },
      ...(opts.codec
        ? Object.fromEntries(
            (['decode', 'encode'] as const).map((op) => [
              `/codec/${op}`,
              { post: { operationId: `codec-${op}`, tags: ['codec'], summary: `Temporal's codec server: ${op} payloads (Temporal UI, scope read)`, requestBody: { required: true, content: { 'application/json': { schema: codecPayloads } } }, responses: { 200: answer(`the payloads ${op}d`, codecPayloads), ...v1(...withBody) } } },
            ]),
          )
        : {}),
      '/health': { get: { operationId: 'health', tags: ['operations'], security: [], summary: 'The process is up', responses: { 200: answer('ok', obj({ ok: { type: 'boolean' } }, ['ok'])) } } },
      '/ready': { get: { operationId: 'ready', tags: ['operations'], security: [], summary: 'Temporal and the database answer: ready for traffic', responses: { 200: answer('ready', obj({ ready: { type: 'boolean' } }, ['ready'])), 503: answer('Temporal or the database unreachable', obj({ ready: { type: 'boolean' }, error: str }, ['ready', 'error'])) } } },
      '/openapi.json': { get: { operationId: 'openapi', tags: ['operations'], security: [], summary: 'This document', responses: { 200: answer('the OpenAPI document', { type: 'object' }) } } },
    },
  };
}

/**
 * Paths served for people in a browser (sessions, CSRF tokens, HTML forms), and the codec path
 * whose secret is in the URL for Temporal UI: not part of the API contract.
 */
export const BROWSER_PATHS = [/^\/app(\/|$)/, /^\/prefs$/, /^\/survey$/, /^\/forms\/lead$/, /^\/codec\/ui\//];

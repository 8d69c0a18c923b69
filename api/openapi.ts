// The OpenAPI document served at /openapi.json, built from the same zod schemas that validate
// every request, so the document cannot drift from what the API accepts.
import { z } from 'zod';
import { customerSchema, dealSchema } from '../plan/customer';
import * as m from '../workflows/messages';
import * as lm from '../workflows/lead-messages';
import { leadOutcomeSchema, leadSchema } from '../plan/lead';
import { REPORT_NAMES, REPORTS } from '../service/measure';

const json = (schema: z.ZodType) => z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any', target: 'openapi-3.0' });
const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });
const body = (name: string) => ({ required: true, content: { 'application/json': { schema: ref(name) } } });
const answer = (description: string, schema?: object) => ({ description, ...(schema ? { content: { 'application/json': { schema } } } : {}) });
const errors = {
  400: answer('bad input: every bad field named, nothing changed', ref('Problems')),
  401: answer('missing or wrong API key', ref('Error')),
  404: answer('no running plan for this customer', ref('Error')),
};
/** The query parameters' types; every other report parameter is a string (a day, an instant, an agent). */
const REPORT_PARAM_SCHEMAS: Record<string, object> = {
  from: { type: 'string', format: 'date' },
  to: { type: 'string', format: 'date' },
  year: { type: 'integer', minimum: 2000, maximum: 2200 },
  limit: { type: 'integer', minimum: 1, maximum: 1000 },
  by: { type: 'string', enum: ['month', 'kind', 'owner', 'segment'] },
};
/** One path per report of the registry (service/measure.ts), with its parameters. */
const reportPaths = () =>
  Object.fromEntries(
    REPORT_NAMES.map((name) => [
      `/v1/reports/${name}`,
      {
        get: {
          summary: REPORTS[name].summary,
          parameters: Object.entries(REPORTS[name].params as Record<string, string>).map(([p, description]) => ({ name: p, in: 'query', required: name === 'budget' && p === 'year', description, schema: REPORT_PARAM_SCHEMAS[p] ?? { type: 'string' } })),
          responses: { 200: answer('the report (JSON)'), 400: errors[400], 401: errors[401] },
        },
      },
    ]),
  );
const customerId = { name: 'id', in: 'path', required: true, schema: { type: 'string', pattern: '^[A-Za-z0-9._-]{1,64}$' } };

export function openApiDocument(publicBaseUrl: string) {
  return {
    openapi: '3.0.3',
    info: { title: 'plan33 API', version: '1', description: 'The 33-touch relationship plan: one durable Temporal workflow per customer-year.' },
    servers: [{ url: publicBaseUrl }],
    security: [{ bearer: [] }],
    components: {
      securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } },
      schemas: {
        Customer: json(customerSchema),
        Deal: json(dealSchema),
        DealClosed: { type: 'object', required: ['customer', 'deal'], properties: { customer: ref('Customer'), deal: ref('Deal') }, additionalProperties: false },
        Referral: json(z.union([m.referralSchema, m.pledgeSchema.extend({ pledged: z.literal(true) })])),
        ConsentChange: json(m.consentChangeSchema),
        CallCompletion: json(m.callCompletionFields.omit({ taskId: true })),
        FulfilmentUpdate: json(m.fulfilmentUpdateSchema),
        // A lead as captured: `id` is optional (derived from the email or phone when absent), the
        // phone may be national (normalised to E.164), `source.channel` is one of the business's sources.
        Lead: { ...json(leadSchema), required: ['name', 'timezone', 'source'] },
        LeadOutcome: json(leadOutcomeSchema),
        LeadReply: json(lm.leadReplySchema),
        EndLead: json(lm.endLeadSchema),
        Captured: { type: 'object', properties: { leadId: { type: 'string' }, workflowId: { type: 'string' }, merged: { type: 'boolean' }, stage: { type: 'string' } } },
        Started: { type: 'object', properties: { workflowId: { type: 'string' }, runId: { type: 'string' } } },
        Error: { type: 'object', properties: { error: { type: 'string' } } },
        Problems: { type: 'object', properties: { error: { type: 'string' }, problems: { type: 'array', items: { type: 'string' } } } },
      },
    },
    paths: {
      '/v1/deals': { post: { summary: "A deal closed: starts the customer's year, or updates it; idempotent", requestBody: body('DealClosed'), responses: { 202: answer('started or updated', ref('Started')), 400: errors[400], 401: errors[401] } } },
      '/v1/customers/{id}': { get: { summary: 'Plan, year, touches done and next', parameters: [customerId], responses: { 200: answer('the status query'), ...errors } } },
      '/v1/customers/{id}/referrals': { post: { summary: 'A referral received (referralId) or pledged (pledged: true); moves to advocate', parameters: [customerId], requestBody: body('Referral'), responses: { 202: answer('recorded'), ...errors } } },
      '/v1/customers/{id}/opt-out': { post: { summary: 'Consent withdrawn for a channel', parameters: [customerId], requestBody: body('ConsentChange'), responses: { 202: answer('recorded'), ...errors } } },
      '/v1/customers/{id}/opt-in': { post: { summary: 'Consent given again for a channel', parameters: [customerId], requestBody: body('ConsentChange'), responses: { 202: answer('recorded'), ...errors } } },
      '/v1/tasks': { get: { summary: "An agent's open call tasks", parameters: [{ name: 'agent', in: 'query', required: true, schema: { type: 'string' } }], responses: { 200: answer('the tasks'), 400: errors[400], 401: errors[401] } } },
      '/v1/tasks/{taskId}/complete': {
        post: {
          summary: 'An agent finished a call; answers with what happens next',
          parameters: [{ name: 'taskId', in: 'path', required: true, schema: { type: 'string' } }],
          requestBody: body('CallCompletion'),
          responses: { 200: answer('accepted'), ...errors },
        },
      },
      '/v1/customers/{id}/value': { get: { summary: "Customer lifetime value by the documents' formula, and the referral-adjusted value", parameters: [customerId], responses: { 200: answer('the inputs and the values'), ...errors } } },
      '/v1/people/{id}': { delete: { summary: 'Right to be forgotten: ends the person\'s workflows and deletes every row kept about them; an audit row without personal data stays', parameters: [customerId], responses: { 200: answer('the workflows ended and the rows deleted per table'), ...errors } } },
      '/v1/people/{id}/export': { get: { summary: 'Right to a copy: every row kept about the person, and their running plan\'s status', parameters: [customerId], responses: { 200: answer('the rows per table and the workflows'), ...errors } } },
      '/v1/reports': { get: { summary: 'The reports there are: name, what each measures, its parameters (the same list as `plan33 report <name>`)', responses: { 200: answer('the list'), 401: errors[401] } } },
      ...reportPaths(),
      '/v1/leads': { post: { summary: 'A lead came in (Funnel): starts lead-<id> (assigned, first-contact task, the 8x8), or merges a person captured before (same email or phone)', requestBody: body('Lead'), responses: { 202: answer('captured', ref('Captured')), 400: errors[400], 401: errors[401] } } },
      '/v1/contacts': { post: { summary: "A contact of the business's sphere of influence: straight onto the general 33 as lead-<id> (an agent required)", requestBody: body('Lead'), responses: { 202: answer('started, or merged into a person known before', ref('Captured')), 400: errors[400], 401: errors[401] } } },
      '/v1/leads/conversion': { get: { summary: 'Conversion by source or agent (Track): leads, contacted, qualified, deals, lost', parameters: [{ name: 'by', in: 'query', required: false, schema: { type: 'string', enum: ['source', 'agent'] } }], responses: { 200: answer('one row per source or agent'), 400: errors[400], 401: errors[401] } } },
      '/v1/leads/{id}': { get: { summary: "The lead's road: stage, agent, first contact, 8x8 touches done and next, outcomes", parameters: [customerId], responses: { 200: answer('the lead status query'), ...errors } } },
      '/v1/leads/{id}/outcome': { post: { summary: "An agent's report: positive-interest, negative, no-response, contact-later (with contactOn)", parameters: [customerId], requestBody: body('LeadOutcome'), responses: { 200: answer('accepted: the stage and what happens next'), ...errors } } },
      '/v1/leads/{id}/replies': { post: { summary: 'The lead answered (inbound email webhook, a logged conversation): the 8x8 pauses, the agent gets a task', parameters: [customerId], requestBody: body('LeadReply'), responses: { 202: answer('recorded'), ...errors } } },
      '/v1/leads/{id}/resume': { post: { summary: 'The agent resumes the paused 8x8', parameters: [customerId], responses: { 202: answer('resumed'), ...errors } } },
      '/v1/leads/{id}/end': { post: { summary: 'The lead is closed as lost, with a reason', parameters: [customerId], requestBody: body('EndLead'), responses: { 202: answer('closed'), ...errors } } },
      '/v1/unsubscribe/{token}': {
        get: { security: [], summary: 'The page behind the List-Unsubscribe link (does not unsubscribe)', parameters: [{ name: 'token', in: 'path', required: true, schema: { type: 'string' } }], responses: { 200: answer('an HTML page with a button') } },
        post: { security: [], summary: 'RFC 8058 one-click unsubscribe', parameters: [{ name: 'token', in: 'path', required: true, schema: { type: 'string' } }], responses: { 200: answer('unsubscribed'), 400: errors[400] } },
      },
      '/webhooks/twilio/sms': { post: { security: [], summary: 'Twilio inbound SMS (X-Twilio-Signature): STOP/START/HELP, other replies become agent tasks', responses: { 200: answer('TwiML'), 403: answer('bad signature') } } },
      '/webhooks/email-events': { post: { security: [], summary: 'The mail provider\'s bounces and complaints (x-plan33-signature): a hard bounce or complaint turns email consent off', responses: { 202: answer('what was done'), 400: errors[400], 401: answer('bad signature') } } },
      '/webhooks/fulfilment': { post: { security: [], summary: 'Print-and-mail provider reports (x-plan33-signature)', requestBody: body('FulfilmentUpdate'), responses: { 202: answer('recorded'), 400: errors[400], 401: answer('bad signature') } } },
      '/health': { get: { security: [], summary: 'The process is up', responses: { 200: answer('ok') } } },
      '/ready': { get: { security: [], summary: 'Temporal answers: ready for traffic', responses: { 200: answer('ready'), 503: answer('Temporal unreachable') } } },
    },
  };
}

// Rate limits for the public pages a link opens (the survey, the preference page): per client
// address (behind a load balancer, TRUST_PROXY makes that the caller's), counted per route, so a
// guessed or leaked link cannot be hammered. Registered inside each page's own scope, as the lead
// form and sign-in do, so the API's keyed routes are not counted.
import rateLimit from '@fastify/rate-limit';
import type { FastifyInstance } from 'fastify';

/** Page views per address per minute; each form's posts are limited more tightly by `POSTS_PER_MINUTE`. */
export const VIEWS_PER_MINUTE = 60;
export const POSTS_PER_MINUTE = 20;

export async function limitPublicPages(scope: FastifyInstance): Promise<void> {
  await scope.register(rateLimit, {
    max: VIEWS_PER_MINUTE,
    timeWindow: 60_000,
    keyGenerator: (req) => req.ip,
    errorResponseBuilder: (_req, ctx) => ({ statusCode: 429, error: 'Too Many Requests', message: `too many requests from this address; try again in ${Math.ceil(ctx.ttl / 1000)} s` }),
  });
}

/** Route options for a form's POST. */
export const postLimit = { config: { rateLimit: { max: POSTS_PER_MINUTE, timeWindow: 60_000 } } };

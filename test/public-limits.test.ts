// The public pages a link opens are rate-limited per client address: a guessed or leaked
// survey link cannot be hammered. A real fastify server on loopback with the survey routes.
import Fastify, { type FastifyInstance } from 'fastify';
import formbody from '@fastify/formbody';
import { Client } from '@temporalio/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registerSurveyRoutes } from '../api/survey';
import { POSTS_PER_MINUTE, VIEWS_PER_MINUTE } from '../api/public-limits';
import { freshStores, type TestStores } from './helpers/database';

let app: FastifyInstance;
let stores: TestStores;
let base: string;

beforeAll(async () => {
  stores = await freshStores();
  app = Fastify();
  await app.register(formbody);
  // A client that is never reached: every request here is refused before the workflow is asked.
  await registerSurveyRoutes(app, { client: new Client(), db: stores.db, secret: 'survey-limit-secret-0123456789' });
  app.get('/health', async () => ({ ok: true }));
  base = await app.listen({ port: 0, host: '127.0.0.1' });
});
afterAll(async () => {
  await app?.close();
  await stores?.db.destroy();
});

describe('rate limits on the survey page', () => {
  it(`answers ${VIEWS_PER_MINUTE} views and ${POSTS_PER_MINUTE} posts a minute per address, then 429 with Retry-After; other routes are not counted`, async () => {
    const view = () => fetch(`${base}/survey?t=forged.token`);
    for (let i = 0; i < VIEWS_PER_MINUTE; i++) expect((await view()).status).toBe(403);
    const limited = await view();
    expect(limited.status).toBe(429);
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(await limited.text()).toContain('too many requests from this address');

    const post = () => fetch(`${base}/survey?t=forged.token`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'score=9' });
    for (let i = 0; i < POSTS_PER_MINUTE; i++) expect((await post()).status).toBe(403);
    expect((await post()).status).toBe(429);
    expect((await fetch(`${base}/health`)).status).toBe(200);
  });
});

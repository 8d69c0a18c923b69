// Customer data encrypted in Temporal: with PLAN33_ENCRYPTION_KEYS, the history the server keeps
// holds no name, email, phone or address (read raw, without the codec); the service layer and the
// worker still read it; with a rotated key list the real history's payloads still decrypt and new ones use the new key; the codec
// server decodes for Temporal UI behind an API key, and lets only the UI's origin in (CORS).
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { Client } from '@temporalio/client';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { buildApi } from '../api/server';
import { dataConverterFor, KEY_ID_METADATA, type EncryptionKey } from '../lib/codec';
import { createLogger } from '../lib/logger';
import { freePort } from '../dev/binaries.mjs';
import { createTimeSkippingEnv } from '../dev/temporal-server';
import { startSmtpCapture, type SmtpCapture } from '../dev/smtp-capture';
import { dealClosed } from '../service/enroll';
import { customerWorkflowId } from '../plan/ids';
import { testStores, type TestStores } from './helpers/database';
import { createTestWorker, installTestRuntime, pinClock } from './helpers/temporal';
import { until } from './helpers/year';
import { customer } from './fixtures/customers';

const k1: EncryptionKey = { id: 'k1', key: randomBytes(32) };
const k2: EncryptionKey = { id: 'k2', key: randomBytes(32) };
const PERSONAL = ['Zainab', 'Qureshi', 'zainab.q@example.com', '+966501237777', 'Tahlia Road'];
const person = customer({ id: 'enc-1', name: { first: 'Zainab', last: 'Qureshi' }, email: 'zainab.q@example.com', phone: '+966501237777', address: { line1: '7 Tahlia Road', city: 'Jeddah', postalCode: '23434', country: 'SA' } });

let env: TestWorkflowEnvironment;
let smtp: SmtpCapture;
let stores: TestStores;

beforeAll(async () => {
  installTestRuntime();
  [env, smtp, stores] = await Promise.all([createTimeSkippingEnv(), startSmtpCapture(), testStores()]);
  await pinClock(env);
});
afterAll(async () => {
  await env?.client.workflow.getHandle(customerWorkflowId('enc-1')).terminate().catch(() => undefined);
  await env?.client.workflow.getHandle(customerWorkflowId('clear-1')).terminate().catch(() => undefined);
  await smtp?.close();
  await env?.teardown();
});

/** Every byte string in a raw history, as text (what someone reading the server's store sees). */
function rawText(value: unknown, out: string[] = []): string {
  if (value instanceof Uint8Array) out.push(Buffer.from(value).toString('utf8'));
  else if (typeof value === 'string') out.push(value);
  else if (value && typeof value === 'object') for (const v of Object.values(value)) rawText(v, out);
  return out.join('\n');
}

describe('customer data encrypted in Temporal', () => {
  it('the raw history holds no personal data; the service reads it; a rotated key still decrypts; the codec server decodes behind a key', async () => {
    const withK1 = new Client({ connection: env.connection, dataConverter: dataConverterFor([k1]) });
    const w1 = await createTestWorker({ connection: env.nativeConnection, taskQueue: 'enc', smtp, stores, overrides: { dataConverter: dataConverterFor([k1]) } });
    await w1.runUntil(async () => {
      await dealClosed(withK1, { customer: person, deal: { id: 'D-enc', closedAt: '2040-01-04' } }, { taskQueue: 'enc' });
      const st = await until(env, withK1.workflow.getHandle(customerWorkflowId('enc-1')), (s) => s.touchesDone.length >= 1);
      expect(st.customer.name.first).toBe('Zainab');
    });
    // Read raw, without the codec: ciphertext only, each payload naming its key.
    const raw = await env.client.workflow.getHandle(customerWorkflowId('enc-1')).fetchHistory();
    const text = rawText(raw);
    for (const p of PERSONAL) expect(text).not.toContain(p);
    expect(text).toContain('binary/encrypted');
    const described = await env.client.workflow.getHandle(customerWorkflowId('enc-1')).describe();
    for (const p of PERSONAL) expect(JSON.stringify(described.searchAttributes)).not.toContain(p);
    // The control: the same check finds the data in a history written without the codec.
    const clearWorker = await createTestWorker({ connection: env.nativeConnection, taskQueue: 'clear', smtp, stores });
    await clearWorker.runUntil(async () => {
      await dealClosed(env.client, { customer: { ...person, id: 'clear-1' }, deal: { id: 'D-clear', closedAt: '2040-01-04' } }, { taskQueue: 'clear' });
      await until(env, env.client.workflow.getHandle(customerWorkflowId('clear-1')), () => true);
    });
    expect(rawText(await env.client.workflow.getHandle(customerWorkflowId('clear-1')).fetchHistory())).toContain('zainab.q@example.com');

    // Rotation: k2 first, k1 kept: the old history's payloads decrypt, and what is new is encrypted with k2.
    const events = (await env.client.workflow.getHandle(customerWorkflowId('enc-1')).fetchHistory()).events ?? [];
    const input = events.find((e) => e.workflowExecutionStartedEventAttributes)!.workflowExecutionStartedEventAttributes!.input!.payloads!;
    expect(Buffer.from(input[0]!.metadata![KEY_ID_METADATA]!).toString()).toBe('k1');
    const rotated = dataConverterFor([k2, k1])!.payloadCodecs[0]!;
    const [plain] = await rotated.decode([input[0]!]);
    expect(Buffer.from(plain!.data!).toString('utf8')).toContain('"customerId":"enc-1"');
    const [again] = await rotated.encode([plain!]);
    expect(Buffer.from(again!.metadata![KEY_ID_METADATA]!).toString()).toBe('k2');
    expect(Buffer.from((await dataConverterFor([k2])!.payloadCodecs[0]!.decode([again!]))[0]!.data!).toString()).toBe(Buffer.from(plain!.data!).toString());
    // Without the old key the old history cannot be read; altered ciphertext is refused.
    await expect(dataConverterFor([k2])!.payloadCodecs[0]!.decode([input[0]!])).rejects.toThrow(/key "k1", which is not among PLAN33_ENCRYPTION_KEYS/);
    const tampered = { ...input[0]!, data: Buffer.from(input[0]!.data!).map((b, i) => (i === 20 ? b ^ 1 : b)) };
    await expect(rotated.decode([tampered])).rejects.toThrow(/unable to authenticate|auth/i);

    // The codec server: decodes the started event's input behind the API key; CORS only for the UI.
    const port = await freePort();
    const app: FastifyInstance = await buildApi({ client: env.client, taskQueue: 'enc', apiKey: 'codec-test-key-0123456789', publicBaseUrl: `http://127.0.0.1:${port}`, contacts: stores.contacts, db: stores.db, logger: createLogger('error'), codec: { keys: [k2, k1], uiOrigin: 'http://localhost:8233' } });
    await app.listen({ port, host: '127.0.0.1' });
    try {
      const started = events.find((e) => e.workflowExecutionStartedEventAttributes)!.workflowExecutionStartedEventAttributes!.input!.payloads![0]!;
      const body = JSON.stringify({ payloads: [{ metadata: Object.fromEntries(Object.entries(started.metadata!).map(([k, v]) => [k, Buffer.from(v!).toString('base64')])), data: Buffer.from(started.data!).toString('base64') }] });
      const post = (headers: Record<string, string>) => fetch(`http://127.0.0.1:${port}/codec/decode`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body });
      expect((await post({})).status).toBe(401);
      const ok = await post({ authorization: 'Bearer codec-test-key-0123456789', origin: 'http://localhost:8233' });
      expect(ok.status).toBe(200);
      expect(ok.headers.get('access-control-allow-origin')).toBe('http://localhost:8233');
      const decoded = ((await ok.json()) as { payloads: Array<{ data: string }> }).payloads[0]!;
      expect(Buffer.from(decoded.data, 'base64').toString('utf8')).toContain('enc-1');
      const foreign = await post({ authorization: 'Bearer codec-test-key-0123456789', origin: 'https://evil.example' });
      expect(foreign.headers.get('access-control-allow-origin')).toBeNull();
      // Bad input is named, never a 500: data that is not base64 text, a payload changed by one byte.
      const send = (payloads: unknown) => fetch(`http://127.0.0.1:${port}/codec/decode`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: 'Bearer codec-test-key-0123456789' }, body: JSON.stringify({ payloads }) });
      const notText = await send([{ data: 42 }]);
      expect(notText.status).toBe(400);
      expect(JSON.stringify(await notText.json())).toContain('payloads.0.data');
      const [good] = (JSON.parse(body) as { payloads: Array<{ metadata: Record<string, string>; data: string }> }).payloads;
      const flipped = Buffer.from(good!.data, 'base64');
      flipped[20] = flipped[20]! ^ 1;
      const tampered = await send([{ ...good, data: flipped.toString('base64') }]);
      expect(tampered.status).toBe(400);
      expect(JSON.stringify(await tampered.json())).toContain('cannot decode');
    } finally {
      await app.close();
    }
  });
});

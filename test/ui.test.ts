// Temporal UI as an operator uses it: the dev server's Web UI in headless Chromium (Debian's,
// driven by playwright-core), filtered by the TouchPlan search attribute, finds the advocate
// and not the other customer; the advocate's history tells the story in summaries.
import { launchChromium } from './helpers/browser';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Browser } from 'playwright-core';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { dealClosed } from '../service/enroll';
import { cacheDir, freePort } from '../dev/binaries.mjs';
import { createDevServerEnv } from '../dev/temporal-server';
import { startSmtpCapture, type SmtpCapture } from '../dev/smtp-capture';
import { TouchPlan } from '../plan/search-attributes';
import { referralReceivedSignal } from '../workflows/messages';
import { createTestWorker, installTestRuntime } from './helpers/temporal';
import { customer } from './fixtures/customers';


let env: TestWorkflowEnvironment;
let smtp: SmtpCapture;
let browser: Browser;
let uiPort: number;

beforeAll(async () => {
  installTestRuntime();
  uiPort = await freePort();
  env = await createDevServerEnv({ uiPort });
  smtp = await startSmtpCapture();
  browser = await launchChromium();
});

afterAll(async () => {
  await browser?.close();
  await smtp?.close();
  await env?.teardown();
});

describe('Temporal UI (dev server, headless Chromium)', () => {
  it('filters by TouchPlan="advocate" and finds the advocate, not the other customer', async () => {
    const taskQueue = 'ui';
    const worker = await createTestWorker({ connection: env.nativeConnection, taskQueue, smtp });
    await worker.runUntil(async () => {
      for (const id of ['ui-advocate', 'ui-regular']) {
        await dealClosed(env.client, { customer: customer({ id, sendingHours: '00:00-24:00' }), deal: { id: `d-${id}`, closedAt: '2026-11-23' } }, { taskQueue });
      }
      const advocate = env.client.workflow.getHandle('customer-ui-advocate');
      await advocate.signal(referralReceivedSignal, { referralId: 'ref-ui', referredName: 'Omar' });
      // Visibility follows the workflow's upsert.
      for (let i = 0; i < 600 && (await advocate.describe()).typedSearchAttributes.get(TouchPlan) !== 'advocate'; i++) await new Promise((r) => setTimeout(r, 100));
      expect((await advocate.describe()).typedSearchAttributes.get(TouchPlan)).toBe('advocate');

      const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
      const base = `http://localhost:${uiPort}/namespaces/default`;
      await page.goto(`${base}/workflows?query=${encodeURIComponent('TouchPlan="advocate"')}`, { waitUntil: 'domcontentloaded' });
      await page.getByText('customer-ui-advocate').first().waitFor({ timeout: 30_000 });
      expect(await page.getByText('customer-ui-regular').count()).toBe(0);
      mkdirSync(cacheDir, { recursive: true });
      await page.screenshot({ path: join(cacheDir, 'ui-advocates.png') });

      // The unfiltered list has both: the filter did the work.
      await page.goto(`${base}/workflows`, { waitUntil: 'domcontentloaded' });
      await page.getByText('customer-ui-regular').first().waitFor({ timeout: 30_000 });

      // The advocate's history reads as the customer's story: activity and timer summaries.
      const { runId } = await advocate.describe();
      await page.goto(`${base}/workflows/customer-ui-advocate/${runId}/history`, { waitUntil: 'domcontentloaded' });
      await page.getByText('Load the advocate plan').first().waitFor({ timeout: 30_000 });
      await page.getByText(/Until .*Value-added: Thank you|Until .*\(email\)/).first().waitFor({ timeout: 30_000 });
      await page.screenshot({ path: join(cacheDir, 'ui-advocate-history.png') });
      await page.close();
      for (const id of ['ui-advocate', 'ui-regular']) await env.client.workflow.getHandle(`customer-${id}`).terminate('test done');
    });
  });
});

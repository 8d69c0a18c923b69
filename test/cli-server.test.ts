// The operator's CLI against a running server (dev server, real time): enroll (twice: one
// year), import from CSV (bad rows by line, safe to run twice), referral, pause/resume,
// status, opt-out, report; exit codes 0 done, 1 bad input, 2 failure.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { Plan33Worker } from '../worker/create-worker';
import { createDevServerEnv } from '../dev/temporal-server';
import { startSmtpCapture, type SmtpCapture } from '../dev/smtp-capture';
import { cancelSignal, statusQuery, type CustomerStatus } from '../workflows/messages';
import type { Report } from '../service/report';
import { plan33 } from './helpers/cli';
import { PLANS } from '../plan/touch';
import { testStores, type TestStores } from './helpers/database';
import { createTestWorker, installTestRuntime, tempDir } from './helpers/temporal';

let env: TestWorkflowEnvironment;
let smtp: SmtpCapture;
let worker: Plan33Worker;
let running: Promise<void>;
let stores: TestStores;
const ids = ['cli-emma', 'csv-1', 'csv-2', 'csv-3'];

beforeAll(async () => {
  installTestRuntime();
  env = await createDevServerEnv();
  smtp = await startSmtpCapture();
  // The CLI enrols on TEMPORAL_TASK_QUEUE's default, `plan33`.
  stores = await testStores();
  worker = await createTestWorker({ connection: env.nativeConnection, taskQueue: 'plan33', smtp, stores });
  running = worker.run();
});

afterAll(async () => {
  for (const id of ids) await env.client.workflow.getHandle(`customer-${id}`).terminate('test done').catch(() => undefined);
  worker?.shutdown();
  await running;
  await smtp?.close();
  await env?.teardown();
});

const run = (...args: string[]) => plan33(args, env.address, stores.url);
/** The report lists every plan, those with no one on them too. */
const noneOnEachPlan = Object.fromEntries(PLANS.map((p) => [p, 0]));
const status = (id: string) => env.client.workflow.getHandle(`customer-${id}`).query(statusQuery);

/** JSON with keys sorted at every level: equal figures compare equal whatever their order. */
const canonical = (value: unknown): string => JSON.stringify(value, (_k, v: unknown) => (v && typeof v === 'object' && !Array.isArray(v) ? Object.fromEntries(Object.entries(v).sort(([a], [b]) => a.localeCompare(b))) : v));

async function eventually<T>(what: () => Promise<T | undefined>, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await what().catch(() => undefined);
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error('condition not met');
    await new Promise((r) => setTimeout(r, 150));
  }
}

describe('plan33 CLI against a running server', () => {
  it('enroll starts one year for a deal, however often it is sent', async () => {
    const customerFile = join(tempDir('cli-enroll'), 'emma.json');
    writeFileSync(customerFile, JSON.stringify({ id: 'cli-emma', name: { first: 'Emma' }, email: 'emma@example.com', timezone: 'Europe/London', agent: 'agent-james' }));
    const first = await run('enroll', '--customer', customerFile, '--deal-id', 'D-1', '--closed-at', '2026-11-20', '--value', '650000', '--json');
    expect(first.code).toBe(0);
    expect(JSON.parse(first.stdout).workflowId).toBe('customer-cli-emma');
    expect((await run('enroll', '--customer', customerFile, '--deal-id', 'D-1')).code).toBe(0);
    const st = await eventually(async () => ((await status('cli-emma')).state === 'running' ? status('cli-emma') : undefined));
    expect(st.deals).toEqual([{ id: 'D-1', closedAt: '2026-11-20', value: 650000 }]);
    const bad = await run('enroll', '--customer', customerFile, '--deal-id', 'D-2', '--value', 'lots');
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain('--value');
  });

  it('import enrols the good rows, names bad rows by line, and changes nothing the second time', async () => {
    const file = join(tempDir('cli-import'), 'customers.csv');
    writeFileSync(
      file,
      [
        'id,first_name,last_name,email,phone,timezone,agent,locale,birthday,deal_id,deal_closed_at,deal_value',
        'csv-1,Layla,Haddad,layla@example.com,+966501234567,Asia/Riyadh,agent-sara,ar,1990-03-14,D-10,2026-11-01,420000',
        'csv-2,John,Miller,john@example.com,,America/New_York,agent-omar,en,,D-11,2026-11-02,',
        'csv-bad,Bad,Zone,bad@example.com,,Mars/Olympus,agent-omar,en,,D-12,2026-11-03,',
        '"csv-3","Aarav","Sharma",,+61412345678,Australia/Sydney,agent-li,en,1985-10-04,D-13,2026-11-04,1e5',
        'csv-nobody,,,,,Europe/London,,en,,D-14,2026-13-01,',
        'csv-1,Layla,Again,layla@example.com,,Asia/Riyadh,agent-sara,ar,,D-15,2026-11-05,',
      ].join('\n'),
    );
    const first = await run('import', '--file', file);
    expect(first.code).toBe(1); // bad rows: scripts can tell
    expect(first.stdout).toMatch(/^3 enrolled, 3 bad rows skipped/);
    expect(first.stdout).toMatch(/line 4: customer\.timezone: /);
    expect(first.stdout).toMatch(/line 6: .*customer\.name\.first: .*customer\.agent: .*deal\.closedAt: /);
    expect(first.stdout).toMatch(/line 7: id: csv-1 already on line 2/);
    const json = await run('import', '--file', file, '--json');
    expect(JSON.parse(json.stdout)).toMatchObject({ enrolled: 3, bad: [{ line: 4 }, { line: 6 }, { line: 7 }], failed: [] });
    for (const id of ['csv-1', 'csv-2', 'csv-3']) {
      const st = await eventually(async () => ((await status(id)).state === 'running' ? status(id) : undefined));
      expect(st.deals).toHaveLength(1); // imported twice, one deal
    }
    expect((await status('csv-1')).customer).toMatchObject({ locale: 'ar', personalDates: [{ occasion: 'birthday', date: '1990-03-14' }] });
    await expect(env.client.workflow.getHandle('customer-csv-bad').describe()).rejects.toThrow();
  });

  it('referral, pause and resume reach the workflow; status shows them', async () => {
    expect((await run('referral', '--customer', 'csv-2')).code).toBe(1);
    const referral = await run('referral', '--customer', 'csv-2', '--referral-id', 'R-1', '--name', 'Grace');
    expect(referral.code).toBe(0);
    await eventually(async () => ((await status('csv-2')).plan === 'advocate' ? true : undefined));
    expect((await run('pause', '--customer', 'csv-2', '--reason', 'bereavement')).code).toBe(0);
    await eventually(async () => ((await status('csv-2')).state === 'paused' ? true : undefined));
    const paused = await run('status', '--customer', 'csv-2', '--json');
    expect((JSON.parse(paused.stdout) as CustomerStatus).state).toBe('paused');
    expect((await run('resume', '--customer', 'csv-2')).code).toBe(0);
    await eventually(async () => ((await status('csv-2')).state === 'running' ? true : undefined));
    const table = await run('status', '--customer', 'csv-2');
    expect(table.stdout).toMatch(/^csv-2: advocate year 1 \(running\), agent agent-omar/);
  });

  it('import names bad consent values, cut-off rows and broken files', async () => {
    const dir = tempDir('cli-import-bad');
    const file = join(dir, 'bad.csv');
    writeFileSync(file, ['id,first_name,email,timezone,agent,consent_sms,notes,deal_id,deal_closed_at', 'csv-x,X,x@example.com,Europe/London,agent-a,maybe,,D-1,2026-11-01', 'csv-y,Y,y@example.com,Europe/London,agent-a,no,Likes golf, tennis,D-2,2026-11-01', 'csv-z,Z,z@example.com,Europe/London,agent-a,no,"Two lines', 'of notes",D-3,2026-11-01', "csv-q,Q,q@example.com,Europe/London,agent'a,no,,D-4,2026-11-01"].join('\n'));
    const r = await run('import', '--file', file, '--json');
    expect(r.code).toBe(1);
    const result = JSON.parse(r.stdout) as { enrolled: number; bad: Array<{ line: number; problems: string[] }> };
    expect(result.enrolled).toBe(1); // csv-z, whose quoted notes span two lines
    expect(result.bad.map((b) => b.line)).toEqual([2, 3, 6]);
    expect(result.bad[0]!.problems.join()).toContain('consent_sms: expected yes or no, got "maybe"');
    expect(result.bad[1]!.problems.join()).toContain('row: 10 fields, the header has 9');
    expect(result.bad[2]!.problems.join()).toContain('customer.agent: expected no quotes');
    // Ended the way a plan ends (lost), so plan33's store counts it out too.
    await env.client.workflow.getHandle('customer-csv-z').signal(cancelSignal, { reason: 'test done' });
    writeFileSync(join(dir, 'broken.csv'), 'id,first_name\n"csv-1,Layla\n');
    const broken = await run('import', '--file', join(dir, 'broken.csv'));
    expect(broken.code).toBe(1);
    expect(broken.stderr).toMatch(/--file: .* is not valid CSV/);
    const missing = await run('import', '--file', join(dir, 'nope.csv'));
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('--file: cannot read');
    expect((await run('report', '--agent', "x' OR 1")).code).toBe(1);
  });

  it('refuses bad input with exit 1 and an unknown customer with exit 2', async () => {
    const channel = await run('opt-out', '--customer', 'csv-1', '--channel', 'pigeon');
    expect(channel.code).toBe(1);
    expect(channel.stderr).toContain('channel:');
    const nobody = await run('status', '--customer', 'nobody-here');
    expect(nobody.code).toBe(2);
    expect(nobody.stderr).toContain('no running plan for customer nobody-here');
    expect((await run('opt-out', '--customer', 'csv-1', '--channel', 'sms', '--reason', 'asked by phone')).code).toBe(0);
    await eventually(async () => ((await status('csv-1')).customer.consent.sms === false ? true : undefined));
  });

  it('report counts customers by plan, this month’s touches, referrals and agents', async () => {
    const report = await eventually(async () => {
      const r = JSON.parse((await run('report', '--json')).stdout) as Report;
      return r.customersByPlan.advocate === 1 && r.customersByPlan['client-for-life'] === 3 ? r : undefined;
    }, 20_000);
    expect(report.referrals).toBe(1);
    expect(Object.keys(report.perAgent).sort()).toEqual(['agent-james', 'agent-li', 'agent-omar', 'agent-sara']);
    const sent = Object.values(report.touchesThisMonth).reduce((n, o) => n + (o.sent ?? 0), 0);
    expect(sent).toBe(Object.values(report.perAgent).reduce((n, a) => n + a.sentThisMonth, 0));
    const mine = JSON.parse((await run('report', '--agent', 'agent-sara', '--json')).stdout) as Report;
    expect(mine.customersByPlan).toEqual({ ...noneOnEachPlan, 'client-for-life': 1 });
    expect((await run('report')).stdout).toContain('agent-omar');
  });

  it("the report's figures are what the workflows' status queries say for the same customers", async () => {
    const running = ['cli-emma', 'csv-1', 'csv-2', 'csv-3'];
    // Wait until the store has heard everything the workflows know (it lags a moment behind).
    const { report, expected } = await eventually(async () => {
      const report = JSON.parse((await run('report', '--json')).stdout) as Report;
      const statuses = await Promise.all(running.map((id) => status(id)));
      const expected: Pick<Report, 'customersByPlan' | 'touchesThisMonth' | 'referrals'> & { perAgent: Record<string, { customers: number; sentThisMonth: number }> } = {
        customersByPlan: { ...noneOnEachPlan },
        touchesThisMonth: {},
        referrals: 0,
        perAgent: {},
      };
      for (const st of statuses) {
        expected.customersByPlan[st.plan] = (expected.customersByPlan[st.plan] ?? 0) + 1;
        expected.referrals += st.referrals;
        const agent = (expected.perAgent[st.customer.agent] ??= { customers: 0, sentThisMonth: 0 });
        agent.customers++;
        for (const t of st.touchesDone.filter((x) => x.doneAt.startsWith(report.month))) {
          const byOutcome = (expected.touchesThisMonth[t.kind] ??= {});
          byOutcome[t.outcome] = (byOutcome[t.outcome] ?? 0) + 1;
          if (t.outcome === 'sent') agent.sentThisMonth++;
        }
      }
      return canonical(report.touchesThisMonth) === canonical(expected.touchesThisMonth) && canonical(report.customersByPlan) === canonical(expected.customersByPlan) ? { report, expected } : undefined;
    }, 20_000).catch(async () => ({ report: JSON.parse((await run('report', '--json')).stdout) as Report, expected: undefined }));
    expect(expected, `the report never matched: ${JSON.stringify(report)}`).toBeDefined();
    expect(report.customersByPlan).toEqual(expected!.customersByPlan);
    expect(report.touchesThisMonth).toEqual(expected!.touchesThisMonth);
    expect(report.referrals).toBe(expected!.referrals);
    for (const [agent, figures] of Object.entries(expected!.perAgent)) expect(report.perAgent[agent], agent).toMatchObject(figures);
  });

  it('does not restart the plan of a lost customer when the deal is sent again', async () => {
    await env.client.workflow.getHandle('customer-csv-3').signal(cancelSignal, { reason: 'moved to a competitor' });
    await eventually(async () => ((await env.client.workflow.getHandle('customer-csv-3').describe()).status.name === 'COMPLETED' ? true : undefined));
    const file = join(tempDir('cli-lost'), 'aarav.json');
    writeFileSync(file, JSON.stringify({ id: 'csv-3', name: { first: 'Aarav' }, phone: '+61412345678', timezone: 'Australia/Sydney', agent: 'agent-li' }));
    const again = await run('enroll', '--customer', file, '--deal-id', 'D-13', '--closed-at', '2026-11-04');
    expect(again.code).toBe(2);
    expect(again.stderr).toContain('customer csv-3: the plan ended (customer lost)');
    expect((await env.client.workflow.getHandle('customer-csv-3').describe()).status.name).toBe('COMPLETED');
  });
  it('lead add captures a lead (and merges it the second time), lead show tells its road, lead outcome and leads count it', async () => {
    const added = await run('lead', 'add', '--first', 'Hana', '--last', 'Saleh', '--email', 'hana@example.com', '--phone', '0551234567', '--country', 'SA', '--timezone', 'Asia/Riyadh', '--source', 'website', '--source-text', 'your listing page', '--needs', 'a flat in Riyadh', '--agent', 'agent-sara', '--json');
    expect(added.code, added.stderr).toBe(0);
    const { leadId, merged } = JSON.parse(added.stdout) as { leadId: string; merged: boolean };
    expect(merged).toBe(false);
    try {
      const again = await run('lead', 'add', '--first', 'Hana', '--phone', '+966551234567', '--timezone', 'Asia/Riyadh', '--source', 'phone');
      expect(again.code, again.stderr).toBe(0);
      expect(again.stdout.trim()).toBe(`lead-${leadId}: merged into the lead captured before`);
      const bad = await run('lead', 'add', '--first', 'Nobody', '--email', 'nobody@example.com', '--timezone', 'Asia/Riyadh', '--source', 'carrier-pigeon');
      expect(bad.code).toBe(1);
      expect(bad.stderr).toContain('source.channel: expected one of');

      const shown = await eventually(async () => {
        const r = await run('lead', 'show', leadId);
        return r.code === 0 ? r : undefined;
      });
      expect(shown.stdout).toContain(`lead-${leadId}: new (running), agent agent-sara, source website, captured 2 times`);
      const outcome = await run('lead', 'outcome', leadId, '--outcome', 'positive-interest', '--notes', 'viewing on Sunday', '--json');
      expect(outcome.code, outcome.stderr).toBe(0);
      expect(JSON.parse(outcome.stdout)).toMatchObject({ outcome: 'positive-interest', stage: 'qualified' });

      const leads = await eventually(async () => {
        const r = await run('leads', '--by', 'source', '--json');
        const body = JSON.parse(r.stdout) as { conversion: Array<{ key: string; qualified: number }>; byStage: Record<string, number> };
        return body.byStage.qualified === 1 ? body : undefined;
      });
      expect(leads.conversion).toContainEqual({ key: 'website', leads: 1, contacted: 1, qualified: 1, deals: 0, lost: 0, conversion: 0 });
      const text = await run('leads', '--by', 'agent');
      expect(text.stdout).toContain('leads by stage: 1 qualified');
      expect(text.stdout).toMatch(/agent-sara\s+1\s+1\s+1\s+0\s+0\s+0%/);
      expect((await run('leads', '--by', 'weather')).code).toBe(1);
    } finally {
      await env.client.workflow.getHandle(`lead-${leadId}`).terminate('test done').catch(() => undefined);
    }
  });
  it('import --leads captures leads (bad rows by line, a repeated person merged, safe to run twice); import --contacts puts the sphere on the general 33', async () => {
    const dir = tempDir('cli-leads');
    const leadsFile = join(dir, 'leads.csv');
    writeFileSync(
      leadsFile,
      [
        'first_name,last_name,email,phone,country,timezone,locale,source,source_text,needs,agent',
        'Salma,Aziz,salma@example.com,0559876543,SA,Asia/Riyadh,ar,open-house,Olaya open house,a villa,agent-sara',
        'Salma,,SALMA@example.com,,SA,Asia/Riyadh,ar,website,,or a duplex,agent-sara',
        'Nobody,,nobody@example.com,,SA,Mars/Olympus,en,carrier-pigeon,,,',
      ].join('\n'),
    );
    const first = await run('import', '--leads', leadsFile, '--json');
    expect(first.code).toBe(1); // one bad row
    const r1 = JSON.parse(first.stdout) as { captured: number; merged: number; bad: Array<{ line: number; problems: string[] }>; failed: unknown[] };
    expect(r1.failed).toEqual([]);
    expect(r1).toMatchObject({ captured: 1, merged: 1 });
    expect(r1.bad).toHaveLength(1);
    expect(r1.bad[0]!.line).toBe(4);
    expect(r1.bad[0]!.problems.join('\n')).toMatch(/timezone: [\s\S]*source\.channel: /);
    const again = JSON.parse((await run('import', '--leads', leadsFile, '--json')).stdout) as { captured: number; merged: number };
    expect(again).toMatchObject({ captured: 0, merged: 2 });

    const contactsFile = join(dir, 'contacts.csv');
    writeFileSync(contactsFile, ['id,first_name,email,timezone,agent', 'sphere-1,Karim,karim@example.com,Asia/Riyadh,agent-omar', 'sphere-2,Dana,dana@example.com,Asia/Riyadh,'].join('\n'));
    const contacts = await run('import', '--contacts', contactsFile, '--json');
    const r2 = JSON.parse(contacts.stdout) as { captured: number; bad: Array<{ line: number; problems: string[] }> };
    expect(r2.captured).toBe(1);
    expect(r2.bad).toEqual([{ line: 3, problems: ['agent: required for a contact (whose sphere they are in)'] }]);
    try {
      const shown = await eventually(async () => {
        const r = await run('lead', 'show', 'sphere-1');
        return r.code === 0 && r.stdout.includes('general 33') ? r : undefined;
      });
      expect(shown.stdout).toContain('lead-sphere-1: nurture, on the general 33 (year 1, running), agent agent-omar');
      expect((await run('import', '--leads', leadsFile, '--contacts', contactsFile)).code).toBe(1);
    } finally {
      await env.client.workflow.getHandle('lead-sphere-1').terminate('test done').catch(() => undefined);
      const rows = await stores.db.selectFrom('leads').select('lead_id').where('email', '=', 'salma@example.com').execute();
      for (const r of rows) await env.client.workflow.getHandle(`lead-${r.lead_id}`).terminate('test done').catch(() => undefined);
    }
  });
});

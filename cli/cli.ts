// The `plan33` command line. Readable tables by default, `--json` for programs.
// Exit codes: 0 done, 1 bad input (every bad field named, no stack trace), 2 failure.
import { exportPerson, forgetPerson } from '../service/privacy';
import { Command, InvalidArgumentError } from 'commander';
import { pino } from 'pino';
import { ConfigError, loadConfig } from '../lib/config';
import { createLogger, installTemporalRuntimeLogger } from '../lib/logger';
import { PLANS, type PlanName } from '../plan/touch';
import { loadPlanOverrides } from '../lib/plan-overrides';
import { formatPreview, preview } from './preview';
import { checkDate, InputError, readCustomerFile } from './read-customer';
import { devPart } from '../dev/dev-only';
import { table } from './table';
import { CALL_OUTCOMES } from '../workflows/messages';
import { connectClient } from '../service/connection';
import { localEncryptionKeys } from '../lib/local-secrets';
import { ValidationError } from '../service/errors';
import * as ops from '../service/operations';
import type { UnstartedLeadStatus, UnstartedYearStatus } from '../service/unstarted-status';
import { dealClosed } from '../service/enroll';
import { importCustomers } from './import';
import { importLeads } from './import-leads';
import { buildReport } from '../service/report';
import { budgetReport, clvReport, valueOf } from '../service/value';
import { listReports, REPORT_NAMES, reportNamed, runReport, type Cell } from '../service/measure';
import { csvText } from '../lib/csv';
import { SingleBar } from 'cli-progress';
import { localDatabaseUrl } from '../dev/embedded-postgres';
import { createDatabase, redactUrl, type Db } from '../stores';
import { migrateToLatest, migrationStatus } from '../stores/migrate';
import { captureLead, endLead, leadStatus, leadConversion, leadOverview, reportLeadOutcome, resumeLead } from '../service/leads';
import { loadLeadSettings } from '../lib/lead-settings';
import { LEAD_OUTCOMES } from '../plan/lead';
import { readFileSync } from 'node:fs';

function readJsonFile(file: string): Record<string, unknown> {
  try {
    const value = JSON.parse(readFileSync(file, 'utf8')) as unknown;
    if (!value || typeof value !== 'object' || Array.isArray(value)) throw new Error('expected a JSON object');
    return value as Record<string, unknown>;
  } catch (err) {
    throw new InputError([`--file ${file}: ${(err as Error).message}`]);
  }
}

/** Runs an operation against the running server, closing the connection after. */
async function withClient<T>(fn: (client: Awaited<ReturnType<typeof connectClient>>) => Promise<T>): Promise<T> {
  const config = loadConfig();
  // Against the stack `npm start` runs here, its data folder's key reads what the workflows answer.
  const client = await connectClient({ ...config, encryptionKeys: config.encryptionKeys ?? (config.temporal.address ? undefined : localEncryptionKeys(config.dataDir)) });
  try {
    return await fn(client);
  } finally {
    await client.connection.close();
  }
}

/** plan33's store: DATABASE_URL, or the embedded PostgreSQL a running `npm start` wrote down. */
function databaseUrl(): string {
  const config = loadConfig();
  const url = config.database.url ?? localDatabaseUrl(config.dataDir);
  if (!url) throw new Error(`no database: set DATABASE_URL, or run \`npm start\` (it records its embedded PostgreSQL in ${config.dataDir}/database-url)`);
  return url;
}

/** Runs a query against plan33's store, closing the pool after. */
async function withDatabase<T>(fn: (db: Db) => Promise<T>): Promise<T> {
  const db = createDatabase({ url: databaseUrl(), maxConnections: 2 });
  try {
    return await fn(db);
  } catch (err) {
    const code = (err as { code?: string }).code;
    if (code === 'ECONNREFUSED' || code === '28P01' || code === '3D000') throw new Error(`cannot reach the database at ${redactUrl(databaseUrl())} (${(err as Error).message}); is \`npm start\` running, or DATABASE_URL set?`, { cause: err });
    throw err;
  } finally {
    await db.destroy();
  }
}

const print = (json: boolean | undefined, value: unknown, text: () => string) => process.stdout.write(`${json ? JSON.stringify(value, null, 2) : text()}\n`);

const program = new Command('plan33').description('the 33-touch client-for-life plan on Temporal').showHelpAfterError();

const planOption = (value: string): PlanName => {
  if (!(PLANS as readonly string[]).includes(value)) throw new InvalidArgumentError(`expected one of ${PLANS.join(', ')}`);
  return value as PlanName;
};

program
  .command('preview')
  .description("the customer's year of touches, without any server")
  .requiredOption('--customer <file>', 'customer JSON file (PRODUCT.md shape)')
  .option('--start <YYYY-MM-DD>', 'first day of the plan year (default: today in the customer’s zone)')
  .option('--plan <plan>', `one of ${PLANS.join(', ')}`, planOption, 'client-for-life')
  .option('--json', 'print JSON for programs')
  .action((opts: { customer: string; start?: string; plan: PlanName; json?: boolean }) => {
    const config = loadConfig();
    const customer = readCustomerFile(opts.customer);
    const touches = preview(customer, { start: checkDate('--start', opts.start), plan: opts.plan, sendingHours: config.sendingHours, overrides: loadPlanOverrides(config.planOverridesFile), nowMs: Date.now() });
    process.stdout.write(`${opts.json ? JSON.stringify(touches, null, 2) : formatPreview(customer, opts.plan, touches, config.clv.currency)}\n`);
  });

program
  .command('simulate')
  .description("run the real workflows and activities for a customer's whole year, or a lead's whole road (--lead), on a time-skipping test server")
  .option('--customer <file>', 'customer JSON file (PRODUCT.md shape)')
  .option('--lead <file>', "lead JSON file: its road (the 8x8, the general 33, at --deal-at client-for-life's first year)")
  .option('--start <YYYY-MM-DD>', 'first day of the plan year, or the lead\'s capture (today or later; default today)')
  .option('--referral-at <YYYY-MM-DD>', 'the customer refers someone on this day of the simulated year')
  .option('--deal-at <YYYY-MM-DD>', 'with --lead: the deal closes on this day')
  .option('--calls <outcome>', `how the simulated agent's calls end: ${CALL_OUTCOMES.join(', ')}`, 'reached')
  .option('--json', 'print JSON for programs')
  .action(async (opts: { customer?: string; lead?: string; start?: string; referralAt?: string; dealAt?: string; calls: string; json?: boolean }) => {
    const config = loadConfig();
    if (Boolean(opts.customer) === Boolean(opts.lead)) throw new InputError(['--customer or --lead: expected exactly one']);
    if (opts.lead) {
      const lead = readJsonFile(opts.lead);
      checkDate('--start', opts.start);
      checkDate('--deal-at', opts.dealAt);
      installTemporalRuntimeLogger(createLogger(process.env.LOG_LEVEL ?? 'warn', pino.destination(2)));
      const { simulateLead } = await devPart('plan33 simulate', () => import('../dev/simulate-lead'));
      const road = await simulateLead({ lead, start: opts.start, dealAt: opts.dealAt, business: config.business, sendingHours: config.sendingHours, ...(config.database.url ? { databaseUrl: config.database.url } : {}) });
      if (opts.json) {
        process.stdout.write(`${JSON.stringify(road.touches, null, 2)}\n`);
        return;
      }
      const rows = road.touches.map((t) => [t.plan, String(t.seq), t.at.slice(0, 16).replace('T', ' '), t.kind, t.channel, t.outcome, t.recipient ?? '', (t.subject ?? t.reason ?? '').slice(0, 60)]);
      process.stdout.write(`${table(['plan', 'seq', 'at (local)', 'kind', 'channel', 'outcome', 'recipient', 'subject / reason'], rows)}\n\nlead-${road.leadId}: ${road.touches.length} touches, ${road.touches.filter((t) => t.outcome === 'sent').length} sent; wall time ${(road.wallMs / 1000).toFixed(1)} s\n`);
      return;
    }
    const customer = readCustomerFile(opts.customer!);
    checkDate('--start', opts.start);
    checkDate('--referral-at', opts.referralAt);
    if (!(CALL_OUTCOMES as readonly string[]).includes(opts.calls)) throw new InputError([`--calls: expected one of ${CALL_OUTCOMES.join(', ')}`]);
    // Temporal's own logs go to stderr, warnings and worse only: stdout is for results.
    installTemporalRuntimeLogger(createLogger(process.env.LOG_LEVEL ?? 'warn', pino.destination(2)));
    // The time-skipping server, SMTP capture and embedded PostgreSQL: dev dependencies, loaded here only.
    const { simulate } = await devPart('plan33 simulate', () => import('../dev/simulate'));
    const result = await simulate({
      customer,
      start: opts.start,
      referralAt: opts.referralAt,
      callOutcome: opts.calls as (typeof CALL_OUTCOMES)[number],
      business: config.business,
      sendingHours: config.sendingHours,
      ...(config.database.url ? { databaseUrl: config.database.url } : {}),
    });
    if (opts.json) {
      process.stdout.write(`${JSON.stringify(result.touches, null, 2)}\n`);
      return;
    }
    const rows = result.touches.map((t) => [String(t.seq), t.at.slice(0, 16).replace('T', ' '), t.kind, t.channel, t.outcome, t.recipient ?? '', (t.subject ?? t.reason ?? '').slice(0, 60)]);
    process.stdout.write(
      `${table(['seq', 'at (local)', 'kind', 'channel', 'outcome', 'recipient', 'subject / reason'], rows)}\n\n` +
        `plan ${result.status.plan}, ${result.touches.length} touches, ${result.touches.filter((t) => t.outcome === 'sent').length} sent; ` +
        `history ${result.historyEvents} events, ${(result.historyBytes / 1024).toFixed(1)} KiB; wall time ${(result.wallMs / 1000).toFixed(1)} s\n`,
    );
  });

program
  .command('tasks')
  .description("an agent's open call tasks (their customers' and those they cover), oldest first")
  .requiredOption('--agent <id>', 'the agent, e.g. agent-sara')
  .option('--json', 'print JSON for programs')
  .action(async (opts: { agent: string; json?: boolean }) => {
    const tasks = await withDatabase((db) => ops.openCallTasks(db, opts.agent));
    print(opts.json, tasks, () =>
      tasks.length === 0
        ? `no open call tasks for ${opts.agent}`
        : table(
            ['task', 'customer', 'phone', 'call', 'due', 'reminded', 'escalated'],
            tasks.map((t) => [t.taskId, t.customerName, t.phone ?? '', t.title, t.dueAt.slice(0, 16).replace('T', ' '), t.remindedAt ? 'yes' : '', t.escalatedAt ? 'yes' : '']),
          ),
    );
  });

program
  .command('complete-call')
  .description('record how a call went; the workflow answers with what happens next')
  .requiredOption('--task <id>', 'the call task id, e.g. customer-cust-0001.y1.t4')
  .requiredOption('--outcome <outcome>', CALL_OUTCOMES.join(', '))
  .option('--call-back-on <YYYY-MM-DD>', 'with --outcome call-back: the day to call again')
  .option('--notes <text>', "what was said (quoted in the follow-up letter)")
  .option('--json', 'print JSON for programs')
  .action(async (opts: { task: string; outcome: string; callBackOn?: string; notes?: string; json?: boolean }) => {
    const result = await withClient((c) => ops.completeCall(c, opts.task, { outcome: opts.outcome, callBackOn: opts.callBackOn, notes: opts.notes }));
    print(opts.json, result, () => `${result.taskId ?? opts.task}: ${result.outcome}; next: ${result.next}`);
  });

program
  .command('forget')
  .description('the right to be forgotten: end the person\'s workflows and delete every row kept about them (an audit row without personal data stays)')
  .requiredOption('--customer <id>', 'the person (customer or lead) id')
  .option('--yes', 'confirm: this cannot be undone')
  .option('--json', 'print JSON for programs')
  .action(async (opts: { customer: string; yes?: boolean; json?: boolean }) => {
    if (!opts.yes) throw new ValidationError(['--yes: required to confirm; forgetting a person cannot be undone']);
    const result = await withClient((c) => withDatabase((d) => forgetPerson(c, d, opts.customer, 'cli')));
    const total = Object.values(result.rowsDeleted).reduce((a, b) => a + b, 0);
    print(opts.json, result, () => `${result.id}: forgotten; ${result.workflowsEnded.length ? `ended ${result.workflowsEnded.join(', ')}; ` : ''}${total} rows deleted (${Object.entries(result.rowsDeleted).filter(([, n]) => n > 0).map(([t, n]) => `${t} ${n}`).join(', ') || 'none'})`);
  });

program
  .command('export')
  .description('the right to a copy: everything kept about a person, as JSON')
  .requiredOption('--customer <id>', 'the person (customer or lead) id')
  .action(async (opts: { customer: string }) => {
    const result = await withClient((c) => withDatabase((d) => exportPerson(c, d, opts.customer, 'cli')));
    process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
  });

/** A run none of whose workflow tasks ran: what Temporal says of it (service/unstarted-status.ts). */
function unstartedLines(who: string, st: UnstartedYearStatus | UnstartedLeadStatus): string {
  const run = st.workflow;
  const deals = 'deals' in st && st.deals.length ? `; deals ${st.deals.map((d) => `${d.id} (${d.closedAt})`).join(', ')}` : '';
  const agent = 'agent' in st && st.agent ? `, agent ${st.agent}` : '';
  return [`${who}: ${st.plan} (${st.state}: ${st.note})${agent}${deals}`, `workflow ${run.workflowId} run ${run.runId}: ${run.status}, started ${run.startedAt}${run.closedAt ? `, closed ${run.closedAt}` : ''}`].join('\n');
}

program
  .command('status')
  .description("a customer's plan, year, touches done and next")
  .requiredOption('--customer <id>', 'the customer id')
  .option('--json', 'print JSON for programs')
  .action(async (opts: { customer: string; json?: boolean }) => {
    const found = await withClient((c) => ops.customerStatus(c, opts.customer));
    if ('workflow' in found) {
      print(opts.json, found, () => unstartedLines(found.customerId, found));
      return;
    }
    const st = found;
    // The lifetime value comes from plan33's store; a status without it is still a status.
    const value = await withDatabase((d) => valueOf(d, opts.customer, loadConfig().clv)).catch(() => undefined);
    const money = (n: number) => `${n.toLocaleString('en-US', { maximumFractionDigits: 0 })} ${value?.currency ?? ''}`.trim();
    print(opts.json, value ? { ...st, value } : st, () =>
      [
        `${st.customerId}: ${st.plan} year ${st.planYear} (${st.state}), agent ${st.customer.agent}; ${st.touchesDone.length} done, ${st.nextTouches.length} to come`,
        ...(st.holdout ? ['in the holdout group: only the transactional minimum (HOLDOUT_PERCENT)'] : []),
        ...(st.customer.segment || st.valueClass ? [[st.customer.segment ? `segment ${st.customer.segment}` : '', st.valueClass ? `value class ${st.valueClass}` : ''].filter(Boolean).join(', ')] : []),
        ...(st.nps ?? []).map((a) => `NPS ${a.score}/10 (${a.group}) on ${a.answeredAt.slice(0, 10)}${a.why ? `: "${a.why}"` : ''}${a.toTen ? `; to earn a 10: "${a.toTen}"` : ''}`),
        ...(value ? [`lifetime value ${money(value.clv)} (${value.deals} deals, average ${money(value.averagePurchase)}, ${value.purchasesPerYear}/year × ${value.lifespanYears} years − ${money(value.acquisitionCost)}); with referrals ${money(value.referralAdjustedClv)}`] : []),
        table(['seq', 'at', 'kind', 'channel', 'outcome', 'title'], [...st.touchesDone.map((t) => [String(t.seq), t.at.slice(0, 16), t.kind, t.channel, t.outcome, t.title]), ...st.nextTouches.slice(0, 5).map((t) => [String(t.seq), t.at.slice(0, 16), t.kind, t.channel, 'next', t.title])]),
      ].join('\n'),
    );
  });

program
  .command('opt-out')
  .description('the customer withdrew consent for a channel')
  .requiredOption('--customer <id>', 'the customer id')
  .requiredOption('--channel <channel>', 'email, sms, postal or phone')
  .option('--reason <text>', 'why (kept in the history)')
  .action(async (opts: { customer: string; channel: string; reason?: string }) => {
    const change = await withClient((c) => ops.changeConsent(c, opts.customer, { channel: opts.channel, reason: opts.reason }, 'opt-out'));
    process.stdout.write(`${opts.customer}: opted out of ${change.channel}\n`);
  });

program
  .command('enroll')
  .description("a deal closed: start the customer's year (or update it if it runs); safe to repeat")
  .requiredOption('--customer <file>', 'customer JSON file (PRODUCT.md shape)')
  .requiredOption('--deal-id <id>', 'the deal id (the same deal twice is one deal)')
  .option('--closed-at <YYYY-MM-DD>', 'when the deal closed (default today)')
  .option('--value <number>', 'the deal value')
  .option('--json', 'print JSON for programs')
  .action(async (opts: { customer: string; dealId: string; closedAt?: string; value?: string; json?: boolean }) => {
    const config = loadConfig();
    const customer = readCustomerFile(opts.customer);
    const value = opts.value === undefined ? undefined : Number(opts.value);
    if (value !== undefined && !Number.isFinite(value)) throw new InputError([`--value: expected a number, got "${opts.value}"`]);
    const deal = { id: opts.dealId, closedAt: checkDate('--closed-at', opts.closedAt) ?? new Date().toISOString().slice(0, 10), ...(value !== undefined ? { value } : {}) };
    const started = await withClient((c) => dealClosed(c, { customer, deal }, { taskQueue: config.temporal.taskQueue, sendingHours: config.sendingHours, holdoutPercent: config.holdoutPercent }));
    print(opts.json, started, () => `${started.workflowId}: enrolled (run ${started.runId})`);
  });

program
  .command('import')
  .description('enrol customers and their deals (--file), capture leads (--leads) or the sphere\'s contacts (--contacts) from a CSV file; bad rows are reported by line; safe to run twice')
  .option('--file <csv>', 'customers and deals: CSV with a header row (columns: see docs/plan.md)')
  .option('--leads <csv>', 'leads, onto the 8x8 (columns: see docs/plan.md)')
  .option('--contacts <csv>', "the sphere's contacts, onto the general 33 (the lead columns; agent required)")
  .option('--json', 'print JSON for programs')
  .action(async (opts: { file?: string; leads?: string; contacts?: string; json?: boolean }) => {
    const config = loadConfig();
    const given = [opts.file, opts.leads, opts.contacts].filter(Boolean).length;
    if (given !== 1) throw new InputError(['--file, --leads or --contacts: expected exactly one']);
    if (opts.leads || opts.contacts) {
      const kind = opts.leads ? 'leads' : 'contacts';
      const result = await withClient((c) =>
        withDatabase((d) => importLeads(c, d, (opts.leads ?? opts.contacts)!, { kind, taskQueue: config.temporal.taskQueue, settings: loadLeadSettings(config.leadsFile), sendingHours: config.sendingHours })),
      );
      print(opts.json, result, () =>
        [
          `${result.captured} ${kind === 'leads' ? 'captured' : 'started on the general 33'}, ${result.merged} merged into people known before, ${result.bad.length} bad rows skipped${result.failed.length ? `, ${result.failed.length} failed` : ''}`,
          ...[...result.bad, ...result.failed].map((b) => `  line ${b.line}: ${b.problems.join('; ')}`),
        ].join('\n'),
      );
      if (result.failed.length > 0) process.exitCode = 2;
      else if (result.bad.length > 0) process.exitCode = 1;
      return;
    }
    const file = opts.file!;
    const bar = process.stderr.isTTY && !opts.json ? new SingleBar({ format: 'importing [{bar}] {value}/{total} customers', hideCursor: true, stream: process.stderr }) : undefined;
    let total = 0;
    const result = await withClient((c) =>
      importCustomers(c, file, {
        taskQueue: config.temporal.taskQueue,
        sendingHours: config.sendingHours,
        holdoutPercent: config.holdoutPercent,
        onStart: (n) => {
          total = n;
          bar?.start(n, 0);
        },
        onProgress: (n) => (bar ? bar.update(n) : !opts.json && (n === total || n % 100 === 0) && process.stderr.write(`imported ${n}/${total}\n`)),
      }),
    );
    bar?.stop();
    print(opts.json, result, () =>
      [
        `${result.enrolled} enrolled, ${result.bad.length} bad rows skipped${result.failed.length ? `, ${result.failed.length} failed` : ''}`,
        ...[...result.bad, ...result.failed].map((b) => `  line ${b.line}: ${b.problems.join('; ')}`),
      ].join('\n'),
    );
    // 1: rows with bad input (fix the file); 2: rows the server refused or could not take.
    if (result.failed.length > 0) process.exitCode = 2;
    else if (result.bad.length > 0) process.exitCode = 1;
  });

program
  .command('referral')
  .description('a referral arrived from this customer (or --pledge: they promised one); moves them to advocate')
  .requiredOption('--customer <id>', 'the customer who referred')
  .option('--referral-id <id>', 'the referred person or lead id (the same id twice counts once)')
  .option('--name <name>', 'who was referred (for the thank-you)')
  .option('--pledge', 'the customer pledged to refer')
  .action(async (opts: { customer: string; referralId?: string; name?: string; pledge?: boolean }) => {
    if (!opts.pledge && !opts.referralId) throw new InputError(['--referral-id: required (or --pledge)']);
    const body = opts.pledge ? { pledged: true } : { referralId: opts.referralId, ...(opts.name ? { referredName: opts.name } : {}) };
    const done = await withClient((c) => ops.recordReferral(c, opts.customer, body));
    process.stdout.write(`${done.customerId}: ${done.kind} recorded; advocate plan from now on\n`);
  });

for (const action of ['pause', 'resume'] as const) {
  program
    .command(action)
    .description(action === 'pause' ? "hold every touch of a customer's year (touches due meanwhile are skipped on resume)" : 'continue a paused year')
    .requiredOption('--customer <id>', 'the customer id')
    .option('--reason <text>', 'why (kept in the history)')
    .action(async (opts: { customer: string; reason?: string }) => {
      await withClient((c) => (action === 'pause' ? ops.pause(c, opts.customer, { reason: opts.reason }) : ops.resume(c, opts.customer)));
      process.stdout.write(`${opts.customer}: ${action}d\n`);
    });
}

const REPORT_OPTIONS = ['from', 'to', 'year', 'asOf', 'limit', 'by', 'agent'] as const;
type ReportOptions = Partial<Record<(typeof REPORT_OPTIONS)[number], string>> & { json?: boolean; csv?: boolean };

program
  .command('report [name]')
  .description(
    `without a name: customers by plan, touches this month by kind and outcome, referrals, overdue calls, per agent, lifetime value; ` +
      `with one: that report (one SQL query), as a table, --json or --csv. The reports: ${REPORT_NAMES.join(', ')} (\`plan33 report list\` says what each measures)`,
  )
  .option('--from <YYYY-MM-DD>', 'first day of the period (UTC)')
  .option('--to <YYYY-MM-DD>', 'the day after the period (excluded)')
  .option('--year <YYYY>', 'a calendar year as the period')
  .option('--as-of <when>', 'the day or instant (overdue-calls, clv, overview)')
  .option('--limit <n>', 'best-referral-sources: how many')
  .option('--by <what>', 'budget: month, kind, owner or segment')
  .option('--agent <id>', 'only this agent’s customers (the month at a glance, overview)')
  .option('--json', 'print JSON for programs')
  .option('--csv', 'print CSV (a named report)')
  .action(async (name: string | undefined, opts: ReportOptions) => {
    if (opts.json && opts.csv) throw new InputError(['--json, --csv: expected at most one']);
    if (name === 'list') {
      const list = listReports();
      if (opts.csv) process.stdout.write(csvText(['name', 'summary', 'params'], list.map((r) => [r.name, r.summary, Object.keys(r.params).join(' ')])));
      else print(opts.json, list, () => list.map((r) => `${r.name}${Object.keys(r.params).length ? ` (${Object.keys(r.params).join(', ')})` : ''}\n  ${r.summary}`).join('\n'));
      return;
    }
    if (name !== undefined) {
      const config = loadConfig();
      const input = Object.fromEntries(REPORT_OPTIONS.filter((k) => opts[k] !== undefined).map((k) => [k, opts[k]]));
      if (!(REPORT_NAMES as string[]).includes(name)) throw new InputError([`name: expected list or one of ${REPORT_NAMES.join(', ')}, got "${name}"`]);
      const report = reportNamed(name);
      const result = await withDatabase((db) => runReport(db, name, input, { clv: config.clv }));
      const { columns, rows } = report.rows(result);
      const cell = (c: Cell) => (c === null ? '' : String(c));
      // Cells as they are (numbers stay numbers): csv-stringify's escape_formulas guards the text (lib/csv.ts).
      if (opts.csv) process.stdout.write(csvText(columns, rows));
      else print(opts.json, result, () => (rows.length ? table(columns, rows.map((r) => r.map(cell))) : `${name}: no rows`));
      return;
    }
    const named = REPORT_OPTIONS.filter((k) => k !== 'agent' && opts[k] !== undefined);
    if (opts.csv || named.length) throw new InputError([...(opts.csv ? ['--csv'] : []), ...named.map((k) => `--${k === 'asOf' ? 'as-of' : k}`)].map((o) => `${o}: only with a report name, e.g. plan33 report retention ${o}`));
    const config = loadConfig();
    const [r, value] = await withDatabase(async (db) => [await buildReport(db, { agent: opts.agent }), await clvReport(db, config.clv)] as const);
    const money = (n: number) => `${n.toLocaleString('en-US', { maximumFractionDigits: 0 })} ${value.currency}`;
    print(opts.json, { ...r, clv: { asOf: value.asOf, currency: value.currency, clv: value.clv, referralAdjusted: value.referralAdjusted } }, () => {
      const kinds = Object.entries(r.touchesThisMonth);
      return [
        `customers: ${Object.entries(r.customersByPlan).map(([p, n]) => `${n} ${p}`).join(', ')}; referrals this year: ${r.referrals}`,
        '',
        `touches in ${r.month}:`,
        kinds.length ? table(['kind', 'sent', 'skipped', 'failed'], kinds.map(([k, o]) => [k, String(o.sent ?? 0), String(o.skipped ?? 0), String(o.failed ?? 0)])) : '  none yet',
        '',
        table(['agent', 'customers', 'sent this month', 'open calls', 'overdue'], Object.entries(r.perAgent).map(([a, x]) => [a, String(x.customers), String(x.sentThisMonth), String(x.openCalls), String(x.overdueCalls)])),
        ...(r.overdueCalls.length ? ['', 'overdue calls:', ...r.overdueCalls.map((c) => `  ${c.taskId} (${c.agent}, given ${c.givenAt.slice(0, 16)})`)] : []),
        '',
        value.clv.count
          ? `lifetime value of ${value.clv.count} customers: median ${money(value.clv.median)} (quartiles ${money(value.clv.p25)} - ${money(value.clv.p75)}, total ${money(value.clv.total)}); with referrals: median ${money(value.referralAdjusted.median)}`
          : 'lifetime value: no deals recorded yet',
      ].join('\n');
    });
  });

// ---- leads (F.A.S.T.) ----
const leadCommand = program.command('lead').description('a lead: a person before the deal (capture, show, report an outcome, resume, end)');
leadCommand
  .command('add')
  .description('capture a lead: starts lead-<id> (assigned, first-contact task, the 8x8), or merges into a person captured before')
  .option('--file <file>', 'a lead as JSON (see POST /v1/leads in docs/api.md); the options below fill or override it')
  .option('--first <name>', 'first name')
  .option('--last <name>', 'last name')
  .option('--email <address>', 'email')
  .option('--phone <number>', 'phone, +<country code> or national with --country')
  .option('--country <CC>', 'ISO country code for phone numbers without +')
  .option('--timezone <zone>', 'IANA time zone, e.g. Asia/Riyadh')
  .option('--locale <lang>', 'en or ar')
  .option('--needs <text>', 'what they are looking for')
  .option('--source <channel>', '"How did you hear about us?": one of the business\'s sources')
  .option('--source-text <text>', 'their own words')
  .option('--agent <id>', 'the agent, if already known (otherwise the Assign rules choose)')
  .option('--json', 'print JSON for programs')
  .action(async (opts: Record<string, string | boolean | undefined>) => {
    const config = loadConfig();
    const base = typeof opts.file === 'string' ? readJsonFile(opts.file) : {};
    const given = (k: string) => (typeof opts[k] === 'string' ? (opts[k] as string) : undefined);
    const input: Record<string, unknown> = { ...base };
    if (given('first') || given('last')) input.name = { ...((base.name as object | undefined) ?? {}), ...(given('first') ? { first: given('first') } : {}), ...(given('last') ? { last: given('last') } : {}) };
    for (const k of ['email', 'phone', 'timezone', 'locale', 'needs', 'agent'] as const) if (given(k)) input[k] = given(k);
    if (given('source') || given('sourceText')) input.source = { ...((base.source as object | undefined) ?? {}), ...(given('source') ? { channel: given('source') } : {}), ...(given('sourceText') ? { text: given('sourceText') } : {}) };
    const settings = loadLeadSettings(config.leadsFile);
    const country = given('country');
    const result = await withClient((c) => withDatabase((d) => captureLead(c, d, input, { taskQueue: config.temporal.taskQueue, settings: country ? { ...settings, defaultCountry: country } : settings, sendingHours: config.sendingHours })));
    print(opts.json === true, result, () => `${result.workflowId}: ${result.stage === 'deal' ? 'already a customer; nothing started' : result.merged ? 'merged into the lead captured before' : 'captured'}`);
  });
leadCommand
  .command('show <id>')
  .description("the lead's road: stage, agent, first contact, 8x8 touches done and next, outcomes")
  .option('--json', 'print JSON for programs')
  .action(async (id: string, opts: { json?: boolean }) => {
    const found = await withClient((c) => leadStatus(c, id));
    if ('workflow' in found) {
      print(opts.json, found, () => unstartedLines(`lead-${id}`, found));
      return;
    }
    if ('year' in found) {
      const y = found.year;
      print(opts.json, found, () =>
        [
          `lead-${id}: nurture, on the general 33 (year ${y.planYear}, ${y.state}), agent ${y.customer.agent}; ${y.touchesDone.length} done, ${y.nextTouches.length} to come`,
          table(['seq', 'at', 'kind', 'channel', 'outcome', 'title / why'], [...y.touchesDone.map((t) => [String(t.seq), t.at.slice(0, 16), t.kind, t.channel, t.outcome, t.reason ?? t.title]), ...y.nextTouches.slice(0, 5).map((t) => [String(t.seq), t.at.slice(0, 16), t.kind, t.channel, 'next', t.title])]),
        ].join('\n'),
      );
      return;
    }
    const st = found;
    print(opts.json, st, () =>
      [
        `lead-${st.leadId}: ${st.stage} (${st.state}${st.paused ? `: ${st.paused.reason}` : ''}), agent ${st.agent}, source ${st.lead.source.channel}${st.captures > 1 ? `, captured ${st.captures} times` : ''}`,
        `first contact: ${st.firstContact.done ? `made ${st.firstContact.done.slice(0, 16)}` : `due ${st.firstContact.due.slice(0, 16)}`}${st.firstContact.missedBy.length ? ` (missed by ${st.firstContact.missedBy.join(', ')})` : ''}`,
        ...(st.ended ? [`ended: ${st.ended.stage}, ${st.ended.reason}${st.handedOverTo ? ` -> ${st.handedOverTo}` : ''}`] : []),
        table(['seq', 'at', 'kind', 'channel', 'outcome', 'title / why'], [...st.touchesDone.map((t) => [String(t.seq), t.at.slice(0, 16), t.kind, t.channel, t.outcome, t.reason ?? t.title]), ...st.nextTouches.map((t) => [String(t.seq), t.at.slice(0, 16), t.kind, t.channel, 'next', t.title])]),
        ...(st.outcomes.length ? ['', 'outcomes:', ...st.outcomes.map((o) => `  ${o.at.slice(0, 16)} ${o.agent}: ${o.outcome}${o.contactOn ? ` (contact on ${o.contactOn})` : ''}${o.notes ? ` "${o.notes}"` : ''}`)] : []),
      ].join('\n'),
    );
  });
leadCommand
  .command('outcome <id>')
  .description("an agent's report on a lead: positive-interest, negative, no-response or contact-later")
  .requiredOption('--outcome <outcome>', LEAD_OUTCOMES.join(', '))
  .option('--contact-on <YYYY-MM-DD>', 'with contact-later: the day to contact them again')
  .option('--notes <text>', 'what was said')
  .option('--task <id>', 'the task this reports on (first contact, reply, 8x8 call)')
  .option('--json', 'print JSON for programs')
  .action(async (id: string, opts: { outcome: string; contactOn?: string; notes?: string; task?: string; json?: boolean }) => {
    const r = await withClient((c) => reportLeadOutcome(c, id, { outcome: opts.outcome, ...(opts.contactOn ? { contactOn: opts.contactOn } : {}), ...(opts.notes ? { notes: opts.notes } : {}), ...(opts.task ? { taskId: opts.task } : {}) }));
    print(opts.json, r, () => `lead-${id}: ${r.outcome}; stage ${r.stage}; next: ${r.next}`);
  });
leadCommand
  .command('resume <id>')
  .description('resume a paused 8x8 (after a reply)')
  .action(async (id: string) => {
    await withClient((c) => resumeLead(c, id));
    process.stdout.write(`lead-${id}: resumed\n`);
  });
leadCommand
  .command('end <id>')
  .description('close a lead as lost, with a reason')
  .requiredOption('--reason <text>', 'why, e.g. bought elsewhere')
  .action(async (id: string, opts: { reason: string }) => {
    await withClient((c) => endLead(c, id, { reason: opts.reason }));
    process.stdout.write(`lead-${id}: closed (${opts.reason})\n`);
  });
program
  .command('leads')
  .description('leads by stage, conversion by source or agent, and lead tasks overdue: one SQL query each')
  .option('--by <what>', 'source or agent (conversion)', 'source')
  .option('--agent <id>', 'only this agent (stages and overdue)')
  .option('--json', 'print JSON for programs')
  .action(async (opts: { by: string; agent?: string; json?: boolean }) => {
    if (opts.by !== 'source' && opts.by !== 'agent') throw new InputError([`--by: expected source or agent, got "${opts.by}"`]);
    const by = opts.by;
    const [rows, overview] = await withDatabase(async (d) => [await leadConversion(d, by), await leadOverview(d, new Date().toISOString(), opts.agent)] as const);
    print(opts.json, { by, conversion: rows, ...overview }, () =>
      [
        `leads by stage: ${Object.entries(overview.byStage).map(([s, n]) => `${n} ${s}`).join(', ') || 'none yet'}`,
        '',
        table([by, 'leads', 'contacted', 'qualified', 'deals', 'lost', 'conversion'], rows.map((r) => [r.key, String(r.leads), String(r.contacted), String(r.qualified), String(r.deals), String(r.lost), `${Math.round(r.conversion * 100)}%`])),
        ...(overview.overdue.length ? ['', 'overdue:', ...overview.overdue.map((t) => `  ${t.taskId} (${t.agent}, ${t.reason}, due ${t.dueAt.slice(0, 16)})`)] : []),
      ].join('\n'),
    );
  });

program
  .command('budget')
  .description("the plan's budget for a calendar year, for everyone on the books: planned and spent cost (one SQL query)")
  .requiredOption('--year <YYYY>', 'the calendar year, e.g. 2027')
  .option('--by <what>', 'month, kind, owner or segment', 'month')
  .option('--json', 'print JSON for programs')
  .action(async (opts: { year: string; by: string; json?: boolean }) => {
    const config = loadConfig();
    const b = await withDatabase((d) => budgetReport(d, { year: opts.year, by: opts.by }, config.clv.currency));
    print(opts.json, b, () =>
      [
        `budget ${b.year} by ${b.by} (${b.currency})`,
        table([b.by, 'planned', 'spent', 'touches', 'sent'], b.rows.map((r) => [r.key, r.planned.toFixed(2), r.spent.toFixed(2), String(r.touches), String(r.sent)])),
        `total: planned ${b.total.planned.toFixed(2)}, spent ${b.total.spent.toFixed(2)}`,
      ].join('\n'),
    );
  });

const db = program.command('db').description("plan33's PostgreSQL store (DATABASE_URL, or npm start's embedded one)");
db.command('migrate')
  .description('apply every pending migration')
  .action(async () => {
    const applied = await withDatabase((d) => migrateToLatest(d));
    print(false, applied, () => (applied.length ? applied.map((n) => `applied ${n}`).join('\n') : 'nothing to apply: the schema is up to date'));
  });
db.command('status')
  .description('applied and pending migrations')
  .option('--json', 'print JSON for programs')
  .action(async (opts: { json?: boolean }) => {
    const all = await withDatabase((d) => migrationStatus(d));
    print(opts.json, all, () => table(['migration', 'applied'], all.map((m) => [m.name, m.appliedAt ? m.appliedAt.toISOString() : 'pending'])));
  });

program.parseAsync(process.argv).then(
  // The Temporal runtime (after simulate) would keep the process alive: leave once stdout is out.
  () => process.stdout.write('', () => process.exit(typeof process.exitCode === 'number' ? process.exitCode : 0)),
  (err: unknown) => {
  if (err instanceof InputError || err instanceof ConfigError || err instanceof ValidationError) {
    process.stderr.write(`plan33: bad input\n${err.problems.map((p) => `  ${p}`).join('\n')}\n`);
    process.exit(1);
  }
  process.stderr.write(`plan33: ${(err as Error).message}\n`);
  process.exit(2);
  },
);

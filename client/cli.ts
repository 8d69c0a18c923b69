// The `plan33` command line. Readable tables by default, `--json` for programs.
// Exit codes: 0 done, 1 bad input (every bad field named, no stack trace), 2 failure.
import { Command, InvalidArgumentError } from 'commander';
import { pino } from 'pino';
import { ConfigError, loadConfig } from '../lib/config';
import { createLogger, installTemporalRuntimeLogger } from '../lib/logger';
import { PLANS, type PlanName } from '../plan/touch';
import { loadPlanOverrides } from '../worker/dependencies';
import { formatPreview, preview } from './preview';
import { checkDate, InputError, readCustomerFile } from './read-customer';
import { simulate } from './simulate';
import { table } from './table';
import { CALL_OUTCOMES } from '../workflows/messages';
import { connectClient } from './connect';
import { ValidationError } from './enroll';
import * as ops from './operations';

/** Runs an operation against the running server, closing the connection after. */
async function withClient<T>(fn: (client: Awaited<ReturnType<typeof connectClient>>) => Promise<T>): Promise<T> {
  const client = await connectClient(loadConfig());
  try {
    return await fn(client);
  } finally {
    await client.connection.close();
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
    process.stdout.write(`${opts.json ? JSON.stringify(touches, null, 2) : formatPreview(customer, opts.plan, touches)}\n`);
  });

program
  .command('simulate')
  .description("run the real workflow and activities for the customer's whole year on a time-skipping test server")
  .requiredOption('--customer <file>', 'customer JSON file (PRODUCT.md shape)')
  .option('--start <YYYY-MM-DD>', 'first day of the plan year (today or later; default today)')
  .option('--referral-at <YYYY-MM-DD>', 'the customer refers someone on this day of the simulated year')
  .option('--calls <outcome>', `how the simulated agent's calls end: ${CALL_OUTCOMES.join(', ')}`, 'reached')
  .option('--json', 'print JSON for programs')
  .action(async (opts: { customer: string; start?: string; referralAt?: string; calls: string; json?: boolean }) => {
    const config = loadConfig();
    const customer = readCustomerFile(opts.customer);
    checkDate('--start', opts.start);
    checkDate('--referral-at', opts.referralAt);
    if (!(CALL_OUTCOMES as readonly string[]).includes(opts.calls)) throw new InputError([`--calls: expected one of ${CALL_OUTCOMES.join(', ')}`]);
    // Temporal's own logs go to stderr, warnings and worse only: stdout is for results.
    installTemporalRuntimeLogger(createLogger(process.env.LOG_LEVEL ?? 'warn', pino.destination(2)));
    const result = await simulate({
      customer,
      start: opts.start,
      referralAt: opts.referralAt,
      callOutcome: opts.calls as (typeof CALL_OUTCOMES)[number],
      business: config.business,
      sendingHours: config.sendingHours,
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
    const tasks = await withClient((c) => ops.openCallTasks(c, opts.agent));
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
    print(opts.json, result, () => `${result.taskId}: ${result.outcome}; next: ${result.next}`);
  });

program
  .command('status')
  .description("a customer's plan, year, touches done and next")
  .requiredOption('--customer <id>', 'the customer id')
  .option('--json', 'print JSON for programs')
  .action(async (opts: { customer: string; json?: boolean }) => {
    const st = await withClient((c) => ops.getStatus(c, opts.customer));
    print(opts.json, st, () =>
      [
        `${st.customerId}: ${st.plan} year ${st.planYear} (${st.state}), agent ${st.customer.agent}; ${st.touchesDone.length} done, ${st.nextTouches.length} to come`,
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

program.parseAsync(process.argv).then(
  // The Temporal runtime (after simulate) would keep the process alive: leave once stdout is out.
  () => process.stdout.write('', () => process.exit(0)),
  (err: unknown) => {
  if (err instanceof InputError || err instanceof ConfigError || err instanceof ValidationError) {
    process.stderr.write(`plan33: bad input\n${err.problems.map((p) => `  ${p}`).join('\n')}\n`);
    process.exit(1);
  }
  process.stderr.write(`plan33: ${(err as Error).message}\n`);
  process.exit(2);
  },
);

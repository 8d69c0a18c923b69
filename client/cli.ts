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

program.parseAsync(process.argv).then(
  // The Temporal runtime (after simulate) would keep the process alive: leave once stdout is out.
  () => process.stdout.write('', () => process.exit(0)),
  (err: unknown) => {
  if (err instanceof InputError || err instanceof ConfigError) {
    process.stderr.write(`plan33: bad input\n${(err instanceof InputError ? err.problems : err.problems).map((p) => `  ${p}`).join('\n')}\n`);
    process.exit(1);
  }
  process.stderr.write(`plan33: ${(err as Error).message}\n`);
  process.exit(2);
  },
);

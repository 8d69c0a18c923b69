// The chaos suite (dev/chaos.ts, `npm run chaos` runs it for 50 people) in small: six people's
// years on a real Temporal dev server with a SQLite file, a real PostgreSQL, real SMTP and the
// real twilio client against the local endpoint, while the worker process is SIGKILLed, the
// Temporal server and PostgreSQL are restarted and SMTP and SMS fail. Nothing may be lost and
// nothing delivered twice, counted from what the endpoints received.
import { describe, expect, inject, it } from 'vitest';
import { runChaos } from '../dev/chaos';

describe('the chaos suite, small', () => {
  it('every fault injected, every due touch delivered once', { timeout: 420_000 }, async () => {
    const lines: string[] = [];
    const result = await runChaos({
      people: 6,
      workerKills: 3,
      temporalRestarts: 1,
      postgresRestarts: 1,
      smtp: { '4xx': 1, '5xx': 1, drop: 1 },
      sms: { '429': 1, '5xx': 1, timeout: 1 },
      waves: 1,
      gapMs: [300, 1200],
      bundlePath: inject('workflowBundlePath'),
      seed: 33,
      settleTimeoutMs: 120_000,
      // Few sends in a small run: every send meets a fault until each kind's minimum is reached.
      owedFaultRate: 1,
      log: (line) => lines.push(line),
    });
    const report = `${result.line}\n${result.problems.join('\n')}\n${lines.join('\n')}`;
    expect(result.problems, report).toEqual([]);
    expect(result.lost, report).toBe(0);
    expect(result.duplicates, report).toBe(0);
    // Each fault kind actually happened, at least as often as asked.
    expect(result.faults.workerKills).toBeGreaterThanOrEqual(3);
    expect(result.faults.temporalRestarts).toBeGreaterThanOrEqual(1);
    expect(result.faults.postgresRestarts).toBeGreaterThanOrEqual(1);
    expect(result.faults.smtp4xx, report).toBeGreaterThanOrEqual(1);
    expect(result.faults.smtp5xx, report).toBeGreaterThanOrEqual(1);
    expect(result.faults.smtpDrops, report).toBeGreaterThanOrEqual(1);
    expect(result.faults.sms429, report).toBeGreaterThanOrEqual(1);
    expect(result.faults.sms5xx, report).toBeGreaterThanOrEqual(1);
    expect(result.faults.smsTimeouts, report).toBeGreaterThanOrEqual(1);
    expect(result.minimumsReached).toBe(true);
    // The year really ran: most of six people's year of touches, on every channel.
    expect(result.touches).toBeGreaterThan(6 * 25);
    expect(result.line).toMatch(/^chaos: \d+ touches, 0 lost, 0 duplicates, faults: worker kills \d+, temporal restarts \d+, postgres restarts \d+, smtp 4xx \d+, smtp 5xx \d+, smtp drops \d+, sms 429 \d+, sms 5xx \d+, sms timeouts \d+$/);
  });
});

// `npm start`'s embedded stack, run as a user runs it: the first email is captured as a file,
// the Web UI answers, Ctrl-C stops everything cleanly, and a second start resumes the same
// workflow from the SQLite file without sending anything twice.
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { simpleParser } from 'mailparser';
import { afterAll, describe, expect, it } from 'vitest';
import { freePort, projectRoot } from '../lib/binaries.mjs';
import { statusQuery } from '../workflows/messages';
import { tempDir } from './helpers/temporal';

const dataDir = tempDir('start');
const children: ChildProcessWithoutNullStreams[] = [];
afterAll(() => children.forEach((c) => c.exitCode === null && c.kill('SIGKILL')));

function start(env: Record<string, string>) {
  const child = spawn(join(projectRoot, 'node_modules/.bin/tsx'), ['worker/start.ts'], {
    cwd: projectRoot,
    env: { ...process.env, ...env },
  });
  children.push(child);
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => (out += d.toString()));
  const waitFor = (text: string, timeoutMs = 60_000) =>
    new Promise<string>((ok, fail) => {
      const deadline = Date.now() + timeoutMs;
      const tick = () => {
        if (out.includes(text)) return ok(out);
        if (child.exitCode !== null) return fail(new Error(`exited ${child.exitCode} before "${text}":\n${out}`));
        if (Date.now() > deadline) return fail(new Error(`no "${text}" within ${timeoutMs} ms:\n${out}`));
        setTimeout(tick, 100);
      };
      tick();
    });
  const exited = new Promise<number | null>((ok) => child.once('exit', (code) => ok(code)));
  return { child, waitFor, exited, output: () => out };
}

describe('npm start (embedded stack)', () => {
  it('captures the first email within a minute, serves the Web UI, stops cleanly on Ctrl-C and resumes', async () => {
    const [temporalPort, uiPort, smtpPort] = [await freePort(), await freePort(), await freePort()];
    const env = { PLAN33_DATA_DIR: dataDir, TEMPORAL_PORT: String(temporalPort), TEMPORAL_UI_PORT: String(uiPort), SMTP_PORT: String(smtpPort), LOG_LEVEL: 'info' };

    const first = start(env);
    const banner = await first.waitFor('plan33 is running.');
    expect(banner).toContain(`http://localhost:${uiPort}/namespaces/default/workflows/customer-sample-layla`);
    await first.waitFor('email captured', 60_000);
    const mailDir = join(dataDir, 'mail');
    const files = readdirSync(mailDir);
    expect(files).toHaveLength(1);
    const mail = await simpleParser(readFileSync(join(mailDir, files[0]!)));
    expect(mail.to && 'text' in mail.to ? mail.to.text : '').toBe('layla@example.com');
    expect(mail.text).toContain('https://example.com/refer'); // the referral reminder's link
    expect(mail.html).toMatch(/<html lang="ar" dir="rtl"/); // Layla reads Arabic

    const ui = await fetch(`http://localhost:${uiPort}/namespaces/default/workflows`);
    expect(ui.status).toBe(200);
    expect(await ui.text()).toMatch(/<html/i);

    const connection = await Connection.connect({ address: `127.0.0.1:${temporalPort}` });
    const client = new Client({ connection });
    const handle = client.workflow.getHandle('customer-sample-layla');
    const { runId } = await handle.describe();
    expect((await handle.query(statusQuery)).touchesDone).toHaveLength(1);
    await connection.close();

    first.child.kill('SIGINT');
    expect(await first.exited).toBe(0);
    expect(first.output()).toContain('plan33: stopped cleanly.');

    const second = start(env);
    await second.waitFor('plan33 is running.');
    const again = await Connection.connect({ address: `127.0.0.1:${temporalPort}` });
    const resumed = new Client({ connection: again }).workflow.getHandle('customer-sample-layla');
    const description = await resumed.describe();
    expect(description.runId).toBe(runId); // the same run, resumed from the SQLite file
    expect(description.status.name).toBe('RUNNING');
    const status = await resumed.query(statusQuery);
    expect(status.touchesDone).toHaveLength(1);
    expect(status.deals).toHaveLength(1); // the sample deal, signalled again, is not added twice
    await new Promise((r) => setTimeout(r, 1000));
    expect(readdirSync(mailDir)).toHaveLength(1); // nothing sent twice
    await again.close();

    second.child.kill('SIGINT');
    expect(await second.exited).toBe(0);
  });
});

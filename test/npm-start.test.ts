// `npm start`'s embedded stack, run as a user runs it: the first email is captured as a file,
// the Web UI answers, Ctrl-C stops everything cleanly, and a second start resumes the same
// workflow from the SQLite file without sending anything twice.
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { simpleParser } from 'mailparser';
import { afterAll, describe, expect, it } from 'vitest';
import { freePort, projectRoot } from '../dev/binaries.mjs';
import { statusQuery, type CustomerStatus } from '../workflows/messages';
import { postgresTempDir } from '../dev/embedded-postgres';
import { dataConverterFor } from '../lib/codec';
import { localEncryptionKeys } from '../lib/local-secrets';

// Readable by the postgres user the embedded PostgreSQL runs as, when the tests run as root.
const dataDir = postgresTempDir('plan33-start-');
const children: ChildProcessWithoutNullStreams[] = [];
afterAll(() => children.forEach((c) => c.exitCode === null && c.kill('SIGKILL')));

const startCommand = (JSON.parse(readFileSync(join(projectRoot, 'package.json'), 'utf8')) as { scripts: { start: string } }).scripts.start.split(' && ').at(-1)!;

function start(env: Record<string, string>) {
  // As `npm start` runs it after the set-up (package.json's command: the compiled dist/start.mjs,
  // which the tests' global set-up keeps up to date), one node process and no npm in between.
  const [node, ...args] = startCommand.split(' ');
  expect(node).toBe('node');
  const child = spawn(process.execPath, args, {
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
    const [temporalPort, uiPort, smtpPort, apiPort, postgresPort] = [await freePort(), await freePort(), await freePort(), await freePort(), await freePort()];
    const env = { PLAN33_DATA_DIR: dataDir, TEMPORAL_PORT: String(temporalPort), TEMPORAL_UI_PORT: String(uiPort), SMTP_PORT: String(smtpPort), PLAN33_API_PORT: String(apiPort), PLAN33_POSTGRES_PORT: String(postgresPort), LOG_LEVEL: 'info' };

    const first = start(env);
    await first.waitFor('plan33 is running.');
    const banner = await first.waitFor('Press Ctrl-C to stop');
    expect(banner).toContain(`http://localhost:${uiPort}/namespaces/default/workflows/customer-sample-layla`);
    await first.waitFor('email captured', 60_000);
    const mailDir = join(dataDir, 'mail');
    // Every sample's welcome newsletter (and John's referral thank-you) lands within a minute.
    const byRecipient = async () => {
      const out = new Map<string, Awaited<ReturnType<typeof simpleParser>>[]>();
      for (const f of readdirSync(mailDir)) {
        const mail = await simpleParser(readFileSync(join(mailDir, f)));
        const to = mail.to && 'text' in mail.to ? mail.to.text : '';
        out.set(to, [...(out.get(to) ?? []), mail]);
      }
      return out;
    };
    const deadline = Date.now() + 60_000;
    let mails = await byRecipient();
    while (!(mails.has('layla@example.com') && mails.has('emma@example.com') && mails.has('john@example.com')) && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 250));
      mails = await byRecipient();
    }
    const layla = mails.get('layla@example.com')!;
    expect(layla).toHaveLength(1);
    expect(layla[0]!.text).toContain('https://example.com/refer'); // the referral reminder's link
    expect(layla[0]!.html).toMatch(/<html lang="ar" dir="rtl"/); // Layla reads Arabic
    expect(layla[0]!.headerLines.find((h) => h.key === 'list-unsubscribe-post')?.line).toBe('List-Unsubscribe-Post: List-Unsubscribe=One-Click');
    const emma = mails.get('emma@example.com')!;
    expect(emma[0]!.html).toMatch(/<html lang="en" dir="ltr"/);
    const sent = [...mails.values()].flat().length;

    // The HTTP API answers with the key the banner printed.
    const key = /API key in .*: (\S+)\)/.exec(banner)![1]!;
    const api = await fetch(`http://127.0.0.1:${apiPort}/v1/customers/sample-john`, { headers: { authorization: `Bearer ${key}` } });
    expect(api.status).toBe(200);
    // John referred Grace: advocate now, with a thank-you on the next free day.
    const john = (await api.json()) as CustomerStatus;
    expect(john.plan).toBe('advocate');
    expect(john.nextTouches.some((t) => t.occasion === 'referral-thank-you')).toBe(true);

    // The banner's manager sign-in link, on a line of its own: its page has a Sign in button (the
    // GET spends nothing), whose POST opens a session once.
    const signIn = /^manager sign-in (\S+)/m.exec(first.output())?.[1];
    expect(signIn, banner).toMatch(/\/app\/auth\?t=/);
    const linkPage = await fetch(signIn!, { redirect: 'manual' });
    expect(linkPage.status).toBe(200);
    expect(await linkPage.text()).toMatch(/<button type="submit">Sign in<\/button>/);
    const pressSignIn = () => fetch(new URL('/app/auth', signIn!), { method: 'POST', redirect: 'manual', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams({ t: new URL(signIn!).searchParams.get('t')! }) });
    const opened = await pressSignIn();
    expect(opened.status).toBe(303);
    expect(opened.headers.get('location')).toBe('/app/dashboard');
    expect(opened.headers.get('set-cookie')).toMatch(/plan33_session=.*HttpOnly.*SameSite=Lax/i);
    expect((await pressSignIn()).status).toBe(400);

    const ui = await fetch(`http://localhost:${uiPort}/namespaces/default/workflows`);
    expect(ui.status).toBe(200);
    expect(await ui.text()).toMatch(/<html/i);

    // Customer data is encrypted in Temporal with the data folder's key: the raw history holds
    // no name or address; a client with the key (as the CLI has) reads the workflow.
    const connection = await Connection.connect({ address: `127.0.0.1:${temporalPort}` });
    const dataConverter = dataConverterFor(localEncryptionKeys(dataDir));
    expect(dataConverter).toBeDefined();
    const client = new Client({ connection, dataConverter });
    const handle = client.workflow.getHandle('customer-sample-layla');
    const { runId } = await handle.describe();
    expect((await handle.query(statusQuery)).touchesDone).toHaveLength(1);
    const raw = await new Client({ connection }).workflow.getHandle('customer-sample-layla').fetchHistory();
    // Payload bytes come as base64 strings: read each as the bytes it stands for.
    const rawText = JSON.stringify(raw).replace(/"([A-Za-z0-9+/]{4,}={0,2})"/g, (_m, b64: string) => JSON.stringify(Buffer.from(b64, 'base64').toString('latin1')));
    expect(rawText).toContain('binary/encrypted');
    for (const pii of ['layla@example.com', 'Haddad', 'Olaya']) expect(rawText).not.toContain(pii);
    await connection.close();

    // Temporal UI decodes through the codec server: the UI is told the endpoint, which answers its
    // origin with the plain payload; a wrong path secret finds nothing.
    const settings = (await (await fetch(`http://localhost:${uiPort}/api/v1/settings`)).json()) as { Codec?: { Endpoint?: string } };
    const endpoint = settings.Codec?.Endpoint ?? '';
    expect(endpoint).toMatch(new RegExp(`^http://localhost:${apiPort}/codec/ui/[A-Za-z0-9_-]{20,}$`));
    const input = raw.events![0]!.workflowExecutionStartedEventAttributes!.input!.payloads![0]!;
    const b64 = (v: Uint8Array | string | null | undefined) => (typeof v === 'string' ? v : Buffer.from(v ?? new Uint8Array()).toString('base64'));
    const asJson = { metadata: Object.fromEntries(Object.entries(input.metadata ?? {}).map(([k, v]) => [k, b64(v)])), data: b64(input.data) };
    const uiOrigin = `http://localhost:${uiPort}`;
    const decode = (url: string) => fetch(`${url}/decode`, { method: 'POST', headers: { 'content-type': 'application/json', origin: uiOrigin, 'x-namespace': 'default' }, body: JSON.stringify({ payloads: [asJson] }) });
    const decoded = await decode(endpoint);
    expect(decoded.status).toBe(200);
    expect(decoded.headers.get('access-control-allow-origin')).toBe(uiOrigin);
    const plain = (await decoded.json()) as { payloads: Array<{ data: string }> };
    expect(Buffer.from(plain.payloads[0]!.data, 'base64').toString('utf8')).toContain('"customerId":"sample-layla"');
    expect((await decode(endpoint.replace(/[A-Za-z0-9_-]{6}$/, 'xxxxxx'))).status).toBe(404);

    first.child.kill('SIGINT');
    expect(await first.exited).toBe(0);
    expect(first.output()).toContain('plan33: stopped cleanly.');

    const second = start(env);
    await second.waitFor('plan33 is running.');
    const again = await Connection.connect({ address: `127.0.0.1:${temporalPort}` });
    const resumed = new Client({ connection: again, dataConverter }).workflow.getHandle('customer-sample-layla');
    const description = await resumed.describe();
    expect(description.runId).toBe(runId); // the same run, resumed from the SQLite file
    expect(description.status.name).toBe('RUNNING');
    const status = await resumed.query(statusQuery);
    expect(status.touchesDone).toHaveLength(1);
    expect(status.deals).toHaveLength(1); // the sample deal, signalled again, is not added twice
    await new Promise((r) => setTimeout(r, 1000));
    expect(readdirSync(mailDir)).toHaveLength(sent); // nothing sent twice
    await again.close();

    second.child.kill('SIGINT');
    expect(await second.exited).toBe(0);
  });
});

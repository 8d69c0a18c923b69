// Call tasks end to end with real servers: the task in the tasks table, the agent's email over
// real SMTP, a signed POST to a local CRM, reminders after 48 h and escalation to the manager
// after 120 h (time-skipping server), cover while an agent is away, and the agent's list of
// open tasks through the CallAssignees visibility query (dev server, real time).
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { simpleParser, type ParsedMail } from 'mailparser';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { createAgentDirectory, parseAgentsFile } from '../activities/agents';
import type { CallTask } from '../activities/call-task';
import { freshStores, testStores, type TestStores } from './helpers/database';
import { dealClosed, ValidationError } from '../service/enroll';
import { completeCall, openCallTasks } from '../service/operations';
import { createDevServerEnv } from '../dev/temporal-server';
import { startSmtpCapture, type SmtpCapture } from '../dev/smtp-capture';
import { SIGNATURE_HEADER, signatureProblem } from '../lib/webhook-signature';
import type { CustomerInput } from '../plan/customer';
import { customerWorkflowId } from '../plan/ids';
import * as m from '../workflows/messages';
import { plan33 } from './helpers/cli';
import { business, createTestWorker, installTestRuntime } from './helpers/temporal';
import { until, useYearRig } from './helpers/year';
import { layla } from './fixtures/customers';

const HOUR = 3_600_000;
const CRM_SECRET = 'crm-secret-0123456789';
const deal = { id: 'deal-calls', closedAt: '2026-11-23' };
const NOTES = 'Two kids, loves gardening';

/** Reachable only by phone: no email, no address, no SMS consent (everything else is skipped). */
function phoneOnly(id: string, extra: Partial<CustomerInput> = {}): CustomerInput {
  const rest: CustomerInput = { ...layla };
  delete rest.email;
  delete rest.address;
  return { ...rest, id, consent: { email: false, sms: false, postal: false, phone: true }, notes: NOTES, ...extra };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Polls (real time) until `fn` returns something truthy. */
async function eventually<T>(what: string, fn: () => Promise<T | undefined | false>, timeoutMs = 20_000, everyMs = 100): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await fn();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(everyMs);
  }
}

interface CrmRequest {
  key: string | undefined;
  problem: string | undefined;
  body: { event: string; task: CallTask };
}

/** A CRM on loopback: checks the signature (401 if bad) and keeps every request. */
async function startCrm(): Promise<{ url: string; requests: CrmRequest[]; close(): Promise<void> }> {
  const requests: CrmRequest[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const raw = Buffer.concat(chunks).toString('utf8');
      const header = req.headers[SIGNATURE_HEADER];
      const problem = signatureProblem(CRM_SECRET, Array.isArray(header) ? header[0] : header, raw);
      const key = req.headers['idempotency-key'];
      requests.push({ key: Array.isArray(key) ? key[0] : key, problem, body: JSON.parse(raw) as CrmRequest['body'] });
      res.writeHead(problem ? 401 : 200, { 'content-type': 'application/json' });
      res.end(JSON.stringify(problem ? { error: problem } : { ok: true }));
    });
  });
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}/plan33`, requests, close: () => new Promise<void>((ok) => server.close(() => ok())) };
}

interface Mail {
  to: string[];
  task: string;
  subject: string;
  text: string;
}

async function mailsTo(smtp: SmtpCapture, address: string): Promise<Mail[]> {
  const mine = smtp.messages.filter((x) => x.to.includes(address));
  return Promise.all(
    mine.map(async (x) => {
      const parsed: ParsedMail = await simpleParser(x.raw);
      return { to: x.to, task: String(parsed.headers.get('x-plan33-task') ?? ''), subject: parsed.subject ?? '', text: parsed.text ?? '' };
    }),
  );
}

describe('call tasks on the time-skipping server', () => {
  const rig = useYearRig(['call-a', 'call-b', 'call-d']);
  let crm: Awaited<ReturnType<typeof startCrm>>;
  beforeAll(async () => {
    crm = await startCrm();
  });
  afterAll(async () => {
    await crm?.close();
  });

  it('hands the task over (folder, email, signed CRM post), reminds after 48 h, escalates after 120 h, once each; completion is validated', async () => {
    const agents = createAgentDirectory(
      parseAgentsFile({
        agents: [
          { id: 'agent-sara', name: 'Sara Al-Qahtani', email: 'sara@cedar.test', manager: 'agent-boss' },
          { id: 'agent-boss', name: 'Bilal Boss', email: 'boss@cedar.test' },
        ],
      }),
    );
    const { tasks } = await freshStores();
    const taskQueue = 'call-a';
    const w = await createTestWorker({ connection: rig.env.nativeConnection, taskQueue, smtp: rig.smtp, tasks, deps: { agents, crm: { url: crm.url, secret: CRM_SECRET } } });
    await w.runUntil(async () => {
      await dealClosed(rig.env.client, { customer: phoneOnly('call-a'), deal }, { taskQueue });
      const handle = rig.env.client.workflow.getHandle(customerWorkflowId('call-a'));

      // ---- the first call task is handed over ----
      let st = await until(rig.env, handle, (s) => s.calls.length >= 1);
      expect(st.calls).toHaveLength(1);
      const call = st.calls[0]!;
      const taskId = call.taskId;
      const touch = st.touchesDone.find((t) => t.seq === call.seq)!;
      expect(touch).toMatchObject({ kind: 'call', channel: 'phone', outcome: 'sent', reference: taskId });
      expect(call.assignee).toBe('agent-sara');
      expect(call.givenAt).toBe(touch.doneAt);
      // Nothing before the call could reach a phone-only customer.
      expect(st.touchesDone.filter((t) => t.seq !== call.seq).every((t) => t.outcome === 'skipped')).toBe(true);

      const files = (await tasks.list({ type: 'call' })) as CallTask[];
      expect(files).toHaveLength(1);
      const task = files[0]!;
      expect(task).toMatchObject({
        type: 'call',
        taskId,
        agent: 'agent-sara',
        owner: 'agent-sara',
        customerId: 'call-a',
        customerName: 'Layla Haddad',
        phone: layla.phone,
        dueAt: touch.at,
        notes: NOTES,
      });
      expect(task.reassignedFrom).toBeUndefined();
      expect(Array.isArray(task.context.recentTouches)).toBe(true);
      expect(task.context.recentTouches).toEqual([]); // every earlier touch was skipped, none sent
      expect(task.context.upcoming.length).toBeGreaterThan(0);
      expect(task.talkingPoints.some((p) => p.includes(NOTES))).toBe(true);
      expect(task.talkingPoints.some((p) => /referral/i.test(p) && p.includes(business.referralUrl))).toBe(true);

      const saraNew = (await mailsTo(rig.smtp, 'sara@cedar.test')).filter((x) => x.task === `${taskId}.new.email`);
      expect(saraNew).toHaveLength(1);
      expect(saraNew[0]!.subject).toMatch(/^Call task: Layla Haddad/);
      expect(saraNew[0]!.text).toContain(`Task: ${taskId}`);
      expect(saraNew[0]!.text).toContain(`Notes: ${NOTES}`);
      for (const point of task.talkingPoints) expect(saraNew[0]!.text).toContain(point);

      const posts = () => crm.requests.filter((r) => r.body.task?.taskId === taskId);
      expect(posts().map((r) => r.problem)).toEqual([undefined]);
      expect(posts()[0]).toMatchObject({ key: `${taskId}.new`, body: { event: 'call-task', task: { taskId, agent: 'agent-sara', customerName: 'Layla Haddad' } } });

      // ---- not completed: reminder to Sara after 48 h ----
      const givenMs = Date.parse(call.givenAt!);
      const sleepTo = async (ms: number) => rig.env.sleep(Math.max(ms - (await rig.env.currentTimeMs()), 0));
      await sleepTo(givenMs + 47 * HOUR);
      expect((await handle.query(m.statusQuery)).calls[0]!.remindedAt).toBeUndefined();
      await sleepTo(givenMs + 48 * HOUR + 60_000);
      st = await eventually('the reminder', async () => {
        const s = await handle.query(m.statusQuery);
        return s.calls[0]!.remindedAt ? s : undefined;
      });
      const remindedAfter = Date.parse(st.calls[0]!.remindedAt!) - givenMs;
      expect(remindedAfter).toBeGreaterThanOrEqual(48 * HOUR);
      expect(remindedAfter).toBeLessThan(48 * HOUR + 10 * 60_000);
      expect(st.calls[0]!.escalatedAt).toBeUndefined();
      const reminders = await eventually('the reminder email', async () => {
        const found = (await mailsTo(rig.smtp, 'sara@cedar.test')).filter((x) => x.task === `${taskId}.reminder.email`);
        return found.length ? found : undefined;
      });
      expect(reminders).toHaveLength(1);
      expect(reminders[0]!.subject).toMatch(/^Reminder/);
      expect(reminders[0]!.text).toContain('Reminder: the call to Layla Haddad');
      expect(reminders[0]!.text).toContain(`Task: ${taskId}`);
      expect(await mailsTo(rig.smtp, 'boss@cedar.test')).toEqual([]);

      // ---- escalation to the manager after 120 h ----
      await sleepTo(givenMs + 120 * HOUR + 60_000);
      st = await eventually('the escalation', async () => {
        const s = await handle.query(m.statusQuery);
        return s.calls[0]!.escalatedAt ? s : undefined;
      });
      const escalatedAfter = Date.parse(st.calls[0]!.escalatedAt!) - givenMs;
      expect(escalatedAfter).toBeGreaterThanOrEqual(120 * HOUR);
      expect(escalatedAfter).toBeLessThan(120 * HOUR + 10 * 60_000);
      expect(st.calls[0]!.assignee).toBe('agent-sara');
      const escalations = await eventually('the escalation email', async () => {
        const found = await mailsTo(rig.smtp, 'boss@cedar.test');
        return found.length ? found : undefined;
      });
      expect(escalations).toHaveLength(1);
      expect(escalations[0]!.task).toBe(`${taskId}.escalation.email`);
      expect(escalations[0]!.subject).toMatch(/^Overdue/);
      expect(escalations[0]!.text).toMatch(/Escalation: the call to Layla Haddad .* for Sara Al-Qahtani is overdue/);

      // ---- more time passes: no duplicate emails or CRM posts ----
      await sleepTo(givenMs + 12 * 24 * HOUR);
      await sleep(500);
      const saraAll = (await mailsTo(rig.smtp, 'sara@cedar.test')).filter((x) => x.task.startsWith(`${taskId}.`));
      expect(saraAll.map((x) => x.task).sort()).toEqual([`${taskId}.new.email`, `${taskId}.reminder.email`]);
      expect((await mailsTo(rig.smtp, 'boss@cedar.test')).map((x) => x.task)).toEqual([`${taskId}.escalation.email`]);
      expect(posts().map((r) => [r.body.event, r.key, r.problem])).toEqual([
        ['call-task', `${taskId}.new`, undefined],
        ['call-task-reminder', `${taskId}.reminder`, undefined],
        ['call-task-escalation', `${taskId}.escalation`, undefined],
      ]);
      st = await handle.query(m.statusQuery);
      expect(st.calls[0]).toMatchObject({ taskId, remindedAt: expect.any(String), escalatedAt: expect.any(String) });
      expect(st.calls[0]!.outcome).toBeUndefined();

      // ---- completion through the client library ----
      const bad = await completeCall(rig.env.client, taskId, { outcome: 'hung-up' }).then(() => undefined, (e: unknown) => e);
      expect(bad).toBeInstanceOf(ValidationError);
      expect((bad as ValidationError).problems.some((p) => p.startsWith('outcome:'))).toBe(true);
      const done = await completeCall(rig.env.client, taskId, { outcome: 'reached', notes: 'Happy with the house; sister may buy' });
      expect(done).toMatchObject({ taskId, outcome: 'reached' });
      expect(done.next).toMatch(/^follow-up letter 1 at /);
      const again = await completeCall(rig.env.client, taskId, { outcome: 'reached' }).then(() => undefined, (e: unknown) => e);
      expect(again).toBeInstanceOf(ValidationError);
      expect((again as ValidationError).message).toContain('already completed');
      st = await handle.query(m.statusQuery);
      expect(st.calls[0]).toMatchObject({ outcome: 'reached', notes: 'Happy with the house; sister may buy' });
      expect(st.nextTouches.some((t) => t.kind === 'follow-up-letter' && done.next.endsWith(t.at))).toBe(true);
    });
  });

  it('gives the task to whoever covers while the agent is away', async () => {
    const agents = createAgentDirectory(
      parseAgentsFile({
        agents: [
          { id: 'agent-sara', name: 'Sara Al-Qahtani', email: 'sara-b@cedar.test', away: true, coveredBy: 'agent-omar' },
          { id: 'agent-omar', name: 'Omar Khalil', email: 'omar@cedar.test' },
        ],
      }),
    );
    const { tasks } = await freshStores();
    const taskQueue = 'call-b';
    const w = await createTestWorker({ connection: rig.env.nativeConnection, taskQueue, smtp: rig.smtp, tasks, deps: { agents } });
    await w.runUntil(async () => {
      await dealClosed(rig.env.client, { customer: phoneOnly('call-b'), deal }, { taskQueue });
      const handle = rig.env.client.workflow.getHandle(customerWorkflowId('call-b'));
      let st = await until(rig.env, handle, (s) => s.calls.length >= 1);
      const call = st.calls[0]!;
      expect(call.assignee).toBe('agent-omar');

      const files = (await tasks.list({ type: 'call' })) as CallTask[];
      expect(files).toHaveLength(1);
      expect(files[0]).toMatchObject({ taskId: call.taskId, agent: 'agent-omar', owner: 'agent-sara', reassignedFrom: 'agent-sara' });

      const omar = await mailsTo(rig.smtp, 'omar@cedar.test');
      expect(omar.map((x) => x.task)).toEqual([`${call.taskId}.new.email`]);
      expect(omar[0]!.text).toContain('(Covering for agent-sara, who is away.)');
      expect(omar[0]!.text).toContain(`Task: ${call.taskId}`);
      expect(await mailsTo(rig.smtp, 'sara-b@cedar.test')).toEqual([]);

      // The reminder goes to the one who has the task.
      await rig.env.sleep(Date.parse(call.givenAt!) + 48 * HOUR + 60_000 - (await rig.env.currentTimeMs()));
      st = await eventually('the reminder', async () => {
        const s = await handle.query(m.statusQuery);
        return s.calls[0]!.remindedAt ? s : undefined;
      });
      expect(st.calls[0]!.assignee).toBe('agent-omar');
      await eventually('the reminder email to Omar', async () => (await mailsTo(rig.smtp, 'omar@cedar.test')).some((x) => x.task === `${call.taskId}.reminder.email`));
      expect(await mailsTo(rig.smtp, 'sara-b@cedar.test')).toEqual([]);
    });
  });

  it('moves an open task to the cover when the agent goes away after it was given, and tells the cover', async () => {
    // The agents file is read at start-up: the operator marks Sara away and restarts the worker.
    const sara = { id: 'agent-sara', name: 'Sara Al-Qahtani', email: 'sara-d@cedar.test', manager: 'agent-boss' };
    const others = [
      { id: 'agent-omar', name: 'Omar Khalil', email: 'omar-d@cedar.test', manager: 'agent-boss' },
      { id: 'agent-boss', name: 'Bilal Boss', email: 'boss-d@cedar.test' },
    ];
    const present = createAgentDirectory(parseAgentsFile({ agents: [sara, ...others] }));
    const away = createAgentDirectory(parseAgentsFile({ agents: [{ ...sara, away: true, coveredBy: 'agent-omar' }, ...others] }));
    // Both workers share one store, as a fleet does: the second finds what the first recorded.
    const stores = await freshStores();
    const { tasks } = stores;
    const taskQueue = 'call-d';
    const crmDeps = { crm: { url: crm.url, secret: CRM_SECRET } };
    const handle = rig.env.client.workflow.getHandle(customerWorkflowId('call-d'));
    let call!: m.CallRecord;

    // No workflow cache, so no sticky queue: the time-skipping server would keep the next
    // workflow task for the stopped worker (and time would not move).
    const w1 = await createTestWorker({ connection: rig.env.nativeConnection, taskQueue, smtp: rig.smtp, stores, deps: { agents: present, ...crmDeps }, overrides: { maxCachedWorkflows: 0 } });
    await w1.runUntil(async () => {
      await dealClosed(rig.env.client, { customer: phoneOnly('call-d'), deal }, { taskQueue });
      call = (await until(rig.env, handle, (s) => s.calls.length >= 1)).calls[0]!;
      expect(call.assignee).toBe('agent-sara');
    });

    const w2 = await createTestWorker({ connection: rig.env.nativeConnection, taskQueue, smtp: rig.smtp, stores, deps: { agents: away, ...crmDeps } });
    await w2.runUntil(async () => {
      await rig.env.sleep(Date.parse(call.givenAt!) + 48 * HOUR + 60_000 - (await rig.env.currentTimeMs()));
      const st = await eventually('the reminder', async () => {
        const s = await handle.query(m.statusQuery);
        return s.calls[0]!.remindedAt ? s : undefined;
      });
      // The workflow moved the task to Omar (status, and so CallAssignees / openCallTasks) ...
      expect(st.calls[0]!.assignee).toBe('agent-omar');
      // ... and Omar must be told it is his now: one hand-over email (it is his reminder too).
      const omar = await mailsTo(rig.smtp, 'omar-d@cedar.test');
      expect(omar.filter((x) => x.text.includes(`Task: ${call.taskId}`)).map((x) => x.subject)).toEqual([expect.stringMatching(/^Call task handed over to you:/)]);
      // The tasks table and the CRM show who has the task now.
      const file = ((await tasks.list({ type: 'call' })) as CallTask[]).find((t) => t.taskId === call.taskId);
      expect(file).toMatchObject({ agent: 'agent-omar', reassignedFrom: 'agent-sara' });
      const events = crm.requests.filter((r) => r.body.task?.taskId === call.taskId).map((r) => [r.body.event, r.body.task.agent]);
      // (Simulated time may run on to the escalation meanwhile; the hand-over replaces the reminder.)
      expect(events.slice(0, 2)).toEqual([
        ['call-task', 'agent-sara'],
        ['call-task-reassigned', 'agent-omar'],
      ]);
      expect(events.filter(([event]) => event === 'call-task-reminder')).toEqual([]);
    });
  });
});

describe('open call tasks on the dev server (visibility)', () => {
  let env: TestWorkflowEnvironment;
  let smtp: SmtpCapture;
  let stores: TestStores;
  beforeAll(async () => {
    installTestRuntime();
    env = await createDevServerEnv();
    smtp = await startSmtpCapture();
    stores = await testStores();
  });
  afterAll(async () => {
    await smtp?.close();
    await env?.teardown();
  });

  it('lists the agent\'s open task by CallAssignees until it is completed', async () => {
    const taskQueue = 'call-c';
    const w = await createTestWorker({ connection: env.nativeConnection, taskQueue, smtp, stores });
    await w.runUntil(async () => {
      // A zone where it is daytime now (calls only 08:00-21:00 local), wherever and whenever the test runs.
      const zones = ['Pacific/Kiritimati', 'Pacific/Auckland', 'Asia/Tokyo', 'Asia/Kolkata', 'Asia/Riyadh', 'Europe/London', 'America/New_York', 'America/Los_Angeles', 'Pacific/Honolulu'];
      const timezone = zones.find((z) => {
        const hour = Number(new Intl.DateTimeFormat('en-GB', { hour: '2-digit', hourCycle: 'h23', timeZone: z }).format(Date.now()));
        return hour >= 9 && hour < 19;
      })!;
      await dealClosed(env.client, { customer: phoneOnly('call-c', { sendingHours: '00:00-24:00', timezone }), deal }, { taskQueue });
      const handle = env.client.workflow.getHandle(customerWorkflowId('call-c'));
      try {
        let st = await eventually('the year to start', async () => {
          const s = await handle.query(m.statusQuery).catch(() => undefined);
          return s && s.state === 'running' && s.touchesDone.length >= 1 ? s : undefined;
        });
        expect(st.calls).toEqual([]);
        expect(await openCallTasks(stores.db, 'agent-sara')).toEqual([]);

        const first = st.nextTouches.find((t) => t.kind === 'call')!;
        expect(first).toBeDefined();
        const at = new Date(Date.now() + 3000).toISOString().replace('Z', '+00:00');
        const moved = await handle.executeUpdate(m.rescheduleTouchUpdate, { args: [{ seq: first.seq, at }] });
        expect(Date.parse(moved.at)).toBe(Date.parse(at));

        st = await eventually('the call task', async () => {
          const s = await handle.query(m.statusQuery);
          return s.calls.length ? s : undefined;
        });
        const call = st.calls[0]!;
        expect(call).toMatchObject({ seq: first.seq, assignee: 'agent-sara' });

        const open = await eventually('the store to list the task', async () => {
          const list = await openCallTasks(stores.db, 'agent-sara');
          return list.length ? list : undefined;
        });
        expect(open).toHaveLength(1);
        expect(open[0]).toMatchObject({ taskId: call.taskId, customerId: 'call-c', customerName: 'Layla Haddad', agent: 'agent-sara' });
        // The store keeps the time the activity handed the task over; the workflow, the time it heard back.
        expect(Math.abs(Date.parse(open[0]!.givenAt!) - Date.parse(call.givenAt!))).toBeLessThan(5_000);
        expect(await openCallTasks(stores.db, 'agent-omar')).toEqual([]);

        // The agent's way in: `plan33 tasks` and `plan33 complete-call` against this server.
        const listed = await plan33(['tasks', '--agent', 'agent-sara', '--json'], env.address, stores.url);
        expect(listed.code).toBe(0);
        expect((JSON.parse(listed.stdout) as Array<{ taskId: string }>).map((t) => t.taskId)).toEqual([call.taskId]);
        const table = await plan33(['tasks', '--agent', 'agent-sara'], env.address, stores.url);
        expect(table.stdout).toContain('Layla Haddad');
        const wrong = await plan33(['complete-call', '--task', call.taskId, '--outcome', 'maybe'], env.address);
        expect(wrong.code).toBe(1);
        expect(wrong.stderr).toContain('outcome:');
        const noDate = await plan33(['complete-call', '--task', call.taskId, '--outcome', 'call-back'], env.address);
        expect(noDate.code).toBe(1);
        expect(noDate.stderr).toContain('callBackOn:');
        const done = await plan33(['complete-call', '--task', call.taskId, '--outcome', 'reached', '--notes', 'All good'], env.address);
        expect(done.code).toBe(0);
        expect(done.stdout).toMatch(/reached; next: follow-up letter 1 at /);
        const again = await plan33(['complete-call', '--task', call.taskId, '--outcome', 'reached'], env.address);
        expect(again.code).toBe(1);
        expect(again.stderr).toContain('already completed');
        await eventually('the task to leave the list', async () => (await openCallTasks(stores.db, 'agent-sara')).length === 0, 20_000, 200);
      } finally {
        await handle.terminate('test done').catch(() => undefined);
      }
    });
  });
});

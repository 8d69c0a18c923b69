// Leads F.A.S.T. end to end on the time-skipping server, with real SMTP and PostgreSQL: one
// entry point that merges a person captured twice, assignment by rule and by load (away and
// capped agents skipped), the first-contact deadline with a reminder, reassignment and a note
// to the manager, the 8x8 with each outcome, a reply that pauses it, and the deal that hands
// the same person over to client-for-life without repeating a touch within 30 days.
import { describe, expect, it } from 'vitest';
import { simpleParser } from 'mailparser';
import type { WorkflowHandle } from '@temporalio/client';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { createAgentDirectory, parseAgentsFile, type Agent } from '../activities/agents';
import type { LeadTask } from '../activities/task-sink';
import { dealClosed } from '../service/enroll';
import { captureLead, endLead, leadConversion, leadReplied, reportLeadOutcome, resumeLead } from '../service/leads';
import { completeCall } from '../service/operations';
import { ValidationError } from '../service/errors';
import { customerWorkflowId, leadWorkflowId } from '../plan/ids';
import type { LeadInput } from '../plan/lead';
import { leadSettingsSchema, type LeadSettings } from '../plan/lead-routing';
import * as m from '../workflows/messages';
import * as lm from '../workflows/lead-messages';
import { freshStores, type TestStores } from './helpers/database';
import { createTestWorker } from './helpers/temporal';
import { useYearRig } from './helpers/year';
import type { SmtpCapture } from '../dev/smtp-capture';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

const AGENTS = [
  { id: 'sara', name: 'Sara Al-Qahtani', email: 'sara@cedar.test', manager: 'boss' },
  { id: 'omar', name: 'Omar Farouk', email: 'omar@cedar.test', manager: 'boss' },
  { id: 'lina', name: 'Lina Haddad', email: 'lina@cedar.test', manager: 'boss' },
  { id: 'boss', name: 'Bilal Boss', email: 'boss@cedar.test', takesLeads: false },
];
const SETTINGS: LeadSettings = leadSettingsSchema.parse({ rules: [{ when: { language: ['ar'] }, agents: ['sara', 'omar'] }], defaultCountry: 'SA' });

function lead(n: number, extra: Partial<LeadInput> = {}): Record<string, unknown> {
  return {
    name: { first: 'Yousef', last: `Lead${n}` },
    email: `yousef${n}@example.com`,
    phone: `050 123 45${String(n).padStart(2, '0')}`,
    address: { line1: `${n} Tahlia St`, city: 'Jeddah', country: 'SA' },
    locale: 'ar',
    timezone: 'Asia/Riyadh',
    needs: 'a 3-bedroom villa near a school',
    source: { channel: 'open-house', text: 'the Tahlia open house' },
    ...extra,
  };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
async function eventually<T>(what: string, fn: () => Promise<T | undefined | false>, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await fn().catch(() => undefined);
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(50);
  }
}
const sleepTo = async (env: TestWorkflowEnvironment, ms: number) => env.sleep(Math.max(ms - (await env.currentTimeMs()), 0));
const status = (env: TestWorkflowEnvironment, id: string) => env.client.workflow.getHandle(leadWorkflowId(id)).query(lm.leadStatusQuery);
async function statusWhen(env: TestWorkflowEnvironment, id: string, what: string, pred: (s: lm.LeadStatus) => boolean) {
  return eventually(what, async () => {
    const s = await status(env, id);
    return pred(s) ? s : undefined;
  });
}

async function mails(smtp: SmtpCapture, to: string) {
  return Promise.all(
    smtp.messages
      .filter((x) => x.to.includes(to))
      .map(async (x) => {
        const p = await simpleParser(x.raw);
        return { task: String(p.headers.get('x-plan33-task') ?? ''), subject: p.subject ?? '', text: p.text ?? '', to: x.to };
      }),
  );
}

/** Runs each 8x8 touch as it falls due until `pred` holds (or the plan has nothing more to send). */
async function stepUntil(env: TestWorkflowEnvironment, id: string, pred: (s: lm.LeadStatus) => boolean, max = 12) {
  for (let i = 0; i < max; i++) {
    const s = await status(env, id);
    if (pred(s)) return s;
    const next = s.nextTouches[0];
    if (!next || s.state !== 'running') throw new Error(`nothing more will run (state ${s.state}); condition not reached`);
    await sleepTo(env, Date.parse(next.at) + 60_000);
    await statusWhen(env, id, `touch ${next.seq}`, (x) => x.touchesDone.some((t) => t.seq === next.seq));
  }
  throw new Error('condition not reached');
}

describe('leads on the time-skipping server', () => {
  const rig = useYearRig([]);
  const setUp = async (taskQueue: string, agents: Agent[] = parseAgentsFile({ agents: AGENTS }), settings = SETTINGS) => {
    const stores: TestStores = await freshStores();
    const worker = await createTestWorker({ connection: rig.env.nativeConnection, taskQueue, smtp: rig.smtp, stores, deps: { agents: createAgentDirectory(agents), leadSettings: settings } });
    const capture = (input: unknown) => captureLead(rig.env.client, stores.db, input, { taskQueue, settings });
    return { stores, worker, capture };
  };

  it('one entry point: bad input names the field; a person captured twice is merged, with the phone in E.164', async () => {
    const { stores, worker, capture } = await setUp('leads-merge');
    await worker.runUntil(async () => {
      const problems = await capture({ ...lead(1), phone: '12', source: { channel: 'billboard-on-mars' }, timezone: 'Mars/Olympus' }).then(
        () => [],
        (e: unknown) => (e as ValidationError).problems,
      );
      expect(problems.join('\n')).toMatch(/^phone: expected a phone number/m);
      expect(problems.join('\n')).toMatch(/^source\.channel: expected one of website, /m);
      expect(problems.join('\n')).toMatch(/^timezone: expected an IANA time zone/m);
      expect(await stores.db.selectFrom('leads').selectAll().execute()).toEqual([]);

      const first = await capture(lead(1));
      expect(first.merged).toBe(false);
      const again = await capture({ ...lead(1, { email: 'YOUSEF1@Example.com ', needs: 'or a flat with a garden' }), phone: '+966 50 123 4501' });
      expect(again).toEqual({ leadId: first.leadId, workflowId: leadWorkflowId(first.leadId), merged: true });
      // Another door (a phone call logged without email) finds the same person by phone.
      const byPhone = await capture({ name: { first: 'Yousef' }, phone: '0501234501', timezone: 'Asia/Riyadh', source: { channel: 'phone' } });
      expect(byPhone.leadId).toBe(first.leadId);

      const s = await statusWhen(rig.env, first.leadId, 'three captures', (x) => x.captures === 3);
      expect(s.lead.phone).toBe('+966501234501');
      expect(s.lead.email).toBe('yousef1@example.com');
      expect(s.lead.needs).toBe('a 3-bedroom villa near a school\nor a flat with a garden');
      const row = await stores.db.selectFrom('leads').selectAll().where('lead_id', '=', first.leadId).executeTakeFirstOrThrow();
      expect(row).toMatchObject({ captures: 3, source: 'open-house', source_text: 'the Tahlia open house', phone: '+966501234501' });
      expect(await stores.db.selectFrom('leads').select('lead_id').execute()).toHaveLength(1);
    });
  });

  it('assigns by rule, then round robin by open load, skipping agents away or at their daily cap', async () => {
    const agents = parseAgentsFile({
      agents: [
        { ...AGENTS[0], awayFrom: '2000-01-01', awayUntil: '2000-01-02' }, // a past holiday: available
        { ...AGENTS[1], weight: 1 },
        { ...AGENTS[2], dailyCap: 1 },
        AGENTS[3],
      ],
    });
    const { stores, worker, capture } = await setUp('leads-assign', agents);
    await worker.runUntil(async () => {
      // The next lead is captured once this one's first-contact task is in the task rows: the load counts it.
      const agentOf = async (input: unknown) => {
        const { leadId } = await capture(input);
        const { agent, firstContact } = await statusWhen(rig.env, leadId, 'assignment', (x) => Boolean(x.agent));
        await eventually('the first-contact task', async () => (await stores.tasks.get(firstContact.taskId)) !== undefined);
        return agent;
      };
      // Arabic leads: the rule's agents only, the one with fewer open tasks first (omar < sara on a tie: never had a lead).
      expect(await agentOf(lead(11))).toBe('omar');
      expect(await agentOf(lead(12))).toBe('sara');
      expect(await agentOf(lead(13))).toBe('omar');
      // English lead, no rule: anyone who takes leads; lina has the least load (the manager takes none).
      expect(await agentOf(lead(14, { locale: 'en' }))).toBe('lina');
      // Lina is at her cap of 1 today: the next English lead goes to whoever has the least load of the rest.
      expect(await agentOf(lead(15, { locale: 'en' }))).toBe('sara');
      const rows = await stores.db.selectFrom('tasks').select(['agent', 'type']).where('type', '=', 'lead').execute();
      expect(rows.map((r) => r.agent).sort()).toEqual(['lina', 'omar', 'omar', 'sara', 'sara']);
      const firstTask = ((await stores.tasks.list({ type: 'lead' as never })) as unknown as LeadTask[]).find((t) => t.customerName === 'Yousef Lead11')!;
      expect(firstTask).toMatchObject({ reason: 'first-contact', agent: 'omar', source: 'open-house: the Tahlia open house', needs: 'a 3-bedroom villa near a school', phone: '+966501234511' });
      const mail = (await eventually('the new-lead email', async () => (await mails(rig.smtp, 'omar@cedar.test')).filter((x) => x.task.startsWith(`${firstTask.taskId}.new`)).at(0)))!;
      expect(mail.subject).toBe('New lead: Yousef Lead11');
      expect(mail.text).toContain('Looking for: a 3-bedroom villa near a school');
    });

    // Sara away today: an Arabic lead goes to Omar even with more load.
    const away = parseAgentsFile({ agents: [{ ...AGENTS[0], away: true, coveredBy: 'omar' }, AGENTS[1], AGENTS[2], AGENTS[3]] });
    const second = await setUp('leads-away', away);
    await second.worker.runUntil(async () => {
      const { leadId } = await second.capture(lead(16));
      const { leadId: next } = await second.capture(lead(17));
      expect((await statusWhen(rig.env, leadId, 'assigned', (x) => Boolean(x.agent))).agent).toBe('omar');
      expect((await statusWhen(rig.env, next, 'assigned', (x) => Boolean(x.agent))).agent).toBe('omar');
    });
  });

  it('not contacted in time: a reminder at the deadline, then another agent, and the manager is told', async () => {
    const { stores, worker, capture } = await setUp('leads-deadline');
    await worker.runUntil(async () => {
      const { leadId } = await capture(lead(21));
      const s0 = await statusWhen(rig.env, leadId, 'assigned', (x) => x.agent === 'omar');
      const due = Date.parse(s0.firstContact.due);
      expect(due - Date.parse(s0.capturedAt)).toBe(24 * HOUR);

      await sleepTo(rig.env, due - HOUR);
      expect((await status(rig.env, leadId)).firstContact.reminded).toBeUndefined();
      await sleepTo(rig.env, due + 60_000);
      const reminded = await statusWhen(rig.env, leadId, 'the reminder', (x) => Boolean(x.firstContact.reminded));
      expect(reminded.agent).toBe('omar');
      const reminder = await eventually('the reminder email', async () => (await mails(rig.smtp, 'omar@cedar.test')).find((x) => x.task === `${s0.firstContact.taskId}.reminder.omar.email`));
      expect(reminder.subject).toBe('Reminder: Yousef Lead21 has not been contacted yet');
      expect((await stores.tasks.get(s0.firstContact.taskId))?.state).toBe('reminded');

      await sleepTo(rig.env, due + 8 * HOUR + 60_000);
      const moved = await statusWhen(rig.env, leadId, 'the reassignment', (x) => x.agent !== 'omar');
      expect(moved.agent).toBe('sara');
      expect(moved.firstContact).toMatchObject({ agent: 'sara', missedBy: ['omar'], taskId: `${leadWorkflowId(leadId)}.contact.2` });
      const toSara = await eventually('the new agent email', async () => (await mails(rig.smtp, 'sara@cedar.test')).find((x) => x.task.startsWith(`${moved.firstContact.taskId}.new`)));
      expect(toSara.text).toContain('Given to omar before, not contacted in time');
      const toBoss = await eventually('the manager email', async () => (await mails(rig.smtp, 'boss@cedar.test')).find((x) => x.subject.startsWith('Lead not contacted in time')));
      expect(toBoss.subject).toBe('Lead not contacted in time: Yousef Lead21 (Omar Farouk)');
      expect(toBoss.text).toContain('the lead now goes to sara');

      // Sara makes contact through the task: the deadline is met, no more reassignments.
      const r = await completeCall(rig.env.client, moved.firstContact.taskId, { outcome: 'no-response', notes: 'voicemail left' });
      expect(r).toMatchObject({ outcome: 'no-response', stage: 'new' });
      await sleepTo(rig.env, Date.parse(moved.firstContact.due) + 9 * HOUR);
      const after = await status(rig.env, leadId);
      expect(after.agent).toBe('sara');
      expect(after.firstContact.done).toBeDefined();
      expect((await stores.tasks.get(moved.firstContact.taskId))).toMatchObject({ state: 'done', outcome: 'no-response', notes: 'voicemail left' });
    });
  });

  it('the 8x8: eight touches in eight weeks with no referral ask; each outcome kind; positive interest ends it', async () => {
    const { stores, worker, capture } = await setUp('leads-8x8');
    await worker.runUntil(async () => {
      const { leadId } = await capture(lead(31, { locale: 'en' }));
      const s0 = await statusWhen(rig.env, leadId, 'planned', (x) => x.nextTouches.length > 0);
      expect(s0.nextTouches.map((t) => [t.kind, t.channel])).toEqual([
        ['prospect-letter', 'email'], ['call', 'phone'], ['prospect-letter', 'email'], ['give-away', 'postal'], ['prospect-letter', 'email'], ['call', 'phone'], ['prospect-letter', 'email'], ['call', 'phone'],
      ]);
      const weeks = s0.nextTouches.map((t) => Math.floor((Date.parse(t.at) - Date.parse(s0.capturedAt)) / (7 * DAY)));
      expect(weeks).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
      const bad = await reportLeadOutcome(rig.env.client, leadId, { outcome: 'contact-later' }).catch((e: ValidationError) => e.problems);
      expect(bad).toEqual(['contactOn: required when outcome is contact-later']);
      await reportLeadOutcome(rig.env.client, leadId, { outcome: 'no-response', taskId: s0.firstContact.taskId, notes: 'no answer' });

      // Week 1's letter and week 2's call: a call task of the lead's own, completed with a lead outcome.
      let s = await stepUntil(rig.env, leadId, (x) => x.touchesDone.length >= 2);
      // Behind the lead-light patch: the cheap steps are local activities (a marker each), the
      // email an activity, and the outcome left the timer to the next touch in place.
      const events = (await rig.env.client.workflow.getHandle(leadWorkflowId(leadId)).fetchHistory()).events!;
      expect(events.flatMap((e) => (e.activityTaskScheduledEventAttributes ? [e.activityTaskScheduledEventAttributes.activityType!.name] : []))).toEqual(['deliverTouch']);
      expect(events.filter((e) => e.markerRecordedEventAttributes?.markerName === 'core_local_activity').length).toBeGreaterThanOrEqual(4);
      expect(events.filter((e) => e.timerCanceledEventAttributes)).toHaveLength(0);
      const letter = (await mails(rig.smtp, 'yousef31@example.com'))[0]!;
      expect(letter.subject).toBe('Thank you for getting in touch | Cedar Homes');
      expect(letter.text).not.toMatch(/refer/i);
      expect(letter.text).toContain('glad to help');
      const call = s.touchesDone.find((t) => t.kind === 'call')!;
      expect(call).toMatchObject({ outcome: "sent", reference: `${leadWorkflowId(leadId)}.y0.t2` });
      const callTask = (await stores.tasks.get(call.reference!))!;
      expect((callTask.payload as { talkingPoints: string[] }).talkingPoints.join(' ')).not.toMatch(/referral/i);
      await completeCall(rig.env.client, call.reference!, { outcome: 'contact-later', contactOn: new Date(Date.parse(call.at) + 20 * DAY).toISOString().slice(0, 10), notes: 'travelling, call in three weeks' });
      s = await status(rig.env, leadId);
      expect(s.state).toBe('paused');
      expect(s.stage).toBe('contacted');
      const pausedUntil = Date.parse(s.paused!.until!);
      // Nothing goes out while it waits; on the day, a task for the agent and the plan goes on.
      await sleepTo(rig.env, pausedUntil - DAY);
      expect((await status(rig.env, leadId)).touchesDone).toHaveLength(2);
      await sleepTo(rig.env, pausedUntil + 60_000);
      s = await statusWhen(rig.env, leadId, 'resumed', (x) => x.state === 'running');
      expect(Date.parse(s.nextTouches[0]!.at)).toBeGreaterThan(pausedUntil);
      const later = await eventually('the contact-later task', async () => ((await stores.tasks.list({ agent: 'lina' })) as unknown as LeadTask[]).find((t) => t.type === 'lead' && t.reason === 'contact-later'));
      expect(later.customerName).toBe('Yousef Lead31');

      // Two more touches, then positive interest: qualified, the rest skipped.
      s = await stepUntil(rig.env, leadId, (x) => x.touchesDone.length >= 4);
      const r = await reportLeadOutcome(rig.env.client, leadId, { outcome: 'positive-interest', notes: 'wants a viewing on Saturday' });
      expect(r).toMatchObject({ outcome: 'positive-interest', stage: 'qualified' });
      s = await status(rig.env, leadId);
      expect(s.state).toBe('qualified');
      expect(s.nextTouches).toEqual([]);
      expect(s.touchesDone.filter((t) => t.outcome === 'skipped').map((t) => t.reason)).toEqual(Array(4).fill('positive interest: the agent takes it from here'));
      const sent = s.touchesDone.filter((t) => t.outcome === 'sent').length;
      await rig.env.sleep(30 * DAY);
      expect((await status(rig.env, leadId)).touchesDone.filter((t) => t.outcome === 'sent')).toHaveLength(sent);

      // Negative ends a lead as lost, with the reason; nothing more is sent.
      const other = (await capture(lead(32, { locale: 'en' }))).leadId;
      await statusWhen(rig.env, other, 'planned', (x) => x.nextTouches.length > 0);
      await reportLeadOutcome(rig.env.client, other, { outcome: 'negative', notes: 'bought through a friend' });
      const lost = await statusWhen(rig.env, other, 'lost', (x) => x.state === 'ended');
      expect(lost.ended).toMatchObject({ stage: 'lost', reason: 'negative: bought through a friend' });
      // At most the welcome letter went (at once, inside sending hours); the rest is skipped with the reason.
      expect(lost.touchesDone.filter((t) => t.outcome === 'sent').length).toBeLessThanOrEqual(1);
      expect(lost.touchesDone.filter((t) => t.outcome === 'skipped').every((t) => t.reason === 'lead closed: negative: bought through a friend')).toBe(true);
      expect(lost.touchesDone).toHaveLength(8);
      expect(lost.nextTouches).toEqual([]);
      await eventually('the lost row', async () => (await stores.db.selectFrom('leads').select('stage').where('lead_id', '=', other).executeTakeFirst())?.stage === 'lost');
    });
  });

  it('a reply pauses the 8x8 and gives the agent a task; the agent resumes it, or ends it', async () => {
    const { stores, worker, capture } = await setUp('leads-reply');
    await worker.runUntil(async () => {
      const { leadId } = await capture(lead(41, { locale: 'en' }));
      const s0 = await statusWhen(rig.env, leadId, 'planned', (x) => x.touchesDone.length === 1);
      await reportLeadOutcome(rig.env.client, leadId, { outcome: 'no-response', taskId: s0.firstContact.taskId });
      const replyAt = new Date(await rig.env.currentTimeMs()).toISOString();
      await leadReplied(rig.env.client, leadId, { id: '<reply-1@mail.example>', channel: 'email', text: 'Is the villa on Tahlia St still available?', receivedAt: replyAt });
      await leadReplied(rig.env.client, leadId, { id: '<reply-1@mail.example>', channel: 'email', text: 'Is the villa on Tahlia St still available?', receivedAt: replyAt });
      const paused = await statusWhen(rig.env, leadId, 'paused', (x) => x.state === 'paused');
      expect(paused.paused!.reason).toBe('replied by email');
      const replyTasks = await eventually('the reply task', async () => {
        const found = ((await stores.tasks.list({ agent: 'lina' })) as unknown as LeadTask[]).filter((t) => t.type === 'lead' && t.reason === 'reply');
        return found.length ? found : undefined;
      });
      expect(replyTasks).toHaveLength(1); // the webhook came twice: one task
      expect(replyTasks[0]!.text).toBe('Is the villa on Tahlia St still available?');
      const nextBefore = Date.parse(paused.nextTouches[0]!.at);

      await rig.env.sleep(10 * DAY);
      expect((await status(rig.env, leadId)).touchesDone).toHaveLength(1);
      await resumeLead(rig.env.client, leadId);
      const resumed = await statusWhen(rig.env, leadId, 'resumed', (x) => x.state === 'running');
      // The rest keeps its rhythm, moved by the days it waited.
      expect(Date.parse(resumed.nextTouches[0]!.at) - nextBefore).toBeGreaterThanOrEqual(10 * DAY - HOUR);
      await stepUntil(rig.env, leadId, (x) => x.touchesDone.length >= 2);

      await endLead(rig.env.client, leadId, { reason: 'not ready to move for two years' });
      const ended = await statusWhen(rig.env, leadId, 'ended', (x) => x.state === 'ended');
      expect(ended.ended).toMatchObject({ stage: 'lost', reason: 'not ready to move for two years' });
      await expect(endLead(rig.env.client, leadId, {})).rejects.toThrow(/reason/);
    });
  });

  it('a deal hands the same person over to client-for-life; nothing of the same kind within 30 days; conversion by source in one query', async () => {
    const { stores, worker, capture } = await setUp('leads-deal');
    await worker.runUntil(async () => {
      const { leadId } = await capture(lead(51, { locale: 'en' }));
      await capture(lead(52, { locale: 'en', source: { channel: 'website' } }));
      await statusWhen(rig.env, leadId, 'planned', (x) => x.touchesDone.length === 1);
      const s = await stepUntil(rig.env, leadId, (x) => x.touchesDone.length >= 2);
      const callAt = s.touchesDone.find((t) => t.kind === 'call')!.doneAt;

      // The deal app knows the person by the same id: /v1/deals hands over.
      const handed = await dealClosed(rig.env.client, { customer: { id: leadId, name: { first: 'Yousef', last: 'Lead51' }, email: 'yousef51@example.com', timezone: 'Asia/Riyadh', agent: 'lina', address: { line1: '51 Tahlia St', city: 'Jeddah', country: 'SA' } }, deal: { id: 'D-51', closedAt: '2040-01-20', value: 900000 } }, { taskQueue: 'leads-deal' });
      expect(handed).toMatchObject({ workflowId: customerWorkflowId(leadId), handedOverFrom: leadWorkflowId(leadId) });
      const ended = await statusWhen(rig.env, leadId, 'handed over', (x) => x.state === 'ended');
      expect(ended).toMatchObject({ stage: 'deal', handedOverTo: customerWorkflowId(leadId) });

      const customer = rig.env.client.workflow.getHandle(customerWorkflowId(leadId)) as WorkflowHandle;
      const cs = await eventually('the customer year', async () => {
        const st = await customer.query(m.statusQuery);
        return st.state === 'running' ? st : undefined;
      });
      expect(cs).toMatchObject({ plan: 'client-for-life', planYear: 1, customer: { id: leadId, agent: 'lina', source: { channel: 'open-house' } }, deals: [{ id: 'D-51' }] });
      // The welcome newsletter would follow the 8x8's letter within days: not sent; calls wait 30 days after the 8x8's call.
      const welcome = cs.touchesDone.find((t) => t.slot === 'newsletter-1');
      expect(welcome).toMatchObject({ outcome: 'skipped' });
      expect(welcome!.reason).toMatch(/not repeated within 30 days/);
      const firstCall = cs.nextTouches.find((t) => t.kind === 'call')!;
      expect(Date.parse(firstCall.at) - Date.parse(callAt)).toBeGreaterThanOrEqual(30 * DAY);

      const rows = await eventually('the deal row', async () => {
        const r = await leadConversion(stores.db, 'source');
        return r.find((x) => x.key === 'open-house')?.deals === 1 ? r : undefined;
      });
      expect(rows).toEqual([
        { key: 'open-house', leads: 1, contacted: 0, qualified: 0, deals: 1, lost: 0, conversion: 1 },
        { key: 'website', leads: 1, contacted: 0, qualified: 0, deals: 0, lost: 0, conversion: 0 },
      ]);
      // A customer captured again as a lead is not put on the 8x8.
      expect(await capture(lead(51, { locale: 'en' }))).toMatchObject({ leadId, merged: true, stage: 'deal' });
      await customer.terminate('test done');
    });
  });
  it('8x8 -> general 33 -> deal -> client-for-life under one person id: nothing sent twice, nothing of a kind within 30 days', async () => {
    const { stores, worker, capture } = await setUp('leads-road');
    await worker.runUntil(async () => {
      const { leadId } = await capture(lead(61, { locale: 'en' }));
      const s0 = await statusWhen(rig.env, leadId, 'planned', (x) => x.nextTouches.length > 0);
      await reportLeadOutcome(rig.env.client, leadId, { outcome: 'no-response', taskId: s0.firstContact.taskId });
      const seven = await stepUntil(rig.env, leadId, (x) => x.touchesDone.length === 7);
      expect(seven.touchesDone.every((t) => t.outcome === 'sent')).toBe(true);
      const eighth = seven.nextTouches[0]!;
      expect(eighth).toMatchObject({ seq: 8, kind: 'call', slot: '8x8-next-steps-call' });
      await sleepTo(rig.env, Date.parse(eighth.at) + 60_000);

      // The 8x8 ended without a deal: the same workflow id goes on as the general 33.
      const handle = rig.env.client.workflow.getHandle(leadWorkflowId(leadId));
      const general = await eventually('the general 33', async () => {
        const d = await handle.describe();
        if (d.type !== 'customerYear') return undefined;
        const st = await handle.query(m.statusQuery);
        return st.state === 'running' ? st : undefined;
      });
      expect(general).toMatchObject({ plan: 'general-33', planYear: 1, customer: { id: leadId, source: { channel: 'open-house' } } });
      expect([...general.touchesDone, ...general.nextTouches].some((t) => t.slot === 'personal-deal-anniversary')).toBe(false);
      expect(await stores.tasks.get(`${leadWorkflowId(leadId)}.y0.t8`)).toMatchObject({ type: 'call', agent: 'lina' });
      const last = { touchesDone: [...seven.touchesDone, { ...eighth, doneAt: eighth.at, outcome: 'sent' as const }] };
      const lastLetter = last.touchesDone.filter((t) => t.kind === 'prospect-letter').at(-1)!;
      expect(general.touchesDone.find((t) => t.slot === 'newsletter-1')).toMatchObject({ outcome: 'skipped', reason: expect.stringMatching(/not repeated within 30 days/) });
      const lastCall = last.touchesDone.filter((t) => t.kind === 'call').at(-1)!;
      expect(general.nextTouches.filter((x) => x.kind === 'call').length).toBeGreaterThan(0);
      expect(general.nextTouches.filter((x) => x.kind === 'newsletter').length).toBeGreaterThan(0);
      for (const t of general.nextTouches.filter((x) => x.kind === 'call')) expect(Date.parse(t.at) - Date.parse(lastCall.doneAt)).toBeGreaterThanOrEqual(30 * DAY);
      for (const t of general.nextTouches.filter((x) => x.kind === 'newsletter')) expect(Date.parse(t.at) - Date.parse(lastLetter.doneAt)).toBeGreaterThanOrEqual(30 * DAY - DAY);
      const found = await captureLead(rig.env.client, stores.db, lead(61, { locale: 'en' }), { taskQueue: 'leads-road', settings: SETTINGS });
      expect(found).toMatchObject({ leadId, merged: true });

      // Two touches of the general 33 go out, then the deal.
      for (let i = 0; i < 2; i++) {
        const st = await handle.query(m.statusQuery);
        const next = st.nextTouches[0]!;
        await sleepTo(rig.env, Date.parse(next.at) + 60_000);
        await eventually(`general touch ${next.seq}`, async () => (await handle.query(m.statusQuery)).touchesDone.some((t) => t.seq === next.seq));
      }
      const beforeDeal = await handle.query(m.statusQuery);
      const handed = await dealClosed(rig.env.client, { customer: { id: leadId, name: { first: 'Yousef', last: 'Lead61' }, email: 'yousef61@example.com', timezone: 'Asia/Riyadh', agent: 'lina', address: { line1: '61 Tahlia St', city: 'Jeddah', country: 'SA' } }, deal: { id: 'D-61', closedAt: '2040-06-01', value: 1 } }, { taskQueue: 'leads-road' });
      expect(handed).toMatchObject({ workflowId: customerWorkflowId(leadId), handedOverFrom: leadWorkflowId(leadId) });
      const ended = (await handle.result()) as m.CustomerStatus;
      expect(ended.state).toBe('converted');
      expect(ended.nextTouches).toEqual([]);
      const customer = rig.env.client.workflow.getHandle(customerWorkflowId(leadId));
      const cs = await eventually('the client-for-life year', async () => {
        const st = await customer.query(m.statusQuery);
        return st.state === 'running' ? st : undefined;
      });
      expect(cs).toMatchObject({ plan: 'client-for-life', deals: [{ id: 'D-61' }] });
      const sentBefore = beforeDeal.touchesDone.filter((t) => t.outcome === 'sent');
      expect(cs.nextTouches.length).toBeGreaterThan(0);
      let spaced = 0;
      for (const t of cs.nextTouches) {
        const sameKind = sentBefore.filter((x) => x.kind === t.kind);
        spaced += sameKind.length;
        for (const x of sameKind) expect(Date.parse(t.at) - Date.parse(x.doneAt), `${t.kind} ${t.at} after ${x.doneAt}`).toBeGreaterThanOrEqual(30 * DAY - DAY);
      }
      expect(spaced).toBeGreaterThan(0); // some touch to come is of a kind the lead already had
      await eventually('the deal row', async () => (await stores.db.selectFrom('leads').select('stage').where('lead_id', '=', leadId).executeTakeFirst())?.stage === 'deal');
      const stages = await stores.db.selectFrom('lead_stages').select('stage').where('lead_id', '=', leadId).orderBy('at').execute();
      expect(stages.map((x) => x.stage)).toEqual(['new', 'nurture', 'deal']);

      // Nothing was sent twice: every email the person got has its own Message-ID, and their number is the number of sends.
      const ids = await Promise.all(rig.smtp.messages.filter((x) => x.to.includes('yousef61@example.com')).map(async (x) => (await simpleParser(x.raw)).messageId));
      expect(new Set(ids).size).toBe(ids.length);
      const emailed = [...last.touchesDone, ...beforeDeal.touchesDone].filter((t) => t.outcome === 'sent' && t.channel === 'email').length;
      expect(ids.length).toBe(emailed);
      await customer.terminate('test done');
    });
  });
});

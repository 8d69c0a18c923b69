// `plan33 simulate --lead FILE [--start DATE] [--deal-at DATE]`: a lead's whole road on the
// time-skipping server, with the real workflows and activities: captured, the 8x8, then (no deal
// yet) the general 33, and at `--deal-at` the hand-over to client-for-life, whose first year runs
// to its end. A stand-in agent makes the first contact at once and reaches every call. Every
// touch comes back with its plan, outcome, recipient and subject, from PostgreSQL's outcome rows
// (whichever workflow wrote them) and what the endpoints received.
import { DateTime } from 'luxon';
import { sql } from 'kysely';
import { createAgentDirectory, parseAgentsFile } from '../activities/agents';
import type { Business } from '../activities/email-content';
import { customerWorkflowId, leadWorkflowId } from '../plan/ids';
import { DEFAULT_LEAD_SETTINGS } from '../plan/lead-routing';
import type { SendingHours } from '../plan/sending-hours';
import { dealClosed } from '../service/enroll';
import { ValidationError } from '../service/errors';
import { captureLead, leadRun, parseLead } from '../service/leads';
import * as lm from '../workflows/lead-messages';
import { completeCallUpdate, statusQuery, type CustomerStatus } from '../workflows/messages';
import { withSimulationStack, type SimulatedTouch } from './simulate';

export interface LeadSimulateOptions {
  lead: Record<string, unknown>;
  start?: string;
  dealAt?: string;
  business: Business;
  sendingHours: SendingHours;
  databaseUrl?: string;
}

export type SimulatedRoadTouch = SimulatedTouch & { plan: string };

export async function simulateLead(opts: LeadSimulateOptions): Promise<{ touches: SimulatedRoadTouch[]; leadId: string; wallMs: number }> {
  const started = performance.now();
  const agent = typeof opts.lead.agent === 'string' ? opts.lead.agent : 'agent-sim';
  const settings = DEFAULT_LEAD_SETTINGS;
  const lead = parseLead({ ...opts.lead, agent }, settings); // bad input named before anything starts
  const zone = lead.timezone;
  const agents = createAgentDirectory(parseAgentsFile({ agents: [{ id: agent, name: 'Simulated agent' }] }));
  return withSimulationStack({ business: opts.business, databaseUrl: opts.databaseUrl, deps: { agents, leadSettings: settings } }, async ({ env, taskQueue, stores, describe }) => {
    const nowMs = await env.currentTimeMs();
    const startMs = opts.start ? DateTime.fromISO(opts.start, { zone }).startOf('day').toMillis() : nowMs;
    if (startMs < DateTime.fromMillis(nowMs, { zone }).startOf('day').toMillis()) throw new ValidationError([`--start ${opts.start}: the simulated clock starts today and only runs forward; give today or a later date`]);
    const dealMs = opts.dealAt ? DateTime.fromISO(opts.dealAt, { zone }).set({ hour: 12 }).toMillis() : undefined;
    if (dealMs !== undefined && dealMs < startMs) throw new ValidationError([`--deal-at ${opts.dealAt}: before the lead is captured`]);
    if (startMs > nowMs) await env.sleep(startMs - nowMs);
    const { leadId } = await captureLead(env.client, stores.db, lead, { taskQueue, settings, sendingHours: opts.sendingHours });
    const leadHandle = env.client.workflow.getHandle(leadWorkflowId(leadId));
    const customerHandle = env.client.workflow.getHandle(customerWorkflowId(leadId));
    let dealDone = dealMs === undefined;
    let contacted = false;

    /** The year workflow now running for the person (general 33 under lead-<id>, or client-for-life), if any. */
    const yearNow = async (): Promise<{ handle: typeof leadHandle; status: CustomerStatus } | undefined> => {
      for (const handle of [customerHandle, leadHandle]) {
        const st = await handle.query(statusQuery).catch(() => undefined);
        if (st && st.state !== 'starting') return { handle, status: st };
      }
      return undefined;
    };

    for (let step = 0; step < 2000; step++) {
      const now = await env.currentTimeMs();
      if (!dealDone && now >= dealMs!) {
        await dealClosed(env.client, { customer: { id: leadId, name: lead.name, ...(lead.email ? { email: lead.email } : {}), ...(lead.phone ? { phone: lead.phone } : {}), ...(lead.address ? { address: lead.address } : {}), locale: lead.locale, timezone: zone, consent: lead.consent, agent }, deal: { id: `simulated-deal-${leadId}`, closedAt: DateTime.fromMillis(now, { zone }).toISODate()! } }, { taskQueue, sendingHours: opts.sendingHours });
        dealDone = true;
        for (let i = 0; i < 500 && !(await customerHandle.query(statusQuery).catch(() => undefined)); i++) await new Promise((r) => setTimeout(r, 20));
        continue;
      }
      let nextMs: number | undefined;
      let done = 0;
      if ((await leadRun(env.client, leadId)) === 'leadJourney') {
        const st = await leadHandle.query(lm.leadStatusQuery).catch(() => undefined);
        if (!st) {
          await new Promise((r) => setTimeout(r, 20));
          continue;
        }
        if (!contacted) {
          // The stand-in agent calls at once and leaves a message: the first contact is made.
          await leadHandle.executeUpdate(lm.leadOutcomeUpdate, { args: [{ outcome: 'no-response', taskId: st.firstContact.taskId, notes: 'left a voicemail' }] });
          contacted = true;
          continue;
        }
        nextMs = st.nextTouches[0] ? Date.parse(st.nextTouches[0].at) : undefined;
        done = st.touchesDone.length;
      } else {
        const year = await yearNow();
        if (!year) {
          await new Promise((r) => setTimeout(r, 20));
          continue;
        }
        const { handle, status } = year;
        // The whole road is simulated once the client-for-life year ends (or, without a deal, the general 33's first year).
        if ((handle === customerHandle || dealMs === undefined) && (status.planYear > 1 || status.state === 'cancelled')) break;
        const open = status.calls.filter((c) => !c.outcome);
        for (const c of open) await handle.executeUpdate(completeCallUpdate, { args: [{ taskId: c.taskId, outcome: 'reached', notes: 'A good talk about their plans.' }] });
        if (open.length) continue;
        nextMs = Math.min(status.nextDueAt ? Date.parse(status.nextDueAt) : Infinity, Date.parse(status.yearEndsAt));
        done = status.touchesDone.length;
      }
      const target = Math.min(nextMs ?? now + 86_400_000, dealDone ? Infinity : dealMs!);
      await env.sleep(Math.max(target - now, 0) + 1000);
      // Wait (real time) until what came due is recorded.
      for (let i = 0; i < 300; i++) {
        const lst = await leadHandle.query(lm.leadStatusQuery).catch(() => undefined);
        const yst = lst ? undefined : await yearNow();
        const count = lst?.touchesDone.length ?? yst?.status.touchesDone.length ?? -1;
        if (count !== done || (!lst && !yst)) break;
        await new Promise((r) => setTimeout(r, 20));
      }
    }
    // Every touch of the road, from the outcome rows, whichever workflow wrote them.
    const rows = await sql<{ key: string; plan: string; seq: number; kind: string; channel: string; outcome: string; reason: string | null; at: Date; result: { reference?: string } | null }>`
      select o.key, o.plan, o.seq, o.kind, o.channel, o.outcome, o.reason, o.at, d.result
      from touch_outcomes o left join deliveries d on d.key = o.key
      where o.customer_id = ${leadId} and o.plan_year <= 1 order by o.at, o.key`.execute(stores.db);
    const touches: SimulatedRoadTouch[] = [];
    for (const r of rows.rows) {
      const at = DateTime.fromJSDate(new Date(r.at), { zone }).toISO({ suppressMilliseconds: true })!;
      touches.push({ plan: r.plan, seq: r.seq, kind: r.kind, channel: r.channel, at, outcome: r.outcome, ...(r.reason ? { reason: r.reason } : {}), title: r.kind, ...(r.outcome === 'sent' ? await describe(r.result?.reference) : {}) });
    }
    await customerHandle.terminate('simulation done').catch(() => undefined);
    await leadHandle.terminate('simulation done').catch(() => undefined);
    return { touches, leadId, wallMs: performance.now() - started };
  });
}

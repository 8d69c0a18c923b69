// Leads in PostgreSQL: the row the funnel writes at capture (unique by email and phone, so a
// second capture of the same person finds the first), the stage changes the lead workflow
// records, the facts Assign needs (open load, tasks given today, last lead per agent), and
// conversion by source or agent in one query.
import { sql } from 'kysely';
import type { Lead, LeadStage } from '../plan/lead';
import type { Db } from './db';

export interface StageChange {
  leadId: string;
  stage: LeadStage;
  agent?: string;
  source: string;
  at: string;
  reason?: string;
}

export interface AgentFacts {
  open: number;
  givenToday: number;
  lastLeadMs?: number;
}

export interface ConversionRow {
  key: string;
  leads: number;
  contacted: number;
  qualified: number;
  deals: number;
  lost: number;
  /** deals / leads, 0-1. */
  conversion: number;
}

const isUniqueViolation = (err: unknown) => (err as { code?: string }).code === '23505';

export class PgLeadStore {
  constructor(private readonly db: Db) {}

  /** The lead that already has this email or phone, if any (email first). */
  async findByContact(contact: { email?: string; phone?: string }): Promise<string | undefined> {
    if (!contact.email && !contact.phone) return undefined;
    const rows = await this.db
      .selectFrom('leads')
      .select(['lead_id', 'email'])
      .where((eb) => eb.or([...(contact.email ? [eb('email', '=', contact.email)] : []), ...(contact.phone ? [eb('phone', '=', contact.phone)] : [])]))
      .orderBy('created_at')
      .execute();
    return (rows.find((r) => contact.email && r.email === contact.email) ?? rows[0])?.lead_id;
  }

  /**
   * Writes a new lead's row, or counts another capture of an existing one. Returns the lead id
   * the person has (a race with another capture of the same email or phone finds the winner)
   * and whether this capture merged into an existing lead.
   */
  async capture(lead: Lead): Promise<{ leadId: string; merged: boolean }> {
    const existing = (await this.get(lead.id)) ? lead.id : await this.findByContact(lead);
    if (existing) {
      await this.db.updateTable('leads').set({ captures: sql<number>`captures + 1`, updated_at: sql<Date>`now()` }).where('lead_id', '=', existing).execute();
      return { leadId: existing, merged: true };
    }
    try {
      await this.db
        .insertInto('leads')
        .values({
          lead_id: lead.id,
          name: [lead.name.first, lead.name.last].filter(Boolean).join(' '),
          email: lead.email ?? null,
          phone: lead.phone ?? null,
          source: lead.source.channel,
          source_text: lead.source.text ?? null,
          stage: 'new',
          agent: lead.agent ?? null,
          payload: JSON.stringify(lead),
        })
        .execute();
      return { leadId: lead.id, merged: false };
    } catch (err) {
      if (!isUniqueViolation(err)) throw err;
      const winner = await this.findByContact(lead);
      if (!winner) throw err;
      return { leadId: winner, merged: true };
    }
  }

  async get(leadId: string) {
    return this.db.selectFrom('leads').selectAll().where('lead_id', '=', leadId).executeTakeFirst();
  }

  /** A stage change (also the assignment, when `agent` changes): the lead's row and one history row, each once. */
  async recordStage(change: StageChange): Promise<void> {
    await this.db.transaction().execute(async (tx) => {
      await tx
        .insertInto('lead_stages')
        .values({ lead_id: change.leadId, stage: change.stage, at: change.at, agent: change.agent ?? null, source: change.source, reason: change.reason ?? null })
        .onConflict((oc) => oc.columns(['lead_id', 'stage', 'at']).doNothing())
        .execute();
      const row = await tx.selectFrom('leads').select(['agent']).where('lead_id', '=', change.leadId).executeTakeFirst();
      await tx
        .updateTable('leads')
        .set({
          stage: change.stage,
          ...(change.agent ? { agent: change.agent } : {}),
          ...(change.agent && change.agent !== row?.agent ? { assigned_at: change.at } : {}),
          ...(change.reason ? { reason: change.reason } : {}),
          updated_at: sql<Date>`now()`,
        })
        .where('lead_id', '=', change.leadId)
        .execute();
    });
  }

  /** Lead tasks the agent finished (first contact, reply, contact later): done, with the outcome. */
  async completeTasks(done: ReadonlyArray<{ taskId: string; outcome: string; notes?: string; at: string }>): Promise<void> {
    for (const t of done) {
      await this.db
        .updateTable('tasks')
        .set({ state: 'done', outcome: t.outcome, notes: t.notes ?? null, completed_at: t.at, updated_at: sql<Date>`now()` })
        .where('task_id', '=', t.taskId)
        .where('state', '<>', 'done')
        .execute();
    }
  }

  /** The lead was given to an agent (first assignment or reassignment). */
  async recordAssignment(leadId: string, agent: string, at: string): Promise<void> {
    await this.db.updateTable('leads').set({ agent, assigned_at: at, updated_at: sql<Date>`now()` }).where('lead_id', '=', leadId).execute();
  }

  /** Open tasks, tasks given in [dayStart, dayEnd), and the last lead assigned, per agent. */
  async agentFacts(agents: readonly string[], dayStart: string, dayEnd: string): Promise<Map<string, AgentFacts>> {
    const out = new Map<string, AgentFacts>(agents.map((a) => [a, { open: 0, givenToday: 0 }]));
    if (agents.length === 0) return out;
    const tasks = await this.db
      .selectFrom('tasks')
      .select((eb) => [
        'agent',
        eb.fn.count<string>('task_id').filterWhere('state', '<>', 'done').as('open'),
        eb.fn.count<string>('task_id').filterWhere((w) => w.and([w('given_at', '>=', new Date(dayStart)), w('given_at', '<', new Date(dayEnd))])).as('given'),
      ])
      .where('agent', 'in', [...agents])
      .where('type', '<>', 'postal')
      .groupBy('agent')
      .execute();
    for (const t of tasks) out.set(t.agent!, { ...out.get(t.agent!)!, open: Number(t.open), givenToday: Number(t.given) });
    const last = await this.db.selectFrom('leads').select((eb) => ['agent', eb.fn.max('assigned_at').as('last')]).where('agent', 'in', [...agents]).groupBy('agent').execute();
    for (const l of last) if (l.last) out.set(l.agent!, { ...out.get(l.agent!)!, lastLeadMs: new Date(l.last as Date).getTime() });
    return out;
  }

  /** The customer's answer to "How did you hear about us?" after the deal, beside the lead's. */
  async confirmSource(customerId: string, source: string, text: string | undefined): Promise<{ captured?: string }> {
    const lead = await this.get(customerId);
    const row = { customer_id: customerId, source, text: text ?? null, captured_source: lead?.source ?? null };
    await this.db
      .insertInto('source_confirmations')
      .values(row)
      .onConflict((oc) => oc.column('customer_id').doUpdateSet({ source, text: text ?? null, confirmed_at: sql<Date>`now()` }))
      .execute();
    return lead?.source ? { captured: lead.source } : {};
  }

  /** Leads by stage now (optionally one agent's). */
  async byStage(agent?: string): Promise<Record<string, number>> {
    let q = this.db.selectFrom('leads').select((eb) => ['stage', eb.fn.countAll<string>().as('n')]).groupBy('stage');
    if (agent) q = q.where('agent', '=', agent);
    return Object.fromEntries((await q.execute()).map((r) => [r.stage, Number(r.n)]));
  }

  /** Lead tasks past their due time and not done (a first contact missed), oldest first. */
  async overdue(nowIso: string): Promise<Array<{ taskId: string; leadId: string; agent: string; dueAt: string; reason: string }>> {
    const rows = await this.db
      .selectFrom('tasks')
      .select(['task_id', 'customer_id', 'agent', 'due_at', 'payload'])
      .where('type', '=', 'lead')
      .where('state', '<>', 'done')
      .where('due_at', '<', new Date(nowIso))
      .orderBy('due_at')
      .execute();
    return rows.map((r) => ({ taskId: r.task_id, leadId: r.customer_id, agent: r.agent ?? '', dueAt: new Date(r.due_at!).toISOString(), reason: (r.payload as { reason?: string }).reason ?? '' }));
  }

  /** Conversion by source or agent: how many leads reached each stage, and deals per lead. */
  async conversion(by: 'source' | 'agent'): Promise<ConversionRow[]> {
    const key = by === 'source' ? sql<string>`l.source` : sql<string>`coalesce(l.agent, '(unassigned)')`;
    const reached = (stage: string) => sql<string>`count(distinct l.lead_id) filter (where exists (select 1 from lead_stages s where s.lead_id = l.lead_id and s.stage = ${stage}))`;
    const rows = await sql<{ key: string; leads: string; contacted: string; qualified: string; deals: string; lost: string }>`
      select ${key} as key, count(*) as leads, ${reached('contacted')} as contacted, ${reached('qualified')} as qualified, ${reached('deal')} as deals, ${reached('lost')} as lost
      from leads l group by 1 order by 1`.execute(this.db);
    return rows.rows.map((r) => {
      const leads = Number(r.leads);
      const deals = Number(r.deals);
      return { key: r.key, leads, contacted: Number(r.contacted), qualified: Number(r.qualified), deals, lost: Number(r.lost), conversion: leads ? Math.round((deals / leads) * 1000) / 1000 : 0 };
    });
  }
}

// The rows reports read, written by the workflow's activities and safe to write twice: a touch's
// outcome (by its key), where each person's year stands, their deals and referrals, and what
// became of each call task. A delivery writes its own outcome; everything else the year decided
// (skips, failures, call outcomes, referrals, pauses) arrives in one `recordProgress` batch.
import { personLockKey, subjectHash } from './privacy';
import { sql, type Insertable, type Transaction } from 'kysely';
import type { Database } from './schema';
import type { Db } from './db';
import type { OutcomeRecord, PersonSnapshot, YearProgress } from '../plan/year-records';

export type { OutcomeRecord, PersonSnapshot, YearProgress } from '../plan/year-records';

export interface RecordStore {
  /** A delivery's own outcome, and the person's row (created on their first touch). */
  recordDelivered(person: PersonSnapshot, outcome: OutcomeRecord): Promise<void>;
  recordProgress(progress: YearProgress): Promise<void>;
  /**
   * The contact limit's count, atomic across workers: under a transaction-scoped advisory lock
   * for the person and channel, the sends since `sinceIso` (outcome rows, and reservations of
   * sends in flight by other keys) are counted; under `limit`, a reservation for `key` is written
   * and `[]` returned; at the limit, the times (ms) of those sends, and nothing is written.
   */
  reserveSend(req: { customerId: string; channel: string; key: string; nowIso: string; sinceIso: string; limit: number }): Promise<number[]>;
  claimHouseholdItem(req: { household: string; item: string; taskId: string; customerId: string }): Promise<{ names: string[]; carriedBy: string }>;
}

type CustomerRow = Insertable<Database['customers']>;

/**
 * Whether the person was forgotten at or after `at` (a snapshot's time): then the snapshot, taken
 * by an activity still in flight when the forget ended their workflows, writes nothing. Takes the
 * person's lock, which the forget holds while it deletes, so the two never interleave. A plan
 * started after the forget (a new deal) writes as usual.
 */
async function forgottenSince(tx: Transaction<Database>, customerId: string, at: string | Date): Promise<boolean> {
  // One round trip: the lock in a subquery of its own (`offset 0` keeps the planner from folding
  // it in), which the check refers to, so the check runs only once the lock is held.
  const { rows } = await sql<{ forgotten: boolean }>`
    select exists (
      select 1 from privacy_audit
      where action = 'forget' and subject_hash = ${subjectHash(customerId)} and at >= ${new Date(String(at))} and lock.held is not null
    ) as forgotten
    from (select pg_advisory_xact_lock(hashtext(${personLockKey(customerId)}))::text as held offset 0) as lock`.execute(tx);
  return rows[0]?.forgotten === true;
}

/**
 * Inserts or updates a person's row; an older snapshot never overwrites a newer one. With
 * `keepState`, a paused or lost customer keeps that state (a delivery only knows the year runs)
 * and the referral count is left as recorded.
 */
async function upsertCustomer(tx: Transaction<Database>, row: CustomerRow, opts: { keepState: boolean }, outcome?: Insertable<Database['touch_outcomes']>): Promise<void> {
  // With `outcome`, its row goes in the same statement (a data-modifying WITH): one round trip.
  await (outcome ? tx.with('outcome', (db) => db.insertInto('touch_outcomes').values(outcome).onConflict((oc) => oc.column('key').doNothing())) : tx)
    .insertInto('customers')
    .values(row)
    .onConflict((oc) =>
      oc
        .column('customer_id')
        .doUpdateSet((eb) => ({
          workflow_id: eb.ref('excluded.workflow_id'),
          name: eb.ref('excluded.name'),
          agent: eb.ref('excluded.agent'),
          plan: eb.ref('excluded.plan'),
          plan_year: eb.ref('excluded.plan_year'),
          updated_at: eb.ref('excluded.updated_at'),
          // Chosen once at enrolment: a row written by a delivery (which does not know) never clears it.
          holdout: sql<boolean>`customers.holdout or excluded.holdout`,
          ...(opts.keepState
            ? { state: sql<string>`case when customers.state in ('paused', 'cancelled') then customers.state else 'running' end` }
            : { state: eb.ref('excluded.state'), referrals: eb.ref('excluded.referrals') }),
        }))
        .where('customers.updated_at', '<=', (eb) => eb.ref('excluded.updated_at')),
    )
    .execute();
}

export class PgRecordStore implements RecordStore {
  constructor(private readonly db: Db) {}

  private outcomeRow(person: PersonSnapshot, o: OutcomeRecord) {
    return { key: o.key, customer_id: person.customerId, agent: person.agent, plan: person.plan, plan_year: person.planYear, seq: o.seq, kind: o.kind, channel: o.channel, outcome: o.outcome, reason: o.reason ?? null, at: o.at, done_at: o.doneAt };
  }

  async recordDelivered(person: PersonSnapshot, outcome: OutcomeRecord): Promise<void> {
    await this.db.transaction().execute(async (tx) => {
      if (await forgottenSince(tx, person.customerId, outcome.doneAt)) return;
      const row = { customer_id: person.customerId, workflow_id: person.workflowId, name: person.name, agent: person.agent, plan: person.plan, plan_year: person.planYear, referrals: 0, updated_at: outcome.doneAt };
      // The outcome row, and the person's row: a delivery means the year runs, unless an operator paused it or the customer was lost.
      await upsertCustomer(tx, { ...row, state: 'running' }, { keepState: true }, this.outcomeRow(person, outcome));
    });
  }

  /**
   * One shared printed item per household: under the household's lock, the members (opted in)
   * and, if no member sent this item yet, a claim for `taskId`. Returns the members' names and
   * the task that carries the item (this one, or the member's who came first).
   */
  async claimHouseholdItem(req: { household: string; item: string; taskId: string; customerId: string }): Promise<{ names: string[]; carriedBy: string }> {
    return this.db.transaction().execute(async (tx) => {
      await sql`select pg_advisory_xact_lock(hashtext(${`plan33:household:${req.household}`}))`.execute(tx);
      const members = await tx.selectFrom('household_members').select(['customer_id', 'name']).where('household', '=', req.household).execute();
      await tx.insertInto('household_items').values({ household: req.household, item: req.item, task_id: req.taskId, customer_id: req.customerId }).onConflict((oc) => oc.columns(['household', 'item']).doNothing()).execute();
      const row = await tx.selectFrom('household_items').select('task_id').where('household', '=', req.household).where('item', '=', req.item).executeTakeFirstOrThrow();
      return { names: members.map((m) => m.name), carriedBy: row.task_id };
    });
  }

  async reserveSend(req: { customerId: string; channel: string; key: string; nowIso: string; sinceIso: string; limit: number }): Promise<number[]> {
    return this.db.transaction().execute(async (tx) => {
      await sql`select pg_advisory_xact_lock(hashtext(${`plan33:${req.customerId}:${req.channel}`}))`.execute(tx);
      const since = new Date(req.sinceIso);
      const sent = await tx.selectFrom('touch_outcomes').select('done_at').where('customer_id', '=', req.customerId).where('channel', '=', req.channel).where('outcome', '=', 'sent').where('done_at', '>', since).where('key', '<>', req.key).execute();
      // A reservation whose send finished is counted through its outcome row instead.
      const inFlight = await tx
        .selectFrom('contact_reservations')
        .select('at')
        .where('customer_id', '=', req.customerId)
        .where('channel', '=', req.channel)
        .where('at', '>', since)
        .where('key', '<>', req.key)
        .where(({ not, exists, selectFrom }) => not(exists(selectFrom('touch_outcomes').select('key').whereRef('touch_outcomes.key', '=', 'contact_reservations.key'))))
        .execute();
      const times = [...sent.map((r) => new Date(r.done_at).getTime()), ...inFlight.map((r) => new Date(r.at).getTime())].sort((a, b) => a - b);
      if (times.length >= req.limit) return times;
      await tx.insertInto('contact_reservations').values({ key: req.key, customer_id: req.customerId, channel: req.channel, at: req.nowIso }).onConflict((oc) => oc.column('key').doNothing()).execute();
      return [];
    });
  }

  async recordProgress(p: YearProgress): Promise<void> {
    await this.db.transaction().execute(async (tx) => {
      if (await forgottenSince(tx, p.customerId, p.at)) return;
      // The year's touches with their cost (the budget): upserted, and those a re-plan removed deleted.
      if (p.planned) {
        const keys = p.planned.map((t) => t.key);
        await tx.deleteFrom('planned_touches').where('workflow_id', '=', p.workflowId).where('plan_year', '=', p.planYear).$if(keys.length > 0, (q) => q.where('key', 'not in', keys)).execute();
        if (p.planned.length > 0) {
          await tx
            .insertInto('planned_touches')
            .values(p.planned.map((t) => ({ key: t.key, customer_id: p.customerId, workflow_id: p.workflowId, plan: p.plan, plan_year: p.planYear, segment: p.segment ?? null, kind: t.kind, channel: t.channel, at: t.at, cost: t.cost, owner: t.owner, dropped: t.dropped })))
            .onConflict((oc) =>
              oc.column('key').doUpdateSet((eb) => ({ plan: eb.ref('excluded.plan'), segment: eb.ref('excluded.segment'), kind: eb.ref('excluded.kind'), channel: eb.ref('excluded.channel'), at: eb.ref('excluded.at'), cost: eb.ref('excluded.cost'), owner: eb.ref('excluded.owner'), dropped: eb.ref('excluded.dropped') })),
            )
            .execute();
        }
      }
      // Household membership follows the profile: opted in at an address, or out of every one.
      if (p.household !== undefined) {
        await tx.deleteFrom('household_members').where('customer_id', '=', p.customerId).$if(Boolean(p.household), (q) => q.where('household', '<>', p.household!)).execute();
        if (p.household) await tx.insertInto('household_members').values({ household: p.household, customer_id: p.customerId, name: p.name }).onConflict((oc) => oc.columns(['household', 'customer_id']).doUpdateSet({ name: p.name, updated_at: sql<Date>`now()` })).execute();
      }
      const row = { customer_id: p.customerId, workflow_id: p.workflowId, name: p.name, agent: p.agent, plan: p.plan, plan_year: p.planYear, state: p.state, referrals: p.referralIds.length, updated_at: p.at, ...(p.holdout ? { holdout: true } : {}) };
      await upsertCustomer(tx, row, { keepState: false });
      if (p.deals.length) {
        await tx
          .insertInto('deals')
          .values(p.deals.map((d) => ({ customer_id: p.customerId, deal_id: d.id, closed_at: d.closedAt, value: d.value ?? null, recorded_at: p.at })))
          .onConflict((oc) => oc.columns(['customer_id', 'deal_id']).doNothing())
          .execute();
      }
      if (p.referralIds.length) {
        await tx
          .insertInto('referrals')
          .values(p.referralIds.map((id) => ({ customer_id: p.customerId, referral_id: id, plan_year: p.planYear, recorded_at: p.at, via_key: p.referralVia?.[id] ?? null })))
          .onConflict((oc) => oc.columns(['customer_id', 'referral_id']).doUpdateSet({ via_key: sql<string | null>`coalesce(referrals.via_key, excluded.via_key)` }))
          .execute();
      }
      if (p.outcomes.length) {
        // The year's word is final for these (a failed send the year records as skipped, say).
        await tx
          .insertInto('touch_outcomes')
          .values(p.outcomes.map((o) => this.outcomeRow(p, o)))
          .onConflict((oc) =>
            oc.column('key').doUpdateSet((eb) => ({ outcome: eb.ref('excluded.outcome'), reason: eb.ref('excluded.reason'), channel: eb.ref('excluded.channel'), done_at: eb.ref('excluded.done_at') })),
          )
          .execute();
      }
      for (const call of p.calls) {
        await tx
          .updateTable('tasks')
          .set({ state: 'done', outcome: call.outcome, notes: call.notes ?? null, completed_at: call.completedAt ?? p.at, updated_at: sql<Date | string>`now()` })
          .where('task_id', '=', call.taskId)
          .where('state', '<>', 'done')
          .execute();
      }
    });
  }
}

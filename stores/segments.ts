// Value classes in PostgreSQL (customer_segments): the facts plan/segments.ts needs, gathered
// from the deals in one query, and the day's classes written in one statement (one transaction)
// that reports whose class changed. The daily refresh (activities/segments.ts) runs both. The
// business's own `segment` is not stored here: the refresh never touches it.
import { sql } from 'kysely';
import type { CustomerFacts, CustomerSegment } from '../plan/segments';
import type { Db } from './db';

/** A customer whose value class changed in a refresh; `from` is null the first time they get one. */
export interface SegmentChangeRow {
  customerId: string;
  from: string | null;
  to: string;
}

export class PgSegmentStore {
  constructor(private readonly db: Db) {}

  /**
   * Per customer: revenue (the sum of deal values, a deal without one counting 0), the number of
   * deals and the day of the last one; only deals closed on or before `asOf` (YYYY-MM-DD), so a
   * deal dated ahead does not count until its day.
   */
  async facts(asOf: string): Promise<CustomerFacts[]> {
    const { rows } = await sql<{ customer_id: string; revenue: string; deals: string; last_deal_on: string }>`
      select customer_id, coalesce(sum(value), 0) as revenue, count(*) as deals, max(left(closed_at, 10)) as last_deal_on
      from deals
      where left(closed_at, 10) <= ${asOf}
      group by customer_id
      order by customer_id`.execute(this.db);
    return rows.map((r) => ({ customerId: r.customer_id, revenue: Number(r.revenue), deals: Number(r.deals), lastDealOn: r.last_deal_on }));
  }

  /**
   * Writes every customer's value class and figures (insert or update, `computed_at` =
   * `computedAt`) in one transaction and returns the customers whose `value_class` changed, new ones with `from: null`,
   * ordered by customer id. Writers of the table take turns (a lock that readers do not wait
   * for), so a second refresh at the same time compares with the first one's result (the schedule
   * does not overlap runs anyway).
   */
  async save(segments: readonly CustomerSegment[], computedAt: string): Promise<SegmentChangeRow[]> {
    if (segments.length === 0) return [];
    const col = <K extends keyof CustomerSegment>(k: K) => segments.map((s) => s[k]);
    return this.db.transaction().execute(async (tx) => {
      await sql`lock table customer_segments in share row exclusive mode`.execute(tx);
      // One statement with array parameters (any number of customers, nine parameters): `old`
      // reads the rows as they were before the upsert, as all parts of a statement see the same
      // snapshot. (No FOR UPDATE there: a row the same statement updates would be skipped.)
      const { rows } = await sql<{ customer_id: string; from: string | null; to: string }>`
        with input as (
          select * from unnest(${col('customerId')}::text[], ${col('revenue')}::numeric[], ${col('abc')}::text[],
            ${col('recency')}::int[], ${col('frequency')}::int[], ${col('monetary')}::int[], ${col('vip')}::boolean[], ${col('valueClass')}::text[])
            as t(customer_id, revenue, abc, recency, frequency, monetary, vip, value_class)
        ),
        old as (
          select customer_id, value_class from customer_segments
          where customer_id in (select customer_id from input)
        ),
        written as (
          insert into customer_segments (customer_id, revenue, abc, recency, frequency, monetary, vip, value_class, computed_at)
          select customer_id, revenue, abc, recency, frequency, monetary, vip, value_class, ${computedAt}::timestamptz from input
          on conflict (customer_id) do update set
            revenue = excluded.revenue, abc = excluded.abc, recency = excluded.recency, frequency = excluded.frequency,
            monetary = excluded.monetary, vip = excluded.vip, value_class = excluded.value_class, computed_at = excluded.computed_at
          returning customer_id, value_class
        )
        select written.customer_id, old.value_class as "from", written.value_class as "to"
        from written left join old using (customer_id)
        where old.value_class is distinct from written.value_class
        order by written.customer_id`.execute(tx);
      return rows.map((r) => ({ customerId: r.customer_id, from: r.from, to: r.to }));
    });
  }

  /** The stored value classes and figures, by customer id (reports, tests). */
  async all(): Promise<Array<{ customerId: string; revenue: number; abc: string; recency: number; frequency: number; monetary: number; vip: boolean; valueClass: string; computedAt: Date }>> {
    const rows = await this.db.selectFrom('customer_segments').selectAll().orderBy('customer_id').execute();
    return rows.map((r) => ({ customerId: r.customer_id, revenue: Number(r.revenue), abc: r.abc, recency: r.recency, frequency: r.frequency, monetary: r.monetary, vip: r.vip, valueClass: r.value_class, computedAt: r.computed_at }));
  }
}

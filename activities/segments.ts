// The daily refresh's activity: the facts from the deals, the value classes (plan/segments.ts,
// pure) and one write that says whose class changed; the workflow (workflows/segments.ts) then
// tells those customers' workflows. The business's own segment is not touched.
import { log as activityLog } from '@temporalio/activity';
import { computeSegments } from '../plan/segments';
import type { SegmentChangeRow } from '../stores/segments';
import type { ActivityDeps } from './deps';
import { attemptTimeMs, permanent } from './kit';

export interface SegmentRefreshRequest {
  /** The day the segments are computed as of (YYYY-MM-DD); default: the day (UTC) of the attempt. */
  asOf?: string;
}

export interface SegmentRefreshResult {
  asOf: string;
  /** When this refresh computed them (ISO): each row's `computed_at`. */
  computedAt: string;
  /** Customers with at least one deal up to `asOf`. */
  customers: number;
  /** Whose value class changed (new customers with `from: null`), by customer id. */
  changes: SegmentChangeRow[];
}

export function segmentActivities(deps: Pick<ActivityDeps, 'segments'>) {
  return {
    /**
     * Recomputes every customer's value class from the deals and stores it (one transaction);
     * returns whose class changed. A retry recomputes and rewrites: same figures, and the
     * changes already written are not reported again.
     */
    async refreshSegments(req: SegmentRefreshRequest = {}): Promise<SegmentRefreshResult> {
      const store = deps.segments;
      if (!store) permanent('no segment store: the worker was built without `segments`', 'NoSegmentStore');
      const computedAt = new Date(attemptTimeMs()).toISOString();
      const asOf = req.asOf ?? computedAt.slice(0, 10);
      if (!/^\d{4}-\d{2}-\d{2}$/.test(asOf) || Number.isNaN(Date.parse(asOf))) permanent(`asOf: expected YYYY-MM-DD, got ${JSON.stringify(asOf)}`, 'InvalidRequest');
      const facts = await store.facts(asOf);
      const changes = await store.save(computeSegments(facts, asOf), computedAt);
      activityLog.info('segments refreshed', { asOf, customers: facts.length, changed: changes.length });
      return { asOf, computedAt, customers: facts.length, changes };
    },
  };
}

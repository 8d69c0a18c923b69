// The daily value-class refresh, started by the Temporal Schedule `plan33-segments`
// (service/segments.ts): one activity recomputes every customer's value class (VIP/A/B/C, RFM)
// from the deals and stores it, then each customer whose class changed hears it
// (`segmentChanged` to `customer-<id>`), so the class's plan overrides apply from the next
// re-plan. The business's own `segment` is never touched (issue 24). A customer
// with no running workflow (none yet, or ended) is counted and skipped. Deterministic: the day
// is workflow time.
import { ApplicationFailure, continueAsNew, getExternalWorkflowHandle, log, proxyActivities } from '@temporalio/workflow';
import type { createActivities } from '../activities';
import type { SegmentRefreshResult } from '../activities/segments';
import type { SegmentChangeRow } from '../stores/segments';
import { customerWorkflowId } from '../plan/ids';
import { segmentChangedSignal } from './messages';

export interface SegmentRefreshInput {
  /** Compute as of this day (YYYY-MM-DD); default: the workflow's own day (UTC). */
  asOf?: string;
  /** Set by continue-as-new only: the changes still to signal, and what the earlier runs did. */
  pending?: { computedAt: string; changes: SegmentChangeRow[]; counts: SegmentRefreshCounts };
}

export interface SegmentRefreshCounts {
  asOf: string;
  /** Customers with at least one deal up to `asOf`. */
  customers: number;
  /** Customers whose value class changed (including those who got their first). */
  changed: number;
  /** Running customer workflows told of their new value class. */
  signalled: number;
  /** Changed customers without a running `customer-<id>` workflow. */
  notRunning: number;
  /** Signals that failed for another reason (logged; the stored class stands). */
  failed: number;
}

/** Signals sent at once. */
export const SIGNAL_BATCH = 50;
/** Signals per run; past that the rest go on in a new run (continue-as-new keeps the history short). */
export const SIGNALS_PER_RUN = 1000;

const { refreshSegments } = proxyActivities<ReturnType<typeof createActivities>>({
  startToCloseTimeout: '10 minutes',
  // Given up well before the next day's run (which the schedule would otherwise skip).
  scheduleToCloseTimeout: '12 hours',
  retry: { initialInterval: '10 seconds', backoffCoefficient: 2, maximumInterval: '10 minutes' },
});

/** The server found no such workflow (none started, or no longer running). */
function notRunning(err: unknown): boolean {
  return err instanceof ApplicationFailure && /not.?found/i.test(`${err.type ?? ''} ${err.message}`);
}

export async function segmentRefresh(input: SegmentRefreshInput = {}): Promise<SegmentRefreshCounts> {
  let computedAt: string;
  let changes: SegmentChangeRow[];
  let counts: SegmentRefreshCounts;
  if (input.pending) {
    ({ computedAt, changes, counts } = input.pending);
  } else {
    const asOf = input.asOf ?? new Date(Date.now()).toISOString().slice(0, 10);
    const result: SegmentRefreshResult = await refreshSegments({ asOf });
    ({ computedAt, changes } = result);
    counts = { asOf: result.asOf, customers: result.customers, changed: changes.length, signalled: 0, notRunning: 0, failed: 0 };
    log.info('segments computed', { asOf, customers: result.customers, changed: changes.length });
  }

  const now = changes.slice(0, SIGNALS_PER_RUN);
  for (let i = 0; i < now.length; i += SIGNAL_BATCH) {
    const batch = now.slice(i, i + SIGNAL_BATCH);
    await Promise.all(
      batch.map(async (c) => {
        try {
          await getExternalWorkflowHandle(customerWorkflowId(c.customerId)).signal(segmentChangedSignal, { valueClass: c.to, segment: c.to, computedAt });
          counts.signalled++;
        } catch (err) {
          if (notRunning(err)) {
            counts.notRunning++;
          } else {
            counts.failed++;
            log.warn('could not tell a customer of a new value class', { customerId: c.customerId, valueClass: c.to, error: (err as Error).message });
          }
        }
      }),
    );
  }
  const rest = changes.slice(SIGNALS_PER_RUN);
  if (rest.length > 0) await continueAsNew<typeof segmentRefresh>({ pending: { computedAt, changes: rest, counts } });
  log.info('segment changes signalled', { ...counts });
  return counts;
}

// What the workflow knows that makes a call personal: the facts the year state gathers for
// the agent (recent touches, earlier calls, what comes next). Pure data, shared by the year
// state (plan/year-state.ts) and the call-task activity that renders it.
import type { Touch } from './touch';

/** A touch already done, as the agent needs to see it. */
export interface RecentTouch {
  kind: string;
  title: string;
  channel: string;
  at: string;
  outcome: string;
}

export interface PreviousCall {
  at: string;
  outcome?: string;
  notes?: string;
}

/** What the workflow knows that makes a call personal. */
export interface CallContext {
  plan: string;
  planYear: number;
  recentTouches: RecentTouch[];
  previousCalls: PreviousCall[];
  upcoming: Array<Pick<Touch, 'kind' | 'title' | 'at' | 'occasion'>>;
  referrals: number;
}

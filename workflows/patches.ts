// Every behaviour change to a running customer-year is a patch, listed here with when it came
// and when it may go. A customer's run rolls over (continue-as-new) at its plan year's end, and
// a new run takes the newest code; so once a release has been out for one plan year (plus the
// longest pause an operator might hold), no run that started before it is left:
//
//   1. `patched(id)`        the release that changes behaviour: old runs replay the old path;
//   2. `deprecatePatch(id)` a plan year after (every run is past the marker): the old path goes,
//                           the marker stays, so runs that recorded it still replay;
//   3. removed              a plan year after that: the id is gone from the code and from here.
//
// Each step records a history (scripts/record-histories.ts) that test/replay.test.ts replays.
import { deprecatePatch, patched } from '@temporalio/workflow';

export interface PatchInfo {
  /** What the new path does differently. */
  change: string;
  /** The release (month) it came in. */
  since: string;
  stage: 'patched' | 'deprecated';
  /** The earliest month it may move to the next stage: `since` plus one plan year and a month. */
  nextStepFrom: string;
  /** The committed history that replays the old path, and the one that records the new one. */
  histories: string[];
}

export const PATCHES = {
  'call-tasks-v2': {
    change: 'call tasks carry an assignee, are reminded after 48 h and escalated after 120 h; the CallAssignees search attribute',
    since: '2026-11',
    stage: 'patched',
    nextStepFrom: '2027-12',
    histories: ['year-advocate-switch.json', 'year-call-backs.json', 'year-call-reminders.json'],
  },
  'channel-task-queues': {
    change: 'email and SMS deliveries run on <queue>-email / <queue>-sms, whose workers carry the send-rate limits',
    since: '2026-11',
    stage: 'patched',
    nextStepFrom: '2027-12',
    histories: ['year-call-reminders.json', 'year-channel-queues.json'],
  },
  'store-progress': {
    change: "what no delivery wrote (skips, failures, call outcomes, referrals, pause, loss) goes to plan33's store in one recordProgress batch",
    since: '2026-11',
    stage: 'patched',
    nextStepFrom: '2027-12',
    histories: ['year-channel-queues.json', 'year-store-progress.json'],
  },
  reactivation: {
    change: 'a client-for-life customer dormant past reactivationAfterMonths (no sign all year) continues into a reactivation year; a reactivation year with a sign goes back to client-for-life',
    since: '2026-11',
    stage: 'patched',
    nextStepFrom: '2027-12',
    histories: ['year-store-progress.json', 'year-end-reactivation.json'],
  },
  'nps-and-segments': {
    change: 'an NPS answer is recorded (a detractor gets a call task, a promoter a referral ask); a segment change re-plans the rest of the year with the new segment\'s overrides',
    since: '2026-11',
    stage: 'patched',
    nextStepFrom: '2027-12',
    histories: ['year-end-reactivation.json', 'year-nps-segment.json'],
  },
  'local-steps': {
    change: 'the cheap steps run as local activities (a marker each, no activity events or workflow task of their own): loading a plan definition, the progress batch, a postal item, a call task',
    since: '2026-11',
    stage: 'patched',
    nextStepFrom: '2027-12',
    histories: ['year-nps-segment.json', 'year-local-steps.json'],
  },
  'lead-light': {
    change: "a lead's cheap steps run as local activities (choosing the agent, a task for people, the stage record, a postal item, a call task), and its timer stays when an outcome or a reply leaves the next wake-up where it was",
    since: '2026-11',
    stage: 'patched',
    nextStepFrom: '2027-12',
    histories: ['lead-road.json', 'lead-light.json'],
  },
  'own-segment': {
    change: "the daily refresh's value class (vip/a/b/c) is a field of its own beside the business's segment, which it no longer replaces; the class's and the segment's overrides both apply, and a segment the business gives again (profile update, deal, import) re-plans the rest (ValueClass and CustomerSegment search attributes)",
    since: '2026-12',
    stage: 'patched',
    nextStepFrom: '2028-01',
    histories: ['year-nps-segment.json', 'year-own-segment.json'],
  },
} as const satisfies Record<string, PatchInfo>;

export type PatchId = keyof typeof PATCHES;

/** `patched(id)`, or `deprecatePatch(id)` (always the new path) once the registry says so. */
export function patch(id: PatchId): boolean {
  if ((PATCHES[id] as PatchInfo).stage === 'deprecated') {
    deprecatePatch(id);
    return true;
  }
  return patched(id);
}

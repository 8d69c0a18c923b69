// The chaos suite's figures (dev/chaos.ts), counted from what the outside saw: the touches due
// come from the plan itself (`planTouches`, plan/, pure), and each is matched with what the
// stand-ins received, raw: every message the SMTP capture accepted (a resend with the same
// Message-ID included), every SMS at the Twilio stand-in, every postal item at the print
// provider's stand-in and every task-creation attempt at the task system's stand-in. Nothing
// here reads plan33's own records (a workflow's status, the delivery ledger, the tasks table).
import type { Touch } from '../plan/touch';

/** A touch the plan says is due, with its key (plan/ids.ts `touchKey`). */
export interface DueTouch {
  key: string;
  touch: Touch;
}

export interface RawArrivals {
  /** Every email the SMTP capture accepted: its X-Plan33-Touch key and Message-ID as received. */
  emails: Array<{ key: string | undefined; messageId: string | undefined }>;
  /** Every SMS the Twilio stand-in kept, with the touch key its body names (the referral or survey link). */
  sms: Array<{ sid: string; key: string | undefined }>;
  /** Every postal item the print provider's stand-in accepted: the item's task id and the Idempotency-Key. */
  postal: Array<{ key: string | undefined; idempotencyKey: string | undefined }>;
  /** Every task-creation attempt at the task system's stand-in, by task id. */
  tasks: Array<{ key: string | undefined }>;
}

export interface ChaosFigures {
  due: number;
  sent: number;
  /** Sent by channel (email, sms, postal, phone). */
  sentBy: Record<string, number>;
  /** Sent by kind of touch (newsletter, nps-survey, ...). */
  sentByKind: Record<string, number>;
  /** Email touches the mail server refused for good (an injected 5xx) and that never arrived. */
  refused: number;
  /** Touches the plan itself skips: no channel with consent and contact details, or dropped by the budget. */
  skipped: number;
  lost: number;
  duplicates: number;
  rawArrivals: number;
  /** Email copies that arrived again with a Message-ID already received (a resend after a crash). */
  resentSameMessageId: number;
  /** Postal items posted again with an Idempotency-Key already received (the provider keeps one). */
  postalRepostedSameKey: number;
  /** Task-creation attempts again for a task id already received (the task system keeps one). */
  taskRepeatedSameId: number;
  /** What each lost or duplicate touch was. */
  problems: string[];
}

/** Why a due touch may go out on no channel, from the plan alone; undefined: it must go out. */
export function allowedSkip(touch: Touch): string | undefined {
  if (touch.dropped) return `dropped by the plan: ${touch.dropped}`;
  if (touch.channel === 'none') return 'no channel with consent and contact details';
  return undefined;
}

function countBy<T>(items: T[], keyOf: (item: T) => string | undefined): Map<string, T[]> {
  const out = new Map<string, T[]>();
  for (const item of items) {
    const key = keyOf(item);
    if (key === undefined) continue;
    out.set(key, [...(out.get(key) ?? []), item]);
  }
  return out;
}

/**
 * Each due touch is sent (it arrived on its channel), refused (an email the mail server
 * refused for good, never arrived) or skipped for a reason the plan gives; anything else is
 * lost. A duplicate is a second distinct item for one touch (another Message-ID, another SMS,
 * another Idempotency-Key), or an arrival that belongs to no due touch on its channel. The same
 * item arriving again (same Message-ID, Idempotency-Key or task id) is counted on its own.
 */
export function accountChaos(due: DueTouch[], arrivals: RawArrivals, refusedEmailKeys: ReadonlySet<string>): ChaosFigures {
  const problems: string[] = [];
  const byKey = new Map(due.map((d) => [d.key, d]));
  const channelOf = { emails: 'email', sms: 'sms', postal: 'postal', tasks: 'phone' } as const;
  let duplicates = 0;
  // Arrivals that name no due touch of their channel.
  for (const [list, channel] of Object.entries(channelOf) as Array<[keyof RawArrivals, string]>) {
    for (const a of arrivals[list] as Array<{ key: string | undefined }>) {
      const d = a.key === undefined ? undefined : byKey.get(a.key);
      if (d && d.touch.channel === channel && !allowedSkip(d.touch)) continue;
      duplicates++;
      problems.push(`duplicate: a${channel === 'email' ? 'n' : ''} ${channel} arrival ${a.key ? `for ${a.key}` : 'naming no touch'} belongs to no due ${channel} touch`);
    }
  }
  const emails = countBy(arrivals.emails, (a) => a.key);
  const sms = countBy(arrivals.sms, (a) => a.key);
  const postal = countBy(arrivals.postal, (a) => a.key);
  const tasks = countBy(arrivals.tasks, (a) => a.key);
  let sent = 0;
  const sentBy: Record<string, number> = { email: 0, sms: 0, postal: 0, phone: 0 };
  const sentByKind: Record<string, number> = {};
  let refused = 0;
  let skipped = 0;
  let resentSameMessageId = 0;
  let postalRepostedSameKey = 0;
  let taskRepeatedSameId = 0;
  for (const { key, touch } of due) {
    const what = `${key} (${touch.kind}, ${touch.channel})`;
    if (allowedSkip(touch)) {
      // Skipped by the plan; whatever arrived for it anyway was counted as a duplicate above, not as sent.
      skipped++;
      continue;
    }
    let items = 0;
    if (touch.channel === 'email') {
      const got = emails.get(key) ?? [];
      items = new Set(got.map((a) => a.messageId)).size;
      resentSameMessageId += got.length - items;
    } else if (touch.channel === 'sms') {
      items = (sms.get(key) ?? []).length;
    } else if (touch.channel === 'postal') {
      const got = postal.get(key) ?? [];
      items = new Set(got.map((a) => a.idempotencyKey)).size;
      postalRepostedSameKey += got.length - items;
    } else if (touch.channel === 'phone') {
      const got = tasks.get(key) ?? [];
      items = got.length > 0 ? 1 : 0;
      taskRepeatedSameId += Math.max(0, got.length - 1);
    }
    if (items > 0) {
      // A refused email must not arrive: the mail server said no for good, so plan33 reported it refused.
      if (touch.channel === 'email' && refusedEmailKeys.has(key)) problems.push(`refused yet arrived: ${what} was refused for good by the mail server, then ${items} message${items === 1 ? '' : 's'} arrived`);
      sent++;
      sentBy[touch.channel] = (sentBy[touch.channel] ?? 0) + 1;
      sentByKind[touch.kind] = (sentByKind[touch.kind] ?? 0) + 1;
      if (items > 1) {
        duplicates += items - 1;
        problems.push(`duplicate: ${what} arrived as ${items} distinct items`);
      }
    } else if (touch.channel === 'email' && refusedEmailKeys.has(key)) refused++;
    else problems.push(`lost: ${what} due ${touch.at}, nothing arrived`);
  }
  const lost = due.length - sent - refused - skipped;
  return {
    due: due.length,
    sent,
    sentBy,
    sentByKind,
    refused,
    skipped,
    lost,
    duplicates,
    rawArrivals: arrivals.emails.length + arrivals.sms.length + arrivals.postal.length + arrivals.tasks.length,
    resentSameMessageId,
    postalRepostedSameKey,
    taskRepeatedSameId,
    problems,
  };
}

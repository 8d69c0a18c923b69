// The 8x8 prospect plan: 8 touches in 8 weeks for a new lead, as plan data like the 33. No
// referral ask (a prospect has not bought yet): each message says how the business can help.
// Pure: the definition, its schema and the planner; the lead workflow runs the touches.
import { DateTime } from './luxon';
import { z } from 'zod';
import { reachableChannels, type Channel, type Customer } from './customer';
import { sendingSlotAtOrAfter } from './engine';
import type { SendingHours } from './sending-hours';
import type { Touch } from './touch';

const stepSchema = z
  .object({
    /** Week 1-8 of the plan; week 1 starts at the capture. */
    week: z.number().int().min(1).max(8),
    /** Days into the week (0: the week's first day). */
    day: z.number().int().min(0).max(6).default(0),
    kind: z.enum(['prospect-letter', 'call', 'give-away']),
    /** Which words the letter carries (activities/copy.ts), or the item / call's id. */
    id: z.string().regex(/^[a-z0-9]+(-[a-z0-9]+)*$/, 'expected a lower-case slug, e.g. buyers-guide'),
    title: z.string().trim().min(1).max(120),
    /** In order of preference; the first the lead can be reached on (contact + consent) wins. */
    channels: z.array(z.enum(['email', 'sms', 'postal', 'phone'])).min(1).max(4),
  })
  .strict();

export const prospectPlanSchema = z
  .object({
    name: z.literal('8x8'),
    version: z.number().int().min(1),
    /** Local hour of letters and items, and of call tasks. */
    touchHour: z.number().int().min(0).max(23),
    callHour: z.number().int().min(0).max(23),
    steps: z.array(stepSchema).min(1).max(16),
  })
  .strict();
export type ProspectPlan = z.output<typeof prospectPlanSchema>;

/** The default 8x8: a letter, a call, a guide, a useful item, news, a call, stories, a last call. */
export const EIGHT_BY_EIGHT: ProspectPlan = prospectPlanSchema.parse({
  name: '8x8',
  version: 1,
  touchHour: 10,
  callHour: 11,
  steps: [
    { week: 1, kind: 'prospect-letter', id: 'welcome', title: 'Thank you for getting in touch', channels: ['email', 'postal', 'sms'] },
    { week: 2, kind: 'call', id: 'introduction-call', title: 'Introduction call', channels: ['phone'] },
    { week: 3, kind: 'prospect-letter', id: 'buyers-guide', title: 'How we can help: a guide to your move', channels: ['email', 'postal'] },
    { week: 4, kind: 'give-away', id: 'moving-checklist', title: 'Moving checklist', channels: ['postal', 'email'] },
    { week: 5, kind: 'prospect-letter', id: 'market-update', title: 'Your local market this month', channels: ['email', 'postal'] },
    { week: 6, kind: 'call', id: 'follow-up-call', title: 'Follow-up call', channels: ['phone'] },
    { week: 7, kind: 'prospect-letter', id: 'client-stories', title: 'How we helped people like you', channels: ['email', 'postal'] },
    { week: 8, kind: 'call', id: 'next-steps-call', title: 'Next steps call', channels: ['phone'] },
  ],
});

const firstReachable = (wanted: readonly Channel[], person: Customer): Channel | 'none' => {
  const reachable = reachableChannels(person);
  return wanted.find((c) => reachable.includes(c)) ?? 'none';
};

/**
 * The 8x8 touches from `startMs` (the capture): each step on its week and day at the plan's
 * hour in the lead's zone, inside sending hours, one touch a day. Week 1's letter goes at the
 * first sending slot (the person just asked). Slots `8x8-<id>`, seq 1..n in date order.
 */
export function planProspect(person: Customer, plan: ProspectPlan, startMs: number, hours: SendingHours): Touch[] {
  const zone = person.timezone;
  const start = DateTime.fromMillis(startMs, { zone }).startOf('day');
  const taken = new Set<string>();
  const drafts: Array<Omit<Touch, 'seq' | 'at'> & { ms: number }> = [];
  for (const step of [...plan.steps].sort((a, b) => a.week - b.week || a.day - b.day)) {
    const hour = step.kind === 'call' ? plan.callHour : plan.touchHour;
    let day = start.plus({ days: (step.week - 1) * 7 + step.day });
    let at = step.week === 1 && step.day === 0 ? sendingSlotAtOrAfter(startMs, zone, hours) : sendingSlotAtOrAfter(day.set({ hour }).toMillis(), zone, hours);
    // One touch a day: the next free day.
    for (let i = 0; i < 7 && taken.has(at.toISODate()!); i++) {
      day = day.plus({ days: 1 });
      at = sendingSlotAtOrAfter(day.set({ hour }).toMillis(), zone, hours);
    }
    taken.add(at.toISODate()!);
    drafts.push({ kind: step.kind, channel: firstReachable(step.channels, person), ms: at.toMillis(), title: step.title, occasion: step.id, slot: `8x8-${step.id}` });
  }
  drafts.sort((a, b) => a.ms - b.ms);
  return drafts.map(({ ms, ...d }, i) => ({ seq: i + 1, ...d, at: DateTime.fromMillis(ms, { zone }).toISO({ suppressMilliseconds: true })! }));
}

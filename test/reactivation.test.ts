// Reactivation: a client-for-life customer whose last deal is older than the plan's
// reactivationAfterMonths (default 24) and who gave no sign all year (no reached call, reply,
// referral or pledge) continues into a reactivation year: remind, ask why, make an offer, in
// place of three newsletters. A customer with a recent deal, or who answered, stays on
// client-for-life. Time-skipping server, a whole plan year stepped through.
import { DateTime } from 'luxon';
import { describe, expect, it } from 'vitest';
import { touchCopy } from '../activities/copy';
import { customerSchema } from '../plan/customer';
import { resolvePlan } from '../plan/definitions';
import { customerWorkflowId } from '../plan/ids';
import * as year from '../plan/year-state';
import { DEFAULT_SENDING_HOURS } from '../plan/sending-hours';
import { dealClosed } from '../service/enroll';
import * as m from '../workflows/messages';
import { freshStores } from './helpers/database';
import { business, createTestWorker, PINNED_START_MS } from './helpers/temporal';
import { until, useYearRig } from './helpers/year';

const zone = 'Europe/London';
const person = (id: string, first: string) => customerSchema.parse({ id, name: { first }, email: `${id}@example.com`, timezone: zone, agent: 'agent-james', consent: { email: true, sms: false, postal: false, phone: false } });
const daysBefore = (days: number) => DateTime.fromMillis(PINNED_START_MS, { zone }).minus({ days }).toISODate()!;

describe('who is dormant (pure)', () => {
  const state = (closedAt: string) =>
    year.newYear({ customer: person('r-pure', 'Ann'), plan: 'client-for-life', definition: resolvePlan('client-for-life'), planYear: 3, yearStartMs: PINNED_START_MS, sendingHours: DEFAULT_SENDING_HOURS, deals: [{ id: 'd', closedAt }], referralIds: [], pledged: false });
  it('the last deal older than 24 months and no sign all year', () => {
    const now = PINNED_START_MS + 360 * 86_400_000;
    expect(year.isDormant(state(daysBefore(800)), { referrals: 0, pledged: false }, now)).toBe(true);
    expect(year.isDormant(state(daysBefore(300)), { referrals: 0, pledged: false }, now)).toBe(false);
    const answered = state(daysBefore(800));
    answered.calls.push({ taskId: 't', seq: 3, outcome: 'reached' });
    expect(year.isDormant(answered, { referrals: 0, pledged: false }, now)).toBe(false);
    const referred = state(daysBefore(800));
    referred.referralIds.push('R-1');
    expect(year.isDormant(referred, { referrals: 0, pledged: false }, now)).toBe(false);
  });

  it('the reactivation year: remind, ask why, make an offer in the first months, nine newsletters', () => {
    const s = year.newYear({ customer: person('r-plan', 'Ann'), plan: 'reactivation', definition: resolvePlan('reactivation'), planYear: 3, yearStartMs: PINNED_START_MS, sendingHours: DEFAULT_SENDING_HOURS, deals: [{ id: 'd', closedAt: daysBefore(800) }], referralIds: [], pledged: false });
    const letters = s.touches.filter((t) => t.kind === 'reactivation-letter');
    expect(letters.map((t) => t.occasion)).toEqual(['remind', 'ask-why', 'offer']);
    expect(Date.parse(letters[2]!.at) - PINNED_START_MS).toBeLessThan(100 * 86_400_000);
    expect(s.touches.filter((t) => t.kind === 'newsletter')).toHaveLength(9);
    expect(s.touches.filter((t) => t.kind !== 'newsletter' && t.kind !== 'reactivation-letter' && t.kind !== 'nps-survey').length).toBe(33 - 12);
    // The yearly NPS survey asks the dormant customer too.
    expect(s.touches.filter((t) => t.kind === 'nps-survey')).toHaveLength(1);
    const words = touchCopy(person('r-plan', 'Ann'), letters[1]!, business);
    expect(words.subject).toBe('How could we do better for you, Ann?');
    const ar = touchCopy(customerSchema.parse({ ...person('r-plan', 'Ann'), locale: 'ar' }), letters[2]!, business);
    expect(ar.dir).toBe('rtl');
    expect(`${ar.subject} ${ar.paragraphs.join(' ')}`.replace(business.name, '')).not.toMatch(/[A-Za-z]/);
  });
});

describe('a dormant customer (time-skipping server)', () => {
  const rig = useYearRig(['dormant-1', 'active-1']);

  it('goes on to a reactivation year after a silent year; a customer with a recent deal stays on client-for-life', async () => {
    const worker = await createTestWorker({ connection: rig.env.nativeConnection, taskQueue: 'dormant', smtp: rig.smtp, stores: await freshStores() });
    await worker.runUntil(async () => {
      // Email only: the calls find no channel, no one answers all year.
      await dealClosed(rig.env.client, { customer: person('dormant-1', 'Ann'), deal: { id: 'D-old', closedAt: daysBefore(500) } }, { taskQueue: 'dormant' });
      await dealClosed(rig.env.client, { customer: person('active-1', 'Ben'), deal: { id: 'D-new', closedAt: daysBefore(20) } }, { taskQueue: 'dormant' });
      const dormant = rig.env.client.workflow.getHandle(customerWorkflowId('dormant-1'));
      const active = rig.env.client.workflow.getHandle(customerWorkflowId('active-1'));
      const next = await until(rig.env, dormant, (s) => s.planYear === 2, 120);
      expect(next.plan).toBe('reactivation');
      expect(next.previousYear).toMatchObject({ planYear: 1, plan: 'client-for-life' });
      const letters = next.nextTouches.filter((t) => t.kind === 'reactivation-letter');
      expect(letters.map((t) => [t.occasion, t.channel])).toEqual([['remind', 'email'], ['ask-why', 'email'], ['offer', 'email']]);
      // The first letter goes: remind.
      const first = letters[0]!;
      await rig.env.sleep(Date.parse(first.at) - (await rig.env.currentTimeMs()) + 60_000);
      for (let i = 0; i < 400 && !(await dormant.query(m.statusQuery)).touchesDone.some((t) => t.seq === first.seq); i++) await new Promise((r) => setTimeout(r, 50));
      expect((await dormant.query(m.statusQuery)).touchesDone.find((t) => t.seq === first.seq)).toMatchObject({ outcome: 'sent', kind: 'reactivation-letter' });
      const a = await until(rig.env, active, (s) => s.planYear === 2, 120);
      expect(a.plan).toBe('client-for-life');
    });
  });
});

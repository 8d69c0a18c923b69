// One limit on contact pressure across all of a person's plans: at most N messages per channel
// in 7 days, SMS and calls only 08:00-21:00 local, the business's blackout dates, the person's
// "do not contact until". The rule is pure (plan/contact-rules.ts); the delivery activity counts
// the person's sends in PostgreSQL, whichever workflow sent them, and a held touch moves to its
// next allowed slot with the reason in its summary. Time-skipping server, real SMTP.
import { DateTime } from 'luxon';
import { describe, expect, it } from 'vitest';
import { createAgentDirectory, parseAgentsFile } from '../activities/agents';
import { loadConfig } from '../lib/config';
import { holdFor, type ContactRules } from '../plan/contact-rules';
import { customerWorkflowId, leadWorkflowId } from '../plan/ids';
import { DEFAULT_LEAD_SETTINGS } from '../plan/lead-routing';
import { dealClosed } from '../service/enroll';
import { captureLead } from '../service/leads';
import * as lm from '../workflows/lead-messages';
import * as m from '../workflows/messages';
import { freshStores } from './helpers/database';
import { createTestWorker, PINNED_START_MS } from './helpers/temporal';
import { useYearRig } from './helpers/year';

const DAY = 86_400_000;
const zone = 'Asia/Riyadh';
const at = (iso: string) => DateTime.fromISO(iso, { zone }).toMillis();
const rules = (perWeek: ContactRules['perWeek'], blackoutDates: string[] = []): ContactRules => ({ perWeek, blackoutDates });

describe('the contact rule (pure)', () => {
  it('holds a message past the weekly limit until the oldest one leaves the 7 days', () => {
    const sends = [at('2040-01-01T10:00'), at('2040-01-04T10:00')];
    expect(holdFor({ channel: 'email', nowMs: at('2040-01-05T10:00'), zone, rules: rules({ email: 3 }), recentSendsMs: sends })).toBeUndefined();
    const hold = holdFor({ channel: 'email', nowMs: at('2040-01-05T10:00'), zone, rules: rules({ email: 2 }), recentSendsMs: sends })!;
    expect(hold.reason).toBe('contact limit: 2 emails in the last 7 days (at most 2)');
    expect(hold.untilMs).toBe(at('2040-01-08T10:00') + 1000);
    // Sends older than 7 days do not count; a channel without a limit is never held.
    expect(holdFor({ channel: 'email', nowMs: at('2040-01-12T10:00'), zone, rules: rules({ email: 1 }), recentSendsMs: [at('2040-01-04T10:00')] })).toBeUndefined();
    // Another plan's send reserved by an activity scheduled two seconds later (activities run in any
    // order under load): it counts, and this one waits a week from it.
    expect(holdFor({ channel: 'email', nowMs: at('2040-01-05T10:00'), zone, rules: rules({ email: 1 }), recentSendsMs: [at('2040-01-05T10:00') + 2000] })).toEqual({ untilMs: at('2040-01-12T10:00') + 3000, reason: 'contact limit: 1 emails in the last 7 days (at most 1)' });
    expect(holdFor({ channel: 'postal', nowMs: at('2040-01-05T10:00'), zone, rules: rules({ email: 1 }), recentSendsMs: sends })).toBeUndefined();
  });

  it('keeps SMS and calls to 08:00-21:00 local, nothing on blackout dates, nothing before "do not contact until"', () => {
    expect(holdFor({ channel: 'sms', nowMs: at('2040-01-05T22:30'), zone, rules: rules({}), recentSendsMs: [] })).toEqual({ untilMs: at('2040-01-06T08:00'), reason: 'quiet hours: SMS only 8:00-21:00 local' });
    expect(holdFor({ channel: 'phone', nowMs: at('2040-01-05T07:00'), zone, rules: rules({}), recentSendsMs: [] })?.untilMs).toBe(at('2040-01-05T08:00'));
    expect(holdFor({ channel: 'email', nowMs: at('2040-01-05T22:30'), zone, rules: rules({}), recentSendsMs: [] })).toBeUndefined();
    expect(holdFor({ channel: 'email', nowMs: at('2040-01-05T10:00'), zone, rules: rules({}, ['2040-01-05', '2040-01-06']), recentSendsMs: [] })).toEqual({ untilMs: at('2040-01-07T00:00'), reason: 'the business is closed on 2040-01-05' });
    expect(holdFor({ channel: 'postal', nowMs: at('2040-01-05T10:00'), zone, doNotContactUntil: '2040-02-01', rules: rules({}), recentSendsMs: [] })).toEqual({ untilMs: at('2040-02-01T00:00'), reason: 'do not contact until 2040-02-01' });
  });

  it('is configured from the environment: 2 emails and 1 SMS a week by default, blackout dates checked', () => {
    expect(loadConfig({}).contactRules).toEqual({ perWeek: { email: 2, sms: 1 }, blackoutDates: [] });
    expect(loadConfig({ CONTACT_LIMIT_EMAIL_PER_WEEK: '0', CONTACT_LIMIT_POSTAL_PER_WEEK: '3', BLACKOUT_DATES: '2027-01-01, 2027-04-10' }).contactRules).toEqual({ perWeek: { sms: 1, postal: 3 }, blackoutDates: ['2027-01-01', '2027-04-10'] });
    expect(() => loadConfig({ BLACKOUT_DATES: '2027-02-30' })).toThrow(/BLACKOUT_DATES: expected dates as YYYY-MM-DD/);
  });
});

describe('the limit across two plans of one person (time-skipping server)', () => {
  const rig = useYearRig(['pressure-1', 'pressure-2']);

  it('a client-for-life year and an 8x8 of the same person: one email a week between them, the held one says why and goes a week later', async () => {
    const agents = createAgentDirectory(parseAgentsFile({ agents: [{ id: 'agent-sara', name: 'Sara', email: 'sara@cedar.test' }] }));
    const stores = await freshStores();
    const worker = await createTestWorker({ connection: rig.env.nativeConnection, taskQueue: 'pressure', smtp: rig.smtp, stores, deps: { agents, contactRules: rules({ email: 1 }), leadSettings: DEFAULT_LEAD_SETTINGS } });
    const person = { id: 'pressure-1', name: { first: 'Rana' }, email: 'rana@example.com', timezone: zone, consent: { email: true, sms: false, postal: false, phone: false } };
    const emails = () => rig.smtp.messages.filter((x) => x.to.includes('rana@example.com'));
    await worker.runUntil(async () => {
      await dealClosed(rig.env.client, { customer: { ...person, agent: 'agent-sara' }, deal: { id: 'D-P1', closedAt: '2040-01-04' } }, { taskQueue: 'pressure' });
      await captureLead(rig.env.client, stores.db, { ...person, agent: 'agent-sara', source: { channel: 'website' } }, { taskQueue: 'pressure', settings: DEFAULT_LEAD_SETTINGS });
      const customer = rig.env.client.workflow.getHandle(customerWorkflowId('pressure-1'));
      const lead = rig.env.client.workflow.getHandle(leadWorkflowId('pressure-1'));
      // Both want to send their first email at the same slot (09:00 Riyadh): one goes, one is held.
      const firsts = async () => {
        const c = await customer.query(m.statusQuery).catch(() => undefined);
        const l = await lead.query(lm.leadStatusQuery).catch(() => undefined);
        const welcome = c?.touchesDone.find((t) => t.slot === 'newsletter-1') ?? c?.nextTouches.find((t) => t.slot === 'newsletter-1');
        const letter = l?.touchesDone.find((t) => t.seq === 1) ?? l?.nextTouches.find((t) => t.seq === 1);
        return welcome && letter && (welcome.held || 'outcome' in welcome) && (letter.held || 'outcome' in letter) ? { welcome, letter } : undefined;
      };
      let both: Awaited<ReturnType<typeof firsts>>;
      for (let i = 0; i < 400 && !(both = await firsts()); i++) await new Promise((r) => setTimeout(r, 50));
      expect(both).toBeDefined();
      const held = [both!.welcome, both!.letter].filter((t) => t.held);
      expect(held).toHaveLength(1);
      expect(held[0]!.held).toBe('contact limit: 1 emails in the last 7 days (at most 1)');
      expect(emails()).toHaveLength(1);
      const firstSentAt = PINNED_START_MS;
      expect(Date.parse(held[0]!.at) - firstSentAt).toBeGreaterThanOrEqual(7 * DAY);
      // A week later the held one goes; never two emails in any 7 days.
      await rig.env.sleep(Date.parse(held[0]!.at) - (await rig.env.currentTimeMs()) + 60_000);
      for (let i = 0; i < 400 && emails().length < 2; i++) await new Promise((r) => setTimeout(r, 50));
      expect(emails().length).toBe(2);
      const c = await customer.query(m.statusQuery);
      const l = await lead.query(lm.leadStatusQuery);
      const sent = [...c.touchesDone, ...l.touchesDone].filter((t) => t.outcome === 'sent' && t.channel === 'email').map((t) => Date.parse(t.doneAt)).sort((a, b) => a - b);
      for (let i = 1; i < sent.length; i++) expect(sent[i]! - sent[i - 1]!).toBeGreaterThanOrEqual(7 * DAY);
      await lead.terminate('test done');
    });
  });

  it('"do not contact until": the year waits, and each touch says why', async () => {
    const worker = await createTestWorker({ connection: rig.env.nativeConnection, taskQueue: 'pressure-dnc', smtp: rig.smtp, stores: await freshStores() });
    await worker.runUntil(async () => {
      const until = DateTime.fromMillis(PINNED_START_MS, { zone }).plus({ days: 10 }).toISODate()!;
      await dealClosed(rig.env.client, { customer: { id: 'pressure-2', name: { first: 'Adel' }, email: 'adel@example.com', timezone: zone, agent: 'agent-sara', doNotContactUntil: until }, deal: { id: 'D-P2', closedAt: '2040-01-04' } }, { taskQueue: 'pressure-dnc' });
      const customer = rig.env.client.workflow.getHandle(customerWorkflowId('pressure-2'));
      let welcome: m.CustomerStatus['nextTouches'][number] | undefined;
      for (let i = 0; i < 400 && !welcome?.held; i++) {
        welcome = (await customer.query(m.statusQuery).catch(() => undefined))?.nextTouches.find((t) => t.slot === 'newsletter-1');
        await new Promise((r) => setTimeout(r, 50));
      }
      expect(welcome!.held).toBe(`do not contact until ${until}`);
      expect(welcome!.at.slice(0, 10) >= until).toBe(true);
      expect(rig.smtp.messages.filter((x) => x.to.includes('adel@example.com'))).toHaveLength(0);
    });
  });
});

// Households: two people at one address who opted in get one printed holiday card addressed to
// both, whichever year comes first; their emails stay personal. Time-skipping server, real SMTP,
// the postal items in PostgreSQL's task rows.
import { describe, expect, it } from 'vitest';
import type { PostalItem } from '../activities/task-sink';
import { householdKey, sharedItemKey } from '../plan/household';
import { customerWorkflowId } from '../plan/ids';
import { dealClosed } from '../service/enroll';
import * as m from '../workflows/messages';
import { freshStores } from './helpers/database';
import { createTestWorker } from './helpers/temporal';
import { until, useYearRig } from './helpers/year';

describe('households (pure)', () => {
  it('one key for one address however it is typed; only cards everyone gets alike are shared', () => {
    const a = householdKey({ line1: '12 Olaya St.', city: 'Riyadh', postalCode: '12211', country: 'SA' });
    expect(householdKey({ line1: '12  olaya st', city: 'RIYADH', postalCode: '12 211', country: 'SA' })).toBe(a);
    expect(householdKey({ line1: '14 Olaya St', city: 'Riyadh', postalCode: '12211', country: 'SA' })).not.toBe(a);
    expect(sharedItemKey({ kind: 'holiday-card', slot: 'holiday-eid-al-fitr', holidayDate: '2040-11-05', title: 'Eid al-Fitr', at: '2040-11-01T10:00:00+03:00' })).toBe('holiday-eid-al-fitr@2040-11-05');
    expect(sharedItemKey({ kind: 'personal-card', slot: 'personal-birthday', title: 'Happy birthday', at: '2040-03-14T10:00:00+03:00' })).toBeUndefined();
  });
});

describe('one card for a household of two (time-skipping server)', () => {
  const rig = useYearRig(['home-layla', 'home-omar', 'home-sami']);

  it('the first holiday card goes once, to both names; each still gets their own emails; a neighbour who did not opt in gets their own card', async () => {
    const stores = await freshStores();
    const worker = await createTestWorker({ connection: rig.env.nativeConnection, taskQueue: 'homes', smtp: rig.smtp, stores });
    const base = { timezone: 'Asia/Riyadh', locale: 'en', agent: 'agent-sara', consent: { email: true, sms: false, postal: true, phone: false }, household: true };
    const layla = { ...base, id: 'home-layla', name: { first: 'Layla', last: 'Haddad' }, email: 'layla.home@example.com', address: { line1: '12 Olaya St.', city: 'Riyadh', postalCode: '12211', country: 'SA' } };
    const omar = { ...base, id: 'home-omar', name: { first: 'Omar', last: 'Haddad' }, email: 'omar.home@example.com', address: { line1: '12 olaya st', city: 'RIYADH', postalCode: '12211', country: 'SA' } };
    // Same address, but not in the household.
    const sami = { ...base, id: 'home-sami', household: false, name: { first: 'Sami', last: 'Nasser' }, email: 'sami.home@example.com', address: layla.address };
    await worker.runUntil(async () => {
      for (const c of [layla, omar, sami]) await dealClosed(rig.env.client, { customer: c, deal: { id: `D-${c.id}`, closedAt: '2040-01-04' } }, { taskQueue: 'homes' });
      const handles = [layla, omar, sami].map((c) => rig.env.client.workflow.getHandle(customerWorkflowId(c.id)));
      await until(rig.env, handles[0]!, (s) => s.touchesDone.some((t) => t.kind === 'holiday-card'));
      const firstCard = (await handles[0]!.query(m.statusQuery)).touchesDone.find((t) => t.kind === 'holiday-card')!;
      const item = sharedItemKey(firstCard)!;
      // Every year has settled that card.
      const cards = await Promise.all(
        handles.map(async (h) => {
          for (let i = 0; i < 400; i++) {
            const card = (await h.query(m.statusQuery)).touchesDone.find((t) => t.kind === 'holiday-card' && sharedItemKey(t) === item);
            if (card) return card;
            await new Promise((r) => setTimeout(r, 50));
          }
          throw new Error('card not settled');
        }),
      );
      const [l, o, s] = cards;
      const sent = [l!, o!].filter((c) => c.outcome === 'sent');
      const carried = [l!, o!].filter((c) => c.outcome === 'skipped');
      expect(sent).toHaveLength(1);
      expect(carried).toHaveLength(1);
      expect(carried[0]!.reason).toBe(`one card for the household: sent with ${sent[0]!.reference}`);
      expect(s!.outcome).toBe('sent');
      const postal = (await stores.tasks.list({ type: 'postal' })) as PostalItem[];
      const forCard = postal.filter((p) => p.kind === 'holiday-card' && p.title === firstCard.title);
      expect(forCard.map((p) => p.recipient).sort()).toEqual(['Layla Haddad & Omar Haddad', 'Sami Nasser']);
      // Emails stay personal: each welcome newsletter went to its own address.
      for (const c of [layla, omar, sami]) expect(rig.smtp.messages.filter((x) => x.to.includes(c.email)).length).toBeGreaterThanOrEqual(1);
    });
  });
});

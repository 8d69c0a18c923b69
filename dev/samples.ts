// Sample customers `npm start` enrols on the embedded stack, so a first email lands at once:
// Layla reads Arabic, Emma English, and John becomes an advocate (he referred a friend).
import type { DealClosedInput } from '../service/enroll';

export const SAMPLE_DEALS: DealClosedInput[] = [
  {
    customer: {
      id: 'sample-layla',
      name: { first: 'Layla', last: 'Haddad' },
      email: 'layla@example.com',
      phone: '+966501234567',
      address: { line1: '12 Olaya St', city: 'Riyadh', postalCode: '12211', country: 'SA' },
      locale: 'ar',
      timezone: 'Asia/Riyadh',
      personalDates: [{ occasion: 'birthday', date: '1990-03-14' }],
      favoriteTeam: 'Al Hilal',
      consent: { email: true, sms: true, postal: true, phone: true },
      agent: 'agent-sara',
      // The demo customer accepts mail at any hour, so the welcome issue goes out at once
      // whatever the time in Riyadh; real customers keep the 09:00-19:00 default.
      sendingHours: '00:00-24:00',
    },
    deal: { id: 'sample-deal-1', closedAt: '2026-11-23', value: 420000 },
  },
  {
    customer: {
      id: 'sample-emma',
      name: { first: 'Emma', last: 'Clarke' },
      email: 'emma@example.com',
      address: { line1: '4 Abbey Road', city: 'London', postalCode: 'NW8 9AY', country: 'GB' },
      locale: 'en',
      timezone: 'Europe/London',
      personalDates: [{ occasion: 'wedding-anniversary', date: '2015-06-20' }],
      consent: { email: true, sms: false, postal: true, phone: false },
      agent: 'agent-james',
      notes: 'Two children; keen gardener; moved from Leeds.',
      sendingHours: '00:00-24:00',
    },
    deal: { id: 'sample-deal-2', closedAt: '2026-11-20', value: 650000 },
  },
  {
    customer: {
      id: 'sample-john',
      name: { first: 'John', last: 'Miller' },
      email: 'john@example.com',
      phone: '+12125550123',
      address: { line1: '350 5th Ave', city: 'New York', region: 'NY', postalCode: '10118', country: 'US' },
      locale: 'en',
      timezone: 'America/New_York',
      favoriteTeam: 'New York Yankees',
      consent: { email: true, sms: true, postal: true, phone: true },
      agent: 'agent-omar',
      sendingHours: '00:00-24:00',
    },
    deal: { id: 'sample-deal-3', closedAt: '2026-11-15', value: 890000 },
  },
];

/** Sample customers who referred someone: `npm start` sends the referral after enrolling them. */
export const SAMPLE_REFERRALS: Array<{ customerId: string; referralId: string; referredName: string }> = [{ customerId: 'sample-john', referralId: 'sample-ref-1', referredName: 'Grace' }];

// Sample customers `npm start` enrols on the embedded stack, so a first email lands at once.
import type { DealClosedInput } from '../client/enroll';

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
];

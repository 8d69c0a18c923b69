// Diwali (Lakshmi Puja) and Holi (Dhulandi) in India, 2025-2045: the output of
// `npx tsx scripts/hindu-festivals.ts 2025 2045`, which computes them from the Sun and Moon
// (astronomy-engine) by the panchang rules written there, and which gives timeanddate.com's
// dates (as python-holidays 0.109 keeps them) for every year of 2001-2035. The test
// test/holiday-crosscheck.test.ts recomputes this table. Pure data: safe in workflow code.
export const DIWALI_DATES = [
  '2025-10-20', '2026-11-08', '2027-10-29', '2028-10-17', '2029-11-05', '2030-10-26', '2031-11-14', '2032-11-02', '2033-10-22', '2034-11-10', '2035-10-30',
  '2036-10-18', '2037-11-07', '2038-10-27', '2039-11-15', '2040-11-04', '2041-10-24', '2042-11-12', '2043-11-01', '2044-10-20', '2045-11-08',
] as const;

export const HOLI_DATES = [
  '2025-03-14', '2026-03-04', '2027-03-22', '2028-03-11', '2029-03-01', '2030-03-20', '2031-03-09', '2032-03-27', '2033-03-16', '2034-03-05', '2035-03-24',
  '2036-03-12', '2037-03-02', '2038-03-21', '2039-03-11', '2040-03-29', '2041-03-18', '2042-03-07', '2043-03-26', '2044-03-14', '2045-03-03',
] as const;

// Deepavali in Malaysia and Singapore (the Tamil day, Naraka Chaturdashi), 2025-2045: the same
// script's Tamil rule, which gives Singapore's gazetted day in 25 of the 27 years 2001-2027;
// 2025-2027 as gazetted. Later years are estimates until each year's gazette.
export const DEEPAVALI_DATES = [
  '2025-10-20', '2026-11-08', '2027-10-28', '2028-11-15', '2029-11-05', '2030-10-26', '2031-11-13', '2032-11-02', '2033-10-22', '2034-11-09', '2035-10-30',
  '2036-10-18', '2037-11-06', '2038-10-27', '2039-11-15', '2040-11-03', '2041-10-23', '2042-11-11', '2043-10-31', '2044-10-20', '2045-11-08',
] as const;

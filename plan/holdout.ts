// The holdout group: a share of new customers who get only the transactional minimum, so the
// reports can show what the plan earns against customers who did not get it. Chosen by a stable
// hash of the customer id (FNV-1a, 32 bits): the same id is always in or out for a given share,
// and raising the share only adds customers to the group. Pure.

/** FNV-1a over the id's UTF-16 code units. */
function fnv1a(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h >>> 0;
}

/** Where the id falls in [0, 100): the group is every id below the share. */
export function holdoutPosition(customerId: string): number {
  return (fnv1a(`plan33:holdout:${customerId}`) % 10_000) / 100;
}

/** In the holdout group at `percent` (0-50; 0: nobody). */
export function inHoldout(customerId: string, percent: number): boolean {
  return percent > 0 && holdoutPosition(customerId) < percent;
}

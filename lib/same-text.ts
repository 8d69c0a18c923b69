// One constant-time comparison for every secret plan33 checks (API keys, CSRF tokens, link MACs,
// the codec server's path token).
import { createHash, timingSafeEqual } from 'node:crypto';

/**
 * Whether two strings are equal, in time that depends on neither's content nor length: both are
 * hashed first, so timingSafeEqual always compares 32 bytes (it throws on buffers of unequal
 * length, and comparing the lengths first would tell them).
 */
export function sameText(given: string, expected: string): boolean {
  return timingSafeEqual(createHash('sha256').update(given).digest(), createHash('sha256').update(expected).digest());
}

// Small reusable zod parsers for environment variables: each accepts the raw string (or
// nothing) and yields a typed value, with a message that says what was expected.
import { z } from 'zod';

/** `true/false/1/0/yes/no` (any case); empty or unset falls back to the default. */
export const envBool = (fallback: boolean) =>
  z
    .string()
    .optional()
    .transform((raw, ctx) => {
      if (raw === undefined || raw.trim() === '') return fallback;
      const v = raw.trim().toLowerCase();
      if (['true', '1', 'yes', 'on'].includes(v)) return true;
      if (['false', '0', 'no', 'off'].includes(v)) return false;
      ctx.addIssue({ code: 'custom', message: `expected true or false, got "${raw}"` });
      return z.NEVER;
    });

/** A TCP port number 1-65535 (0 allowed when `allowZero`: let the kernel choose). */
export const envPort = (fallback: number, { allowZero = false } = {}) =>
  z
    .string()
    .optional()
    .transform((raw, ctx) => {
      if (raw === undefined || raw.trim() === '') return fallback;
      const n = Number(raw);
      const min = allowZero ? 0 : 1;
      if (!/^\d+$/.test(raw.trim()) || n < min || n > 65535) {
        ctx.addIssue({ code: 'custom', message: `expected a port ${min}-65535, got "${raw}"` });
        return z.NEVER;
      }
      return n;
    });

/** A whole number in [min, max], with a default. */
export const envInt = (fallback: number, { min, max }: { min: number; max: number }) =>
  z
    .string()
    .optional()
    .transform((raw, ctx) => {
      if (raw === undefined || raw.trim() === '') return fallback;
      const n = Number(raw);
      if (!/^\d+$/.test(raw.trim()) || n < min || n > max) {
        ctx.addIssue({ code: 'custom', message: `expected a whole number ${min}-${max}, got "${raw}"` });
        return z.NEVER;
      }
      return n;
    });

/** A positive rate (decimals allowed, e.g. `0.5` = one every two seconds); `0` means no limit. */
export const envRate = (fallback: number) =>
  z
    .string()
    .optional()
    .transform((raw, ctx) => {
      if (raw === undefined || raw.trim() === '') return fallback;
      const n = Number(raw);
      if (!/^\d+(\.\d+)?$/.test(raw.trim()) || n > 100_000) {
        ctx.addIssue({ code: 'custom', message: `expected a rate per second 0-100000 (0: no limit), got "${raw}"` });
        return z.NEVER;
      }
      return n;
    });

/** A non-empty string with a default. */
export const envString = (fallback: string) =>
  z
    .string()
    .optional()
    .transform((raw) => (raw === undefined || raw.trim() === '' ? fallback : raw.trim()));

/** An optional string: unset or empty is `undefined`. */
export const envOptional = () =>
  z
    .string()
    .optional()
    .transform((raw) => (raw === undefined || raw.trim() === '' ? undefined : raw.trim()));

export const envLogLevel = z
  .enum(['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'])
  .optional()
  .transform((v) => v ?? 'info');

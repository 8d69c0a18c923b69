// Reading a customer file for the CLI: every problem named by field, nothing thrown raw.
import { readFileSync } from 'node:fs';
import { customerSchema, describeIssues, type Customer } from '../plan/customer';
import { DATE_RANGE_MESSAGE, isDateInRange, isRealDate } from '../plan/dates';

export class InputError extends Error {
  override name = 'InputError';
  constructor(readonly problems: string[]) {
    super(problems.join('\n'));
  }
}

export function readCustomerFile(path: string): Customer {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(path, 'utf8'));
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    throw new InputError([`--customer ${path}: ${e.code === 'ENOENT' ? 'no such file' : e instanceof SyntaxError ? `not valid JSON (${e.message})` : e.message}`]);
  }
  const parsed = customerSchema.safeParse(raw);
  if (!parsed.success) throw new InputError(describeIssues(parsed.error, 'customer'));
  return parsed.data;
}

export function checkDate(flag: string, value: string | undefined): string | undefined {
  if (value !== undefined && !isRealDate(value)) throw new InputError([`${flag}: expected a real date as YYYY-MM-DD, got "${value}"`]);
  if (value !== undefined && !isDateInRange(value)) throw new InputError([`${flag}: ${DATE_RANGE_MESSAGE}, got "${value}"`]);
  return value;
}

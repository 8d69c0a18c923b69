// Per-segment plan overrides from the JSON file PLAN33_PLAN_OVERRIDES names: read and validated
// once (every bad field named), by the worker and by `plan33 preview`.
import { readFileSync } from 'node:fs';
import { parsePlanOverrides } from '../plan/definitions';

export function loadPlanOverrides(file: string | undefined) {
  if (!file) return undefined;
  try {
    return parsePlanOverrides(JSON.parse(readFileSync(file, 'utf8')));
  } catch (err) {
    throw new Error(`PLAN33_PLAN_OVERRIDES=${file}: ${(err as Error).message}`, { cause: err });
  }
}

// Plan overrides from the JSON file PLAN33_PLAN_OVERRIDES names, by the business's own segment
// (`segments`) and by the computed value class (`classes`): read and validated once (every bad
// field named), by the worker and by `plan33 preview`.
import { readFileSync } from 'node:fs';
import { parsePlanOverrides } from '../plan/definitions';
import { VALUE_CLASSES } from '../plan/segments';

/**
 * Before issue 24 the daily refresh wrote its value class into the segment, so a file's
 * `segments.vip` (or `a`, `b`, `c`) meant the computed class. Read today, it would mean people the
 * business itself labelled `vip`, and the VIPs' overrides would silently stop applying. Such a
 * file (class names under `segments`, no `classes` part) is refused, naming each field; a
 * business that does label people `vip` itself says so by adding `"classes"` (even `{}`).
 */
export function olderFileProblems(json: unknown): string[] {
  if (typeof json !== 'object' || json === null || 'classes' in json) return [];
  const segments = (json as { segments?: unknown }).segments;
  if (typeof segments !== 'object' || segments === null) return [];
  return Object.keys(segments)
    .filter((name) => (VALUE_CLASSES as readonly string[]).includes(name))
    .map((name) => `segments.${name}: "${name}" is a computed value class: move these overrides to classes.${name} (segments are the business's own labels; if "${name}" is one, add "classes": {} to say so)`);
}

export function loadPlanOverrides(file: string | undefined) {
  if (!file) return undefined;
  try {
    const json: unknown = JSON.parse(readFileSync(file, 'utf8'));
    const older = olderFileProblems(json);
    if (older.length > 0) throw new Error(`invalid plan overrides:\n${older.join('\n')}`);
    return parsePlanOverrides(json);
  } catch (err) {
    throw new Error(`PLAN33_PLAN_OVERRIDES=${file}: ${(err as Error).message}`, { cause: err });
  }
}

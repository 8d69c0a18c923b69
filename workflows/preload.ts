// What the workflows need, evaluated once per worker thread and shared by every workflow in it
// (the SDK's `preloadModules`, see worker/bundle.ts; the bundle's entry is ./entry.ts).
//
// Without this, the SDK's reusable V8 context keeps a module cache per workflow: every cached
// customer carried its own evaluated zod, its schemas, luxon and date-holidays' country data and
// plan/'s tables, about 1.2 MiB each; and every new customer paid for evaluating them again.
//
// Two kinds of sharing:
// - luxon and date-holidays go through the SDK's own preload: they land in its shared module
//   cache, which it deep-freezes.
// - zod, its schemas and the workflow modules cannot be frozen (zod memoizes into its schema
//   objects on first use and resets `lastIndex` on the regexes it exports), so they are loaded
//   into a module cache of this module's own, which the SDK does not see (it puts what is
//   required while a workflow is active into that workflow's cache: `__TEMPORAL_ACTIVATOR__`
//   stands in for one here). ./entry.ts hands every workflow those modules' exports. What they
//   export as plain data (tables, defaults) is frozen below, as the SDK would have.
// Sharing is safe because nothing in them keeps state that depends on which workflow ran first:
// module-level maps only memoize pure functions (plan/holidays.ts), and zod's own writes are
// caches. A module that kept per-customer state at module level would leak it to the next
// customer: there must be none (workflow state lives in the workflow function's closure).
import Holidays from 'date-holidays';
import { DateTime } from '../plan/luxon';

type WorkflowsModule = typeof import('./index');

// Used, so webpack keeps them (luxon declares itself free of side effects).
if (typeof DateTime.fromMillis !== 'function' || typeof Holidays !== 'function') throw new Error('preload: a library is missing');

const g = globalThis as { __TEMPORAL_ACTIVATOR__?: { moduleCache: Map<unknown, unknown> } };
let workflows: WorkflowsModule | undefined;
// Only in the SDK's reusable context, before any workflow: elsewhere (a context per workflow,
// `reuseV8Context: false`) the entry requires the workflows itself.
if (g.__TEMPORAL_ACTIVATOR__ === undefined && (globalThis as { __webpack_module_cache__?: unknown }).__webpack_module_cache__ !== undefined) {
  g.__TEMPORAL_ACTIVATOR__ = { moduleCache: new Map() };
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    workflows = require('./index') as WorkflowsModule;
    for (const mod of g.__TEMPORAL_ACTIVATOR__.moduleCache.values()) freezeData((mod as { exports?: unknown }).exports, new WeakSet());
  } finally {
    delete g.__TEMPORAL_ACTIVATOR__;
  }
}

/** The workflow functions, evaluated once for every workflow of this thread (undefined: not preloaded). */
export function sharedWorkflows(): WorkflowsModule | undefined {
  return workflows;
}

/** Freezes the plain objects and arrays reachable from a module's exports; zod schemas and class instances are left alone. */
function freezeData(value: unknown, seen: WeakSet<object>): void {
  if (value === null || typeof value !== 'object' || seen.has(value)) return;
  seen.add(value);
  const proto = Object.getPrototypeOf(value) as unknown;
  const isExports = Object.prototype.toString.call(value) === '[object Module]' || (value as { __esModule?: boolean }).__esModule === true;
  if (!isExports && proto !== Object.prototype && proto !== Array.prototype && proto !== null) return;
  for (const key of Object.keys(value)) freezeData((value as Record<string, unknown>)[key], seen);
  if (!isExports) Object.freeze(value);
}

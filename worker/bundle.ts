// The workflow bundle: built once (tests build it in vitest's global set-up and share it).
import { fileURLToPath } from 'node:url';
import { bundleWorkflowCode, type WorkflowBundleWithSourceMap } from '@temporalio/worker';
import webpack from 'webpack';

/** Evaluated once per workflow: it hands out the workflows that the preload evaluated once per thread. */
export const workflowsPath = fileURLToPath(new URL('../workflows/entry.ts', import.meta.url));
/** Evaluated once per worker thread and shared by every workflow in it (see that file). */
export const preloadPath = fileURLToPath(new URL('../workflows/preload.ts', import.meta.url));

/** `replace`: module requests swapped for other files (the negative replay test's unguarded patches). */
export function buildWorkflowBundle(opts: { replace?: Array<{ request: RegExp; file: string }> } = {}): Promise<WorkflowBundleWithSourceMap> {
  const replacements = (opts.replace ?? []).map((r) => new webpack.NormalModuleReplacementPlugin(r.request, r.file));
  return bundleWorkflowCode({
    workflowsPath,
    preloadModules: [preloadPath],
    logger: { log() {}, trace() {}, debug() {}, info() {}, warn: console.warn, error: console.error },
    // moment (under date-holidays) loads its ~130 locales dynamically; the plan never formats
    // with them, so they stay out of the bundle every workflow context carries.
    webpackConfigHook: (config) => ({ ...config, plugins: [...(config.plugins ?? []), new webpack.IgnorePlugin({ resourceRegExp: /^\.\/locale$/, contextRegExp: /moment$/ }), ...replacements] }),
  });
}

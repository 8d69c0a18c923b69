// The workflow bundle: built once (tests build it in vitest's global set-up and share it).
import { fileURLToPath } from 'node:url';
import { bundleWorkflowCode, type WorkflowBundleWithSourceMap } from '@temporalio/worker';
import webpack from 'webpack';

/** Evaluated once per workflow: it hands out the workflows that the preload evaluated once per thread. */
export const workflowsPath = fileURLToPath(new URL('../workflows/entry.ts', import.meta.url));
/** Evaluated once per worker thread and shared by every workflow in it (see that file). */
export const preloadPath = fileURLToPath(new URL('../workflows/preload.ts', import.meta.url));

/** `replace`: module requests swapped for other files (the negative replay test's unguarded patches). */
export async function buildWorkflowBundle(opts: { replace?: Array<{ request: RegExp; file: string }> } = {}): Promise<WorkflowBundleWithSourceMap> {
  const replacements = (opts.replace ?? []).map((r) => new webpack.NormalModuleReplacementPlugin(r.request, r.file));
  const bundle = await bundleWorkflowCode({
    workflowsPath,
    preloadModules: [preloadPath],
    logger: { log() {}, trace() {}, debug() {}, info() {}, warn: console.warn, error: console.error },
    // moment (under date-holidays) loads its ~130 locales dynamically; the plan never formats
    // with them, so they stay out of the bundle every workflow context carries.
    webpackConfigHook: (config) => ({ ...config, plugins: [...(config.plugins ?? []), new webpack.IgnorePlugin({ resourceRegExp: /^\.\/locale$/, contextRegExp: /moment$/ }), ...replacements] }),
  });
  return { ...bundle, code: withoutSourcesContent(bundle.code) };
}

const INLINE_MAP = '//# sourceMappingURL=data:';

/**
 * The bundle with its inline source map's `sourcesContent` left out (3.2 of its 9.5 MiB).
 * Every workflow thread parses the map into a `SourceMapConsumer`, and the copies of the
 * original sources cost 40-60 MiB of worker RSS (issue 18). Stack traces still map to file,
 * line and column: only the source text is gone, which the worker shows only with
 * `showStackTraceSources` (off by default, and off here).
 */
export function withoutSourcesContent(code: string): string {
  const at = code.lastIndexOf(INLINE_MAP);
  if (at < 0) return code;
  const comma = code.indexOf(',', at);
  const map = JSON.parse(Buffer.from(code.slice(comma + 1).trim(), 'base64').toString('utf8')) as { sourcesContent?: unknown };
  delete map.sourcesContent;
  return `${code.slice(0, comma + 1)}${Buffer.from(JSON.stringify(map)).toString('base64')}\n`;
}

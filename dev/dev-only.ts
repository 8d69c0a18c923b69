// The parts of the development stack that need the dev dependencies (smtp-server, the Temporal
// time-skipping server of @temporalio/testing, the embedded PostgreSQL) are loaded with
// `await import()` only when used: a production install (`npm ci --omit=dev`, the image) runs
// the worker, the API and the CLI without them, and says so plainly when one is asked for.

/** A part of the dev stack asked for in an install without the dev dependencies. */
export class DevOnlyError extends Error {
  constructor(
    readonly part: string,
    readonly missingPackage: string,
    options?: ErrorOptions,
  ) {
    super(
      `${part} is part of the development stack and needs the dev dependencies, which this install does not have ` +
        `(${missingPackage} is missing: a production install, npm ci --omit=dev). Run it from a checkout after \`npm ci\`.`,
      options,
    );
    this.name = 'DevOnlyError';
  }
}

/** The npm package a failed `import()` could not find, or undefined for any other failure. */
export function missingPackageOf(err: unknown): string | undefined {
  const { code, message } = (err ?? {}) as { code?: string; message?: string };
  if (code !== 'ERR_MODULE_NOT_FOUND' && code !== 'MODULE_NOT_FOUND') return undefined;
  // Node: "Cannot find package 'smtp-server' imported from /app/dist/chunk-X.mjs"
  return /Cannot find (?:package|module) '((?:@[^/']+\/)?[^/'.][^/']*)/.exec(message ?? '')?.[1];
}

/**
 * Runs `load` (an `await import()` of a dev part, or a call that imports one); when an npm
 * package is missing, throws a DevOnlyError naming `part` and the package instead.
 */
export async function devPart<T>(part: string, load: () => Promise<T>): Promise<T> {
  try {
    return await load();
  } catch (err) {
    const missing = missingPackageOf(err);
    if (missing) throw new DevOnlyError(part, missing, { cause: err });
    throw err;
  }
}

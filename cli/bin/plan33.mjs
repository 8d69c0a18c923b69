#!/usr/bin/env node
// `npx plan33 ...`: the compiled CLI (dist/cli.mjs, scripts/build.mjs) when it is as new as the
// sources, else the TypeScript through tsx's loader (a checkout edited since the last set-up).
// tsx is a dev dependency: a production install (npm ci --omit=dev) runs dist/cli.mjs only.
import { existsSync } from 'node:fs';
import { upToDate } from '../../scripts/build.mjs';

const compiled = new URL('../../dist/cli.mjs', import.meta.url);
if (existsSync(compiled) && upToDate()) {
  await import(compiled.href);
} else {
  let tsx;
  try {
    tsx = await import('tsx/esm/api');
  } catch {
    const why = existsSync(compiled) ? 'dist/cli.mjs is older than the sources' : 'there is no dist/cli.mjs';
    process.stderr.write(`plan33: ${why}, and tsx (a dev dependency) is not installed to run the TypeScript. Compile with \`npm run build\` where the dev dependencies are (the image does it in its build stage), or run \`npm ci\`.\n`);
    process.exit(2);
  }
  tsx.register();
  await import('../cli.ts');
}

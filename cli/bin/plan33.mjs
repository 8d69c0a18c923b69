#!/usr/bin/env node
// `npx plan33 ...`: the compiled CLI (dist/cli.mjs, scripts/build.mjs) when it is as new as the
// sources, else the TypeScript through tsx's loader (a checkout edited since the last set-up).
import { existsSync } from 'node:fs';
import { upToDate } from '../../scripts/build.mjs';

const compiled = new URL('../../dist/cli.mjs', import.meta.url);
if (existsSync(compiled) && upToDate()) {
  await import(compiled.href);
} else {
  const { register } = await import('tsx/esm/api');
  register();
  await import('../cli.ts');
}

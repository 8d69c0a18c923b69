// Real Temporal servers for tests, `npm start` and the bench: the binaries found by
// dev/binaries.mjs, handed to the SDK as `existing-path` executables. Where none is found
// the SDK's own download is tried; if that fails too, the error says how to fix it.
import type { DataConverter } from '@temporalio/common';
import { join } from 'node:path';
import type { ConnectionPlugin } from '@temporalio/client';
import { TestWorkflowEnvironment, type LocalTestWorkflowEnvironmentOptions } from '@temporalio/testing';
import { cacheDir, locate, missingMessage } from './binaries.mjs';
import { SEARCH_ATTRIBUTES } from '../plan/search-attributes';
import { registerSearchAttributes } from '../service/search-attributes';

type Executable = { type: 'existing-path'; path: string } | { type: 'cached-download'; downloadDir: string };

function executableFor(name: 'cli' | 'testServer'): Executable {
  const found = locate(name);
  if ('path' in found) return { type: 'existing-path', path: found.path };
  if (found.error.includes('is not an executable')) throw new Error(found.error);
  return { type: 'cached-download', downloadDir: join(cacheDir, 'sdk-download') };
}

async function withHelp<T>(name: 'cli' | 'testServer', exe: Executable, start: () => Promise<T>): Promise<T> {
  try {
    return await start();
  } catch (err) {
    if (exe.type === 'cached-download') {
      throw new Error(`${missingMessage(name)}\n(the SDK's own download failed too: ${(err as Error).message})`, { cause: err });
    }
    throw err;
  }
}

/**
 * The Java test server allows a keepalive ping every 5 minutes only; the client's default of
 * 30 s (even without calls) earns a GOAWAY "too_many_pings" after a minute or so, and a call in
 * flight then can hang a test. Loopback needs no keepalive: ping rarely, never when idle.
 * (The worker's native connection cannot be told so: sdk-core pings every 30 s. Keep a
 * time-skipping server's life short, a test or a file of seconds; longer ones use the dev server.)
 */
const gentleKeepalive: ConnectionPlugin = {
  name: 'plan33-gentle-keepalive',
  configureConnection: (options) => ({
    ...options,
    channelArgs: { ...options.channelArgs, 'grpc.keepalive_time_ms': 600_000, 'grpc.keepalive_permit_without_calls': 0 },
  }),
};

/** A time-skipping test server on a free port, with clients and a native connection. */
export async function createTimeSkippingEnv(opts: { dataConverter?: DataConverter } = {}): Promise<TestWorkflowEnvironment> {
  const executable = executableFor('testServer');
  const client = opts.dataConverter ? { client: { dataConverter: opts.dataConverter } } : {};
  const env = await withHelp('testServer', executable, () => TestWorkflowEnvironment.createTimeSkipping({ server: { executable }, plugins: [gentleKeepalive], ...client }));
  await registerSearchAttributes(env.connection);
  return env;
}

export interface DevServerOptions {
  /** SQLite file: the server's state survives a restart. Unset: in memory. */
  dbFilename?: string;
  port?: number;
  /** Web UI port; unset: no UI. */
  uiPort?: number;
  namespace?: string;
}

/** The Temporal CLI dev server with plan33's search attributes registered. */
export async function createDevServerEnv(opts: DevServerOptions = {}): Promise<TestWorkflowEnvironment> {
  const executable = executableFor('cli');
  const server: LocalTestWorkflowEnvironmentOptions['server'] = {
    executable,
    searchAttributes: SEARCH_ATTRIBUTES,
    ...(opts.dbFilename ? { dbFilename: opts.dbFilename } : {}),
    ...(opts.port ? { port: opts.port } : {}),
    ...(opts.namespace ? { namespace: opts.namespace } : {}),
    ...(opts.uiPort ? { ui: true, uiPort: opts.uiPort } : { ui: false }),
    log: { format: 'json', level: 'error' },
    extraArgs: opts.uiPort ? ['--ui-disable-news-fetch'] : [],
  };
  return withHelp('cli', executable, () => TestWorkflowEnvironment.createLocal({ server }));
}

// The one place that says how to reach Temporal: TEMPORAL_ADDRESS (TLS, API key), or the
// embedded dev server `npm start` runs on this machine. The CLI and the API connect a client
// here; the worker and `npm start` hand the same options to the worker's native connection.
import { dataConverterFor } from '../lib/codec';
import { Client, Connection } from '@temporalio/client';
import type { Config } from '../lib/config';

export interface TemporalConnectionOptions {
  address: string;
  tls?: object;
  apiKey?: string;
}

/** Address, TLS and API key from config; `address` overrides (the embedded server's own). */
export function temporalConnectionOptions(config: Config, address?: string): TemporalConnectionOptions {
  return {
    address: address ?? config.temporal.address ?? `127.0.0.1:${config.temporal.embeddedPort}`,
    ...(config.temporal.tls ? { tls: {} } : {}),
    ...(config.temporal.apiKey ? { apiKey: config.temporal.apiKey } : {}),
  };
}

export async function connectClient(config: Config, address?: string): Promise<Client> {
  const options = temporalConnectionOptions(config, address);
  let connection: Connection;
  try {
    connection = await Connection.connect({ ...options, connectTimeout: '5s' });
  } catch (err) {
    throw new Error(`cannot reach Temporal at ${options.address} (${(err as Error).message}); is \`npm start\` running, or TEMPORAL_ADDRESS set?`, { cause: err });
  }
  // Customer data is encrypted on its way to Temporal when PLAN33_ENCRYPTION_KEYS is set (lib/codec.ts).
  const dataConverter = dataConverterFor(config.encryptionKeys);
  return new Client({ connection, namespace: config.temporal.namespace, ...(dataConverter ? { dataConverter } : {}) });
}

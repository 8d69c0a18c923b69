// A Temporal client from config, for the CLI and the API: TEMPORAL_ADDRESS, or the embedded
// dev server `npm start` runs on this machine.
import { Client, Connection } from '@temporalio/client';
import type { Config } from '../lib/config';

export async function connectClient(config: Config): Promise<Client> {
  const address = config.temporal.address ?? `127.0.0.1:${config.temporal.embeddedPort}`;
  const tls = config.temporal.tls ? {} : undefined;
  let connection: Connection;
  try {
    connection = await Connection.connect({ address, tls, apiKey: config.temporal.apiKey, connectTimeout: '5s' });
  } catch (err) {
    throw new Error(`cannot reach Temporal at ${address} (${(err as Error).message}); is \`npm start\` running, or TEMPORAL_ADDRESS set?`, { cause: err });
  }
  return new Client({ connection, namespace: config.temporal.namespace });
}

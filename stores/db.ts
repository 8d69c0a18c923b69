// The connection to plan33's PostgreSQL: a Kysely instance over a `pg` pool. Every store takes
// this one handle; `closeDatabase` ends the pool. A restart of PostgreSQL under a running worker
// is survived: idle connections that die are logged and replaced, and a query that fails mid-way
// fails its activity, which Temporal retries.
import { Kysely, PostgresDialect } from 'kysely';
import pg from 'pg';
import type { Database } from './schema';

export type Db = Kysely<Database>;

export interface DatabaseOptions {
  /** postgres://user:password@host:port/database */
  url: string;
  /** Connections in the pool (per process). */
  maxConnections?: number;
  /** Where a dropped idle connection is reported (default: ignored; the pool replaces it). */
  onError?: (err: Error) => void;
}

export function createDatabase(opts: DatabaseOptions): Db {
  const pool = new pg.Pool({ connectionString: opts.url, max: opts.maxConnections ?? 10, connectionTimeoutMillis: 10_000, idleTimeoutMillis: 30_000 });
  // Without a listener, an idle connection killed by a PostgreSQL restart crashes the process.
  pool.on('error', (err) => opts.onError?.(err));
  // So does a connection checked out when it dies (the pool listens only to idle ones): the
  // query or transaction on it fails, its activity is retried, the process lives on.
  pool.on('connect', (client) => client.on('error', (err) => opts.onError?.(err)));
  return new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
}

/** The URL with its password replaced, for banners and logs. */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return '(not a URL)';
  }
}

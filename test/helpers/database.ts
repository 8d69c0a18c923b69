// plan33's store for tests: one real PostgreSQL for the whole run (embedded, started by
// test/global-setup.ts, or PLAN33_TEST_DATABASE_URL), a migrated template database, and a
// fresh database per test file (or per test that needs its own) cloned from the template.
import pg from 'pg';
import { inject } from 'vitest';
import { storesOn, createDatabase, type Stores } from '../../stores';

let counter = 0;
/** A test database's stores and its URL (for a CLI in a child process). */
export type TestStores = Stores & { url: string };
let fileStores: Promise<TestStores> | undefined;

/** The URL of a new, empty, migrated database on the test server. */
export async function freshDatabaseUrl(): Promise<string> {
  const admin = inject('databaseAdminUrl');
  const name = `t_${process.pid}_${Date.now().toString(36)}_${counter++}`;
  const client = new pg.Client({ connectionString: admin });
  await client.connect();
  try {
    await client.query(`create database ${name} template ${inject('databaseTemplate')}`);
  } finally {
    await client.end();
  }
  const url = new URL(admin);
  url.pathname = `/${name}`;
  return url.toString();
}

/** A database of its own (isolation within a file: listing tasks, counting rows). */
export async function freshStores(): Promise<TestStores> {
  const url = await freshDatabaseUrl();
  return { ...storesOn(createDatabase({ url, maxConnections: 4 })), url };
}

/** The test file's database, created on first use. */
export function testStores(): Promise<TestStores> {
  return (fileStores ??= freshStores());
}

// Runs once before all test files: builds the workflow bundle a single time and starts one real
// PostgreSQL (embedded, or PLAN33_TEST_DATABASE_URL: an admin URL of a server you run, such as
// Debian's PostgreSQL 15) with a migrated template database; each test file clones its own.
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import pg from 'pg';
import type { TestProject } from 'vitest/node';
import { cacheDir, freePort } from '../dev/binaries.mjs';
import { postgresTempDir, startEmbeddedPostgres, type EmbeddedPostgres } from '../dev/embedded-postgres';
import { createDatabase } from '../stores';
import { migrateToLatest } from '../stores/migrate';
import { buildWorkflowBundle } from '../worker/bundle';

declare module 'vitest' {
  export interface ProvidedContext {
    workflowBundlePath: string;
    /** The test server's `postgres` database: test files create theirs through it. */
    databaseAdminUrl: string;
    /** A migrated database that each test file's database is cloned from. */
    databaseTemplate: string;
  }
}

async function startDatabase(): Promise<{ adminUrl: string; postgres?: EmbeddedPostgres; dir?: string }> {
  const given = process.env.PLAN33_TEST_DATABASE_URL;
  if (given) return { adminUrl: given };
  const dir = postgresTempDir('plan33-test-postgres-');
  const postgres = await startEmbeddedPostgres({ dataDir: join(dir, 'data'), port: await freePort(), maxConnections: 400 });
  return { adminUrl: postgres.adminUrl, postgres, dir };
}

export default async function setup(project: TestProject) {
  const started = Date.now();
  // The compiled entries (npm-start.test runs dist/start.mjs): `npm test`'s set-up built them; a bare `vitest` may not have.
  const { build, upToDate } = (await import('../scripts/build.mjs')) as { build: () => Promise<unknown>; upToDate: () => boolean };
  if (!upToDate()) await build();
  const [bundle, database] = await Promise.all([buildWorkflowBundle(), startDatabase()]);
  const dir = join(cacheDir, 'test');
  await mkdir(dir, { recursive: true });
  const codePath = join(dir, `workflow-bundle-${process.pid}.js`);
  await writeFile(codePath, bundle.code);
  project.provide('workflowBundlePath', codePath);

  const template = `plan33_template_${process.pid}`;
  const admin = new pg.Client({ connectionString: database.adminUrl });
  await admin.connect();
  await admin.query(`drop database if exists ${template}`);
  await admin.query(`create database ${template}`);
  const url = new URL(database.adminUrl);
  url.pathname = `/${template}`;
  const db = createDatabase({ url: url.toString(), maxConnections: 1 });
  await migrateToLatest(db);
  await db.destroy();
  project.provide('databaseAdminUrl', database.adminUrl);
  project.provide('databaseTemplate', template);
  console.log(`workflow bundle built and PostgreSQL ready in ${Date.now() - started} ms (${(bundle.code.length / 1024).toFixed(0)} KiB bundle, ${database.postgres ? 'embedded PostgreSQL' : 'PLAN33_TEST_DATABASE_URL'})`);

  return async () => {
    if (database.postgres) {
      await admin.end();
      await database.postgres.stop();
      await rm(database.dir!, { recursive: true, force: true });
      return;
    }
    // A server of yours: the test databases go, the server stays.
    const { rows } = await admin.query<{ datname: string }>(`select datname from pg_database where datname like 't\\_%' or datname = $1`, [template]);
    for (const r of rows) await admin.query(`drop database if exists ${r.datname} with (force)`);
    await admin.end();
  };
}

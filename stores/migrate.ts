// Versioned migrations (Kysely's Migrator), applied at start-up by the worker, the API and
// `npm start`, and by `plan33 db migrate`; `plan33 db status` lists applied and pending ones.
// The list is static (imported, not read from a folder), so it works the same under tsx, in a
// bundle and in the Docker image. Names sort in the order they run; a released one never changes.
import { Migrator, type Migration, type MigrationResultSet } from 'kysely/migration';
import type { Db } from './db';
import * as initial from './migrations/0001-initial';
import * as leads from './migrations/0002-leads';
import * as reservations from './migrations/0003-contact-reservations';
import * as households from './migrations/0004-households';
import * as sources from './migrations/0005-source-confirmations';
import * as planned from './migrations/0006-planned-touches';
import * as attribution from './migrations/0007-referral-attribution';
import * as nps from './migrations/0008-nps-responses';
import * as segments from './migrations/0009-customer-segments';
import * as holdout from './migrations/0010-holdout';
import * as web from './migrations/0011-web-sessions';
import * as privacy from './migrations/0012-privacy-audit';
import * as valueClass from './migrations/0013-value-class';

export const MIGRATIONS: Record<string, Migration> = {
  '0001-initial': initial,
  '0002-leads': leads,
  '0003-contact-reservations': reservations,
  '0004-households': households,
  '0005-source-confirmations': sources,
  '0006-planned-touches': planned,
  '0007-referral-attribution': attribution,
  '0008-nps-responses': nps,
  '0009-customer-segments': segments,
  '0010-holdout': holdout,
  '0011-web-sessions': web,
  '0012-privacy-audit': privacy,
  '0013-value-class': valueClass,
};

function migrator(db: Db): Migrator {
  return new Migrator({ db, provider: { getMigrations: async () => MIGRATIONS }, migrationTableName: 'plan33_migration', migrationLockTableName: 'plan33_migration_lock' });
}

export class MigrationError extends Error {
  override name = 'MigrationError';
}

/** Applies every pending migration (several processes may race: Kysely takes a lock). */
export async function migrateToLatest(db: Db): Promise<string[]> {
  const { error, results }: MigrationResultSet = await migrator(db).migrateToLatest();
  if (error) {
    const failed = results?.find((r) => r.status === 'Error');
    throw new MigrationError(`migration ${failed?.migrationName ?? '(unknown)'} failed: ${(error as Error).message ?? String(error)}`, { cause: error });
  }
  return (results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName);
}

export interface MigrationStatus {
  name: string;
  appliedAt?: Date;
}

/** Every known migration, with when it was applied (unset: pending). */
export async function migrationStatus(db: Db): Promise<MigrationStatus[]> {
  const all = await migrator(db).getMigrations();
  return all.map((m) => ({ name: m.name, ...(m.executedAt ? { appliedAt: m.executedAt } : {}) }));
}

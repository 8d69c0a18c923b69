// plan33's own store in PostgreSQL: the stores the activities write through, built on one
// Kysely handle. `openStores` connects and applies pending migrations first.
import { createDatabase, type DatabaseOptions, type Db } from './db';
import { migrateToLatest } from './migrate';
import { PgContactIndex } from './contacts';
import { PgDeliveryLedger } from './deliveries';
import { PgRecordStore } from './records';
import { PgTaskSink } from './tasks';
import { PgLeadStore } from './leads';

export interface Stores {
  db: Db;
  ledger: PgDeliveryLedger;
  tasks: PgTaskSink;
  contacts: PgContactIndex;
  records: PgRecordStore;
  leads: PgLeadStore;
}

export function storesOn(db: Db): Stores {
  return { db, ledger: new PgDeliveryLedger(db), tasks: new PgTaskSink(db), contacts: new PgContactIndex(db), records: new PgRecordStore(db), leads: new PgLeadStore(db) };
}

/** Connects, migrates to the latest schema, and returns the stores. */
export async function openStores(opts: DatabaseOptions): Promise<Stores> {
  const db = createDatabase(opts);
  try {
    await migrateToLatest(db);
  } catch (err) {
    await db.destroy();
    throw err;
  }
  return storesOn(db);
}

export type { Db } from './db';
export { createDatabase, redactUrl } from './db';

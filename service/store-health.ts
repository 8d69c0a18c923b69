// Whether plan33's store answers, for the API's /ready (within 2 s, like the Temporal check).
import { sql } from 'kysely';
import type { Db } from '../stores';

export type { Db } from '../stores';

export async function databaseAnswers(db: Db, timeoutMs = 2000): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      sql`select 1`.execute(db),
      new Promise((_, reject) => (timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs))),
    ]);
  } finally {
    clearTimeout(timer);
  }
}

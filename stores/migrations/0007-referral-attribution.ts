// Referral attribution: the touch whose referral link brought the referral (its key), so reports
// give referrals per touch kind and per plan.
import type { Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('referrals').addColumn('via_key', 'text').execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('referrals').dropColumn('via_key').execute();
}

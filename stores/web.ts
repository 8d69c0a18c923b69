// The web app's sign-in links and sessions. Tokens and session ids are random (32 bytes) and
// stored only as SHA-256 hashes; a link is redeemed at most once (an atomic update), before it
// expires; a session carries its own CSRF token, so one session's token is no use in another.
import { createHash, randomBytes } from 'node:crypto';
import type { Db } from './db';

const hash = (s: string) => createHash('sha256').update(s).digest('base64url');
const random = () => randomBytes(32).toString('base64url');

export interface WebSession {
  userId: string;
  role: 'agent' | 'manager';
  csrf: string;
}

export class PgWebStore {
  constructor(private readonly db: Db) {}

  /** A one-time sign-in token for `userId`, valid `ttlMs`. */
  async createSignIn(userId: string, nowMs: number, ttlMs: number): Promise<string> {
    const token = random();
    await this.db.insertInto('web_sign_ins').values({ token_hash: hash(token), user_id: userId, expires_at: new Date(nowMs + ttlMs), used_at: null }).execute();
    return token;
  }

  /** The user a token signs in, marking it used; undefined for an unknown, used or expired token. */
  async redeemSignIn(token: string, nowMs: number): Promise<string | undefined> {
    const row = await this.db
      .updateTable('web_sign_ins')
      .set({ used_at: new Date(nowMs) })
      .where('token_hash', '=', hash(token))
      .where('used_at', 'is', null)
      .where('expires_at', '>', new Date(nowMs))
      .returning('user_id')
      .executeTakeFirst();
    return row?.user_id;
  }

  async createSession(user: { userId: string; role: 'agent' | 'manager' }, nowMs: number, ttlMs: number): Promise<{ id: string; csrf: string }> {
    const id = random();
    const csrf = random();
    await this.db.insertInto('web_sessions').values({ id_hash: hash(id), user_id: user.userId, role: user.role, csrf, expires_at: new Date(nowMs + ttlMs) }).execute();
    return { id, csrf };
  }

  async session(id: string, nowMs: number): Promise<WebSession | undefined> {
    const row = await this.db.selectFrom('web_sessions').select(['user_id', 'role', 'csrf']).where('id_hash', '=', hash(id)).where('expires_at', '>', new Date(nowMs)).executeTakeFirst();
    return row ? { userId: row.user_id, role: row.role, csrf: row.csrf } : undefined;
  }

  async endSession(id: string): Promise<void> {
    await this.db.deleteFrom('web_sessions').where('id_hash', '=', hash(id)).execute();
  }
}

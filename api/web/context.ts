// What every page of the web app gets: the Temporal client (through the service layer), the store,
// the agents (who may sign in, and as what), and the signed-in user on each request.
import type { Client } from '@temporalio/client';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { AgentDirectory } from '../../lib/agents';
import { sameText } from '../../lib/same-text';
import type { ClvSettings } from '../../plan/clv';
import type { PlanOverrides } from '../../plan/definitions';
import type { SendingHours } from '../../plan/sending-hours';
import type { Db } from '../../stores';
import type { PgWebStore } from '../../stores/web';
import type { PageUser } from './layout';

export interface WebOptions {
  client: Client;
  db: Db;
  taskQueue: string;
  /** The people who sign in: agents, and managers (role `manager`, or named as someone's manager). */
  agents: AgentDirectory;
  /** Sends a plain email through the same SMTP as the touches (sign-in links). */
  sendMail(to: string, subject: string, text: string): Promise<void>;
  /** The public URL of this server (links in emails). */
  publicBaseUrl: string;
  /** Signs customers' preference links (UNSUBSCRIBE_SECRET). */
  linkSecret?: string;
  clv?: ClvSettings;
  sendingHours?: SendingHours;
  planOverrides?: PlanOverrides;
  /** Cookies only over HTTPS (`Secure`): on unless the public URL is plain http on localhost. */
  secureCookies: boolean;
}

export interface WebContext extends WebOptions {
  store: PgWebStore;
}

declare module 'fastify' {
  interface FastifyRequest {
    /** Set by the web app's session hook on signed-in pages. */
    webUser?: PageUser;
  }
}

/** The signed-in user (the session hook ran): pages behind `requireUser` only. */
export function userOf(req: FastifyRequest): PageUser {
  if (!req.webUser) throw new Error('no signed-in user on this request');
  return req.webUser;
}

/** A form post without this session's CSRF token is refused (403), nothing changed. */
export function checkCsrf(req: FastifyRequest, reply: FastifyReply): boolean {
  const given = (req.body as { _csrf?: string } | undefined)?._csrf;
  // In constant time (lib/same-text.ts): the comparison tells nothing of the token's characters or length.
  if (typeof given === 'string' && given && req.webUser && sameText(given, req.webUser.csrf)) return true;
  void reply.code(403).type('text/plain; charset=utf-8').send('This form has expired or came from another session (CSRF check failed). Reload the page and try again.');
  return false;
}

/** Managers see everyone; an agent, only their own people and tasks. */
export const isManager = (user: PageUser) => user.role === 'manager';

// The agent's inbox and a person's timeline.
import type { FastifyInstance } from 'fastify';
import type { WebContext } from './context';

export function registerInbox(app: FastifyInstance, ctx: WebContext): void {
  void app;
  void ctx;
}

// The customer's preference page.
import type { FastifyInstance } from 'fastify';
import type { WebContext } from './context';

export function registerPreferences(app: FastifyInstance, ctx: WebContext): void {
  void app;
  void ctx;
}

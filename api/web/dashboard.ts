// The manager's dashboard and what a plan change affects.
import type { FastifyInstance } from 'fastify';
import type { WebContext } from './context';

export function registerDashboard(app: FastifyInstance, ctx: WebContext): void {
  void app;
  void ctx;
}

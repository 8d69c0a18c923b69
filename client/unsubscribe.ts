// What the one-click unsubscribe endpoint does (the HTTP API mounts it at
// POST /v1/unsubscribe/:token): verify the token, then opt the customer out of the channel.
import type { Client } from '@temporalio/client';
import { verifyUnsubscribeToken } from '../lib/unsubscribe';
import { customerWorkflowId } from '../plan/ids';
import { optOutSignal } from '../workflows/messages';

export class InvalidTokenError extends Error {
  override name = 'InvalidTokenError';
}

export async function unsubscribeByToken(client: Client, secret: string, token: string): Promise<{ customerId: string; channel: string }> {
  const payload = verifyUnsubscribeToken(secret, token);
  if (!payload) throw new InvalidTokenError('token: not a valid unsubscribe link');
  await client.workflow.getHandle(customerWorkflowId(payload.customerId)).signal(optOutSignal, { channel: payload.channel, reason: 'one-click unsubscribe' });
  return payload;
}

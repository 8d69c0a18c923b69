// What the one-click unsubscribe endpoint does (the HTTP API mounts it at
// POST /v1/unsubscribe/:token): verify the token, then opt the customer out of the channel.
import { WorkflowNotFoundError, type Client } from '@temporalio/client';
import { verifyUnsubscribeToken } from '../lib/unsubscribe';
import { customerWorkflowId } from '../plan/ids';
import { optOutSignal } from '../workflows/messages';

export class InvalidTokenError extends Error {
  override name = 'InvalidTokenError';
}

export async function unsubscribeByToken(client: Client, secret: string, token: string): Promise<{ customerId: string; channel: string }> {
  const payload = verifyUnsubscribeToken(secret, token);
  if (!payload) throw new InvalidTokenError('token: not a valid unsubscribe link');
  try {
    await client.workflow.getHandle(customerWorkflowId(payload.customerId)).signal(optOutSignal, { channel: payload.channel, reason: 'one-click unsubscribe' });
  } catch (err) {
    // The customer's plan has ended: nothing will be sent, so the link has done its job.
    if (!(err instanceof WorkflowNotFoundError)) throw err;
  }
  return payload;
}

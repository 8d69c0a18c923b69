// Email bounces and complaints from the mail provider (SES, SendGrid, Postmark... or a DSN
// parser): the event names plan33's Message-ID (`<customer-<id>.y1.t3@plan33>`, made from the
// touch key), which tells whose year it is. A hard bounce or a complaint turns email consent off
// with the reason, so the year's next touches fall back to another channel; a soft bounce changes
// nothing (the provider retries; a refused address already fails for good at the send).
import type { Client } from '@temporalio/client';
import { z } from 'zod';
import { describeIssues } from '../plan/customer';
import { parseTouchKey } from '../plan/ids';
import { optOutSignal } from '../workflows/messages';
import { ValidationError } from './errors';
import { eventFromDsn } from './dsn';

export const emailEventSchema = z
  .object({
    type: z.enum(['bounce', 'complaint']),
    /** For a bounce: `hard` (the address does not exist) or `soft` (mailbox full, greylisted). */
    bounceType: z.enum(['hard', 'soft']).optional(),
    /** The Message-ID of the email plan33 sent, with or without the angle brackets. */
    messageId: z.string().trim().min(3).max(300),
    reason: z.string().trim().max(500).optional(),
  })
  .strict()
  .refine((e) => e.type !== 'bounce' || e.bounceType !== undefined, { path: ['bounceType'], message: 'required for a bounce: hard or soft' });
export type EmailEvent = z.infer<typeof emailEventSchema>;

/** The touch key inside one of plan33's Message-IDs, or undefined. */
export function keyOfMessageId(messageId: string) {
  const m = /^<?([A-Za-z0-9._-]+)@plan33>?$/.exec(messageId.trim());
  return m ? parseTouchKey(m[1]!) : undefined;
}

/** A bounce mail as it came (RFC 3464 DSN, the whole message): a mailbox's forwarder posts it as `{ "dsn": "<raw>" }`. */
export const dsnEventSchema = z.object({ dsn: z.string().min(1).max(1_000_000) }).strict();

export async function emailEvent(client: Client, input: unknown): Promise<{ action: 'email-consent-off' | 'none'; workflowId?: string; reason: string }> {
  if (input && typeof input === 'object' && 'dsn' in input) {
    const dsn = dsnEventSchema.safeParse(input);
    if (!dsn.success) throw new ValidationError(describeIssues(dsn.error));
    const event = await eventFromDsn(dsn.data.dsn);
    if (!event) return { action: 'none', reason: 'not a failed or delayed delivery report for a message plan33 sent' };
    return emailEvent(client, event);
  }
  const parsed = emailEventSchema.safeParse(input);
  if (!parsed.success) throw new ValidationError(describeIssues(parsed.error));
  const e = parsed.data;
  const key = keyOfMessageId(e.messageId);
  if (!key) throw new ValidationError([`messageId: ${JSON.stringify(e.messageId)} is not the Message-ID of an email plan33 sent (<customer-<id>.y<year>.t<seq>@plan33>)`]);
  if (e.type === 'bounce' && e.bounceType === 'soft') return { action: 'none', workflowId: key.workflowId, reason: `soft bounce${e.reason ? `: ${e.reason}` : ''} (the provider retries; consent unchanged)` };
  const reason = `${e.type === 'complaint' ? 'complaint: marked as spam' : 'hard bounce'}${e.reason ? `: ${e.reason}` : ''}`.slice(0, 200);
  // A lead's 8x8 letters come from `lead-<id>`; its email consent lives in the person's customer year when there is one.
  if (key.lead) return { action: 'none', workflowId: key.workflowId, reason: `${reason} (a lead's letter: end or edit the lead to stop its emails)` };
  await client.workflow.getHandle(key.workflowId).signal(optOutSignal, { channel: 'email', reason });
  return { action: 'email-consent-off', workflowId: key.workflowId, reason };
}

// Deterministic names: one place that says how ids are made.

/** The workflow id of a customer's relationship (PRODUCT.md): `customer-<id>`. */
export function customerWorkflowId(customerId: string): string {
  return `customer-${customerId}`;
}

/** The workflow id of a lead (PRODUCT.md): `lead-<id>`; the same id continues as `customer-<id>` at the deal. */
export function leadWorkflowId(leadId: string): string {
  return `lead-${leadId}`;
}

/**
 * The idempotency key of one touch: the same touch retried (or replayed) has the same key,
 * so a sink that has seen the key never delivers twice. Also the id of a call task: URL-safe.
 */
export function touchKey(workflowId: string, planYear: number, seq: number): string {
  return `${workflowId}.y${planYear}.t${seq}`;
}

/**
 * Reads a touch key (a call task id) back: which workflow (a customer's or a lead's), year and
 * touch. Undefined if malformed.
 */
export function parseTouchKey(key: string): { workflowId: string; customerId: string; planYear: number; seq: number; lead: boolean } | undefined {
  const m = /^((customer|lead)-([A-Za-z0-9._-]{1,64}))\.y(\d{1,4})\.t(\d{1,5})$/.exec(key);
  return m ? { workflowId: m[1]!, customerId: m[3]!, planYear: Number(m[4]), seq: Number(m[5]), lead: m[2] === 'lead' } : undefined;
}

/** The id of a lead's first-contact task (attempt 1, 2, ... after a reassignment). */
export function contactTaskId(leadId: string, attempt: number): string {
  return `${leadWorkflowId(leadId)}.contact.${attempt}`;
}

/**
 * Reads a lead task id back (first contact, reply, contact later, an 8x8 call: year 0): the
 * lead's id. The general 33's call tasks (`lead-<id>.y1.t5`) are a customer year's, not these.
 */
export function leadOfTask(taskId: string): string | undefined {
  const m = /^lead-([A-Za-z0-9._-]{1,64})\.(contact\.|reply\.|later\.|y0\.t)/.exec(taskId);
  return m ? m[1] : undefined;
}

/** The id of the task made from an inbound SMS reply. */
export function replyTaskId(workflowId: string, messageSid: string): string {
  return `${workflowId}.reply.${messageSid.replace(/[^A-Za-z0-9]/g, '')}`;
}

/** Channels with a send-rate limit of their own: their deliveries run on a task queue each. */
export const RATE_LIMITED_CHANNELS = ['email', 'sms'] as const;
export type RateLimitedChannel = (typeof RATE_LIMITED_CHANNELS)[number];

/** The task queue for one channel's deliveries (`plan33` → `plan33-email`, `plan33-sms`). */
export function channelTaskQueue(taskQueue: string, channel: RateLimitedChannel): string {
  return `${taskQueue}-${channel}`;
}

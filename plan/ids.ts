// Deterministic names: one place that says how ids are made.

/** The workflow id of a customer's relationship (PRODUCT.md): `customer-<id>`. */
export function customerWorkflowId(customerId: string): string {
  return `customer-${customerId}`;
}

/**
 * The idempotency key of one touch: the same touch retried (or replayed) has the same key,
 * so a sink that has seen the key never delivers twice. Also the id of a call task: URL-safe.
 */
export function touchKey(workflowId: string, planYear: number, seq: number): string {
  return `${workflowId}.y${planYear}.t${seq}`;
}

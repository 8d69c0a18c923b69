// HMAC-SHA256 signatures for the webhooks plan33 sends (CRM, fulfilment) and receives
// (shipped confirmations), in the common `t=<unix seconds>,v1=<hex>` form: the timestamp is
// signed with the body, so an old request cannot be replayed later.
import { createHmac, timingSafeEqual } from 'node:crypto';

export const SIGNATURE_HEADER = 'x-plan33-signature';

export function signBody(secret: string, body: string, nowSeconds = Math.floor(Date.now() / 1000)): string {
  const mac = createHmac('sha256', secret).update(`${nowSeconds}.${body}`).digest('hex');
  return `t=${nowSeconds},v1=${mac}`;
}

/** Why a signature is not acceptable, or undefined when it is. */
export function signatureProblem(secret: string, header: string | undefined, body: string, { toleranceSeconds = 300, nowSeconds = Math.floor(Date.now() / 1000) } = {}): string | undefined {
  if (!header) return `missing ${SIGNATURE_HEADER} header`;
  const parts = Object.fromEntries(header.split(',').map((p) => p.trim().split('=') as [string, string]));
  const t = Number(parts.t);
  if (!Number.isInteger(t) || !parts.v1) return `malformed ${SIGNATURE_HEADER} header`;
  if (Math.abs(nowSeconds - t) > toleranceSeconds) return 'signature timestamp too old or in the future';
  const expected = Buffer.from(createHmac('sha256', secret).update(`${t}.${body}`).digest('hex'));
  const given = Buffer.from(parts.v1);
  return expected.length === given.length && timingSafeEqual(expected, given) ? undefined : 'signature does not match';
}

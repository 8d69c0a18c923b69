// Posting JSON to another system (CRM, print-and-mail or fulfilment provider): signed, with
// an Idempotency-Key so the receiver can drop a retried request, and an answer classified
// for Temporal: a 4xx other than 408/409/429 will not get better by retrying.
import { ApplicationFailure } from '@temporalio/activity';
import { SIGNATURE_HEADER, signBody } from '../lib/webhook-signature';

export interface WebhookTarget {
  url: string;
  secret: string;
}

export async function postSignedJson(target: WebhookTarget, body: unknown, idempotencyKey: string, timeoutMs = 15_000): Promise<unknown> {
  const text = JSON.stringify(body);
  let res: Response;
  try {
    res = await fetch(target.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'idempotency-key': idempotencyKey, [SIGNATURE_HEADER]: signBody(target.secret, text), 'user-agent': 'plan33' },
      body: text,
      signal: AbortSignal.timeout(timeoutMs),
    });
  } catch (err) {
    throw new Error(`${new URL(target.url).host}: ${(err as Error).message}`, { cause: err }); // network: retried
  }
  const answer = await res.text();
  if (res.ok) {
    try {
      return answer ? (JSON.parse(answer) as unknown) : undefined;
    } catch {
      return answer;
    }
  }
  const message = `${new URL(target.url).host} answered ${res.status}: ${answer.slice(0, 200)}`;
  // 409: the same Idempotency-Key still in flight at the receiver; asking again settles it.
  if (res.status >= 400 && res.status < 500 && ![408, 409, 429].includes(res.status)) throw ApplicationFailure.nonRetryable(message, 'WebhookRejected');
  throw new Error(message);
}

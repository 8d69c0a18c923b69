// Cards, letters and gifts by post: an item for the print-and-mail provider (a signed webhook),
// or a postal task row for the business to fulfil. Idempotent by the touch key.
import type { TouchResult } from '../plan/touch';
import { envelopeNames, householdOf, sharedItemKey } from '../plan/household';
import type { ActivityDeps, TouchDelivery } from './deps';
import { renderPostal } from './email-content';
import { attemptIso, fullName, permanent } from './kit';
import type { PostalItem } from './task-sink';
import { postSignedJson } from './webhooks';

export function postalChannel(deps: Pick<ActivityDeps, 'tasks' | 'business' | 'fulfilment' | 'records'>) {
  const { tasks, business } = deps;

  async function queuePostal({ key, customer, touch, context }: TouchDelivery): Promise<TouchResult> {
    if (!customer.address || !customer.consent.postal) permanent('no postal address or no postal consent', 'NoConsent');
    // A household that opted in gets one card for all: the first member's year sends it, addressed
    // to everyone; the others' touch is recorded as carried by that card.
    let recipient = fullName(customer);
    const household = householdOf(customer);
    const shared = household ? sharedItemKey(touch) : undefined;
    if (household && shared) {
      const { names, carriedBy } = await deps.records.claimHouseholdItem({ household, item: shared, taskId: key, customerId: customer.id });
      if (carriedBy !== key) return { outcome: 'skipped', reason: `one card for the household: sent with ${carriedBy}`, reference: carriedBy };
      if (names.length > 1) recipient = envelopeNames([...names, fullName(customer)], customer.locale);
    }
    const item: PostalItem = {
      type: 'postal',
      taskId: key,
      customerId: customer.id,
      recipient,
      address: customer.address,
      kind: touch.kind,
      item: touch.kind === 'give-away' || touch.kind === 'value-added' ? touch.title : `${{ newsletter: 'Printed newsletter', 'follow-up-letter': 'Letter' }[touch.kind as string] ?? 'Card'}: ${touch.title}`,
      title: touch.title,
      message: renderPostal(customer, touch, business, context),
      locale: customer.locale,
    };
    if (deps.fulfilment) {
      const answer = (await postSignedJson(deps.fulfilment, item, key)) as { id?: unknown } | undefined;
      return { outcome: 'sent', reference: typeof answer?.id === 'string' ? answer.id : key };
    }
    await tasks.push(item, attemptIso());
    return { outcome: 'sent', reference: key };
  }

  return { queuePostal };
}

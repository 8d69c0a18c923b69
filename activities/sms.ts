// SMS through the Twilio client. Exactly once per key: when an earlier attempt died after
// starting, Twilio is asked (`messages.list`) whether that message went out before sending again.
import { log as activityLog } from '@temporalio/activity';
import type { TouchResult } from '../plan/touch';
import type { ActivityDeps, TouchDelivery } from './deps';
import { renderTouchSms } from './email-content';
import { PERMANENT_TWILIO_CODES, permanent, withSurveyLink } from './kit';

export function smsChannel(deps: Pick<ActivityDeps, 'sms' | 'ledger' | 'business' | 'contacts' | 'unsubscribe'>) {
  const { ledger, business } = deps;

  async function sendSms({ key, customer, touch, context }: TouchDelivery): Promise<TouchResult> {
    if (!deps.sms) permanent('SMS is not configured (TWILIO_ACCOUNT_SID)', 'ChannelNotConfigured');
    if (!customer.phone || !customer.consent.sms) permanent('no phone number or no SMS consent', 'NoConsent');
    const { client, from, messagingServiceSid } = deps.sms;
    const to = customer.phone;
    const body = renderTouchSms(customer, touch, business, withSurveyLink(deps.unsubscribe, key, customer, touch, context));
    await deps.contacts?.remember(to, { customerId: customer.id, workflowId: key.split('.y')[0]! });
    // An earlier attempt died after starting: ask Twilio whether that message went out.
    const unsure = await ledger.sendingMark(key);
    if (unsure) {
      const since = Date.parse(unsure.startedAt) - 60_000;
      const sent = (await client.messages.list({ to, limit: 50 })).find((m) => m.body === (unsure.body ?? body) && m.dateCreated.getTime() >= since);
      if (sent) {
        activityLog.warn('an earlier attempt sent this SMS before it died; not sending again', { key, sid: sent.sid });
        return { outcome: 'sent', reference: sent.sid };
      }
    }
    await ledger.markSending(key, { startedAt: new Date().toISOString(), channel: 'sms', to, body });
    try {
      const message = await client.messages.create({ to, body, ...(messagingServiceSid ? { messagingServiceSid } : { from }) });
      return { outcome: 'sent', reference: message.sid };
    } catch (err) {
      const e = err as { code?: number; status?: number; message: string };
      if (e.code !== undefined && PERMANENT_TWILIO_CODES.has(e.code)) permanent(`Twilio refused the message (${e.code}): ${e.message}`, 'PermanentDeliveryFailure');
      throw err; // 429 and 5xx: Temporal retries with backoff
    }
  }

  return { sendSms };
}

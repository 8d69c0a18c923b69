// The activity factory: every activity gets exactly the dependencies it needs, and only
// worker/ builds the real ones from validated config. Workflows import this file by type only.
import { ApplicationFailure, log as activityLog } from '@temporalio/activity';
import type { Transporter } from 'nodemailer';
import type { Customer } from '../plan/customer';
import { resolvePlan, type PlanDefinition, type PlanOverrides } from '../plan/definitions';
import type { PlanName, Touch, TouchResult } from '../plan/touch';
import { listUnsubscribeHeaders, type UnsubscribeConfig } from '../lib/unsubscribe';
import type { DeliveryLedger } from './delivery-ledger';
import { renderPostal, renderTouchEmail, renderTouchSms, type Business, type TouchContext } from './email-content';
import type { TaskSink } from './task-sink';

/** The one call of the Twilio client plan33 makes (`client.messages.create`). */
export interface SmsClient {
  messages: { create(opts: { to: string; body: string; from?: string; messagingServiceSid?: string }): Promise<{ sid: string }> };
}

export interface ActivityDeps {
  mailer: Pick<Transporter, 'sendMail'>;
  sms?: { client: SmsClient; from?: string; messagingServiceSid?: string };
  tasks: TaskSink;
  ledger: DeliveryLedger;
  business: Business;
  planOverrides?: PlanOverrides;
  /** Adds RFC 8058 one-click unsubscribe headers to every email when set. */
  unsubscribe?: UnsubscribeConfig;
}

export interface TouchDelivery {
  /** Idempotency key: workflow id, plan year and touch number (see plan/ids.ts). */
  key: string;
  customer: Customer;
  touch: Touch;
  context?: TouchContext;
}

/** Twilio errors no retry will fix: opted out (21610), invalid or unreachable number. */
const PERMANENT_TWILIO_CODES = new Set([21610, 21211, 21214, 21612, 21614, 21408]);

function permanent(reason: string, type: string): never {
  throw ApplicationFailure.nonRetryable(reason, type);
}

/** A stable Message-ID from the idempotency key: receivers can drop a duplicate too. */
export function messageIdFor(key: string): string {
  return `<${key.replace(/[^A-Za-z0-9._-]/g, '.')}@plan33>`;
}

export function createActivities(deps: ActivityDeps) {
  const { mailer, ledger, business, tasks } = deps;

  async function sendEmail({ key, customer, touch, context }: TouchDelivery): Promise<TouchResult> {
    if (!customer.email || !customer.consent.email) permanent('no email address or no email consent', 'NoConsent');
    const content = await renderTouchEmail(customer, touch, business, context);
    const messageId = messageIdFor(key);
    try {
      const headers = { 'X-Plan33-Touch': key, ...(deps.unsubscribe ? listUnsubscribeHeaders(deps.unsubscribe, customer.id) : {}) };
      await mailer.sendMail({ from: business.mailFrom, to: customer.email, subject: content.subject, text: content.text, html: content.html, messageId, headers });
    } catch (err) {
      const e = err as { responseCode?: number; code?: string; message: string };
      if ((typeof e.responseCode === 'number' && e.responseCode >= 500) || e.code === 'EENVELOPE') permanent(`refused by the mail server: ${e.message}`, 'PermanentDeliveryFailure');
      throw err; // transient: Temporal retries with backoff
    }
    return { outcome: 'sent', reference: messageId };
  }

  async function sendSms({ customer, touch, context }: TouchDelivery): Promise<TouchResult> {
    if (!deps.sms) permanent('SMS is not configured (TWILIO_ACCOUNT_SID)', 'ChannelNotConfigured');
    if (!customer.phone || !customer.consent.sms) permanent('no phone number or no SMS consent', 'NoConsent');
    const { client, from, messagingServiceSid } = deps.sms;
    try {
      const message = await client.messages.create({ to: customer.phone, body: renderTouchSms(customer, touch, business, context), ...(messagingServiceSid ? { messagingServiceSid } : { from }) });
      return { outcome: 'sent', reference: message.sid };
    } catch (err) {
      const e = err as { code?: number; status?: number; message: string };
      if (e.code !== undefined && PERMANENT_TWILIO_CODES.has(e.code)) permanent(`Twilio refused the message (${e.code}): ${e.message}`, 'PermanentDeliveryFailure');
      throw err; // 429 and 5xx: Temporal retries with backoff
    }
  }

  async function queuePostal({ key, customer, touch, context }: TouchDelivery): Promise<TouchResult> {
    if (!customer.address || !customer.consent.postal) permanent('no postal address or no postal consent', 'NoConsent');
    await tasks.push({
      type: 'postal',
      taskId: key,
      customerId: customer.id,
      recipient: [customer.name.first, customer.name.last].filter(Boolean).join(' '),
      address: customer.address,
      kind: touch.kind,
      title: touch.title,
      message: renderPostal(customer, touch, business, context),
    });
    return { outcome: 'sent', reference: key };
  }

  async function createCallTask({ key, customer, touch }: TouchDelivery): Promise<TouchResult> {
    if (!customer.phone || !customer.consent.phone) permanent('no phone number or no phone consent', 'NoConsent');
    await tasks.push({
      type: 'call',
      taskId: key,
      agent: customer.agent,
      customerId: customer.id,
      customerName: [customer.name.first, customer.name.last].filter(Boolean).join(' '),
      phone: customer.phone,
      title: touch.title,
      dueAt: touch.at,
      talkingPoints: ['How are things going since we last spoke?', 'Anything we can help with?', `Ask for a referral: ${business.referralUrl}`],
    });
    return { outcome: 'sent', reference: key };
  }

  return {
    /** Delivers one touch on its channel, exactly once per key. */
    async deliverTouch(req: TouchDelivery): Promise<TouchResult> {
      const earlier = await ledger.get(req.key);
      if (earlier) {
        activityLog.info('touch already delivered; not sending again', { key: req.key });
        return earlier;
      }
      const send = { email: sendEmail, sms: sendSms, postal: queuePostal, phone: createCallTask, none: undefined }[req.touch.channel];
      if (!send) permanent(`touch ${req.touch.seq} has no channel`, 'NoChannel');
      try {
        const result = await send(req);
        await ledger.record(req.key, result);
        activityLog.info('touch delivered', { key: req.key, kind: req.touch.kind, channel: req.touch.channel });
        return result;
      } catch (err) {
        if (err instanceof ApplicationFailure && err.nonRetryable) await ledger.record(req.key, { outcome: 'failed', reason: err.message });
        throw err;
      }
    },

    /** The plan definition for a new year or an advocate switch, with the segment's overrides. */
    async loadPlanDefinition(req: { plan: PlanName; version?: number; segment?: string }): Promise<PlanDefinition> {
      return resolvePlan(req.plan, { version: req.version, segment: req.segment, overrides: deps.planOverrides });
    },
  };
}

export type Activities = ReturnType<typeof createActivities>;

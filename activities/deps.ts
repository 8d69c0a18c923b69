// What the activities need and what they are asked: narrow dependencies (only worker/ builds the
// real ones from validated config) and the requests the workflow sends.
import type { Transporter } from 'nodemailer';
import type { Customer } from '../plan/customer';
import type { PlanOverrides } from '../plan/definitions';
import type { Touch } from '../plan/touch';
import type { UnsubscribeConfig } from '../lib/unsubscribe';
import type { PgSegmentStore } from '../stores/segments';
import type { ContactIndex } from '../stores/contacts';
import type { PgLeadStore } from '../stores/leads';
import type { LeadSettings } from '../plan/lead-routing';
import type { ContactRules } from '../plan/contact-rules';
import type { DeliveryLedger } from '../stores/deliveries';
import type { RecordStore } from '../stores/records';
import type { AgentDirectory } from './agents';
import type { CallContext } from './call-task';
import type { Business, TouchContext } from './email-content';
import type { TaskSink } from './task-sink';
import type { WebhookTarget } from './webhooks';

/** The calls of the Twilio client plan33 makes (`messages.create`, and `messages.list` to reconcile). */
export interface SmsClient {
  messages: {
    create(opts: { to: string; body: string; from?: string; messagingServiceSid?: string }): Promise<{ sid: string }>;
    list(opts: { to: string; limit: number }): Promise<Array<{ sid: string; body: string; dateCreated: Date }>>;
  };
}

export interface ActivityDeps {
  mailer: Pick<Transporter, 'sendMail'>;
  sms?: { client: SmsClient; from?: string; messagingServiceSid?: string };
  tasks: TaskSink;
  ledger: DeliveryLedger;
  /** The rows reports read: touch outcomes, where each year stands, deals, referrals, call outcomes. */
  records: RecordStore;
  business: Business;
  planOverrides?: PlanOverrides;
  /** Adds RFC 8058 one-click unsubscribe headers to every email when set. */
  unsubscribe?: UnsubscribeConfig;
  /** Customer segments (stores/segments.ts); without it `refreshSegments` fails (not retried). */
  segments?: Pick<PgSegmentStore, 'facts' | 'save'>;
  /** Agents' emails, cover while away, managers; without it tasks only go to the tasks table. */
  agents?: AgentDirectory;
  /** Phone number -> customer, for inbound SMS. */
  contacts?: ContactIndex;
  /** Leads: stage rows, and what Assign needs (open load, tasks given today). */
  leads?: Pick<PgLeadStore, 'recordStage' | 'recordAssignment' | 'agentFacts' | 'completeTasks'>;
  /** How often one person may be contacted, across all their plans; unset: no limit. */
  contactRules?: ContactRules;
  /** The business's lead rules (sources, Assign rules, first-contact timings). */
  leadSettings?: LeadSettings;
  /** Call and reply tasks are also posted here (signed JSON). */
  crm?: WebhookTarget;
  /** Cards and gifts go to this print-and-mail provider instead of the local queue folder. */
  fulfilment?: WebhookTarget;
  /** Newsletter issues, one per month; unset: the built-in newsletter words. */
  content?: { dir: string; graceHours: number };
  /** Who hears about problems only a person can fix (a missing newsletter issue). */
  operatorEmail?: string;
  /** How an agent completes a task, e.g. the API URL (shown in the agent's email). */
  completeHint?: (taskId: string) => string;
}

export interface TouchDelivery {
  /** Idempotency key: workflow id, plan year and touch number (see plan/ids.ts). */
  key: string;
  customer: Customer;
  touch: Touch;
  context?: TouchContext & { call?: CallContext };
  /**
   * Workflow time when the workflow asked, for a delivery run as a local activity: a local
   * activity's scheduled time is the worker's clock, which is not the workflow's on a
   * time-skipping server (see attemptTimeMs).
   */
  workflowNowMs?: number;
}

export interface CallReminder {
  taskId: string;
  stage: 'reminder' | 'escalation';
  customer: Customer;
  touch: Touch;
  /** The agent the task is with now. */
  assignee: string;
  context: CallContext;
}

export interface CustomerReply {
  key: string;
  customer: Customer;
  messageSid: string;
  text: string;
  receivedAt: string;
}

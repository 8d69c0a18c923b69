// The work for people that activities hand over: call and reply tasks for agents, and postal
// items (cards, letters, gifts) for fulfilment. Stored by stores/tasks.ts, one row per task id.
import type { CallTask, ReplyTask } from './call-task';

export type { CallTask, ReplyTask } from './call-task';

export interface PostalItem {
  type: 'postal';
  taskId: string;
  customerId: string;
  recipient: string;
  address: { line1: string; line2?: string; city: string; region?: string; postalCode?: string; country: string };
  kind: string;
  /** What goes in the envelope: the card (by occasion) or the gift. */
  item: string;
  title: string;
  message: string;
  locale: string;
}

/** Work on a lead for its agent: the first contact, a reply to answer, a day they asked to be contacted. */
export interface LeadTask {
  type: 'lead';
  taskId: string;
  reason: 'first-contact' | 'reply' | 'contact-later';
  /** Who has it now. */
  agent: string;
  /** The lead's agent. */
  owner: string;
  /** The lead's (person) id. */
  customerId: string;
  customerName: string;
  email?: string;
  phone?: string;
  locale: string;
  timezone: string;
  /** By when: the first contact's deadline, or when the reply came / the agreed day. */
  dueAt: string;
  needs?: string;
  source: string;
  /** A reply's words. */
  text?: string;
  /** Agents who had the first contact before and let it pass. */
  missedBy?: string[];
}

export type Task = CallTask | PostalItem | ReplyTask | LeadTask;

export type { TaskSink } from '../stores/tasks';

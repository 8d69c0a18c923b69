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

export type Task = CallTask | PostalItem | ReplyTask;

export type { TaskSink } from '../stores/tasks';

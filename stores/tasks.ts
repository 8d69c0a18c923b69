// Where work for people goes: call and reply tasks for agents, postal items for fulfilment. One
// row per task id, written if absent (a retried activity finds its task already there), with its
// state as the year moves it: open -> reminded -> escalated -> done.
import { sql } from 'kysely';
import type { Task } from '../activities/task-sink';
import type { Db } from './db';
import type { TaskRow, TaskState } from './schema';

export interface TaskSink {
  /** Stores the task unless one with the same id exists; returns the stored one. */
  push(task: Task, givenAt?: string): Promise<Task>;
  /** Stores the task, replacing one with the same id (a call task handed to another agent). */
  replace(task: Task): Promise<void>;
  list(filter?: { type?: Task['type']; agent?: string }): Promise<Task[]>;
  /** A reminder or an escalation went out for an open call task (and who has it now). */
  markStage(taskId: string, stage: 'reminder' | 'escalation', assignee: string, at: string): Promise<void>;
}

const dueOf = (task: Task) => (task.type === 'call' || task.type === 'lead' ? task.dueAt : task.type === 'reply' ? task.receivedAt : null);
const agentOf = (task: Task) => (task.type === 'postal' ? null : task.agent);
const ownerOf = (task: Task) => (task.type === 'postal' ? null : task.owner);

export class PgTaskSink implements TaskSink {
  constructor(private readonly db: Db) {}

  async push(task: Task, givenAt?: string): Promise<Task> {
    const inserted = await this.db
      .insertInto('tasks')
      .values({
        task_id: task.taskId,
        type: task.type,
        customer_id: task.customerId,
        agent: agentOf(task),
        owner: ownerOf(task),
        state: 'open',
        due_at: dueOf(task),
        given_at: givenAt ?? null,
        payload: JSON.stringify(task),
      })
      .onConflict((oc) => oc.column('task_id').doNothing())
      .returning('payload')
      .executeTakeFirst();
    if (inserted) return task;
    const row = await this.db.selectFrom('tasks').select('payload').where('task_id', '=', task.taskId).executeTakeFirstOrThrow();
    return row.payload as Task;
  }

  async replace(task: Task): Promise<void> {
    await this.db
      .insertInto('tasks')
      .values({ task_id: task.taskId, type: task.type, customer_id: task.customerId, agent: agentOf(task), owner: ownerOf(task), state: 'open', due_at: dueOf(task), payload: JSON.stringify(task) })
      .onConflict((oc) => oc.column('task_id').doUpdateSet({ agent: agentOf(task), payload: JSON.stringify(task), updated_at: sql<Date | string>`now()` }))
      .execute();
  }

  async list(filter: { type?: Task['type']; agent?: string } = {}): Promise<Task[]> {
    let q = this.db.selectFrom('tasks').select('payload').orderBy('type').orderBy('task_id');
    if (filter.type) q = q.where('type', '=', filter.type);
    if (filter.agent) q = q.where('agent', '=', filter.agent);
    return (await q.execute()).map((r) => r.payload as Task);
  }

  async markStage(taskId: string, stage: 'reminder' | 'escalation', assignee: string, at: string): Promise<void> {
    const state: TaskState = stage === 'reminder' ? 'reminded' : 'escalated';
    await this.db
      .updateTable('tasks')
      .set({ state, agent: assignee, updated_at: sql<Date | string>`now()` })
      .set(stage === 'reminder' ? { reminded_at: at } : { escalated_at: at })
      .where('task_id', '=', taskId)
      .where('state', '<>', 'done')
      .execute();
  }

  /** One task as stored (state and times included), for tests and operators. */
  async get(taskId: string): Promise<TaskRow | undefined> {
    return this.db.selectFrom('tasks').selectAll().where('task_id', '=', taskId).executeTakeFirst();
  }
}

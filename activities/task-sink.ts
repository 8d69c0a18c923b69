// Where work for people goes: call and reply tasks for agents, and postal items (cards,
// letters, gifts) for fulfilment. The local default is a durable queue folder, one JSON file per task;
// writing is idempotent by task id (a retried activity finds its task already there).
import { mkdir, readFile, readdir, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
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
const TYPES: Task['type'][] = ['call', 'reply', 'postal'];

export interface TaskSink {
  /** Stores the task unless one with the same id exists; returns the stored one. */
  push(task: Task): Promise<Task>;
  /** Stores the task, replacing one with the same id (a call task handed to another agent). */
  replace(task: Task): Promise<void>;
  list(filter?: { type?: Task['type']; agent?: string }): Promise<Task[]>;
}

export class FolderTaskSink implements TaskSink {
  constructor(private readonly dir: string) {}

  private path(task: Pick<Task, 'type' | 'taskId'>) {
    return join(this.dir, task.type, `${encodeURIComponent(task.taskId)}.json`);
  }

  async push(task: Task): Promise<Task> {
    const path = this.path(task);
    await mkdir(join(this.dir, task.type), { recursive: true });
    try {
      return JSON.parse(await readFile(path, 'utf8')) as Task;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    }
    await this.write(path, task);
    return task;
  }

  async replace(task: Task): Promise<void> {
    await mkdir(join(this.dir, task.type), { recursive: true });
    await this.write(this.path(task), task);
  }

  private async write(path: string, task: Task): Promise<void> {
    const tmp = `${path}.${process.pid}.tmp`;
    await writeFile(tmp, JSON.stringify(task, null, 2));
    await rename(tmp, path); // atomic: a reader sees the old task or the new one
  }

  async list(filter: { type?: Task['type']; agent?: string } = {}): Promise<Task[]> {
    const types = filter.type ? [filter.type] : TYPES;
    const tasks: Task[] = [];
    for (const type of types) {
      const files = await readdir(join(this.dir, type)).catch(() => [] as string[]);
      for (const f of files.filter((x) => x.endsWith('.json')).sort()) tasks.push(JSON.parse(await readFile(join(this.dir, type, f), 'utf8')) as Task);
    }
    return tasks.filter((t) => !filter.agent || (t.type !== 'postal' && t.agent === filter.agent));
  }
}

// The right to be forgotten and to a copy. `forgetPerson` ends the person's workflows (customer
// and lead: terminated, so nothing more is sent or written) and then deletes every row plan33's
// store keeps about them, leaving an audit row without personal data. `exportPerson` gives all
// that is kept: the rows, and the running plan's status. Both validate the id first.
import { WorkflowNotFoundError, type Client } from '@temporalio/client';
import { customerIdSchema } from '../plan/customer';
import { customerWorkflowId, leadWorkflowId } from '../plan/ids';
import type { Db } from '../stores';
import { PgPrivacyStore, type PersonRows } from '../stores/privacy';
import { statusQuery } from '../workflows/messages';
import { NotFoundError, ValidationError } from './errors';

const notFound = (err: unknown) => err instanceof WorkflowNotFoundError || (err as { code?: number }).code === 5;

function checkId(id: unknown): string {
  const parsed = customerIdSchema.safeParse(id);
  if (!parsed.success) throw new ValidationError([`id: expected 1-64 characters of A-Za-z0-9._-, got ${JSON.stringify(id ?? null)}`]);
  return parsed.data;
}

const isEmpty = (rows: PersonRows) => Object.values(rows).every((r) => r.length === 0);

export async function forgetPerson(client: Client, db: Db, rawId: unknown, actor: string) {
  const id = checkId(rawId);
  const ended: string[] = [];
  for (const workflowId of [customerWorkflowId(id), leadWorkflowId(id)]) {
    try {
      await client.workflow.getHandle(workflowId).terminate('right to be forgotten: the person asked to be deleted');
      ended.push(workflowId);
    } catch (err) {
      // Not running (ended, or never started): nothing to stop.
      if (!notFound(err) && !/already completed|not running/i.test((err as Error).message)) throw err;
    }
  }
  const rows = await new PgPrivacyStore(db).forget(id, actor);
  if (ended.length === 0 && Object.values(rows).every((n) => n === 0)) throw new NotFoundError(`nothing is kept about ${id}`);
  return { id, workflowsEnded: ended, rowsDeleted: rows };
}

export async function exportPerson(client: Client, db: Db, rawId: unknown, actor: string) {
  const id = checkId(rawId);
  const workflows: Record<string, unknown> = {};
  for (const workflowId of [customerWorkflowId(id), leadWorkflowId(id)]) {
    try {
      // Only a running plan: an ended one (forgotten, lost) is not queried back to life.
      const handle = client.workflow.getHandle(workflowId);
      if ((await handle.describe()).status.name === 'RUNNING') workflows[workflowId] = await handle.query(statusQuery);
    } catch (err) {
      if (!notFound(err) && !/query|not running|completed/i.test((err as Error).message)) throw err;
    }
  }
  const rows = await new PgPrivacyStore(db).export(id, actor);
  if (isEmpty(rows) && Object.keys(workflows).length === 0) throw new NotFoundError(`nothing is kept about ${id}`);
  return { id, exportedAt: new Date().toISOString(), workflows, rows };
}

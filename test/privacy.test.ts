// The right to be forgotten and to a copy (issue 17, first part): a customer's year runs on the
// time-skipping server with real SMTP and PostgreSQL; the export gives every row kept about them;
// forgetting ends the workflow, deletes those rows (and only those), and leaves an audit row with
// no personal data.
import { describe, expect, it } from 'vitest';
import { dealClosed } from '../service/enroll';
import { NotFoundError, ValidationError } from '../service/errors';
import { exportPerson, forgetPerson } from '../service/privacy';
import { customerWorkflowId } from '../plan/ids';
import { subjectHash } from '../stores/privacy';
import { until, useYearRig } from './helpers/year';
import { customer } from './fixtures/customers';

const rig = useYearRig(['forget-me', 'keep-me']);

describe('the right to be forgotten and to a copy', () => {
  it('exports every row kept; forgetting ends the workflow, deletes them all and only them, audited without personal data', async () => {
    const worker = await rig.worker('privacy');
    const gone = customer({ id: 'forget-me', name: { first: 'Rania', last: 'Saleh' }, email: 'rania.saleh@example.com', phone: '+966501239999' });
    const kept = customer({ id: 'keep-me', email: 'keep@example.com', phone: '+966501238888' });
    await worker.runUntil(async () => {
      for (const c of [gone, kept]) await dealClosed(rig.env.client, { customer: c, deal: { id: `deal-${c.id}`, closedAt: '2040-01-04' } }, { taskQueue: 'privacy' });
      for (const id of ['forget-me', 'keep-me']) await until(rig.env, rig.env.client.workflow.getHandle(customerWorkflowId(id)), (s) => s.touchesDone.filter((t) => t.outcome === 'sent').length >= 3);

      const copy = await exportPerson(rig.env.client, rig.stores.db, 'forget-me', 'test');
      expect(copy.rows.customers).toHaveLength(1);
      expect(copy.rows.deals).toHaveLength(1);
      expect(copy.rows.touch_outcomes.length).toBeGreaterThanOrEqual(3);
      expect(copy.rows.deliveries.length).toBeGreaterThanOrEqual(3);
      expect(copy.rows.planned_touches.length).toBeGreaterThanOrEqual(34);
      expect(JSON.stringify(copy.workflows[customerWorkflowId('forget-me')])).toContain('rania.saleh@example.com');

      const result = await forgetPerson(rig.env.client, rig.stores.db, 'forget-me', 'test');
      expect(result.workflowsEnded).toEqual([customerWorkflowId('forget-me')]);
      // Exactly what the export showed (no new send in between: the clock did not move).
      expect(result.rowsDeleted).toEqual(Object.fromEntries(Object.entries(copy.rows).map(([t, rows]) => [t, rows.length])));
      expect((await rig.env.client.workflow.getHandle(customerWorkflowId('forget-me')).describe()).status.name).toBe('TERMINATED');

      // Nothing of theirs is left; the other customer's rows are all there.
      const left = async (id: string) => {
        const tables = ['customers', 'touch_outcomes', 'deals', 'tasks', 'contacts', 'planned_touches'] as const;
        const n: Record<string, number> = {};
        for (const t of tables) n[t] = (await rig.stores.db.selectFrom(t).select('customer_id').where('customer_id', '=', id).execute()).length;
        n.deliveries = (await rig.stores.db.selectFrom('deliveries').select('key').where('key', 'like', `customer-${id}.%`).execute()).length;
        return n;
      };
      expect(Object.values(await left('forget-me')).every((n) => n === 0)).toBe(true);
      const other = await left('keep-me');
      expect(other.customers).toBe(1);
      expect(other.deliveries).toBeGreaterThanOrEqual(3);
      expect(other.planned_touches).toBeGreaterThanOrEqual(34);

      // The audit keeps the action, who asked and the counts: no id, name, email or phone.
      const audit = await rig.stores.db.selectFrom('privacy_audit').selectAll().where('subject_hash', '=', subjectHash('forget-me')).orderBy('id').execute();
      expect(audit.map((a) => a.action)).toEqual(['export', 'forget']);
      const text = JSON.stringify(audit);
      for (const personal of ['forget-me', 'Rania', 'Saleh', 'rania.saleh@example.com', '+966501239999']) expect(text).not.toContain(personal);

      // Asked again: nothing is kept (404 through the API); a bad id is named.
      const again = await forgetPerson(rig.env.client, rig.stores.db, 'forget-me', 'test').catch((e: unknown) => e);
      expect(again, JSON.stringify(again)).toBeInstanceOf(NotFoundError);
      await expect(exportPerson(rig.env.client, rig.stores.db, 'forget-me', 'test')).rejects.toBeInstanceOf(NotFoundError);
      await expect(forgetPerson(rig.env.client, rig.stores.db, 'bad id!', 'test')).rejects.toThrow(ValidationError);
      await expect(forgetPerson(rig.env.client, rig.stores.db, 'bad id!', 'test')).rejects.toThrow(/id: expected 1-64 characters/);
    });
  });
});

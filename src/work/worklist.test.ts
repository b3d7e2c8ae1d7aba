// Worklists and task use cases on a database: order, filters, pages, who may do what, history.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDb, type TestDb } from '../db/testing.ts';
import { fixedClock } from '../shared/clock.ts';
import { createLog } from '../shared/log.ts';
import { syncTasks } from './sync-tasks.ts';
import { addAttachment, addNote, assignTask, bulkAssign, closeTask } from './update-task.ts';
import { getTask, listTasks, officeSummary, officeVersions, queryTasks } from './worklist.ts';
import type { Queryable } from '../db/index.ts';
import { TASK_COLUMNS } from './work.queries.ts';
import type { Actor } from './policy.ts';
import { addRecord, openAlert, summaryMismatches } from './testing.ts';
import type { RuleId } from '../rules/catalogue.ts';

let t: TestDb;
const clock = fixedClock('2026-11-28T12:00:00Z');
const today = '2026-11-28';
const deps = () => ({ db: t.db, clock, log: createLog('silent') });
const officer: Actor = { id: 'ero.hou.1', offices: ['ERO:Houston'], role: 'officer' };
const other: Actor = { id: 'ero.dal.1', offices: ['ERO:Dallas'], role: 'officer' };
const supervisor: Actor = { id: 'ero.hou.sup', offices: ['ERO:Houston'], role: 'supervisor' };

// Houston tasks: [child, rule, due_on]; severities come from the rules.
const HOUSTON: [string, RuleId, string][] = [
  ['H-1', 'NO_NTA', '2026-12-20'], // high, on time
  ['H-2', 'FLED_CUSTODY', '2026-11-30'], // critical, due soon
  ['H-3', 'TRANSFER_OVER_72H', '2026-11-01'], // low, overdue
  ['H-4', 'NO_NTA', '2026-11-20'], // high, overdue
  ['H-5', 'FLED_CUSTODY', '2026-12-10'], // critical, on time
  ['H-6', 'NO_NTA', '2026-11-28'], // high, due today
];

beforeAll(async () => {
  t = await createTestDb();
  for (const [child, rule, due] of HOUSTON) {
    await addRecord(t.db, child, { ownDate: '2026-01-01', state: 'TX', zip5: '77002' });
    await openAlert(t.db, { childId: child, rule, openedOn: '2026-10-01', dueOn: due });
  }
  await addRecord(t.db, 'D-1', { ownDate: '2026-01-01', state: 'TX', zip5: '75201' });
  await openAlert(t.db, { childId: 'D-1', rule: 'NO_NTA', openedOn: '2026-10-01' });
  await syncTasks(deps());
});
afterAll(async () => {
  await t?.close();
});

const ero = (tasks: { child_id: string; office_kind: string }[]) =>
  tasks.filter((x) => x.office_kind === 'ERO').map((x) => x.child_id);

describe('worklists', () => {
  it('lists an office’s open tasks most severe first, then soonest due, with due state, in pages', async () => {
    const p1 = await listTasks(t.db, officer, today, { officeId: 'ERO:Houston', limit: 4 });
    expect(p1.tasks.map((x) => [x.child_id, x.severity, x.due_state])).toEqual([
      ['H-2', 'critical', 'due_soon'],
      ['H-5', 'critical', 'on_time'],
      ['H-4', 'high', 'overdue'],
      ['H-6', 'high', 'due_soon'],
    ]);
    expect(p1.next).not.toBeNull();
    const p2 = await listTasks(t.db, officer, today, { officeId: 'ERO:Houston', limit: 4, after: p1.next! });
    expect(p2.tasks.map((x) => x.child_id)).toEqual(['H-1', 'H-3']);
    expect(p2.next).toBeNull();
    expect(p1.tasks.every((x) => x.escalated_at !== null)).toBe(false);
    expect(p1.tasks.find((x) => x.child_id === 'H-4')!.escalated_to).toBe('ERO:Houston:supervisor');
  });

  it('filters by rule, severity, state, due window, escalation and assignment', async () => {
    const q = (f: object) =>
      listTasks(t.db, officer, today, { officeId: 'ERO:Houston', ...f }).then((p) => ero(p.tasks));
    expect(await q({ rule: 'FLED_CUSTODY' })).toEqual(['H-2', 'H-5']);
    expect(await q({ severity: 'low' })).toEqual(['H-3']);
    expect(await q({ state: 'tx', dueBy: today })).toEqual(['H-4', 'H-6', 'H-3']);
    expect(await q({ escalated: true })).toEqual(['H-4', 'H-3']);
    expect(await q({ state: 'CA' })).toEqual([]);
    expect(await q({ assigned: true })).toEqual([]);
  });

  it('counts due soon, overdue, escalated and unassigned at a glance', async () => {
    expect(await officeSummary(t.db, officer, today, 'ERO:Houston')).toMatchObject({
      open: 6,
      overdue: 2,
      due_soon: 2,
      escalated: 2,
      unassigned: 6,
    });
    await expect(officeSummary(t.db, officer, today, 'ERO:Dallas')).rejects.toMatchObject({
      code: 'FORBIDDEN',
    });
  });

  it('keeps other offices’ tasks away from an officer', async () => {
    await expect(listTasks(t.db, other, today, { officeId: 'ERO:Houston' })).rejects.toMatchObject({
      code: 'FORBIDDEN',
    });
    const [h1] = (
      await listTasks(t.db, officer, today, { officeId: 'ERO:Houston', rule: 'NO_NTA', limit: 1 })
    ).tasks;
    await expect(getTask(t.db, other, today, h1!.id)).rejects.toMatchObject({ code: 'FORBIDDEN' });
    await expect(addNote(deps(), other, h1!.id, 'x')).rejects.toMatchObject({ code: 'FORBIDDEN' });
  });
});

describe('task use cases', () => {
  it('assigns, notes, attaches and closes with who and when, and lists “my tasks”', async () => {
    const page = await listTasks(t.db, officer, today, { officeId: 'ERO:Houston' });
    const ids = Object.fromEntries(page.tasks.map((x) => [x.child_id, x.id]));
    // An officer may take a task, not hand one to someone else; a supervisor may.
    await assignTask(deps(), officer, ids['H-1']!, officer.id);
    await expect(assignTask(deps(), officer, ids['H-2']!, 'ero.hou.2')).rejects.toMatchObject({
      code: 'FORBIDDEN',
    });
    await expect(bulkAssign(deps(), officer, [ids['H-2']!], officer.id)).rejects.toMatchObject({
      code: 'FORBIDDEN',
    });
    expect(await bulkAssign(deps(), supervisor, [ids['H-2']!, ids['H-3']!], officer.id)).toEqual({
      assigned: 2,
    });
    await expect(bulkAssign(deps(), supervisor, [ids['H-2']!, '999999'], officer.id)).rejects.toMatchObject({
      code: 'NOT_FOUND',
    });

    const mine = await listTasks(t.db, officer, today, { assignedTo: officer.id });
    expect(mine.tasks.map((x) => x.child_id)).toEqual(['H-2', 'H-1', 'H-3']);
    await expect(listTasks(t.db, officer, today, { assignedTo: 'ero.hou.2' })).rejects.toMatchObject({
      code: 'FORBIDDEN',
    });

    await addNote(deps(), officer, ids['H-1']!, 'Visited the address; sponsor at work, will return.');
    await addAttachment(deps(), officer, ids['H-1']!, 'eims://doc/123', 'Field visit report');
    await expect(
      closeTask(deps(), officer, ids['H-1']!, { outcome: 'unable_to_locate' }),
    ).rejects.toMatchObject({ code: 'USAGE' });
    await expect(
      closeTask(deps(), officer, ids['H-1']!, { outcome: 'resolved_by_facts' }),
    ).rejects.toMatchObject({ code: 'USAGE' });
    await closeTask(deps(), officer, ids['H-1']!, { outcome: 'nta_served', note: 'Served in person' });
    await expect(closeTask(deps(), officer, ids['H-1']!, { outcome: 'nta_served' })).rejects.toMatchObject({
      code: 'CONFLICT',
    });
    await expect(assignTask(deps(), supervisor, ids['H-1']!, 'x')).rejects.toMatchObject({
      code: 'CONFLICT',
    });
    // The at-a-glance counters followed every assignment and the closing.
    expect(await officeSummary(t.db, officer, today, 'ERO:Houston')).toMatchObject({
      open: 5,
      unassigned: 3,
    });
    expect(await summaryMismatches(t.db, today)).toEqual([]);

    const d = await getTask(t.db, officer, today, ids['H-1']!);
    expect(d.task).toMatchObject({
      status: 'closed',
      outcome: 'nta_served',
      closed_by: officer.id,
      outcome_note: 'Served in person',
      due_state: null,
    });
    expect(d.task.closed_at).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/);
    expect(d.events.map((e) => `${e.kind} by ${e.actor}`)).toEqual([
      'opened by system',
      `assigned by ${officer.id}`,
      `note by ${officer.id}`,
      `attachment by ${officer.id}`,
      `closed by ${officer.id}`,
    ]);
    expect(d.notes.map((n) => n.body)).toEqual(['Visited the address; sponsor at work, will return.']);
    expect(d.attachments).toMatchObject([
      { ref: 'eims://doc/123', description: 'Field visit report', added_by: officer.id },
    ]);
    const closed = await listTasks(t.db, officer, today, { officeId: 'ERO:Houston', status: 'closed' });
    expect(closed.tasks.map((x) => x.child_id)).toEqual(['H-1']);
  });

  it('refuses bad input with the field at fault', async () => {
    await expect(
      listTasks(t.db, officer, today, { officeId: 'ERO:Houston', after: 'garbage' }),
    ).rejects.toMatchObject({ code: 'USAGE' });
    await expect(listTasks(t.db, officer, today, {})).rejects.toMatchObject({ code: 'USAGE' });
    await expect(getTask(t.db, officer, today, 'abc')).rejects.toMatchObject({ code: 'USAGE' });
    await expect(getTask(t.db, officer, today, '424242')).rejects.toMatchObject({ code: 'NOT_FOUND' });
    await expect(
      listTasks(t.db, officer, today, { officeId: 'ERO:Houston', dueBy: '11/28/2026' }),
    ).rejects.toThrow(/dueBy/);
  });
});

describe('task rows', () => {
  it('are read by position in the order the statement names their columns', async () => {
    const sql = `SELECT ${TASK_COLUMNS} FROM task t ORDER BY t.id`;
    // Every column of one task filled with its own value, so that no two can be swapped unseen;
    // rolled back after.
    const rolledBack = new Error('roll back');
    await expect(
      t.db.transaction(async (tx) => {
        await tx.exec(
          `UPDATE task SET assigned_to = 'who', assigned_at = '2026-11-01T01:00:00Z',
                  escalated_at = '2026-11-02T02:00:00Z', escalated_to = 'ERO:Dallas', status = 'closed',
                  closed_at = '2026-11-03T03:00:00Z', closed_by = 'closer',
                  outcome = (SELECT code FROM task_outcome ORDER BY code LIMIT 1), outcome_note = 'note',
                  attempts = 3, reopened_count = 2
            WHERE id = (SELECT min(id) FROM task)`,
        );
        const named = await tx.query<Record<string, unknown>>(sql);
        expect(named.length).toBeGreaterThan(1);
        expect(Object.values(named[0]!).every((v) => v !== null)).toBe(true);
        expect(await queryTasks(tx, sql, [])).toEqual(named);
        throw rolledBack;
      }),
    ).rejects.toBe(rolledBack);
  });
});

describe('office versions', () => {
  const versions = async (db: Queryable = t.db) => {
    const [houston, dallas, none] = await officeVersions(db, ['ERO:Houston', 'ERO:Dallas', 'ERO:Nowhere']);
    return { houston: BigInt(houston!), dallas: BigInt(dallas!), none };
  };

  it('move on with each statement that changes an office’s tasks, and only for that office', async () => {
    const v0 = await versions();
    expect(v0.houston).toBeGreaterThan(0n);
    expect(v0.dallas).toBeGreaterThan(0n);
    expect(v0.none).toBe('0');

    const [task] = await listTasks(t.db, supervisor, today, { officeId: 'ERO:Houston', limit: 1 }).then(
      (p) => p.tasks,
    );
    await assignTask(deps(), supervisor, task!.id, 'ero.hou.2');
    expect(await versions()).toEqual({ ...v0, houston: v0.houston + 1n });
    // A statement that changes no task moves nothing.
    await t.db.exec(`UPDATE task SET assigned_to = 'nobody' WHERE office_id = 'ERO:Nowhere'`);
    expect(await versions()).toEqual({ ...v0, houston: v0.houston + 1n });

    const rolledBack = new Error('roll back');
    await expect(
      t.db.transaction(async (tx) => {
        await tx.exec(
          `DELETE FROM task_event WHERE task_id IN (SELECT id FROM task WHERE office_id = 'ERO:Dallas')`,
        );
        await tx.exec(`DELETE FROM task WHERE office_id = 'ERO:Dallas'`);
        expect(await versions(tx)).toEqual({ ...v0, houston: v0.houston + 1n, dallas: v0.dallas + 1n });
        await tx.exec('TRUNCATE task CASCADE');
        expect(await versions(tx)).toEqual({ ...v0, houston: v0.houston + 2n, dallas: v0.dallas + 2n });
        throw rolledBack;
      }),
    ).rejects.toBe(rolledBack);
    expect(await versions()).toEqual({ ...v0, houston: v0.houston + 1n });
  });
});

// Writers of tasks lock their offices' versions before any task row, so a sync and a person's change
// to tasks of the same office wait for one another instead of deadlocking. Two connections are
// needed, so these run on the PostgreSQL server.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDb, testEngine, type TestDb } from '../db/testing.ts';
import type { Queryable } from '../db/index.ts';
import { fixedClock } from '../shared/clock.ts';
import { createLog } from '../shared/log.ts';
import { syncTasks } from './sync-tasks.ts';
import { assignTask } from './update-task.ts';
import type { Actor } from './policy.ts';
import { addRecord, closeAlert, openAlert } from './testing.ts';

let t: TestDb;
const clock = fixedClock('2026-11-28T12:00:00Z');
const deps = () => ({ db: t.db, clock, log: createLog('silent') });
const supervisor: Actor = { id: 'ero.hou.sup', offices: ['ERO:Houston'], role: 'supervisor' };
const alerts: Record<string, string> = {};

/** The ERO task of `child`. */
const taskOf = async (child: string) =>
  (
    await t.db.query<{ id: string }>(
      `SELECT id::text AS id FROM task WHERE child_id = $1 AND office_kind = 'ERO'`,
      [child],
    )
  )[0]!.id;

/** Resolves once another backend of this database waits for a lock (or fails after 5 s). */
async function someoneWaits(): Promise<void> {
  for (let i = 0; i < 100; i++) {
    const [row] = await t.db.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM pg_stat_activity
        WHERE datname = current_database() AND wait_event_type = 'Lock'`,
    );
    if (row!.n > 0) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error('no backend came to wait for a lock');
}

/** Locks task `id` without waiting: fails if another transaction holds it. */
const lockNow = (tx: Queryable, id: string) =>
  tx.query(`SELECT id FROM task WHERE id = $1 FOR UPDATE NOWAIT`, [id]);

describe.runIf(testEngine === 'postgres')('task writers and office versions', () => {
  beforeAll(async () => {
    t = await createTestDb();
    for (const child of ['L-1', 'L-2', 'L-3']) {
      await addRecord(t.db, child, { ownDate: '2026-01-01', state: 'TX', zip5: '77002' });
      alerts[child] = await openAlert(t.db, { childId: child, rule: 'NO_NTA', openedOn: '2026-10-01' });
    }
    await syncTasks(deps());
  });
  afterAll(async () => {
    await t?.close();
  });

  it('a person’s change waits for the office of a sync under way before it takes the task', async () => {
    const [first, second] = [await taskOf('L-1'), await taskOf('L-2')];
    let assigning: Promise<void> | undefined;
    await t.db.transaction(async (tx) => {
      // As a sync does: a statement changes one of the office's tasks (and holds its version).
      await tx.query(`UPDATE task SET updated_at = now() WHERE id = $1`, [first]);
      assigning = assignTask(deps(), supervisor, second, 'ero.hou.2');
      await someoneWaits();
      // The person waits for the office, not holding the task the sync goes on to change.
      await lockNow(tx, second);
      await tx.query(`UPDATE task SET updated_at = now() WHERE id = $1`, [second]);
    });
    await assigning;
    const [row] = await t.db.query<{ assigned_to: string }>(`SELECT assigned_to FROM task WHERE id = $1`, [
      second,
    ]);
    expect(row!.assigned_to).toBe('ero.hou.2');
  });

  it('a sync waits for the offices a person’s change holds before it takes any task', async () => {
    const third = await taskOf('L-3');
    await closeAlert(t.db, alerts['L-3']!, '2026-11-27', 'NTA served');
    let syncing: Promise<unknown> | undefined;
    await t.db.transaction(async (tx) => {
      // As a person's change begins: its office's version first.
      await tx.query(`SELECT office_id FROM task_office_version WHERE office_id = 'ERO:Houston' FOR UPDATE`);
      syncing = syncTasks(deps());
      await someoneWaits();
      // The sync, which will close this task, has not taken it while it waits for the office.
      await lockNow(tx, third);
      await tx.query(`UPDATE task SET updated_at = now() WHERE id = $1`, [third]);
    });
    expect(await syncing).toMatchObject({ closed: 1 });
    const [row] = await t.db.query<{ status: string }>(`SELECT status FROM task WHERE id = $1`, [third]);
    expect(row!.status).toBe('closed');
  });
});

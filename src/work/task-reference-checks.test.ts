// task's references (alert, child, office, outcome) and task_event's reference to task are checked
// per statement (0101_task_reference_checks.sql): the same guarantees the foreign keys gave.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDb, type TestDb } from '../db/testing.ts';

let tdb: TestDb;
let alertId: string;
let spareAlertId: string;
let taskId: string;

const insertAlert = async (childId: string, closed = false) =>
  (
    await tdb.db.query<{ id: string }>(
      `INSERT INTO alert (child_id, rule_id, opened_on, severity, office_kinds, due_on, record_pks, details,
                          evaluated_on, closed_on, closed_at, close_reason)
       VALUES ($1, 'NO_NTA', '2024-01-01', 'high', '{ERO}', '2024-01-31', '{}', '{}', '2024-01-01',
               CASE WHEN $2 THEN '2024-02-01'::date END, CASE WHEN $2 THEN now() END,
               CASE WHEN $2 THEN 'NTA served' END)
       RETURNING id::text AS id`,
      [childId, closed],
    )
  )[0]!.id;

const TASK_COLUMNS = `alert_id, child_id, rule_id, office_id, office_kind, action, severity, severity_rank, due_on,
                      status, opened_at, updated_at, closed_at, outcome`;
const insertTask = (t: { alert: string; child?: string; office?: string; kind?: string; outcome?: string }) =>
  tdb.db.query<{ id: string }>(
    `INSERT INTO task (${TASK_COLUMNS})
     VALUES ($1, $2, 'NO_NTA', $3, $4, 'serve the NTA', 'high', 1, '2024-01-31',
             CASE WHEN $5::text IS NULL THEN 'open' ELSE 'closed' END, now(), now(),
             CASE WHEN $5::text IS NULL THEN NULL ELSE now() END, $5)
     RETURNING id::text AS id`,
    [t.alert, t.child ?? 'C70000002', t.office ?? 'ERO:Houston', t.kind ?? 'ERO', t.outcome ?? null],
  );
const insertEvent = (task: string) =>
  tdb.db.query(
    `INSERT INTO task_event (task_id, kind, actor, at, details) VALUES ($1, 'note', 'x', now(), '{}')`,
    [task],
  );
const count = async (table: string) =>
  (await tdb.db.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${table}`))[0]!.n;

beforeAll(async () => {
  tdb = await createTestDb();
  await tdb.db.query(`INSERT INTO child (id) VALUES ('C70000001'), ('C70000002')`);
  alertId = await insertAlert('C70000001');
  spareAlertId = await insertAlert('C70000002');
  taskId = (await insertTask({ alert: alertId, child: 'C70000001' }))[0]!.id;
  await insertEvent(taskId);
});
afterAll(async () => {
  await tdb.close();
});

describe('task reference checks', () => {
  it('refuses a task naming an alert, child, office or outcome that does not exist, naming it', async () => {
    await expect(insertTask({ alert: '987654321' })).rejects.toThrow(
      /names alert 987654321, which does not exist/,
    );
    await expect(insertTask({ alert: spareAlertId, child: 'C79999999' })).rejects.toThrow(
      /names child C79999999, which does not exist/,
    );
    await expect(insertTask({ alert: spareAlertId, office: 'ERO:Atlantis' })).rejects.toThrow(
      /names office ERO:Atlantis, which does not exist/,
    );
    await expect(insertTask({ alert: spareAlertId, outcome: 'vanished' })).rejects.toThrow(
      /names task_outcome vanished, which does not exist/,
    );
    await expect(
      tdb.db.query(`UPDATE task SET office_id = 'ERO:Atlantis' WHERE id = $1`, [taskId]),
    ).rejects.toThrow(/ERO:Atlantis/);
    expect(await count('task')).toBe(1);
  });

  it('refuses a history entry for a task that does not exist', async () => {
    await expect(insertEvent('987654321')).rejects.toThrow(/names task 987654321, which does not exist/);
  });

  it('refuses to delete what a task or its history still names, and lets the rest go', async () => {
    await expect(tdb.db.query(`DELETE FROM alert WHERE id = $1`, [alertId])).rejects.toThrow(
      new RegExp(`alert ${alertId} is still named by task`),
    );
    await expect(tdb.db.query(`DELETE FROM child WHERE id = 'C70000001'`)).rejects.toThrow(/still/);
    await expect(tdb.db.query(`DELETE FROM office WHERE id = 'ERO:Houston'`)).rejects.toThrow(
      /office ERO:Houston is still named by task/,
    );
    await expect(tdb.db.query(`DELETE FROM task WHERE id = $1`, [taskId])).rejects.toThrow(
      new RegExp(`task ${taskId} is still named by task_event`),
    );
    await tdb.db.query(`DELETE FROM office WHERE id = 'ERO:Buffalo'`);
    expect(await tdb.db.query(`SELECT id FROM office WHERE id = 'ERO:Buffalo'`)).toEqual([]);
  });

  it('refuses to change the keys tasks are named by', async () => {
    await expect(
      tdb.db.query(`UPDATE office SET id = 'ERO:Elsewhere' WHERE id = 'ERO:Houston'`),
    ).rejects.toThrow(/the id of a row of office does not change/);
    await expect(tdb.db.query(`UPDATE alert SET id = id + 1000 WHERE id = $1`, [alertId])).rejects.toThrow(
      /the id of a row of alert does not change/,
    );
    // Naming the key with its own value changes nothing and is let through.
    await tdb.db.query(`UPDATE office SET id = id, name = name WHERE id = 'ERO:Houston'`);
  });

  it('checks a large write (a first load) against the whole table, naming the bad task', async () => {
    // Over 100,000 tasks in one statement are checked by joining task with its references.
    await tdb.db.query(
      `INSERT INTO alert (child_id, rule_id, opened_on, severity, office_kinds, due_on, record_pks, details,
                          evaluated_on, closed_on, closed_at, close_reason)
       SELECT 'C70000002', 'NO_NTA', '2024-01-01', 'high', '{ERO}', '2024-01-31', '{}', '{}', '2024-01-01',
              '2024-02-01', now(), 'NTA served'
         FROM generate_series(1, 25001)`,
    );
    const bulk = (office: string) =>
      tdb.db.query(
        `INSERT INTO task (${TASK_COLUMNS})
         SELECT a.id, a.child_id, 'NO_NTA', CASE WHEN a.n = 17500 AND k.kind = 'ORR' THEN $1 ELSE k.office END,
                k.kind, 'x', 'high', 1, '2024-01-31', 'closed', now(), now(), now(), 'resolved_by_facts'
           FROM (SELECT id, child_id, row_number() OVER (ORDER BY id) AS n FROM alert
                  WHERE child_id = 'C70000002' AND closed_at IS NOT NULL) a
          CROSS JOIN (VALUES ('ERO:Houston', 'ERO'), ('OPLA:HOU', 'OPLA'), ('EOIR:HOU', 'EOIR'), ('ORR', 'ORR')) AS k(office, kind)`,
        [office],
      );
    await tdb.db.query(`INSERT INTO office (id, kind, name, supervisor_queue) VALUES
      ('OPLA:HOU', 'OPLA', 'OPLA Houston', 'OPLA:HOU:supervisor'),
      ('EOIR:HOU', 'EOIR', 'EOIR Houston', 'EOIR:HOU:supervisor') ON CONFLICT DO NOTHING`);
    await expect(bulk('ORR:Atlantis')).rejects.toThrow(/names office ORR:Atlantis, which does not exist/);
    expect(await count('task')).toBe(1);
    await bulk('ORR');
    expect(await count('task')).toBe(100_005);
  });

  it('empties task and its history when child is truncated with CASCADE', async () => {
    await tdb.db.query('TRUNCATE child CASCADE');
    expect(await count('task')).toBe(0);
    expect(await count('task_event')).toBe(0);
    expect(await count('alert')).toBe(0);
  });
});

// alert's reference to child is checked per statement (0093_alert_child_checks.sql): the same
// guarantees the foreign key gave.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDb, type TestDb } from '../db/testing.ts';

let tdb: TestDb;
beforeAll(async () => {
  tdb = await createTestDb();
  await tdb.db.query(`INSERT INTO child (id) VALUES ('C80000001'), ('C80000002')`);
});
afterAll(async () => {
  await tdb.close();
});

const insertAlert = (childId: string) =>
  tdb.db.query(
    `INSERT INTO alert (child_id, rule_id, opened_on, severity, office_kinds, due_on, record_pks, details, evaluated_on)
     VALUES ($1, 'NO_NTA', '2024-01-01', 'high', '{ERO}', '2024-01-31', '{}', '{}', '2024-01-01')`,
    [childId],
  );

describe('alert reference checks', () => {
  it('refuses an alert, or a move of one, to a child that does not exist, naming it', async () => {
    await expect(insertAlert('C89999999')).rejects.toThrow(/child C89999999, which does not exist/);
    await insertAlert('C80000001');
    await expect(
      tdb.db.query(`UPDATE alert SET child_id = 'C89999998' WHERE child_id = 'C80000001'`),
    ).rejects.toThrow(/C89999998/);
  });

  it('refuses to delete a child that alerts name, and lets one without alerts go', async () => {
    await expect(tdb.db.query(`DELETE FROM child WHERE id = 'C80000001'`)).rejects.toThrow(
      /child C80000001 still has alerts/,
    );
    await tdb.db.query(`DELETE FROM child WHERE id = 'C80000002'`);
    expect(await tdb.db.query(`SELECT id FROM child WHERE id = 'C80000002'`)).toEqual([]);
  });

  it('empties alert when child is truncated with CASCADE', async () => {
    await tdb.db.query('TRUNCATE child CASCADE');
    expect(await tdb.db.query('SELECT id FROM alert')).toEqual([]);
  });
});

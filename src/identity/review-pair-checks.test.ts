// review_pair's references to record are checked per statement (0102_review_pair_checks.sql): the
// same guarantees the foreign keys (ON DELETE CASCADE) gave.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDb, type TestDb } from '../db/testing.ts';
import { seedRecords } from './seed-records.ts';
import { syntheticPopulation } from './synthetic.ts';

let tdb: TestDb;
let pks: number[];
beforeAll(async () => {
  tdb = await createTestDb();
  pks = await seedRecords(tdb.db, syntheticPopulation(3).slice(0, 4));
});
afterAll(async () => {
  await tdb.close();
});

const insertPair = (a: number, b: number) =>
  tdb.db.query(
    `INSERT INTO review_pair (record_a, record_b, weight, status, created_at, updated_at)
     VALUES ($1, $2, 1.5, 'open', now(), now())`,
    [a, b],
  );
const pairs = async () =>
  (
    await tdb.db.query<{ a: string; b: string }>(
      'SELECT record_a::text AS a, record_b::text AS b FROM review_pair ORDER BY 1, 2',
    )
  ).map((p) => `${p.a}-${p.b}`);

describe('review_pair reference checks', () => {
  it('refuses a pair naming a record that does not exist, naming it', async () => {
    await expect(insertPair(pks[0]!, 987654321)).rejects.toThrow(
      /names record 987654321, which does not exist/,
    );
    await insertPair(pks[0]!, pks[1]!);
    await expect(
      tdb.db.query(`UPDATE review_pair SET record_b = 987654320 WHERE record_a = $1`, [pks[0]]),
    ).rejects.toThrow(/987654320/);
    expect(await pairs()).toEqual([`${pks[0]}-${pks[1]}`]);
  });

  it('checks a large write (a full link’s pairs) against the whole table', async () => {
    // 460 records give 105,570 pairs: over 100,000 in one statement are checked by a join.
    await tdb.db.query(
      `INSERT INTO record (source, record_id, row_id, in_scope, own_date, event_type, name_as_sent, received_at)
       SELECT 'cbp', 'PAIR-' || g, (SELECT row_id FROM record LIMIT 1), true, '2020-01-01', 'ENCOUNTER', 'X', now()
         FROM generate_series(1, 460) g`,
    );
    const bulk = (bad: string) =>
      tdb.db.query(
        `INSERT INTO review_pair (record_a, record_b, weight, status, created_at, updated_at)
         SELECT a.id, CASE WHEN a.record_id = 'PAIR-7' AND b.record_id = 'PAIR-9' THEN ${bad} ELSE b.id END,
                1.0, 'open', now(), now()
           FROM record a JOIN record b ON a.id < b.id
          WHERE a.record_id LIKE 'PAIR-%' AND b.record_id LIKE 'PAIR-%'`,
      );
    await expect(bulk('987654319')).rejects.toThrow(/names record 987654319, which does not exist/);
    await bulk('b.id');
    expect((await pairs()).length).toBe(1 + 105_570);
    // Deleting records deletes the pairs on either side of them.
    await tdb.db.query(`DELETE FROM record WHERE record_id LIKE 'PAIR-%'`);
    expect(await pairs()).toEqual([`${pks[0]}-${pks[1]}`]);
  });

  it('deletes the pairs of a deleted record, on either side, decided ones with their decision', async () => {
    await insertPair(pks[2]!, pks[3]!);
    const [decision] = await tdb.db.query<{ id: string }>(
      `INSERT INTO link_decision (record_a, record_b, decision, actor, reason, decided_at)
       VALUES ($1, $2, 'apart', 'orr.cm.1', 'different mothers', now()) RETURNING id::text AS id`,
      [pks[0], pks[1]],
    );
    await tdb.db.query(`UPDATE review_pair SET status = 'decided', decision_id = $1 WHERE record_a = $2`, [
      decision!.id,
      pks[0],
    ]);
    await tdb.db.query('DELETE FROM record WHERE id = $1', [pks[1]]);
    expect(await pairs()).toEqual([`${pks[2]}-${pks[3]}`]);
  });

  it('keeps record ids, and empties review_pair when record is truncated with CASCADE', async () => {
    await expect(tdb.db.query('UPDATE record SET id = id + 1000 WHERE id = $1', [pks[2]])).rejects.toThrow(
      /the id of a row of record does not change/,
    );
    await tdb.db.query('TRUNCATE record CASCADE');
    expect(await pairs()).toEqual([]);
  });
});

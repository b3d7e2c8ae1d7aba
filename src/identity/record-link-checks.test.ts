// record_link's references are checked per statement (0022_identity_link_checks.sql): the same
// guarantees the foreign keys gave.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDb, type TestDb } from '../db/testing.ts';
import { seedRecords } from './seed-records.ts';
import { syntheticPopulation } from './synthetic.ts';

let tdb: TestDb;
let pks: number[];
beforeAll(async () => {
  tdb = await createTestDb();
  pks = await seedRecords(tdb.db, syntheticPopulation(3).slice(0, 4));
  await tdb.db.query(`INSERT INTO child (id) VALUES ('C90000001'), ('C90000002')`);
  await tdb.db.query(
    `INSERT INTO record_link (record_pk, child_id, method) VALUES ($1, 'C90000001', 'manual'), ($2, 'C90000002', 'manual')`,
    [pks[0], pks[1]],
  );
});
afterAll(async () => {
  await tdb.close();
});

const linkOf = async (pk: number) =>
  (await tdb.db.query<{ child_id: string }>('SELECT child_id FROM record_link WHERE record_pk = $1', [pk]))[0]
    ?.child_id;

describe('record_link reference checks', () => {
  it('refuses a link to a record that does not exist, naming it', async () => {
    await expect(
      tdb.db.query(
        `INSERT INTO record_link (record_pk, child_id, method) VALUES (987654321, 'C90000001', 'model')`,
      ),
    ).rejects.toThrow(/record_pk 987654321.*does not exist/);
  });

  it('refuses a link or a move to a child that does not exist', async () => {
    await expect(
      tdb.db.query(
        `INSERT INTO record_link (record_pk, child_id, method) VALUES ($1, 'C99999999', 'model')`,
        [pks[2]],
      ),
    ).rejects.toThrow(/C99999999/);
    await expect(
      tdb.db.query(`UPDATE record_link SET child_id = 'C99999999' WHERE record_pk = $1`, [pks[0]]),
    ).rejects.toThrow(/C99999999/);
    expect(await linkOf(pks[0]!)).toBe('C90000001');
  });

  it('checks links copied straight in (the first links of a full run) as well', async () => {
    await expect(
      tdb.db.copyRows(
        'record_link',
        ['record_pk', 'child_id', 'method'],
        [[String(pks[2]), 'C99999998', 'model']],
      ),
    ).rejects.toThrow(/C99999998/);
    expect(await linkOf(pks[2]!)).toBeUndefined();
  });

  it('checks a large write (a full link) against the whole table, naming the bad link', async () => {
    // Over 100,000 links in one statement are checked by joining record_link with its references.
    const bulk = await tdb.db.query<{ id: number }>(
      `INSERT INTO record (source, record_id, row_id, in_scope, own_date, event_type, name_as_sent, received_at)
       SELECT 'cbp', 'BULK-' || g, (SELECT row_id FROM record LIMIT 1), true, '2020-01-01', 'ENCOUNTER', 'X', now()
         FROM generate_series(1, 100001) g
       RETURNING id`,
    );
    const rows = bulk.map((r, i) => [String(r.id), i === 70_000 ? 'C99999997' : 'C90000001', 'model']);
    await expect(tdb.db.copyRows('record_link', ['record_pk', 'child_id', 'method'], rows)).rejects.toThrow(
      new RegExp(`record_pk ${bulk[70_000]!.id}, child_id C99999997`),
    );
    await expect(
      tdb.db.copyRows(
        'record_link',
        ['record_pk', 'child_id', 'method'],
        [...rows.slice(1), ['987654320', 'C90000001', 'model']],
      ),
    ).rejects.toThrow(/record_pk 987654320.*does not exist/);
    rows[70_000]![1] = 'C90000001';
    expect(await tdb.db.copyRows('record_link', ['record_pk', 'child_id', 'method'], rows)).toBe(100_001);
    await tdb.db.query(`DELETE FROM record WHERE record_id LIKE 'BULK-%'`);
    expect(await linkOf(bulk[0]!.id)).toBeUndefined();
  });

  it('refuses to delete a child that records still link to', async () => {
    await expect(tdb.db.query(`DELETE FROM child WHERE id = 'C90000002'`)).rejects.toThrow(
      /C90000002 still has linked records/,
    );
  });

  it('deletes the links of deleted records', async () => {
    await tdb.db.query('DELETE FROM record WHERE id = $1', [pks[1]]);
    expect(await linkOf(pks[1]!)).toBeUndefined();
    expect(await linkOf(pks[0]!)).toBe('C90000001');
    // The child has no links left, so it may go now.
    await tdb.db.query(`DELETE FROM child WHERE id = 'C90000002'`);
  });
});

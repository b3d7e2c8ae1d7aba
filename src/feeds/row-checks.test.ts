// record.row_id and source_row.batch_id are checked per statement (0096_feeds_row_checks.sql): the
// same guarantees the foreign keys gave.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDb, type TestDb } from '../db/testing.ts';
import { systemClock } from '../shared/clock.ts';
import { createBatch } from './feeds.queries.ts';
import { ingestRows } from './ingest-rows.ts';
import { validRow } from './testing.ts';

let tdb: TestDb;
let batchId: number;
let rowId: number;
beforeAll(async () => {
  tdb = await createTestDb();
  batchId = await createBatch(tdb.db, 'cbp', 'file', 'cbp_checks.csv', new Date());
  await ingestRows(
    { db: tdb.db, clock: systemClock },
    {
      source: 'cbp',
      batchId,
      rows: ['E1', 'E2'].map((id, i) => ({ line: i + 2, rawText: id, fields: validRow('cbp', id) })),
    },
  );
  rowId = (await tdb.db.query<{ row_id: number }>(`SELECT row_id FROM record WHERE record_id = 'E1'`))[0]!
    .row_id;
});
afterAll(async () => {
  await tdb.close();
});

const count = async (sql: string) => (await tdb.db.query<{ n: number }>(sql))[0]!.n;

describe('feed row reference checks', () => {
  it('refuses a record, copied or updated, that names a source row that does not exist', async () => {
    await expect(
      tdb.db.copyRows(
        'record',
        [
          'source',
          'record_id',
          'row_id',
          'in_scope',
          'own_date',
          'event_type',
          'name_as_sent',
          'received_at',
        ],
        [['cbp', 'E9', '987654321', 't', '2023-01-01', 'ENCOUNTER', 'X', new Date().toISOString()]],
      ),
    ).rejects.toThrow(/record \(cbp, E9\) names source_row 987654321, which does not exist/);
    await expect(tdb.db.query(`UPDATE record SET row_id = 987654322 WHERE record_id = 'E1'`)).rejects.toThrow(
      /source_row 987654322/,
    );
    expect(await count(`SELECT count(*)::int AS n FROM record WHERE record_id = 'E9'`)).toBe(0);
    expect(await count(`SELECT row_id::int AS n FROM record WHERE record_id = 'E1'`)).toBe(rowId);
  });

  it('refuses a source row that names a batch that does not exist', async () => {
    await expect(
      tdb.db.query(
        `INSERT INTO source_row (source, record_id, version, content_hash, fields, raw_text, batch_id, line)
         VALUES ('cbp', 'E8', 1, 'h', '{}', '', 987654321, 2)`,
      ),
    ).rejects.toThrow(/feed_batch 987654321, which does not exist/);
    await expect(
      tdb.db.query(`UPDATE source_row SET batch_id = 987654323 WHERE id = $1`, [rowId]),
    ).rejects.toThrow(/feed_batch 987654323/);
  });

  it('keeps the source rows and batches that others name, and their ids', async () => {
    await expect(tdb.db.query('DELETE FROM source_row WHERE id = $1', [rowId])).rejects.toThrow(
      new RegExp(`source_row ${rowId} is still named by a record`),
    );
    await expect(tdb.db.query('DELETE FROM feed_batch WHERE id = $1', [batchId])).rejects.toThrow(
      new RegExp(`feed_batch ${batchId} is still named by a source row`),
    );
    await expect(tdb.db.query('TRUNCATE source_row CASCADE')).rejects.toThrow(/while records name its rows/);
    await expect(tdb.db.query('UPDATE source_row SET id = id WHERE id = $1', [rowId])).rejects.toThrow(
      /never changed/,
    );
    expect(await count(`SELECT count(*)::int AS n FROM source_row`)).toBe(2);
  });

  it('lets a batch go with its rows, and every feed table be emptied together', async () => {
    const empty = await createBatch(tdb.db, 'cbp', 'file', 'cbp_empty.csv', new Date());
    await tdb.db.query('DELETE FROM feed_batch WHERE id = $1', [empty]);
    await tdb.db.query('TRUNCATE record, quarantine, source_row, feed_batch CASCADE');
    expect(await count(`SELECT count(*)::int AS n FROM feed_batch`)).toBe(0);
  });
});

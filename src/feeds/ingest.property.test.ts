import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDb, type TestDb } from '../db/testing.ts';
import { fixedClock } from '../shared/clock.ts';
import { ingestFiles, rebuildRecords } from './index.ts';
import { syntheticRow, toCsv, type Fields } from './testing.ts';
import { feedState, resetFeeds } from './state.testing.ts';
import type { Source } from './sources.ts';

let t: TestDb;
let dir: string;
const clock = fixedClock('2024-06-01T12:00:00Z');
beforeAll(async () => {
  t = await createTestDb();
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'feeds-prop-'));
});
afterAll(async () => {
  await t.close();
});

// A pool of rows, each record id with one content; every 4th row is bad (quarantined). Rows of the
// same record id with different content would be corrections, whose order matters by design.
const POOL: { source: Source; row: Fields }[] = (['cbp', 'orr', 'eoir'] as const).flatMap((source) =>
  Array.from({ length: 8 }, (_, i) => ({ source, row: syntheticRow(source, i, 4) })),
);

function writeFile(name: string, source: Source, rows: Fields[]): string {
  const p = path.join(dir, name);
  fs.writeFileSync(p, toCsv(source, rows));
  return p;
}

describe('ingest is order- and duplicate-independent', () => {
  it('any permutation and duplication of a set of files gives the same stored state', async () => {
    const fileArb = fc
      .tuple(
        fc.constantFrom<Source>('cbp', 'orr', 'eoir'),
        fc.uniqueArray(fc.integer({ min: 0, max: 7 }), { minLength: 1, maxLength: 8 }),
      )
      .map(([source, idx]) => ({
        source,
        rows: idx.map((i) => POOL.filter((p) => p.source === source)[i]!.row),
      }));
    let run = 0;
    await fc.assert(
      fc.asyncProperty(
        fc.array(fileArb, { minLength: 1, maxLength: 4 }),
        fc.func(fc.integer()),
        fc.array(fc.nat(), { maxLength: 3 }),
        async (files, order, dups) => {
          run++;
          const paths = files.map((f, i) => writeFile(`${f.source}_${run}_${i}.csv`, f.source, f.rows));
          await resetFeeds(t.db);
          await ingestFiles({ db: t.db, clock }, { paths, chunkSize: 3 });
          const expected = await feedState(t.db);
          // The same files in another order, some of them twice.
          const shuffled = [...paths].sort((a, b) => order(a) - order(b));
          const withDups = [...shuffled, ...dups.map((d) => paths[d % paths.length]!)];
          await resetFeeds(t.db);
          await ingestFiles({ db: t.db, clock }, { paths: withDups, chunkSize: 5 });
          expect(await feedState(t.db)).toEqual(expected);
        },
      ),
      { numRuns: 12 },
    );
  });

  it('a full rebuild of the records gives what incremental ingest gave', async () => {
    await resetFeeds(t.db);
    const f1 = writeFile(
      'cbp_r1.csv',
      'cbp',
      POOL.filter((p) => p.source === 'cbp').map((p) => p.row),
    );
    const f2 = writeFile('cbp_r2.csv', 'cbp', [
      syntheticRow('cbp', 0, 0),
      { ...syntheticRow('cbp', 1), sex: 'M' },
    ]);
    const f3 = writeFile(
      'orr_r.csv',
      'orr',
      POOL.filter((p) => p.source === 'orr').map((p) => p.row),
    );
    await ingestFiles({ db: t.db, clock }, { paths: [f1, f2, f3], chunkSize: 4 });
    const before = await feedState(t.db);
    const ids = await t.db.query(`SELECT id, source, record_id, row_id FROM record ORDER BY id`);
    await t.db.query(`UPDATE record SET surname1 = 'DAMAGED', in_scope = NOT in_scope`);
    const result = await rebuildRecords({ db: t.db, clock }, { chunkSize: 3 });
    expect(result.records).toBe(ids.length);
    expect(await feedState(t.db)).toEqual(before);
    expect(await t.db.query(`SELECT id, source, record_id, row_id FROM record ORDER BY id`)).toEqual(ids);
  });
});

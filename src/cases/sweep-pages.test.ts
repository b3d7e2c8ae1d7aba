// A sweep's pages (activeChildPageStarts, eachActiveChildInPage): every active child in exactly one
// page, even when children are created or merged after the pages were cut.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDb, type TestDb } from '../db/testing.ts';
import { activeChildPageStarts, eachActiveChildInPage } from './cases.queries.ts';

let tdb: TestDb;
beforeAll(async () => {
  tdb = await createTestDb();
  await tdb.db.query(
    `INSERT INTO child (id) SELECT 'C7' || lpad(g::text, 6, '0') FROM generate_series(1, 50) g WHERE g % 2 = 0`,
  );
});
afterAll(async () => {
  await tdb.close();
});

async function readPages(starts: string[]) {
  const seen: string[] = [];
  for (const [i, first] of starts.entries()) {
    await eachActiveChildInPage(tdb.db, first, starts[i + 1] ?? null, 7, (id, records) => {
      expect(records).toEqual([]);
      seen.push(id);
    });
  }
  return seen;
}

const active = async () =>
  (
    await tdb.db.query<{ id: string }>(
      `SELECT id FROM child WHERE merged_into IS NULL AND retired_at IS NULL ORDER BY id`,
    )
  ).map((r) => r.id);

describe('sweep pages', () => {
  it('cut the active children into pages of the given size, each child once', async () => {
    const starts = await activeChildPageStarts(tdb.db, 7);
    expect(starts).toHaveLength(4); // 25 children
    expect(await readPages(starts)).toEqual(await active());
  });

  it('still hold every active child once when children come and go after the cut', async () => {
    const starts = await activeChildPageStarts(tdb.db, 7);
    // New children inside the first page and after the last start; one merged, one retired.
    await tdb.db.query(`INSERT INTO child (id) VALUES ('C7000003'), ('C7000005'), ('C7000051')`);
    await tdb.db.query(`UPDATE child SET merged_into = 'C7000002' WHERE id = 'C7000004'`);
    await tdb.db.query(`UPDATE child SET retired_at = now() WHERE id = 'C7000030'`);
    const seen = await readPages(starts);
    expect(new Set(seen).size).toBe(seen.length);
    expect(seen).toEqual(await active());
    expect(seen).toContain('C7000003');
    expect(seen).toContain('C7000051');
    expect(seen).not.toContain('C7000004');
  });

  it('stop handing children over when one fails, and fail once the page is read', async () => {
    const handed: string[] = [];
    const reading = eachActiveChildInPage(tdb.db, 'C7000000', null, 7, (id) => {
      handed.push(id);
      if (handed.length === 3) throw new Error(`cannot evaluate ${id}`);
    });
    await expect(reading).rejects.toThrow(/cannot evaluate C7000005/);
    expect(handed).toEqual(['C7000002', 'C7000003', 'C7000005']);
    // The connection the page was read on is whole: the next read gives every child.
    expect(await readPages(await activeChildPageStarts(tdb.db, 7))).toEqual(await active());
  });
});

import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createTestDb, type TestDb } from '../db/testing.ts';
import { Facts, HOME, OTHER_HOME } from '../cases/testing.ts';
import { loadFixtureChildren, type FixtureChild } from '../cases/db-fixtures.ts';
import { sweepStreets } from './addresses.queries.ts';

let t: TestDb;
beforeEach(async () => {
  t = await createTestDb();
});
afterEach(async () => {
  await t.close();
});

const PINE = { line: '7 PINE RD', unit: null, city: 'DALLAS', state: 'TX', zip5: '75201' };

describe('sweepStreets', () => {
  it('names the streets held with a unit and those enough releases went to, as of the date', async () => {
    const children: FixtureChild[] = [];
    const story = (childId: string, tell: (f: Facts) => void) => {
      const f = new Facts();
      tell(f);
      children.push({ childId, records: f.records });
    };
    // Three releases to 123 MAIN ST (one of them to a unit there), one to 7 PINE RD.
    story('A', (f) => f.release('2020-01-01', HOME));
    story('B', (f) => f.release('2020-02-01', HOME));
    story('C', (f) => f.release('2020-03-01', { ...HOME, unit: '4' }));
    story('D', (f) => f.release('2020-01-01', PINE));
    // A unit at 45 OAK AVE known only from an address update, and only after the date asked about.
    story('E', (f) => f.addressUpdate('2020-01-01', OTHER_HOME));
    story('F', (f) => f.addressUpdate('2021-01-01', { ...PINE, unit: '9' }));
    await loadFixtureChildren(t.db, children);

    const streets = await sweepStreets(t.db, '2020-06-30', 3);
    expect([...streets.units].sort()).toEqual(['123 MAIN ST|77002', '45 OAK AVE|77003']);
    expect(streets.recurring).toEqual([{ line: '123 MAIN ST', zip5: '77002' }]);

    // Before the third release, no street had enough.
    expect((await sweepStreets(t.db, '2020-02-15', 3)).recurring).toEqual([]);
    expect((await sweepStreets(t.db, '2020-02-15', 2)).recurring).toEqual([
      { line: '123 MAIN ST', zip5: '77002' },
    ]);
    // Whatever the threshold, a street no release went to has nothing to recur.
    const byLine = (a: { line: string }, b: { line: string }) => a.line.localeCompare(b.line);
    expect((await sweepStreets(t.db, '2020-02-15', 0)).recurring.sort(byLine)).toEqual([
      { line: '123 MAIN ST', zip5: '77002' },
      { line: '7 PINE RD', zip5: '75201' },
    ]);
    expect([...(await sweepStreets(t.db, '2021-06-30', 3)).units].sort()).toEqual([
      '123 MAIN ST|77002',
      '45 OAK AVE|77003',
      '7 PINE RD|75201',
    ]);
  });
});

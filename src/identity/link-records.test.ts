import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createTestDb, type TestDb } from '../db/testing.ts';
import { fixedClock } from '../shared/clock.ts';
import { silentLog } from '../shared/log.ts';
import { linkAll, linkRecords } from './link-records.ts';
import { seedRecords } from './seed-records.ts';
import { syntheticPopulation, type SyntheticRecord } from './synthetic.ts';
import { pairwiseMetrics } from './pairwise-metrics.ts';

let tdb: TestDb;
beforeEach(async () => {
  tdb = await createTestDb();
});
afterEach(async () => {
  await tdb.close();
});

const deps = () => ({ db: tdb.db, log: silentLog, clock: fixedClock('2024-03-01T12:00:00Z') });

async function linksByPk(): Promise<Map<number, string>> {
  const rows = await tdb.db.query<{ pk: number; child_id: string }>(
    'SELECT record_pk AS pk, child_id FROM record_link',
  );
  return new Map(rows.map((r) => [Number(r.pk), r.child_id]));
}

/** The partition of records into children, as sorted lists of pks (ids ignored). */
function partition(links: Map<number, string>): string[] {
  const groups = new Map<string, number[]>();
  for (const [pk, c] of links) groups.set(c, [...(groups.get(c) ?? []), pk]);
  return [...groups.values()].map((g) => g.sort((a, b) => a - b).join(',')).sort();
}

async function seed(records: SyntheticRecord[]) {
  const pks = await seedRecords(tdb.db, records);
  return new Map(pks.map((pk, k) => [pk, records[k]!.truth]));
}

describe('linking records into children (database)', () => {
  it('links a synthetic population accurately, every in-scope record once, with stable ids on re-run', async () => {
    const pop = syntheticPopulation(250);
    const truth = await seed(pop);
    await seedRecords(tdb.db, [{ ...pop[0]!, recordId: 'OUT-1' }], false);
    const summary = await linkAll(deps());
    expect(summary.trained).toBe(true);
    expect(summary.records).toBe(pop.length);
    const links = await linksByPk();
    expect(links.size).toBe(pop.length);
    const pks = [...truth.keys()];
    const m = pairwiseMetrics(
      pks.map((pk) => links.get(pk)!),
      pks.map((pk) => truth.get(pk)!),
    );
    expect(m.precision).toBeGreaterThan(0.99);
    expect(m.recall).toBeGreaterThan(0.97);

    const again = await linkAll(deps());
    expect(again.trained).toBe(false);
    expect(again.changedLinks).toBe(0);
    expect(again.newChildren).toBe(0);
    expect(await linksByPk()).toEqual(links);

    // A model stored by a version that compared fewer fields is retrained, not misread.
    await tdb.db.exec(
      `UPDATE link_model SET params = jsonb_set(params, '{m}', (params->'m') - 6) WHERE id = (SELECT max(id) FROM link_model)`,
    );
    const retrained = await linkRecords(deps(), [pks[0]!]);
    expect(retrained.trained).toBe(true);
    expect(await linksByPk()).toEqual(links);
  });

  it('incremental linking of new rows gives the same children as a full re-link', async () => {
    const pop = syntheticPopulation(250, undefined, 11);
    const byChild = new Map<string, SyntheticRecord[]>();
    for (const r of pop) byChild.set(r.truth, [...(byChild.get(r.truth) ?? []), r]);
    // Day 1: most rows; day 2: the rest, including later rows of children already known.
    const day1 = pop.filter((_, k) => k % 5 !== 0);
    const day2 = pop.filter((_, k) => k % 5 === 0);
    await seed(day1);
    await linkAll(deps());
    const before = await linksByPk();
    const newPks = await seedRecords(tdb.db, day2);
    const inc = await linkRecords(deps(), newPks);
    expect(inc.mode).toBe('incremental');
    const afterInc = await linksByPk();
    expect(afterInc.size).toBe(pop.length);
    // Children whose rows did not change keep their ids.
    const untouched = [...before].filter(([pk]) => afterInc.get(pk) === before.get(pk));
    expect(untouched.length).toBeGreaterThan(before.size * 0.5);

    const full = await linkAll(deps());
    expect(full.changedLinks).toBe(0);
    expect(partition(await linksByPk())).toEqual(partition(afterInc));
  });
});

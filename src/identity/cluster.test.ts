import { describe, expect, it } from 'vitest';
import { assignChildIds } from './child-ids.ts';
import { clusterRecords, EdgeList, KIND, pairKey } from './cluster.ts';
import { RecordTable } from './record-table.ts';
import { recordTable } from './testing.ts';
import { runLinkage } from './link-core.ts';
import { syntheticPopulation } from './synthetic.ts';
import { pairwiseMetrics } from './pairwise-metrics.ts';

const table = recordTable;

function chain(t: RecordTable, weight = 20): EdgeList {
  const e = new EdgeList();
  for (let i = 1; i < t.n; i++) e.push(i - 1, i, weight, KIND.model);
  return e;
}

describe('clustering guards', () => {
  it('joins records along strong edges', () => {
    const t = table([{}, {}, {}]);
    const r = clusterRecords(t, chain(t), 8);
    expect(new Set(r.root).size).toBe(1);
  });

  it('never holds two ORR ids open at the same time (twins admitted together)', () => {
    const t = table([
      { orrId: 'UC1', ownDate: '2022-01-10' },
      { orrId: 'UC1', ownDate: '2022-02-10' },
      { orrId: 'UC2', ownDate: '2022-01-20' },
    ]);
    const r = clusterRecords(t, chain(t), 8);
    expect(r.root[0]).toBe(r.root[1]);
    expect(r.root[2]).not.toBe(r.root[1]);
    expect(r.refused[0]!.reason).toBe('two ORR ids open at once');
  });

  it('allows a new ORR id after the first stay ended (a child who came back)', () => {
    const t = table([
      { orrId: 'UC1', ownDate: '2020-01-10' },
      { orrId: 'UC1', ownDate: '2020-02-10' },
      { orrId: 'UC9', ownDate: '2022-06-01' },
    ]);
    expect(new Set(clusterRecords(t, chain(t), 8).root).size).toBe(1);
  });

  it('never holds dates of birth far apart, nor two encounters on one day', () => {
    const t = table([{ dob: '2008-05-01' }, { dob: '2008-05-01' }, { dob: '2004-11-23' }]);
    expect(clusterRecords(t, chain(t), 8).refused[0]!.reason).toBe('dates of birth far apart');
    const u = table([
      { source: 'cbp', ownDate: '2022-03-03', eventType: 'ENCOUNTER' },
      { source: 'cbp', ownDate: '2022-03-03', eventType: 'ENCOUNTER' },
    ]);
    expect(clusterRecords(u, chain(u), 8).refused[0]!.reason).toBe('two encounters on one day');
  });

  it('a decision to keep apart holds against chains, and a decision to link overrides guards', () => {
    const t = table([{}, {}, {}]);
    const apart = new Set([pairKey(0, 2)]);
    const r = clusterRecords(t, chain(t), 8, apart);
    expect(r.root[0]).not.toBe(r.root[2]);
    const u = table([{ dob: '2008-05-01' }, { dob: '2001-01-01' }]);
    const e = new EdgeList();
    e.push(0, 1, Infinity, KIND.manual);
    expect(clusterRecords(u, e, 8).root[0]).toBe(clusterRecords(u, e, 8).root[1]);
  });

  it('ignores edges below the link threshold', () => {
    const t = table([{}, {}]);
    expect(new Set(clusterRecords(t, chain(t, 5), 8).root).size).toBe(2);
  });
});

describe('stable child ids', () => {
  let n = 100;
  const next = () => `C${++n}`;

  it('a cluster with the same records keeps its id; new clusters get new ids', () => {
    const prev = new Map([
      [1, 'C1'],
      [2, 'C1'],
      [3, 'C2'],
    ]);
    const r = assignChildIds([[1, 2], [3], [4]], prev, next);
    expect(r.ids.slice(0, 2)).toEqual(['C1', 'C2']);
    expect(r.ids[2]).toMatch(/^C1\d\d$/);
    expect(r.retired).toEqual([]);
  });

  it('a merge keeps the id most records had; a split leaves it with the larger part', () => {
    const prev = new Map([
      [1, 'C1'],
      [2, 'C1'],
      [3, 'C1'],
      [4, 'C2'],
    ]);
    const merged = assignChildIds([[1, 2, 3, 4]], prev, next);
    expect(merged.ids).toEqual(['C1']);
    expect(merged.retired).toEqual(['C2']);
    const split = assignChildIds([[1], [2, 3], [4]], prev, next);
    expect(split.ids[1]).toBe('C1');
    expect(split.ids[2]).toBe('C2');
    expect(split.ids[0]).not.toBe('C1');
  });
});

describe('linkage on a synthetic population (in memory)', () => {
  it('meets the precision and recall targets and never merges twins', async () => {
    const pop = syntheticPopulation(1500, undefined, 3);
    const t = new RecordTable(pop.length);
    pop.forEach((r) => t.add(r));
    const res = await runLinkage(t, { randomPairs: 100_000 });
    const m = pairwiseMetrics(
      Array.from(res.clusters.root, String),
      pop.map((r) => r.truth),
    );
    expect(m.precision).toBeGreaterThanOrEqual(0.998);
    expect(m.f1).toBeGreaterThanOrEqual(0.995);
    // Twins share surnames, date of birth and encounter day: no child may hold two of them.
    const truthsByRoot = new Map<number, Set<string>>();
    res.clusters.root.forEach((r, i) =>
      truthsByRoot.set(r, (truthsByRoot.get(r) ?? new Set()).add(pop[i]!.truth)),
    );
    expect([...truthsByRoot.values()].filter((s) => s.size > 1)).toEqual([]);
  });
});

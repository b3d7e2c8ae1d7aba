import { describe, expect, it } from 'vitest';
import { BlockIndex, blockRanges, forEachCandidatePair, forEachPairInRange } from './blocking.ts';
import { runLinkage } from './link-core.ts';
import { collectPairCodes, collectPairCodesShared } from './pair-codes.ts';
import { RecordTable } from './record-table.ts';
import { PairScorer } from './score-pairs.ts';
import { syntheticPopulation } from './synthetic.ts';
import { TRAINING_RULES } from './train-model.ts';

function table(children: number, seed: number): RecordTable {
  const pop = syntheticPopulation(children, undefined, seed);
  const t = new RecordTable(pop.length);
  pop.forEach((r) => t.add(r));
  return t;
}

const pairs = (visit: (v: (i: number, j: number, r: number) => void) => void) => {
  const out: string[] = [];
  visit((i, j, r) => out.push(`${i} ${j} ${r}`));
  return out;
};

describe('candidate pairs compared on two threads', () => {
  it('cuts the pairs into ranges of blocks that, one after another, visit every pair in order', () => {
    const blocks = new BlockIndex(table(800, 3));
    const all = pairs((v) => forEachCandidatePair(blocks, v));
    expect(all.length).toBeGreaterThan(1000);
    for (const size of [1, 50, 1000, 1e9]) {
      const ranges = blockRanges(blocks, size);
      if (size === 1)
        expect(ranges.length).toBe(blocks.block.reduce((n, _, r) => n + blocks.blockCount(r), 0));
      expect(pairs((v) => ranges.forEach((range) => forEachPairInRange(blocks, range, v)))).toEqual(all);
    }
  });

  it('gives the codes one thread gives, in the same order, whichever thread compared each range', async () => {
    const t = table(1500, 5);
    const blocks = new BlockIndex(t);
    const alone = collectPairCodes(blocks, new PairScorer(t), TRAINING_RULES);
    expect(alone.n).toBeGreaterThan(5000);
    const expected = { n: alone.n, code: alone.code.slice(0, alone.n), rules: alone.rules.slice(0, alone.n) };
    for (const here of [true, false]) {
      const shared = await collectPairCodesShared(t, blocks, new PairScorer(t), TRAINING_RULES, { here });
      expect({
        n: shared.n,
        code: shared.code.slice(0, shared.n),
        rules: shared.rules.slice(0, shared.n),
      }).toEqual(expected);
    }
  });

  it('links a population as one thread does: the same model, edges and children', async () => {
    const t = table(1500, 9);
    const one = await runLinkage(t, { randomPairs: 50_000, sharedFromPairs: Infinity });
    const two = await runLinkage(t, { randomPairs: 50_000, sharedFromPairs: 0 });
    expect(two.params).toEqual(one.params);
    expect(two.candidatePairs).toBe(one.candidatePairs);
    expect(two.edges).toEqual(one.edges);
    expect(two.clusters.root).toEqual(one.clusters.root);
    // With the model given, the pairs are still compared on two threads and scored alike.
    const given = await runLinkage(t, { model: { params: one.params, freq: one.freq }, sharedFromPairs: 0 });
    expect(given.edges).toEqual(one.edges);
    expect(given.clusters.root).toEqual(one.clusters.root);
  });
});

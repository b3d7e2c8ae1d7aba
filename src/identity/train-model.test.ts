import { describe, expect, it } from 'vitest';
import { runLinkage } from './link-core.ts';
import { RecordTable } from './record-table.ts';
import { syntheticPopulation } from './synthetic.ts';

describe('model training', () => {
  it('estimates the share of matching pairs (λ) from the data, close to the true share', async () => {
    const pop = syntheticPopulation(3000, undefined, 5);
    const t = new RecordTable(pop.length);
    pop.forEach((r) => t.add(r));
    const { params } = await runLinkage(t, { randomPairs: 100_000 });
    const perChild = new Map<string, number>();
    for (const r of pop) perChild.set(r.truth, (perChild.get(r.truth) ?? 0) + 1);
    let matches = 0;
    for (const k of perChild.values()) matches += (k * (k - 1)) / 2;
    const trueShare = matches / ((t.n * (t.n - 1)) / 2);
    expect(params.lambda / trueShare).toBeGreaterThan(0.95);
    expect(params.lambda / trueShare).toBeLessThan(1.05);
  });

  it('gives the same model for the same records whatever order they arrived in', async () => {
    const pop = syntheticPopulation(2000, undefined, 7);
    const table = (records: typeof pop) => {
      const t = new RecordTable(records.length);
      // Pks follow the order of arrival, as an ingest assigns them.
      records.forEach((r, i) => t.add({ ...r, pk: i + 1 }));
      return t;
    };
    const reversed = [...pop].reverse();
    const interleaved = [...pop.filter((_, i) => i % 2 === 1), ...pop.filter((_, i) => i % 2 === 0)];
    const first = (await runLinkage(table(pop), { randomPairs: 50_000 })).params;
    for (const order of [reversed, interleaved]) {
      const { params } = await runLinkage(table(order), { randomPairs: 50_000 });
      expect(params.u).toEqual(first.u);
      expect(params.m).toEqual(first.m);
      expect(params.lambda).toBe(first.lambda);
    }
  });
});

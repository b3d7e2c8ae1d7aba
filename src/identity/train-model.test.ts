import { describe, expect, it } from 'vitest';
import { runLinkage } from './link-core.ts';
import { RecordTable } from './record-table.ts';
import { syntheticPopulation } from './synthetic.ts';

describe('model training', () => {
  it('estimates the share of matching pairs (λ) from the data, close to the true share', () => {
    const pop = syntheticPopulation(3000, undefined, 5);
    const t = new RecordTable(pop.length);
    pop.forEach((r) => t.add(r));
    const { params } = runLinkage(t, { randomPairs: 100_000 });
    const perChild = new Map<string, number>();
    for (const r of pop) perChild.set(r.truth, (perChild.get(r.truth) ?? 0) + 1);
    let matches = 0;
    for (const k of perChild.values()) matches += (k * (k - 1)) / 2;
    const trueShare = matches / ((t.n * (t.n - 1)) / 2);
    expect(params.lambda / trueShare).toBeGreaterThan(0.95);
    expect(params.lambda / trueShare).toBeLessThan(1.05);
  });
});

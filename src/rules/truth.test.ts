// The sweep against the simulation's independent truth: simulate a small population, ingest its
// feeds, link rows with the true links (identity's accuracy is not under test here), sweep the rules
// as of several dates and compare, per rule, the children with an open alert to the count the truth
// implies (truth/rules-DATE.json, computed by src/simulate/truth-rules.ts from the final rows).
// Every rule's count is implied by the truth at the catalogue's default settings; see
// docs/simulate.md for what the comparison assumes (true links, true dates of birth).
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadSimulatedPopulation, type SimulatedPopulation } from '../simulate/testing.ts';
import type { TruthRuleCounts } from '../simulate/truth-rules.ts';
import { fixedClock } from '../shared/clock.ts';
import { createLog } from '../shared/log.ts';
import { RULE_IDS } from './catalogue.ts';
import { sweepRules } from './evaluate-children.ts';

const DATES = ['2021-06-30', '2023-03-31', '2024-05-31'];
let t: SimulatedPopulation;
const deps = () => ({ db: t.db, log: createLog('silent'), clock: fixedClock('2024-06-01T00:00:00Z') });

beforeAll(async () => {
  t = await loadSimulatedPopulation({ children: 600, seed: 1, asOf: '2024-05-31', truthDates: DATES });
}, 600_000);

afterAll(async () => {
  await t?.close();
});

describe('rules sweep on a simulated population', () => {
  it.each(DATES)('opens, per rule, as many alerts as the truth implies as of %s', async (asOf) => {
    const truth = JSON.parse(
      fs.readFileSync(path.join(t.dir, 'truth', `rules-${asOf}.json`), 'utf8'),
    ) as TruthRuleCounts;
    await sweepRules(deps(), asOf);
    const rows = await t.db.query<{ rule_id: string; n: number }>(
      `SELECT rule_id, count(DISTINCT child_id)::int AS n FROM alert WHERE closed_at IS NULL GROUP BY rule_id`,
    );
    const got = Object.fromEntries(RULE_IDS.map((id) => [id, 0]));
    for (const r of rows) got[r.rule_id] = r.n;
    expect(got).toEqual(truth.children);
    // The population is chosen so that by the last date every rule holds for some child.
    if (asOf === DATES.at(-1)) {
      expect(RULE_IDS.filter((id) => truth.children[id] === 0)).toEqual([]);
    }
  });
});

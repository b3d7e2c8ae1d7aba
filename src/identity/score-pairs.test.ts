import { describe, expect, it } from 'vitest';
import {
  compareANumber,
  compareCountry,
  compareDob,
  compareGiven,
  compareRecordDates,
  compareSex,
  compareSurnames,
} from './compare.ts';
import { decodePattern } from './model.ts';
import { dayNumber } from './names.ts';
import { RecordTable } from './record-table.ts';
import { recordTable } from './testing.ts';
import { F_DOB, PairScorer } from './score-pairs.ts';
import { syntheticPopulation } from './synthetic.ts';

const table = recordTable;

// The scorer compares values through caches and, for dates, on numbers: every level must still be
// the one the comparison functions give on the strings.
describe('pair scorer levels', () => {
  it('gives compareDob’s level for every pair of dates, including odd and malformed ones', () => {
    const dobs = [
      '2008-05-01',
      '2008-01-05', // day and month swapped
      '2008-05-02', // one part off
      '2009-05-01',
      '2008-11-30', // within a year
      '2007-05-02',
      '1999-12-31', // far apart
      '2008-5-1', // not in YYYY-MM-DD form
      'unknown',
      null,
    ];
    const t = table(dobs.map((dob) => ({ dob })));
    const scorer = new PairScorer(t);
    for (let i = 0; i < t.n; i++) {
      for (let j = 0; j < t.n; j++) {
        const level = decodePattern(scorer.code(i, j))[F_DOB];
        expect(level, `${dobs[i]} vs ${dobs[j]}`).toBe(compareDob(dobs[i]!, dobs[j]!));
      }
    }
  });

  it('agrees with the comparison functions on a synthetic population (many cached value pairs)', () => {
    const pop = syntheticPopulation(400).map((r, k) => ({ ...r, pk: k + 1 }));
    const t = new RecordTable();
    pop.forEach((r) => t.add(r));
    const scorer = new PairScorer(t);
    let compared = 0;
    const wrong: string[] = [];
    // Twice over, so the second round reads what the first cached.
    for (let round = 0; round < 2; round++) {
      for (let i = 0; i < t.n; i += 5) {
        for (let j = i + 1; j < t.n; j += 41) {
          const a = pop[i]!;
          const b = pop[j]!;
          const got = decodePattern(scorer.code(i, j));
          const want = [
            compareGiven(a.given, b.given),
            compareSurnames(a.surname1, a.surname2, b.surname1, b.surname2),
            compareDob(a.dob, b.dob),
            compareANumber(a.aNumber, b.aNumber),
            compareSex(a.sex, b.sex),
            compareCountry(a.country, b.country),
            compareRecordDates(dayNumber(a.ownDate), dayNumber(b.ownDate)),
          ];
          if (got.join() !== want.join()) wrong.push(`${a.recordId} vs ${b.recordId}: ${got} != ${want}`);
          compared++;
        }
      }
    }
    expect(wrong).toEqual([]);
    expect(compared).toBeGreaterThan(10_000);
  });
});

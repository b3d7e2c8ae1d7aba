// Candidate pairs with their comparison pattern, kept in compact typed arrays: computed once, then
// used both to train the model (pattern counts) and to score.
import { BLOCKING_RULES, forEachCandidatePair, sharesBlock, type Oversized } from './blocking.ts';
import type { RecordTable } from './record-table.ts';
import type { PairScorer } from './score-pairs.ts';

export class PairList {
  n = 0;
  a = new Int32Array(1024);
  b = new Int32Array(1024);
  code = new Int32Array(1024);
  /** Bit r set when blocking rule r holds the pair (training rounds use it). */
  rules = new Uint8Array(1024);

  push(i: number, j: number, code: number, rules: number) {
    if (this.n === this.a.length) {
      const grow = <T extends Int32Array | Uint8Array>(x: T): T => {
        const y = new (x.constructor as new (n: number) => T)(x.length * 2);
        y.set(x);
        return y;
      };
      this.a = grow(this.a);
      this.b = grow(this.b);
      this.code = grow(this.code);
      this.rules = grow(this.rules);
    }
    this.a[this.n] = i;
    this.b[this.n] = j;
    this.code[this.n] = code;
    this.rules[this.n] = rules;
    this.n++;
  }
}

export function collectPairs(
  t: RecordTable,
  blocks: Map<number, number[]>[],
  scorer: PairScorer,
  only?: Uint8Array,
  oversized?: Oversized,
): PairList {
  const pairs = new PairList();
  forEachCandidatePair(
    t,
    blocks,
    (i, j, first) => {
      let mask = 1 << first;
      for (let r = first + 1; r < BLOCKING_RULES.length; r++) {
        if (sharesBlock(t, blocks, r, i, j, oversized)) mask |= 1 << r;
      }
      pairs.push(i, j, scorer.compare(i, j), mask);
    },
    only,
    oversized,
  );
  return pairs;
}

// The comparison pattern of every candidate pair, in the order forEachCandidatePair visits them,
// kept in compact typed arrays (3 bytes a pair): computed once, then used to train the model
// (pattern counts) and to score without comparing the pair again.
import { forEachCandidatePair, type BlockIndex } from './blocking.ts';
import { PATTERN_COUNT } from './model.ts';
import type { PairScorer } from './score-pairs.ts';

if (PATTERN_COUNT > 65_536) throw new Error(`pattern codes (${PATTERN_COUNT}) do not fit 16 bits`);

/** Bit set in `rules` when identifiers alone link the pair (deterministic rule). */
export const DETERMINISTIC_BIT = 0x80;

export class PairCodes {
  n = 0;
  code: Uint16Array;
  /**
   * Bit r set when blocking rule r (one of the rules asked for) holds the pair; DETERMINISTIC_BIT
   * when identifiers link it.
   */
  rules: Uint8Array;

  constructor(capacity = 1024) {
    this.code = new Uint16Array(Math.max(capacity, 16));
    this.rules = new Uint8Array(Math.max(capacity, 16));
  }

  push(code: number, rules: number) {
    if (this.n === this.code.length) {
      const code2 = new Uint16Array(this.n * 2);
      code2.set(this.code);
      this.code = code2;
      const rules2 = new Uint8Array(this.n * 2);
      rules2.set(this.rules);
      this.rules = rules2;
    }
    this.code[this.n] = code;
    this.rules[this.n] = rules;
    this.n++;
  }
}

/** Codes of all candidate pairs, noting which of `rules` hold each. */
export function collectPairCodes(
  blocks: BlockIndex,
  scorer: PairScorer,
  rules: readonly number[],
  only?: Uint8Array,
): PairCodes {
  // Sized once: growing arrays of a hundred million pairs would copy them and provoke collections.
  const pairs = new PairCodes(blocks.pairBound());
  forEachCandidatePair(
    blocks,
    (i, j) => {
      const code = scorer.code(i, j);
      const det = scorer.deterministic(i, j, code) ? DETERMINISTIC_BIT : 0;
      pairs.push(code, blocks.ruleMask(i, j, rules) | det);
    },
    only,
  );
  return pairs;
}

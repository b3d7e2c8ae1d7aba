// The comparison pattern of every candidate pair, in the order forEachCandidatePair visits them,
// kept in compact typed arrays (3 bytes a pair): computed once, then used to train the model
// (pattern counts) and to score without comparing the pair again.
import {
  blockRanges,
  forEachCandidatePair,
  forEachPairInRange,
  pairBound,
  ruleMask,
  type BlockRange,
  type Blocks,
  type BlockIndex,
} from './blocking.ts';
import { PATTERN_COUNT } from './model.ts';
import { PairCodesWorker } from './pair-codes-worker-client.ts';
import { scoringData, type PairScorer, type ScoringTable } from './score-pairs.ts';

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

  /** Codes already computed: the first `n` of the arrays (another thread's, say). */
  static of(code: Uint16Array, rules: Uint8Array, n: number): PairCodes {
    const codes = new PairCodes(0);
    Object.assign(codes, { code, rules, n });
    return codes;
  }

  /** The codes of several stretches of pairs, one after the other. */
  static concat(parts: readonly PairCodes[]): PairCodes {
    const all = new PairCodes(parts.reduce((n, p) => n + p.n, 0));
    for (const p of parts) {
      all.code.set(p.code.subarray(0, p.n), all.n);
      all.rules.set(p.rules.subarray(0, p.n), all.n);
      all.n += p.n;
    }
    return all;
  }
}

function codePair(blocks: Blocks, scorer: PairScorer, rules: readonly number[], pairs: PairCodes) {
  return (i: number, j: number) => {
    const code = scorer.code(i, j);
    const det = scorer.deterministic(i, j, code) ? DETERMINISTIC_BIT : 0;
    pairs.push(code, ruleMask(blocks, i, j, rules) | det);
  };
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
  forEachCandidatePair(blocks, codePair(blocks, scorer, rules, pairs), only);
  return pairs;
}

/** Codes of the candidate pairs of one range of blocks, in order. */
export function collectRangeCodes(
  blocks: Blocks,
  scorer: PairScorer,
  rules: readonly number[],
  range: BlockRange,
): PairCodes {
  const pairs = new PairCodes(pairBound(blocks, range));
  forEachPairInRange(blocks, range, codePair(blocks, scorer, rules, pairs));
  return pairs;
}

/** Ranges of blocks the candidate pairs are cut into when two threads share them. */
const SHARED_RANGES = 64;

/**
 * The same codes as collectPairCodes (without `only`), compared by this thread and a worker thread
 * at once: the pairs are cut into ranges of blocks, which the two threads take in turn as each
 * finishes one, and the ranges' codes are put back in order. With `here: false` the worker compares
 * them all (tests check that path so).
 */
export async function collectPairCodesShared(
  t: ScoringTable,
  blocks: BlockIndex,
  scorer: PairScorer,
  rules: readonly number[],
  options: { here?: boolean } = {},
): Promise<PairCodes> {
  const ranges = blockRanges(blocks, Math.max(1, Math.ceil(blocks.pairBound() / SHARED_RANGES)));
  // The next range to take, shared by both threads.
  const next = new Int32Array(new SharedArrayBuffer(4));
  const parts: PairCodes[] = new Array<PairCodes>(ranges.length);
  const worker = new PairCodesWorker({
    table: scoringData(t),
    blocks: { block: blocks.block, start: blocks.start, members: blocks.members },
    rules,
    ranges,
    next,
  });
  try {
    if (options.here !== false)
      for (let k = Atomics.add(next, 0, 1); k < ranges.length; k = Atomics.add(next, 0, 1))
        parts[k] = collectRangeCodes(blocks, scorer, rules, ranges[k]!);
    for (const r of await worker.results()) parts[r.range] = PairCodes.of(r.code, r.rules, r.n);
  } finally {
    await worker.stop();
  }
  const missing = parts.findIndex((p) => p === undefined);
  if (missing >= 0) throw new Error(`pair codes of range ${missing} are missing`);
  return PairCodes.concat(parts);
}

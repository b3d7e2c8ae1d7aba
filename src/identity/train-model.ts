// Estimates the model from the data itself: u on random pairs, m by EM in rounds over different
// blocking rules, then λ by EM over all pairs (candidate pairs' posteriors; the rest are non-matches).
import { COMPARISONS } from './compare.ts';
import {
  decodePattern,
  emOnPatterns,
  estimateU,
  initialM,
  levelWeights,
  PATTERN_COUNT,
  type ModelParams,
} from './model.ts';
import type { RecordTable } from './record-table.ts';
import { F_A_NUMBER, F_DOB, F_GIVEN, F_SURNAMES, type PairScorer } from './score-pairs.ts';
import { BLOCKING_RULES } from './blocking.ts';
import { DETERMINISTIC_BIT, type PairCodes } from './pair-codes.ts';

export const DEFAULT_THRESHOLDS = { linkThreshold: 8, reviewThreshold: 2, tfCapBits: 3 };

const ROUNDS: { rule: string; fixed: number[] }[] = [
  { rule: 'dob + surname1 prefix', fixed: [F_DOB] },
  { rule: 'surname1 + given names', fixed: [F_GIVEN, F_SURNAMES] },
  { rule: 'a_number', fixed: [F_A_NUMBER] },
];

/** The blocking rules whose pairs the training rounds use. */
export const TRAINING_RULES: readonly number[] = ROUNDS.map((round) =>
  BLOCKING_RULES.findIndex((b) => b.name === round.rule),
);

/** A small seeded generator, so training on the same records gives the same model. */
export function seededRandom(seed: number): () => number {
  let s = seed >>> 0 || 1;
  return () => {
    s ^= s << 13;
    s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5;
    s >>>= 0;
    return s / 4_294_967_296;
  };
}

/**
 * λ, the share of matches among all pairs of records, by EM with m and u held: the expected number
 * of matches is the sum of the candidate pairs' match probabilities (pairs that share no block are
 * taken as non-matches), which depends on λ itself, so it is iterated to its fixed point. Starts at
 * the identifier-linked pairs, which are matches.
 */
export function estimateLambda(
  counts: Float64Array,
  model: Pick<ModelParams, 'm' | 'u'>,
  identifierLinked: number,
  allPairs: number,
): number {
  const ratios: number[] = [];
  const n: number[] = [];
  const w = levelWeights(model);
  counts.forEach((c, code) => {
    if (c === 0) return;
    const levels = decodePattern(code);
    let bits = 0;
    for (let f = 0; f < levels.length; f++) bits += w[f]![levels[f]!]!;
    ratios.push(Math.pow(2, bits));
    n.push(c);
  });
  let lambda = Math.min(Math.max(identifierLinked / allPairs, 1e-12), 0.5);
  for (let it = 0; it < 500; it++) {
    const odds = lambda / (1 - lambda);
    let matches = 0;
    for (let k = 0; k < ratios.length; k++) matches += (n[k]! * odds * ratios[k]!) / (1 + odds * ratios[k]!);
    const next = Math.min(Math.max(matches / allPairs, 1e-12), 0.5);
    const done = Math.abs(next - lambda) <= lambda * 1e-9;
    lambda = next;
    if (done) break;
  }
  return lambda;
}

/**
 * The table's rows in the order of their keys (source, record id). Random pairs are drawn in this
 * order, so that the same records give the same model whatever order they arrived in: rows come
 * in pk order, and pks follow the order of the ingest, which two files stored at once vary.
 * A native sort of numbers (a 32-bit hash of the key above the row's index) does it in a sixth of
 * the time a comparison of strings takes on millions of rows; rows whose keys share a hash are then
 * put in the order of the keys themselves.
 */
function keyOrder(t: RecordTable): Int32Array {
  const key = (i: number) => `${t.source[i]}:${t.recordId[i]}`;
  const span = 2 ** Math.max(1, Math.ceil(Math.log2(t.n + 1)));
  // A hash and an index share the 53 bits of a double.
  const hashSpan = Math.min(2 ** 32, Number.MAX_SAFE_INTEGER / span);
  const packed = new Float64Array(t.n);
  for (let i = 0; i < t.n; i++) {
    const k = key(i);
    let h = 0x811c9dc5;
    for (let c = 0; c < k.length; c++) h = Math.imul(h ^ k.charCodeAt(c), 16_777_619);
    packed[i] = Math.floor(((h >>> 0) / 2 ** 32) * hashSpan) * span + i;
  }
  packed.sort();
  const order = new Int32Array(t.n);
  for (let p = 0; p < t.n; p++) order[p] = packed[p]! % span;
  for (let p = 0; p < t.n;) {
    let q = p + 1;
    const hash = Math.floor(packed[p]! / span);
    while (q < t.n && Math.floor(packed[q]! / span) === hash) q++;
    if (q - p > 1) order.subarray(p, q).sort((a, b) => (key(a) < key(b) ? -1 : 1));
    p = q;
  }
  return order;
}

/** Estimates the model on a table's candidate pairs (their pattern codes and blocking rules). */
export function trainModel(
  t: RecordTable,
  pairs: PairCodes,
  scorer: PairScorer,
  options: { randomPairs?: number; thresholds?: Partial<typeof DEFAULT_THRESHOLDS> } = {},
): ModelParams {
  // u: random pairs are almost all non-matches.
  const rnd = seededRandom(20_190_101);
  const sample = Math.min(options.randomPairs ?? 300_000, Math.max((t.n * (t.n - 1)) / 2, 1));
  const randomCounts = new Map<number, number>();
  const order = keyOrder(t);
  for (let s = 0; s < sample && t.n > 1; s++) {
    const i = Math.floor(rnd() * t.n);
    let j = Math.floor(rnd() * (t.n - 1));
    if (j >= i) j++;
    const code = scorer.code(order[i]!, order[j]!);
    randomCounts.set(code, (randomCounts.get(code) ?? 0) + 1);
  }
  const u = estimateU(randomCounts);

  // Identifier links (a lower bound on the matches), every candidate pair's pattern (for λ) and
  // each round's pattern counts.
  const roundBit = TRAINING_RULES.map((r) => 1 << r);
  const roundCounts = ROUNDS.map(() => new Float64Array(PATTERN_COUNT));
  const allCounts = new Float64Array(PATTERN_COUNT);
  let deterministic = 0;
  for (let p = 0; p < pairs.n; p++) {
    const rules = pairs.rules[p]!;
    const code = pairs.code[p]!;
    if (rules & DETERMINISTIC_BIT) deterministic++;
    allCounts[code]!++;
    for (let k = 0; k < roundBit.length; k++) if (rules & roundBit[k]!) roundCounts[k]![code]!++;
  }
  const allPairs = Math.max((t.n * (t.n - 1)) / 2, 1);

  // m: EM in rounds; each field's m is the mean over the rounds that do not fix it.
  const start = initialM();
  const sums = start.map((row) => row.map(() => 0));
  const seen = COMPARISONS.map(() => 0);
  const rounds: ModelParams['trainedOn']['rounds'] = [];
  ROUNDS.forEach((round, k) => {
    const counts = new Map<number, number>();
    let n = 0;
    roundCounts[k]!.forEach((c, code) => {
      if (c === 0) return;
      counts.set(code, c);
      n += c;
    });
    if (n === 0) return;
    const fixed = new Set(round.fixed);
    const res = emOnPatterns(counts, u, start, fixed);
    rounds.push({ rule: round.rule, pairs: n, iterations: res.iterations });
    res.m.forEach((row, f) => {
      if (fixed.has(f)) return;
      seen[f]!++;
      row.forEach((x, l) => (sums[f]![l]! += x));
    });
  });
  const m = start.map((row, f) => (seen[f] ? sums[f]!.map((x) => x / seen[f]!) : row));
  const lambda = estimateLambda(allCounts, { m, u }, deterministic, allPairs);
  return {
    lambda,
    m,
    u,
    ...DEFAULT_THRESHOLDS,
    ...options.thresholds,
    trainedOn: { records: t.n, randomPairs: sample, rounds },
  };
}

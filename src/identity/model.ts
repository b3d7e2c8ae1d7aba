// Fellegi–Sunter model: u counted on random pairs, m estimated by expectation–maximisation on
// tables of comparison-pattern counts (one table per blocking round), λ from strict-rule matches.
import { COMPARISONS, MISSING } from './compare.ts';

export interface ModelParams {
  /** Prior probability that two random in-scope records are the same child. */
  lambda: number;
  /** m[field][level] and u[field][level]; level 0 (missing) is not used. */
  m: number[][];
  u: number[][];
  /** Match weight (bits) at or above which a pair is linked, and the lower edge of the review band. */
  linkThreshold: number;
  reviewThreshold: number;
  /** Term-frequency adjustments are floored: an exact name match never gains more than this (bits). */
  tfCapBits: number;
  trainedOn: {
    records: number;
    randomPairs: number;
    rounds: { rule: string; pairs: number; iterations: number }[];
  };
}

export const RADICES = COMPARISONS.map((c) => c.levels.length);
export const PATTERN_COUNT = RADICES.reduce((a, b) => a * b, 1);

export function encodePattern(levels: readonly number[]): number {
  let code = 0;
  for (let f = 0; f < RADICES.length; f++) code = code * RADICES[f]! + levels[f]!;
  return code;
}

export function decodePattern(code: number): number[] {
  const levels = new Array<number>(RADICES.length);
  for (let f = RADICES.length - 1; f >= 0; f--) {
    levels[f] = code % RADICES[f]!;
    code = Math.floor(code / RADICES[f]!);
  }
  return levels;
}

const EPS = 1e-6;

/** u: share of each level among random pairs (nearly all non-matches), missing excluded. */
export function estimateU(patternCounts: ReadonlyMap<number, number>): number[][] {
  const counts = RADICES.map((r) => new Array<number>(r).fill(0));
  for (const [code, n] of patternCounts) {
    decodePattern(code).forEach((l, f) => (counts[f]![l]! += n));
  }
  return counts.map((c) => {
    const total = c.slice(1).reduce((a, b) => a + b, 0);
    // One pseudo-count per level keeps levels never seen among random pairs finite.
    return c.map((x, l) => (l === MISSING ? 1 : (x + 1) / (total + c.length - 1)));
  });
}

/** Starting m: most weight on the exact level, decreasing along the list. */
export function initialM(): number[][] {
  return RADICES.map((r) => {
    const raw = Array.from({ length: r }, (_, l) => (l === MISSING ? 0 : Math.pow(0.25, l - 1)));
    raw[r - 1] = 0.02;
    const total = raw.reduce((a, b) => a + b, 0);
    return raw.map((x, l) => (l === MISSING ? 1 : x / total));
  });
}

export interface EmResult {
  m: number[][];
  lambda: number;
  iterations: number;
}

/**
 * EM for m (and the round's own λ) on a table of pattern counts, with u held fixed. Fields in
 * `fixed` are constant within the round (its blocking rule) and learn nothing: their m is left as is.
 */
export function emOnPatterns(
  patternCounts: ReadonlyMap<number, number>,
  u: number[][],
  mStart: number[][],
  fixed: ReadonlySet<number>,
  options: { maxIterations?: number; tolerance?: number; lambdaStart?: number } = {},
): EmResult {
  const patterns = [...patternCounts.entries()].map(([code, n]) => ({ levels: decodePattern(code), n }));
  let m = mStart.map((r) => r.slice());
  let lambda = options.lambdaStart ?? 0.1;
  const maxIt = options.maxIterations ?? 100;
  const tol = options.tolerance ?? 1e-6;
  let it = 0;
  for (; it < maxIt; it++) {
    const mNum = RADICES.map((r) => new Array<number>(r).fill(0));
    let matchMass = 0;
    let total = 0;
    for (const { levels, n } of patterns) {
      let pm = lambda;
      let pu = 1 - lambda;
      for (let f = 0; f < levels.length; f++) {
        const l = levels[f]!;
        if (l === MISSING || fixed.has(f)) continue;
        pm *= m[f]![l]!;
        pu *= u[f]![l]!;
      }
      const w = pm / (pm + pu);
      matchMass += w * n;
      total += n;
      for (let f = 0; f < levels.length; f++) mNum[f]![levels[f]!]! += w * n;
    }
    const next = m.map((row, f) => {
      if (fixed.has(f)) return row;
      const denom = mNum[f]!.slice(1).reduce((a, b) => a + b, 0);
      if (denom <= 0) return row;
      return row.map((_, l) => (l === MISSING ? 1 : Math.max(mNum[f]![l]! / denom, EPS)));
    });
    const newLambda = Math.min(Math.max(matchMass / Math.max(total, 1), EPS), 1 - EPS);
    let delta = Math.abs(newLambda - lambda);
    next.forEach((row, f) => row.forEach((x, l) => (delta = Math.max(delta, Math.abs(x - m[f]![l]!)))));
    m = next;
    lambda = newLambda;
    if (delta < tol) break;
  }
  return { m, lambda, iterations: it + 1 };
}

/** Log2 Bayes factor of each level: log2(m/u), 0 for missing. */
export function levelWeights(params: Pick<ModelParams, 'm' | 'u'>): number[][] {
  return params.m.map((row, f) => row.map((mv, l) => (l === MISSING ? 0 : Math.log2(mv / params.u[f]![l]!))));
}

export function priorWeight(lambda: number): number {
  return Math.log2(lambda / (1 - lambda));
}

/** Match weight of a pattern, without term-frequency adjustment. */
export function patternWeight(params: ModelParams, weights: number[][], levels: readonly number[]): number {
  let w = priorWeight(params.lambda);
  for (let f = 0; f < levels.length; f++) w += weights[f]![levels[f]!]!;
  return w;
}

/**
 * Term-frequency adjustment for an exact match on a value seen with relative frequency `tf`:
 * log2(u_exact / tf), floored so a rare value (often a typo) gains at most `capBits`, and a common
 * one (GARCIA) loses what its frequency says.
 */
export function tfAdjustment(uExact: number, tf: number, capBits: number): number {
  if (!(tf > 0)) return 0;
  return Math.min(Math.log2(uExact / tf), capBits);
}

export function probability(weight: number): number {
  return 1 / (1 + Math.pow(2, -weight));
}

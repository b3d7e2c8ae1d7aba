// Scores record pairs from the in-memory table: comparison levels with each distinct pair of values
// compared once (cached), the pattern's weight, term-frequency adjustment, and the deterministic rule.
import {
  COMPARISONS,
  compareANumber,
  compareDob,
  compareGiven,
  compareSex,
  compareSurnames,
  namesCompatible,
} from './compare.ts';
import {
  levelWeights,
  PATTERN_COUNT,
  RADICES,
  priorWeight,
  tfAdjustment,
  type ModelParams,
} from './model.ts';
import type { RecordTable } from './record-table.ts';

export const F_GIVEN = 0;
export const F_SURNAMES = 1;
export const F_DOB = 2;
export const F_A_NUMBER = 3;

/** Share of records holding each normalized given-names value and surname pair. */
export interface NameFrequencies {
  given: Map<string, number>;
  surnames: Map<string, number>;
}

/** Frequencies counted on a table (at training time). */
export function countNameFrequencies(t: RecordTable, minCount = 2): NameFrequencies {
  const out: NameFrequencies = { given: new Map(), surnames: new Map() };
  const d = t.dict;
  d.given.values.forEach((v, id) => {
    if (d.given.counts[id]! >= minCount) out.given.set(v, d.given.counts[id]! / t.n);
  });
  d.surnames.values.forEach((v, id) => {
    if (d.surnames.counts[id]! >= minCount) out.surnames.set(v, d.surnames.counts[id]! / t.n);
  });
  return out;
}

/** Why two records are linked regardless of score. */
export type DeterministicRule = 'orr_uc_id' | 'idncase' | 'a_number' | null;

// Nested maps keep keys small integers (fast hashing); levels of one value pair are computed once.
class PairCache {
  private readonly map = new Map<number, Map<number, number>>();
  private size = 0;
  constructor(private readonly compare: (a: number, b: number) => number) {}
  get(a: number, b: number): number {
    if (a < 0 || b < 0) return 0;
    if (a === b) return this.compare(a, b);
    const lo = a < b ? a : b;
    const hi = a < b ? b : a;
    let inner = this.map.get(lo);
    if (inner === undefined) {
      inner = new Map();
      this.map.set(lo, inner);
    }
    let v = inner.get(hi);
    if (v === undefined) {
      v = this.compare(lo, hi);
      // Bounded so a huge run cannot grow it without end; losing it only costs time.
      if (++this.size > 6_000_000) {
        this.map.clear();
        this.size = 0;
      }
      inner.set(hi, v);
    }
    return v;
  }
}

export class PairScorer {
  private readonly givenCache: PairCache;
  private readonly surnameCache: PairCache;
  private readonly dobCache: PairCache;
  readonly levels = new Array<number>(COMPARISONS.length).fill(0);
  private weights: number[][] = [];
  private patternWeights = new Float64Array(0);
  private params: ModelParams | undefined;

  constructor(private readonly t: RecordTable) {
    const d = t.dict;
    this.givenCache = new PairCache((a, b) => (a === b ? 1 : compareGiven(d.given.get(a), d.given.get(b))));
    this.surnameCache = new PairCache((a, b) => {
      if (a === b) return 1;
      const [a1, a2] = d.surnames.get(a)!.split('|');
      const [b1, b2] = d.surnames.get(b)!.split('|');
      return compareSurnames(a1 ?? null, a2 ?? null, b1 ?? null, b2 ?? null);
    });
    this.dobCache = new PairCache((a, b) => (a === b ? 1 : compareDob(d.dob.get(a), d.dob.get(b))));
  }

  private freq: NameFrequencies = { given: new Map(), surnames: new Map() };
  private givenShare = new Map<number, number>();
  private surnameShare = new Map<number, number>();

  /**
   * The model and the name frequencies frozen with it: the same weights whether a pair is scored in
   * a full run or an incremental one.
   */
  setModel(params: ModelParams, freq: NameFrequencies): void {
    this.params = params;
    this.freq = freq;
    this.givenShare.clear();
    this.surnameShare.clear();
    this.weights = levelWeights(params);
    this.patternWeights = new Float64Array(PATTERN_COUNT).fill(NaN);
  }

  private share(cache: Map<number, number>, table: Map<string, number>, value: string | null, id: number) {
    let s = cache.get(id);
    if (s === undefined) {
      s = (value !== null ? table.get(value) : undefined) ?? 1 / Math.max(this.params!.trainedOn.records, 1);
      cache.set(id, s);
    }
    return s;
  }

  /** Fills `this.levels` for the pair and returns its pattern code. */
  compare(i: number, j: number): number {
    const t = this.t;
    const L = this.levels;
    L[0] = this.givenCache.get(t.given[i]!, t.given[j]!);
    L[1] = this.surnameCache.get(t.surnames[i]!, t.surnames[j]!);
    L[2] = this.dobCache.get(t.dob[i]!, t.dob[j]!);
    const ai = t.aNumber[i]!;
    const aj = t.aNumber[j]!;
    L[3] =
      ai < 0 || aj < 0 ? 0 : ai === aj ? 1 : compareANumber(t.dict.aNumber.get(ai), t.dict.aNumber.get(aj));
    const si = t.sex[i]!;
    const sj = t.sex[j]!;
    L[4] = si === sj ? (si < 0 ? 0 : this.sexLevel(si, sj)) : this.sexLevel(si, sj);
    const ci = t.country[i]!;
    const cj = t.country[j]!;
    L[5] = ci < 0 || cj < 0 ? 0 : ci === cj ? 1 : 2;
    return (
      ((((L[0]! * RADICES[1]! + L[1]!) * RADICES[2]! + L[2]!) * RADICES[3]! + L[3]!) * RADICES[4]! + L[4]!) *
        RADICES[5]! +
      L[5]!
    );
  }

  private sexLevel(a: number, b: number): number {
    const d = this.t.dict.sex;
    return compareSex(d.get(a), d.get(b));
  }

  /** Match weight in bits of a compared pair (call `compare` first). */
  weight(i: number, j: number, code: number): number {
    let w = this.patternWeights[code]!;
    if (Number.isNaN(w)) {
      w = priorWeight(this.params!.lambda);
      for (let f = 0; f < this.levels.length; f++) w += this.weights[f]![this.levels[f]!]!;
      this.patternWeights[code] = w;
    }
    return w + this.tf(i, j);
  }

  /** The term-frequency adjustment of each name field (explanations). */
  tfParts(i: number): { given: number; surnames: number } {
    const p = this.params!;
    const t = this.t;
    const given =
      this.levels[F_GIVEN] === 1
        ? tfAdjustment(
            p.u[F_GIVEN]![1]!,
            this.share(this.givenShare, this.freq.given, t.dict.given.get(t.given[i]!), t.given[i]!),
            p.tfCapBits,
          )
        : 0;
    const surnames =
      this.levels[F_SURNAMES] === 1
        ? tfAdjustment(
            p.u[F_SURNAMES]![1]!,
            this.share(
              this.surnameShare,
              this.freq.surnames,
              t.dict.surnames.get(t.surnames[i]!),
              t.surnames[i]!,
            ),
            p.tfCapBits,
          )
        : 0;
    return { given, surnames };
  }

  /** Term-frequency adjustments for exact name agreement (GARCIA weighs less than TZUL). */
  tf(i: number, j: number): number {
    const p = this.params!;
    const t = this.t;
    let adj = 0;
    // Exact agreement: both records hold the same value, so one side's frequency is the pair's.
    void j;
    if (this.levels[F_GIVEN] === 1) {
      const id = t.given[i]!;
      const share = this.share(this.givenShare, this.freq.given, t.dict.given.get(id), id);
      adj += tfAdjustment(p.u[F_GIVEN]![1]!, share, p.tfCapBits);
    }
    if (this.levels[F_SURNAMES] === 1) {
      const id = t.surnames[i]!;
      const share = this.share(this.surnameShare, this.freq.surnames, t.dict.surnames.get(id), id);
      adj += tfAdjustment(p.u[F_SURNAMES]![1]!, share, p.tfCapBits);
    }
    return adj;
  }

  /** The identifier rule that links the pair outright, if any (call `compare` first). */
  deterministic(i: number, j: number): DeterministicRule {
    const t = this.t;
    if (t.orrId[i]! >= 0 && t.orrId[i] === t.orrId[j]) return 'orr_uc_id';
    if (t.idncase[i]! >= 0 && t.idncase[i] === t.idncase[j]) return 'idncase';
    if (this.levels[F_A_NUMBER] === 1) {
      const dobOk = this.levels[F_DOB]! <= 3;
      if (dobOk && namesCompatible(this.levels[F_GIVEN]!, this.levels[F_SURNAMES]!)) return 'a_number';
    }
    return null;
  }
}

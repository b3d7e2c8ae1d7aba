// Scores record pairs from the in-memory table: comparison levels with each distinct pair of values
// compared once (cached), the pattern's weight, term-frequency adjustment, and the deterministic rule.
import {
  COMPARISONS,
  compareANumber,
  compareDob,
  compareGiven,
  compareRecordDates,
  compareSex,
  compareSurnames,
  namesCompatible,
} from './compare.ts';
import {
  decodePattern,
  encodePattern,
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

// Radices of the pattern code, read once (an imported binding is slower to read in a hot loop).
const [, R1, R2, R3, R4, R5, R6] = RADICES as [number, number, number, number, number, number, number];

// Facts about each pattern code that scoring needs per pair, computed once.
const GIVEN_EXACT = 1;
const SURNAMES_EXACT = 2;
/** A shared A-number is trusted: date of birth missing, equal, swapped or one part off, names compatible. */
const A_NUMBER_LINK = 4;
const PATTERN_FLAGS = Uint8Array.from({ length: PATTERN_COUNT }, (_, code) => {
  const l = decodePattern(code);
  let flags = 0;
  if (l[F_GIVEN] === 1) flags |= GIVEN_EXACT;
  if (l[F_SURNAMES] === 1) flags |= SURNAMES_EXACT;
  if (l[F_A_NUMBER] === 1 && l[F_DOB]! <= 3 && namesCompatible(l[F_GIVEN]!, l[F_SURNAMES]!))
    flags |= A_NUMBER_LINK;
  return flags;
});

/** Why two records are linked regardless of score. */
export type DeterministicRule = 'orr_uc_id' | 'idncase' | 'a_number' | null;

// Levels of one value pair of different values are computed once: an open-addressing hash over typed arrays, keyed by the
// two dictionary ids (no allocation per lookup). Bounded so a huge run cannot grow it without end;
// losing it only costs time.
const EMPTY = -1;
const MAX_SLOTS = 1 << 23;

function slotOf(lo: number, hi: number): number {
  let h = Math.imul(lo, 0x9e3779b1) + hi;
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  return h ^ (h >>> 13);
}

class PairCache {
  private lo = new Int32Array(1 << 12).fill(EMPTY);
  private hi = new Int32Array(1 << 12);
  private val = new Uint8Array(1 << 12);
  private size = 0;
  constructor(private readonly compare: (a: number, b: number) => number) {}

  get(a: number, b: number): number {
    if (a < 0 || b < 0) return 0;
    // Equal values are the exact level of every field.
    if (a === b) return 1;
    const lo = a < b ? a : b;
    const hi = a < b ? b : a;
    const mask = this.lo.length - 1;
    let s = slotOf(lo, hi) & mask;
    for (;;) {
      const k = this.lo[s]!;
      if (k === EMPTY) break;
      if (k === lo && this.hi[s] === hi) return this.val[s]!;
      s = (s + 1) & mask;
    }
    const v = this.compare(lo, hi);
    if ((this.size + 1) * 2 > this.lo.length) {
      if (this.lo.length >= MAX_SLOTS) {
        this.lo.fill(EMPTY);
        this.size = 0;
      } else this.rehash();
    }
    this.insert(lo, hi, v);
    this.size++;
    return v;
  }

  private insert(lo: number, hi: number, v: number): void {
    const mask = this.lo.length - 1;
    let s = slotOf(lo, hi) & mask;
    while (this.lo[s] !== EMPTY) s = (s + 1) & mask;
    this.lo[s] = lo;
    this.hi[s] = hi;
    this.val[s] = v;
  }

  private rehash() {
    const [lo, hi, val] = [this.lo, this.hi, this.val];
    this.lo = new Int32Array(lo.length * 2).fill(EMPTY);
    this.hi = new Int32Array(lo.length * 2);
    this.val = new Uint8Array(lo.length * 2);
    for (let s = 0; s < lo.length; s++) if (lo[s] !== EMPTY) this.insert(lo[s]!, hi[s]!, val[s]!);
  }
}

/** The dictionaries scoring reads: their values by id. */
type ScoringDicts = Record<
  'given' | 'surnames' | 'dob' | 'aNumber' | 'sex',
  { readonly values: readonly string[]; get(id: number): string | null }
>;

/** The columns of a table scoring reads. */
type ScoringColumns = Pick<
  RecordTable,
  'given' | 'surnames' | 'dob' | 'aNumber' | 'sex' | 'country' | 'ownDay' | 'orrId' | 'idncase'
>;

/** What scoring reads of a table: a RecordTable, or the part of one another thread was sent. */
export type ScoringTable = Pick<RecordTable, 'n'> & ScoringColumns & { readonly dict: ScoringDicts };

/** The part of a table scoring reads, as plain arrays that can be sent to another thread. */
export interface ScoringData {
  n: number;
  columns: ScoringColumns;
  dict: Record<keyof ScoringDicts, readonly string[]>;
}

export function scoringData(t: ScoringTable): ScoringData {
  const { n, given, surnames, dob, aNumber, sex, country, ownDay, orrId, idncase } = t;
  const d = t.dict;
  return {
    n,
    columns: { given, surnames, dob, aNumber, sex, country, ownDay, orrId, idncase },
    dict: {
      given: d.given.values,
      surnames: d.surnames.values,
      dob: d.dob.values,
      aNumber: d.aNumber.values,
      sex: d.sex.values,
    },
  };
}

export function scoringTable(data: ScoringData): ScoringTable {
  const dict = (values: readonly string[]) => ({
    values,
    get: (id: number) => (id < 0 ? null : values[id]!),
  });
  return {
    n: data.n,
    ...data.columns,
    dict: {
      given: dict(data.dict.given),
      surnames: dict(data.dict.surnames),
      dob: dict(data.dict.dob),
      aNumber: dict(data.dict.aNumber),
      sex: dict(data.dict.sex),
    },
  };
}

export class PairScorer {
  private readonly givenCache: PairCache;
  private readonly surnameCache: PairCache;
  private readonly dobCache: PairCache;
  private readonly aNumberCache: PairCache;
  /**
   * Dates of birth per dictionary id, for comparing them without a lookup: year, month, day and
   * Date.parse; `dobPlain` is 0 for a value not in YYYY-MM-DD form (compared the slow way).
   */
  private readonly dobY: Int32Array;
  private readonly dobM: Int32Array;
  private readonly dobD: Int32Array;
  private readonly dobMs: Float64Array;
  private readonly dobPlain: Uint8Array;
  /** Sex per dictionary id: 0 unknown, else a code equal for equal known values. */
  private readonly sexCode: Int8Array;
  readonly levels = new Array<number>(COMPARISONS.length).fill(0);
  private weights: number[][] = [];
  /** Per pattern code: the weight without term-frequency adjustment. */
  private patternWeights = new Float64Array(0);
  private params: ModelParams | undefined;
  /** Term-frequency adjustment of an exact match, per dictionary id. */
  private givenTf = new Float64Array(0);
  private surnameTf = new Float64Array(0);

  constructor(private readonly t: ScoringTable) {
    const d = t.dict;
    this.givenCache = new PairCache((a, b) => compareGiven(d.given.get(a), d.given.get(b)));
    this.surnameCache = new PairCache((a, b) => {
      const [a1, a2] = d.surnames.get(a)!.split('|');
      const [b1, b2] = d.surnames.get(b)!.split('|');
      return compareSurnames(a1 ?? null, a2 ?? null, b1 ?? null, b2 ?? null);
    });
    this.dobCache = new PairCache((a, b) => compareDob(d.dob.get(a), d.dob.get(b)));
    this.aNumberCache = new PairCache((a, b) => compareANumber(d.aNumber.get(a), d.aNumber.get(b)));
    const dobs = d.dob.values;
    this.dobPlain = Uint8Array.from(dobs, (v) => (/^\d{4}-\d{2}-\d{2}$/.test(v) ? 1 : 0));
    this.dobY = Int32Array.from(dobs, (v) => Number(v.slice(0, 4)));
    this.dobM = Int32Array.from(dobs, (v) => Number(v.slice(5, 7)));
    this.dobD = Int32Array.from(dobs, (v) => Number(v.slice(8, 10)));
    this.dobMs = Float64Array.from(dobs, (v) => Date.parse(v));
    this.sexCode = Int8Array.from(d.sex.values, (v) => (compareSex(v, v) === 1 ? (v === 'M' ? 1 : 2) : 0));
  }

  private freq: NameFrequencies = { given: new Map(), surnames: new Map() };

  /**
   * The model and the name frequencies frozen with it: the same weights whether a pair is scored in
   * a full run or an incremental one.
   */
  setModel(params: ModelParams, freq: NameFrequencies): void {
    this.params = params;
    this.freq = freq;
    this.weights = levelWeights(params);
    this.patternWeights = new Float64Array(PATTERN_COUNT);
    const prior = priorWeight(params.lambda);
    for (let code = 0; code < PATTERN_COUNT; code++) {
      const levels = decodePattern(code);
      let w = prior;
      for (let f = 0; f < levels.length; f++) w += this.weights[f]![levels[f]!]!;
      this.patternWeights[code] = w;
    }
    const d = this.t.dict;
    this.givenTf = Float64Array.from(d.given.values, (v) => this.tfOf(freq.given, v, F_GIVEN));
    this.surnameTf = Float64Array.from(d.surnames.values, (v) => this.tfOf(freq.surnames, v, F_SURNAMES));
  }

  /** Fills `this.levels` for the pair and returns its pattern code. */
  compare(i: number, j: number): number {
    const code = this.code(i, j);
    const levels = decodePattern(code);
    for (let f = 0; f < levels.length; f++) this.levels[f] = levels[f]!;
    return code;
  }

  /** The pair's pattern code (levels of every field encoded in one number). */
  code(i: number, j: number): number {
    const t = this.t;
    const given = this.givenCache.get(t.given[i]!, t.given[j]!);
    const surnames = this.surnameCache.get(t.surnames[i]!, t.surnames[j]!);
    const dob = this.dobLevel(t.dob[i]!, t.dob[j]!);
    const aNumber = this.aNumberCache.get(t.aNumber[i]!, t.aNumber[j]!);
    const xi = t.sex[i]!;
    const xj = t.sex[j]!;
    const si = xi < 0 ? 0 : this.sexCode[xi]!;
    const sj = xj < 0 ? 0 : this.sexCode[xj]!;
    const sex = si === 0 || sj === 0 ? 0 : si === sj ? 1 : 2;
    const ci = t.country[i]!;
    const cj = t.country[j]!;
    const country = ci < 0 || cj < 0 ? 0 : ci === cj ? 1 : 2;
    const dates = compareRecordDates(t.ownDay[i]!, t.ownDay[j]!);
    return (((((given * R1 + surnames) * R2 + dob) * R3 + aNumber) * R4 + sex) * R5 + country) * R6 + dates;
  }

  /** compareDob on dictionary ids, without building strings. */
  private dobLevel(a: number, b: number): number {
    if (a < 0 || b < 0) return 0;
    if (a === b) return 1;
    if (!this.dobPlain[a] || !this.dobPlain[b]) return this.dobCache.get(a, b);
    const ya = this.dobY[a]!;
    const ma = this.dobM[a]!;
    const da = this.dobD[a]!;
    const yb = this.dobY[b]!;
    const mb = this.dobM[b]!;
    const db = this.dobD[b]!;
    if (ya === yb && ma === db && da === mb) return 2;
    const diffs = (ya !== yb ? 1 : 0) + (ma !== mb ? 1 : 0) + (da !== db ? 1 : 0);
    if (diffs === 1) return 3;
    return Math.abs(this.dobMs[a]! - this.dobMs[b]!) / 86_400_000 <= 366 ? 4 : 5;
  }

  /** Match weight in bits of a pair with the given pattern code. */
  weight(i: number, j: number, code: number): number {
    void j;
    const flags = PATTERN_FLAGS[code]!;
    let w = this.patternWeights[code]!;
    if (flags & GIVEN_EXACT) w += this.givenTfOf(i);
    if (flags & SURNAMES_EXACT) w += this.surnameTfOf(i);
    return w;
  }

  // Exact agreement: both records hold the same value, so one side's frequency is the pair's.
  private givenTfOf(i: number): number {
    return this.givenTf[this.t.given[i]!]!;
  }

  private surnameTfOf(i: number): number {
    return this.surnameTf[this.t.surnames[i]!]!;
  }

  private tfOf(table: Map<string, number>, value: string | null, field: number): number {
    const p = this.params!;
    const share = (value !== null ? table.get(value) : undefined) ?? 1 / Math.max(p.trainedOn.records, 1);
    return tfAdjustment(p.u[field]![1]!, share, p.tfCapBits);
  }

  /** The term-frequency adjustment of each name field (explanations; call `compare` first). */
  tfParts(i: number): { given: number; surnames: number } {
    return {
      given: this.levels[F_GIVEN] === 1 ? this.givenTfOf(i) : 0,
      surnames: this.levels[F_SURNAMES] === 1 ? this.surnameTfOf(i) : 0,
    };
  }

  /** Term-frequency adjustments for exact name agreement (GARCIA weighs less than TZUL). */
  tf(i: number): number {
    return this.tfParts(i).given + this.tfParts(i).surnames;
  }

  /** The identifier rule that links the pair outright, if any. */
  deterministic(i: number, j: number, code = encodePattern(this.levels)): DeterministicRule {
    const t = this.t;
    if (t.orrId[i]! >= 0 && t.orrId[i] === t.orrId[j]) return 'orr_uc_id';
    if (t.idncase[i]! >= 0 && t.idncase[i] === t.idncase[j]) return 'idncase';
    return PATTERN_FLAGS[code]! & A_NUMBER_LINK ? 'a_number' : null;
  }
}

// The noise real agency data has, as a documented configuration: each kind has a rate (per row, or
// per chance to apply where stated), and the run counts how often each kind had the chance and how
// often it was applied (truth/noise.json), so tests can check every kind appears near its rate.
import type { Rng } from './random.ts';

export interface NoiseConfig {
  /** CBP rows without an A-number. */
  cbpANumberMissing: number;
  /** ORR rows without an A-number (ORR keys children by orr_uc_id; the A-number is often blank). */
  orrANumberMissing: number;
  /** A-numbers with one digit wrong or two adjacent digits swapped. */
  aNumberTypo: number;
  /** A-numbers written `A123456789` / `A-123-456-789` rather than 9 bare digits. */
  aNumberPrefixed: number;
  aNumberDashed: number;
  /** A-numbers starting with 0 written with 8 digits. */
  aNumberEightDigits: number;
  /** Children with a second A-number (a second A-file), used on some later rows. */
  secondANumber: number;
  /** Surname forms: paternal only, hyphenated, maternal first (the rest: both, in order). */
  surnamePaternalOnly: number;
  surnameHyphenated: number;
  surnameSwapped: number;
  /** Accents kept on mixed-case ORR names, and on upper-case rows of other sources. */
  accentsKeptOrr: number;
  accentsKeptUpper: number;
  /** One-letter typos (substitution, deletion, doubling, transposition) in a name. */
  nameTypo: number;
  /** Spanish spelling confusions: b/v, s/z, y/ll, silent h. */
  spanishSpelling: number;
  /** Dates of birth with day and month swapped (only where the swap is a valid date). */
  dobDayMonthSwap: number;
  /** Rows sent again unchanged (in an overlapping file or the same one). */
  resent: number;
  /** Rows first sent with an error and corrected later (same record id, new content). */
  corrected: number;
  /** Rows that cannot be read (bad date, unknown code, missing field, wrong field count). */
  malformed: number;
  /** Of malformed rows, the share sent again correctly later. */
  malformedCorrected: number;
  /** Rows the source never sent (an ICE transfer, an NTA). */
  iceRowMissing: number;
  oplaRowMissing: number;
}

export const defaultNoise: NoiseConfig = {
  cbpANumberMissing: 0.03,
  orrANumberMissing: 0.6,
  aNumberTypo: 0.006,
  aNumberPrefixed: 0.2,
  aNumberDashed: 0.08,
  aNumberEightDigits: 0.5,
  secondANumber: 0.01,
  surnamePaternalOnly: 0.15,
  surnameHyphenated: 0.04,
  surnameSwapped: 0.02,
  accentsKeptOrr: 0.6,
  accentsKeptUpper: 0.1,
  nameTypo: 0.012,
  spanishSpelling: 0.012,
  dobDayMonthSwap: 0.008,
  resent: 0.02,
  corrected: 0.008,
  malformed: 0.002,
  malformedCorrected: 0.5,
  iceRowMissing: 0.01,
  oplaRowMissing: 0.01,
};

/** Heavier noise, for stress tests of linkage (still realistic in kind). */
export const heavyNoise: NoiseConfig = {
  ...defaultNoise,
  cbpANumberMissing: 0.1,
  orrANumberMissing: 0.8,
  aNumberTypo: 0.03,
  secondANumber: 0.03,
  surnamePaternalOnly: 0.3,
  surnameHyphenated: 0.08,
  surnameSwapped: 0.06,
  nameTypo: 0.05,
  spanishSpelling: 0.05,
  dobDayMonthSwap: 0.03,
  resent: 0.05,
  corrected: 0.03,
  malformed: 0.01,
  iceRowMissing: 0.03,
  oplaRowMissing: 0.03,
};

export const noiseLevels = { default: defaultNoise, heavy: heavyNoise } as const;
export type NoiseLevel = keyof typeof noiseLevels;

export type NoiseKind = keyof NoiseConfig;

/** Counts, per kind, of chances to apply and of applications. */
export class NoiseCounter {
  readonly counts = new Map<NoiseKind, { opportunities: number; applied: number }>();

  constructor(readonly config: NoiseConfig) {}

  /** Draws whether noise `kind` applies at this chance, and counts it. */
  roll(rng: Rng, kind: NoiseKind): boolean {
    const hit = rng.chance(this.config[kind]);
    let c = this.counts.get(kind);
    if (!c) this.counts.set(kind, (c = { opportunities: 0, applied: 0 }));
    c.opportunities++;
    if (hit) c.applied++;
    return hit;
  }

  toJSON(): Record<string, { rate: number; opportunities: number; applied: number }> {
    const out: Record<string, { rate: number; opportunities: number; applied: number }> = {};
    for (const kind of Object.keys(this.config) as NoiseKind[]) {
      const c = this.counts.get(kind) ?? { opportunities: 0, applied: 0 };
      out[kind] = { rate: this.config[kind], ...c };
    }
    return out;
  }
}

const keyboardNeighbours: Record<string, string> = {
  A: 'SQ',
  B: 'VN',
  C: 'XV',
  D: 'SF',
  E: 'WR',
  F: 'DG',
  G: 'FH',
  H: 'GJ',
  I: 'UO',
  J: 'HK',
  K: 'JL',
  L: 'K',
  M: 'N',
  N: 'BM',
  O: 'IP',
  P: 'O',
  Q: 'W',
  R: 'ET',
  S: 'AD',
  T: 'RY',
  U: 'YI',
  V: 'CB',
  W: 'QE',
  X: 'ZC',
  Y: 'TU',
  Z: 'X',
};

/** One typing slip in a name (upper case, accents already applied or not). */
export function typo(rng: Rng, name: string): string {
  const letters = [...name];
  const positions = letters.map((c, i) => (/[A-Z]/.test(c) ? i : -1)).filter((i) => i > 0);
  if (positions.length < 2) return name;
  const i = rng.pick(positions);
  const c = letters[i]!;
  switch (rng.int(4)) {
    case 0: {
      const n = keyboardNeighbours[c] ?? 'E';
      letters[i] = n[rng.int(n.length)]!;
      break;
    }
    case 1:
      if (letters.length > 4) letters.splice(i, 1);
      else letters.splice(i, 0, c);
      break;
    case 2:
      letters.splice(i, 0, c);
      break;
    default:
      if (i + 1 < letters.length && /[A-Z]/.test(letters[i + 1]!)) {
        letters[i] = letters[i + 1]!;
        letters[i + 1] = c;
      } else letters.splice(i, 0, c);
  }
  return letters.join('');
}

const confusions: readonly (readonly [RegExp, string])[] = [
  [/B/, 'V'],
  [/V/, 'B'],
  [/Z/, 'S'],
  [/S(?=[AEIOU])/, 'Z'],
  [/LL/, 'Y'],
  [/Y(?=[AEIOU])/, 'LL'],
  [/^H/, ''],
  [/^([AEIOU])/, 'H$1'],
];

/** A Spanish spelling confusion (b/v, s/z, y/ll, silent h), or the name unchanged if none fits. */
export function spanishSpelling(rng: Rng, name: string): string {
  const start = rng.int(confusions.length);
  for (let k = 0; k < confusions.length; k++) {
    const [pattern, replacement] = confusions[(start + k) % confusions.length]!;
    if (pattern.test(name)) return name.replace(pattern, replacement);
  }
  return name;
}

// Names come from short lists, so both transforms are remembered (up to a bound).
const memo = (fn: (s: string) => string) => {
  const cache = new Map<string, string>();
  return (s: string): string => {
    let v = cache.get(s);
    if (v === undefined) {
      v = fn(s);
      if (cache.size < 50_000) cache.set(s, v);
    }
    return v;
  };
};

export const stripAccents = memo((s) =>
  /[^ -~]/.test(s) ? s.normalize('NFD').replace(/\p{M}/gu, '').normalize('NFC') : s,
);

/** Mixed case for ORR names: `MARÍA JOSÉ` -> `María José`. */
export const mixedCase = memo((s) =>
  s.toLowerCase().replace(/(^|[\s-])(\p{L})/gu, (_m, sep: string, c: string) => sep + c.toUpperCase()),
);

/** An A-number with one digit changed or two adjacent digits swapped. */
export function aNumberTypo(rng: Rng, a: string): string {
  const d = [...a];
  const i = rng.int(8) + 1;
  if (rng.chance(0.5) && d[i] !== d[i - 1]) {
    const t = d[i]!;
    d[i] = d[i - 1]!;
    d[i - 1] = t;
  } else d[i] = String((Number(d[i]) + 1 + rng.int(9)) % 10);
  return d.join('');
}

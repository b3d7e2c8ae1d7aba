// Comparison levels: for each field, an ordered list of levels from "missing" through "exact" and
// fuzzy bands to "different". The model learns a weight for each level; "missing" always weighs 0.
import jaroWinkler from 'talisman/metrics/jaro-winkler.js';
import { nameTokens, soundAlike } from './names.ts';

export interface Comparison {
  readonly field: string;
  readonly levels: readonly string[];
}

export const GIVEN: Comparison = {
  field: 'given_names',
  levels: [
    'missing',
    'exact',
    'same tokens reordered or one name more',
    'JW >= 0.92',
    'JW >= 0.88',
    'sound alike',
    'JW >= 0.70',
    'different',
  ],
};
export const SURNAMES: Comparison = {
  field: 'surnames',
  levels: [
    'missing',
    'both exact',
    'first exact, second missing on one side',
    'swapped, or one matches the other position',
    'close (typo or sound alike)',
    'first exact, second different',
    'JW >= 0.80 on one',
    'different',
  ],
};
export const DOB: Comparison = {
  field: 'dob',
  levels: ['missing', 'exact', 'day and month swapped', 'one part off', 'within a year', 'different'],
};
export const A_NUMBER: Comparison = {
  field: 'a_number',
  levels: ['missing', 'exact', 'one digit changed or two swapped', 'different'],
};
export const SEX: Comparison = { field: 'sex', levels: ['missing', 'same', 'different'] };
export const COUNTRY: Comparison = { field: 'country', levels: ['missing', 'same', 'different'] };
/**
 * How far apart the two records' own dates are (encounter, transfer, admission, hearing...): one
 * child's records follow one journey, while two children who share a name and a date of birth
 * seldom pass through within weeks of each other.
 */
export const RECORD_DATES: Comparison = {
  field: 'record dates',
  levels: ['missing', 'within 30 days', 'within a year', 'further apart'],
};

/** The fields the model scores, in pattern order. */
export const COMPARISONS: readonly Comparison[] = [
  GIVEN,
  SURNAMES,
  DOB,
  A_NUMBER,
  SEX,
  COUNTRY,
  RECORD_DATES,
];

export const MISSING = 0;

const jw = (a: string, b: string) => (a === b ? 1 : jaroWinkler(a, b));

function sameSet(a: readonly string[], b: readonly string[]): boolean {
  if (a.length !== b.length) return false;
  const s = new Set(a);
  return b.every((t) => s.has(t));
}

function subset(small: readonly string[], big: readonly string[]): boolean {
  const s = new Set(big);
  return small.length > 0 && small.every((t) => s.has(t));
}

/** Given names compared as token sets. */
export function compareGiven(a: string | null, b: string | null): number {
  const ta = nameTokens(a);
  const tb = nameTokens(b);
  if (!ta.length || !tb.length) return 0;
  const ja = ta.join(' ');
  const jb = tb.join(' ');
  if (ja === jb) return 1;
  if (sameSet(ta, tb) || subset(ta, tb) || subset(tb, ta)) return 2;
  const s = jw(ja, jb);
  if (s >= 0.92) return 3;
  if (s >= 0.88) return 4;
  if (ta.length === tb.length && ta.every((t, i) => soundAlike(t, tb[i]!))) return 5;
  if (s >= 0.7) return 6;
  return 7;
}

/** Splits a surname pair into at most two tokens: "GARCIA LOPEZ" in the first slot is two surnames. */
export function surnameParts(s1: string | null, s2: string | null): string[] {
  const t1 = nameTokens(s1);
  const t2 = nameTokens(s2);
  if (t2.length) return [t1.join(' '), t2.join(' ')].filter(Boolean);
  if (t1.length === 2) return t1;
  return t1.length ? [t1.join(' ')] : [];
}

type Agree = 'E' | 'F' | 'N' | 'D';

function agree(x: string | undefined, y: string | undefined): Agree {
  if (!x || !y) return 'N';
  if (x === y) return 'E';
  if (jw(x, y) >= 0.92 || soundAlike(x, y)) return 'F';
  return 'D';
}

function close(x: Agree, y: Agree): boolean {
  return x !== 'D' && y !== 'D' && (x !== 'N' || y !== 'N');
}

/** Surnames: either order, second one missing, typos and sound-alikes. */
export function compareSurnames(
  a1: string | null,
  a2: string | null,
  b1: string | null,
  b2: string | null,
): number {
  const a = surnameParts(a1, a2);
  const b = surnameParts(b1, b2);
  if (!a.length || !b.length) return 0;
  const straight = [agree(a[0], b[0]), agree(a[1], b[1])] as const;
  if (straight[0] === 'E' && (straight[1] === 'E' || (a.length === 1 && b.length === 1))) return 1;
  if (straight[0] === 'E' && straight[1] === 'N') return 2;
  // Swapped order, or one side's only surname is the other side's second one.
  const crossExact =
    (a.length === 2 && b.length === 2 && a[0] === b[1] && a[1] === b[0]) ||
    (a.length === 1 && b.length === 2 && a[0] === b[1]) ||
    (b.length === 1 && a.length === 2 && b[0] === a[1]);
  if (crossExact) return 3;
  if (close(straight[0], straight[1])) return 4;
  if (a.length === 2 && b.length === 2 && close(agree(a[0], b[1]), agree(a[1], b[0]))) return 4;
  if (straight[0] === 'E' && straight[1] === 'D') return 5;
  let best = 0;
  for (const x of a) for (const y of b) best = Math.max(best, jw(x, y));
  if (best >= 0.8) return 6;
  return 7;
}

/** Dates of birth as 'YYYY-MM-DD'. */
export function compareDob(a: string | null, b: string | null): number {
  if (!a || !b) return 0;
  if (a === b) return 1;
  const [ya, ma, da] = [a.slice(0, 4), a.slice(5, 7), a.slice(8, 10)];
  const [yb, mb, db] = [b.slice(0, 4), b.slice(5, 7), b.slice(8, 10)];
  if (ya === yb && ma === db && da === mb) return 2;
  const diffs = (ya !== yb ? 1 : 0) + (ma !== mb ? 1 : 0) + (da !== db ? 1 : 0);
  if (diffs === 1) return 3;
  const days = Math.abs(Date.parse(a) - Date.parse(b)) / 86_400_000;
  if (days <= 366) return 4;
  return 5;
}

/** True when two 9-digit A-numbers differ in one digit or by two adjacent digits swapped. */
export function aNumberNear(a: string, b: string): boolean {
  if (a.length !== b.length) return false;
  let first = -1;
  let count = 0;
  for (let i = 0; i < a.length; i++) {
    if (a[i] !== b[i]) {
      if (count === 0) first = i;
      count++;
      if (count > 2) return false;
    }
  }
  if (count === 1) return true;
  return count === 2 && a[first] === b[first + 1] && a[first + 1] === b[first];
}

export function compareANumber(a: string | null, b: string | null): number {
  if (!a || !b) return 0;
  if (a === b) return 1;
  return aNumberNear(a, b) ? 2 : 3;
}

/** Own dates as day numbers (NaN when unknown). */
export function compareRecordDates(a: number, b: number): number {
  if (!Number.isFinite(a) || !Number.isFinite(b)) return 0;
  const days = Math.abs(a - b);
  return days <= 30 ? 1 : days <= 365 ? 2 : 3;
}

const knownSex = (s: string | null) => s === 'M' || s === 'F';

export function compareSex(a: string | null, b: string | null): number {
  if (!knownSex(a) || !knownSex(b)) return 0;
  return a === b ? 1 : 2;
}

export function compareCountry(a: string | null, b: string | null): number {
  if (!a || !b) return 0;
  return a === b ? 1 : 2;
}

/** True when the two dates of birth could be one child's (used by deterministic links and guards). */
export function dobCompatible(a: string | null, b: string | null): boolean {
  const level = compareDob(a, b);
  return level >= 0 && level <= 3;
}

/** Some agreement on names: enough to trust a shared identifier. */
export function namesCompatible(givenLevel: number, surnameLevel: number): boolean {
  const surnameOk = surnameLevel >= 1 && surnameLevel <= 6;
  const givenOk = givenLevel >= 1 && givenLevel <= 6;
  return (
    (surnameOk && givenLevel !== 7) ||
    (givenOk && surnameLevel !== 7) ||
    (givenLevel === 0 && surnameLevel === 0)
  );
}

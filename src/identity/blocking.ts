// Candidate pairs by blocking: several rules, so that one bad field does not hide a match. A pair is
// produced once, by the first rule that holds it. Blocks larger than the cap are skipped (a shared
// common name alone is no evidence); identifier blocks are never capped.
import type { RecordTable } from './record-table.ts';

export interface BlockingRule {
  readonly name: string;
  /** The SQL expression over `record` columns that gives the same key (incremental lookups). */
  readonly sql: readonly string[];
  readonly capped: boolean;
  key(t: RecordTable, i: number): number;
}

const NONE = -1;
const both = (a: number, b: number, shift: number) => (a < 0 || b < 0 ? NONE : a * shift + b);

export const BLOCK_CAP = 200;

export const BLOCKING_RULES: readonly BlockingRule[] = [
  { name: 'a_number', sql: ['a_number'], capped: false, key: (t, i) => t.aNumber[i]! },
  { name: 'orr_uc_id', sql: ['orr_uc_id'], capped: false, key: (t, i) => t.orrId[i]! },
  { name: 'idncase', sql: ['idncase'], capped: false, key: (t, i) => t.idncase[i]! },
  {
    name: 'dob + surname1 prefix',
    sql: ['dob', 'left(surname1, 2)'],
    capped: true,
    key: (t, i) => both(t.dob[i]!, t.s1Prefix[i]!, 1 << 16),
  },
  {
    name: 'dob + given name prefix',
    sql: ['dob', "left(split_part(given_names, ' ', 1), 2)"],
    capped: true,
    key: (t, i) => both(t.dob[i]!, t.g1Prefix[i]!, 1 << 16),
  },
  {
    name: 'surname1 + given names',
    sql: ['surname1', 'given_names'],
    capped: true,
    key: (t, i) => both(t.surname1[i]!, t.givenRaw[i]!, 1 << 24),
  },
];

/**
 * Whether record i's block under rule r is too large to use. By default the block's size in the
 * table; incremental linking passes the size in the whole database instead.
 */
export type Oversized = (r: number, i: number, blockSize: number) => boolean;

const localOversized: Oversized = (_r, _i, size) => size > BLOCK_CAP;

/**
 * The blocks of every rule over a table, in flat typed arrays: `block[r][i]` is the number of record
 * i's block under rule r, or -1 when it has no key or its block is skipped for size; the members of
 * block b are `members[r][start[r][b] .. start[r][b + 1])`, ascending. Two records share a usable
 * block under a rule exactly when their block numbers are equal and not -1.
 */
export interface Blocks {
  readonly block: readonly Int32Array[];
  readonly start: readonly Int32Array[];
  readonly members: readonly Int32Array[];
}

/** The blocks of a table (see Blocks), built from its records. */
export class BlockIndex implements Blocks {
  readonly block: Int32Array[] = [];
  readonly start: Int32Array[] = [];
  readonly members: Int32Array[] = [];

  constructor(
    readonly t: RecordTable,
    oversized: Oversized = localOversized,
    rules: readonly BlockingRule[] = BLOCKING_RULES,
  ) {
    const n = t.n;
    rules.forEach((rule, r) => {
      // Block numbers in order of first appearance; sizes counted, then members placed by counting sort.
      const ids = new Map<number, number>();
      const block = new Int32Array(n);
      const sizes: number[] = [];
      for (let i = 0; i < n; i++) {
        const k = rule.key(t, i);
        if (k === NONE) {
          block[i] = -1;
          continue;
        }
        let b = ids.get(k);
        if (b === undefined) {
          b = sizes.length;
          ids.set(k, b);
          sizes.push(0);
        }
        sizes[b]!++;
        block[i] = b;
      }
      // Renumber, dropping singletons and blocks skipped for size.
      const first = new Int32Array(sizes.length).fill(-1);
      for (let i = 0; i < n; i++) if (block[i]! >= 0 && first[block[i]!] === -1) first[block[i]!] = i;
      const renum = new Int32Array(sizes.length).fill(-1);
      const kept: number[] = [];
      for (let b = 0; b < sizes.length; b++) {
        const size = sizes[b]!;
        if (size < 2 || (rule.capped && oversized(r, first[b]!, size))) continue;
        renum[b] = kept.length;
        kept.push(size);
      }
      const start = new Int32Array(kept.length + 1);
      for (let b = 0; b < kept.length; b++) start[b + 1] = start[b]! + kept[b]!;
      const members = new Int32Array(start[kept.length]!);
      const fill = start.slice(0, kept.length);
      for (let i = 0; i < n; i++) {
        const b = block[i]! >= 0 ? renum[block[i]!]! : -1;
        block[i] = b;
        if (b >= 0) members[fill[b]!++] = i;
      }
      this.block.push(block);
      this.start.push(start);
      this.members.push(members);
    });
  }

  /** Blocks of rule r (each of at least two records and not skipped for size). */
  blockCount(r: number): number {
    return this.start[r]!.length - 1;
  }

  /** An upper bound on the candidate pairs: the pairs of every block, before duplicates are dropped. */
  pairBound(): number {
    let n = 0;
    for (let r = 0; r < this.start.length; r++)
      n += pairBound(this, { rule: r, from: 0, to: this.blockCount(r) });
    return n;
  }
}

/** Bit r set for every rule r among `rules` whose usable blocks hold both i and j. */
export function ruleMask(blocks: Blocks, i: number, j: number, rules: readonly number[]): number {
  let mask = 0;
  for (let k = 0; k < rules.length; k++) {
    const r = rules[k]!;
    const b = blocks.block[r]!;
    if (b[i]! >= 0 && b[i] === b[j]) mask |= 1 << r;
  }
  return mask;
}

/** Blocks `from` up to (not including) `to` of one rule: a stretch of the candidate pairs. */
export interface BlockRange {
  rule: number;
  from: number;
  to: number;
}

/** The pairs of block b of a rule whose blocks start at `start`, before duplicates are dropped. */
function pairsInBlock(start: Int32Array, b: number): number {
  const size = start[b + 1]! - start[b]!;
  return (size * (size - 1)) / 2;
}

/** The pairs of the blocks in a range, before duplicates are dropped. */
export function pairBound(blocks: Blocks, range: BlockRange): number {
  const start = blocks.start[range.rule]!;
  let n = 0;
  for (let b = range.from; b < range.to; b++) n += pairsInBlock(start, b);
  return n;
}

/**
 * The candidate pairs cut into consecutive ranges of blocks of about `pairs` pairs each, in the order
 * forEachCandidatePair visits them: visiting the ranges in turn visits every pair in that order.
 */
export function blockRanges(blocks: Blocks, pairs: number): BlockRange[] {
  const ranges: BlockRange[] = [];
  for (let r = 0; r < blocks.start.length; r++) {
    const start = blocks.start[r]!;
    const nBlocks = start.length - 1;
    let from = 0;
    let n = 0;
    for (let b = 0; b < nBlocks; b++) {
      n += pairsInBlock(start, b);
      if (n >= pairs || b === nBlocks - 1) {
        ranges.push({ rule: r, from, to: b + 1 });
        from = b + 1;
        n = 0;
      }
    }
  }
  return ranges;
}

/**
 * Calls `visit(i, j, rule)` once for every candidate pair (i < j), by the first rule that holds it.
 * With `only`, just the pairs that involve at least one record for which only[i] is true
 * (incremental linking).
 */
export function forEachCandidatePair(
  blocks: Blocks,
  visit: (i: number, j: number, rule: number) => void,
  only?: Uint8Array,
): void {
  for (let r = 0; r < blocks.start.length; r++)
    forEachPairInRange(blocks, { rule: r, from: 0, to: blocks.start[r]!.length - 1 }, visit, only);
}

/** forEachCandidatePair for the blocks of one range. */
export function forEachPairInRange(
  blocks: Blocks,
  range: BlockRange,
  visit: (i: number, j: number, rule: number) => void,
  only?: Uint8Array,
): void {
  const r = range.rule;
  const start = blocks.start[r]!;
  const members = blocks.members[r]!;
  const earlier = blocks.block.slice(0, r);
  for (let b = range.from; b < range.to; b++) {
    const end = start[b + 1]!;
    for (let x = start[b]!; x < end; x++) {
      const i = members[x]!;
      for (let y = x + 1; y < end; y++) {
        const j = members[y]!;
        if (only && !only[i] && !only[j]) continue;
        if (!sharesAny(earlier, i, j)) visit(i, j, r);
      }
    }
  }
}

function sharesAny(blocks: readonly Int32Array[], i: number, j: number): boolean {
  for (let e = 0; e < blocks.length; e++) {
    const b = blocks[e]!;
    const bi = b[i]!;
    if (bi >= 0 && bi === b[j]) return true;
  }
  return false;
}

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

/** Block index for each rule: key → record indices (ascending). */
export function buildBlocks(t: RecordTable, rules = BLOCKING_RULES): Map<number, number[]>[] {
  return rules.map((rule) => {
    const blocks = new Map<number, number[]>();
    for (let i = 0; i < t.n; i++) {
      const k = rule.key(t, i);
      if (k === NONE) continue;
      const b = blocks.get(k);
      if (b) b.push(i);
      else blocks.set(k, [i]);
    }
    return blocks;
  });
}

/**
 * Whether record i's block under rule r is too large to use. By default the block's size in the
 * table; incremental linking passes the size in the whole database instead.
 */
export type Oversized = (r: number, i: number, blockSize: number) => boolean;

const localOversized: Oversized = (_r, _i, size) => size > BLOCK_CAP;

/** True when rule `r` puts i and j in one block that is not skipped for size. */
export function sharesBlock(
  t: RecordTable,
  blocks: Map<number, number[]>[],
  r: number,
  i: number,
  j: number,
  oversized: Oversized = localOversized,
): boolean {
  const rule = BLOCKING_RULES[r]!;
  const k = rule.key(t, i);
  if (k === NONE || k !== rule.key(t, j)) return false;
  return !rule.capped || !oversized(r, i, blocks[r]!.get(k)!.length);
}

/**
 * Calls `visit(i, j, rule)` once for every candidate pair (i < j). With `only`, just the pairs that
 * involve at least one record for which only[i] is true (incremental linking).
 */
export function forEachCandidatePair(
  t: RecordTable,
  blocks: Map<number, number[]>[],
  visit: (i: number, j: number, rule: number) => void,
  only?: Uint8Array,
  oversized: Oversized = localOversized,
): void {
  for (let r = 0; r < BLOCKING_RULES.length; r++) {
    const rule = BLOCKING_RULES[r]!;
    for (const members of blocks[r]!.values()) {
      if (members.length < 2) continue;
      if (rule.capped && oversized(r, members[0]!, members.length)) continue;
      for (let x = 0; x < members.length; x++) {
        const i = members[x]!;
        for (let y = x + 1; y < members.length; y++) {
          const j = members[y]!;
          if (only && !only[i] && !only[j]) continue;
          let earlier = false;
          for (let e = 0; e < r && !earlier; e++) earlier = sharesBlock(t, blocks, e, i, j, oversized);
          if (!earlier) visit(i, j, r);
        }
      }
    }
  }
}

// Clusters records into children: edges are taken strongest first (people's links, then
// identifiers, then model scores) and joined with union-find, unless the union would make an
// impossible child. The guards stop chains of links from gluing different children together.
import { compareDob } from './compare.ts';
import type { RecordTable } from './record-table.ts';

export const KIND = { manual: 0, orr_uc_id: 1, idncase: 2, a_number: 3, model: 4 } as const;
export const KIND_NAMES = ['manual', 'orr_uc_id', 'idncase', 'a_number', 'model'] as const;
export type LinkMethod = (typeof KIND_NAMES)[number] | 'singleton';

export class EdgeList {
  n = 0;
  a = new Int32Array(1024);
  b = new Int32Array(1024);
  w = new Float64Array(1024);
  kind = new Uint8Array(1024);
  push(i: number, j: number, w: number, kind: number) {
    if (this.n === this.a.length) {
      const g = <T extends Int32Array | Float64Array | Uint8Array>(x: T): T => {
        const y = new (x.constructor as new (n: number) => T)(x.length * 2);
        y.set(x);
        return y;
      };
      this.a = g(this.a);
      this.b = g(this.b);
      this.w = g(this.w);
      this.kind = g(this.kind);
    }
    const lo = Math.min(i, j);
    const hi = Math.max(i, j);
    this.a[this.n] = lo;
    this.b[this.n] = hi;
    this.w[this.n] = w;
    this.kind[this.n] = kind;
    this.n++;
  }
}

export type GuardReason =
  'manual apart' | 'two ORR ids open at once' | 'dates of birth far apart' | 'two encounters on one day';

export interface ClusterResult {
  /** Cluster root of each record (a record index). */
  root: Int32Array;
  /** How each record joined its cluster (the strongest edge that joined it), and that edge's weight. */
  method: Uint8Array;
  score: Float64Array;
  /** Edges at or above the link threshold that a guard refused. */
  refused: { a: number; b: number; w: number; kind: number; reason: GuardReason }[];
}

const SINGLETON = 255;

function pairKey(i: number, j: number) {
  return i < j ? i * 4_194_304 + j : j * 4_194_304 + i;
}

export function clusterRecords(
  t: RecordTable,
  edges: EdgeList,
  linkThreshold: number,
  apart: ReadonlySet<number> = new Set(),
): ClusterResult {
  const parent = new Int32Array(t.n);
  for (let i = 0; i < t.n; i++) parent[i] = i;
  const members = new Map<number, number[]>();
  const find = (x: number): number => {
    while (parent[x] !== x) {
      parent[x] = parent[parent[x]!]!;
      x = parent[x]!;
    }
    return x;
  };
  const membersOf = (r: number) => members.get(r) ?? [r];

  const order: number[] = [];
  for (let e = 0; e < edges.n; e++) {
    if (edges.kind[e]! < KIND.model || edges.w[e]! >= linkThreshold) order.push(e);
  }
  order.sort(
    (x, y) =>
      edges.kind[x]! - edges.kind[y]! ||
      edges.w[y]! - edges.w[x]! ||
      edges.a[x]! - edges.a[y]! ||
      edges.b[x]! - edges.b[y]!,
  );

  const method = new Uint8Array(t.n).fill(SINGLETON);
  const score = new Float64Array(t.n).fill(NaN);
  const refused: ClusterResult['refused'] = [];

  const guard = (ma: number[], mb: number[]) => guardReason(t, ma, mb, apart);

  for (const e of order) {
    const i = edges.a[e]!;
    const j = edges.b[e]!;
    const kind = edges.kind[e]!;
    const ri = find(i);
    const rj = find(j);
    if (ri === rj) continue;
    const mi = membersOf(ri);
    const mj = membersOf(rj);
    if (kind !== KIND.manual) {
      const reason = guard(mi, mj);
      if (reason) {
        refused.push({ a: i, b: j, w: edges.w[e]!, kind, reason });
        continue;
      }
    }
    // The smaller cluster joins the larger; the root is kept deterministic by size then index.
    const [big, small, mb, ms] =
      mi.length > mj.length || (mi.length === mj.length && ri < rj) ? [ri, rj, mi, mj] : [rj, ri, mj, mi];
    parent[small] = big;
    // The larger cluster's member list grows in place (a list taken from `members` is its own).
    if (members.has(big)) for (const x of ms) mb.push(x);
    else members.set(big, mb.concat(ms));
    members.delete(small);
    for (const x of [i, j]) {
      if (method[x] === SINGLETON) {
        method[x] = kind;
        score[x] = edges.w[e]!;
      }
    }
  }
  const root = new Int32Array(t.n);
  for (let i = 0; i < t.n; i++) root[i] = find(i);
  return { root, method, score, refused };
}

/** Why the records of two clusters cannot be one child, or null when they can. */
export function guardReason(
  t: RecordTable,
  ma: readonly number[],
  mb: readonly number[],
  apart: ReadonlySet<number>,
): GuardReason | null {
  for (const x of ma) {
    for (const y of mb) {
      if (apart.has(pairKey(x, y))) return 'manual apart';
      if (t.isEncounter(x) && t.isEncounter(y) && t.ownDay[x] === t.ownDay[y])
        return 'two encounters on one day';
      const dx = t.dob[x]!;
      const dy = t.dob[y]!;
      if (dx >= 0 && dy >= 0 && dx !== dy && compareDob(t.dict.dob.get(dx), t.dict.dob.get(dy)) === 5) {
        return 'dates of birth far apart';
      }
    }
  }
  // ORR ids: each id's span of dates; two different ids whose spans overlap are two children.
  if (!twoOrrIds(t, ma, mb)) return null;
  const spans = new Map<number, [number, number]>();
  for (const x of [...ma, ...mb]) {
    const o = t.orrId[x]!;
    if (o < 0) continue;
    const s = spans.get(o);
    const d = t.ownDay[x]!;
    if (!s) spans.set(o, [d, d]);
    else {
      s[0] = Math.min(s[0], d);
      s[1] = Math.max(s[1], d);
    }
  }
  if (spans.size > 1) {
    const list = [...spans.values()];
    for (let p = 0; p < list.length; p++) {
      for (let q = p + 1; q < list.length; q++) {
        if (list[p]![0] <= list[q]![1] && list[q]![0] <= list[p]![1]) return 'two ORR ids open at once';
      }
    }
  }
  return null;
}

/** True when the records of both clusters hold at least two different ORR ids. */
function twoOrrIds(t: RecordTable, ma: readonly number[], mb: readonly number[]): boolean {
  let seen = -1;
  for (const list of [ma, mb]) {
    for (const x of list) {
      const o = t.orrId[x]!;
      if (o < 0 || o === seen) continue;
      if (seen >= 0) return true;
      seen = o;
    }
  }
  return false;
}

export function methodName(code: number): LinkMethod {
  return code === SINGLETON ? 'singleton' : KIND_NAMES[code]!;
}

export { pairKey };

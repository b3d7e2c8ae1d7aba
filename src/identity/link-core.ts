// The whole linkage over an in-memory table, with no database: candidate pairs, model (trained
// here or given), scores, clusters with guards, and the pairs for people to review.
import { buildBlocks, type Oversized } from './blocking.ts';
import { collectPairs } from './candidate-pairs.ts';
import { clusterRecords, EdgeList, KIND, pairKey, type ClusterResult } from './cluster.ts';
import { decodePattern, type ModelParams } from './model.ts';
import type { RecordTable } from './record-table.ts';
import { countNameFrequencies, PairScorer, type NameFrequencies } from './score-pairs.ts';
import { trainModel } from './train-model.ts';

export interface Decisions {
  /** Record index pairs people linked, and the pairKey()s of pairs they kept apart. */
  link: [number, number][];
  apart: Set<number>;
}

export interface LinkageOptions {
  model?: { params: ModelParams; freq: NameFrequencies };
  decisions?: Decisions;
  /** Only pairs that involve these records (incremental). */
  only?: Uint8Array;
  oversized?: Oversized;
  randomPairs?: number;
}

export interface ReviewPair {
  a: number;
  b: number;
  weight: number;
}

export interface Linkage {
  params: ModelParams;
  freq: NameFrequencies;
  candidatePairs: number;
  edges: EdgeList;
  clusters: ClusterResult;
  review: ReviewPair[];
  scorer: PairScorer;
}

const KIND_OF = { orr_uc_id: KIND.orr_uc_id, idncase: KIND.idncase, a_number: KIND.a_number } as const;

/** Scored edges: identifier links, and model pairs at or above the review threshold. */
export function scoreEdges(
  t: RecordTable,
  options: LinkageOptions,
): {
  edges: EdgeList;
  params: ModelParams;
  freq: NameFrequencies;
  candidatePairs: number;
  scorer: PairScorer;
} {
  const blocks = buildBlocks(t);
  const scorer = new PairScorer(t);
  const pairs = collectPairs(t, blocks, scorer, options.only, options.oversized);
  let model = options.model;
  if (!model) {
    const params = trainModel(t, pairs, scorer, { randomPairs: options.randomPairs });
    model = { params, freq: countNameFrequencies(t) };
  }
  scorer.setModel(model.params, model.freq);
  const edges = new EdgeList();
  for (let p = 0; p < pairs.n; p++) {
    const i = pairs.a[p]!;
    const j = pairs.b[p]!;
    const code = pairs.code[p]!;
    decodePattern(code).forEach((l, f) => (scorer.levels[f] = l));
    const w = scorer.weight(i, j, code);
    const rule = scorer.deterministic(i, j);
    if (rule) edges.push(i, j, w, KIND_OF[rule]);
    else if (w >= model.params.reviewThreshold) edges.push(i, j, w, KIND.model);
  }
  return { edges, params: model.params, freq: model.freq, candidatePairs: pairs.n, scorer };
}

export function runLinkage(t: RecordTable, options: LinkageOptions = {}): Linkage {
  const scored = scoreEdges(t, options);
  const { edges, params } = scored;
  const decisions = options.decisions ?? { link: [], apart: new Set<number>() };
  for (const [i, j] of decisions.link) edges.push(i, j, Infinity, KIND.manual);
  const clusters = clusterRecords(t, edges, params.linkThreshold, decisions.apart);
  const review: ReviewPair[] = [];
  for (let e = 0; e < edges.n; e++) {
    if (edges.kind[e] !== KIND.model) continue;
    const w = edges.w[e]!;
    const a = edges.a[e]!;
    const b = edges.b[e]!;
    if (clusters.root[a] === clusters.root[b] || decisions.apart.has(pairKey(a, b))) continue;
    // The middle band, and strong pairs a guard kept apart: both need a person.
    if (w < params.linkThreshold) review.push({ a, b, weight: w });
  }
  for (const r of clusters.refused) {
    if (r.kind === KIND.model && r.reason !== 'manual apart' && clusters.root[r.a] !== clusters.root[r.b])
      review.push({ a: r.a, b: r.b, weight: r.w });
  }
  return { ...scored, clusters, review };
}

/** Records grouped by cluster root: arrays of record indices, each ascending. */
export function clusterMembers(root: Int32Array): number[][] {
  const groups = new Map<number, number[]>();
  for (let i = 0; i < root.length; i++) {
    const r = root[i]!;
    const g = groups.get(r);
    if (g) g.push(i);
    else groups.set(r, [i]);
  }
  return [...groups.values()];
}

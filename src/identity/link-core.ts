// The whole linkage over an in-memory table, with no database: candidate pairs, model (trained
// here or given), scores, clusters with guards, and the pairs for people to review.
import { BlockIndex, forEachCandidatePair, type Oversized } from './blocking.ts';
import { collectPairCodes, collectPairCodesShared, type PairCodes } from './pair-codes.ts';
import { clusterRecords, EdgeList, KIND, pairKey, type ClusterResult } from './cluster.ts';
import type { ModelParams } from './model.ts';
import type { Phases } from './phases.ts';
import type { RecordTable } from './record-table.ts';
import { countNameFrequencies, PairScorer, type NameFrequencies } from './score-pairs.ts';
import { trainModel, TRAINING_RULES } from './train-model.ts';

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
  phases?: Phases;
  /** Candidate pairs from which a worker thread compares them beside this one (SHARED_FROM_PAIRS). */
  sharedFromPairs?: number;
}

/**
 * Candidate pairs (before duplicates are dropped) from which a full link compares them on two
 * threads: below that, starting the worker costs more than it saves.
 */
export const SHARED_FROM_PAIRS = 2_000_000;

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
export async function scoreEdges(
  t: RecordTable,
  options: LinkageOptions,
): Promise<{
  edges: EdgeList;
  params: ModelParams;
  freq: NameFrequencies;
  candidatePairs: number;
  scorer: PairScorer;
}> {
  const blocks = new BlockIndex(t, options.oversized);
  options.phases?.mark('blocks');
  const scorer = new PairScorer(t);
  let model = options.model;
  // Training needs every pair's pattern: kept (3 bytes a pair) so scoring does not compare again.
  // Many pairs (a full link) are compared on two threads, and kept for scoring likewise.
  let codes: PairCodes | undefined;
  if (!options.only && blocks.pairBound() >= (options.sharedFromPairs ?? SHARED_FROM_PAIRS))
    codes = await collectPairCodesShared(t, blocks, scorer, TRAINING_RULES);
  else if (!model) codes = collectPairCodes(blocks, scorer, TRAINING_RULES, options.only);
  options.phases?.mark('compare pairs');
  if (!model) {
    const params = trainModel(t, codes!, scorer, { randomPairs: options.randomPairs });
    model = { params, freq: countNameFrequencies(t) };
  }
  options.phases?.mark('train model');
  scorer.setModel(model.params, model.freq);
  const review = model.params.reviewThreshold;
  const edges = new EdgeList();
  let candidatePairs = 0;
  forEachCandidatePair(
    blocks,
    (i, j) => {
      const code = codes ? codes.code[candidatePairs]! : scorer.code(i, j);
      candidatePairs++;
      const w = scorer.weight(i, j, code);
      const rule = scorer.deterministic(i, j, code);
      if (rule) edges.push(i, j, w, KIND_OF[rule]);
      else if (w >= review) edges.push(i, j, w, KIND.model);
    },
    options.only,
  );
  options.phases?.mark('score pairs');
  return { edges, params: model.params, freq: model.freq, candidatePairs, scorer };
}

export async function runLinkage(t: RecordTable, options: LinkageOptions = {}): Promise<Linkage> {
  const scored = await scoreEdges(t, options);
  const { edges, params } = scored;
  const decisions = options.decisions ?? { link: [], apart: new Set<number>() };
  for (const [i, j] of decisions.link) edges.push(i, j, Infinity, KIND.manual);
  const clusters = clusterRecords(t, edges, params.linkThreshold, decisions.apart);
  options.phases?.mark('cluster');
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

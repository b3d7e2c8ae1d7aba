// Compares the children the project holds with a truth file (synthetic population): pairwise
// precision, recall and F1, and the worst false and missed links with their scores.
import fs from 'node:fs';
import { parse } from 'csv-parse/sync';
import type { Queryable } from '../db/index.ts';
import { BridgeError } from '../shared/errors.ts';
import { pairwiseMetrics, type PairwiseMetrics } from './pairwise-metrics.ts';
import { loadModel } from './link-records.ts';
import * as q from './identity.queries.ts';
import { scorePair } from './explain-pair.ts';

export interface LinkError {
  a: string;
  b: string;
  weight: number | null;
  childA: string;
  childB: string;
}

export interface LinkEvaluation extends PairwiseMetrics {
  unmatchedTruthRows: number;
  unlinkedRows: number;
  falseLinks: LinkError[];
  missedLinks: LinkError[];
}

const TRUTH_ID_COLUMNS = ['true_child_id', 'truth_child_id', 'child_id', 'person_id', 'truth', 'child'];

/** Reads a truth CSV: `source,record_id,<true child id>` (header names case-insensitive). */
export function readTruth(file: string): Map<string, string> {
  if (!fs.existsSync(file)) throw new BridgeError('FILE_NOT_FOUND', `no truth file ${file}`);
  const rows = parse(fs.readFileSync(file), {
    columns: (h: string[]) => h.map((x) => x.trim().toLowerCase()),
    bom: true,
  }) as Record<string, string>[];
  const header = rows[0] ? Object.keys(rows[0]) : [];
  const idCol = TRUTH_ID_COLUMNS.find((c) => header.includes(c));
  if (!header.includes('source') || !header.includes('record_id') || !idCol) {
    throw new BridgeError(
      'FEED_FILE_INVALID',
      `${file}: header must hold source, record_id and a true child id (${TRUTH_ID_COLUMNS.join(', ')})`,
    );
  }
  return new Map(rows.map((r) => [`${r.source}:${r.record_id}`, r[idCol]!]));
}

export async function evaluateLinks(
  db: Queryable,
  truth: ReadonlyMap<string, string>,
  worst = 10,
): Promise<LinkEvaluation> {
  const rows = await db.query<{ pk: number; key: string; child_id: string }>(
    `SELECT r.id AS pk, r.source || ':' || r.record_id AS key, l.child_id
       FROM record_link l JOIN record r ON r.id = l.record_pk WHERE r.in_scope`,
  );
  const pred: string[] = [];
  const real: string[] = [];
  const pks: number[] = [];
  let unlinked = 0;
  const seen = new Set<string>();
  for (const r of rows) {
    const t = truth.get(r.key);
    seen.add(r.key);
    if (t === undefined) {
      unlinked++;
      continue;
    }
    pred.push(r.child_id);
    real.push(t);
    pks.push(Number(r.pk));
  }
  const metrics = pairwiseMetrics(pred, real);
  const unmatchedTruthRows = [...truth.keys()].filter((k) => !seen.has(k)).length;

  // Candidate error pairs: within each predicted child, across truths (false); within each true
  // child, across predicted children (missed). One pair per pair of groups keeps it small.
  const falsePairs: [number, number][] = [];
  const missedPairs: [number, number][] = [];
  const groupPairs = (keyA: string[], keyB: string[], out: [number, number][]) => {
    const groups = new Map<string, Map<string, number>>();
    keyA.forEach((g, k) => {
      const sub = groups.get(g) ?? new Map<string, number>();
      if (!sub.has(keyB[k]!)) sub.set(keyB[k]!, pks[k]!);
      groups.set(g, sub);
    });
    for (const sub of groups.values()) {
      if (sub.size < 2) continue;
      const reps = [...sub.values()];
      for (let x = 0; x < reps.length && out.length < 5000; x++)
        for (let y = x + 1; y < reps.length; y++) out.push([reps[x]!, reps[y]!]);
    }
  };
  groupPairs(pred, real, falsePairs);
  groupPairs(real, pred, missedPairs);
  const model = await loadModel(db);
  const byPk = new Map(pks.map((pk, k) => [pk, k]));
  const keyOf = new Map(rows.map((r) => [Number(r.pk), r.key]));
  const scoreAll = async (pairs: [number, number][]): Promise<LinkError[]> => {
    const recs = new Map((await q.recordsByPk(db, [...new Set(pairs.flat())])).map((r) => [r.pk, r]));
    return pairs.map(([a, b]) => ({
      a: keyOf.get(a)!,
      b: keyOf.get(b)!,
      weight: model ? scorePair(model, recs.get(a)!, recs.get(b)!).weight : null,
      childA: pred[byPk.get(a)!]!,
      childB: pred[byPk.get(b)!]!,
    }));
  };
  const falseLinks = (await scoreAll(falsePairs))
    .sort((x, y) => (y.weight ?? 0) - (x.weight ?? 0))
    .slice(0, worst);
  const missedLinks = (await scoreAll(missedPairs))
    .sort((x, y) => (y.weight ?? 0) - (x.weight ?? 0))
    .slice(0, worst);
  return { ...metrics, unmatchedTruthRows, unlinkedRows: unlinked, falseLinks, missedLinks };
}

// Pairwise precision, recall and F1 of a clustering against the truth: a pair of records counts
// when both are in one predicted child (predicted pair) and in one true child (true pair).

export interface PairwiseMetrics {
  records: number;
  truePairs: number;
  predictedPairs: number;
  correctPairs: number;
  precision: number;
  recall: number;
  f1: number;
}

const pairs = (n: number) => (n * (n - 1)) / 2;

export function pairwiseMetrics(predicted: readonly string[], truth: readonly string[]): PairwiseMetrics {
  const byPred = new Map<string, number>();
  const byTruth = new Map<string, number>();
  const byBoth = new Map<string, number>();
  for (let i = 0; i < predicted.length; i++) {
    const p = predicted[i]!;
    const t = truth[i]!;
    byPred.set(p, (byPred.get(p) ?? 0) + 1);
    byTruth.set(t, (byTruth.get(t) ?? 0) + 1);
    const k = `${p}\u0000${t}`;
    byBoth.set(k, (byBoth.get(k) ?? 0) + 1);
  }
  let predictedPairs = 0;
  let truePairs = 0;
  let correctPairs = 0;
  for (const n of byPred.values()) predictedPairs += pairs(n);
  for (const n of byTruth.values()) truePairs += pairs(n);
  for (const n of byBoth.values()) correctPairs += pairs(n);
  const precision = predictedPairs ? correctPairs / predictedPairs : 1;
  const recall = truePairs ? correctPairs / truePairs : 1;
  const f1 = precision + recall ? (2 * precision * recall) / (precision + recall) : 0;
  return { records: predicted.length, truePairs, predictedPairs, correctPairs, precision, recall, f1 };
}

// A worker thread that compares candidate pairs beside the main thread: it takes ranges of blocks
// from the counter the two threads share until none is left, and sends each range's codes back.
import { parentPort, workerData } from 'node:worker_threads';
import { collectRangeCodes } from './pair-codes.ts';
import { PairScorer, scoringTable } from './score-pairs.ts';
import type { FromPairCodesWorker, PairCodesWorkerData } from './pair-codes-worker-client.ts';

const { table, blocks, rules, ranges, next } = workerData as PairCodesWorkerData;
const port = parentPort!;
const send = (m: FromPairCodesWorker, transfer: ArrayBuffer[] = []) => port.postMessage(m, transfer);
try {
  const scorer = new PairScorer(scoringTable(table));
  for (let k = Atomics.add(next, 0, 1); k < ranges.length; k = Atomics.add(next, 0, 1)) {
    const codes = collectRangeCodes(blocks, scorer, rules, ranges[k]!);
    send({ range: k, n: codes.n, code: codes.code, rules: codes.rules }, [
      codes.code.buffer as ArrayBuffer,
      codes.rules.buffer as ArrayBuffer,
    ]);
  }
  send({ end: true });
} catch (e) {
  send({ error: e instanceof Error ? (e.stack ?? e.message) : String(e) });
}

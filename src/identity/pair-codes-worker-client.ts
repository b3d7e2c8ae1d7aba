// The main thread's side of the worker thread that compares candidate pairs beside it: the worker
// takes ranges of blocks from a counter both threads share and sends back each range's codes.
import { Worker } from 'node:worker_threads';
import type { BlockRange, Blocks } from './blocking.ts';
import type { ScoringData } from './score-pairs.ts';

export interface PairCodesWorkerData {
  table: ScoringData;
  blocks: Blocks;
  /** The blocking rules whose bits each pair's mask notes. */
  rules: readonly number[];
  ranges: readonly BlockRange[];
  /** The next range to take (Atomics.add), shared with the main thread. */
  next: Int32Array;
}

/** One range's codes (PairCodes' arrays, `n` of them used). */
export interface RangeCodes {
  range: number;
  n: number;
  code: Uint16Array;
  rules: Uint8Array;
}

export type FromPairCodesWorker = RangeCodes | { end: true } | { error: string };

export class PairCodesWorker {
  private readonly worker: Worker;
  private readonly done: Promise<RangeCodes[]>;

  constructor(data: PairCodesWorkerData) {
    // The entry registers tsx, so the worker runs the TypeScript sources as the main thread does.
    this.worker = new Worker(new URL('./pair-codes-worker-entry.mjs', import.meta.url), { workerData: data });
    const received: RangeCodes[] = [];
    this.done = new Promise((resolve, reject) => {
      this.worker.on('message', (m: FromPairCodesWorker) => {
        if ('error' in m) reject(new Error(`the pair comparing thread failed: ${m.error}`));
        else if ('end' in m) resolve(received);
        else received.push(m);
      });
      this.worker.on('error', (e) => reject(new Error(`the pair comparing thread failed: ${e.message}`)));
      this.worker.on('exit', (code) =>
        reject(new Error(`the pair comparing thread stopped before it finished (exit code ${code})`)),
      );
    });
    this.done.catch(() => {}); // awaited by results(); this only keeps an early failure from going unhandled
  }

  /** The codes of every range the worker took, once it has taken the last one. */
  results(): Promise<RangeCodes[]> {
    return this.done;
  }

  async stop(): Promise<void> {
    await this.worker.terminate();
  }
}

// Work asked for by the requests of one turn of the event loop, done together: loads batched into
// one statement, and the same work asked for several times done once (an office's worklist opened
// by many people at the start of a shift).
import DataLoader from 'dataloader';

/**
 * A DataLoader whose batch holds the loads of one turn of the server's network events: it runs
 * after the turn's I/O callbacks, not after the first one's promises, so the loads of every request
 * that turn parsed go together. Nothing is cached: each load is answered by a batch that starts
 * after it.
 */
export function perTurnLoader<K, V>(
  batch: DataLoader.BatchLoadFn<K, V>,
  options: { maxBatchSize?: number } = {},
): DataLoader<K, V> {
  return new DataLoader<K, V>(batch, {
    cache: false,
    batchScheduleFn: (run) => setImmediate(run),
    ...options,
  });
}

/** Runs `run` for `key`, or joins the run of an earlier caller with the same key in this turn. */
export type Coalesced<V> = (key: string, run: () => Promise<V>) => Promise<V>;

/**
 * Calls with the same key made during one turn of the server's network events share one run,
 * started after that turn; each caller gets its result (or its error). A run therefore starts
 * after every call it answers, and nothing is kept from one turn to the next. Results are shared:
 * callers must not change them.
 */
export function coalesced<V>(): Coalesced<V> {
  const loader = perTurnLoader<{ key: string; run: () => Promise<V> }, V>(async (calls) => {
    const runs = new Map<string, Promise<V | Error>>();
    return Promise.all(
      calls.map((c) => {
        let run = runs.get(c.key);
        if (!run) {
          run = c.run().catch((e: unknown) => (e instanceof Error ? e : new Error(String(e))));
          runs.set(c.key, run);
        }
        return run;
      }),
    );
  });
  return (key, run) => loader.load({ key, run });
}

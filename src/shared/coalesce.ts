// The same work asked for several times at about the same time, done once: what a server does when
// many people open the same page together (an office's worklist at the start of a shift).
import DataLoader from 'dataloader';

/** Runs `run` for `key`, or joins the run of an earlier caller with the same key in this turn. */
export type Coalesced<V> = (key: string, run: () => Promise<V>) => Promise<V>;

/**
 * Calls with the same key made during one turn of the server's network events share one run,
 * started after that turn; each caller gets its result (or its error). A run therefore starts
 * after every call it answers, and nothing is kept from one turn to the next. Results are shared:
 * callers must not change them.
 */
export function coalesced<V>(): Coalesced<V> {
  const loader = new DataLoader<{ key: string; run: () => Promise<V> }, V>(
    async (calls) => {
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
    },
    // After the turn's I/O callbacks, not after the first one's promises: a batch then holds the
    // calls of every request that turn parsed.
    { cache: false, batchScheduleFn: (run) => setImmediate(run) },
  );
  return (key, run) => loader.load({ key, run });
}

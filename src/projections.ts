// The one place where the projections that depend on feed rows (identity, cases, rules) are wired to
// the feeds: both edges (CLI ingest/rebuild and the HTTP push) take their hooks from here.
import type { Db, Queryable } from './db/index.ts';

export interface Projections {
  /** Inside each ingest chunk's transaction, with the ids of `record` rows inserted or changed. */
  afterRecordsChanged?: (tx: Queryable, recordIds: number[]) => Promise<void>;
  /** After `bridge rebuild` has rebuilt `record` from the raw rows. */
  afterRebuild?: (db: Db) => Promise<void>;
}

export function projections(): Projections {
  return {};
}

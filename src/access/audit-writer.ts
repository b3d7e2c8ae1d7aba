// Group commit for read-only disclosures. A read (a child's record, a worklist, a list) changes
// nothing, so its audit entry needs no transaction of its own: the writer collects the entries of
// concurrent requests and appends them to the chain in one transaction, one head update per batch.
// Each caller's promise settles when its batch has committed (or failed), so a response is sent
// only after its entry is durable, and a request whose entry could not be written gets no data.
//
// Why batches and not one transaction per read: appending holds the chain's head (an advisory lock
// across processes) until commit, so one transaction per read runs reads one at a time at the speed
// of a commit. A batch pays one commit for all the reads that arrived while the previous batch was
// committing. Several processes each run their own writer; the advisory lock orders their batches,
// and every batch reads the head under that lock, so the chain stays one gap-free sequence.
//
// A writer remembers the head its last batch wrote. While no other process appends, its next batch
// goes after that head in one statement that commits by itself (the lock, the head compared and
// moved, the rows) instead of a transaction of four round trips; a batch then commits in about the
// time of one, and the reads waiting on it answer sooner. When the head has moved on, the batch is
// written under the lock as above.
//
// The audit log's GIN index on child ids keeps new entries in a pending list and merges that list
// into the index once it passes 4 MB, inside the statement whose insert found it full: a batch
// that then held the chain's lock for 50 to 70 ms while every read waited (a worklist's entry
// names 50 children). Given a second connection, the writer merges the list there after every
// `mergeEvery` child ids it appended, without waiting for it; an insert that finds a merge under
// way leaves the list to it. A merge that fails fails no read; if the database role does not own
// the index, the writer stops asking and inserts merge the list as before.
//
// Changes keep writing their entry with `appendAudit` inside the change's own transaction.
import type { Db, Queryable } from '../db/index.ts';
import { chainEntries, type AuditEntry } from './audit.ts';
import * as sql from './access.queries.ts';

export interface AuditWriter {
  /** Appends `entry` with the next batch; resolves once that batch has committed. */
  append(entry: AuditEntry): Promise<{ seq: number; hash: string }>;
}

interface Waiting {
  entry: AuditEntry;
  resolve(v: { seq: number; hash: string }): void;
  reject(e: unknown): void;
}

/** SQLSTATE of a statement the role may not run (a merge by a role that does not own the index). */
const INSUFFICIENT_PRIVILEGE = '42501';

/** Most entries in one transaction: a bound on its size and on the time the head is held. */
export const MAX_AUDIT_BATCH = 500;

export interface AuditWriterOptions {
  /** A connection other than `db`'s on which to merge the index's pending list (see above). */
  maintenance?: Queryable;
  /** Child ids appended between two merges (default 50,000). */
  mergeEvery?: number;
}

export function createAuditWriter(db: Db, options: AuditWriterOptions = {}): AuditWriter {
  const mergeEvery = options.mergeEvery ?? 50_000;
  let maintenance = options.maintenance;
  let sinceMerge = 0;
  let merging = false;
  let queue: Waiting[] = [];
  let writing: Promise<void> | null = null;
  // The head this writer last wrote: while no other process appends, the next batch goes after it
  // in one self-committing statement instead of a transaction of four.
  let head: { seq: number; hash: string } | null = null;

  function mergeWhenDue(entries: readonly AuditEntry[]): void {
    if (!maintenance) return;
    for (const e of entries) sinceMerge += e.childIds?.length ?? 0;
    if (merging || sinceMerge < mergeEvery) return;
    sinceMerge = 0;
    merging = true;
    void sql
      .mergeAuditChildIndex(maintenance)
      .catch((e: unknown) => {
        // Not the index's owner: the same every time. Anything else (a restart) may pass.
        if ((e as { code?: string }).code === INSUFFICIENT_PRIVILEGE) maintenance = undefined;
      })
      .finally(() => {
        merging = false;
      });
  }

  async function writeBatch(batch: Waiting[]): Promise<void> {
    const entries = batch.map((w) => w.entry);
    try {
      let chained = head ? chainEntries(head, entries) : null;
      if (!chained || !(await sql.appendAuditRowsAfter(db, head!, chained.rows, chained.last))) {
        chained = await db.transaction(async (tx) => {
          await sql.lockAuditChain(tx);
          const c = chainEntries((await sql.auditHead(tx)) ?? null, entries);
          await sql.insertAuditRows(tx, c.rows, c.last);
          return c;
        });
      }
      head = chained.last;
      mergeWhenDue(entries);
      const written = chained.rows;
      batch.forEach((w, i) => w.resolve({ seq: written[i]!.seq, hash: written[i]!.hash }));
    } catch (e) {
      head = null;
      if (batch.length === 1) {
        batch[0]!.reject(e);
        return;
      }
      // One entry the database refuses must not fail the reads batched with it: each is tried alone.
      for (const w of batch) await writeBatch([w]);
    }
  }

  // One batch at a time per process: entries that arrive meanwhile wait for the next one.
  async function run(): Promise<void> {
    while (queue.length > 0) {
      const batch = queue.slice(0, MAX_AUDIT_BATCH);
      queue = queue.slice(batch.length);
      await writeBatch(batch);
    }
    writing = null;
  }

  return {
    append(entry) {
      return new Promise((resolve, reject) => {
        queue.push({ entry, resolve, reject });
        // Started on the next turn, so the entries of requests handled in this turn go together.
        writing ??= new Promise<void>((r) => setImmediate(r)).then(run);
      });
    },
  };
}

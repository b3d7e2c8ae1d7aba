// Rebuilds the `record` projection from the raw rows: the newest version of each (source, record
// id), mapped again. Record ids are kept, so links that point at them stay valid.
import { copyTextFields, type Db } from '../db/index.ts';
import type { Clock } from '../shared/clock.ts';
import { upsertRecordChanges } from './feeds.queries.ts';
import { prepareRow } from './ingest-rows.ts';
import { storedRowFields } from './read-feed-file.ts';
import { SOURCES, type Source } from './sources.ts';

export interface RebuildDeps {
  db: Db;
  clock: Clock;
  /** Called once after the records are rebuilt, to rebuild what depends on them. */
  afterRebuild?: (db: Db) => Promise<void>;
}

export interface RebuildResult {
  records: number;
  removed: number;
}

export async function rebuildRecords(
  deps: RebuildDeps,
  options: { chunkSize?: number; onRows?: (n: number) => void } = {},
): Promise<RebuildResult> {
  const chunkSize = options.chunkSize ?? 10_000;
  let records = 0;
  for (const source of SOURCES) records += await rebuildSource(deps, source, chunkSize, options.onRows);
  // Records whose current version can no longer be mapped (or whose rows are gone) are removed.
  const removed = await deps.db.query<{ id: number }>(
    `DELETE FROM record r WHERE NOT EXISTS (
       SELECT 1 FROM source_row s WHERE s.id = r.row_id AND s.version = (
         SELECT max(version) FROM source_row x WHERE x.source = s.source AND x.record_id = s.record_id))
     RETURNING id`,
  );
  if (deps.afterRebuild) await deps.afterRebuild(deps.db);
  return { records, removed: removed.length };
}

async function rebuildSource(
  deps: RebuildDeps,
  source: Source,
  chunkSize: number,
  onRows?: (n: number) => void,
): Promise<number> {
  let after = '';
  let total = 0;
  for (;;) {
    const rows = await deps.db.query<{
      id: number;
      record_id: string;
      fields: Record<string, string> | null;
      raw_text: string;
      header: string | null;
      line: number;
      received_at: Date;
    }>(
      `SELECT DISTINCT ON (s.record_id) s.id, s.record_id, s.fields, s.raw_text, b.header, s.line, s.received_at
       FROM source_row s JOIN feed_batch b ON b.id = s.batch_id WHERE s.source = $1 AND s.record_id > $2
       ORDER BY s.record_id, s.version DESC LIMIT $3`,
      [source, after, chunkSize],
    );
    if (rows.length === 0) return total;
    after = rows[rows.length - 1]!.record_id;
    // Every accepted row is its record's current version, already stored as a source row; each
    // record keeps the time its current version was received.
    let changes = '';
    rows.forEach((r, i) => {
      const p = prepareRow(source, i + 1, { line: r.line, rawText: r.raw_text, fields: storedRowFields(r) });
      if (p.canonical)
        changes += `${copyTextFields([r.record_id, String(r.id), new Date(r.received_at).toISOString()])}\t${p.canonical}\n`;
    });
    await deps.db.transaction((tx) => upsertRecordChanges(tx, source, changes));
    total += rows.length;
    onRows?.(rows.length);
  }
}

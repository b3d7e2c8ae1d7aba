// Rebuilds the `record` projection from the raw rows: the newest version of each (source, record
// id), mapped again. Record ids are kept, so links that point at them stay valid.
import type { Db } from '../db/index.ts';
import type { Clock } from '../shared/clock.ts';
import { STAGE_COLUMNS, createStage, upsertRecords } from './feeds.queries.ts';
import { prepareRow } from './ingest-rows.ts';
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
      fields: Record<string, string>;
      raw_text: string;
      line: number;
      received_at: Date;
    }>(
      `SELECT DISTINCT ON (record_id) id, record_id, fields, raw_text, line, received_at
       FROM source_row WHERE source = $1 AND record_id > $2
       ORDER BY record_id, version DESC LIMIT $3`,
      [source, after, chunkSize],
    );
    if (rows.length === 0) return total;
    after = rows[rows.length - 1]!.record_id;
    await deps.db.transaction(async (tx) => {
      await createStage(tx);
      const prepared = rows.map((r, i) => {
        const p = prepareRow(source, i + 1, { line: r.line, rawText: r.raw_text, fields: r.fields });
        return { p, r };
      });
      const accepted = prepared.filter(({ p }) => p.outcome.status !== 'quarantined');
      await tx.copyRows(
        'feed_stage',
        STAGE_COLUMNS,
        accepted.map(({ p }) => p.cells),
      );
      // Every accepted row is its record's current version, already stored as a source row.
      await tx.query(
        `CREATE TEMP TABLE feed_fate ON COMMIT DROP AS
         SELECT s.seq, s.record_id, s.content_hash, s.in_scope, r.id AS row_id, 'new'::text AS status
         FROM feed_stage s JOIN unnest($1::int[], $2::bigint[]) AS r(seq, id) ON r.seq = s.seq`,
        [accepted.map(({ p }) => Number(p.cells[0])), accepted.map(({ r }) => r.id)],
      );
      await upsertRecords(tx, source, new Date(0));
      // Each record keeps the time its current version was received.
      await tx.query(
        `UPDATE record r SET received_at = s.received_at FROM source_row s
         WHERE s.id = r.row_id AND r.source = $1 AND r.record_id = ANY($2::text[])`,
        [source, rows.map((r) => r.record_id)],
      );
    });
    total += rows.length;
    onRows?.(rows.length);
  }
}

// The feeds module's SQL. A chunk of rows is copied into a temporary stage table and merged
// set-based in the same transaction: content seen before is a no-op, new content for a known
// record id is the next version, and `record` holds the facts of each record's newest version.
import type { Queryable } from '../db/index.ts';
import { CANONICAL_COLUMNS, type Source } from './sources.ts';

/** Types of the canonical columns (as in `record`, 0010_feeds.sql). */
const CANONICAL_TYPES: Record<(typeof CANONICAL_COLUMNS)[number], string> = {
  in_scope: 'boolean',
  own_date: 'date',
  event_type: 'text',
  a_number: 'char(9)',
  orr_uc_id: 'text',
  idncase: 'text',
  name_as_sent: 'text',
  given_names: 'text',
  surname1: 'text',
  surname2: 'text',
  dob: 'date',
  sex: 'char(1)',
  country: 'char(3)',
  book_in_at: 'timestamp',
  transfer_at: 'timestamp',
  sector: 'text',
  orr_facility: 'text',
  sponsor_id: 'text',
  sponsor_category: 'text',
  call_outcome: 'text',
  discharge_reason: 'text',
  issued_date: 'date',
  served_date: 'date',
  service_method: 'text',
  filed_date: 'date',
  court_code: 'text',
  hearing_at: 'timestamp',
  hearing_type: 'text',
  attendance: 'text',
  in_absentia: 'boolean',
  completion: 'text',
  address_as_sent: 'jsonb',
  addr_line: 'text',
  addr_unit: 'text',
  addr_city: 'text',
  addr_state: 'text',
  addr_zip5: 'text',
};

/** Columns copied into the stage table, in COPY order. */
export const STAGE_COLUMNS = [
  'seq',
  'line',
  'record_id',
  'content_hash',
  'ok',
  'fields',
  'raw_text',
  'reasons',
  ...CANONICAL_COLUMNS,
] as const;

export async function createStage(tx: Queryable): Promise<void> {
  await tx.query(
    `CREATE TEMP TABLE feed_stage (
       seq integer NOT NULL, line integer NOT NULL, record_id text, content_hash text NOT NULL,
       ok boolean NOT NULL, fields jsonb, raw_text text NOT NULL, reasons jsonb,
       ${CANONICAL_COLUMNS.map((c) => `${c} ${CANONICAL_TYPES[c]}`).join(', ')}
     ) ON COMMIT DROP`,
  );
}

export async function indexStage(tx: Queryable): Promise<void> {
  await tx.query('CREATE INDEX ON feed_stage (record_id, seq)');
  await tx.query('CREATE INDEX ON feed_stage (content_hash)');
  // No ANALYZE: it cost as much as the COPY, and without statistics the planner sizes a temporary
  // table from its pages, which is enough for the lookups below.
}

/**
 * Decides each staged row's fate, in a narrow table of its own (`feed_fate`: seq, status and the
 * source row it becomes), so that the wide stage rows are written once:
 * - quarantined: cannot be read (`quarantined_again` when that same content was quarantined before);
 * - unchanged: the same content was received before for this record id (any version, so an old
 *   file sent again never undoes a later correction);
 * - corrected: new content for a record id already known (or seen earlier in this chunk);
 * - new: a record id never seen.
 */
export async function classifyStage(tx: Queryable, source: Source): Promise<void> {
  await tx.query(
    `CREATE TEMP TABLE feed_fate ON COMMIT DROP AS
     SELECT s.seq, s.record_id, s.content_hash, s.in_scope, NULL::bigint AS row_id, CASE
       WHEN NOT s.ok THEN CASE
         WHEN EXISTS (SELECT 1 FROM quarantine q WHERE q.source = $1 AND q.content_hash = s.content_hash)
           OR EXISTS (SELECT 1 FROM feed_stage d WHERE NOT d.ok AND d.content_hash = s.content_hash AND d.seq < s.seq)
         THEN 'quarantined_again' ELSE 'quarantined' END
       WHEN EXISTS (SELECT 1 FROM source_row r
                    WHERE r.source = $1 AND r.record_id = s.record_id AND r.content_hash = s.content_hash)
         OR EXISTS (SELECT 1 FROM feed_stage d
                    WHERE d.ok AND d.record_id = s.record_id AND d.content_hash = s.content_hash AND d.seq < s.seq)
       THEN 'unchanged'
       WHEN EXISTS (SELECT 1 FROM source_row r WHERE r.source = $1 AND r.record_id = s.record_id)
         OR EXISTS (SELECT 1 FROM feed_stage d WHERE d.ok AND d.record_id = s.record_id AND d.seq < s.seq)
       THEN 'corrected'
       ELSE 'new' END AS status
     FROM feed_stage s`,
    [source],
  );
}

/** Appends the new versions to source_row, numbered after the versions already held. */
export async function insertSourceRows(
  tx: Queryable,
  source: Source,
  batchId: number,
  receivedAt: Date,
): Promise<void> {
  await tx.query(
    `WITH ins AS (
       INSERT INTO source_row (source, record_id, version, content_hash, fields, raw_text, batch_id, line, received_at)
       SELECT $1, s.record_id,
              COALESCE(m.v, 0) + row_number() OVER (PARTITION BY s.record_id ORDER BY s.seq),
              s.content_hash, s.fields, s.raw_text, $2, s.line, $3
       FROM feed_stage s JOIN feed_fate f ON f.seq = s.seq
       LEFT JOIN LATERAL (SELECT max(r.version) AS v FROM source_row r
                          WHERE r.source = $1 AND r.record_id = s.record_id) m ON true
       WHERE f.status IN ('new', 'corrected')
       ORDER BY s.seq
       RETURNING id, record_id, content_hash)
     UPDATE feed_fate f SET row_id = ins.id FROM ins
     WHERE f.record_id = ins.record_id AND f.content_hash = ins.content_hash AND f.status IN ('new', 'corrected')`,
    [source, batchId, receivedAt],
  );
}

/** Upserts the facts of each record's newest version; returns the `record` ids inserted or changed. */
export async function upsertRecords(tx: Queryable, source: Source, receivedAt: Date): Promise<number[]> {
  const cols = CANONICAL_COLUMNS.join(', ');
  const rows = await tx.query<{ id: number }>(
    `INSERT INTO record (source, record_id, row_id, ${cols}, received_at)
     SELECT DISTINCT ON (s.record_id) $1, s.record_id, f.row_id, ${CANONICAL_COLUMNS.map((c) => `s.${c}`).join(', ')}, $2
     FROM feed_stage s JOIN feed_fate f ON f.seq = s.seq WHERE f.status IN ('new', 'corrected')
     ORDER BY s.record_id, s.seq DESC
     ON CONFLICT (source, record_id) DO UPDATE SET row_id = EXCLUDED.row_id,
       ${CANONICAL_COLUMNS.map((c) => `${c} = EXCLUDED.${c}`).join(', ')}, received_at = EXCLUDED.received_at
     RETURNING id`,
    [source, receivedAt],
  );
  return rows.map((r) => Number(r.id));
}

/**
 * Quarantines the rows that cannot be read (once per content), then marks open quarantine entries
 * as resolved when a version of the same record id was accepted after them.
 */
export async function quarantineAndResolve(
  tx: Queryable,
  source: Source,
  batchId: number,
  receivedAt: Date,
): Promise<void> {
  await tx.query(
    `INSERT INTO quarantine (source, record_id, batch_id, line, raw_text, fields, reasons, content_hash, received_at)
     SELECT $1, s.record_id, $2, s.line, s.raw_text, s.fields, s.reasons, s.content_hash, $3
     FROM feed_stage s JOIN feed_fate f ON f.seq = s.seq WHERE f.status = 'quarantined' ORDER BY s.seq`,
    [source, batchId, receivedAt],
  );
  await tx.query(
    `UPDATE quarantine q SET resolved_by_row_id = a.row_id, resolved_at = $2
     FROM (SELECT DISTINCT ON (record_id) record_id, row_id, seq FROM feed_fate
           WHERE status IN ('new', 'corrected') ORDER BY record_id, seq DESC) a
     WHERE q.source = $1 AND q.record_id = a.record_id AND q.resolved_by_row_id IS NULL
       AND NOT EXISTS (SELECT 1 FROM feed_stage b
                       WHERE NOT b.ok AND b.content_hash = q.content_hash AND b.seq > a.seq)`,
    [source, receivedAt],
  );
}

export async function stageStatuses(
  tx: Queryable,
): Promise<{ seq: number; status: string; in_scope: boolean | null }[]> {
  return tx.query(`SELECT seq, status, in_scope FROM feed_fate ORDER BY seq`);
}

export async function createBatch(
  db: Queryable,
  source: Source,
  kind: 'file' | 'http',
  origin: string,
  at: Date,
): Promise<number> {
  const [row] = await db.query<{ id: number }>(
    `INSERT INTO feed_batch (source, kind, origin, started_at) VALUES ($1, $2, $3, $4) RETURNING id`,
    [source, kind, origin, at],
  );
  return Number(row!.id);
}

export async function finishBatch(db: Queryable, batchId: number, at: Date, counts: object): Promise<void> {
  await db.query(`UPDATE feed_batch SET finished_at = $2, counts = $3 WHERE id = $1`, [
    batchId,
    at,
    JSON.stringify(counts),
  ]);
}

// The feeds module's SQL. A chunk's fate (content seen before is a no-op, new content for a known
// record id is the next version) is decided in Node from what the source already holds for the
// chunk's record ids; the rows are then COPYed straight into `source_row`, `quarantine` and
// `record`, which holds the facts of each record's newest version.
import type { Queryable } from '../db/index.ts';
import { CANONICAL_COLUMNS, SOURCES, type Source } from './sources.ts';

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

/** Any number not used by another advisory lock of the project; the second key is the source. */
const INGEST_LOCK_KEY = 418_227_063;

/**
 * Serializes the chunks of one source (a file and an HTTP batch of the same source at once), since
 * each chunk decides new, unchanged or corrected from what the source holds when it starts.
 */
export async function lockSource(tx: Queryable, source: Source): Promise<void> {
  await tx.query(`SELECT pg_advisory_xact_lock($1, $2)`, [INGEST_LOCK_KEY, SOURCES.indexOf(source)]);
}

/** Every stored version (content and number) of the given record ids. */
export async function storedVersions(
  tx: Queryable,
  source: Source,
  recordIds: readonly string[],
): Promise<{ record_id: string; content_hash: string; version: number }[]> {
  if (recordIds.length === 0) return [];
  // The ids as a sub-select's array (ARRAY(...)): the planner cannot count them, and looks each
  // one up in the (source, record_id, version) index. Given the array itself, while the table's
  // statistics still described it as small (a first load outgrows them), it scanned every row of
  // the source and filtered them: each chunk slower than the one before.
  return tx.query(
    `SELECT record_id, content_hash, version FROM source_row
      WHERE source = $1 AND record_id = ANY(ARRAY(SELECT unnest($2::text[])))`,
    [source, recordIds],
  );
}

/** Which of the given contents were quarantined before (a bad row sent again is quarantined once). */
export async function quarantinedBefore(
  tx: Queryable,
  source: Source,
  contentHashes: readonly string[],
): Promise<string[]> {
  if (contentHashes.length === 0) return [];
  const rows = await tx.query<{ content_hash: string }>(
    `SELECT DISTINCT content_hash FROM quarantine WHERE source = $1 AND content_hash = ANY($2::text[])`,
    [source, contentHashes],
  );
  return rows.map((r) => r.content_hash);
}

/** Whether any of the given record ids has an open quarantine entry. */
export async function hasOpenQuarantine(
  tx: Queryable,
  source: Source,
  recordIds: readonly string[],
): Promise<boolean> {
  if (recordIds.length === 0) return false;
  const rows = await tx.query(
    `SELECT 1 FROM quarantine WHERE source = $1 AND record_id = ANY($2::text[]) AND resolved_by_row_id IS NULL LIMIT 1`,
    [source, recordIds],
  );
  return rows.length > 0;
}

/**
 * The columns of a row as stored, in `source_row` and in `quarantine`: its fields (as JSON) and its
 * original text. A prepared row carries them as COPY text (PreparedRow.stored), and they come last
 * in each COPY below so that it is appended as it is.
 */
export const STORED_COLUMNS = ['fields', 'raw_text'] as const;

/** Columns of a COPY into `source_row`. */
export const SOURCE_ROW_COLUMNS = [
  'id',
  'source',
  'record_id',
  'version',
  'content_hash',
  'batch_id',
  'line',
  'received_at',
  ...STORED_COLUMNS,
] as const;

/** Columns of a COPY into `quarantine`. */
export const QUARANTINE_COLUMNS = [
  'source',
  'record_id',
  'batch_id',
  'line',
  'content_hash',
  'received_at',
  ...STORED_COLUMNS,
  'reasons',
] as const;

/**
 * Columns of a COPY into `record` of records not held yet. The canonical facts come last: a prepared
 * row carries them as COPY text (PreparedRow.canonical).
 */
export const RECORD_COLUMNS = [
  'id',
  'source',
  'record_id',
  'row_id',
  'received_at',
  ...CANONICAL_COLUMNS,
] as const;

/** Columns of a change to records that may be held already (see upsertRecordChanges). */
export const RECORD_CHANGE_COLUMNS = ['record_id', 'row_id', 'received_at', ...CANONICAL_COLUMNS] as const;

/**
 * Writes the given facts into `record` (inserted, or replacing those of a record already held, which
 * keeps its id); `text` holds one COPY text line of RECORD_CHANGE_COLUMNS for each (as a string or
 * its UTF-8 bytes). Returns the `record` ids written.
 */
export async function upsertRecordChanges(
  tx: Queryable,
  source: Source,
  text: string | Uint8Array,
): Promise<number[]> {
  if (text.length === 0) return [];
  await tx.query(
    `CREATE TEMP TABLE feed_change (
       record_id text NOT NULL, row_id bigint NOT NULL, received_at timestamptz NOT NULL,
       ${CANONICAL_COLUMNS.map((c) => `${c} ${CANONICAL_TYPES[c]}`).join(', ')}
     ) ON COMMIT DROP`,
  );
  await tx.copyText('feed_change', RECORD_CHANGE_COLUMNS, text);
  const cols = CANONICAL_COLUMNS.join(', ');
  const written = await tx.query<{ id: number }>(
    `INSERT INTO record (source, record_id, row_id, ${cols}, received_at)
     SELECT $1, record_id, row_id, ${cols}, received_at FROM feed_change
     ON CONFLICT (source, record_id) DO UPDATE SET row_id = EXCLUDED.row_id,
       ${CANONICAL_COLUMNS.map((c) => `${c} = EXCLUDED.${c}`).join(', ')}, received_at = EXCLUDED.received_at
     RETURNING id`,
    [source],
  );
  await tx.query('DROP TABLE feed_change');
  return written.map((r) => Number(r.id));
}

/**
 * Marks open quarantine entries of a record id as resolved by the newest version of it accepted in
 * this chunk (`accepted`: record id, source row id, position), unless the chunk sends the same bad
 * content again after that version (`bad`: content hash, position of each unreadable row).
 */
export async function resolveQuarantine(
  tx: Queryable,
  source: Source,
  receivedAt: Date,
  accepted: { recordIds: string[]; rowIds: number[]; seqs: number[] },
  bad: { hashes: string[]; seqs: number[] },
): Promise<void> {
  await tx.query(
    `UPDATE quarantine q SET resolved_by_row_id = a.row_id, resolved_at = $2
     FROM unnest($3::text[], $4::bigint[], $5::int[]) AS a(record_id, row_id, seq)
     WHERE q.source = $1 AND q.record_id = a.record_id AND q.resolved_by_row_id IS NULL
       AND NOT EXISTS (SELECT 1 FROM unnest($6::text[], $7::int[]) AS b(content_hash, seq)
                       WHERE b.content_hash = q.content_hash AND b.seq > a.seq)`,
    [source, receivedAt, accepted.recordIds, accepted.rowIds, accepted.seqs, bad.hashes, bad.seqs],
  );
}

/** Keeps a file's header line (as sent) on its batch: its rows' fields are read with it. */
export async function setBatchHeader(db: Queryable, batchId: number, header: string): Promise<void> {
  await db.query(`UPDATE feed_batch SET header = $2 WHERE id = $1`, [batchId, header]);
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

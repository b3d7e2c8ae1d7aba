// Stores a stream of rows from one batch (a file or an HTTP request): each chunk is checked and
// mapped in Node, its fate decided against what the source holds, and written in one transaction, so a process killed at
// any moment loses at most the chunk in flight and running the same input again converges.
import crypto from 'node:crypto';
import {
  CopyTextBuffer,
  copyTextFields,
  copyTextValue,
  takeIds,
  type CopyPiece,
  type Db,
  type Queryable,
} from '../db/index.ts';
import type { Clock } from '../shared/clock.ts';
import {
  QUARANTINE_COLUMNS,
  RECORD_COLUMNS,
  SOURCE_ROW_COLUMNS,
  hasOpenQuarantine,
  lockSource,
  quarantinedBefore,
  resolveQuarantine,
  storedVersions,
  upsertRecordChanges,
} from './feeds.queries.ts';
import {
  CANONICAL_COLUMNS,
  SOURCE_COLUMNS,
  idColumn,
  mapRow,
  type CanonicalRecord,
  type FieldReason,
  type Source,
} from './sources.ts';

/** One row as received: its fields by lower-case column name and its original text. */
export interface IncomingRow {
  /** Line in the file (first line of the row), or position in the request (1-based). */
  line: number;
  rawText: string;
  fields: Record<string, string>;
  /** Problems found while reading (wrong number of fields, unreadable CSV). */
  readProblems?: FieldReason[];
  /**
   * The fields are the raw text read with the header line stored on the row's batch (a file's row),
   * so an accepted row's fields are not stored again (`storedRowFields` gives them back).
   */
  fieldsInRawText?: boolean;
}

/**
 * Called inside each chunk's transaction, just before it commits, with the ids of the `record` rows
 * inserted or changed (a correction keeps the record's id and points it at the new source row), so
 * that whatever depends on them (linking, case state, rules) commits together with the rows.
 */
export type AfterRecordsChanged = (tx: Queryable, recordIds: number[]) => Promise<void>;

export type RowStatus = 'new' | 'unchanged' | 'corrected' | 'quarantined';

export interface RowOutcome {
  line: number;
  recordId: string | null;
  status: RowStatus;
  inScope: boolean | null;
  reasons: FieldReason[];
}

export interface IngestCounts {
  rows: number;
  new: number;
  unchanged: number;
  corrected: number;
  quarantined: number;
  out_of_scope: number;
}

export const emptyCounts = (): IngestCounts => ({
  rows: 0,
  new: 0,
  unchanged: 0,
  corrected: 0,
  quarantined: 0,
  out_of_scope: 0,
});

export function addCounts(a: IngestCounts, b: IngestCounts): IngestCounts {
  return {
    rows: a.rows + b.rows,
    new: a.new + b.new,
    unchanged: a.unchanged + b.unchanged,
    corrected: a.corrected + b.corrected,
    quarantined: a.quarantined + b.quarantined,
    out_of_scope: a.out_of_scope + b.out_of_scope,
  };
}

/**
 * Content identity of a row: the values of the source's own columns, whatever their order in the
 * file. Extra columns a source adds are stored but do not make a new version.
 */
export function contentHash(source: Source, fields: Readonly<Record<string, string | undefined>>): string {
  const values = SOURCE_COLUMNS[source].map((c) => fields[c] ?? null);
  // The one-shot hash: a Hash object per row cost about twice as much.
  return crypto.hash('sha1', JSON.stringify(values), 'base64');
}

function canonicalCell(rec: CanonicalRecord | null, col: (typeof CANONICAL_COLUMNS)[number]): string | null {
  if (!rec) return null;
  const v = rec[col];
  if (v === null || v === undefined) return null;
  if (typeof v === 'boolean') return v ? 't' : 'f';
  if (typeof v === 'object') return JSON.stringify(v);
  return v === '' ? null : String(v);
}

/**
 * One row checked and mapped, ready to be written. What is stored of it is already COPY text, made
 * where the row was read: a reading thread sends it as UTF-8 bytes, and the thread that writes
 * copies them in as they are, next to the values decided there (ids, version, time received).
 */
export interface PreparedRow {
  seq: number;
  line: number;
  recordId: string | null;
  contentHash: string;
  ok: boolean;
  /** Whether the record is within the population (null when not ok). */
  inScope: boolean | null;
  /**
   * The fields as JSON (null for an accepted row whose fields are in its raw text) and the raw
   * text, as COPY text of STORED_COLUMNS.
   */
  stored: CopyPiece;
  /** The canonical facts as COPY text of CANONICAL_COLUMNS, when ok. */
  canonical: CopyPiece | null;
  /** Why the row is quarantined, as JSON (a FieldReason array), when not ok. */
  reasons: string | null;
}

// eslint-disable-next-line no-control-regex -- finding U+0000 is the point
const NUL = /\u0000/g;

/**
 * PostgreSQL text cannot hold U+0000: a row that carries one is quarantined, stored with each NUL
 * shown as U+FFFD (the replacement character), and each field that held one is named.
 */
function withoutNul(row: IncomingRow): { row: IncomingRow; reasons: FieldReason[] } {
  if (!row.rawText.includes('\u0000') && !Object.values(row.fields).some((v) => v?.includes('\u0000')))
    return { row, reasons: [] };
  const reasons: FieldReason[] = [];
  const fields: Record<string, string> = {};
  for (const [k, v] of Object.entries(row.fields)) {
    const key = k.replace(NUL, '\uFFFD');
    if (k.includes('\u0000') || v?.includes('\u0000'))
      reasons.push({ field: key, reason: 'contains a NUL character (U+0000), which cannot be stored' });
    fields[key] = v?.replace(NUL, '\uFFFD');
  }
  if (reasons.length === 0)
    reasons.push({ field: 'row', reason: 'contains a NUL character (U+0000), which cannot be stored' });
  return { row: { ...row, rawText: row.rawText.replace(NUL, '\uFFFD'), fields }, reasons };
}

/** A row prepared on this thread: its COPY text as strings. */
export type PreparedRowText = PreparedRow & { stored: string; canonical: string | null };

export function prepareRow(source: Source, seq: number, incoming: IncomingRow): PreparedRowText {
  const { row, reasons: nulReasons } = withoutNul(incoming);
  const mapped = mapRow(source, row.fields);
  const reasons = [...(row.readProblems ?? []), ...nulReasons, ...(mapped.ok ? [] : mapped.reasons)];
  const ok = reasons.length === 0 && mapped.ok;
  const record = ok && mapped.ok ? mapped.record : null;
  const recordId = (row.fields[idColumn(source)] ?? '').trim() || null;
  const hash = row.readProblems?.length
    ? crypto.hash('sha1', row.rawText, 'base64')
    : contentHash(source, row.fields);
  return {
    seq,
    line: row.line,
    recordId,
    contentHash: hash,
    ok,
    inScope: record?.in_scope ?? null,
    stored: copyTextFields([ok && row.fieldsInRawText ? null : JSON.stringify(row.fields), row.rawText]),
    canonical: record ? copyTextFields(CANONICAL_COLUMNS.map((c) => canonicalCell(record, c))) : null,
    reasons: ok ? null : JSON.stringify(reasons),
  };
}

export interface StoreChunkDeps {
  db: Db;
  clock: Clock;
  afterRecordsChanged?: AfterRecordsChanged;
}

/**
 * Decides each row's fate from what the source holds for the chunk's record ids (`stored`) and the
 * contents quarantined before, in input order:
 * - quarantined: cannot be read (`quarantined_again` when that same content was quarantined before,
 *   or earlier in the chunk);
 * - unchanged: the same content was received before for this record id (any version, so an old
 *   file sent again never undoes a later correction);
 * - corrected: new content for a record id already known (or accepted earlier in this chunk);
 * - new: a record id never seen.
 * Accepted rows get the next version number of their record id.
 */
function decideFates(
  rows: readonly PreparedRow[],
  stored: readonly { record_id: string; content_hash: string; version: number }[],
  quarantined: readonly string[],
): { status: RowStatus | 'quarantined_again'; version: number }[] {
  // A content hash has a fixed length, so hash + record id is an unambiguous key.
  const seen = new Set(stored.map((v) => v.content_hash + v.record_id));
  const versions = new Map<string, number>();
  for (const v of stored) versions.set(v.record_id, Math.max(versions.get(v.record_id) ?? 0, v.version));
  const seenBad = new Set(quarantined);
  return rows.map((r) => {
    if (!r.ok) {
      const again = seenBad.has(r.contentHash);
      seenBad.add(r.contentHash);
      return { status: again ? 'quarantined_again' : 'quarantined', version: 0 };
    }
    const id = r.recordId!;
    const key = r.contentHash + id;
    if (seen.has(key)) return { status: 'unchanged', version: 0 };
    seen.add(key);
    const version = (versions.get(id) ?? 0) + 1;
    versions.set(id, version);
    return { status: version > 1 ? 'corrected' : 'new', version };
  });
}

/** Stores one chunk in one transaction; returns each row's outcome in input order. */
export async function storeChunk(
  deps: StoreChunkDeps,
  source: Source,
  batchId: number,
  rows: readonly PreparedRow[],
): Promise<RowOutcome[]> {
  if (rows.length === 0) return [];
  const receivedAt = deps.clock.now();
  const at = receivedAt.toISOString();
  const fates = await deps.db.transaction(async (tx) => {
    await lockSource(tx, source);
    const recordIds = [...new Set(rows.filter((r) => r.ok).map((r) => r.recordId!))];
    const bad = rows.filter((r) => !r.ok);
    const stored = await storedVersions(tx, source, recordIds);
    const fates = decideFates(
      rows,
      stored,
      await quarantinedBefore(tx, source, [...new Set(bad.map((r) => r.contentHash))]),
    );

    const accepted = rows.map((row, i) => ({ row, version: fates[i]!.version })).filter((a) => a.version > 0);
    const rowIds = await takeIds(tx, 'source_row', accepted.length);
    let copy = new CopyTextBuffer();
    accepted.forEach(({ row: r, version }, i) => {
      copy
        .add(
          `${rowIds[i]}\t${source}\t${copyTextValue(r.recordId)}\t${version}\t${r.contentHash}\t${batchId}\t${r.line}\t${at}\t`,
        )
        .add(r.stored)
        .add('\n');
    });
    await tx.copyText('source_row', SOURCE_ROW_COLUMNS, copy.bytes);
    // Each record id's newest version accepted in this chunk becomes the record's facts: copied as
    // a new record when the source held no version of it, written over the record otherwise.
    const newest = new Map<string, { row: PreparedRow; rowId: number }>();
    accepted.forEach(({ row }, i) => newest.set(row.recordId!, { row, rowId: rowIds[i]! }));
    const held = new Set(stored.map((v) => v.record_id));
    const fresh = [...newest.values()].filter((n) => !held.has(n.row.recordId!));
    const recordIdsTaken = await takeIds(tx, 'record', fresh.length);
    copy = new CopyTextBuffer();
    fresh.forEach((n, i) => {
      copy
        .add(`${recordIdsTaken[i]}\t${source}\t${copyTextValue(n.row.recordId)}\t${n.rowId}\t${at}\t`)
        .add(n.row.canonical!)
        .add('\n');
    });
    await tx.copyText('record', RECORD_COLUMNS, copy.bytes);
    copy = new CopyTextBuffer();
    for (const n of newest.values())
      if (held.has(n.row.recordId!))
        copy
          .add(`${copyTextValue(n.row.recordId)}\t${n.rowId}\t${at}\t`)
          .add(n.row.canonical!)
          .add('\n');
    const changed = recordIdsTaken.concat(await upsertRecordChanges(tx, source, copy.bytes));

    copy = new CopyTextBuffer();
    rows.forEach((r, i) => {
      if (fates[i]!.status === 'quarantined')
        copy
          .add(`${source}\t${copyTextValue(r.recordId)}\t${batchId}\t${r.line}\t${r.contentHash}\t${at}\t`)
          .add(r.stored)
          .add(`\t${copyTextValue(r.reasons)}\n`);
    });
    await tx.copyText('quarantine', QUARANTINE_COLUMNS, copy.bytes);
    const badIds = new Set(bad.map((r) => r.recordId));
    if (
      [...newest.keys()].some((id) => badIds.has(id)) ||
      (await hasOpenQuarantine(tx, source, [...newest.keys()]))
    ) {
      await resolveQuarantine(
        tx,
        source,
        receivedAt,
        {
          recordIds: [...newest.keys()],
          rowIds: [...newest.values()].map((n) => n.rowId),
          seqs: [...newest.values()].map((n) => n.row.seq),
        },
        { hashes: bad.map((r) => r.contentHash), seqs: bad.map((r) => r.seq) },
      );
    }
    if (changed.length && deps.afterRecordsChanged) await deps.afterRecordsChanged(tx, changed);
    return fates;
  });
  return rows.map((r, i) => {
    const s = fates[i]!.status;
    return {
      line: r.line,
      recordId: r.recordId,
      status: s === 'quarantined_again' ? 'quarantined' : s,
      inScope: r.inScope,
      reasons: r.reasons ? (JSON.parse(r.reasons) as FieldReason[]) : [],
    };
  });
}

export function countOutcomes(outcomes: readonly RowOutcome[]): IngestCounts {
  const c = emptyCounts();
  for (const o of outcomes) {
    c.rows++;
    if (o.status === 'quarantined') c.quarantined++;
    else if (o.status === 'unchanged') c.unchanged++;
    else if (o.inScope === false) c.out_of_scope++;
    else c[o.status]++;
  }
  return c;
}

export interface IngestRowsOptions {
  source: Source;
  batchId: number;
  rows: AsyncIterable<IncomingRow> | Iterable<IncomingRow>;
  /** Rows per transaction (default 10,000). */
  chunkSize?: number;
  /** Called after each committed chunk with the number of rows in it (progress). */
  onChunk?: (rows: number) => void;
  /** Keep every row's outcome (HTTP answers); otherwise only counts are kept. */
  keepOutcomes?: boolean;
}

/** Checks and maps rows as they come, `chunkSize` at a time; `seq` counts rows from 1 over the batch. */
export async function* prepareChunks(
  source: Source,
  rows: AsyncIterable<IncomingRow> | Iterable<IncomingRow>,
  chunkSize: number,
): AsyncGenerator<PreparedRowText[]> {
  let chunk: PreparedRowText[] = [];
  let seq = 0;
  for await (const row of rows) {
    chunk.push(prepareRow(source, ++seq, row));
    if (chunk.length >= chunkSize) {
      yield chunk;
      chunk = [];
    }
  }
  if (chunk.length) yield chunk;
}

/** Stores a batch's rows chunk by chunk; returns the counts (and outcomes when asked). */
export async function ingestRows(
  deps: StoreChunkDeps,
  options: IngestRowsOptions,
): Promise<{ counts: IngestCounts; outcomes: RowOutcome[] }> {
  return ingestChunks(deps, {
    ...options,
    chunks: prepareChunks(options.source, options.rows, options.chunkSize ?? 10_000),
  });
}

export interface IngestChunksOptions extends Omit<IngestRowsOptions, 'rows' | 'chunkSize'> {
  /** The batch's rows, checked and mapped (`prepareChunks`, or a reading thread), one chunk per transaction. */
  chunks: AsyncIterable<PreparedRow[]>;
}

/** Stores chunks of prepared rows, each in its own transaction, in order. */
export async function ingestChunks(
  deps: StoreChunkDeps,
  options: IngestChunksOptions,
): Promise<{ counts: IngestCounts; outcomes: RowOutcome[] }> {
  let counts = emptyCounts();
  const outcomes: RowOutcome[] = [];
  // While one chunk is being stored, the next is read and mapped; chunks still commit in order.
  let storing: Promise<void> | null = null;
  let failed: unknown = null;
  const flush = async (rows: PreparedRow[]) => {
    if (storing) await storing;
    if (failed) throw failed;
    storing = storeChunk(deps, options.source, options.batchId, rows).then(
      (done) => {
        counts = addCounts(counts, countOutcomes(done));
        if (options.keepOutcomes) outcomes.push(...done);
        options.onChunk?.(rows.length);
      },
      (e: unknown) => {
        failed = e;
      },
    );
  };
  try {
    for await (const chunk of options.chunks) await flush(chunk);
  } finally {
    // A file that turns out unreadable half-way keeps the chunks already read.
    if (storing) await storing;
  }
  if (failed) throw failed;
  return { counts, outcomes };
}

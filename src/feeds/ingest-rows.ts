// Stores a stream of rows from one batch (a file or an HTTP request): each chunk is checked and
// mapped in Node, copied into a stage table and merged in one transaction, so a process killed at
// any moment loses at most the chunk in flight and running the same input again converges.
import crypto from 'node:crypto';
import type { Db, Queryable } from '../db/index.ts';
import type { Clock } from '../shared/clock.ts';
import {
  STAGE_COLUMNS,
  classifyStage,
  createStage,
  indexStage,
  insertSourceRows,
  quarantineAndResolve,
  stageStatuses,
  upsertRecords,
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
  return crypto.createHash('sha1').update(JSON.stringify(values)).digest('base64');
}

function canonicalCell(rec: CanonicalRecord | null, col: (typeof CANONICAL_COLUMNS)[number]): string | null {
  if (!rec) return null;
  const v = rec[col];
  if (v === null || v === undefined) return null;
  if (typeof v === 'boolean') return v ? 't' : 'f';
  if (typeof v === 'object') return JSON.stringify(v);
  return v === '' ? null : String(v);
}

interface PreparedRow {
  cells: (string | null)[];
  outcome: RowOutcome;
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

export function prepareRow(source: Source, seq: number, incoming: IncomingRow): PreparedRow {
  const { row, reasons: nulReasons } = withoutNul(incoming);
  const mapped = mapRow(source, row.fields);
  const reasons = [...(row.readProblems ?? []), ...nulReasons, ...(mapped.ok ? [] : mapped.reasons)];
  const ok = reasons.length === 0 && mapped.ok;
  const record = ok && mapped.ok ? mapped.record : null;
  const recordId = (row.fields[idColumn(source)] ?? '').trim() || null;
  const hash = row.readProblems?.length
    ? crypto.createHash('sha1').update(row.rawText).digest('base64')
    : contentHash(source, row.fields);
  const cells: (string | null)[] = [
    String(seq),
    String(row.line),
    recordId,
    hash,
    ok ? 't' : 'f',
    JSON.stringify(row.fields),
    row.rawText,
    ok ? null : JSON.stringify(reasons),
    ...CANONICAL_COLUMNS.map((c) => canonicalCell(record, c)),
  ];
  return {
    cells,
    outcome: {
      line: row.line,
      recordId,
      status: ok ? 'new' : 'quarantined',
      inScope: record?.in_scope ?? null,
      reasons,
    },
  };
}

export interface StoreChunkDeps {
  db: Db;
  clock: Clock;
  afterRecordsChanged?: AfterRecordsChanged;
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
  const statuses = await deps.db.transaction(async (tx) => {
    await createStage(tx);
    await tx.copyRows(
      'feed_stage',
      STAGE_COLUMNS,
      rows.map((r) => r.cells),
    );
    await indexStage(tx);
    await classifyStage(tx, source);
    await insertSourceRows(tx, source, batchId, receivedAt);
    const changed = await upsertRecords(tx, source, receivedAt);
    await quarantineAndResolve(tx, source, batchId, receivedAt);
    const st = await stageStatuses(tx);
    if (changed.length && deps.afterRecordsChanged) await deps.afterRecordsChanged(tx, changed);
    return st;
  });
  const first = Number(rows[0]!.cells[0]);
  return statuses.map((s) => {
    const o = rows[Number(s.seq) - first]!.outcome;
    const status: RowStatus = s.status === 'quarantined_again' ? 'quarantined' : (s.status as RowStatus);
    return { ...o, status };
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

/** Stores a batch's rows chunk by chunk; returns the counts (and outcomes when asked). */
export async function ingestRows(
  deps: StoreChunkDeps,
  options: IngestRowsOptions,
): Promise<{ counts: IngestCounts; outcomes: RowOutcome[] }> {
  const chunkSize = options.chunkSize ?? 10_000;
  let counts = emptyCounts();
  const outcomes: RowOutcome[] = [];
  let chunk: PreparedRow[] = [];
  let seq = 0;
  // While one chunk is being stored, the next is read and mapped; chunks still commit in order.
  let storing: Promise<void> | null = null;
  let failed: unknown = null;
  const flush = async () => {
    const rows = chunk;
    chunk = [];
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
    for await (const row of options.rows) {
      chunk.push(prepareRow(options.source, ++seq, row));
      if (chunk.length >= chunkSize) await flush();
    }
    if (chunk.length) await flush();
  } finally {
    // A file that turns out unreadable half-way keeps the chunks already read.
    if (storing) await storing;
  }
  if (failed) throw failed;
  return { counts, outcomes };
}

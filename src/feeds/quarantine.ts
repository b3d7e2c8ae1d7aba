// Reading the quarantine: rows that could not be read, with the reason, the file and the line.
import type { Queryable } from '../db/index.ts';
import { BridgeError } from '../shared/errors.ts';

export interface QuarantineEntry {
  id: number;
  source: string;
  record_id: string | null;
  file: string;
  line: number;
  reasons: { field: string; reason: string }[];
  received_at: string;
  status: 'open' | 'resolved';
  resolved_by_row_id: number | null;
}

export interface QuarantineDetail extends QuarantineEntry {
  raw_text: string;
  fields: Record<string, string> | null;
}

const SELECT = `SELECT q.id, q.source, q.record_id, b.origin AS file, q.line, q.reasons,
  to_char(q.received_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"') AS received_at,
  CASE WHEN q.resolved_by_row_id IS NULL THEN 'open' ELSE 'resolved' END AS status, q.resolved_by_row_id`;

export async function listQuarantine(
  db: Queryable,
  filter: { source?: string; includeResolved?: boolean } = {},
): Promise<QuarantineEntry[]> {
  return db.query<QuarantineEntry>(
    `${SELECT} FROM quarantine q JOIN feed_batch b ON b.id = q.batch_id
     WHERE ($1::text IS NULL OR q.source = $1) AND ($2 OR q.resolved_by_row_id IS NULL)
     ORDER BY q.id`,
    [filter.source ?? null, filter.includeResolved ?? false],
  );
}

export async function showQuarantine(db: Queryable, id: number): Promise<QuarantineDetail> {
  const [row] = await db.query<QuarantineDetail>(
    `${SELECT}, q.raw_text, q.fields FROM quarantine q JOIN feed_batch b ON b.id = q.batch_id WHERE q.id = $1`,
    [id],
  );
  if (!row) throw new BridgeError('NOT_FOUND', `no quarantined row with id ${id}`);
  return row;
}

// Read model of the feeds for people: what each source last sent, how much per day, and what was
// quarantined. Reads only; paginated on the server.
import type { Queryable } from '../db/index.ts';

export const SOURCES = ['cbp', 'ice', 'orr', 'opla', 'eoir'] as const;

export interface SourceStatus {
  source: string;
  last_received_at: Date | null;
  versions: number;
  current_records: number;
  open_quarantine: number;
}

export async function sourceStatus(db: Queryable): Promise<SourceStatus[]> {
  return db.query<SourceStatus>(
    `SELECT s.source,
            (SELECT max(received_at) FROM source_row r WHERE r.source = s.source) AS last_received_at,
            (SELECT count(*)::int FROM source_row r WHERE r.source = s.source) AS versions,
            (SELECT count(*)::int FROM record c WHERE c.source = s.source) AS current_records,
            (SELECT count(*)::int FROM quarantine q WHERE q.source = s.source AND q.resolved_by_row_id IS NULL) AS open_quarantine
     FROM unnest($1::text[]) AS s(source)`,
    [SOURCES],
  );
}

export interface DailyRows {
  day: string;
  source: string;
  rows: number;
}

/** Row versions received per day and source over the last `days` days up to `until`. */
export async function rowsPerDay(db: Queryable, until: Date, days: number): Promise<DailyRows[]> {
  return db.query<DailyRows>(
    `SELECT (received_at AT TIME ZONE 'UTC')::date AS day, source, count(*)::int AS rows
     FROM source_row
     WHERE received_at > $1::timestamptz - make_interval(days => $2::int) AND received_at <= $1::timestamptz
     GROUP BY 1, 2
     ORDER BY 1 DESC, 2`,
    [until.toISOString(), days],
  );
}

export interface QuarantinedRow {
  id: number;
  source: string;
  record_id: string | null;
  origin: string;
  line: number;
  reasons: { field?: string; reason: string }[];
  received_at: Date;
}

export async function openQuarantine(
  db: Queryable,
  filter: { source?: string; limit: number; offset: number },
): Promise<{ rows: QuarantinedRow[]; total: number }> {
  const where = `q.resolved_by_row_id IS NULL AND ($1::text IS NULL OR q.source = $1)`;
  const rows = await db.query<QuarantinedRow>(
    `SELECT q.id, q.source, q.record_id, b.origin, q.line, q.reasons, q.received_at
     FROM quarantine q JOIN feed_batch b ON b.id = q.batch_id
     WHERE ${where}
     ORDER BY q.received_at DESC, q.id DESC
     LIMIT $2 OFFSET $3`,
    [filter.source ?? null, filter.limit, filter.offset],
  );
  const [c] = await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM quarantine q WHERE ${where}`, [
    filter.source ?? null,
  ]);
  return { rows, total: c?.n ?? 0 };
}

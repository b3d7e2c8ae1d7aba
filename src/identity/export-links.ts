// `export links`: one row per in-scope linked record, `source,record_id,child_id`
// (oversight-report.md), written page by page so millions of rows never sit in memory at once.
import { stringify } from 'csv-stringify/sync';
import type { Queryable } from '../db/index.ts';

export async function exportLinks(
  db: Queryable,
  write: (chunk: string) => void,
  pageSize = 100_000,
  /** Told the child ids of each page written (the export's audit entry names them all). */
  onChildren?: (childIds: string[]) => void,
): Promise<number> {
  write('source,record_id,child_id\n');
  let after = 0;
  let n = 0;
  for (;;) {
    const rows = await db.query<{ pk: number; source: string; record_id: string; child_id: string }>(
      `SELECT l.record_pk AS pk, r.source, r.record_id, l.child_id
         FROM record_link l JOIN record r ON r.id = l.record_pk
        WHERE r.in_scope AND l.record_pk > $1 ORDER BY l.record_pk LIMIT $2`,
      [after, pageSize],
    );
    if (!rows.length) break;
    write(stringify(rows.map((r) => [r.source, r.record_id, r.child_id])));
    onChildren?.(rows.map((r) => r.child_id));
    n += rows.length;
    after = Number(rows[rows.length - 1]!.pk);
    if (rows.length < pageSize) break;
  }
  return n;
}

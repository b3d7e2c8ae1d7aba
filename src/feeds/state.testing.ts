// The stored state of the feeds tables that must not depend on how rows were delivered (which file
// first, how often, killed or not): what each test of idempotence compares.
import type { Queryable } from '../db/index.ts';
import { storedRowFields, type StoredRowText } from './read-feed-file.ts';
import { CANONICAL_COLUMNS } from './sources.ts';

export async function feedState(db: Queryable): Promise<Record<string, unknown[]>> {
  return {
    // A file's rows keep their fields in their raw text: compared as read back.
    source_rows: (
      await db.query<StoredRowText>(
        `SELECT s.source, s.record_id, s.version, s.content_hash, s.fields, s.raw_text, b.header
         FROM source_row s JOIN feed_batch b ON b.id = s.batch_id ORDER BY s.source, s.record_id, s.version`,
      )
    ).map((r) => {
      const { raw_text: _raw, header: _header, ...rest } = r;
      return { ...rest, fields: storedRowFields(r) };
    }),
    records: await db.query(
      `SELECT r.source, r.record_id, s.version, ${CANONICAL_COLUMNS.map((c) => `r.${c}`).join(', ')}
       FROM record r JOIN source_row s ON s.id = r.row_id ORDER BY r.source, r.record_id`,
    ),
    quarantine: await db.query(
      `SELECT source, record_id, content_hash, reasons, raw_text, resolved_by_row_id IS NULL AS open
       FROM quarantine ORDER BY source, content_hash`,
    ),
  };
}

export async function resetFeeds(db: Queryable): Promise<void> {
  await db.query('TRUNCATE record, quarantine, source_row, feed_batch RESTART IDENTITY CASCADE');
}

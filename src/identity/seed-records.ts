// Writes canonical records straight into `record` (with the raw rows it refers to) for tests and
// the link benchmark, bypassing feed parsing. Only synthetic people.
import type { Queryable } from '../db/index.ts';
import type { LinkInput } from './record-table.ts';

export async function seedRecords(
  db: Queryable,
  records: readonly Omit<LinkInput, 'pk'>[],
  inScope = true,
): Promise<number[]> {
  if (!records.length) return [];
  const [batch] = await db.query<{ id: number }>(
    `INSERT INTO feed_batch (source, kind, origin) VALUES ('cbp', 'file', 'seed') RETURNING id`,
  );
  const batchId = String(batch!.id);
  const [first] = await db.query<{ id: number }>('SELECT coalesce(max(id), 0) + 1 AS id FROM source_row');
  const start = Number(first!.id);
  await db.copyRows(
    'source_row',
    ['id', 'source', 'record_id', 'version', 'content_hash', 'fields', 'raw_text', 'batch_id', 'line'],
    records.map((r, k) => [
      String(start + k),
      r.source,
      r.recordId,
      '1',
      `h${start + k}`,
      '{}',
      '',
      batchId,
      String(k + 2),
    ]),
  );
  await db.query(`SELECT setval('source_row_id_seq', $1)`, [start + records.length]);
  const [firstRec] = await db.query<{ id: number }>('SELECT coalesce(max(id), 0) + 1 AS id FROM record');
  const recStart = Number(firstRec!.id);
  const name = (r: Omit<LinkInput, 'pk'>) => [r.given, r.surname1, r.surname2].filter(Boolean).join(' ');
  await db.copyRows(
    'record',
    [
      'id',
      'source',
      'record_id',
      'row_id',
      'in_scope',
      'own_date',
      'event_type',
      'a_number',
      'orr_uc_id',
      'idncase',
      'name_as_sent',
      'given_names',
      'surname1',
      'surname2',
      'dob',
      'sex',
      'country',
      'received_at',
    ],
    records.map((r, k) => [
      String(recStart + k),
      r.source,
      r.recordId,
      String(start + k),
      inScope ? 't' : 'f',
      r.ownDate,
      r.eventType,
      r.aNumber,
      r.orrId,
      r.idncase,
      name(r),
      r.given,
      r.surname1,
      r.surname2,
      r.dob,
      r.sex,
      r.country,
      '2024-01-01T00:00:00Z',
    ]),
  );
  await db.query(`SELECT setval('record_id_seq', $1)`, [recStart + records.length]);
  return records.map((_, k) => recStart + k);
}

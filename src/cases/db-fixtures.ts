// Loads children and their records straight into `record`, `child` and `record_link` (with the
// source rows they point to), for database tests and benchmarks that must not wait for the feeds.
import type { Queryable } from '../db/index.ts';
import type { CaseRecord } from './case-record.ts';
import { refreshReportFacts } from '../reports/refresh-report-facts.ts';

export interface FixtureChild {
  childId: string;
  records: CaseRecord[];
}

const s = (v: string | null | undefined) => (v === undefined ? null : v);

/** Inserts the children and records; returns each fixture record's database id, in order. */
export async function loadFixtureChildren(
  db: Queryable,
  children: readonly FixtureChild[],
): Promise<number[][]> {
  const [batch] = await db.query<{ id: number }>(
    `INSERT INTO feed_batch (source, kind, origin) VALUES ('orr', 'file', 'fixture') RETURNING id`,
  );
  const [{ m }] = (await db.query<{ m: number }>(
    `SELECT greatest((SELECT coalesce(max(id), 0) FROM record), (SELECT coalesce(max(id), 0) FROM source_row))::bigint AS m`,
  )) as [{ m: number }];
  let next = Number(m) + 1;
  const ids: number[][] = [];
  const rows: { id: number; childId: string; r: CaseRecord }[] = [];
  for (const c of children) {
    const mine: number[] = [];
    for (const r of c.records) {
      mine.push(next);
      rows.push({ id: next++, childId: c.childId, r });
    }
    ids.push(mine);
  }
  const existing = new Set(
    (
      await db.query<{ id: string }>(`SELECT id FROM child WHERE id = ANY($1::text[])`, [
        children.map((c) => c.childId),
      ])
    ).map((x) => x.id),
  );
  await db.copyRows(
    'child',
    ['id'],
    [...new Set(children.map((c) => c.childId))].filter((id) => !existing.has(id)).map((id) => [id]),
  );
  const batchId = String(batch!.id);
  await db.copyRows(
    'source_row',
    ['id', 'source', 'record_id', 'version', 'content_hash', 'fields', 'raw_text', 'batch_id', 'line'],
    rows.map(({ id, r }) => [String(id), r.source, `R${id}`, '1', `h${id}`, '{}', '', batchId, String(id)]),
  );
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
      'name_as_sent',
      'dob',
      'idncase',
      'book_in_at',
      'transfer_at',
      'orr_facility',
      'sponsor_id',
      'sponsor_category',
      'call_outcome',
      'discharge_reason',
      'issued_date',
      'served_date',
      'service_method',
      'filed_date',
      'court_code',
      'hearing_at',
      'hearing_type',
      'attendance',
      'in_absentia',
      'completion',
      'address_as_sent',
      'addr_line',
      'addr_unit',
      'addr_city',
      'addr_state',
      'addr_zip5',
      'received_at',
    ],
    rows.map(({ id, r }) => {
      const a = r.address;
      return [
        String(id),
        r.source,
        `R${id}`,
        String(id),
        't',
        r.ownDate,
        r.eventType,
        'SYNTHETIC CHILD',
        s(r.dob),
        s(r.idncase),
        s(r.bookInAt),
        s(r.transferAt),
        s(r.orrFacility),
        s(r.sponsorId),
        s(r.sponsorCategory),
        s(r.callOutcome),
        s(r.dischargeReason),
        s(r.issuedDate),
        s(r.servedDate),
        s(r.serviceMethod),
        s(r.filedDate),
        s(r.courtCode),
        s(r.hearingAt),
        s(r.hearingType),
        s(r.attendance),
        r.inAbsentia === null ? null : r.inAbsentia ? 't' : 'f',
        s(r.completion),
        a
          ? JSON.stringify({
              street: a.line ?? '',
              unit: a.unit ?? '',
              city: a.city ?? '',
              state: a.state ?? '',
              zip: a.zipAsSent ?? a.zip5 ?? '',
            })
          : null,
        a ? s(a.line) : null,
        a ? s(a.unit) : null,
        a ? s(a.city) : null,
        a ? s(a.state) : null,
        a ? s(a.zip5) : null,
        '2024-01-01T00:00:00Z',
      ];
    }),
  );
  await db.copyRows(
    'record_link',
    ['record_pk', 'child_id', 'method'],
    rows.map(({ id, childId }) => [String(id), childId, 'manual']),
  );
  await db.query(`SELECT setval(pg_get_serial_sequence('record', 'id'), $1)`, [next]);
  await db.query(`SELECT setval(pg_get_serial_sequence('source_row', 'id'), $1)`, [next]);
  // The report's facts, as the projections pipeline would leave them after an ingest.
  await refreshReportFacts(db, {
    childIds: children.map((c) => c.childId),
    recordIds: rows.map((r) => r.id),
  });
  return ids;
}

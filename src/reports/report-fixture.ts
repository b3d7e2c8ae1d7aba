// Test support: canonical records and their links inserted directly, so each report definition can
// be checked on a handful of hand-made children without the feeds or identity modules.
import { refreshReportFacts } from './refresh-report-facts.ts';
import type { Queryable } from '../db/index.ts';

export interface FixtureAddress {
  /** Normalized street line (what feeds stores in addr_line). */
  line?: string | null;
  unit?: string | null;
  city?: string | null;
  state?: string | null;
  /** ZIP as sent; addr_zip5 is its first five characters. */
  zip?: string | null;
}

export interface FixtureRow {
  source: 'cbp' | 'ice' | 'orr' | 'opla' | 'eoir';
  event_type: string;
  own_date: string;
  in_scope?: boolean;
  country?: string;
  served_date?: string;
  filed_date?: string;
  hearing_at?: string;
  attendance?: 'PRESENT' | 'ABSENT';
  in_absentia?: boolean;
  idncase?: string;
  address?: FixtureAddress;
}

const COLUMNS = [
  'source', 'record_id', 'row_id', 'in_scope', 'own_date', 'event_type', 'name_as_sent', 'country',
  'served_date', 'filed_date', 'hearing_at', 'attendance', 'in_absentia', 'idncase', 'address_as_sent',
  'addr_line', 'addr_unit', 'addr_city', 'addr_state', 'addr_zip5', 'received_at',
] as const; // prettier-ignore

export class ReportFixture {
  private rows: { child: string | null; row: FixtureRow; recordId: string }[] = [];
  private n = 0;

  /** `firstId`: where record ids start, so that a second fixture can add to the first. */
  constructor(firstId = 0) {
    this.n = firstId;
  }

  /** Adds a source row linked to `child` (null: an unlinked row, like a CBP `N` row). */
  add(child: string | null, ...rows: FixtureRow[]): this {
    for (const row of rows) this.rows.push({ child, row, recordId: `${row.source}-${++this.n}` });
    return this;
  }

  /** The record id given to the i-th row added (1-based), for drill-down checks. */
  recordId(i: number): string {
    return this.rows[i - 1]!.recordId;
  }

  /** Inserts the rows and links; then refreshes the report's facts for everything, unless told not to. */
  async insert(db: Queryable, options: { refresh?: boolean } = {}): Promise<number[]> {
    const inserted: number[] = [];
    const [batch] = await db.query<{ id: number }>(
      `INSERT INTO feed_batch (source, kind, origin) VALUES ('orr', 'file', 'fixture') RETURNING id`,
    );
    const children = [...new Set(this.rows.map((r) => r.child).filter((c): c is string => c !== null))];
    for (const c of children)
      await db.query(`INSERT INTO child (id) VALUES ($1) ON CONFLICT DO NOTHING`, [c]);
    let line = 0;
    for (const { child, row, recordId } of this.rows) {
      const [sr] = await db.query<{ id: number }>(
        `INSERT INTO source_row (source, record_id, version, content_hash, fields, raw_text, batch_id, line)
         VALUES ($1, $2, 1, $2, '{}', '', $3, $4) RETURNING id`,
        [row.source, recordId, batch!.id, ++line],
      );
      const a = row.address;
      const values = [
        row.source,
        recordId,
        sr!.id,
        row.in_scope ?? true,
        row.own_date,
        row.event_type,
        'TEST CHILD',
        row.country ?? 'GTM',
        row.served_date ?? null,
        row.filed_date ?? null,
        row.hearing_at ?? null,
        row.attendance ?? null,
        row.in_absentia ?? null,
        row.idncase ?? null,
        a && Object.values(a).some((v) => v) ? JSON.stringify({ street: a.line ?? '', unit: a.unit ?? '', city: a.city ?? '', state: a.state ?? '', zip: a.zip ?? '' }) : null,
        a ? (a.line ?? null) : null,
        a ? (a.unit ?? null) : null,
        a ? (a.city ?? null) : null,
        a ? (a.state ?? null) : null,
        a?.zip ? a.zip.slice(0, 5) : null,
        '2024-01-01T00:00:00Z',
      ]; // prettier-ignore
      const [rec] = await db.query<{ id: number }>(
        `INSERT INTO record (${COLUMNS.join(', ')}) VALUES (${COLUMNS.map((_, i) => `$${i + 1}`).join(', ')}) RETURNING id`,
        values,
      );
      inserted.push(Number(rec!.id));
      if (child !== null) {
        await db.query(`INSERT INTO record_link (record_pk, child_id, method) VALUES ($1, $2, 'manual')`, [
          rec!.id,
          child,
        ]);
      }
    }
    if (options.refresh !== false) await refreshReportFacts(db, 'all');
    return inserted;
  }
}

// Shorthands for the rows the definitions talk about.
export const transfer = (date: string, extra: Partial<FixtureRow> = {}): FixtureRow => ({
  source: 'ice',
  event_type: 'TRANSFER',
  own_date: date,
  ...extra,
});
export const admission = (date: string): FixtureRow => ({
  source: 'orr',
  event_type: 'ADMISSION',
  own_date: date,
});
export const release = (date: string, address: FixtureAddress = HOUSTON): FixtureRow => ({
  source: 'orr',
  event_type: 'RELEASE',
  own_date: date,
  address,
});
export const addressUpdate = (date: string, address: FixtureAddress): FixtureRow => ({
  source: 'orr',
  event_type: 'ADDRESS_UPDATE',
  own_date: date,
  address,
});
export const nta = (issued: string, extra: Partial<FixtureRow> = {}): FixtureRow => ({
  source: 'opla',
  event_type: 'NTA',
  own_date: issued,
  ...extra,
});
export const eoir = (event_type: string, date: string, extra: Partial<FixtureRow> = {}): FixtureRow => ({
  source: 'eoir',
  event_type,
  own_date: date,
  ...extra,
});

export const HOUSTON: FixtureAddress = {
  line: '100 MAIN ST',
  unit: null,
  city: 'HOUSTON',
  state: 'TX',
  zip: '77002',
};

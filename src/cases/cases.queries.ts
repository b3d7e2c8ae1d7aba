// SQL of the cases module: a child's linked records, read in child order for sweeps.
import type { Queryable } from '../db/index.ts';
import type { CaseRecord, Source } from './case-record.ts';
import type { Address } from '../addresses/quality.ts';

const TS = `'YYYY-MM-DD"T"HH24:MI:SS'`;

const RECORD_COLUMNS = `l.child_id, r.id, r.source, r.record_id, r.own_date, r.event_type, r.dob, r.idncase,
  to_char(r.book_in_at, ${TS}) AS book_in_at, to_char(r.transfer_at, ${TS}) AS transfer_at, r.orr_facility,
  r.sponsor_id, r.sponsor_category, r.call_outcome, r.discharge_reason, r.issued_date, r.served_date,
  r.service_method, r.filed_date, r.court_code, to_char(r.hearing_at, ${TS}) AS hearing_at, r.hearing_type,
  r.attendance, r.in_absentia, r.completion, r.addr_line, r.addr_unit, r.addr_city, r.addr_state, r.addr_zip5,
  r.address_as_sent->>'zip' AS zip_as_sent`;

interface RecordRow {
  child_id: string;
  id: number;
  source: Source;
  record_id: string;
  own_date: string;
  event_type: string;
  dob: string | null;
  idncase: string | null;
  book_in_at: string | null;
  transfer_at: string | null;
  orr_facility: string | null;
  sponsor_id: string | null;
  sponsor_category: string | null;
  call_outcome: string | null;
  discharge_reason: string | null;
  issued_date: string | null;
  served_date: string | null;
  service_method: string | null;
  filed_date: string | null;
  court_code: string | null;
  hearing_at: string | null;
  hearing_type: string | null;
  attendance: string | null;
  in_absentia: boolean | null;
  completion: string | null;
  addr_line: string | null;
  addr_unit: string | null;
  addr_city: string | null;
  addr_state: string | null;
  addr_zip5: string | null;
  zip_as_sent: string | null;
}

const blank = (s: string | null) => s === null || s.trim() === '';

function toRecord(r: RecordRow): CaseRecord {
  const address: Address | null =
    blank(r.addr_line) &&
    blank(r.addr_unit) &&
    blank(r.addr_city) &&
    blank(r.addr_state) &&
    blank(r.addr_zip5) &&
    blank(r.zip_as_sent)
      ? null
      : {
          line: r.addr_line,
          unit: r.addr_unit,
          city: r.addr_city,
          state: r.addr_state,
          zip5: r.addr_zip5,
          zipAsSent: r.zip_as_sent,
        };
  return {
    pk: Number(r.id),
    source: r.source,
    recordId: r.record_id,
    ownDate: r.own_date,
    eventType: r.event_type,
    dob: r.dob,
    idncase: r.idncase,
    bookInAt: r.book_in_at,
    transferAt: r.transfer_at,
    orrFacility: r.orr_facility,
    sponsorId: r.sponsor_id,
    sponsorCategory: r.sponsor_category,
    callOutcome: r.call_outcome,
    dischargeReason: r.discharge_reason,
    issuedDate: r.issued_date,
    servedDate: r.served_date,
    serviceMethod: r.service_method,
    filedDate: r.filed_date,
    courtCode: r.court_code,
    hearingAt: r.hearing_at,
    hearingType: r.hearing_type,
    attendance: r.attendance,
    inAbsentia: r.in_absentia,
    completion: r.completion,
    address,
  };
}

function group(rows: RecordRow[]): Map<string, CaseRecord[]> {
  const m = new Map<string, CaseRecord[]>();
  for (const row of rows) {
    let list = m.get(row.child_id);
    if (!list) m.set(row.child_id, (list = []));
    list.push(toRecord(row));
  }
  return m;
}

/** In-scope records of the given children, grouped by child. */
export async function recordsOfChildren(
  db: Queryable,
  childIds: readonly string[],
): Promise<Map<string, CaseRecord[]>> {
  if (childIds.length === 0) return new Map();
  const rows = await db.query<RecordRow>(
    `SELECT ${RECORD_COLUMNS} FROM record_link l JOIN record r ON r.id = l.record_pk
      WHERE l.child_id = ANY($1::text[]) AND r.in_scope`,
    [childIds],
  );
  return group(rows);
}

/** In-scope records of the children whose ids fall in [first, last], grouped by child (sweeps). */
export async function recordsOfChildRange(
  db: Queryable,
  first: string,
  last: string,
): Promise<Map<string, CaseRecord[]>> {
  const rows = await db.query<RecordRow>(
    `SELECT ${RECORD_COLUMNS} FROM record_link l JOIN record r ON r.id = l.record_pk
      WHERE l.child_id >= $1 AND l.child_id <= $2 AND r.in_scope`,
    [first, last],
  );
  return group(rows);
}

export interface ChildRow {
  id: string;
  merged_into: string | null;
  retired_at: unknown;
}

export async function findChild(db: Queryable, childId: string): Promise<ChildRow | undefined> {
  const [row] = await db.query<ChildRow>(`SELECT id, merged_into, retired_at FROM child WHERE id = $1`, [
    childId,
  ]);
  return row;
}

/** Source rows behind records, for showing where each fact came from. */
export async function sourceRowsOf(
  db: Queryable,
  recordPks: readonly number[],
): Promise<Map<number, { row_id: number; received_at: string; batch_id: number; line: number }>> {
  if (recordPks.length === 0) return new Map();
  const rows = await db.query<{
    id: number;
    row_id: number;
    received_at: Date | string;
    batch_id: number;
    line: number;
  }>(
    `SELECT r.id, r.row_id, r.received_at, s.batch_id, s.line
       FROM record r JOIN source_row s ON s.id = r.row_id WHERE r.id = ANY($1::bigint[])`,
    [recordPks],
  );
  return new Map(
    rows.map((r) => [
      Number(r.id),
      {
        row_id: Number(r.row_id),
        received_at: r.received_at instanceof Date ? r.received_at.toISOString() : String(r.received_at),
        batch_id: Number(r.batch_id),
        line: Number(r.line),
      },
    ]),
  );
}

// SQL of the cases module: a child's linked records, read in child order for sweeps.
import type { Queryable } from '../db/index.ts';
import type { CaseRecord, Source } from './case-record.ts';
import type { Address } from '../addresses/quality.ts';

const TS = `'YYYY-MM-DD"T"HH24:MI:SS'`;

const RECORD_FIELDS = `r.id, r.source, r.record_id, r.own_date, r.event_type, r.dob, r.idncase,
  to_char(r.book_in_at, ${TS}) AS book_in_at, to_char(r.transfer_at, ${TS}) AS transfer_at, r.orr_facility,
  r.sponsor_id, r.sponsor_category, r.call_outcome, r.discharge_reason, r.issued_date, r.served_date,
  r.service_method, r.filed_date, r.court_code, to_char(r.hearing_at, ${TS}) AS hearing_at, r.hearing_type,
  r.attendance, r.in_absentia, r.completion, r.addr_line, r.addr_unit, r.addr_city, r.addr_state, r.addr_zip5,
  r.address_as_sent->>'zip' AS zip_as_sent`;

const RECORD_COLUMNS = `l.child_id, ${RECORD_FIELDS}`;

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

/** Rows by child; a row without a record (a left join's) leaves its child with an empty list. */
function group(rows: RecordRow[]): Map<string, CaseRecord[]> {
  const m = new Map<string, CaseRecord[]>();
  for (const row of rows) {
    let list = m.get(row.child_id);
    if (!list) m.set(row.child_id, (list = []));
    if (row.id !== null) list.push(toRecord(row));
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
    // Ids as a joined list, not `= ANY(…)`: the planner then reads each child through its index
    // instead of scanning every record once the list is long.
    `SELECT ${RECORD_COLUMNS}
       FROM (SELECT DISTINCT unnest($1::text[]) AS child_id) c
       JOIN record_link l ON l.child_id = c.child_id JOIN record r ON r.id = l.record_pk
      WHERE r.in_scope`,
    [childIds],
  );
  return group(rows);
}

/**
 * Every active child (not merged away, not retired) with its in-scope records, in child id order,
 * in batches of whole children (a child's records never straddle two batches; a child without
 * records comes with an empty list). Reads through one cursor in the transaction `tx` holds, so a
 * sweep reads the records in one ordered pass. The next batch is fetched while the caller works on
 * the current one; queries on one connection run in turn, so `beforeNextFetch` lets the caller queue
 * its own reads for a batch ahead of that fetch.
 */
export async function* activeChildrenWithRecords(
  tx: Queryable,
  rowsPerFetch: number,
  beforeNextFetch?: (childIds: string[]) => void,
): AsyncGenerator<{ childIds: string[]; records: Map<string, CaseRecord[]> }> {
  await tx.query(
    `DECLARE child_records NO SCROLL CURSOR FOR
     SELECT c.id AS child_id, ${RECORD_FIELDS}
       FROM child c
       LEFT JOIN (record_link l JOIN record r ON r.id = l.record_pk AND r.in_scope) ON l.child_id = c.id
      WHERE c.merged_into IS NULL AND c.retired_at IS NULL
      ORDER BY c.id`,
  );
  const fetch = (): Promise<RecordRow[]> => {
    const p = tx.query<RecordRow>(`FETCH ${Number(rowsPerFetch)} FROM child_records`);
    p.catch(() => {}); // awaited below; this only keeps an early failure from going unhandled
    return p;
  };
  try {
    let next: Promise<RecordRow[]> | null = fetch();
    let carried: RecordRow[] = [];
    while (next) {
      const rows: RecordRow[] = await next;
      const done = rows.length < rowsPerFetch;
      const all = carried.length > 0 ? carried.concat(rows) : rows;
      // Until the cursor is drained, the last child may have more rows in the next fetch: keep it back.
      let cut = all.length;
      if (!done) {
        const last = all[all.length - 1]!.child_id;
        while (cut > 0 && all[cut - 1]!.child_id === last) cut--;
      }
      carried = all.slice(cut);
      const records = cut > 0 ? group(cut === all.length ? all : all.slice(0, cut)) : null;
      const childIds = records ? [...records.keys()] : [];
      if (records) beforeNextFetch?.(childIds);
      next = done ? null : fetch();
      if (records) yield { childIds, records };
    }
  } finally {
    await tx.query(`CLOSE child_records`).catch(() => {});
  }
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

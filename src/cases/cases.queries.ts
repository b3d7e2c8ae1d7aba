// SQL of the cases module: a child's linked records, read in child order for sweeps.
import { perTurnLoader } from '../shared/coalesce.ts';
import { literal, textArray, type Queryable } from '../db/index.ts';
import type { CaseRecord, Source } from './case-record.ts';
import type { Address } from '../addresses/quality.ts';
import { streetHasUnitsSql } from '../addresses/addresses.queries.ts';

const TS = `'YYYY-MM-DD"T"HH24:MI:SS'`;

// A child's newest record of some kind comes first in this order (record alias r), ties broken by
// source as the case state breaks them (case-state.ts SOURCE_RANK), then by record. Its newest
// address-bearing record (ADDRESS_RECORD_SQL) is its current address, which record scope and the
// ERO routing read in SQL.
export const NEWEST_RECORD_FIRST_SQL = `r.own_date DESC,
  CASE r.source WHEN 'eoir' THEN 4 WHEN 'opla' THEN 3 WHEN 'orr' THEN 2 WHEN 'ice' THEN 1 ELSE 0 END DESC,
  r.id DESC`;
export const ADDRESS_RECORD_SQL = `(r.addr_line IS NOT NULL OR r.addr_state IS NOT NULL OR r.addr_zip5 IS NOT NULL)`;

const RECORD_FIELDS = `r.id, r.source, r.record_id, r.own_date, r.event_type, r.dob, r.idncase,
  to_char(r.book_in_at, ${TS}) AS book_in_at, to_char(r.transfer_at, ${TS}) AS transfer_at, r.orr_facility,
  r.sponsor_id, r.sponsor_category, r.call_outcome, r.discharge_reason, r.issued_date, r.served_date,
  r.service_method, r.filed_date, r.court_code, to_char(r.hearing_at, ${TS}) AS hearing_at, r.hearing_type,
  r.attendance, r.in_absentia, r.completion, r.addr_line, r.addr_unit, r.addr_city, r.addr_state, r.addr_zip5,
  r.address_as_sent->>'zip' AS zip_as_sent`;

const blank = (s: string | null) => s === null || s.trim() === '';

/** A record from its fields as COPY text, in RECORD_FIELDS order from `f[1]` (`f[0]` is its child). */
function recordFromText(f: (string | null)[]): CaseRecord {
  // No closures here: this runs once per record of a sweep (millions).
  let address: Address | null = null;
  for (let i = 25; i <= 30; i++) {
    if (!blank(f[i] ?? null)) {
      address = {
        line: f[25] ?? null,
        unit: f[26] ?? null,
        city: f[27] ?? null,
        state: f[28] ?? null,
        zip5: f[29] ?? null,
        zipAsSent: f[30] ?? null,
      };
      break;
    }
  }
  return {
    pk: Number(f[1]),
    source: f[2] as Source,
    recordId: f[3]!,
    ownDate: f[4]!,
    eventType: f[5]!,
    dob: f[6] ?? null,
    idncase: f[7] ?? null,
    bookInAt: f[8] ?? null,
    transferAt: f[9] ?? null,
    orrFacility: f[10] ?? null,
    sponsorId: f[11] ?? null,
    sponsorCategory: f[12] ?? null,
    callOutcome: f[13] ?? null,
    dischargeReason: f[14] ?? null,
    issuedDate: f[15] ?? null,
    servedDate: f[16] ?? null,
    serviceMethod: f[17] ?? null,
    filedDate: f[18] ?? null,
    courtCode: f[19] ?? null,
    hearingAt: f[20] ?? null,
    hearingType: f[21] ?? null,
    attendance: f[22] ?? null,
    inAbsentia: f[23] === null ? null : f[23] === 't',
    completion: f[24] ?? null,
    address,
  };
}

/**
 * Runs a query whose rows are a child id and then RECORD_FIELDS (all null for a child without
 * records) and groups the records by child, in the order the rows come. Read through COPY: a sweep
 * reads millions of records, and decoding one text is several times cheaper than decoding each
 * field into row objects.
 */
async function recordsByChild(db: Queryable, sql: string): Promise<Map<string, CaseRecord[]>> {
  const m = new Map<string, CaseRecord[]>();
  let childId: string | null = null;
  let list: CaseRecord[] = [];
  await db.copyOut(sql, (f) => {
    if (f[0] !== childId) {
      childId = f[0]!;
      list = m.get(childId) ?? [];
      m.set(childId, list);
    }
    if (f[1] !== null) list.push(recordFromText(f));
  });
  return m;
}

/** In-scope records of the given children, grouped by child. */
export async function recordsOfChildren(
  db: Queryable,
  childIds: readonly string[],
): Promise<Map<string, CaseRecord[]>> {
  if (childIds.length === 0) return new Map();
  // Ids as a joined list, not `= ANY(…)`: the planner then reads each child through its index
  // instead of scanning every record once the list is long.
  return recordsByChild(
    db,
    `SELECT l.child_id, ${RECORD_FIELDS}
       FROM (SELECT DISTINCT unnest(${textArray(childIds)}) AS child_id) c
       JOIN record_link l ON l.child_id = c.child_id JOIN record r ON r.id = l.record_pk
      WHERE r.in_scope`,
  );
}

const ACTIVE = 'merged_into IS NULL AND retired_at IS NULL';

/**
 * The first child id of each page of `size` active children (not merged away, not retired), in
 * child id order: a sweep's pages, which any connection can then read in any order.
 */
export async function activeChildPageStarts(db: Queryable, size: number): Promise<string[]> {
  const starts: string[] = [];
  await db.copyOut(
    `SELECT id FROM (SELECT id, row_number() OVER (ORDER BY id) AS n FROM child WHERE ${ACTIVE}) c
      WHERE n % ${Math.trunc(size)} = 1 ORDER BY id`,
    (f) => starts.push(f[0]!),
  );
  return starts;
}

/**
 * The active children from `first` up to (not including) `before`, or to the end when `before` is
 * null, in child id order, each handed to `onChild` with its in-scope records (a child without
 * records comes with an empty list) as soon as its rows have arrived, while the server sends the
 * rest. A sweep evaluates each child then and keeps nothing of its records: a page's records die
 * young instead of all being held until the page is read. A page is bounded by the next page's
 * start, not by a count, so a child linked or merged while a sweep runs can neither be read twice
 * nor fall between two pages. The page sees the records as committed when it is read.
 *
 * Each read takes at most `size` children in id order and then drops those at or after `before`:
 * the planner reads the child index in order for that, where a range alone gets a sort (and a
 * parallel worker) per page. A read that keeps all `size` may have stopped short of `before`
 * (children created since the pages were cut), so the next one goes on from its last child.
 *
 * If `onChild` throws, the rest of the page is still read (the connection stays usable) but no
 * child after it is handed over, and the first error is thrown once the read ends.
 */
export async function eachActiveChildInPage(
  db: Queryable,
  first: string,
  before: string | null,
  size: number,
  onChild: (childId: string, records: CaseRecord[]) => void,
): Promise<number> {
  const upTo = before === null ? '' : ` WHERE c.id < ${literal(before)}`;
  let from = `id >= ${literal(first)}`;
  let children = 0;
  let failure: { error: unknown } | null = null;
  const hand = (childId: string, records: CaseRecord[]) => {
    if (failure) return;
    try {
      onChild(childId, records);
    } catch (error) {
      failure = { error };
    }
  };
  for (;;) {
    let childId: string | null = null;
    let list: CaseRecord[] = [];
    let read = 0;
    await db.copyOut(
      `SELECT c.id, ${RECORD_FIELDS}
         FROM (SELECT id FROM child WHERE ${ACTIVE} AND ${from} ORDER BY id LIMIT ${Math.trunc(size)}) c
         LEFT JOIN (record_link l JOIN record r ON r.id = l.record_pk AND r.in_scope) ON l.child_id = c.id
        ${upTo}
        ORDER BY c.id`,
      (f) => {
        // Rows come in child order: a new id means the child before has all its records.
        if (f[0] !== childId) {
          if (childId !== null) hand(childId, list);
          childId = f[0]!;
          list = [];
          read++;
        }
        if (f[1] !== null) list.push(recordFromText(f));
      },
    );
    if (childId !== null) hand(childId, list);
    children += read;
    if (failure) throw (failure as { error: unknown }).error;
    if (read < size) return children;
    from = `id > ${literal(childId!)}`;
  }
}

/** Where a record's fact came from: its source row, the file or request, the line. */
export interface RecordSource {
  row_id: number;
  batch_id: number;
  line: number;
}

const asText = (v: unknown): string | null =>
  v === null || v === undefined ? null : typeof v === 'boolean' ? (v ? 't' : 'f') : String(v);

/** A child as its record is shown: what it was merged into, and its records with their sources. */
export interface ChildRecords {
  id: string;
  mergedInto: string | null;
  records: CaseRecord[];
  /** The source row behind each record, by record pk. */
  sources: Map<number, RecordSource>;
  /** The streets of these records that some record (as of the date) holds with a unit, as `line|zip5`. */
  streetsWithUnits: Set<string>;
  /** The value of `alongside`, when asked for. */
  alongside: string | null;
}

/**
 * SQL of a text computed once for the child in the statement that reads its records (what
 * another module shows with the case, read without a second round trip); `childIdSql` is the
 * child's id there.
 */
export type AlongsideSql = (childIdSql: string) => string;

/**
 * Children (absent when there is none) with their in-scope records, the source row of each and,
 * for each record's street, whether some record as of `asOf` holds that street with a unit: one
 * statement the server keeps prepared, since a child's record is read on every request for it
 * (sweeps read records by the page through COPY). With `alongside`, its value comes in each
 * child's first row only.
 */
export async function childrenRecordsOf(
  db: Queryable,
  childIds: readonly string[],
  asOf: string,
  alongside?: AlongsideSql,
): Promise<Map<string, ChildRecords>> {
  const rows = await db.query<unknown[]>(
    `SELECT c.id, ${RECORD_FIELDS}, s.id, s.batch_id, s.line,
            ${streetHasUnitsSql('r.addr_line', 'r.addr_zip5', '$2::date')}, c.merged_into,
            ${alongside ? `CASE WHEN row_number() OVER (PARTITION BY c.id) = 1 THEN (${alongside('c.id')}) END` : 'NULL::text'}
       FROM child c
       LEFT JOIN (record_link l JOIN record r ON r.id = l.record_pk AND r.in_scope) ON l.child_id = c.id
       LEFT JOIN source_row s ON s.id = r.row_id
      WHERE c.id = ANY($1::text[])`,
    [childIds, asOf],
    { prepare: true, rowMode: 'array' },
  );
  const out = new Map<string, ChildRecords>();
  for (const row of rows) {
    const id = String(row[0]);
    let child = out.get(id);
    if (!child) {
      child = {
        id,
        mergedInto: asText(row.at(-2)),
        records: [],
        sources: new Map(),
        streetsWithUnits: new Set(),
        alongside: null,
      };
      out.set(id, child);
    }
    if (row.at(-1) !== null) child.alongside = asText(row.at(-1));
    if (row[1] === null) continue; // a child without records
    // The values as COPY would give them as text, so that both reads build records alike.
    const record = recordFromText(row.map(asText));
    child.records.push(record);
    const [rowId, batchId, line, hasUnits] = row.slice(-6, -2);
    if (rowId !== null)
      child.sources.set(record.pk, { row_id: Number(rowId), batch_id: Number(batchId), line: Number(line) });
    if (hasUnits === true) child.streetsWithUnits.add(`${record.address!.line}|${record.address!.zip5}`);
  }
  return out;
}

/** Reads one child's records as of a date (undefined when there is no such child). */
export type ChildRecordsReader = (childId: string, asOf: string) => Promise<ChildRecords | undefined>;

/** A reader that reads each child in a statement of its own. */
export function childRecordsReader(db: Queryable, alongside?: AlongsideSql): ChildRecordsReader {
  return async (childId, asOf) => (await childrenRecordsOf(db, [childId], asOf, alongside)).get(childId);
}

/**
 * A reader for a server under load: the children asked for while the server handles one turn of
 * its network events are read together, in one statement for each date, after that turn. Each
 * read still starts after it was asked for; nothing is kept between turns.
 */
export function batchedChildRecordsReader(db: Queryable, alongside?: AlongsideSql): ChildRecordsReader {
  const loader = perTurnLoader<{ childId: string; asOf: string }, ChildRecords | undefined>(
    async (keys) => {
      const byDate = new Map<string, string[]>();
      for (const k of keys) {
        const ids = byDate.get(k.asOf) ?? [];
        ids.push(k.childId);
        byDate.set(k.asOf, ids);
      }
      const read = new Map(
        await Promise.all(
          [...byDate].map(
            async ([asOf, ids]) => [asOf, await childrenRecordsOf(db, ids, asOf, alongside)] as const,
          ),
        ),
      );
      return keys.map((k) => read.get(k.asOf)!.get(k.childId));
    },
    // At most 25 a statement: larger batches made every request wait for the slowest.
    { maxBatchSize: 25 },
  );
  return (childId, asOf) => loader.load({ childId, asOf });
}

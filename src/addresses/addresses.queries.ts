// SQL of the addresses module: the cross-child facts address rules need (streets seen with a unit,
// releases to each address), for every address or only for the streets given.
import type { Queryable } from '../db/index.ts';
import type { ReleaseAt } from './recurring.ts';
import { addressKey, isComparable } from './quality.ts';

export interface Street {
  line: string;
  zip5: string;
}

function streetFilter(
  streets: readonly Street[] | undefined,
  from: number,
): { sql: string; params: unknown[] } {
  if (!streets) return { sql: '', params: [] };
  return {
    sql: ` AND (r.addr_zip5, r.addr_line) IN (SELECT * FROM unnest($${from}::text[], $${from + 1}::text[]))`,
    params: [streets.map((s) => s.zip5), streets.map((s) => s.line)],
  };
}

/** Street lines and ZIPs that some row (as of the date) holds with a unit. */
export async function streetsWithUnits(
  db: Queryable,
  asOf: string,
  streets?: readonly Street[],
): Promise<Set<string>> {
  if (streets && streets.length === 0) return new Set();
  const f = streetFilter(streets, 2);
  const rows = await db.query<{ addr_line: string; addr_zip5: string }>(
    `SELECT DISTINCT r.addr_line, r.addr_zip5 FROM record r
      WHERE r.addr_line IS NOT NULL AND r.addr_zip5 IS NOT NULL AND r.addr_unit IS NOT NULL AND r.addr_unit <> ''
        AND r.in_scope AND r.own_date <= $1${f.sql}`,
    [asOf, ...f.params],
  );
  return new Set(rows.map((r) => `${r.addr_line}|${r.addr_zip5}`));
}

/** Every ORR release (as of the date) with its child and address, optionally only at the streets given. */
export async function releasesAt(
  db: Queryable,
  asOf: string,
  streets?: readonly Street[],
): Promise<ReleaseAt[]> {
  if (streets && streets.length === 0) return [];
  const f = streetFilter(streets, 2);
  const rows = await db.query<{
    child_id: string;
    own_date: string;
    addr_line: string | null;
    addr_unit: string | null;
    addr_city: string | null;
    addr_state: string | null;
    addr_zip5: string | null;
    zip_as_sent: string | null;
  }>(
    `SELECT l.child_id, r.own_date, r.addr_line, r.addr_unit, r.addr_city, r.addr_state, r.addr_zip5,
            r.address_as_sent->>'zip' AS zip_as_sent
       FROM record r JOIN record_link l ON l.record_pk = r.id
      WHERE r.source = 'orr' AND r.event_type = 'RELEASE' AND r.in_scope AND r.own_date <= $1
        AND r.addr_line IS NOT NULL${f.sql}`,
    [asOf, ...f.params],
  );
  return rows.map((r) => ({
    childId: r.child_id,
    on: r.own_date,
    address: {
      line: r.addr_line,
      unit: r.addr_unit,
      city: r.addr_city,
      state: r.addr_state,
      zip5: r.addr_zip5,
      zipAsSent: r.zip_as_sent,
    },
  }));
}

/**
 * Children whose rule outcomes can change with the given children's address rows: those at a street
 * where one of these rows has a unit (missing unit), and those released to an address one of these
 * children was released to once it has `threshold` or more children (recurring address).
 */
export async function childrenAffectedByAddresses(
  db: Queryable,
  childIds: readonly string[],
  threshold: number,
  asOf: string,
): Promise<string[]> {
  if (childIds.length === 0) return [];
  const rows = await db.query<{
    child_id: string;
    mine: boolean;
    is_release: boolean;
    addr_line: string;
    addr_unit: string | null;
    addr_city: string | null;
    addr_state: string | null;
    addr_zip5: string;
    zip_as_sent: string | null;
    own_date: string;
  }>(
    `WITH mine AS (
       SELECT DISTINCT r.addr_zip5, r.addr_line
         FROM record_link l JOIN record r ON r.id = l.record_pk
        WHERE l.child_id = ANY($1::text[]) AND r.in_scope AND r.addr_line IS NOT NULL AND r.addr_zip5 IS NOT NULL
          AND ((r.addr_unit IS NOT NULL AND r.addr_unit <> '') OR (r.source = 'orr' AND r.event_type = 'RELEASE')))
     SELECT l2.child_id, l2.child_id = ANY($1::text[]) AS mine,
            (r2.source = 'orr' AND r2.event_type = 'RELEASE') AS is_release,
            r2.addr_line, r2.addr_unit, r2.addr_city, r2.addr_state, r2.addr_zip5,
            r2.address_as_sent->>'zip' AS zip_as_sent, r2.own_date
       FROM mine m
       JOIN record r2 ON r2.addr_zip5 = m.addr_zip5 AND r2.addr_line = m.addr_line
       JOIN record_link l2 ON l2.record_pk = r2.id
      WHERE r2.in_scope AND r2.own_date <= $2`,
    [childIds, asOf],
  );
  const unitStreets = new Set<string>();
  const myReleaseKeys = new Set<string>();
  const releasedTo = new Map<string, Set<string>>();
  for (const r of rows) {
    const a = {
      line: r.addr_line,
      unit: r.addr_unit,
      city: r.addr_city,
      state: r.addr_state,
      zip5: r.addr_zip5,
      zipAsSent: r.zip_as_sent,
    };
    if (r.mine && r.addr_unit && r.addr_unit.trim() !== '') unitStreets.add(`${r.addr_line}|${r.addr_zip5}`);
    if (r.is_release && isComparable(a)) {
      const key = addressKey(a);
      if (r.mine) myReleaseKeys.add(key);
      let set = releasedTo.get(key);
      if (!set) releasedTo.set(key, (set = new Set()));
      set.add(r.child_id);
    }
  }
  const out = new Set<string>();
  for (const r of rows) {
    if (unitStreets.has(`${r.addr_line}|${r.addr_zip5}`)) out.add(r.child_id);
  }
  for (const key of myReleaseKeys) {
    const set = releasedTo.get(key)!;
    if (set.size >= threshold) for (const c of set) out.add(c);
  }
  return [...out];
}

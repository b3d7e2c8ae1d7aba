// SQL of the addresses module: the cross-child facts address rules need (streets seen with a unit,
// releases to each address), for every address or only for the streets given.
import type { Queryable } from '../db/index.ts';
import type { ReleaseAt } from './recurring.ts';

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

/** Children with any address row at the same street and ZIP as a row of the given children. */
export async function childrenSharingStreets(db: Queryable, childIds: readonly string[]): Promise<string[]> {
  if (childIds.length === 0) return [];
  const rows = await db.query<{ child_id: string }>(
    `SELECT DISTINCT l2.child_id
       FROM record_link l1
       JOIN record r1 ON r1.id = l1.record_pk
       JOIN record r2 ON r2.addr_zip5 = r1.addr_zip5 AND r2.addr_line = r1.addr_line
       JOIN record_link l2 ON l2.record_pk = r2.id
      WHERE l1.child_id = ANY($1::text[]) AND r1.addr_line IS NOT NULL AND r1.addr_zip5 IS NOT NULL`,
    [childIds],
  );
  return rows.map((r) => r.child_id);
}

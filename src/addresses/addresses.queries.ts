// SQL of the addresses module: the cross-child facts address rules need (streets seen with a unit,
// releases to each address), for every address or only for the streets given.
import { literal, textArray, type Queryable } from '../db/index.ts';
import type { ReleaseAt } from './recurring.ts';
import { addressKey, isComparable, type Address } from './quality.ts';

export interface Street {
  line: string;
  zip5: string;
}

/** `AND` the record's street is one of `streets` (none: no condition), with the streets inlined. */
function streetFilter(streets: readonly Street[] | undefined): string {
  if (!streets) return '';
  return ` AND (r.addr_zip5, r.addr_line) IN (SELECT * FROM unnest(${textArray(streets.map((s) => s.zip5))}, ${textArray(streets.map((s) => s.line))}))`;
}

/** Street lines and ZIPs that some row (as of the date) holds with a unit. */
export async function streetsWithUnits(
  db: Queryable,
  asOf: string,
  streets?: readonly Street[],
): Promise<Set<string>> {
  if (streets && streets.length === 0) return new Set();
  const rows = await db.query<{ addr_line: string; addr_zip5: string }>(
    `SELECT DISTINCT r.addr_line, r.addr_zip5 FROM record r
      WHERE r.addr_line IS NOT NULL AND r.addr_zip5 IS NOT NULL AND r.addr_unit IS NOT NULL AND r.addr_unit <> ''
        AND r.in_scope AND r.own_date <= $1${streetFilter(streets)}`,
    [asOf],
  );
  return new Set(rows.map((r) => `${r.addr_line}|${r.addr_zip5}`));
}

/**
 * Every ORR release (as of the date) with its child and address, optionally only at the streets
 * given. Read through COPY: a sweep reads all of them (about 400,000 at full scale).
 */
export async function releasesAt(
  db: Queryable,
  asOf: string,
  streets?: readonly Street[],
): Promise<ReleaseAt[]> {
  if (streets && streets.length === 0) return [];
  const out: ReleaseAt[] = [];
  await db.copyOut(
    `SELECT l.child_id, r.own_date, r.addr_line, r.addr_unit, r.addr_city, r.addr_state, r.addr_zip5,
            r.address_as_sent->>'zip' AS zip_as_sent
       FROM record r JOIN record_link l ON l.record_pk = r.id
      WHERE r.source = 'orr' AND r.event_type = 'RELEASE' AND r.in_scope AND r.own_date <= ${literal(asOf)}::date
        AND r.addr_line IS NOT NULL${streetFilter(streets)}`,
    (f) =>
      out.push({
        childId: f[0]!,
        on: f[1]!,
        address: {
          line: f[2]!,
          unit: f[3] ?? null,
          city: f[4] ?? null,
          state: f[5] ?? null,
          zip5: f[6] ?? null,
          zipAsSent: f[7] ?? null,
        },
      }),
  );
  return out;
}

/** An address on one of a child's records, as the affected-children search needs it. */
export interface ChildAddress {
  childId: string;
  on: string;
  isRelease: boolean;
  address: Address;
}

/**
 * Children whose rule outcomes can change with the given address rows (those of the children an
 * ingest touched): those at a street where one of these rows has a unit (missing unit), and those
 * released to an address one of these rows was a release to, once it has `threshold` or more
 * children (recurring address).
 */
export async function childrenAffectedByAddresses(
  db: Queryable,
  mine: readonly ChildAddress[],
  threshold: number,
  asOf: string,
): Promise<string[]> {
  const hasUnit = (a: Address) => a.unit !== null && a.unit.trim() !== '';
  const streets = new Map<string, Street>();
  const unitStreets = new Set<string>();
  const myReleaseKeys = new Set<string>();
  for (const m of mine) {
    const { line, zip5 } = m.address;
    if (!line || !zip5 || !(m.isRelease || hasUnit(m.address))) continue;
    streets.set(`${line}|${zip5}`, { line, zip5 });
    if (m.on > asOf) continue;
    if (hasUnit(m.address)) unitStreets.add(`${line}|${zip5}`);
    if (m.isRelease && isComparable(m.address)) myReleaseKeys.add(addressKey(m.address));
  }
  if (streets.size === 0) return [];
  // Streets as a joined list, not `IN (…)`: the planner then reads each street through its index.
  const rows = await db.query<{
    child_id: string;
    is_release: boolean;
    addr_line: string;
    addr_unit: string | null;
    addr_city: string | null;
    addr_state: string | null;
    addr_zip5: string;
    zip_as_sent: string | null;
  }>(
    `SELECT l.child_id, (r.source = 'orr' AND r.event_type = 'RELEASE') AS is_release,
            r.addr_line, r.addr_unit, r.addr_city, r.addr_state, r.addr_zip5, r.address_as_sent->>'zip' AS zip_as_sent
       FROM unnest($1::text[], $2::text[]) AS m(addr_zip5, addr_line)
       JOIN record r ON r.addr_zip5 = m.addr_zip5 AND r.addr_line = m.addr_line
       JOIN record_link l ON l.record_pk = r.id
      WHERE r.in_scope AND r.own_date <= $3`,
    [[...streets.values()].map((s) => s.zip5), [...streets.values()].map((s) => s.line), asOf],
  );
  const releasedTo = new Map<string, Set<string>>();
  const out = new Set<string>();
  for (const r of rows) {
    if (unitStreets.has(`${r.addr_line}|${r.addr_zip5}`)) out.add(r.child_id);
    const a = {
      line: r.addr_line,
      unit: r.addr_unit,
      city: r.addr_city,
      state: r.addr_state,
      zip5: r.addr_zip5,
      zipAsSent: r.zip_as_sent,
    };
    if (!r.is_release || !isComparable(a)) continue;
    const key = addressKey(a);
    if (!myReleaseKeys.has(key)) continue;
    let set = releasedTo.get(key);
    if (!set) releasedTo.set(key, (set = new Set()));
    set.add(r.child_id);
  }
  for (const set of releasedTo.values()) {
    if (set.size >= threshold) for (const c of set) out.add(c);
  }
  return [...out];
}

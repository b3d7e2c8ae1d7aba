// SQL of the addresses module: the cross-child facts address rules need (streets seen with a unit,
// releases to each address), for every address or only for the streets given.
import { literal, textArray, type Queryable } from '../db/index.ts';
import type { ReleaseAt } from './recurring.ts';
import { addressKey, isComparable, type Address } from './quality.ts';

export interface Street {
  line: string;
  zip5: string;
}

/**
 * SQL true when some in-scope record (as of `asOf`, a date expression) holds the street given by
 * the column expressions `line` and `zip5` with a unit: asked within the statement that reads a
 * child's records, one street at a time through the street index.
 */
export function streetHasUnitsSql(line: string, zip5: string, asOf: string): string {
  return `(${line} IS NOT NULL AND ${zip5} IS NOT NULL AND EXISTS (
    SELECT 1 FROM record u
     WHERE u.addr_zip5 = ${zip5} AND u.addr_line = ${line} AND u.addr_unit IS NOT NULL AND u.addr_unit <> ''
       AND u.in_scope AND u.own_date <= ${asOf}))`;
}

/** What a sweep needs to know about every street (line and ZIP) as of a date. */
export interface SweepStreets {
  /** Streets some record holds with a unit, as `line|zip5` (as streetHasUnitsSql). */
  units: Set<string>;
  /**
   * Streets that `minReleases` or more ORR releases went to: the only ones where an address can
   * recur. Releases are counted, not children, so that no such street is left out.
   */
  recurring: Street[];
}

/**
 * Both in one read of the records, through COPY: a sweep asks about every street (over 100,000
 * at full scale). A release without a ZIP is never grouped (its address is blank), so such
 * streets are left out.
 */
export async function sweepStreets(db: Queryable, asOf: string, minReleases: number): Promise<SweepStreets> {
  const out: SweepStreets = { units: new Set(), recurring: [] };
  const release = `r.source = 'orr' AND r.event_type = 'RELEASE'`;
  const unit = `r.addr_unit <> ''`;
  // A street no release went to has nothing to recur, whatever the threshold.
  const enough = `count(*) FILTER (WHERE ${release}) >= ${Math.max(1, Math.trunc(minReleases))}`;
  await db.copyOut(
    `SELECT r.addr_line, r.addr_zip5, bool_or(${unit}), ${enough}
       FROM record r
      WHERE r.addr_line IS NOT NULL AND r.addr_zip5 IS NOT NULL AND r.in_scope AND r.own_date <= ${literal(asOf)}::date
      GROUP BY 1, 2
     HAVING bool_or(${unit}) OR ${enough}`,
    (f) => {
      if (f[2] === 't') out.units.add(`${f[0]!}|${f[1]!}`);
      if (f[3] === 't') out.recurring.push({ line: f[0]!, zip5: f[1]! });
    },
  );
  return out;
}

/** An in-scope record (as of the date) at one of the streets asked about. */
export interface RecordAtStreet {
  /** The child it is linked to; null for a record not linked (yet). */
  childId: string | null;
  on: string;
  isRelease: boolean;
  address: Address & { line: string; zip5: string };
}

/**
 * Every in-scope record as of the date at the given streets (line and ZIP): all that the address
 * rules need to know about those streets (which hold a unit, who was released where), in one read.
 */
export async function recordsAtStreets(
  db: Queryable,
  asOf: string,
  streets: readonly Street[],
): Promise<RecordAtStreet[]> {
  const out: RecordAtStreet[] = [];
  if (streets.length === 0) return out;
  // Streets as a joined list: the planner then reads each street through its index.
  await db.copyOut(
    `SELECT l.child_id, r.own_date, (r.source = 'orr' AND r.event_type = 'RELEASE'),
            r.addr_line, r.addr_unit, r.addr_city, r.addr_state, r.addr_zip5, r.address_as_sent->>'zip'
       FROM (SELECT DISTINCT * FROM unnest(${textArray(streets.map((s) => s.zip5))}, ${textArray(streets.map((s) => s.line))})) AS m(addr_zip5, addr_line)
       JOIN record r ON r.addr_zip5 = m.addr_zip5 AND r.addr_line = m.addr_line
       LEFT JOIN record_link l ON l.record_pk = r.id
      WHERE r.in_scope AND r.own_date <= ${literal(asOf)}::date`,
    (f) =>
      out.push({
        childId: f[0] ?? null,
        on: f[1]!,
        isRelease: f[2] === 't',
        address: {
          line: f[3]!,
          unit: f[4] ?? null,
          city: f[5] ?? null,
          state: f[6] ?? null,
          zip5: f[7]!,
          zipAsSent: f[8] ?? null,
        },
      }),
  );
  return out;
}

/** The streets (of `rows`) some record holds with a unit, as `line|zip5` (as streetHasUnitsSql). */
export function streetsWithUnitsAmong(rows: readonly RecordAtStreet[]): Set<string> {
  const out = new Set<string>();
  for (const r of rows) {
    if (r.address.unit !== null && r.address.unit !== '') out.add(`${r.address.line}|${r.address.zip5}`);
  }
  return out;
}

/** The releases among `rows` that are linked to a child. */
export function releasesAmong(rows: readonly RecordAtStreet[]): ReleaseAt[] {
  const out: ReleaseAt[] = [];
  for (const r of rows) {
    if (r.isRelease && r.childId !== null) out.push({ childId: r.childId, on: r.on, address: r.address });
  }
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
 * ingest touched): those at a street where one of these rows has a unit (missing unit), unless a
 * record of a child not touched holds the street with a unit too (then it had one before), and
 * those released to an address one of these rows was a release to, once it has `threshold` or more
 * children (recurring address). `near` holds the records at the streets of `mine`
 * (recordsAtStreets); it may hold other streets too.
 */
export function childrenAffectedByAddresses(
  mine: readonly ChildAddress[],
  near: readonly RecordAtStreet[],
  threshold: number,
  asOf: string,
): string[] {
  const hasUnit = (a: Address) => a.unit !== null && a.unit.trim() !== '';
  const unitStreets = new Set<string>();
  const myReleaseKeys = new Set<string>();
  for (const m of mine) {
    const { line, zip5 } = m.address;
    if (!line || !zip5 || m.on > asOf) continue;
    if (hasUnit(m.address)) unitStreets.add(`${line}|${zip5}`);
    if (m.isRelease && isComparable(m.address)) myReleaseKeys.add(addressKey(m.address));
  }
  const releasedTo = new Map<string, Set<string>>();
  const out = new Set<string>();
  if (unitStreets.size === 0 && myReleaseKeys.size === 0) return [];
  // Only the touched children's records changed. A street that a record of another child holds
  // with a unit had a unit before these rows too, so nobody there is affected by theirs. (An
  // unlinked record may be new, so it does not count.)
  const touched = new Set(mine.map((m) => m.childId));
  for (const r of near) {
    if (r.childId !== null && !touched.has(r.childId) && hasUnit(r.address))
      unitStreets.delete(`${r.address.line}|${r.address.zip5}`);
  }
  for (const r of near) {
    if (r.childId === null) continue;
    if (unitStreets.has(`${r.address.line}|${r.address.zip5}`)) out.add(r.childId);
    if (!r.isRelease || !isComparable(r.address)) continue;
    const key = addressKey(r.address);
    if (!myReleaseKeys.has(key)) continue;
    let set = releasedTo.get(key);
    if (!set) releasedTo.set(key, (set = new Set()));
    set.add(r.childId);
  }
  for (const set of releasedTo.values()) {
    if (set.size >= threshold) for (const c of set) out.add(c);
  }
  return [...out];
}

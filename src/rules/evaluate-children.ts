// Evaluates the gap rules for some children (after an ingest) or for all of them (a sweep for a
// date), and opens, refreshes and closes their alerts. Both paths run the same per-child code.
import type { Db, Queryable } from '../db/index.ts';
import type { Clock } from '../shared/clock.ts';
import { isoDate } from '../shared/clock.ts';
import type { Log } from '../shared/log.ts';
import { BridgeError } from '../shared/errors.ts';
import { caseState } from '../cases/case-state.ts';
import type { CaseRecord } from '../cases/case-record.ts';
import { isIsoDate } from '../cases/dates.ts';
import { activeChildrenWithRecords, recordsOfChildren } from '../cases/cases.queries.ts';
import { ReleaseIndex } from '../addresses/recurring.ts';
import {
  childrenAffectedByAddresses,
  releasesAt,
  streetsWithUnits,
  type ChildAddress,
  type Street,
} from '../addresses/addresses.queries.ts';
import { numberSetting, resolveSettings, type RuleSettings } from './catalogue.ts';
import { evaluateRules, type RuleContext } from './evaluate.ts';
import { diffAlerts, type AlertChanges, type ChildEvaluation } from './diff-alerts.ts';
import {
  closeAlerts,
  closeAlertsOfInactiveChildren,
  insertAlerts,
  openAlertsInRange,
  openAlertsOf,
  settingOverrides,
  updateAlerts,
} from './rules.queries.ts';

export interface RulesDeps {
  db: Db;
  log: Log;
  clock: Clock;
}

export interface EvaluationSummary {
  asOf: string;
  children: number;
  opened: number;
  refreshed: number;
  closed: number;
  ms: number;
}

// One writer of alerts at a time: a sweep and an ingest's evaluation never interleave.
const RULES_LOCK = 0x42524c45;

export function resolveAsOf(clock: Clock, asOf?: string): string {
  if (asOf === undefined) return isoDate(clock.now());
  if (!isIsoDate(asOf)) throw new BridgeError('USAGE', `as-of date must be YYYY-MM-DD, got "${asOf}"`);
  return asOf;
}

export async function loadSettings(db: Queryable): Promise<RuleSettings> {
  return resolveSettings(await settingOverrides(db));
}

async function contextFor(db: Queryable, asOf: string, streets?: readonly Street[]): Promise<RuleContext> {
  const [units, releases] = await Promise.all([
    streetsWithUnits(db, asOf, streets),
    releasesAt(db, asOf, streets),
  ]);
  const index = new ReleaseIndex(releases);
  return {
    streetHasUnits: (line, zip5) => units.has(`${line}|${zip5}`),
    releasesTo: (key) => index.releasesTo(key),
  };
}

function evaluate(
  childIds: readonly string[],
  records: Map<string, CaseRecord[]>,
  asOf: string,
  settings: RuleSettings,
  ctx: RuleContext,
): ChildEvaluation[] {
  return childIds.map((childId) => {
    const list = records.get(childId) ?? [];
    const state = caseState(list, asOf, { timeline: false });
    const { hits, misses } = evaluateRules(state, settings, ctx);
    if (list.length === 0) {
      for (const k of misses.keys()) misses.set(k, 'no records are linked to the child any more');
    }
    return { childId, hits, misses, addrState: state.addresses.current?.address.state ?? null };
  });
}

async function write(conn: Queryable, changes: AlertChanges, asOf: string): Promise<void> {
  await closeAlerts(conn, changes.closes, asOf);
  await updateAlerts(conn, changes.updates, asOf);
  await insertAlerts(conn, changes.inserts, asOf);
}

function addressesOf(records: Map<string, CaseRecord[]>): ChildAddress[] {
  const out: ChildAddress[] = [];
  for (const [childId, list] of records) {
    for (const r of list) {
      if (r.address) {
        const isRelease = r.source === 'orr' && r.eventType === 'RELEASE';
        out.push({ childId, on: r.ownDate, isRelease, address: r.address });
      }
    }
  }
  return out;
}

function streetsOf(records: Map<string, CaseRecord[]>): Street[] {
  const seen = new Map<string, Street>();
  for (const list of records.values()) {
    for (const r of list) {
      const a = r.address;
      if (a?.line && a.zip5) seen.set(`${a.line}|${a.zip5}`, { line: a.line, zip5: a.zip5 });
    }
  }
  return [...seen.values()];
}

/**
 * Re-evaluates the rules for the given children (those an ingest touched, including ids merged
 * away) and for every child an address change of theirs can affect (recurring addresses, missing
 * units). Call it after the ingest's transaction has committed.
 */
export async function evaluateChildren(
  deps: RulesDeps,
  childIds: readonly string[],
  asOfArg?: string,
): Promise<EvaluationSummary> {
  const asOf = resolveAsOf(deps.clock, asOfArg);
  return deps.db.withAdvisoryLock(RULES_LOCK, async (conn) => {
    await conn.query('BEGIN');
    try {
      const summary = await evaluateChildrenIn(conn, childIds, asOf);
      await conn.query('COMMIT');
      deps.log.debug(summary, 'rules evaluated for children');
      return summary;
    } catch (e) {
      await conn.query('ROLLBACK').catch(() => {});
      throw e;
    }
  });
}

/**
 * The same evaluation inside a transaction the caller holds (an ingest chunk's), so alerts change
 * atomically with the records that changed them. The as-of date must be given.
 */
export async function evaluateChildrenIn(
  tx: Queryable,
  childIds: readonly string[],
  asOf: string,
): Promise<EvaluationSummary> {
  const started = Date.now();
  const given = [...new Set(childIds)];
  const closedInactive = await closeAlertsOfInactiveChildren(tx, asOf, given);
  const settings = await loadSettings(tx);
  const threshold = numberSetting(settings, 'RECURRING_ADDRESS', 'threshold');
  // The touched children's records are read once: their addresses find the children they affect.
  const records = await recordsOfChildren(tx, given);
  const affected = await childrenAffectedByAddresses(tx, addressesOf(records), threshold, asOf);
  const ids = [...new Set([...given, ...affected])].sort();
  const givenSet = new Set(given);
  const others = await recordsOfChildren(
    tx,
    affected.filter((id) => !givenSet.has(id)),
  );
  for (const [id, list] of others) records.set(id, list);
  const ctx = await contextFor(tx, asOf, streetsOf(records));
  const evaluations = evaluate(ids, records, asOf, settings, ctx);
  const changes = diffAlerts(evaluations, await openAlertsOf(tx, ids));
  await write(tx, changes, asOf);
  return {
    asOf,
    children: ids.length,
    opened: changes.inserts.length,
    refreshed: changes.updates.length,
    closed: changes.closes.length + closedInactive,
    ms: Date.now() - started,
  };
}

/** Children per page of a sweep: about 22,000 records at full scale. */
export const SWEEP_PAGE = 4_000;

export interface SweepOptions {
  /** Children read, evaluated and written per batch. */
  chunkSize?: number;
  onProgress?: (children: number) => void;
}

/**
 * Evaluates every child's rules as of a date and brings all alerts in line with the result, in one
 * transaction that writes them: the children are read in pages in child order, and the next page is
 * read while the one before it is evaluated.
 */
export async function sweepRules(
  deps: RulesDeps,
  asOfArg?: string,
  options: SweepOptions = {},
): Promise<EvaluationSummary> {
  const started = Date.now();
  const asOf = resolveAsOf(deps.clock, asOfArg);
  const chunkSize = options.chunkSize ?? SWEEP_PAGE;
  return deps.db.withAdvisoryLock(RULES_LOCK, async (conn) => {
    const summary: EvaluationSummary = { asOf, children: 0, opened: 0, refreshed: 0, closed: 0, ms: 0 };
    // Where the engine has more connections, the records, the cross-child facts and each batch's
    // open alerts are read on others while this one writes. Only this sweep writes alerts (the
    // lock), and each batch's are read before the sweep writes them.
    const context = contextFor(deps.db, asOf);
    context.catch(() => {}); // awaited below; this only keeps an early failure from going unhandled
    await conn.query('BEGIN');
    try {
      summary.closed += await closeAlertsOfInactiveChildren(conn, asOf);
      const settings = await loadSettings(conn);
      for await (const { childIds: chunk, records } of activeChildrenWithRecords(deps.db, chunkSize)) {
        const open = openAlertsInRange(deps.db, chunk[0]!, chunk[chunk.length - 1]!);
        open.catch(() => {}); // awaited below; this only keeps an early failure from going unhandled
        const evaluations = evaluate(chunk, records, asOf, settings, await context);
        const changes = diffAlerts(evaluations, await open);
        await write(conn, changes, asOf);
        summary.children += chunk.length;
        summary.opened += changes.inserts.length;
        summary.refreshed += changes.updates.length;
        summary.closed += changes.closes.length;
        options.onProgress?.(chunk.length);
      }
      await conn.query('COMMIT');
    } catch (e) {
      await conn.query('ROLLBACK').catch(() => {});
      throw e;
    }
    // After a sweep that opened or closed many alerts (the first one, above all), the planner's
    // picture of the alert table is stale until autovacuum comes by; the next ingest's reads of
    // open alerts by child would scan them all meanwhile.
    if (summary.opened + summary.closed > Math.max(10_000, summary.children / 10)) {
      await conn.query('ANALYZE alert');
    }
    summary.ms = Date.now() - started;
    deps.log.info(summary, 'rules sweep finished');
    return summary;
  });
}

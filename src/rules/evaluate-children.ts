// Evaluates the gap rules for some children (after an ingest) or for all of them (a sweep for a
// date), and opens, refreshes and closes their alerts. Both paths run the same per-child code.
import type { Db, Queryable } from '../db/index.ts';
import type { Clock } from '../shared/clock.ts';
import { isoDate } from '../shared/clock.ts';
import type { Log } from '../shared/log.ts';
import { BridgeError } from '../shared/errors.ts';
import { SweepWorker, type PageBounds, type PageResult } from './sweep-worker-client.ts';
import { caseState, type CaseState } from '../cases/case-state.ts';
import type { CaseRecord } from '../cases/case-record.ts';
import { isIsoDate } from '../cases/dates.ts';
import { activeChildPageStarts, eachActiveChildInPage, recordsOfChildren } from '../cases/cases.queries.ts';
import { ReleaseIndex } from '../addresses/recurring.ts';
import {
  childrenAffectedByAddresses,
  recordsAtStreets,
  releasesAmong,
  streetsWithUnitsAmong,
  sweepStreets,
  type ChildAddress,
  type RecordAtStreet,
  type Street,
} from '../addresses/addresses.queries.ts';
import { numberSetting, resolveSettings, type RuleSettings } from './catalogue.ts';
import { evaluateRules, type RuleContext } from './evaluate.ts';
import {
  diffAlerts,
  diffChild,
  noChanges,
  openByChild,
  type AlertChanges,
  type ChildEvaluation,
} from './diff-alerts.ts';
import {
  closeAlerts,
  closeAlertsOfInactiveChildren,
  alertCopyText,
  insertAlertText,
  openAlertsInPage,
  openAlertsOf,
  restoreAlertIndexes,
  setAsideAlertIndexes,
  type OpenAlert,
  settingOverrides,
  updateAlerts,
} from './rules.queries.ts';
import { newestAddress, type NewestAddress } from '../notify/address-change.ts';

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

/** What the address rules need to know about every street (a sweep), as another thread can take it. */
export interface SweepContext {
  /** Streets held with a unit, as `line|zip5`. */
  units: Set<string>;
  releases: ReleaseIndex;
}

/**
 * The context of a sweep: every street with a unit, and the releases at the streets where an
 * address can recur, since `threshold` (a setting) or more releases went there.
 */
export async function readSweepContext(
  db: Queryable,
  asOf: string,
  threshold: number,
): Promise<SweepContext> {
  const streets = await sweepStreets(db, asOf, threshold);
  const near = await recordsAtStreets(db, asOf, streets.recurring);
  return { units: streets.units, releases: new ReleaseIndex(releasesAmong(near)) };
}

/** The same, for the streets whose records (as of the date) are all in `near` (recordsAtStreets). */
function contextNear(near: readonly RecordAtStreet[]): RuleContext {
  return ruleContext(streetsWithUnitsAmong(near), new ReleaseIndex(releasesAmong(near)));
}

export function ruleContext(units: Set<string>, index: ReleaseIndex): RuleContext {
  return {
    streetHasUnits: (line, zip5) => units.has(`${line}|${zip5}`),
    releasesTo: (key) => index.releasesTo(key),
  };
}

const NO_RECORDS = () => 'no records are linked to the child any more';

function evaluateChild(
  childId: string,
  list: readonly CaseRecord[],
  asOf: string,
  settings: RuleSettings,
  ctx: RuleContext,
  newestAddresses?: Map<string, NewestAddress | null>,
): ChildEvaluation {
  const state = caseState(list, asOf, { timeline: false });
  newestAddresses?.set(childId, newestAddress(state));
  return evaluateState(childId, list, state, settings, ctx);
}

function evaluateState(
  childId: string,
  list: readonly CaseRecord[],
  state: CaseState,
  settings: RuleSettings,
  ctx: RuleContext,
): ChildEvaluation {
  const rules = evaluateRules(state, settings, ctx);
  return {
    childId,
    hits: rules.hits,
    whyNot: list.length === 0 ? NO_RECORDS : (ruleId) => rules.whyNot(ruleId),
    addrState: state.addresses.current?.address.state ?? null,
  };
}

function evaluate(
  childIds: readonly string[],
  records: Map<string, CaseRecord[]>,
  asOf: string,
  settings: RuleSettings,
  ctx: RuleContext,
  newestAddresses?: Map<string, NewestAddress | null>,
): ChildEvaluation[] {
  return childIds.map((childId) =>
    evaluateChild(childId, records.get(childId) ?? [], asOf, settings, ctx, newestAddresses),
  );
}

async function write(conn: Queryable, changes: AlertChanges, asOf: string): Promise<void> {
  await writePage(
    conn,
    { closes: changes.closes, updates: changes.updates, insertText: alertCopyText(changes.inserts, asOf) },
    asOf,
  );
}

async function writePage(
  conn: Queryable,
  page: Pick<PageResult, 'closes' | 'updates' | 'insertText'>,
  asOf: string,
): Promise<void> {
  await closeAlerts(conn, page.closes, asOf);
  await updateAlerts(conn, page.updates, asOf);
  await insertAlertText(conn, page.insertText);
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

/** The streets (line and ZIP) of the records' addresses, by `line|zip5`. */
function streetsOf(records: Map<string, CaseRecord[]>): Map<string, Street> {
  const seen = new Map<string, Street>();
  for (const list of records.values()) {
    for (const r of list) {
      const a = r.address;
      if (a?.line && a.zip5) seen.set(`${a.line}|${a.zip5}`, { line: a.line, zip5: a.zip5 });
    }
  }
  return seen;
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
      const { evaluated: _evaluated, ...summary } = await evaluateChildrenIn(conn, childIds, asOf);
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
 * atomically with the records that changed them. The as-of date must be given. `newestAddresses`,
 * when given, is filled with each evaluated child's newest usable address (null: none), for the
 * address messages of the same transaction. `evaluated` names every child evaluated, sorted: those
 * given and those an address of theirs affects, whose alerts may have changed too.
 */
export async function evaluateChildrenIn(
  tx: Queryable,
  childIds: readonly string[],
  asOf: string,
  newestAddresses?: Map<string, NewestAddress | null>,
): Promise<EvaluationSummary & { evaluated: string[] }> {
  const started = Date.now();
  const given = [...new Set(childIds)];
  const closedInactive = await closeAlertsOfInactiveChildren(tx, asOf, given);
  const settings = await loadSettings(tx);
  const threshold = numberSetting(settings, 'RECURRING_ADDRESS', 'threshold');
  // The touched children's records are read once, and every record at their streets: those find
  // the children their addresses affect, and tell the address rules about those streets.
  const records = await recordsOfChildren(tx, given);
  const streets = streetsOf(records);
  const near = await recordsAtStreets(tx, asOf, [...streets.values()]);
  const affected = childrenAffectedByAddresses(addressesOf(records), near, threshold, asOf);
  const ids = [...new Set([...given, ...affected])].sort();
  const givenSet = new Set(given);
  const others = await recordsOfChildren(
    tx,
    affected.filter((id) => !givenSet.has(id)),
  );
  for (const [id, list] of others) records.set(id, list);
  // The children affected may have addresses on other streets too.
  const more = [...streetsOf(others)].filter(([key]) => !streets.has(key)).map(([, street]) => street);
  const ctx = contextNear(near.concat(await recordsAtStreets(tx, asOf, more)));
  const evaluations = evaluate(ids, records, asOf, settings, ctx, newestAddresses);
  const changes = diffAlerts(evaluations, await openAlertsOf(tx, ids));
  await write(tx, changes, asOf);
  return {
    asOf,
    children: ids.length,
    evaluated: ids,
    opened: changes.inserts.length,
    refreshed: changes.updates.length,
    closed: changes.closes.length + closedInactive,
    ms: Date.now() - started,
  };
}

/** Children per page of a sweep: about 22,000 records at full scale. */
export const SWEEP_PAGE = 4_000;

/** Pages from which a sweep on the server shares its pages with a worker thread. */
const WORKER_FROM_PAGES = 8;

export interface SweepOptions {
  /** Children read, evaluated and written per batch. */
  chunkSize?: number;
  /**
   * Whether a worker thread evaluates some of the pages (server engine only): by default when
   * there are at least WORKER_FROM_PAGES pages; `true` whenever there are two or more.
   */
  worker?: boolean;
  onProgress?: (children: number) => void;
  /**
   * Filled with each evaluated child's newest usable address (null: none) as of the sweep's date,
   * for the address messages of a first load, which would otherwise build every case again.
   */
  newestAddresses?: Map<string, NewestAddress | null>;
}

/**
 * The open alerts of a page, read ahead while the page before it is evaluated: none when the sweep
 * began on an empty alert table (`setAsideAlertIndexes`), which no other connection may read then.
 */
export function readPageOpenAlerts(
  db: Queryable,
  page: PageBounds,
  readOpenAlerts: boolean,
): Promise<OpenAlert[]> {
  const open = readOpenAlerts ? openAlertsInPage(db, page) : Promise.resolve([]);
  // Awaited by the page's evaluation; this only keeps an early failure from going unhandled.
  open.catch(() => {});
  return open;
}

/**
 * One page of a sweep: each child's rules evaluated as its records arrive (read on `db`) and
 * compared at once with its open alerts (`open`: those of the page's children, read before), so
 * that nothing of a child's records outlives its evaluation. Pure of writes, so a worker thread
 * can run it on its own connection; the new alerts come back encoded for COPY.
 */
export async function sweepPage(
  db: Queryable,
  page: PageBounds,
  pageSize: number,
  open: readonly OpenAlert[],
  asOf: string,
  settings: RuleSettings,
  ctx: RuleContext,
  options: { newestAddresses?: boolean } = {},
): Promise<PageResult> {
  const changes = noChanges();
  const byChild = openByChild(open);
  const newest = options.newestAddresses ? new Map<string, NewestAddress | null>() : undefined;
  const children = await eachActiveChildInPage(db, page.first, page.before, pageSize, (childId, list) =>
    diffChild(evaluateChild(childId, list, asOf, settings, ctx, newest), byChild.get(childId), changes),
  );
  return {
    children,
    opened: changes.inserts.length,
    insertText: alertCopyText(changes.inserts, asOf),
    updates: changes.updates,
    closes: changes.closes,
    ...(newest ? { newestAddresses: newest } : {}),
  };
}

/**
 * Evaluates every child's rules as of a date and brings all alerts in line with the result, in one
 * transaction that writes them. The children are cut into pages in child order; each page's
 * children are read (on another connection where the engine has them) and evaluated and compared
 * as they arrive, and the page's changes are written. The next page's open alerts are read while
 * one is evaluated, and on the server a worker thread takes pages too, so both cores evaluate.
 */
export async function sweepRules(
  deps: RulesDeps,
  asOfArg?: string,
  options: SweepOptions = {},
): Promise<EvaluationSummary> {
  const started = Date.now();
  const asOf = resolveAsOf(deps.clock, asOfArg);
  const pageSize = options.chunkSize ?? SWEEP_PAGE;
  return deps.db.withAdvisoryLock(RULES_LOCK, async (conn) => {
    const summary: EvaluationSummary = { asOf, children: 0, opened: 0, refreshed: 0, closed: 0, ms: 0 };
    // Only this sweep writes alerts (the lock), and each page's are read before the sweep writes
    // them; pages never share a child.
    // Read once: the worker thread gets it from here rather than asking the server again. The
    // settings are read first, since the context depends on one of them.
    const settings = await loadSettings(deps.db);
    const newestAddresses = options.newestAddresses !== undefined;
    const threshold = numberSetting(settings, 'RECURRING_ADDRESS', 'threshold');
    const shared = readSweepContext(deps.db, asOf, threshold);
    const context = shared.then((c) => ruleContext(c.units, c.releases));
    context.catch(() => {}); // awaited below; this only keeps an early failure from going unhandled
    await conn.query('BEGIN');
    let worker: SweepWorker | null = null;
    try {
      // On an empty alert table (a first sweep) the indexes are built once at the end, and there
      // are no open alerts to read.
      const setAside = await setAsideAlertIndexes(conn);
      const readOpenAlerts = setAside === null;
      summary.closed += await closeAlertsOfInactiveChildren(conn, asOf);
      const starts = await activeChildPageStarts(deps.db, pageSize);
      let next = 0;
      let failed = false;
      // A page runs from its start to the next page's.
      const take = (): PageBounds | null => {
        if (failed || next >= starts.length) return null;
        next++;
        return { first: starts[next - 1]!, before: starts[next] ?? null };
      };
      // Pages' changes are written one after another on this connection while the next pages are
      // evaluated; a few at most wait their turn, so memory stays bounded.
      let writing: Promise<void> = Promise.resolve();
      let waiting = 0;
      let writeError: unknown = null;
      const apply = async (page: PageResult) => {
        waiting++;
        writing = writing
          .then(() => (writeError === null ? writePage(conn, page, asOf) : undefined))
          .catch((e: unknown) => {
            writeError ??= e;
            failed = true;
          })
          .finally(() => void waiting--);
        summary.children += page.children;
        summary.opened += page.opened;
        summary.refreshed += page.updates.length;
        summary.closed += page.closes.length;
        for (const [childId, address] of page.newestAddresses ?? [])
          options.newestAddresses?.set(childId, address);
        options.onProgress?.(page.children);
        if (waiting > 3) await writing;
      };
      const here = async () => {
        // The open alerts of the next page are read while this one is evaluated.
        const readOpen = (page: PageBounds | null) => {
          if (page === null) return null;
          return { page, open: readPageOpenAlerts(deps.db, page, readOpenAlerts) };
        };
        let next = readOpen(take());
        while (next) {
          const { page, open } = next;
          const ctx = await context;
          const before = await open;
          next = readOpen(take());
          await apply(
            await sweepPage(deps.db, page, pageSize, before, asOf, settings, ctx, { newestAddresses }),
          );
        }
      };
      const useWorker =
        deps.db.url !== undefined &&
        starts.length >= (options.worker === true ? 2 : WORKER_FROM_PAGES) &&
        options.worker !== false;
      if (useWorker) {
        const w = (worker = new SweepWorker({
          url: deps.db.url!,
          asOf,
          settings,
          pageSize,
          readOpenAlerts,
          newestAddresses,
        }));
        // A failed read fails the sweep here; the worker's pages then fail with it, not wait.
        shared.then(
          (c) => w.shareContext(c),
          () => w.shareNoContext('the sweep could not read the context of the address rules'),
        );
      }
      const lanes = [here(), ...(worker ? [worker.run(take, apply)] : [])];
      try {
        await Promise.all(lanes);
      } catch (e) {
        failed = true;
        await Promise.allSettled(lanes);
        throw e;
      } finally {
        await writing;
      }
      if (writeError !== null) throw writeError;
      if (setAside) await restoreAlertIndexes(conn, setAside);
      await conn.query('COMMIT');
    } catch (e) {
      await conn.query('ROLLBACK').catch(() => {});
      throw e;
    } finally {
      await worker?.stop();
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

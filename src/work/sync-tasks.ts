// Brings tasks in line with alerts: closes tasks whose alert closed, moves open tasks whose office
// changed (the child moved to another ERO area, the case to another court), opens (or reopens) one
// task per open alert and office kind that must act, and escalates tasks past their deadline.
// Idempotent.
import type { Db, Queryable } from '../db/index.ts';
import type { Clock } from '../shared/clock.ts';
import { isoDate } from '../shared/clock.ts';
import type { Log } from '../shared/log.ts';
import { CATALOGUE, resolveSettings, type SettingValue } from '../rules/catalogue.ts';
import { deliverTasksOverdue, type RecordedOverdue } from '../notify/index.ts';
import * as q from './work.queries.ts';

export interface SyncDeps {
  db: Db;
  clock: Clock;
  log: Log;
}

export interface SyncOptions {
  /** Only these children (after an evaluation of them); all children when absent. */
  childIds?: readonly string[];
  /**
   * Move open tasks whose office changed (default true). The hourly sweep passes false: addresses
   * and courts change only through ingests, whose children are synced (and re-routed) right away,
   * and re-routing every open task costs the sweep a routing of the whole population.
   */
  reroute?: boolean;
  /**
   * Most alerts lack their tasks (a bulk load). The planner cannot tell how many children the
   * routing reads (they come from a CTE) and looks each one's records up by index: 44 s for the
   * 330,000 children of a first load at full scale, against 14 s by hash joins.
   */
  bulk?: boolean;
}

export interface SyncResult {
  closed: number;
  opened: number;
  reopened: number;
  /** Open tasks moved to another office (the child's address or court changed). */
  rerouted: number;
  escalated: number;
}

export async function syncTasks(deps: SyncDeps, options: SyncOptions = {}): Promise<SyncResult> {
  const now = deps.clock.now();
  const today = isoDate(now);
  const children = options.childIds ? [...options.childIds] : null;
  if (children && children.length === 0)
    return { closed: 0, opened: 0, reopened: 0, rerouted: 0, escalated: 0 };

  const { counts, followed } = await deps.db.transaction(async (tx) => {
    await tx.query(q.LOCK_SYNC);
    // Compiling the statements (JIT) of a sync over every child took the server 2.2 s at full
    // scale (1.4 s routing, 0.8 s opening) and saved nothing; a small sync is never compiled.
    await tx.query('SET LOCAL jit = off');
    await tx.query(q.LOCK_ALL_OFFICES);
    const closed = await count(tx, q.CLOSE_RESOLVED, [now, children]);
    const rerouted = options.reroute === false ? 0 : await count(tx, q.REROUTE_OPEN, [children, now]);
    const rules = JSON.stringify(await ruleTerms(tx));
    const followed = await count(tx, q.FOLLOW_ALERTS, [now, children, rules]);

    if (options.bulk) await tx.query('SET LOCAL enable_nestloop = off');
    const routed = await tx.query<{
      alert_id: string;
      kind: string;
      office_id: string;
      addr_state: string | null;
      held: boolean;
    }>(q.ROUTE_CANDIDATES, [children]);
    if (options.bulk) await tx.query('RESET enable_nestloop');
    let opened = 0;
    let reopened = 0;
    let escalated = 0;
    // The overdue messages the statements recorded, when a subscription takes them.
    const overdue: RecordedOverdue[] = [];
    const tally = (rows: readonly (OverdueRow & { n?: number })[]) => {
      escalated += rows[0]?.escalated ?? 0;
      for (const { n: _n, escalated: _e, ...event } of rows)
        if (event.event_pk !== null) overdue.push(event as RecordedOverdue);
    };
    if (routed.length) {
      const offices = [...new Set(routed.map((r) => r.office_id))];
      await tx.query(q.ADD_COURT_OFFICES, [offices]);
      const params = (rows: typeof routed) => [
        rows.map((r) => r.alert_id),
        rows.map((r) => r.kind),
        rows.map((r) => r.office_id),
        rows.map((r) => r.addr_state),
        rules,
        now,
      ];
      // A child's earlier task for the rule and office kind comes back; otherwise a new one opens.
      const held = routed.filter((r) => r.held);
      const fresh = routed.filter((r) => !r.held);
      if (held.length) reopened = await count(tx, q.REOPEN_RETURNING, params(held));
      if (fresh.length) {
        const rows = await tx.query<OverdueRow & { n: number }>(q.OPEN_NEW, [...params(fresh), today]);
        opened = rows[0]?.n ?? 0;
        tally(rows);
      }
    }
    tally(await tx.query<OverdueRow>(q.ESCALATE_OVERDUE, [now, today, children]));
    // The offices and agencies that subscribe hear of each crossing with the escalation itself.
    await deliverTasksOverdue(tx, overdue);
    return { counts: { closed, opened, reopened, rerouted, escalated }, followed };
  });
  if (Object.values(counts).some((n) => n > 0) || followed > 0) {
    deps.log.info({ ...counts, followed, scope: children ? children.length : 'all' }, 'tasks synced');
  }
  return counts;
}

type Nullable<T> = { [K in keyof T]: T[K] | null };
/** A row of OPEN_NEW or ESCALATE_OVERDUE: the count escalated, and a message recorded or nulls. */
type OverdueRow = { escalated: number } & Nullable<RecordedOverdue>;

async function count(tx: Queryable, sql: string, params: readonly unknown[]): Promise<number> {
  const rows = await tx.query<{ n: number }>(sql, params);
  return Number(rows[0]?.n ?? 0);
}

/** Each rule's deadline (stored settings override the catalogue) and each office kind's action. */
async function ruleTerms(
  tx: Queryable,
): Promise<Record<string, { deadline_days: number; actions: Record<string, string> }>> {
  const stored = await tx.query<{ rule_id: string; key: string; value: SettingValue }>(q.RULE_SETTINGS);
  const settings = resolveSettings(stored.map((s) => ({ ruleId: s.rule_id, key: s.key, value: s.value })));
  const out: Record<string, { deadline_days: number; actions: Record<string, string> }> = {};
  for (const r of CATALOGUE) {
    const d = settings[r.id].deadline_days;
    out[r.id] = {
      deadline_days: typeof d === 'number' ? d : 30,
      actions: Object.fromEntries(r.offices.map((o) => [o.office, o.action])),
    };
  }
  return out;
}

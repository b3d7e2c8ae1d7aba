// The one place where everything derived from feed rows is wired to the feeds. An ingest chunk
// queues the records it changed in its own transaction; `runProjections` then links them, evaluates
// the rules of the children they touch, records the notifications (alerts, addresses), refreshes
// the report's facts, and opens or closes tasks, in that order. Both edges (CLI ingest/rebuild
// and the HTTP push, through a worker job) use it. A first load, where the queue is most of the
// records, is taken at once instead (`bulkLoad`): one full link, the rules sweep, every fact.
import { performance } from 'node:perf_hooks';
import type { Db, Queryable } from './db/index.ts';
import type { Clock } from './shared/clock.ts';
import { isoDate } from './shared/clock.ts';
import type { Log } from './shared/log.ts';
import { enqueueJob } from './jobs/index.ts';
import { linkAll, linkRecords } from './identity/index.ts';
import { evaluateChildrenIn, sweepRules } from './rules/index.ts';
import { syncTasks } from './work/index.ts';
import { recordAddressChanges, recordEvents, type EventInput, type NewestAddress } from './notify/index.ts';
import { refreshReportFacts } from './reports/index.ts';

export const PROJECTIONS_QUEUE = 'projections.run';
const BATCH = 20_000;
const PROJECTIONS_LOCK = 0x50524f4a;

export interface ProjectionDeps {
  db: Db;
  log: Log;
  clock: Clock;
}

export interface Projections {
  /** Inside each ingest chunk's transaction, with the ids of `record` rows inserted or changed. */
  afterRecordsChanged?: (tx: Queryable, recordIds: number[]) => Promise<void>;
  /** After `bridge rebuild` has rebuilt `record` from the raw rows. */
  afterRebuild?: (db: Db) => Promise<void>;
}

export interface ProjectionSummary {
  /** Rounds of linking and evaluation (records that arrive meanwhile are taken in the next). */
  rounds: number;
  records: number;
  children: number;
  alertsOpened: number;
  alertsClosed: number;
  tasksOpened: number;
  tasksClosed: number;
  events: number;
  /** Milliseconds spent linking, evaluating (rules and notifications, one transaction) and on tasks. */
  ms: { link: number; evaluate: number; tasks: number };
}

export function projections(deps?: { log: Log; clock: Clock }): Projections {
  return {
    async afterRecordsChanged(tx, recordIds) {
      await tx.query(
        // Queued again while a round works on it: a new number keeps it queued after that round.
        `INSERT INTO projection_pending (record_pk) SELECT unnest($1::bigint[])
         ON CONFLICT (record_pk) DO UPDATE SET seq = nextval('projection_pending_seq'), queued_at = now()`,
        [recordIds],
      );
      await enqueueJob(tx, PROJECTIONS_QUEUE, {});
    },
    async afterRebuild(db) {
      if (deps) await rebuildProjections({ db, ...deps });
    },
  };
}

interface ChangedAlert {
  id: number;
  child_id: string;
  rule_id: string;
  severity: string;
  opened: boolean;
  close_reason: string | null;
  addr_state: string | null;
  field_office: string | null;
  details: Record<string, unknown>;
}

/**
 * Records the notifications for the alerts this transaction opened or closed, or (`since`) for the
 * alerts of some children opened or closed since an instant, unless recorded already.
 */
async function recordAlertEvents(
  tx: Queryable,
  occurredAt: Date,
  since?: { children: readonly string[]; from: Date },
): Promise<number> {
  // now() is the transaction's start: the alerts this transaction wrote carry exactly it.
  const changed = await tx.query<ChangedAlert>(
    `SELECT id, child_id, rule_id, severity, (closed_at IS NULL) AS opened, close_reason, addr_state,
            field_office, details
     FROM alert
     WHERE ${
       since
         ? `child_id = ANY($1::text[]) AND (opened_at >= $2 OR closed_at >= $2)
            AND NOT EXISTS (SELECT 1 FROM notify_event e WHERE e.event_id =
                              'alert-' || alert.id || CASE WHEN closed_at IS NULL THEN '-opened' ELSE '-closed' END)`
         : 'opened_at = now() OR closed_at = now()'
     }
     ORDER BY id`,
    since ? [since.children, since.from] : [],
  );
  const events: EventInput[] = [];
  for (const a of changed) {
    const common = { childId: a.child_id, office: a.field_office, state: a.addr_state, occurredAt };
    if (a.opened) {
      events.push({
        ...common,
        type: 'alert.opened',
        eventId: `alert-${a.id}-opened`,
        data: {
          alert_id: a.id,
          alert_kind: a.rule_id,
          opened_at: occurredAt.toISOString(),
          reason: a.rule_id,
        },
      });
      if (a.rule_id === 'FAILED_TO_APPEAR') {
        const d = a.details;
        events.push({
          ...common,
          type: 'child.failed_to_appear',
          eventId: `alert-${a.id}-fta`,
          data: {
            hearing_at: Array.isArray(d.hearings_missed) ? d.hearings_missed.at(-1) : null,
            court_code: d.court_code ?? null,
            in_absentia: d.in_absentia ?? null,
          },
        });
      } else if (a.rule_id === 'FLED_CUSTODY') {
        events.push({ ...common, type: 'child.fled_custody', eventId: `alert-${a.id}-fled`, data: {} });
      }
    } else {
      events.push({
        ...common,
        type: 'alert.closed',
        eventId: `alert-${a.id}-closed`,
        data: {
          alert_id: a.id,
          alert_kind: a.rule_id,
          closed_at: occurredAt.toISOString(),
          resolution: a.close_reason,
        },
      });
    }
  }
  await recordEvents(tx, events);
  return events.length;
}

/** Brings links, alerts, tasks and notifications up to date for every queued record. */
export async function runProjections(
  deps: ProjectionDeps,
  options: { /** Records per round (default 20,000). */ batch?: number } = {},
): Promise<ProjectionSummary> {
  const batch = options.batch ?? BATCH;
  const total: ProjectionSummary = {
    rounds: 0,
    records: 0,
    children: 0,
    alertsOpened: 0,
    alertsClosed: 0,
    tasksOpened: 0,
    tasksClosed: 0,
    events: 0,
    ms: { link: 0, evaluate: 0, tasks: 0 },
  };
  return deps.db.withAdvisoryLock(PROJECTIONS_LOCK, async () => {
    if (await isBulkLoad(deps.db, batch)) await bulkLoad(deps, total, batch);
    for (;;) {
      const queued = await deps.db.query<{ record_pk: number; seq: number }>(
        `SELECT record_pk, seq FROM projection_pending ORDER BY record_pk LIMIT $1`,
        [batch],
      );
      const pending = queued.map((r) => r.record_pk);
      // Children kept by a round that stopped before its end (see migration 0091).
      const kept = (
        await deps.db.query<{ child_id: string }>(`SELECT child_id FROM projection_pending_child`)
      ).map((r) => r.child_id);
      if (pending.length === 0 && kept.length === 0) return total;
      let t0 = performance.now();
      const before = await childrenOf(deps.db, pending);
      // Written before the links change, so that a rerun after a crash still knows them.
      await deps.db.query(
        `INSERT INTO projection_pending_child (child_id) SELECT unnest($1::text[]) ON CONFLICT DO NOTHING`,
        [before],
      );
      if (pending.length) await linkRecords(deps, pending);
      const after = await childrenOf(deps.db, pending);
      const merged = await deps.db.query<{ id: string }>(
        `SELECT id FROM child WHERE merged_into = ANY($1::text[])`,
        [after],
      );
      const children = [...new Set([...kept, ...before, ...after, ...merged.map((m) => m.id)])].sort();
      total.ms.link += performance.now() - t0;
      t0 = performance.now();
      const now = deps.clock.now();
      // Every step below may run again for the same records after a crash, and does nothing twice:
      // alerts open and close by state, events are recorded for what this transaction changed,
      // addresses already announced are not announced again, tasks follow the alerts.
      const summary = await deps.db.transaction(async (tx) => {
        // The rules build each child's case; the address messages take its newest address from it.
        const newest = new Map<string, NewestAddress | null>();
        const rules = await evaluateChildrenIn(tx, children, isoDate(now), newest);
        const addresses = await recordAddressChanges(tx, children, isoDate(now), now, newest);
        const events = (await recordAlertEvents(tx, now)) + addresses.changed + addresses.drift;
        await refreshReportFacts(tx, { childIds: children, recordIds: pending });
        return { rules, events };
      });
      total.ms.evaluate += performance.now() - t0;
      t0 = performance.now();
      // Every child evaluated: the round's own, and those an address of theirs affects (a recurring
      // address opens an alert for each child released there), whose tasks follow their alerts too.
      const tasks = await syncTasks(deps, { childIds: summary.rules.evaluated });
      // Only now is the round done: until this commits, a rerun takes the same records again.
      await deps.db.transaction(async (tx) => {
        await tx.query(
          `DELETE FROM projection_pending p USING unnest($1::bigint[], $2::bigint[]) AS d(record_pk, seq)
           WHERE p.record_pk = d.record_pk AND p.seq = d.seq`,
          [pending, queued.map((r) => r.seq)],
        );
        await tx.query(`DELETE FROM projection_pending_child WHERE child_id = ANY($1::text[])`, [
          [...new Set([...kept, ...before])],
        ]);
      });
      total.ms.tasks += performance.now() - t0;
      total.rounds++;
      total.records += pending.length;
      total.children += children.length;
      total.alertsOpened += summary.rules.opened;
      total.alertsClosed += summary.rules.closed;
      total.events += summary.events;
      total.tasksOpened += tasks.opened + tasks.reopened;
      total.tasksClosed += tasks.closed;
      deps.log.debug({ ...total }, 'projections brought up to date');
    }
  });
}

// A bulk load: more records are queued than one round takes, and they are more than half of all
// records (a first load, or a reload of most of the feeds). Linking them round by round would
// re-cluster the growing population again and again (a first load at full scale takes 150
// rounds); linking everything at once gives the same children (the full and incremental paths
// agree), and the rules sweep gives the same alerts as evaluating each child.
async function isBulkLoad(db: Queryable, batch: number): Promise<boolean> {
  const [row] = await db.query<{ bulk: boolean }>(
    `SELECT EXISTS (SELECT 1 FROM projection_pending OFFSET $1)
        AND (SELECT count(*) FROM projection_pending) * 2 > (SELECT count(*) FROM record) AS bulk`,
    [batch],
  );
  return Boolean(row?.bulk);
}

/**
 * Links, evaluates, reports and routes every record at once, then records the notifications the
 * rounds would have recorded: the alerts opened or closed meanwhile, each changed address. A crash
 * leaves the queue in place, and the next run does it again (same children, stable ids; alerts and
 * addresses already announced are not announced again).
 */
async function bulkLoad(deps: ProjectionDeps, total: ProjectionSummary, batch: number): Promise<void> {
  let t0 = performance.now();
  const [queued] = await deps.db.query<{ n: number; seq: string; started: Date }>(
    // The first record was queued before any of the alerts it can raise; the time survives a crash.
    'SELECT count(*)::int AS n, max(seq) AS seq, min(queued_at) AS started FROM projection_pending',
  );
  await linkAll(deps);
  total.ms.link += performance.now() - t0;
  t0 = performance.now();
  // The report's facts read only links and records: the server builds them on its own connection
  // while this process evaluates the rules; tasks (SQL) likewise go beside the messages (Node).
  // When each part ended, in seconds from the start of the evaluation (logged at the end).
  const ended: Record<string, number> = {};
  const started = t0;
  const end = (part: string) => {
    ended[part] = Math.round(performance.now() - started) / 1000;
  };
  const facts = deps.db.transaction((tx) => refreshReportFacts(tx, 'all')).then(() => end('facts'));
  facts.catch(() => {}); // awaited below; this only keeps an early failure from going unhandled
  // The sweep builds every active child's case; their newest addresses are kept for the messages,
  // as of the same date, so that only the other children's cases are built again for them.
  const asOf = isoDate(deps.clock.now());
  const newest = new Map<string, NewestAddress | null>();
  const rules = await sweepRules(deps, asOf, { newestAddresses: newest });
  end('rules');
  const children = (
    await deps.db.query<{ id: string }>('SELECT id FROM child WHERE merged_into IS NULL ORDER BY id')
  ).map((c) => c.id);
  const now = deps.clock.now();
  const tasks = syncTasks(deps, { bulk: true }).then((synced) => {
    end('tasks');
    return synced;
  });
  tasks.catch(() => {});
  for (let i = 0; i < children.length; i += batch) {
    const chunk = children.slice(i, i + batch);
    total.events += await deps.db.transaction(async (tx) => {
      const addresses = await recordAddressChanges(tx, chunk, asOf, now, newest);
      for (const id of chunk) newest.delete(id);
      const alerts = await recordAlertEvents(tx, now, { children: chunk, from: queued!.started });
      return alerts + addresses.changed + addresses.drift;
    });
  }
  end('messages');
  await facts;
  total.ms.evaluate += performance.now() - t0;
  t0 = performance.now();
  const routed = await tasks;
  // Records queued while this ran (a higher number) stay for the rounds.
  await deps.db.query('DELETE FROM projection_pending WHERE seq <= $1', [queued!.seq]);
  await deps.db.query('DELETE FROM projection_pending_child');
  total.ms.tasks += performance.now() - t0;
  deps.log.info({ ended }, 'bulk load evaluated');
  total.rounds++;
  total.records += queued!.n;
  total.children += children.length;
  total.alertsOpened += rules.opened;
  total.alertsClosed += rules.closed;
  total.tasksOpened += routed.opened + routed.reopened;
  total.tasksClosed += routed.closed;
}

async function childrenOf(db: Queryable, recordPks: readonly number[]): Promise<string[]> {
  const rows = await db.query<{ child_id: string }>(
    `SELECT DISTINCT child_id FROM record_link WHERE record_pk = ANY($1::bigint[])`,
    [recordPks],
  );
  return rows.map((r) => r.child_id);
}

/** Recomputes links, alerts, report facts and tasks for every record (after `bridge rebuild`). */
export async function rebuildProjections(deps: ProjectionDeps): Promise<void> {
  await linkAll(deps);
  await afterFullLink(deps);
  await deps.db.query('DELETE FROM projection_pending');
  await deps.db.query('DELETE FROM projection_pending_child');
}

/** Brings everything that depends on links up to date after every record was re-linked. */
export async function afterFullLink(deps: ProjectionDeps): Promise<void> {
  await sweepRules(deps);
  await deps.db.transaction((tx) => refreshReportFacts(tx, 'all'));
  await syncTasks(deps);
}

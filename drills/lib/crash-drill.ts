// What the kill -9 drills share: a simulated population's feeds as the batches an agency system
// pushes, a scratch database (PostgreSQL or an embedded folder) with a push token per source and a
// webhook subscription, a sender that retries what was not acknowledged, waiting until the service
// has caught up, and the stored state that must not depend on where a process was killed.
import fs from 'node:fs';
import path from 'node:path';
import crypto from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { simulate } from '../../src/simulate/index.ts';
import {
  createBatch,
  expandPaths,
  finishBatch,
  ingestRows,
  readFeedFile,
  sourceFromFileName,
  type Source,
} from '../../src/feeds/index.ts';
import { feedState } from '../../src/feeds/state.testing.ts';
import { migrate, type Db, type Queryable } from '../../src/db/index.ts';
import { openPglite } from '../../src/db/pglite.ts';
import { openPostgres } from '../../src/db/postgres.ts';
import { createToken } from '../../src/access/index.ts';
import { addSubscription } from '../../src/notify/index.ts';
import { systemClock } from '../../src/shared/clock.ts';
import { PROJECTIONS_QUEUE, projections } from '../../src/projections.ts';
import type { WebhookReceiver } from '../../src/notify/test-receivers.ts';
import { startServe, type ServeOptions, type ServeProcess } from '../../bench/lib/serve-process.ts';
import { adminQuery } from '../../bench/lib/bench-database.ts';

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export interface FeedBatch {
  source: Source;
  records: Record<string, string>[];
}

/** The simulated feeds of `children` children, in file order, cut into pushes of `size` records. */
export async function simulatedBatches(
  dir: string,
  options: { children: number; seed: number; size: number },
): Promise<FeedBatch[]> {
  await simulate({ outDir: dir, children: options.children, seed: options.seed });
  const batches: FeedBatch[] = [];
  for (const file of expandPaths([dir])) {
    const source = sourceFromFileName(path.basename(file))!;
    let records: Record<string, string>[] = [];
    for await (const row of readFeedFile(file, source)) {
      // A line the CSV reader could not split has no fields to send as JSON.
      if (row.readProblems?.length) continue;
      records.push(row.fields);
      if (records.length === options.size) {
        batches.push({ source, records });
        records = [];
      }
    }
    if (records.length) batches.push({ source, records });
  }
  return batches;
}

const AGENCY_OF_SOURCE: Record<Source, string> = {
  cbp: 'CBP',
  ice: 'ICE',
  orr: 'HHS',
  opla: 'OPLA',
  eoir: 'EOIR',
};

/** A scratch database for one run of a drill. */
export interface DrillTarget {
  label: string;
  database: string | { dataDir: string };
  engine: 'postgres' | 'pglite';
  /** Opens the database (the embedded one only while no `bridge serve` holds it). */
  open(): Promise<Db>;
  drop(): Promise<void>;
}

export async function createTarget(
  label: string,
  where: { adminUrl: string; prefix: string } | { dir: string },
): Promise<DrillTarget> {
  if ('dir' in where) {
    const dataDir = path.join(where.dir, label);
    return {
      label,
      database: { dataDir },
      engine: 'pglite',
      open: () => openPglite({ dataDir }),
      drop: async () => fs.rmSync(dataDir, { recursive: true, force: true }),
    };
  }
  const name = `${where.prefix}${label}_${crypto.randomBytes(3).toString('hex')}`;
  const admin = (sql: string) => adminQuery(where.adminUrl, sql);
  await admin(`CREATE DATABASE ${name}`);
  const url = Object.assign(new URL(where.adminUrl), { pathname: `/${name}` }).toString();
  return {
    label,
    database: url,
    engine: 'postgres',
    open: () => openPostgres(url),
    drop: () => admin(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`),
  };
}

/**
 * Migrates, creates a push token per source and subscribes `receiver` to every event of at least
 * `minSeverity` (default: all).
 */
export async function setUpTarget(
  target: DrillTarget,
  receiver: WebhookReceiver,
  minSeverity = 'info',
): Promise<{ tokens: Record<Source, string> }> {
  const db = await target.open();
  try {
    await migrate(db);
    const tokens = {} as Record<Source, string>;
    for (const source of Object.keys(AGENCY_OF_SOURCE) as Source[]) {
      const { secret } = await createToken(
        { db, clock: systemClock },
        {
          name: `${source}-push`,
          permission: 'feed.push',
          resource: source,
          agency: AGENCY_OF_SOURCE[source],
        },
      );
      tokens[source] = secret;
    }
    const { secret } = await addSubscription(db, {
      agency: 'OVERSIGHT',
      name: 'oversight receiver',
      webhookUrl: receiver.url,
      eventTypes: ['*'],
      minSeverity,
    });
    receiver.setSecret(secret!);
    return { tokens };
  } finally {
    await db.close();
  }
}

/**
 * Stores the batches as the push route does (each chunk's records queued for the projections in
 * its transaction) with no worker running: the projections wait in the queue.
 */
export async function queueBatches(target: DrillTarget, batches: readonly FeedBatch[]): Promise<void> {
  const db = await target.open();
  try {
    const hooks = projections();
    for (const [i, b] of batches.entries()) {
      const batchId = await createBatch(db, b.source, 'http', `drill-${i}`, systemClock.now());
      const rows = b.records.map((fields, k) => ({ line: k + 1, rawText: JSON.stringify(fields), fields }));
      const { counts } = await ingestRows(
        { db, clock: systemClock, afterRecordsChanged: hooks.afterRecordsChanged },
        { source: b.source, batchId, rows },
      );
      await finishBatch(db, batchId, systemClock.now(), counts);
    }
  } finally {
    await db.close();
  }
}

export interface PushStats {
  requests: number;
  /** Requests that got no answer or a 5xx, and were sent again. */
  resent: number;
  /** Records the service answered for, by status, over the acknowledged requests. */
  answered: Record<string, number>;
}

/**
 * Sends the batches one after another as an agency system does: a batch not acknowledged (no answer,
 * connection refused, 5xx) is sent again until it is, for at most `patienceMs` per batch.
 */
export async function pushBatches(
  base: () => string,
  tokens: Record<Source, string>,
  batches: readonly FeedBatch[],
  options: { beforeSend?: (index: number) => void; patienceMs?: number } = {},
): Promise<PushStats> {
  const stats: PushStats = { requests: 0, resent: 0, answered: {} };
  for (let i = 0; i < batches.length; i++) {
    const b = batches[i]!;
    const giveUp = Date.now() + (options.patienceMs ?? 60_000);
    options.beforeSend?.(i);
    for (;;) {
      stats.requests++;
      let status = 0;
      let text = '';
      try {
        const res = await fetch(`${base()}/api/v1/feeds/${b.source}/records`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', authorization: `Bearer ${tokens[b.source]}` },
          body: JSON.stringify(b.records),
        });
        status = res.status;
        text = await res.text();
      } catch {
        status = 0;
      }
      if (status === 200) {
        const body = JSON.parse(text) as { results: { status: string }[] };
        for (const r of body.results) stats.answered[r.status] = (stats.answered[r.status] ?? 0) + 1;
        break;
      }
      if (status !== 0 && status < 500) throw new Error(`batch ${i}: HTTP ${status} ${text.slice(0, 300)}`);
      if (Date.now() > giveUp) throw new Error(`batch ${i}: not acknowledged in time (last: ${status})`);
      stats.resent++;
      await sleep(100);
    }
  }
  return stats;
}

/** What is still to do: queued projections, their jobs, and deliveries not yet settled. */
export async function backlog(db: Queryable): Promise<number> {
  const [row] = await db.query<{ n: number }>(
    `SELECT ((SELECT count(*) FROM projection_pending) + (SELECT count(*) FROM projection_pending_child)
      + (SELECT count(*) FROM job WHERE queue = $1 AND status IN ('queued', 'running'))
      + (SELECT count(*) FROM notify_delivery WHERE status IN ('pending', 'delivering')))::int AS n`,
    [PROJECTIONS_QUEUE],
  );
  return row!.n;
}

/**
 * Waits until the running service has nothing left to do, then stops it. On PostgreSQL the
 * database is watched while it runs. An embedded database can be opened by one process only: once
 * the receiver has had nothing for two seconds, the service is stopped (SIGTERM), the database
 * checked, and the service started again if work is left.
 */
export async function settle(
  target: DrillTarget,
  serve: ServeProcess,
  receiver: WebhookReceiver,
  env: Record<string, string>,
  options: { timeoutMs?: number } = {},
): Promise<void> {
  const until = Date.now() + (options.timeoutMs ?? 180_000);
  const late = () => {
    if (Date.now() > until) throw new Error(`${target.label}: the service did not catch up in time`);
  };
  let current = serve;
  if (target.engine === 'postgres') {
    const db = await target.open();
    try {
      while ((await backlog(db)) > 0) {
        late();
        await sleep(200);
      }
    } finally {
      await db.close();
    }
    await current.stop();
    return;
  }
  for (;;) {
    const since = performance.now();
    for (;;) {
      const last = Math.max(since, receiver.received.at(-1)?.at ?? 0);
      if (performance.now() - last >= 2000) break;
      late();
      await sleep(100);
    }
    await current.stop();
    const db = await target.open();
    const left = await backlog(db).finally(() => db.close());
    if (left === 0) return;
    late();
    current = await startServe(target.database, env, { worker: true, port: current.port });
  }
}

export function serveWithWorker(
  target: DrillTarget,
  env: Record<string, string>,
  options: ServeOptions = {},
) {
  return startServe(target.database, env, { worker: true, ...options });
}

interface ChildKeyRow {
  child_id: string;
  members: string;
}

/**
 * The stored state that must not depend on how often or where a process was killed. Child ids
 * are given out as records arrive, so each child is named by its records (`source:record_id ...`).
 * `history` adds what depends on when the projections ran (closed alerts and tasks, events),
 * comparable only when both runs took their records in the same rounds.
 */
export async function drillState(
  db: Queryable,
  options: { history: boolean },
): Promise<Record<string, unknown>> {
  const groups = await db.query<ChildKeyRow>(
    `SELECT l.child_id, string_agg(r.source || ':' || r.record_id, ' ' ORDER BY r.source, r.record_id) AS members
     FROM record_link l JOIN record r ON r.id = l.record_pk GROUP BY l.child_id`,
  );
  const keyOf = new Map(groups.map((g) => [g.child_id, g.members]));
  const key = (id: string | null) => (id === null ? null : (keyOf.get(id) ?? `child without records`));
  const sorted = <T>(rows: T[]) =>
    rows
      .map((r) => JSON.stringify(r))
      .sort()
      .map((r) => JSON.parse(r) as T);
  const alerts = await db.query<Record<string, unknown> & { child_id: string }>(
    `SELECT child_id, rule_id, severity, opened_on::text, due_on::text, field_office, addr_state,
            closed_on::text, close_reason, closed_at IS NULL AS open
     FROM alert ${options.history ? '' : 'WHERE closed_at IS NULL'}`,
  );
  const tasks = await db.query<Record<string, unknown> & { child_id: string }>(
    `SELECT child_id, rule_id, office_id, office_kind, severity, due_on::text, addr_state, status,
            reopened_count
     FROM task ${options.history ? '' : `WHERE status = 'open'`}`,
  );
  const state: Record<string, unknown> = {
    ...(await feedState(db)),
    children: (
      await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM child WHERE merged_into IS NULL`)
    )[0]!.n,
    links: groups.map((g) => g.members).sort(),
    alerts: sorted(alerts.map((a) => ({ ...a, child_id: key(a.child_id) }))),
    tasks: sorted(tasks.map((t) => ({ ...t, child_id: key(t.child_id) }))),
  };
  if (options.history) {
    const events = await db.query<{ type: string; child_id: string | null }>(
      `SELECT type, child_id FROM notify_event`,
    );
    state.events = sorted(events.map((e) => ({ type: e.type, child: key(e.child_id) })));
  }
  return state;
}

/** Which parts of two states differ, with a count of rows on each side. */
export function differences(expected: Record<string, unknown>, actual: Record<string, unknown>): string[] {
  const out: string[] = [];
  for (const k of Object.keys(expected)) {
    const a = JSON.stringify(expected[k]);
    const b = JSON.stringify(actual[k]);
    if (a === b) continue;
    const size = (v: unknown) => (Array.isArray(v) ? `${v.length} rows` : JSON.stringify(v));
    let example = '';
    if (Array.isArray(expected[k]) && Array.isArray(actual[k])) {
      const mine = new Set((actual[k] as unknown[]).map((r) => JSON.stringify(r)));
      const theirs = new Set((expected[k] as unknown[]).map((r) => JSON.stringify(r)));
      const onlyClean = [...theirs].filter((r) => !mine.has(r));
      const onlyKilled = [...mine].filter((r) => !theirs.has(r));
      example =
        ` (${onlyClean.length} only in the clean run, e.g. ${onlyClean[0] ?? '-'}; ` +
        `${onlyKilled.length} only in the killed run, e.g. ${onlyKilled[0] ?? '-'})`;
    }
    out.push(`${k}: clean run ${size(expected[k])}, killed run ${size(actual[k])}${example}`);
  }
  return out;
}

/** Every delivery of the database against what the receiver got, by idempotency key. */
export async function deliveryCheck(
  db: Queryable,
  receiver: WebhookReceiver,
): Promise<{
  deliveries: number;
  delivered: number;
  received: number;
  distinct: number;
  missing: number;
  unknown: number;
  duplicates: number;
}> {
  const rows = await db.query<{ idempotency_key: string; status: string }>(
    `SELECT idempotency_key, status FROM notify_delivery`,
  );
  const keys = new Set(rows.map((r) => r.idempotency_key));
  const accepted = receiver.received.filter((w) => w.verified && w.status >= 200 && w.status < 300);
  const distinct = new Set(accepted.map((w) => w.id));
  return {
    deliveries: rows.length,
    delivered: rows.filter((r) => r.status === 'delivered').length,
    received: accepted.length,
    distinct: distinct.size,
    missing: [...keys].filter((k) => !distinct.has(k)).length,
    unknown: [...distinct].filter((k) => !keys.has(k)).length,
    duplicates: accepted.length - distinct.size,
  };
}

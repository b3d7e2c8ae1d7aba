// `npm run bench -- work [--scale S] [--url postgres://...]`: worklist latency of the busiest office
// at full scale. Loads a task table shaped like the real one (one child per 448,820 x S released
// children; open and closed tasks spread over the offices by release-state volumes, ORR one
// national queue), then times the worklist queries next to a primary-key lookup in the same run.
// With --url the bench creates its own database on that server and drops it at the end, so it never
// touches the data of the database named in the URL.
import os from 'node:os';
import path from 'node:path';
import fs from 'node:fs';
import type { Db } from '../src/db/index.ts';
import { withScratchDb, type ScratchPlace } from './lib/bench-database.ts';
import { listTasks, officeSummary, type Actor } from '../src/work/index.ts';

const args = process.argv.slice(2);
const opt = (name: string) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : undefined;
};
const scale = Number(opt('scale') ?? '1');
const url = opt('url') ?? process.env.DATABASE_URL;
const CHILDREN = Math.round(448_820 * scale);
const RUNS = 30;
const TODAY = '2026-11-28';

// ERO offices weighted by children released to their area (figures.md, FY2019-FY2023; smaller
// states folded into their office).
const ERO_WEIGHTS: [string, number][] = [
  ['ERO:Houston', 22], ['ERO:San Antonio', 14], ['ERO:Dallas', 17], ['ERO:Harlingen', 6], ['ERO:El Paso', 4],
  ['ERO:Los Angeles', 30], ['ERO:San Francisco', 10], ['ERO:San Diego', 6], ['ERO:Miami', 44],
  ['ERO:New York City', 27], ['ERO:Buffalo', 6], ['ERO:Newark', 23], ['ERO:Baltimore', 22],
  ['ERO:Washington', 24], ['ERO:Atlanta', 40], ['ERO:New Orleans', 30], ['ERO:Chicago', 20],
  ['ERO:Boston', 18], ['ERO:Philadelphia', 10], ['ERO:Detroit', 8], ['ERO:Denver', 6], ['ERO:Phoenix', 5],
  ['ERO:Salt Lake City', 4], ['ERO:Seattle', 6], ['ERO:St. Paul', 6], ['ERO:UNROUTED', 3],
]; // prettier-ignore
const COURTS = [
  'HOU',
  'SNA',
  'DAL',
  'HLG',
  'LOS',
  'SFR',
  'MIA',
  'NYC',
  'NEW',
  'BAL',
  'ARL',
  'ATL',
  'NOL',
  'CHI',
  'BOS',
];

/**
 * Generates the rows in SQL, set-based, on a fresh database. Foreign keys are not checked and
 * triggers do not fire while loading (session_replication_role = replica; the generated rows
 * satisfy the keys by construction), which makes the load several times faster.
 */
async function load(pool: Db): Promise<void> {
  const t0 = Date.now();
  // One transaction: one connection for the setting and the temporary routing table.
  await pool.transaction(async (db) => {
    await db.exec(`SET LOCAL session_replication_role = replica`);
    await db.query(`INSERT INTO child (id) SELECT 'B-' || g FROM generate_series(1, $1::int) g`, [CHILDREN]);
    // About 1.1 actionable alerts per child over the years; ~70% of them open today. A child's second
    // alert (g > children) has another rule, so no child has two open alerts of one rule.
    await db.query(
      `INSERT INTO alert (child_id, rule_id, opened_on, closed_on, closed_at, close_reason, severity, office_kinds,
                        due_on, record_pks, details, evaluated_on)
     SELECT 'B-' || (1 + (g % $1::int)), r.rule, d, CASE WHEN c THEN d + 20 END, CASE WHEN c THEN now() END,
            CASE WHEN c THEN 'facts changed' END, r.sev, r.kinds, d + r.days, '{}', '{}', d
       FROM generate_series(1, ($1::int * 11) / 10) g
       CROSS JOIN LATERAL (SELECT (date '2026-11-28' - (g::bigint * 7919 % 900)::int) AS d, (g % 10) < 3 AS c) x
       CROSS JOIN LATERAL (SELECT (ARRAY['NO_NTA','NO_NTA','NO_NTA','FAILED_TO_APPEAR','ADDRESS_BLANK','ADDRESS_MISSING_UNIT',
                                         'SAFETY_CALL_FAILED','NTA_NOT_FILED','NO_HEARING_SCHEDULED','ADDRESS_DRIFT'])[1 + (g + g / $1::int) % 10] AS rule) rr
       CROSS JOIN LATERAL (SELECT rr.rule,
              CASE rr.rule WHEN 'FAILED_TO_APPEAR' THEN 'critical' WHEN 'ADDRESS_MISSING_UNIT' THEN 'medium'
                           WHEN 'NO_HEARING_SCHEDULED' THEN 'medium' ELSE 'high' END AS sev,
              CASE rr.rule WHEN 'NO_NTA' THEN ARRAY['ERO'] WHEN 'FAILED_TO_APPEAR' THEN ARRAY['ORR','ERO','OPLA']
                           WHEN 'NTA_NOT_FILED' THEN ARRAY['OPLA'] WHEN 'NO_HEARING_SCHEDULED' THEN ARRAY['EOIR']
                           WHEN 'ADDRESS_DRIFT' THEN ARRAY['EOIR','ORR'] ELSE ARRAY['ORR'] END AS kinds,
              CASE rr.rule WHEN 'FAILED_TO_APPEAR' THEN 7 ELSE 30 END AS days) r`,
      [CHILDREN],
    );
    // ERO offices by weight: bucket b in [0, total) belongs to the office whose share covers it.
    const buckets = ERO_WEIGHTS.flatMap(([o, w]) => Array.from({ length: w }, () => o));
    await db.exec(`CREATE TEMP TABLE ero_pick (bucket int PRIMARY KEY, office text NOT NULL) ON COMMIT DROP`);
    await db.query(`INSERT INTO ero_pick SELECT i - 1, o FROM unnest($1::text[]) WITH ORDINALITY u(o, i)`, [
      buckets,
    ]);
    await db.exec(`INSERT INTO office (id, kind, name, supervisor_queue)
    SELECT k || ':' || c, k, k || ' ' || c, k || ':' || c || ':supervisor'
      FROM unnest(ARRAY['${COURTS.join("','")}']) c CROSS JOIN unnest(ARRAY['OPLA','EOIR']) k ON CONFLICT DO NOTHING`);
    await db.exec(
      `INSERT INTO task (alert_id, child_id, rule_id, office_id, office_kind, action, severity, severity_rank, due_on,
                       addr_state, status, assigned_to, assigned_at, escalated_at, escalated_to, opened_at,
                       closed_at, closed_by, outcome, updated_at)
     SELECT a.id, a.child_id, a.rule_id,
            CASE k.kind WHEN 'ORR' THEN 'ORR' WHEN 'ERO' THEN ep.office
                        ELSE k.kind || ':' || (ARRAY['${COURTS.join("','")}'])[1 + a.id % ${COURTS.length}] END,
            k.kind, 'act', a.severity,
            CASE a.severity WHEN 'critical' THEN 0 WHEN 'high' THEN 1 WHEN 'medium' THEN 2 ELSE 3 END,
            a.due_on, 'TX', CASE WHEN a.closed_at IS NULL THEN 'open' ELSE 'closed' END,
            CASE WHEN a.id % 3 = 0 THEN 'officer' || (a.id % 40) END, CASE WHEN a.id % 3 = 0 THEN now() END,
            CASE WHEN a.closed_at IS NULL AND a.due_on < date '${TODAY}' THEN now() END, NULL, now(),
            a.closed_at, CASE WHEN a.closed_at IS NOT NULL THEN 'system' END,
            CASE WHEN a.closed_at IS NOT NULL THEN 'resolved_by_facts' END, now()
       FROM alert a CROSS JOIN LATERAL unnest(a.office_kinds) k(kind)
       JOIN ero_pick ep ON ep.bucket = abs(hashtext(a.id::text)) % ${buckets.length}`,
    );
    // The triggers that keep the offices' open-task counters did not fire either: count once.
    await db.query(`SELECT task_open_count_rebuild()`);
  });
  await pool.exec(`ANALYZE child; ANALYZE alert; ANALYZE task; ANALYZE office; ANALYZE task_open_count`);
  process.stderr.write(`loaded in ${((Date.now() - t0) / 1000).toFixed(1)} s\n`);
}

async function time(fn: () => Promise<unknown>): Promise<{ median: number; p95: number }> {
  for (let i = 0; i < 3; i++) await fn();
  const ms: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const t = process.hrtime.bigint();
    await fn();
    ms.push(Number(process.hrtime.bigint() - t) / 1e6);
  }
  ms.sort((a, b) => a - b);
  return { median: ms[Math.floor(RUNS / 2)]!, p95: ms[Math.ceil(RUNS * 0.95) - 1]! };
}

// With --url, a database of its own on that server; else PGlite in a folder of its own.
const place: ScratchPlace = url
  ? { url, name: `bench_work_${process.pid}` }
  : { dataDir: fs.mkdtempSync(path.join(os.tmpdir(), 'bench-work-')) };
await withScratchDb(place, async (db) => {
  await load(db);
  const counts = await db.query<{ office_id: string; n: number }>(
    `SELECT office_id, count(*)::int AS n FROM task WHERE status = 'open' GROUP BY office_id ORDER BY n DESC`,
  );
  const [all] = await db.query<{ n: number; open: number }>(
    `SELECT count(*)::int AS n, count(*) FILTER (WHERE status = 'open')::int AS open FROM task`,
  );
  const busiest = counts[0]!;
  const busiestEro = counts.find((c) => c.office_id.startsWith('ERO:'))!;
  const admin: Actor = { id: 'bench', offices: ['*'], role: 'admin' };
  const anyId = String(Math.floor(all!.n / 2));
  const deepCursor = async (office: string) => {
    let after: string | undefined;
    for (let i = 0; i < 20; i++)
      after = (await listTasks(db, admin, TODAY, { officeId: office, limit: 50, after })).next ?? undefined;
    return after;
  };

  const rows: [string, () => Promise<unknown>][] = [
    ['baseline: task by primary key', () => db.query(`SELECT * FROM task WHERE id = $1`, [anyId])],
  ];
  for (const o of [busiest.office_id, busiestEro.office_id]) {
    const cursor = await deepCursor(o);
    rows.push(
      [`${o} worklist, first page of 50`, () => listTasks(db, admin, TODAY, { officeId: o, limit: 50 })],
      [
        `${o} worklist, page 21 (keyset)`,
        () => listTasks(db, admin, TODAY, { officeId: o, limit: 50, after: cursor }),
      ],
      [
        `${o} unassigned, due by today`,
        () => listTasks(db, admin, TODAY, { officeId: o, assigned: false, dueBy: TODAY }),
      ],
      [
        `${o} one rule, escalated`,
        () => listTasks(db, admin, TODAY, { officeId: o, rule: 'FAILED_TO_APPEAR', escalated: true }),
      ],
      [`${o} summary counts`, () => officeSummary(db, admin, TODAY, o)],
    );
  }
  rows.push([
    'my tasks (officer7), first page',
    () => listTasks(db, admin, TODAY, { assignedTo: 'officer7', limit: 50 }),
  ]);

  process.stdout.write(
    `work bench on ${db.engine}, scale ${scale}: ${CHILDREN} children, ${all!.n} tasks (${all!.open} open); ` +
      `busiest office ${busiest.office_id} ${busiest.n} open, busiest ERO ${busiestEro.office_id} ${busiestEro.n} open\n\n`,
  );
  const results: [string, { median: number; p95: number }][] = [];
  for (const [name, fn] of rows) results.push([name, await time(fn)]);
  const base = results[0]![1].median;
  const w = Math.max(...results.map(([n]) => n.length));
  process.stdout.write(`${'query'.padEnd(w)}  median ms  p95 ms  x baseline  <= 100 ms\n`);
  for (const [name, r] of results) {
    process.stdout.write(
      `${name.padEnd(w)}  ${r.median.toFixed(2).padStart(9)}  ${r.p95.toFixed(2).padStart(6)}  ${(r.median / base).toFixed(1).padStart(10)}  ${r.p95 <= 100 ? 'yes' : 'NO'}\n`,
    );
  }
});

// `npm run bench -- web [--scale S] [--url postgres://...] [--report-url postgres://...] [--overview]`:
// server time of each web page at full scale (scale 1 = 450,000 children, 1.35 million records,
// ~90,000 alerts and their tasks, notification deliveries, 900,000 audit entries), next to
// GET /healthz measured in the same run. Requests go through the whole server in-process (access
// checks, CSRF-free GETs, queries, rendering), signed in as the demo user of each role.
//
// PostgreSQL: --url (default postgres://postgres@127.0.0.1:5432/bridge_bench_web; created if
// missing, filled once per scale and then reused). Without --url and with --engine pglite: a PGlite
// data folder under the system temp folder, kept between runs for the same scale.
//
// The children behind each figure (/children?figure=...) are measured on the report benchmark's
// population (bench/lib/report-population.ts: 2.9 million records at scale 1, with the address
// defects the figures count), in its own database: --report-url (default the report benchmark's,
// postgres://postgres@127.0.0.1:5432/bridge_bench_report) or its PGlite folder; built when missing.
// The pair comparison page (/review/ID) needs a linkage model: when the database has none, one is
// trained on a synthetic population (src/identity/synthetic.ts) and stored.
import { createDatabaseIfMissing } from './lib/bench-database.ts';
import crypto from 'node:crypto';
import os from 'node:os';
import path from 'node:path';
import { migrate, openDb, type Db } from '../src/db/index.ts';
import { redactUrl } from '../src/db/postgres.ts';
import { buildServer } from '../src/api/server.ts';
import { seedDemoUsers, type DemoLogin, type Role } from '../src/access/index.ts';
import { syncTasks } from '../src/work/index.ts';
import { fixedClock } from '../src/shared/clock.ts';
import { silentLog } from '../src/shared/log.ts';
import { ensureReportFacts, ensureReportPopulation, openReportBenchDb } from './lib/report-population.ts';
import { FIGURE_NAMES, listFigureChildrenPage } from '../src/reports/index.ts';
import { childScopeSql } from '../src/access/index.ts';
import { loadModel } from '../src/identity/index.ts';
import { insertModel } from '../src/identity/identity.queries.ts';
import { runLinkage } from '../src/identity/link-core.ts';
import { tableOf } from '../src/identity/link-records.ts';
import { syntheticPopulation } from '../src/identity/synthetic.ts';

const args = process.argv.slice(2);
const opt = (name: string) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : undefined;
};
const scale = Number(opt('scale') ?? '1');
const engine = opt('engine') ?? 'postgres';
const withOverview = args.includes('--overview');
const CHILDREN = Math.round(450_000 * scale);
const ORIGIN = `bench-web-${CHILDREN}`;
const RUNS = 10;
const clock = fixedClock('2024-07-01T12:00:00Z');

// Release addresses: a quarter in the Houston area (the demo ERO office), the rest spread over
// other states; drawn so that a few addresses recur many times, as in the OIG findings.
const PLACES = [
  ['TX', 'HOUSTON', '77002'],
  ['TX', 'HOUSTON', '77036'],
  ['CA', 'LOS ANGELES', '90011'],
  ['FL', 'MIAMI', '33125'],
  ['NY', 'QUEENS', '11368'],
  ['NJ', 'NEWARK', '07102'],
  ['GA', 'ATLANTA', '30303'],
  ['MD', 'HYATTSVILLE', '20783'],
] as const;

async function open(): Promise<Db> {
  if (engine === 'pglite') {
    return openDb({
      databaseUrl: undefined,
      dataDir: path.join(os.tmpdir(), `bridge-bench-web-${CHILDREN}`),
    });
  }
  const url = opt('url') ?? 'postgres://postgres@127.0.0.1:5432/bridge_bench_web';
  await createDatabaseIfMissing(url);
  process.stderr.write(`database: ${redactUrl(url)}\n`);
  return openDb({ databaseUrl: url, dataDir: '' });
}

async function fill(db: Db): Promise<void> {
  const [done] = await db.query<{ n: number }>(
    'SELECT count(*)::int AS n FROM feed_batch WHERE origin = $1',
    [ORIGIN],
  );
  if (done!.n > 0) return;
  const [any] = await db.query<{ n: number }>('SELECT count(*)::int AS n FROM record');
  if (any!.n > 0) throw new Error('the bench database holds other records; point --url at a new database');
  const t0 = Date.now();
  const step = (what: string) =>
    process.stderr.write(`${what} (${((Date.now() - t0) / 1000).toFixed(0)} s)\n`);
  const n = CHILDREN;
  const arr = (i: number) => `ARRAY[${PLACES.map((p) => `'${p[i]}'`).join(',')}]`;
  step(`generating ${n} children`);
  await db.query('SELECT setseed(0.42)');
  await db.query(
    `INSERT INTO child (id) SELECT 'W' || lpad(g::text, 7, '0') FROM generate_series(1, $1::int) g`,
    [n],
  );
  const [batch] = await db.query<{ id: number }>(
    `INSERT INTO feed_batch (source, kind, origin) VALUES ('orr', 'file', $1) RETURNING id`,
    [ORIGIN],
  );
  // Each child: an ICE transfer, an ORR admission and an ORR release to an address.
  await db.exec(`CREATE TABLE bench_child AS
    SELECT g, 'W' || lpad(g::text, 7, '0') AS child_id, date '2019-01-01' + (g % 1800) AS t0,
           floor((${n} / 3.0) * power(random(), 1.6))::int AS addr
      FROM generate_series(1, ${n}) g`);
  await db.query(
    `INSERT INTO source_row (source, record_id, version, content_hash, fields, raw_text, batch_id, line)
     SELECT s.source, s.source || '-' || s.kind || '-' || c.g, 1, s.kind || c.g, '{}', '', $1, c.g
       FROM bench_child c CROSS JOIN (VALUES ('ice', 't'), ('orr', 'a'), ('orr', 'r')) s(source, kind)`,
    [batch!.id],
  );
  await db.exec(`
    INSERT INTO record (source, record_id, row_id, in_scope, own_date, event_type, name_as_sent, given_names,
                        surname1, dob, sex, country, addr_line, addr_city, addr_state, addr_zip5, sponsor_id,
                        sponsor_category, received_at)
    SELECT sr.source, sr.record_id, sr.id, true,
           c.t0 + CASE k.kind WHEN 't' THEN 0 WHEN 'a' THEN 1 ELSE 30 END,
           CASE k.kind WHEN 't' THEN 'TRANSFER' WHEN 'a' THEN 'ADMISSION' ELSE 'RELEASE' END,
           'CHILD ' || c.g || ' SYNTHETIC', 'CHILD', 'SYNTHETIC', c.t0 - 5000, 'F', 'GTM',
           CASE WHEN k.kind = 'r' THEN (100 + c.addr) || ' MAIN ST' END,
           CASE WHEN k.kind = 'r' THEN (${arr(1)})[1 + c.addr % ${PLACES.length}] END,
           CASE WHEN k.kind = 'r' THEN (${arr(0)})[1 + c.addr % ${PLACES.length}] END,
           CASE WHEN k.kind = 'r' THEN (${arr(2)})[1 + c.addr % ${PLACES.length}] END,
           CASE WHEN k.kind = 'r' THEN 'SP' || (c.g % (${n} / 2 + 1)) END,
           CASE WHEN k.kind = 'r' THEN 'parent' END, now()
      FROM source_row sr
      CROSS JOIN LATERAL (SELECT split_part(sr.record_id, '-', 2) AS kind,
                                 split_part(sr.record_id, '-', 3)::int AS g) k
      JOIN bench_child c ON c.g = k.g
     WHERE sr.batch_id = ${batch!.id}`);
  await db.exec(`INSERT INTO record_link (record_pk, child_id, method)
    SELECT r.id, 'W' || lpad(split_part(r.record_id, '-', 3), 7, '0'), 'bench' FROM record r`);
  step('records linked');
  // One child in five released without an NTA: an open alert, and its task routed by address.
  await db.exec(`INSERT INTO alert (child_id, rule_id, opened_on, severity, office_kinds, due_on, record_pks, details,
                                    evaluated_on)
    SELECT child_id, 'NO_NTA', t0 + 60, 'high', ARRAY['ERO'], t0 + 90, '{}', '{}', t0 + 60
      FROM bench_child WHERE g % 5 = 0`);
  await syncTasks({ db, clock, log: silentLog });
  await db.exec(
    `UPDATE task SET assigned_to = 'demo-ero-officer' WHERE office_id = 'ERO:Houston' AND id % 4 = 0`,
  );
  step('alerts and tasks');
  await db.exec(`INSERT INTO review_pair (record_a, record_b, weight, created_at, updated_at)
    SELECT a.id, a.id + 4, 2 + (a.id % 80) / 10.0, now(), now()
      FROM record a WHERE a.source = 'orr' AND a.event_type = 'ADMISSION' AND a.id % 50 = 0
        AND EXISTS (SELECT 1 FROM record b WHERE b.id = a.id + 4)`);
  await db.exec(`INSERT INTO notify_subscription (agency, name, channel, target, secret, event_types)
    VALUES ('ORR', 'ORR case portal', 'webhook', 'http://127.0.0.1:9/hook', 'whsec_bench', ARRAY['alert.opened'])`);
  await db.exec(`INSERT INTO notify_event (event_id, type, severity, child_id, occurred_at, data)
    SELECT 'bench-' || g, 'alert.opened', 'warning', child_id, now(), '{}' FROM bench_child WHERE g % 2 = 0`);
  await db.exec(`INSERT INTO notify_delivery (event_pk, subscription_id, idempotency_key, status, attempts, max_attempts,
                                              last_status_code, last_error, delivered_at)
    SELECT e.id, s.id, 'k-' || e.id,
           CASE WHEN e.id % 20 = 0 THEN 'dead' WHEN e.id % 20 = 1 THEN 'pending' ELSE 'delivered' END,
           CASE WHEN e.id % 20 = 0 THEN 8 ELSE 1 END, 8,
           CASE WHEN e.id % 20 = 0 THEN 503 ELSE 200 END,
           CASE WHEN e.id % 20 = 0 THEN 'service unavailable' END,
           CASE WHEN e.id % 20 > 1 THEN now() END
      FROM notify_event e CROSS JOIN notify_subscription s`);
  step('notifications');
  // Two reads per child in the audit log (hashes are placeholders: the chain is not verified here).
  await db.exec(`INSERT INTO audit_log (seq, at, actor_type, actor_id, role, action, purpose, outcome, child_ids,
                                        details, prev_hash, hash)
    SELECT x.seq, now(), 'user', 'bench-reader', 'orr_case_manager', 'child.read', 'case_management', 'ok',
           ARRAY[c.child_id], '{}', 'h' || (x.seq - 1), 'h' || x.seq
      FROM bench_child c CROSS JOIN LATERAL (VALUES (2 * c.g - 1), (2 * c.g)) x(seq)`);
  await db.exec(`INSERT INTO audit_head (id, seq, hash) SELECT true, max(seq), 'h' || max(seq) FROM audit_log
    ON CONFLICT (id) DO UPDATE SET seq = EXCLUDED.seq, hash = EXCLUDED.hash`);
  await db.exec(`DROP TABLE bench_child`);
  // As autovacuum would have by now: statistics, and the visibility map for index-only scans.
  await db.exec(`VACUUM ANALYZE`);
  step('audit log; done');
}

async function time(fn: () => Promise<unknown>): Promise<{ median: number; p95: number }> {
  for (let i = 0; i < 2; i++) await fn();
  const ms: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const t = process.hrtime.bigint();
    await fn();
    ms.push(Number(process.hrtime.bigint() - t) / 1e6);
  }
  ms.sort((a, b) => a - b);
  return { median: ms[Math.floor(RUNS / 2)]!, p95: ms[Math.ceil(RUNS * 0.95) - 1]! };
}

/** A linkage model for the pair comparison page, trained on synthetic records when none is stored. */
async function ensureModel(db: Db): Promise<void> {
  if (await loadModel(db)) return;
  const linkage = await runLinkage(tableOf(syntheticPopulation(3000)));
  const freq = { given: [...linkage.freq.given], surnames: [...linkage.freq.surnames] };
  await insertModel(db, clock.now(), linkage.params, freq);
}

/** The server on `db`, and a session cookie for the demo user of each role. */
async function signedInServer(db: Db) {
  const logins: DemoLogin[] = await seedDemoUsers({ db, clock });
  const app = await buildServer(
    { db, log: silentLog, clock },
    {
      access: {
        secrets: { sessionSecret: crypto.randomBytes(32).toString('hex'), demo: true },
        rateLimitPerMinute: 1e9,
        loginPerMinute: 1e6,
      },
    },
  );
  const cookies = new Map<Role, string>();
  for (const l of logins) {
    const res = await app.inject({
      method: 'POST',
      url: '/api/v1/auth/login',
      payload: { username: l.username, password: l.password },
    });
    const c = res.cookies.find((x) => x.name === 'bridge_session')!;
    cookies.set(l.role, `${c.name}=${c.value}`);
  }
  return { app, cookies };
}

type Row = { page: string; role: string; median: number; p95: number };

/** Times each page (after a probe that must answer 200). */
async function timePages(
  server: Awaited<ReturnType<typeof signedInServer>>,
  pages: [Role | null, string][],
): Promise<Row[]> {
  const rows: Row[] = [];
  for (const [role, url] of pages) {
    const headers = role ? { cookie: server.cookies.get(role)! } : {};
    const probe = await server.app.inject({ method: 'GET', url, headers });
    if (probe.statusCode !== 200)
      throw new Error(`${url} as ${role}: HTTP ${probe.statusCode} ${probe.body.slice(0, 300)}`);
    const t = await time(() => server.app.inject({ method: 'GET', url, headers }));
    rows.push({ page: url, role: role ?? 'anyone', ...t });
  }
  return rows;
}

const load = () =>
  os
    .loadavg()
    .map((x) => x.toFixed(1))
    .join(' ');

function printRows(rows: Row[], base: number): void {
  process.stdout.write(
    '| page | signed in as | median ms | p95 ms | ratio to /healthz |\n|---|---|---|---|---|\n',
  );
  for (const r of rows)
    process.stdout.write(
      `| ${r.page} | ${r.role} | ${r.median.toFixed(1)} | ${r.p95.toFixed(1)} | ${(r.median / base).toFixed(1)} |\n`,
    );
}

const db = await open();

try {
  await migrate(db);
  await fill(db);
  await ensureModel(db);
  const server = await signedInServer(db);
  const [houstonTask] = await db.query<{ id: string; child_id: string }>(
    `SELECT id::text AS id, child_id FROM task WHERE office_id = 'ERO:Houston' AND status = 'open' ORDER BY id LIMIT 1`,
  );
  const [pair] = await db.query<{ id: string }>(
    `SELECT id::text AS id FROM review_pair ORDER BY weight DESC, id LIMIT 1`,
  );
  const [counts] = await db.query<{
    children: number;
    records: number;
    tasks: number;
    deliveries: number;
    audit: number;
  }>(
    `SELECT (SELECT count(*) FROM child)::int AS children, (SELECT count(*) FROM record)::int AS records,
            (SELECT count(*) FROM task)::int AS tasks, (SELECT count(*) FROM notify_delivery)::int AS deliveries,
            (SELECT count(*) FROM audit_log)::int AS audit`,
  );
  const child = houstonTask!.child_id;
  const pages: [Role | null, string][] = [
    [null, '/healthz'],
    ['ero_supervisor', '/work/office'],
    ['ero_supervisor', '/work/office?due=overdue&assigned=no'],
    ['ero_officer', '/work/mine'],
    ['ero_supervisor', `/tasks/${houstonTask!.id}`],
    ['ero_supervisor', `/children/${child}`],
    ['ero_supervisor', `/children/${child}?purpose=child_safety`],
    ['oversight_auditor', `/children/${child}?purpose=oversight`],
    ['ero_supervisor', '/review'],
    ['ero_supervisor', '/review?page=200'],
    ['ero_supervisor', `/review/${pair!.id}`],
    ['ero_supervisor', '/addresses?purpose=child_safety'],
    ['ero_officer', '/addresses?purpose=enforcement&page=3'],
    ['administrator', '/notifications'],
    ['administrator', '/notifications?status=dead'],
    ['administrator', '/admin'],
    ...(withOverview ? ([['oversight_auditor', '/']] as [Role, string][]) : []),
  ];
  const rows = await timePages(server, pages);
  await server.app.close();
  const base = rows[0]!.median;
  process.stdout.write(
    `web pages, scale ${scale} (${engine}): ${counts!.children} children, ${counts!.records} records, ` +
      `${counts!.tasks} tasks, ${counts!.deliveries} deliveries, ${counts!.audit} audit entries; ` +
      `load average ${load()}\n\n`,
  );
  printRows(rows, base);
} finally {
  await db.close();
}

// The children behind each figure, on the report benchmark's population: the first page, a page
// halfway through the children (after a child id) and the page before it, as the oversight
// auditor (every child; the report for the date comes from the report cache after the warm-ups).
const figureDb = await openReportBenchDb(engine, scale, opt('report-url'));
try {
  await migrate(figureDb);
  await ensureReportPopulation(figureDb, scale);
  const seconds = await ensureReportFacts(figureDb);
  if (seconds !== null) process.stderr.write(`report facts built in ${seconds.toFixed(1)} s\n`);
  const server = await signedInServer(figureDb);
  const [middle] = await figureDb.query<{ id: string }>(
    `SELECT child_id AS id FROM report_child ORDER BY child_id OFFSET (SELECT count(*) / 2 FROM report_child) LIMIT 1`,
  );
  const asOf = '2024-05-31';
  const pages: [Role | null, string][] = [[null, '/healthz']];
  for (const figure of FIGURE_NAMES) {
    const q = `/children?figure=${figure}&as_of=${asOf}`;
    pages.push(['oversight_auditor', q], ['oversight_auditor', `${q}&after=${middle!.id}`]);
  }
  pages.push(['oversight_auditor', `/children?figure=no_nta_served&as_of=${asOf}&before=${middle!.id}`]);
  const rows = await timePages(server, pages);
  await server.app.close();
  // No role that reads the figures is limited to an area today; the list an ERO officer's area
  // (TX, OK) would get is timed as the page's query with that record scope.
  const scope = { kind: 'states' as const, states: ['TX', 'OK'] };
  for (const figure of FIGURE_NAMES) {
    const t = await time(() =>
      listFigureChildrenPage(figureDb, {
        figure,
        asOf,
        limit: 51,
        states: scope.states,
        where: (childId, param) => childScopeSql(scope, childId, param),
      }),
    );
    rows.push({ page: `${figure}, first page, area TX, OK (query)`, role: '—', ...t });
  }
  // The population has no address that five children share; with two, 703 addresses recur.
  for (const after of [undefined, middle!.id]) {
    const t = await time(() =>
      listFigureChildrenPage(figureDb, {
        figure: 'recurring_addresses.children',
        asOf,
        limit: 51,
        after,
        recurringThreshold: 2,
      }),
    );
    const which = after ? `after ${after}` : 'first page';
    rows.push({ page: `recurring_addresses.children, threshold 2, ${which} (query)`, role: '—', ...t });
  }
  const [counts] = await figureDb.query<{ records: number; children: number }>(
    'SELECT (SELECT count(*) FROM record)::int AS records, (SELECT count(*) FROM report_child)::int AS children',
  );
  process.stdout.write(
    `\nchildren behind a figure as of ${asOf}, scale ${scale} (${engine}): ${counts!.children} children, ` +
      `${counts!.records} records; load average ${load()}\n\n`,
  );
  printRows(rows, rows[0]!.median);
} finally {
  await figureDb.close();
}

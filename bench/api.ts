// `npm run bench -- api [--children N] [--connections C] [--seconds S] [--warmup W] [--processes P]
//   [--offices O] [--changes C2] [--load wrk|autocannon]`
// The API under load: a `bridge serve` process on the PostgreSQL server, a simulated population
// ingested and projected into it, and a load generator on loopback with C concurrent clients against
// a child's record (rotating over the population) and an ERO field office's worklist, next to a
// trivial route (/healthz) measured in the same run. Target: p99 at most 50 ms and no errors.
// The worklist is measured twice: every client as the same officer of one office (the clients then
// often ask for the same page at the same moment, which the server reads once), and the clients
// spread over the O ERO offices with the most open tasks (default 20), each as an officer of that
// office, so that two clients share a read only when they ask for the same office together.
// A page is kept while its office's tasks are unchanged, so the spread worklists are measured a
// second time while this process changes one open task of an office after another, C2 times a
// second (`--changes`, default one per office per second): each change makes its office's pages
// be read again.
// The load comes from wrk when it is installed (Debian's package `wrk`), else from autocannon: the
// generator shares the machine's cores with the server and the database, and wrk takes about a
// third of autocannon's CPU per request.
// Each route first runs W seconds (default 2) unmeasured: a fresh server compiles its code and
// prepares its statements on each connection then, and the figures are of the steady state.
//
// BENCH_DATABASE_URL (default postgres://postgres@127.0.0.1:5432/bridge_bench_api): created,
// migrated and filled once per population size, then reused.
import { createDatabaseIfMissing } from './lib/bench-database.ts';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import autocannon from 'autocannon';
import { sign as signCookie } from '@fastify/cookie';
import { migrate, type Db } from '../src/db/index.ts';
import { openPostgres, redactUrl } from '../src/db/postgres.ts';
import { simulate } from '../src/simulate/index.ts';
import { ingestFiles } from '../src/feeds/index.ts';
import { projections, runProjections } from '../src/projections.ts';
import { seedDemoUsers, signIn as openSession, SESSION_COOKIE } from '../src/access/index.ts';
import { demoPassword, hashPassword } from '../src/access/credentials.ts';
import { createLog } from '../src/shared/log.ts';
import { systemClock } from '../src/shared/clock.ts';
import { table } from '../src/cli/output.ts';
import { signIn, startServe } from './lib/serve-process.ts';
import { canReadProcessCpu, cpuSeconds, withChildren } from './lib/process-cpu.ts';
import { haveWrk, runWrk, type LoadRequest, type LoadResult } from './lib/wrk.ts';

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && process.argv[i + 1] ? process.argv[i + 1]! : fallback;
}
const children = Number(arg('children', '3000'));
const connections = Number(arg('connections', '100'));
const seconds = Number(arg('seconds', '10'));
const warmup = Number(arg('warmup', '2'));
const processes = arg('processes', '1');
const officeCount = Number(arg('offices', '20'));
const changesPerSecond = Number(arg('changes', String(officeCount)));
const wrkInstalled = haveWrk();
const generator = arg('load', wrkInstalled ? 'wrk' : 'autocannon');
if (generator !== 'wrk' && generator !== 'autocannon')
  throw new Error(`--load must be wrk or autocannon, not "${generator}"`);
if (generator === 'wrk' && !wrkInstalled)
  throw new Error('--load wrk: wrk is not installed (apt-get install wrk)');
const url = process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/bridge_bench_api';
const log = createLog('silent');

/** Simulates, ingests and projects the population once; later runs reuse it. */
async function ensurePopulation(): Promise<void> {
  const db = await openPostgres(url);
  try {
    await migrate(db);
    const [n] = await db.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM feed_batch WHERE origin LIKE $1`,
      [`%bench-api-${children}%`],
    );
    if (n!.n > 0) return;
    const [any] = await db.query<{ n: number }>('SELECT count(*)::int AS n FROM record');
    if (any!.n > 0)
      throw new Error(`${redactUrl(url)} holds another population; drop it or set BENCH_DATABASE_URL`);
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), `bench-api-${children}-`));
    process.stderr.write(`simulating ${children} children into ${dir} ...\n`);
    await simulate({ outDir: dir, children, seed: 7 });
    const deps = { db, log, clock: systemClock };
    process.stderr.write('ingesting ...\n');
    await ingestFiles(
      { ...deps, afterRecordsChanged: projections(deps).afterRecordsChanged },
      { paths: [dir] },
    );
    process.stderr.write('linking, rules, tasks, report facts ...\n');
    await runProjections(deps);
    await db.exec('ANALYZE');
    fs.rmSync(dir, { recursive: true, force: true });
  } finally {
    await db.close();
  }
}

/**
 * An ERO officer (`bench-ero-N`, with a fresh password) for each of the offices with the most
 * open tasks, and the offices as units of record scope when they are not already.
 */
async function officeOfficers(db: Db, n: number) {
  const offices = (
    await db.query<{ office_id: string }>(
      `SELECT office_id FROM task WHERE status <> 'closed' AND office_id LIKE 'ERO:%' AND office_id <> 'ERO:UNROUTED'
        GROUP BY office_id ORDER BY count(*) DESC, office_id LIMIT $1`,
      [n],
    )
  ).map((r) => r.office_id);
  const logins = await Promise.all(
    offices.map(async (office, i) => {
      const password = demoPassword();
      return { username: `bench-ero-${i + 1}`, password, office, hash: await hashPassword(password) };
    }),
  );
  await db.transaction(async (tx) => {
    for (const l of logins) {
      await tx.query(
        `INSERT INTO user_office (id, agency, name) VALUES ($1, 'ERO', $1) ON CONFLICT (id) DO NOTHING`,
        [l.office],
      );
      await tx.query(
        `INSERT INTO app_user (username, display_name, role, office_id, password_hash)
         VALUES ($1, $1, 'ero_officer', $2, $3)
         ON CONFLICT (username) DO UPDATE SET office_id = EXCLUDED.office_id, password_hash = EXCLUDED.password_hash,
           failed_logins = 0, locked_until = NULL, disabled = false`,
        [l.username, l.office, l.hash],
      );
    }
  });
  return logins;
}

/**
 * Changes one open task of each office in turn, `perSecond` times a second, on a connection of its
 * own, until stopped; `stop` resolves to the number of changes made.
 */
async function changingTasks(
  officeIds: readonly string[],
  perSecond: number,
): Promise<{ stop(): Promise<number> }> {
  const writer = await openPostgres(url, { max: 1 });
  let made = 0;
  let next = 0;
  let pending: Promise<void> = Promise.resolve();
  const timer = setInterval(() => {
    const office = officeIds[next++ % officeIds.length]!;
    pending = pending.then(async () => {
      await writer.query(
        `UPDATE task SET updated_at = now()
          WHERE id = (SELECT id FROM task WHERE office_id = $1 AND status = 'open' ORDER BY random() LIMIT 1)`,
        [office],
      );
      made++;
    });
  }, 1000 / perSecond);
  return {
    async stop() {
      clearInterval(timer);
      await pending;
      await writer.close();
      return made;
    },
  };
}

interface Figures {
  name: string;
  requests: number;
  rps: number;
  p50: number;
  p99: number;
  errors: number;
  /** CPU milliseconds per request of the server process and of its database backends. */
  serveCpu: number | null;
  databaseCpu: number | null;
  /** CPU milliseconds per request of the load generator (wrk, or this process for autocannon). */
  loadCpu: number;
}

/** The server's database connections now (after the warm-up the pool holds them all). */
async function backendPids(): Promise<number[]> {
  const db = await openPostgres(url, { max: 1 });
  try {
    const rows = await db.query<{ pid: number }>(
      `SELECT pid FROM pg_stat_activity
        WHERE datname = current_database() AND pid <> pg_backend_pid() AND backend_type = 'client backend'`,
    );
    return rows.map((r) => r.pid);
  } finally {
    await db.close();
  }
}

/** One measured run of the load generator: its figures and the CPU seconds it used. */
async function generate(
  base: string,
  paths: LoadRequest[],
  duration: number,
  cookie: string | undefined,
): Promise<LoadResult> {
  const headers: Record<string, string> = cookie ? { cookie } : {};
  if (generator === 'wrk') return runWrk({ base, paths, connections, seconds: duration, headers });
  let i = 0;
  const before = process.cpuUsage();
  const r = await autocannon({
    url: base,
    connections,
    duration,
    headers,
    requests: [
      {
        setupRequest: (req) => {
          const r = paths[i++ % paths.length]!;
          return typeof r === 'string'
            ? { ...req, path: r }
            : { ...req, path: r.path, headers: { ...req.headers, ...r.headers } };
        },
      },
    ],
  });
  const used = process.cpuUsage(before);
  return {
    requests: r.requests.total,
    rps: Math.round(r.requests.average),
    p50: r.latency.p50,
    p99: r.latency.p99,
    errors: r.errors + r.timeouts + r.non2xx,
    cpuSeconds: (used.user + used.system) / 1e6,
  };
}

async function load(
  name: string,
  server: { base: string; pid: number },
  paths: LoadRequest[],
  cookie?: string,
): Promise<Figures> {
  if (warmup > 0) {
    const w = await generate(server.base, paths, warmup, cookie);
    if (w.errors > 0) throw new Error(`${name}: errors while warming up`);
  }
  const backends = canReadProcessCpu ? await backendPids() : [];
  const serving = canReadProcessCpu ? withChildren(server.pid) : [];
  const cpuBefore = [cpuSeconds(serving), cpuSeconds(backends)];
  const result = await generate(server.base, paths, seconds, cookie);
  // A backend that ended meanwhile drops out of the sum: never below zero.
  const perRequest = (before: number, pids: number[]) =>
    canReadProcessCpu ? (Math.max(0, cpuSeconds(pids) - before) * 1000) / Math.max(1, result.requests) : null;
  return {
    name,
    requests: result.requests,
    rps: result.rps,
    p50: result.p50,
    p99: result.p99,
    errors: result.errors,
    serveCpu: perRequest(cpuBefore[0]!, serving),
    databaseCpu: perRequest(cpuBefore[1]!, backends),
    loadCpu: (result.cpuSeconds * 1000) / Math.max(1, result.requests),
  };
}

await createDatabaseIfMissing(url);
await ensurePopulation();

const db = await openPostgres(url);
const logins = await seedDemoUsers({ db, clock: systemClock });
const officers = await officeOfficers(db, officeCount);
// Sessions opened here rather than over the API, whose sign-in takes a few attempts a minute, and
// signed with the secret the server is given.
const sessionSecret = crypto.randomBytes(32).toString('hex');
const officerCookies = await Promise.all(
  officers.map(async (o) => {
    const { sessionId } = await openSession({ db, clock: systemClock }, o);
    return `${SESSION_COOKIE}=${encodeURIComponent(signCookie(sessionId, sessionSecret))}`;
  }),
);
const childIds = (
  await db.query<{ child_id: string }>(`SELECT child_id FROM report_child ORDER BY child_id LIMIT 2000`)
).map((r) => r.child_id);
const ero = logins.find((l) => l.role === 'ero_officer')!;
const [office] = await db.query<{ office_id: string; open: number }>(
  `SELECT office_id, count(*)::int AS open FROM task WHERE status <> 'closed' AND office_id = $1 GROUP BY office_id`,
  [ero.office],
);
const [population] = await db.query<{ children: number; records: number; tasks: number }>(
  `SELECT (SELECT count(*) FROM child)::int AS children, (SELECT count(*) FROM record)::int AS records,
          (SELECT count(*) FROM task WHERE status <> 'closed')::int AS tasks`,
);
await db.close();

const server = await startServe(url, { BRIDGE_PROCESSES: processes, BRIDGE_SESSION_SECRET: sessionSecret });
const base = server.base;
try {
  const orr = logins.find((l) => l.role === 'orr_case_manager')!;
  const orrCookie = await signIn(base, orr.username, orr.password);
  const eroCookie = await signIn(base, ero.username, ero.password);
  const rows: Figures[] = [];
  rows.push(await load('baseline: GET /healthz', server, ['/healthz']));
  rows.push(
    await load(
      "child's record: GET /api/v1/children/:id",
      server,
      childIds.map((id) => `/api/v1/children/${id}?purpose=case_management`),
      orrCookie,
    ),
  );
  rows.push(
    await load(
      `office worklist: GET /api/work/offices/${ero.office}/tasks`,
      server,
      [`/api/work/offices/${encodeURIComponent(ero.office)}/tasks`],
      eroCookie,
    ),
  );
  const spread = officers.map((o, i) => ({
    path: `/api/work/offices/${encodeURIComponent(o.office)}/tasks`,
    headers: { cookie: officerCookies[i]! },
  }));
  rows.push(
    await load(
      `worklists of ${officers.length} ERO offices: GET /api/work/offices/:office/tasks`,
      server,
      spread,
    ),
  );
  let changesMade = 0;
  if (changesPerSecond > 0) {
    const changes = await changingTasks(
      officers.map((o) => o.office),
      changesPerSecond,
    );
    try {
      rows.push(await load(`the same while ${changesPerSecond} tasks change a second`, server, spread));
    } finally {
      changesMade = await changes.stop();
    }
  }
  const baseline = rows[0]!;
  process.stdout.write(
    `API under load: ${connections} connections for ${seconds} s each (after ${warmup} s unmeasured), ` +
      `bridge serve${processes === '1' ? '' : ` --processes ${processes}`} on PostgreSQL ` +
      `(${population!.children} children, ${population!.records} records, ${population!.tasks} open tasks; ` +
      `${ero.office}: ${office?.open ?? 0} open tasks), load from ${generator}\n\n` +
      table(
        rows.map((r) => ({
          route: r.name,
          requests: r.requests,
          'req/s': r.rps,
          'p50 ms': r.p50,
          'p99 ms': r.p99,
          'p99 / baseline': (r.p99 / Math.max(1, baseline.p99)).toFixed(1),
          errors: r.errors,
          'serve CPU ms/req': r.serveCpu?.toFixed(2) ?? 'n/a',
          'database CPU ms/req': r.databaseCpu?.toFixed(2) ?? 'n/a',
          'load generator CPU ms/req': r.loadCpu.toFixed(2),
        })),
        [
          'route',
          'requests',
          'req/s',
          'p50 ms',
          'p99 ms',
          'p99 / baseline',
          'errors',
          'serve CPU ms/req',
          'database CPU ms/req',
          'load generator CPU ms/req',
        ],
      ) +
      (changesMade ? `\n${changesMade} tasks were changed during the last row's warm-up and run\n` : '') +
      `\ntarget: p99 <= 50 ms and no errors; machine: ${os.cpus().length} cores, load ${os
        .loadavg()[0]!
        .toFixed(1)}\n`,
  );
} finally {
  await server.stop();
}

// `npm run bench -- rules [--scale S] [--engine postgres|pglite] [--keep]`: the rule sweep over a
// synthetic FY2019–FY2023 population (450,000 children × scale, ~5.6 records each) and the
// incremental evaluation after one day's feed. Baseline: reading every child's records in the
// sweep's one ordered pass without evaluating anything.
import pg from 'pg';
import { openPostgres } from '../src/db/postgres.ts';
import { openPglite } from '../src/db/pglite.ts';
import { migrate } from '../src/db/migrate.ts';
import type { Db } from '../src/db/index.ts';
import { silentLog } from '../src/shared/log.ts';
import { fixedClock } from '../src/shared/clock.ts';
import { randomStory, seededRandom, streetPool, Facts } from '../src/cases/testing.ts';
import { loadFixtureChildren, type FixtureChild } from '../src/cases/db-fixtures.ts';
import { activeChildPageStarts, eachActiveChildInPage } from '../src/cases/cases.queries.ts';
import { evaluateChildren, sweepRules } from '../src/rules/index.ts';
import { SWEEP_PAGE } from '../src/rules/evaluate-children.ts';
import { table } from '../src/cli/output.ts';

const args = process.argv.slice(2);
const opt = (name: string) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : undefined;
};
const scale = Number(opt('scale') ?? '1');
const engine = opt('engine') ?? 'postgres';
const keep = args.includes('--keep');
const CHILDREN = Math.round(450_000 * scale);
const AS_OF = '2024-05-31';
const adminUrl =
  process.env.BENCH_DATABASE_URL ??
  process.env.TEST_DATABASE_URL ??
  'postgres://postgres@127.0.0.1:5432/test';

const log = (m: string) => process.stderr.write(m + '\n');
const seconds = (ms: number) => (ms / 1000).toFixed(2);

/**
 * The database a run works in. PostgreSQL: the population is loaded into a seed database, which each
 * run copies (CREATE DATABASE … TEMPLATE) so the sweep always starts from an empty alert table; with
 * --keep the seed stays for later runs at the same scale. PGlite: a fresh in-memory database.
 */
async function openBenchDb(): Promise<{ db: Db; drop: () => Promise<void> }> {
  if (engine === 'pglite') {
    const db = await openPglite({});
    await migrate(db);
    await loadPopulation(db);
    return { db, drop: async () => {} };
  }
  const base = new URL(adminUrl).pathname.slice(1) || 'bridge_bench';
  const seedName = `${base}_rules_s${String(scale).replace(/\W/g, '_')}`;
  const runName = keep ? `${base}_rules_run` : `${base}_rules_${process.pid}`;
  const urlOf = (name: string) => Object.assign(new URL(adminUrl), { pathname: `/${name}` }).toString();
  const admin = new pg.Client({ connectionString: urlOf('postgres') });
  await admin.connect();
  try {
    const ready = await admin.query(`SELECT 1 FROM pg_database WHERE datname = $1 AND datistemplate`, [
      seedName,
    ]);
    if (ready.rowCount === 0) {
      await admin.query(`DROP DATABASE IF EXISTS ${seedName} WITH (FORCE)`);
      await admin.query(`CREATE DATABASE ${seedName}`);
      const seedDb = await openPostgres(urlOf(seedName));
      try {
        await migrate(seedDb);
        await loadPopulation(seedDb);
      } finally {
        await seedDb.close();
      }
      // Marked a template only once filled: an interrupted load is never reused.
      await admin.query(`ALTER DATABASE ${seedName} WITH IS_TEMPLATE true`);
    } else {
      log(`reusing the population in ${seedName}`);
    }
    await admin.query(`DROP DATABASE IF EXISTS ${runName} WITH (FORCE)`);
    // From PostgreSQL 15 a copy goes through the WAL by default: gigabytes the server then writes
    // out while the sweeps are measured. A file copy checkpoints once, before them.
    const version = await admin.query<{ server_version_num: string }>(`SHOW server_version_num`);
    const strategy = Number(version.rows[0]!.server_version_num) >= 150_000 ? ' STRATEGY FILE_COPY' : '';
    await admin.query(`CREATE DATABASE ${runName} TEMPLATE ${seedName}${strategy}`);
  } finally {
    await admin.end();
  }
  const db = await openPostgres(urlOf(runName));
  // A kept population may predate the newest migrations.
  await migrate(db);
  return {
    db,
    drop: async () => {
      await db.close();
      const a = new pg.Client({ connectionString: urlOf('postgres') });
      await a.connect();
      try {
        await a.query(`DROP DATABASE IF EXISTS ${runName} WITH (FORCE)`);
        if (keep) log(`kept the population in ${seedName} for later runs`);
        else {
          await a.query(`ALTER DATABASE ${seedName} WITH IS_TEMPLATE false`);
          await a.query(`DROP DATABASE IF EXISTS ${seedName} WITH (FORCE)`);
        }
      } finally {
        await a.end();
      }
    },
  };
}

const childId = (i: number) => `K${String(i).padStart(7, '0')}`;

const rand = seededRandom(2019);
// About one street per child, as in life; chance makes a few recur.
const streets = streetPool(rand, Math.max(1000, CHILDREN));

async function loadPopulation(db: Db): Promise<void> {
  const t = Date.now();
  let records = 0;
  const CHUNK = 25_000;
  for (let i = 0; i < CHILDREN; i += CHUNK) {
    const batch: FixtureChild[] = [];
    for (let j = i; j < Math.min(i + CHUNK, CHILDREN); j++) {
      const f = randomStory(rand, streets);
      records += f.records.length;
      batch.push({ childId: childId(j), records: f.records });
    }
    await loadFixtureChildren(db, batch);
    log(
      `loaded ${Math.min(i + CHUNK, CHILDREN)} children, ${records} records (${seconds(Date.now() - t)} s)`,
    );
  }
  await db.query('ANALYZE');
  log(`population loaded in ${seconds(Date.now() - t)} s`);
}

async function main() {
  const { db, drop } = await openBenchDb();
  try {
    const [{ records }] = (await db.query<{ records: number }>(
      `SELECT count(*)::int AS records FROM record`,
    )) as [{ records: number }];

    // Baseline: read every active child's records as the sweep reads them, evaluate nothing.
    const t = Date.now();
    let children = 0;
    let read = 0;
    const starts = await activeChildPageStarts(db, SWEEP_PAGE);
    for (const [i, first] of starts.entries()) {
      children += await eachActiveChildInPage(db, first, starts[i + 1] ?? null, SWEEP_PAGE, (_, list) => {
        read += list.length;
      });
    }
    const baselineMs = Date.now() - t;

    const deps = { db, log: silentLog, clock: fixedClock(`${AS_OF}T12:00:00Z`) };
    const first = await sweepRules(deps, AS_OF);
    const second = await sweepRules(deps, AS_OF);

    // A day's feed: new records for 1,500 children already known and 300 new children.
    const dayRand = seededRandom(531);
    const day: FixtureChild[] = [];
    let dayRows = 0;
    for (let k = 0; k < 1500; k++) {
      const f = new Facts();
      const roll = dayRand();
      if (roll < 0.4) f.safetyCall('2024-05-31', dayRand() < 0.8 ? 'REACHED' : 'NOT_REACHED');
      else if (roll < 0.7) f.nta('2024-05-31', { served: '2024-05-31' });
      else f.addressUpdate('2024-05-31', { ...streets[Math.floor(dayRand() * streets.length)]!, unit: '1' });
      dayRows += f.records.length;
      day.push({ childId: childId(Math.floor(dayRand() * CHILDREN)), records: f.records });
    }
    for (let k = 0; k < 300; k++) {
      const f = randomStory(dayRand, streets);
      dayRows += f.records.length;
      day.push({ childId: childId(CHILDREN + k), records: f.records });
    }
    await loadFixtureChildren(db, day);
    const touched = [...new Set(day.map((c) => c.childId))];
    const incremental = await evaluateChildren(deps, touched, AS_OF);
    const open = await db.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM alert WHERE closed_at IS NULL`,
    );

    process.stdout.write(
      `rules benchmark on ${db.engine}: ${children} children, ${records} records, as of ${AS_OF}\n\n` +
        table(
          [
            {
              step: "baseline: read all records in the sweep's pages",
              seconds: seconds(baselineMs),
              target: '',
              ratio: '1.00',
            },
            {
              step: `full sweep, first (${first.opened} alerts opened)`,
              seconds: seconds(first.ms),
              target: '<= 30',
              ratio: (first.ms / baselineMs).toFixed(2),
            },
            {
              step: `full sweep, again (${second.opened + second.refreshed + second.closed} changes)`,
              seconds: seconds(second.ms),
              target: '<= 30',
              ratio: (second.ms / baselineMs).toFixed(2),
            },
            {
              step: `incremental: day's feed, ${dayRows} rows, ${incremental.children} children evaluated`,
              seconds: seconds(incremental.ms),
              target: '<= 1',
              ratio: (incremental.ms / baselineMs).toFixed(3),
            },
          ],
          ['step', 'seconds', 'target', 'ratio'],
        ) +
        `\nrecords read by the baseline: ${read}; open alerts after the day: ${open[0]!.n}\n`,
    );
  } finally {
    await drop();
  }
}

await main();

// `npm run bench -- report [--scale S] [--engine postgres|pglite] [--dates D1,D2]`
// Times the oversight report at FY2019–FY2023 scale (scale 1 = 450,000 children, ~2.9 million
// records) against a plain count of records as of the same date, measured in the same run.
//
// PostgreSQL: BENCH_DATABASE_URL (default postgres://postgres@127.0.0.1:5432/bridge_bench_report);
// the database is created, migrated and filled once per scale, then reused. PGlite: a data folder
// under the system temp folder, kept between runs for the same scale.
import {
  ensureFollowUpLog,
  ensureReportFacts,
  ensureReportPopulation,
  openReportBenchDb,
} from './lib/report-population.ts';
import { migrate } from '../src/db/index.ts';
import { buildReport, listFigureChildren } from '../src/reports/index.ts';
import { BASELINE_COUNT_SQL } from '../src/reports/reports.queries.ts';

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && process.argv[i + 1] ? process.argv[i + 1]! : fallback;
}

const scale = Number(arg('scale', '1'));
const engine = arg('engine', 'postgres');
const dates = arg('dates', '2019-09-30,2021-03-31,2022-09-30,2024-05-31').split(',');

async function time<T>(fn: () => Promise<T>): Promise<[number, T]> {
  const t0 = performance.now();
  const v = await fn();
  return [(performance.now() - t0) / 1000, v];
}

const db = await openReportBenchDb(engine, scale, process.env.BENCH_DATABASE_URL);
try {
  await migrate(db);
  await ensureReportPopulation(db, scale);
  const seconds = await ensureReportFacts(db);
  if (seconds !== null)
    process.stderr.write(`report facts built from every record in ${seconds.toFixed(1)} s\n`);
  await ensureFollowUpLog(db);
  const [counts] = await db.query<{ records: number; children: number }>(
    'SELECT (SELECT count(*) FROM record)::int AS records, (SELECT count(*) FROM child)::int AS children',
  );
  process.stdout.write(
    `oversight report, ${db.engine}, ${counts!.children} children, ${counts!.records} records\n\n` +
      'as_of       baseline_s  report_s  cached_s  ratio  drilldown_s  released  no_nta_served  failed_to_appear  orr_told  tasks_closed\n',
  );
  for (const asOf of dates) {
    const [baseline] = await time(() => db.query(BASELINE_COUNT_SQL, [asOf]));
    // Computed from the facts (nothing cached), then again from the cache the first run filled.
    await db.query('DELETE FROM report_cache');
    const [cold, r] = await time(() => buildReport(db, { asOf }));
    const [warm] = await time(() => buildReport(db, { asOf }));
    const [drill] = await time(() => listFigureChildren(db, { figure: 'no_nta_served', asOf }));
    process.stdout.write(
      [
        asOf,
        baseline.toFixed(3).padStart(10),
        cold.toFixed(2).padStart(8),
        warm.toFixed(3).padStart(8),
        (cold / baseline).toFixed(1).padStart(6),
        drill.toFixed(2).padStart(11),
        String(r.children.released_to_sponsor).padStart(8),
        String(r.no_nta_served).padStart(13),
        String(r.failed_to_appear).padStart(16),
        String(r.timeliness.missed_hearing_to_orr_notified.children).padStart(8),
        String(r.timeliness.alert_to_task_closed.tasks).padStart(12),
      ].join('  ') + '\n',
    );
  }
} finally {
  await db.close();
}

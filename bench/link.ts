// Link benchmark: a synthetic FY2019–FY2023 population (about 450,000 children, 2.5–3 million
// rows at --scale 1) linked from scratch, then a day's feed (about 2,000 rows) linked
// incrementally; next to a baseline measured in the same run: linking by exact A-number only.
//   npm run bench -- link [--scale 0.1] [--noise default|heavy]
// Uses DATABASE_URL when set (an empty, migratable database), else PGlite in a temporary folder.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { openMigratedDb } from '../src/db/index.ts';
import { silentLog } from '../src/shared/log.ts';
import { systemClock } from '../src/shared/clock.ts';
import { linkAll, linkRecords } from '../src/identity/index.ts';
import { seedRecords } from '../src/identity/seed-records.ts';
import { DEFAULT_NOISE, HEAVY_NOISE, syntheticPopulation } from '../src/identity/synthetic.ts';
import { pairwiseMetrics } from '../src/identity/pairwise-metrics.ts';

const arg = (name: string, dflt: string) => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1]! : dflt;
};
const scale = Number(arg('scale', '1'));
const noise = arg('noise', 'default') === 'heavy' ? HEAVY_NOISE : DEFAULT_NOISE;
const DAY_ROWS = 2000;

const children = Math.round(450_000 * scale);
process.stderr.write(`generating ${children} children (${noise.name} noise)...\n`);
const pop = syntheticPopulation(children, noise);
const dayStart = pop.length - DAY_ROWS;
const dir = process.env.DATABASE_URL
  ? undefined
  : fs.mkdtempSync(path.join(os.tmpdir(), 'bridge-bench-link-'));
const db = await openMigratedDb({ databaseUrl: process.env.DATABASE_URL, dataDir: dir ?? '' });
try {
  process.stderr.write(`loading ${pop.length} rows into ${db.description} (not timed)...\n`);
  const chunk = 200_000;
  const pks: number[] = [];
  for (let k = 0; k < dayStart; k += chunk)
    pks.push(...(await seedRecords(db, pop.slice(k, Math.min(k + chunk, dayStart)))));

  // Baseline: exact A-number only (union of rows sharing one), in memory.
  let t0 = performance.now();
  const parent = pop.slice(0, dayStart).map((_, i) => i);
  const find = (x: number): number => (parent[x] === x ? x : (parent[x] = find(parent[x]!)));
  const byA = new Map<string, number>();
  pop.slice(0, dayStart).forEach((r, i) => {
    if (!r.aNumber) return;
    const j = byA.get(r.aNumber);
    if (j === undefined) byA.set(r.aNumber, i);
    else parent[find(i)] = find(j);
  });
  const baseline = pairwiseMetrics(
    pop.slice(0, dayStart).map((_, i) => String(find(i))),
    pop.slice(0, dayStart).map((r) => r.truth),
  );
  const baselineSeconds = (performance.now() - t0) / 1000;

  const deps = { db, log: silentLog, clock: systemClock };
  t0 = performance.now();
  const full = await linkAll(deps, { retrain: true });
  const fullSeconds = (performance.now() - t0) / 1000;
  // Peak resident memory of the process so far (the full link is its largest step).
  const fullPeak = process.resourceUsage().maxRSS * 1024;
  const links = new Map(
    (
      await db.query<{ pk: number; child_id: string }>('SELECT record_pk AS pk, child_id FROM record_link')
    ).map((r) => [Number(r.pk), r.child_id]),
  );
  const model = pairwiseMetrics(
    pks.map((pk) => links.get(pk)!),
    pop.slice(0, dayStart).map((r) => r.truth),
  );

  const dayPks = await seedRecords(db, pop.slice(dayStart));
  t0 = performance.now();
  const inc = await linkRecords(deps, dayPks);
  const incSeconds = (performance.now() - t0) / 1000;

  const f = (x: number) => x.toFixed(5);
  const rows = [
    ['what', 'rows', 'seconds', 'precision', 'recall', 'F1', 'peak RSS MB'],
    [
      'baseline: exact A-number only',
      String(dayStart),
      baselineSeconds.toFixed(2),
      f(baseline.precision),
      f(baseline.recall),
      f(baseline.f1),
      '',
    ],
    [
      'model: full link from scratch',
      String(full.records),
      fullSeconds.toFixed(2),
      f(model.precision),
      f(model.recall),
      f(model.f1),
      String(Math.round(fullPeak / 1e6)),
    ],
    [`incremental: a day's feed`, String(dayPks.length), incSeconds.toFixed(2), '', '', '', ''],
  ];
  const widths = rows[0]!.map((_, c) => Math.max(...rows.map((r) => r[c]!.length)));
  for (const r of rows) process.stdout.write(r.map((v, c) => v.padEnd(widths[c]!)).join('  ') + '\n');
  process.stdout.write(
    `\nengine ${db.engine}, scale ${scale}, noise ${noise.name}; candidate pairs ${full.candidatePairs}; ` +
      `children ${full.children}; review pairs ${full.reviewPairs}; incremental re-clustered ${inc.records} records\n` +
      `recall gained over the baseline: ${f(model.recall - baseline.recall)}; ` +
      `targets: full ≤ 120 s at scale 1, day ≤ 2 s, ≤ 4096 MB\n`,
  );
} finally {
  await db.close();
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
}

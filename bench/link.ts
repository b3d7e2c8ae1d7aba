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
import {
  DEFAULT_NOISE,
  HEAVY_NOISE,
  syntheticPopulation,
  type SyntheticRecord,
} from '../src/identity/synthetic.ts';
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
let pop: SyntheticRecord[] | null = syntheticPopulation(children, noise);
const dayStart = pop.length - DAY_ROWS;
const dir = process.env.DATABASE_URL
  ? undefined
  : fs.mkdtempSync(path.join(os.tmpdir(), 'bridge-bench-link-'));
const db = await openMigratedDb({ databaseUrl: process.env.DATABASE_URL, dataDir: dir ?? '' });
try {
  process.stderr.write(`loading ${pop!.length} rows into ${db.description} (not timed)...\n`);
  const chunk = 200_000;
  const pks: number[] = [];
  for (let k = 0; k < dayStart; k += chunk)
    for (const pk of await seedRecords(db, pop.slice(k, Math.min(k + chunk, dayStart)))) pks.push(pk);

  // Planner statistics for the loaded table, as autovacuum would gather after a bulk load.
  await db.exec('ANALYZE');
  // CPU seconds of this process (user + system): less distorted than wall time when other work
  // shares the machine. The database server's own CPU is not included.
  const cpuSince = (c: NodeJS.CpuUsage) => {
    const d = process.cpuUsage(c);
    return (d.user + d.system) / 1e6;
  };

  // Baseline: exact A-number only (union of rows sharing one), in memory.
  let t0 = performance.now();
  let c0 = process.cpuUsage();
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
  const baselineCpu = cpuSince(c0);
  // Only the truth and the day's feed are kept: the linker should not share the heap with the
  // whole generated population (it would slow its garbage collections).
  const truth = pop.slice(0, dayStart).map((r) => r.truth);
  const dayRows = pop.slice(dayStart);
  pop = null;

  const deps = { db, log: silentLog, clock: systemClock };
  t0 = performance.now();
  c0 = process.cpuUsage();
  const full = await linkAll(deps, { retrain: true });
  const fullSeconds = (performance.now() - t0) / 1000;
  const fullCpu = cpuSince(c0);
  // Peak resident memory of the process so far (the full link is its largest step).
  const fullPeak = process.resourceUsage().maxRSS * 1024;
  const links = new Map(
    (
      await db.query<{ pk: number; child_id: string }>('SELECT record_pk AS pk, child_id FROM record_link')
    ).map((r) => [Number(r.pk), r.child_id]),
  );
  const model = pairwiseMetrics(
    pks.map((pk) => links.get(pk)!),
    truth,
  );

  const dayPks = await seedRecords(db, dayRows);
  t0 = performance.now();
  c0 = process.cpuUsage();
  const inc = await linkRecords(deps, dayPks);
  const incSeconds = (performance.now() - t0) / 1000;
  const incCpu = cpuSince(c0);

  const f = (x: number) => x.toFixed(5);
  const rows = [
    ['what', 'rows', 'seconds', 'CPU s', 'ratio', 'precision', 'recall', 'F1', 'peak RSS MB'],
    [
      'baseline: exact A-number only',
      String(dayStart),
      baselineSeconds.toFixed(2),
      baselineCpu.toFixed(2),
      '1.0',
      f(baseline.precision),
      f(baseline.recall),
      f(baseline.f1),
      '',
    ],
    [
      'model: full link from scratch',
      String(full.records),
      fullSeconds.toFixed(2),
      fullCpu.toFixed(2),
      (fullSeconds / baselineSeconds).toFixed(0),
      f(model.precision),
      f(model.recall),
      f(model.f1),
      String(Math.round(fullPeak / 1e6)),
    ],
    [
      `incremental: a day's feed`,
      String(dayPks.length),
      incSeconds.toFixed(2),
      incCpu.toFixed(2),
      (incSeconds / baselineSeconds).toFixed(0),
      '',
      '',
      '',
      '',
    ],
  ];
  const widths = rows[0]!.map((_, c) => Math.max(...rows.map((r) => r[c]!.length)));
  for (const r of rows) process.stdout.write(r.map((v, c) => v.padEnd(widths[c]!)).join('  ') + '\n');
  process.stdout.write(
    `\nengine ${db.engine}, scale ${scale}, noise ${noise.name}; candidate pairs ${full.candidatePairs}; ` +
      `children ${full.children}; review pairs ${full.reviewPairs}; incremental re-clustered ${inc.records} records\n` +
      `recall gained over the baseline: ${f(model.recall - baseline.recall)}; load average ${os
        .loadavg()
        .map((x) => x.toFixed(1))
        .join(' ')}; ` +
      `targets: full ≤ 120 s at scale 1, day ≤ 2 s, ≤ 4096 MB\n`,
  );
  for (const [what, summary] of [
    ['full link', full],
    ['incremental', inc],
  ] as const) {
    process.stdout.write(`\n${what}, by step (wall s / CPU s):\n`);
    for (const p of summary.phases)
      process.stdout.write(
        `  ${p.phase.padEnd(28)} ${p.seconds.toFixed(2).padStart(7)} ${p.cpuSeconds.toFixed(2).padStart(7)}\n`,
      );
  }
} finally {
  await db.close();
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
}

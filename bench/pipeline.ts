// The whole pipeline at a scale of the FY2019–FY2023 population: simulate the five agencies'
// feeds, ingest them (`bridge ingest`: rows checked, stored and mapped, records queued), bring the
// projections up to date (links, gap rules, notifications, report facts, tasks), and compute the
// oversight report. The baseline, measured in the same run, is what any pipeline must do at least:
// simulate the same feeds and COPY their rows, unchecked, into bare tables of text columns.
// Usage: npm run bench -- pipeline [--scale S] [--engine postgres|pglite]
// The server engine uses BENCH_DATABASE_URL, else DATABASE_URL, else the local server's `postgres`
// database; a scratch database is created and dropped.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import zlib from 'node:zlib';
import { parse } from 'csv-parse';
import type { Db } from '../src/db/index.ts';
import { simulate, fullPopulation } from '../src/simulate/index.ts';
import { ingestFiles } from '../src/feeds/index.ts';
import { projections, runProjections } from '../src/projections.ts';
import { buildReport } from '../src/reports/index.ts';
import { systemClock } from '../src/shared/clock.ts';
import { createLog } from '../src/shared/log.ts';
import { table } from '../src/cli/output.ts';
import { withScratchDb } from './lib/bench-database.ts';

const arg = (name: string, fallback: string) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 && process.argv[i + 1] ? process.argv[i + 1]! : fallback;
};
const scale = Number(arg('scale', '1'));
const engine = arg('engine', 'postgres');
const children = Math.max(100, Math.round(fullPopulation(2019, 2023) * scale));
// The full link's log line names its steps; they are printed under the table.
let linkSteps: { phase: string; seconds: number; cpuSeconds: number }[] = [];
// The bulk load's log line says when each part of the evaluation ended (rules, messages: this
// process; facts, tasks: the server).
let evaluated: Record<string, number> = {};
const log = createLog(
  'info',
  new Writable({
    write(chunk: Buffer, _encoding, done) {
      const entry = JSON.parse(chunk.toString()) as {
        msg?: string;
        phases?: typeof linkSteps;
        ended?: typeof evaluated;
      };
      if (entry.msg === 'linked all records' && entry.phases) linkSteps = entry.phases;
      if (entry.msg === 'bulk load evaluated' && entry.ended) evaluated = entry.ended;
      done();
    },
  }),
);
const TARGET_S = 360;

interface Step {
  step: string;
  seconds: number;
  cpu: number;
  detail: string;
}

/** Wall and this process's CPU seconds of `fn`. */
async function timed<T>(fn: () => Promise<T>): Promise<{ value: T; seconds: number; cpu: number }> {
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  const value = await fn();
  const cpu = process.cpuUsage(cpu0);
  return { value, seconds: (performance.now() - t0) / 1000, cpu: (cpu.user + cpu.system) / 1e6 };
}

/** Every feed file of a simulated folder (the truth folder aside). */
function feedFiles(dir: string): string[] {
  return fs
    .readdirSync(dir)
    .filter((f) => /\.csv(\.gz)?$/.test(f))
    .sort()
    .map((f) => path.join(dir, f));
}

/** COPYs each file's rows as they are into a bare table of text columns; returns the rows. */
async function rawCopy(db: Db, files: readonly string[]): Promise<number> {
  let rows = 0;
  for (const [n, file] of files.entries()) {
    const input = fs.createReadStream(file);
    const parser = (file.endsWith('.gz') ? input.pipe(zlib.createGunzip()) : input).pipe(
      parse({ bom: true, relax_column_count: true, relax_quotes: true }),
    );
    let columns: string[] | null = null;
    let chunk: string[][] = [];
    const tableName = `baseline_${n}`;
    for await (const rec of parser as AsyncIterable<string[]>) {
      if (!columns) {
        columns = rec.map((_c, i) => `c${i}`);
        await db.exec(`CREATE TABLE ${tableName} (${columns.map((c) => `${c} text`).join(', ')})`);
        continue;
      }
      chunk.push(columns.map((_c, i) => rec[i] ?? ''));
      if (chunk.length >= 10_000) {
        await db.copyRows(tableName, columns, chunk);
        rows += chunk.length;
        chunk = [];
      }
    }
    if (columns && chunk.length) {
      await db.copyRows(tableName, columns, chunk);
      rows += chunk.length;
    }
  }
  return rows;
}

/** A fresh, migrated database of the engine; dropped (server) or deleted (PGlite) after `fn`. */
function scratchDb<T>(work: string, name: string, fn: (db: Db) => Promise<T>): Promise<T> {
  if (engine === 'pglite') return withScratchDb({ dataDir: path.join(work, name) }, fn);
  const url =
    process.env.BENCH_DATABASE_URL ??
    process.env.DATABASE_URL ??
    'postgres://postgres@127.0.0.1:5432/postgres';
  return withScratchDb({ url, name: `bench_pipeline_${name}_${process.pid}` }, fn);
}

const work = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-pipeline-'));
try {
  process.stderr.write(`pipeline: ${children} children (scale ${scale}) on ${engine}\n`);
  const feeds = path.join(work, 'feeds');
  const sim = await timed(() => simulate({ outDir: feeds, children, seed: 2019 }));
  const files = feedFiles(feeds);
  process.stderr.write(`simulated ${sim.value.rows} rows in ${sim.seconds.toFixed(1)} s\n`);

  const copy = await scratchDb(work, 'baseline', (db) => timed(() => rawCopy(db, files)));
  process.stderr.write(`raw COPY of ${copy.value} rows in ${copy.seconds.toFixed(1)} s\n`);

  const steps: Step[] = [];
  await scratchDb(work, 'run', async (db) => {
    const clock = systemClock;
    const ingest = await timed(() =>
      ingestFiles(
        { db, clock, afterRecordsChanged: projections({ log, clock }).afterRecordsChanged },
        { paths: files },
      ),
    );
    const rows = ingest.value.reduce((sum, f) => sum + (f.rows ?? 0), 0);
    steps.push({ step: 'ingest', seconds: ingest.seconds, cpu: ingest.cpu, detail: `${rows} rows` });
    process.stderr.write(`ingested in ${ingest.seconds.toFixed(1)} s\n`);
    const derived = await timed(() => runProjections({ db, log, clock }));
    const d = derived.value;
    steps.push({
      step: 'projections',
      seconds: derived.seconds,
      cpu: derived.cpu,
      detail:
        `${d.children} children, ${d.alertsOpened} alerts, ${d.tasksOpened} tasks, ${d.events} events; ` +
        `link ${(d.ms.link / 1000).toFixed(1)} s, rules+facts+events ${(d.ms.evaluate / 1000).toFixed(1)} s, ` +
        `tasks ${(d.ms.tasks / 1000).toFixed(1)} s`,
    });
    process.stderr.write(`projections in ${derived.seconds.toFixed(1)} s\n`);
    const report = await timed(() => buildReport(db, { asOf: sim.value.asOf }));
    steps.push({
      step: `report as of ${sim.value.asOf}`,
      seconds: report.seconds,
      cpu: report.cpu,
      detail: `${report.value.children.released_to_sponsor} released, ${report.value.no_nta_served} never served`,
    });
  });

  const baseline = sim.seconds + copy.seconds;
  const total = sim.seconds + steps.reduce((sum, s) => sum + s.seconds, 0);
  const rows = [
    {
      step: 'baseline: simulate + raw COPY',
      seconds: baseline,
      cpu: sim.cpu + copy.cpu,
      detail: `${copy.value} rows`,
    },
    { step: 'simulate', seconds: sim.seconds, cpu: sim.cpu, detail: `${sim.value.rows} rows` },
    ...steps,
    {
      step: 'pipeline: simulate → report',
      seconds: total,
      cpu: NaN,
      detail: `target ${TARGET_S} s at scale 1`,
    },
  ];
  process.stdout.write(
    `\npipeline, ${engine}, ${children} children, load average ${os
      .loadavg()
      .map((l) => l.toFixed(1))
      .join(' / ')} at the end\n\n`,
  );
  process.stdout.write(
    table(
      rows.map((r) => ({
        step: r.step,
        seconds: r.seconds.toFixed(1),
        'cpu s': Number.isNaN(r.cpu) ? '' : r.cpu.toFixed(1),
        'ratio to baseline': (r.seconds / baseline).toFixed(2),
        detail: r.detail,
      })),
      ['step', 'seconds', 'cpu s', 'ratio to baseline', 'detail'],
    ),
  );
  if (linkSteps.length)
    process.stdout.write(
      `\nsteps of the full link (seconds / this process's cpu s): ${linkSteps
        .map((p) => `${p.phase} ${p.seconds.toFixed(1)} / ${p.cpuSeconds.toFixed(1)}`)
        .join(', ')}\n`,
    );
  if (Object.keys(evaluated).length)
    process.stdout.write(
      `evaluation, each part's end (seconds from its start): ${Object.entries(evaluated)
        .sort((a, b) => a[1] - b[1])
        .map(([part, s]) => `${part} ${s.toFixed(1)}`)
        .join(', ')}\n`,
    );
} finally {
  fs.rmSync(work, { recursive: true, force: true });
}

// Ingest throughput: rows per second from CSV file to stored raw rows, quarantine and canonical
// records, next to a raw COPY of the same rows into a bare table in the same run (the ratio is the
// figure). Usage:
//   npm run bench -- ingest [--scale 1000000] [--engine pglite|postgres|both] [--chunk-size N] [--runs N]
// The server engine needs DATABASE_URL (a scratch database is created and dropped). With --runs N,
// each engine runs N times, each time a COPY then an ingest into a new database, and the median
// run (by its ratio) is given too: on a shared machine the rate of one COPY moves by a fifth between
// runs minutes apart, so a ratio measured once moves with it.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parse } from 'csv-parse';
import type { Db } from '../src/db/index.ts';
import { ingestFiles } from '../src/feeds/index.ts';
import { SOURCES, SOURCE_COLUMNS, type Source } from '../src/feeds/sources.ts';
import { syntheticRow, toCsv } from '../src/feeds/testing.ts';
import { systemClock } from '../src/shared/clock.ts';
import { table } from '../src/cli/output.ts';
import { withScratchDb } from './lib/bench-database.ts';

const arg = (name: string, dflt: string) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1]! : dflt;
};
const scale = Number(arg('scale', '1000000'));
const engines = arg('engine', process.env.DATABASE_URL ? 'both' : 'pglite');
const chunkSize = Number(arg('chunk-size', '10000'));
const runs = Number(arg('runs', '1'));
if (!Number.isInteger(runs) || runs < 1)
  throw new Error(`--runs must be a whole number of at least 1, not ${arg('runs', '1')}`);

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-ingest-'));
const files: { file: string; source: Source; rows: number }[] = [];
{
  const per = Math.ceil(scale / SOURCES.length);
  let left = scale;
  for (const source of SOURCES) {
    const n = Math.min(per, left);
    left -= n;
    const file = path.join(dir, `${source}_bench.csv`);
    const out = fs.createWriteStream(file);
    out.write(toCsv(source, []));
    for (let i = 0; i < n; i += 5000) {
      const rows = [];
      for (let j = i; j < Math.min(n, i + 5000); j++) rows.push(syntheticRow(source, j, 200));
      const body = toCsv(source, rows);
      if (!out.write(body.slice(body.indexOf('\n') + 1)))
        await new Promise<void>((r) => out.once('drain', () => r()));
    }
    await new Promise<void>((r) => out.end(() => r()));
    files.push({ file, source, rows: n });
  }
}

async function rawCopy(db: Db): Promise<number> {
  const t0 = performance.now();
  for (const { file, source } of files) {
    const cols = SOURCE_COLUMNS[source];
    const tableName = `bench_raw_${source}`;
    await db.exec(
      `DROP TABLE IF EXISTS ${tableName}; CREATE TABLE ${tableName} (${cols.map((c) => `${c} text`).join(', ')})`,
    );
    let chunk: string[][] = [];
    let header = true;
    for await (const rec of fs.createReadStream(file).pipe(parse({ bom: true })) as AsyncIterable<string[]>) {
      if (header) {
        header = false;
        continue;
      }
      chunk.push(rec);
      if (chunk.length >= chunkSize) {
        await db.copyRows(tableName, cols, chunk);
        chunk = [];
      }
    }
    if (chunk.length) await db.copyRows(tableName, cols, chunk);
  }
  return (performance.now() - t0) / 1000;
}

async function ingest(db: Db): Promise<{ seconds: number; records: number }> {
  const t0 = performance.now();
  await ingestFiles({ db, clock: systemClock }, { paths: files.map((f) => f.file), chunkSize });
  const seconds = (performance.now() - t0) / 1000;
  const [r] = await db.query<{ n: number }>('SELECT count(*)::int AS n FROM record');
  return { seconds, records: r!.n };
}

async function withEngine<T>(engine: string, fn: (db: Db) => Promise<T>): Promise<T> {
  if (engine === 'pglite') return withScratchDb({ dataDir: path.join(dir, 'pglite') }, fn);
  const url = process.env.DATABASE_URL;
  if (!url) throw new Error('the postgres engine needs DATABASE_URL');
  return withScratchDb({ url, name: `bridge_bench_${process.pid}` }, fn);
}

const results: Record<string, unknown>[] = [];
for (const engine of engines === 'both' ? ['pglite', 'postgres'] : [engines]) {
  const measured: { run: string; copyRate: number; ingestRate: number; seconds: number; records: number }[] =
    [];
  for (let i = 1; i <= runs; i++) {
    const r = await withEngine(engine, async (db) => {
      const copy = await rawCopy(db);
      const run = await ingest(db);
      return { copy, ...run };
    });
    measured.push({ run: String(i), copyRate: scale / r.copy, ingestRate: scale / r.seconds, ...r });
  }
  const byRatio = [...measured].sort((a, b) => a.ingestRate / a.copyRate - b.ingestRate / b.copyRate);
  const median = byRatio[(byRatio.length - 1) >> 1]!;
  for (const m of runs > 1 ? [...measured, { ...median, run: `median (run ${median.run})` }] : measured) {
    results.push({
      engine,
      run: m.run,
      rows: scale,
      'raw COPY rows/s': Math.round(m.copyRate),
      'ingest rows/s': Math.round(m.ingestRate),
      'ingest / COPY': (m.ingestRate / m.copyRate).toFixed(2),
      'ingest s': m.seconds.toFixed(1),
      records: m.records,
    });
  }
}
fs.rmSync(dir, { recursive: true, force: true });
process.stdout.write(
  `ingest benchmark: ${scale} rows over ${SOURCES.length} sources (1 in 200 quarantined), chunks of ${chunkSize}\n`,
);
process.stdout.write(
  table(results, [
    'engine',
    ...(runs > 1 ? ['run'] : []),
    'rows',
    'raw COPY rows/s',
    'ingest rows/s',
    'ingest / COPY',
    'ingest s',
    'records',
  ]),
);

// `npm run bench -- simulate [--scale S] [--seed N]`: children per second and peak memory of
// `bridge simulate` for the full FY2019–FY2023 population times S, against a baseline measured in the
// same run: writing the same number of rows of fixed text to the same files (streaming I/O alone),
// so the ratio shows the cost of the model, the noise and the truth.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { once } from 'node:events';
import { simulate, fullPopulation, allFiles } from '../src/simulate/index.ts';
import { table } from '../src/cli/output.ts';
import { csvLine } from '../src/simulate/feed-writer.ts';

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && process.argv[i + 1] ? process.argv[i + 1]! : fallback;
}

const scale = Number(arg('scale', '1'));
const seed = Number(arg('seed', '1'));
const children = Math.max(100, Math.round(fullPopulation(2019, 2023) * scale));

/** Samples resident memory while `fn` runs, and returns its peak. */
async function measure<T>(
  fn: () => Promise<T>,
): Promise<{ value: T; seconds: number; cpu: number; peakMb: number }> {
  let peak = process.memoryUsage().rss;
  const cpu0 = process.cpuUsage();
  const timer = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 50);
  const started = process.hrtime.bigint();
  const value = await fn();
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  clearInterval(timer);
  peak = Math.max(peak, process.memoryUsage().rss);
  const cpu = process.cpuUsage(cpu0);
  return { value, seconds, cpu: (cpu.user + cpu.system) / 1e6, peakMb: peak / 1e6 };
}

const base = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-simulate-'));
try {
  process.stderr.write(`simulating ${children} children (scale ${scale}) ...\n`);
  const sim = await measure(() => simulate({ outDir: path.join(base, 'sim'), children, seed }));
  const rows = sim.value.rows;

  // Baseline: the same number of rows of fixed text, through the same kind of streams and buffers.
  const fixedDir = path.join(base, 'fixed');
  fs.mkdirSync(fixedDir);
  const files = allFiles();
  const fixed = await measure(async () => {
    const streams = files.map((f) => fs.createWriteStream(path.join(fixedDir, f.name.replace(/\.gz$/, ''))));
    const cells = [
      'BP000000001',
      'A212345678',
      'GARCIA LOPEZ',
      'MARIA JOSE',
      '2006-04-17',
      'F',
      'GTM',
      '2021-03-02',
      'RGV',
      'Y',
    ];
    for (let written = 0, i = 0; written < rows; written += 4096, i++) {
      let chunk = '';
      for (let k = 0; k < 4096; k++) chunk += csvLine(cells);
      const s = streams[i % streams.length]!;
      if (!s.write(chunk)) await once(s, 'drain');
    }
    await Promise.all(streams.map((s) => new Promise((r) => s.end(r))));
    return rows;
  });

  const bytes = (dir: string) =>
    fs
      .readdirSync(dir)
      .reduce(
        (n, f) => n + (fs.statSync(path.join(dir, f)).isFile() ? fs.statSync(path.join(dir, f)).size : 0),
        0,
      );
  const perSecond = (n: number, s: number) => Math.round(n / s);
  process.stdout.write(
    table(
      [
        {
          run: 'simulate (model + noise + truth)',
          children: children,
          rows,
          seconds: sim.seconds.toFixed(1),
          'cpu s': sim.cpu.toFixed(1),
          'children/s': perSecond(children, sim.seconds),
          'rows/s': perSecond(rows, sim.seconds),
          'peak RSS MB': sim.peakMb.toFixed(0),
          'feed MB': (bytes(path.join(base, 'sim')) / 1e6).toFixed(0),
        },
        {
          run: 'baseline (fixed CSV rows, same count)',
          children: '',
          rows,
          seconds: fixed.seconds.toFixed(1),
          'cpu s': fixed.cpu.toFixed(1),
          'children/s': '',
          'rows/s': perSecond(rows, fixed.seconds),
          'peak RSS MB': fixed.peakMb.toFixed(0),
          'feed MB': (bytes(fixedDir) / 1e6).toFixed(0),
        },
      ],
      ['run', 'children', 'rows', 'seconds', 'cpu s', 'children/s', 'rows/s', 'peak RSS MB', 'feed MB'],
    ),
  );
  process.stdout.write(
    `\nratio simulate / baseline time: ${(sim.seconds / fixed.seconds).toFixed(1)}x (cpu ${(sim.cpu / fixed.cpu).toFixed(1)}x); ` +
      `full population (${fullPopulation(2019, 2023)} children) projected at ${(fullPopulation(2019, 2023) / perSecond(children, sim.seconds)).toFixed(0)} s wall, ${((sim.cpu * fullPopulation(2019, 2023)) / children).toFixed(0)} s cpu` +
      `; target < 180 s; machine: ${os.cpus().length} cores, load ${os.loadavg()[0]!.toFixed(1)}\n`,
  );
} finally {
  fs.rmSync(base, { recursive: true, force: true });
}

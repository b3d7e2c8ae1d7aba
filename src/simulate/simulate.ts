// Writes a synthetic population's five agency feeds and its truth (links, children, report) to a
// folder, child by child with bounded memory. Deterministic for a seed.
import fs from 'node:fs';
import path from 'node:path';
import { BridgeError } from '../shared/errors.ts';
import type { Progress } from '../shared/progress.ts';
import { Rng, deriveSeed } from './random.ts';
import { fullPopulation, lifecycle as L, transfersByFiscalYear } from './calibration.ts';
import { dayToIso, fiscalYearStart, isoToDay } from './dates.ts';
import { allFiles, type FeedRow } from './feed-layout.ts';
import { FeedWriter, CsvOut } from './feed-writer.ts';
import { generateGroup, PopulationState, type ChildPath } from './lifecycle.ts';
import { NoiseCounter, noiseLevels, type NoiseConfig, type NoiseLevel } from './noise.ts';
import { Renderer } from './render.ts';
import { TruthReporter, type TruthReport } from './truth-report.ts';
import { TruthRuleCounter } from './truth-rules.ts';
import { maleGivenNames, femaleGivenNames, surnames } from './names.ts';

/** Size of the population `npm start` generates: ingested and linked in about a minute. */
export const DEMO_CHILDREN = 5_000;

export interface SimulateOptions {
  outDir: string;
  /** Children in scope to generate; default: the full population of the fiscal years. */
  children?: number;
  fromFy?: number;
  toFy?: number;
  seed?: number;
  /** The feeds' extraction date: no row is dated after it. Default: 31 May after the last FY. */
  asOf?: string;
  /** Dates to compute the truth report for (truth/report-YYYY-MM-DD.json); default [asOf]. */
  truthDates?: string[];
  noise?: NoiseLevel | NoiseConfig;
  progress?: Progress;
}

export interface SimulateSummary {
  outDir: string;
  seed: number;
  children: number;
  rows: number;
  files: Record<string, number>;
  asOf: string;
  report: TruthReport;
  seconds: number;
}

const isoDate = /^\d{4}-\d{2}-\d{2}$/;

export function resolveOptions(o: SimulateOptions) {
  const fromFy = o.fromFy ?? 2019;
  const toFy = o.toFy ?? 2023;
  if (!Number.isInteger(fromFy) || !Number.isInteger(toFy) || fromFy > toFy || fromFy < 2000 || toFy > 2100)
    throw new BridgeError(
      'USAGE',
      `fiscal years must be whole years with --from-fy <= --to-fy (got ${fromFy}..${toFy})`,
    );
  const asOf = o.asOf ?? `${toFy + 1}-05-31`;
  const dates = o.truthDates?.length ? o.truthDates : [asOf];
  for (const d of [asOf, ...dates])
    if (!isoDate.test(d) || Number.isNaN(isoToDay(d)))
      throw new BridgeError('USAGE', `not a date in YYYY-MM-DD: ${d}`);
  if (isoToDay(asOf) < fiscalYearStart(fromFy))
    throw new BridgeError('USAGE', `--as-of ${asOf} is before fiscal year ${fromFy} begins`);
  const children = o.children ?? fullPopulation(fromFy, toFy);
  if (!Number.isInteger(children) || children < 1)
    throw new BridgeError('USAGE', `--children must be a positive whole number`);
  const seed = o.seed ?? 1;
  if (!Number.isInteger(seed)) throw new BridgeError('USAGE', `--seed must be a whole number`);
  const noise = typeof o.noise === 'object' ? o.noise : noiseLevels[o.noise ?? 'default'];
  if (!noise) throw new BridgeError('USAGE', `--noise must be ${Object.keys(noiseLevels).join(' or ')}`);
  return { fromFy, toFy, asOf, dates, children, seed, noise };
}

/** Children per fiscal year, in proportion to the real transfers to ORR. */
export function childrenPerYear(total: number, fromFy: number, toFy: number): Map<number, number> {
  const years: number[] = [];
  for (let fy = fromFy; fy <= toFy; fy++) years.push(fy);
  const weights = years.map((fy) => transfersByFiscalYear[fy] ?? 100_000);
  const sum = weights.reduce((a, b) => a + b, 0);
  const out = new Map<number, number>();
  let given = 0;
  years.forEach((fy, i) => {
    const n = i === years.length - 1 ? total - given : Math.round((total * weights[i]!) / sum);
    out.set(fy, n);
    given += n;
  });
  return out;
}

export async function simulate(options: SimulateOptions): Promise<SimulateSummary> {
  const started = Date.now();
  const o = resolveOptions(options);
  const outDir = options.outDir;
  const truthDir = path.join(outDir, 'truth');
  fs.mkdirSync(truthDir, { recursive: true });
  const horizon = isoToDay(o.asOf);
  const noise = new NoiseCounter(o.noise);
  const state = new PopulationState(new Rng(deriveSeed(o.seed, 'hubs')), o.children, horizon, noise);
  const renderer = new Renderer(noise, fiscalYearStart(Math.ceil((o.fromFy + o.toFy) / 2) + 1), horizon);
  const reporter = new TruthReporter(o.dates);
  const reportAsOf = o.dates.includes(o.asOf) ? null : new TruthReporter([o.asOf]);
  const ruleCounter = new TruthRuleCounter(o.dates);
  const rulesAsOf = reportAsOf ? new TruthRuleCounter([o.asOf]) : null;

  const malformed = new CsvOut(path.join(truthDir, 'malformed.csv'), [
    'source',
    'file',
    'line',
    'record_id',
    'kind',
  ]);
  const links = new CsvOut(path.join(truthDir, 'links.csv'), ['source', 'record_id', 'child_id']);
  const childrenOut = new CsvOut(path.join(truthDir, 'children.csv'), [
    'child_id',
    'group_id',
    'relation',
    'given_name',
    'surname1',
    'surname2',
    'sex',
    'dob',
    'country',
    'fiscal_year',
    'a_number',
    'a_number_2',
    'orr_uc_id',
    'transferred',
    'released',
    'runaway',
    'aged_out',
    'repatriated',
    'reencountered',
    'nta_issued',
    'nta_served',
    'court_case',
    'failed_to_appear',
    'address_defect',
    'recurring_address',
  ]);
  const feeds = new FeedWriter(outDir, allFiles(), o.seed, (spec, line, id, kind) =>
    malformed.add([spec.source, spec.name, String(line), id, kind]),
  );

  let finals: FeedRow[] = [];
  const sink = {
    write: (file: Parameters<FeedWriter['write']>[0], row: FeedRow, tag: string | null) =>
      feeds.write(file, row, tag),
    final: (row: FeedRow, child: ChildPath) => {
      finals.push(row);
      links.add([row.source, row.id, child.childId]);
    },
  };
  const yn = (b: boolean) => (b ? 'Y' : 'N');
  let made = 0;
  let group = 0;
  options.progress?.setTotal(o.children);
  for (const [fy, count] of childrenPerYear(o.children, o.fromFy, o.toFy)) {
    if (fiscalYearStart(fy) > horizon) continue;
    let left = count;
    while (left > 0) {
      const rng = new Rng(deriveSeed(o.seed, ++group));
      const r = rng.float();
      const relation =
        r < L.twins / 2 && left >= 2
          ? 'twin'
          : r < (L.twins + L.siblings) / 2 && left >= 2
            ? 'sibling'
            : 'single';
      const size = relation === 'single' ? 1 : 2;
      const kids = generateGroup(rng, state, fy, 'G' + String(group).padStart(7, '0'), size, relation);
      for (const c of kids) {
        finals = [];
        renderer.emitChild(rng, c, sink);
        reporter.addChild(finals);
        reportAsOf?.addChild(finals);
        const id = c.identity;
        ruleCounter.addChild(finals, dayToIso(id.dob));
        rulesAsOf?.addChild(finals, dayToIso(id.dob));
        childrenOut.add([
          c.childId,
          c.groupId,
          c.relation,
          id.given,
          id.surname1,
          id.surname2,
          id.sex,
          dayToIso(id.dob),
          id.country,
          String(c.fiscalYear),
          c.aNumber,
          c.aNumber2,
          c.orrUcId,
          yn(c.flags.transferred),
          yn(c.flags.released),
          yn(c.flags.runaway),
          yn(c.flags.agedOut),
          yn(c.flags.repatriated),
          yn(c.flags.reencountered),
          yn(c.flags.ntaIssued),
          yn(c.flags.ntaServed),
          yn(c.flags.courtCase),
          yn(c.flags.failedToAppear),
          c.flags.addressDefect,
          yn(c.flags.recurringAddress),
        ]);
      }
      if (rng.chance(L.outOfScopeRows * size)) {
        const day = kids[0]!.events[0]!.day;
        const adult = rng.chance(0.5);
        renderer.emitOutOfScope(
          rng,
          day,
          rng.pick(rng.chance(0.5) ? maleGivenNames : femaleGivenNames),
          adult && rng.chance(0.5)
            ? kids[0]!.identity.surname1 + ' ' + rng.pick(surnames)
            : rng.pick(surnames) + ' ' + rng.pick(surnames),
          adult ? day - rng.between(18 * 365, 45 * 365) : day - rng.between(365, 17 * 365),
          kids[0]!.identity.country,
          sink,
        );
      }
      made += size;
      left -= size;
      options.progress?.tick(size);
      if (group % 256 === 0) {
        await feeds.drain();
        await links.drain();
        await childrenOut.drain();
      }
    }
  }
  await feeds.close();
  await Promise.all([malformed.close(), links.close(), childrenOut.close()]);
  options.progress?.stop();

  const reports = reporter.finish();
  for (const r of reports)
    fs.writeFileSync(path.join(truthDir, `report-${r.as_of}.json`), JSON.stringify(r, null, 2) + '\n');
  const report = reportAsOf ? reportAsOf.finish()[0]! : reports[o.dates.indexOf(o.asOf)]!;
  fs.writeFileSync(path.join(truthDir, 'report.json'), JSON.stringify(report, null, 2) + '\n');
  const ruleCounts = ruleCounter.finish(reports);
  for (const r of ruleCounts)
    fs.writeFileSync(path.join(truthDir, `rules-${r.as_of}.json`), JSON.stringify(r, null, 2) + '\n');
  const rulesReport = rulesAsOf ? rulesAsOf.finish([report])[0]! : ruleCounts[o.dates.indexOf(o.asOf)]!;
  fs.writeFileSync(path.join(truthDir, 'rules.json'), JSON.stringify(rulesReport, null, 2) + '\n');
  fs.writeFileSync(path.join(truthDir, 'noise.json'), JSON.stringify(noise.toJSON(), null, 2) + '\n');
  const files = feeds.rowCounts();
  const rows = Object.values(files).reduce((a, b) => a + b, 0);
  fs.writeFileSync(
    path.join(truthDir, 'manifest.json'),
    JSON.stringify(
      {
        seed: o.seed,
        from_fy: o.fromFy,
        to_fy: o.toFy,
        as_of: o.asOf,
        truth_dates: o.dates,
        children: made,
        rows,
        files,
        counts: renderer.counts,
        malformed_rows: malformed.rows,
      },
      null,
      2,
    ) + '\n',
  );
  return {
    outDir,
    seed: o.seed,
    children: made,
    rows,
    files,
    asOf: o.asOf,
    report,
    seconds: (Date.now() - started) / 1000,
  };
}

// For tests on a simulated population: ingest a simulation's feeds and link the rows with the true
// links (truth/links.csv), so that identity's accuracy is not under test.
import fs from 'node:fs';
import path from 'node:path';
import { parse } from 'csv-parse/sync';
import os from 'node:os';
import type { Db } from '../db/index.ts';
import { createTestDb } from '../db/testing.ts';
import { ingestFiles } from '../feeds/index.ts';
import { refreshReportFacts } from '../reports/index.ts';
import { fixedClock, type Clock } from '../shared/clock.ts';
import { simulate, type SimulateOptions } from './simulate.ts';

export interface SimulatedPopulation {
  db: Db;
  /** The simulation's folder (feeds and truth/). */
  dir: string;
  close(): Promise<void>;
}

/** Simulates a population into a temporary folder and loads it, truly linked, into a fresh database. */
export async function loadSimulatedPopulation(
  options: Omit<SimulateOptions, 'outDir'>,
): Promise<SimulatedPopulation> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bridge-simulated-'));
  const summary = await simulate({ ...options, outDir: dir });
  const t = await createTestDb();
  const day = new Date(Date.parse(`${summary.asOf}T00:00:00Z`) + 86_400_000);
  await ingestWithTrueLinks(t.db, fixedClock(day.toISOString()), dir);
  return {
    db: t.db,
    dir,
    async close() {
      await t.close();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

export async function ingestWithTrueLinks(db: Db, clock: Clock, dir: string): Promise<void> {
  await ingestFiles({ db, clock }, { paths: [dir] });
  const links = parse(fs.readFileSync(path.join(dir, 'truth', 'links.csv')), { columns: true }) as {
    source: string;
    record_id: string;
    child_id: string;
  }[];
  await db.copyRows(
    'child',
    ['id'],
    [...new Set(links.map((l) => l.child_id))].map((c) => [c]),
  );
  await db.exec('CREATE TEMP TABLE truth_link (source text, record_id text, child_id text)');
  await db.copyRows(
    'truth_link',
    ['source', 'record_id', 'child_id'],
    links.map((l) => [l.source, l.record_id, l.child_id]),
  );
  await db.query(
    `INSERT INTO record_link (record_pk, child_id, method)
     SELECT r.id, tl.child_id, 'manual' FROM truth_link tl JOIN record r USING (source, record_id)`,
  );
  await db.exec('DROP TABLE truth_link');
  // The report's facts, as the projections pipeline keeps them after links change.
  await db.transaction((tx) => refreshReportFacts(tx, 'all'));
}

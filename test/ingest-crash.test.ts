// Killing `bridge ingest` at any moment and running the same ingest again leaves exactly the state a
// clean run gives.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { bridge, bridgeProcess, waitForStderr } from './cli.ts';
import { createTestDb, testEngine, type TestDb } from '../src/db/testing.ts';
import { openPglite } from '../src/db/pglite.ts';
import { syntheticRow, toCsv } from '../src/feeds/testing.ts';
import { feedState } from '../src/feeds/state.testing.ts';
import type { Db } from '../src/db/index.ts';

const ROWS = 4_000;

function writeFeed(dir: string): string[] {
  const rows = Array.from({ length: ROWS }, (_, i) => syntheticRow('cbp', i, 97));
  // Corrections inside the file, received after what they correct.
  for (let i = 0; i < ROWS; i += 500) rows.push({ ...syntheticRow('cbp', i, 97), sector: 'ELP' });
  const a = path.join(dir, 'cbp_big.csv');
  fs.writeFileSync(a, toCsv('cbp', rows));
  const b = path.join(dir, 'orr_small.csv');
  fs.writeFileSync(
    b,
    toCsv(
      'orr',
      Array.from({ length: 300 }, (_, i) => syntheticRow('orr', i, 50)),
    ),
  );
  return [a, b];
}

interface Target {
  env: Record<string, string | undefined>;
  state(): Promise<Record<string, unknown[]>>;
  close(): Promise<void>;
}

async function target(dir: string, name: string): Promise<Target> {
  if (testEngine === 'postgres') {
    const t: TestDb = await createTestDb();
    return { env: { DATABASE_URL: t.url }, state: () => feedState(t.db), close: () => t.close() };
  }
  const dataDir = path.join(dir, name);
  return {
    env: { BRIDGE_DATA_DIR: dataDir },
    async state() {
      const db: Db = await openPglite({ dataDir });
      try {
        return await feedState(db);
      } finally {
        await db.close();
      }
    },
    close: async () => {},
  };
}

describe('ingest after kill -9', () => {
  it('a rerun after a kill mid-ingest converges on the clean state', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bridge-crash-'));
    const files = writeFeed(dir);
    const clean = await target(dir, 'clean');
    const crashed = await target(dir, 'crashed');
    try {
      const ok = await bridge(['ingest', '--quiet', '--chunk-size', '500', ...files], clean.env);
      expect(ok.status, ok.stderr).toBe(0);

      const child = bridgeProcess(
        ['ingest', '--chunk-size', '200', '--progress-every', '0.05', ...files],
        crashed.env,
      );
      await waitForStderr(child, /ingest: [1-9]\d* rows/, 240_000);
      const exited = new Promise((r) => child.on('exit', r));
      child.kill('SIGKILL');
      await exited;
      const partial = await crashed.state();
      expect(partial.source_rows!.length).toBeGreaterThan(0);
      expect(partial.source_rows!.length).toBeLessThan(ROWS);

      const rerun = await bridge(['ingest', '--quiet', '--chunk-size', '700', ...files], crashed.env);
      expect(rerun.status, rerun.stderr).toBe(0);
      const expected = await clean.state();
      expect(expected.source_rows!.length).toBeGreaterThan(ROWS);
      expect(await crashed.state()).toEqual(expected);
    } finally {
      await clean.close();
      await crashed.close();
    }
  }, 600_000);
});

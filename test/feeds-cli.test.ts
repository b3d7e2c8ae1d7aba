import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { bridge } from './cli.ts';
import { toCsv, validRow } from '../src/feeds/testing.ts';

describe('bridge ingest and bridge quarantine', () => {
  it('summarizes per file, exits non-zero only for unreadable files, lists quarantined rows, and rebuilds the records from the raw rows', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bridge-feeds-'));
    const env = { BRIDGE_DATA_DIR: path.join(dir, 'data') };
    const file = path.join(dir, 'ice_transfers.csv');
    fs.writeFileSync(
      file,
      toCsv('ice', [
        validRow('ice', 'T1'),
        validRow('ice', 'T2', { dob: '2008-03-14' }),
        validRow('ice', 'T3'),
      ]),
    );
    const ok = await bridge(['ingest', '--json', file], env);
    expect(ok.status, ok.stderr).toBe(0);
    expect(JSON.parse(ok.stdout)).toEqual([
      expect.objectContaining({ file, source: 'ice', rows: 3, new: 2, quarantined: 1 }),
    ]);
    expect(ok.stderr).toMatch(/1 row\(s\) quarantined/);

    const missing = await bridge(['ingest', file, path.join(dir, 'ice_missing.csv')], env);
    expect(missing.status).not.toBe(0);
    expect(missing.stderr).toMatch(/unchanged/);
    expect(missing.stderr).toMatch(/1 of 2 file\(s\) could not be read: .*ice_missing\.csv/);

    const csv = await bridge(['quarantine', 'list', '--format', 'csv'], env);
    const lines = csv.stdout.trim().split('\n');
    expect(lines[0]).toBe('id,source,record_id,file,line,status,received_at,reasons');
    expect(lines).toHaveLength(2);
    expect(lines[1]).toMatch(
      /^1,ice,T2,.*ice_transfers\.csv,3,open,.*dob: not a date in MM\/DD\/YYYY: 2008-03-14/,
    );

    const show = await bridge(['quarantine', 'show', '1'], env);
    expect(show.status).toBe(0);
    expect(show.stdout).toContain(fs.readFileSync(file, 'utf8').split('\n')[2]);

    // The canonical records are recomputed from the raw rows kept; a quarantined row stays held.
    const rebuild = await bridge(['rebuild', '--quiet'], env);
    expect(rebuild.status, rebuild.stderr).toBe(0);
    expect(rebuild.stderr.trim()).toBe('rebuilt 2 record(s) from the raw rows; removed 0');
    const held = await bridge(['quarantine', 'list', '--format', 'csv'], env);
    expect(held.stdout.trim().split('\n')).toHaveLength(2);
  }, 600_000);
});

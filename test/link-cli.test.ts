// The identity commands on simulated feeds, as an analyst runs them: link the records, measure the
// links against the simulation's truth, and ask why two records are one child.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parse } from 'csv-parse/sync';
import { describe, expect, it } from 'vitest';
import { bridge } from './cli.ts';

describe('bridge link, evaluate links and review explain', () => {
  it('links simulated feeds close to the truth, and explains a pair of one true child', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bridge-link-cli-'));
    const feeds = path.join(dir, 'feeds');
    const env = { BRIDGE_DATA_DIR: path.join(dir, 'data') };
    const sim = await bridge(['simulate', feeds, '--children', '200', '--seed', '11', '--quiet']);
    expect(sim.status, sim.stderr).toBe(0);
    const files = fs
      .readdirSync(feeds)
      .filter((f) => f.endsWith('.csv'))
      .map((f) => path.join(feeds, f));
    const ingest = await bridge(['ingest', ...files], env);
    expect(ingest.status, ingest.stderr).toBe(0);

    const link = await bridge(['link', '--full', '--json'], env);
    expect(link.status, link.stderr).toBe(0);
    const summary = JSON.parse(link.stdout);
    expect(summary).toMatchObject({ mode: 'full' });
    expect(summary.children).toBeGreaterThan(150);

    const truthFile = path.join(feeds, 'truth', 'links.csv');
    const evaluated = await bridge(['evaluate', 'links', '--truth', truthFile, '--json'], env);
    expect(evaluated.status, evaluated.stderr).toBe(0);
    const e = JSON.parse(evaluated.stdout);
    expect(e.precision).toBeGreaterThan(0.95);
    expect(e.recall).toBeGreaterThan(0.95);
    expect(e.records).toBe(summary.records);

    // Two records the simulation wrote for one child, from two agencies: the explanation names
    // each field's part and says they are one child.
    const truth = parse(fs.readFileSync(truthFile), { columns: true }) as {
      source: string;
      record_id: string;
      child_id: string;
    }[];
    const bySource = (source: string) => truth.filter((t) => t.source === source);
    const orr = bySource('orr');
    const cbp = bySource('cbp').find((c) => orr.some((o) => o.child_id === c.child_id))!;
    const other = orr.find((o) => o.child_id === cbp.child_id)!;
    const explain = await bridge(
      ['review', 'explain', `cbp:${cbp.record_id}`, `orr:${other.record_id}`, '--json'],
      env,
    );
    expect(explain.status, explain.stderr).toBe(0);
    const x = JSON.parse(explain.stdout);
    expect(x.records.map((r: { recordId: string }) => r.recordId)).toEqual([cbp.record_id, other.record_id]);
    expect(x.fields.map((f: { field: string }) => f.field)).toEqual(
      expect.arrayContaining(['given_names', 'surnames', 'dob', 'a_number']),
    );
    expect(x.sameChild).toBe(true);
    expect(x.records[0].childId).toBe(x.records[1].childId);

    const text = await bridge(['review', 'explain', `cbp:${cbp.record_id}`, `orr:${other.record_id}`], env);
    expect(text.stdout).toMatch(/^same child: /m);
  }, 300_000);
});

// A person's change of links at the command line: what follows links (alerts, the report's facts)
// follows it before the command returns.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { openPglite } from '../src/db/pglite.ts';
import { migrate } from '../src/db/migrate.ts';
import { Facts } from '../src/cases/testing.ts';
import { loadFixtureChildren } from '../src/cases/db-fixtures.ts';
import { evaluateChildren } from '../src/rules/index.ts';
import { silentLog } from '../src/shared/log.ts';
import { fixedClock } from '../src/shared/clock.ts';
import { bridge } from './cli.ts';

describe('bridge review merge and split', () => {
  it("merge closes the merged-away child's alerts and moves its report facts; split undoes it; both before they return", async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bridge-identity-cli-'));
    let db = await openPglite({ dataDir: dir });
    try {
      await migrate(db);
      const a = new Facts();
      a.admission('2020-01-02');
      a.release('2020-01-10');
      const b = new Facts(100);
      b.runaway('2020-02-01');
      await loadFixtureChildren(db, [
        { childId: 'MERGE-A', records: a.records },
        { childId: 'MERGE-B', records: b.records },
      ]);
      await evaluateChildren({ db, log: silentLog, clock: fixedClock('2024-06-01T00:00:00Z') }, [
        'MERGE-A',
        'MERGE-B',
      ]);
      const [before] = await db.query<{ n: number }>(
        `SELECT count(*)::int AS n FROM alert WHERE child_id = 'MERGE-B' AND closed_at IS NULL`,
      );
      expect(before!.n).toBeGreaterThan(0);
    } finally {
      await db.close();
    }

    let runaway: { ref: string } | undefined;
    const res = await bridge(['review', 'merge', 'MERGE-A', 'MERGE-B', '--reason', 'same child'], {
      BRIDGE_DATA_DIR: dir,
    });
    expect(res.status, res.stderr).toBe(0);

    db = await openPglite({ dataDir: dir });
    try {
      const open = await db.query<{ child_id: string }>(
        `SELECT DISTINCT child_id FROM alert WHERE closed_at IS NULL ORDER BY child_id`,
      );
      expect(open.map((r) => r.child_id)).not.toContain('MERGE-B');
      const facts = await db.query<{ child_id: string; first_runaway: unknown }>(
        `SELECT child_id, first_runaway FROM report_child ORDER BY child_id`,
      );
      expect(facts).toHaveLength(1);
      expect(facts[0]!.first_runaway).not.toBeNull(); // the runaway now belongs to the merged child
      const [pending] = await db.query<{ n: number }>('SELECT count(*)::int AS n FROM projection_pending');
      expect(pending!.n).toBe(0);
      [runaway] = await db.query<{ ref: string }>(
        `SELECT source || ':' || record_id AS ref FROM record WHERE event_type = 'RUNAWAY'`,
      );
    } finally {
      await db.close();
    }

    // The merge undone by hand: the runaway record goes to a child of its own, and its facts with it.
    const env = { BRIDGE_DATA_DIR: dir };
    const bad = await bridge(['review', 'split', 'MERGE-A', '--records', 'R1', '--reason', 'x'], env);
    expect(bad.status).toBe(2);
    expect(bad.stderr).toMatch(/"R1" is not a record: write SOURCE:RECORD_ID/);
    const unknown = await bridge(
      ['review', 'split', 'MERGE-A', '--records', 'orr:NOPE', '--reason', 'x'],
      env,
    );
    expect(unknown.status).not.toBe(0);
    expect(unknown.stderr.trim()).toBe('bridge: no record orr:NOPE');
    const split = await bridge(
      ['review', 'split', 'MERGE-A', '--records', runaway!.ref, '--reason', 'two children after all'],
      env,
    );
    expect(split.status, split.stderr).toBe(0);
    expect(split.stderr).toMatch(/split; 1 link\(s\) changed/);

    db = await openPglite({ dataDir: dir });
    try {
      const links = await db.query<{ event_type: string; child_id: string }>(
        `SELECT r.event_type, l.child_id FROM record r JOIN record_link l ON l.record_pk = r.id ORDER BY r.id`,
      );
      const apart = links.filter((l) => l.event_type === 'RUNAWAY');
      expect(apart).toHaveLength(1);
      expect(apart[0]!.child_id).not.toBe('MERGE-A');
      expect(links.filter((l) => l.child_id === 'MERGE-A')).toHaveLength(links.length - 1);
      const facts = await db.query<{ child_id: string; first_runaway: unknown }>(
        `SELECT child_id, first_runaway FROM report_child ORDER BY child_id`,
      );
      expect(facts).toEqual(
        expect.arrayContaining([
          { child_id: 'MERGE-A', first_runaway: null },
          { child_id: apart[0]!.child_id, first_runaway: expect.anything() },
        ]),
      );
      expect(facts).toHaveLength(2);
    } finally {
      await db.close();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  }, 120_000);
});

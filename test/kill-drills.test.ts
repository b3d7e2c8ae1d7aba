// kill -9 drills with real processes: `bridge serve` killed while an agency system pushes records,
// and its worker killed in the middle of the projections and of the webhook deliveries. Each run is
// compared with a clean run of the same input: nothing lost, nothing doubled. The same drills, at a
// larger size and on either engine: `npm run drill -- kill-serve-push` and `... -- kill-worker`.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { testEngine } from '../src/db/testing.ts';
import { servePushDrill, workerDrill, type Where } from '../drills/lib/kill-drills.ts';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bridge-kill-drills-'));
const where: Where = process.env.TEST_DATABASE_URL
  ? { adminUrl: process.env.TEST_DATABASE_URL, prefix: 'bridge_t_drill_' }
  : { dir };
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

// On PGlite one process holds the database folder, so the drill can see that the worker caught up
// only by stopping the service and opening the folder, and starts it again while work is left:
// every round costs a start of `bridge serve`, and the drills take minutes instead of seconds.
// They pass there too (`npm run drill -- kill-serve-push --engine pglite`, docs/benchmarks.md);
// the suite runs them on the server only, where several processes share a database anyway.
describe.skipIf(testEngine === 'pglite')('kill -9 drills', () => {
  it('bridge serve killed during a push: the sender resends, and the state equals a clean run', async () => {
    const r = await servePushDrill({
      where,
      children: 60,
      seed: 11,
      batchSize: 60,
      killAtBatch: 3,
      killDelayMs: 40,
    });
    expect(r.differences).toEqual([]);
    // The sender had batches unanswered (the one in flight, or the next while the service restarted).
    expect(r.killsInWork).toBe(1);
    expect(r.delivery.deliveries).toBeGreaterThan(0);
    expect(r.delivery).toMatchObject({ missing: 0, unknown: 0, delivered: r.delivery.deliveries });
    expect(r.passed, r.lines.join('\n')).toBe(true);
  }, 300_000);

  it('the worker killed in the projections and in the deliveries: nothing lost or doubled', async () => {
    const r = await workerDrill({ where, children: 50, seed: 5, projectionsAt: 0.5, deliveriesAt: 0.5 });
    expect(r.differences).toEqual([]);
    expect(r.killsInWork).toBe(3);
    expect(r.delivery.deliveries).toBeGreaterThan(40);
    expect(r.delivery).toMatchObject({ missing: 0, unknown: 0, delivered: r.delivery.deliveries });
    // At least once: only the messages in flight at a kill (a batch of 20) may arrive twice.
    expect(r.delivery.duplicates).toBeLessThanOrEqual(60);
    expect(r.passed, r.lines.join('\n')).toBe(true);
  }, 300_000);
});

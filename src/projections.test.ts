// A first load links, evaluates and routes every record at once instead of round by round; what a
// user sees afterwards must be what the rounds give: the same children, alerts, tasks, messages
// to subscribers and report.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDb, type TestDb } from './db/testing.ts';
import type { Db } from './db/index.ts';
import { simulate } from './simulate/index.ts';
import { createBatch, finishBatch, ingestFiles, ingestRows } from './feeds/index.ts';
import { syntheticRow } from './feeds/testing.ts';
import { projections, runProjections, type ProjectionSummary } from './projections.ts';
import { buildReport } from './reports/index.ts';
import { addSubscription } from './notify/manage-subscriptions.ts';
import { fixedClock } from './shared/clock.ts';
import { createLog } from './shared/log.ts';

const AS_OF = '2024-05-31';
const log = createLog('silent');
const clock = fixedClock(`${AS_OF}T12:00:00Z`);
let dir: string;
const dbs: TestDb[] = [];

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bridge-bulk-'));
  await simulate({ outDir: dir, children: 250, seed: 41, asOf: AS_OF });
}, 600_000);

afterAll(async () => {
  for (const t of dbs) await t.close();
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

async function load(batch: number): Promise<{ db: Db; summary: ProjectionSummary }> {
  const t = await createTestDb();
  dbs.push(t);
  await ingestFiles(
    { db: t.db, clock, afterRecordsChanged: projections({ log, clock }).afterRecordsChanged },
    { paths: [dir] },
  );
  // Every event type, so that each message recorded shows as a delivery.
  for (const agency of ['ORR', 'EOIR'] as const) {
    await addSubscription(t.db, {
      agency,
      name: `${agency} system`,
      webhookUrl: `http://127.0.0.1:9/${agency}`,
      eventTypes: ['*'],
    });
  }
  return { db: t.db, summary: await runProjections({ db: t.db, log, clock }, { batch }) };
}

/** What a user sees, with each child named by its first record rather than by its id. */
async function seen(db: Db) {
  const q = <T>(sql: string) => db.query<T & { child: string }>(sql);
  const childKey = `(SELECT min(r.source || ':' || r.record_id) FROM record_link l JOIN record r ON r.id = l.record_pk
                     WHERE l.child_id = x.child_id)`;
  return {
    children: (
      await q<{ records: string }>(
        `SELECT string_agg(r.source || ':' || r.record_id, ' ' ORDER BY r.source, r.record_id) AS records, '' AS child
         FROM record_link l JOIN record r ON r.id = l.record_pk GROUP BY l.child_id ORDER BY 1`,
      )
    ).map((c) => c.records),
    alerts: await q(
      `SELECT ${childKey} AS child, x.rule_id, x.closed_at IS NULL AS open
       FROM alert x ORDER BY 1, 2, 3`,
    ),
    tasks: await q(
      `SELECT ${childKey} AS child, a.rule_id, t.office_kind, t.office_id, t.status
       FROM task t JOIN alert a ON a.id = t.alert_id CROSS JOIN LATERAL (SELECT a.child_id) x
       ORDER BY 1, 2, 3, 4, 5`,
    ),
    messages: await q<{ type: string }>(
      `SELECT ${childKey} AS child, e.type, count(d.id)::int AS deliveries
       FROM notify_event e LEFT JOIN notify_delivery d ON d.event_pk = e.id
       CROSS JOIN LATERAL (SELECT e.child_id) x
       GROUP BY 1, 2 ORDER BY 1, 2`,
    ),
    report: await buildReport(db, { asOf: AS_OF }),
  };
}

describe('projections of a first load', () => {
  it('taken at once give what the rounds give', async () => {
    const rounds = await load(1_000_000);
    const bulk = await load(300);
    expect(rounds.summary.rounds).toBe(1);
    // More records than 300 were queued: round by round they would take several rounds.
    expect(bulk.summary.records).toBeGreaterThan(1_000);
    expect(bulk.summary.rounds).toBe(1);
    const [a, b] = [await seen(rounds.db), await seen(bulk.db)];
    expect(b.alerts.length).toBeGreaterThan(50);
    expect(b.messages.filter((m) => m.type === 'child.failed_to_appear').length).toBeGreaterThan(0);
    expect(b).toEqual(a);
    // A run with nothing queued changes nothing, and records no message again.
    await runProjections({ db: bulk.db, log, clock }, { batch: 300 });
    expect(await seen(bulk.db)).toEqual(a);
  });
});

describe('projections round by round', () => {
  it("give a task to every child whose alert a round opened, not only to the round's own children", async () => {
    // A fifth child released to a street raises RECURRING_ADDRESS for the four released there
    // before, whose records are not in the round.
    const t = await createTestDb();
    dbs.push(t);
    const hooks = projections({ log, clock });
    const release = async (i: number) => {
      const fields = {
        ...syntheticRow('orr', i),
        event_type: 'RELEASE',
        street: '45 Elm Avenue',
        unit: 'Apt 5',
        city: 'Houston',
        state: 'TX',
        zip: '77002',
      };
      const batchId = await createBatch(t.db, 'orr', 'http', `release-${i}`, clock.now());
      const { counts } = await ingestRows(
        { db: t.db, clock, afterRecordsChanged: hooks.afterRecordsChanged },
        { source: 'orr', batchId, rows: [{ line: 1, rawText: JSON.stringify(fields), fields }] },
      );
      await finishBatch(t.db, batchId, clock.now(), counts);
      await runProjections({ db: t.db, log, clock });
    };
    const recurring = async () =>
      t.db.query<{ child_id: string; tasks: number }>(
        `SELECT a.child_id, (SELECT count(*)::int FROM task k WHERE k.alert_id = a.id AND k.status = 'open') AS tasks
           FROM alert a WHERE a.rule_id = 'RECURRING_ADDRESS' AND a.closed_at IS NULL ORDER BY a.child_id`,
      );
    for (let i = 1; i <= 4; i++) await release(i);
    expect(await recurring()).toEqual([]);
    await release(5);
    const alerts = await recurring();
    expect(alerts).toHaveLength(5);
    expect(alerts.map((a) => a.tasks)).toEqual([1, 1, 1, 1, 1]);
  });
});

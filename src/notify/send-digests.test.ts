import { afterEach, describe, expect, it } from 'vitest';
import { createTestDb, testEngine, type TestDb } from '../db/testing.ts';
import { fixedClock } from '../shared/clock.ts';
import { addSubscription } from './manage-subscriptions.ts';
import { recordEvent } from './record-event.ts';
import { DIGEST_QUEUE, runDigestJob } from './send-digests.ts';

describe(`daily digest job on ${testEngine}`, () => {
  let t: TestDb | undefined;
  afterEach(async () => {
    await t?.close();
  });

  it('folds waiting mail into one digest per subscription and queues the next day once', async () => {
    t = await createTestDb();
    const db = t.db;
    for (const email of ['a@orr.test', 'b@orr.test']) {
      await addSubscription(db, { agency: 'ORR', name: email, email, eventTypes: ['alert.opened'] });
    }
    await db.transaction(async (tx) => {
      for (const id of ['A1', 'A2', 'A3'])
        await recordEvent(tx, {
          type: 'alert.opened',
          childId: 'C-1',
          occurredAt: new Date('2024-03-05T10:00:00Z'),
          data: { alert_id: id, alert_kind: 'NO_NTA' },
        });
    });
    const clock = fixedClock('2024-03-05T13:00:05Z');
    await runDigestJob({ hourUtc: 13 }, { db, clock });
    await runDigestJob({ hourUtc: 13 }, { db, clock });
    const digests = await db.query<{ subscription_id: number; folded: number }>(
      `SELECT d.subscription_id::int AS subscription_id,
         (SELECT count(*)::int FROM notify_delivery x WHERE x.digest_id = d.id) AS folded
       FROM notify_delivery d WHERE d.event_pk IS NULL AND d.status = 'pending' ORDER BY 1`,
    );
    expect(digests).toEqual([
      { subscription_id: 1, folded: 3 },
      { subscription_id: 2, folded: 3 },
    ]);
    const jobs = await db.query<{ run_at: Date }>(`SELECT run_at FROM job WHERE queue = $1`, [DIGEST_QUEUE]);
    expect(jobs.map((j) => new Date(j.run_at).toISOString())).toEqual(['2024-03-06T13:00:00.000Z']);
  });
});

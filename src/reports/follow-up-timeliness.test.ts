// The follow-up timeliness figures from real feed rows: missed hearings ingested → projections
// (link, rules, tasks, notifications) → delivery to a real webhook receiver → tasks closed by people;
// the report counts what was delivered and closed by the end of its date, and notices new
// deliveries and closures although the report's facts did not change.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { createTestDb, testEngine, type TestDb } from '../db/testing.ts';
import { silentLog } from '../shared/log.ts';
import { isoDate, systemClock, type Clock } from '../shared/clock.ts';
import { createBatch, ingestRows } from '../feeds/index.ts';
import { validRow } from '../feeds/testing.ts';
import { projections, runProjections } from '../projections.ts';
import { DeliveryWorker } from '../notify/deliver-notifications.ts';
import { addSubscription } from '../notify/manage-subscriptions.ts';
import { startWebhookReceiver, type WebhookReceiver } from '../notify/test-receivers.ts';
import { closeTask } from '../work/update-task.ts';
import { buildReport } from './build-report.ts';
import { percentileOfCounts, type Counted } from './follow-up-timeliness.ts';

const DAY_MS = 86_400_000;
const dayAfter = (iso: string, n = 1) => isoDate(new Date(Date.parse(`${iso}T00:00:00Z`) + n * DAY_MS));
const daysBetween = (from: string, to: string) => (Date.parse(to) - Date.parse(from)) / DAY_MS;

describe(`follow-up timeliness on ${testEngine}`, () => {
  let t: TestDb;
  let receiver: WebhookReceiver;

  beforeAll(async () => {
    receiver = await startWebhookReceiver();
  });
  afterAll(async () => {
    await receiver.close();
  });
  beforeEach(async () => {
    t = await createTestDb();
    return () => t.close();
  });

  it('measures missed hearing → ORR told and alert → task closed, as of the end of each date', async () => {
    // Messages and tasks carry the real time, as they do in service.
    const clock: Clock = systemClock;
    for (const agency of ['ORR', 'ICE_ERO']) {
      const { secret } = await addSubscription(t.db, {
        agency,
        name: `${agency} system`,
        webhookUrl: receiver.url,
        eventTypes: ['child.failed_to_appear'],
      });
      await t.db.query(`UPDATE notify_subscription SET secret = $1`, [secret]);
      receiver.setSecret(secret!);
    }
    const worker = new DeliveryWorker({
      db: t.db,
      log: silentLog,
      clock,
      config: {
        publicUrl: 'https://bridge.test',
        smtpUrl: undefined,
        mailFrom: 'b@test',
        webhookTimeoutMs: 2000,
      },
    });

    // Two children miss a hearing, on 15 January and 20 February 2024.
    const hearing = (id: string, aNumber: string, name: string, date: string) =>
      validRow('eoir', id, {
        a_number: aNumber,
        last_name: name,
        idncase: `C-${id}`,
        event_date: date,
        hearing_date: `${date} 09:00`,
      });
    const rows = [
      hearing('E-A', 'A-201-000-001', 'PEREZ TZOC', '2024-01-15'),
      hearing('E-B', 'A-201-000-002', 'CHAVAJAY XOL', '2024-02-20'),
    ];
    const batchId = await createBatch(t.db, 'eoir', 'http', 'test-1', clock.now());
    await ingestRows(
      { db: t.db, clock, afterRecordsChanged: projections().afterRecordsChanged },
      {
        source: 'eoir',
        batchId,
        rows: rows.map((fields, i) => ({ line: i + 1, rawText: JSON.stringify(fields), fields })),
      },
    );
    await runProjections({ db: t.db, log: silentLog, clock });
    const today = isoDate(clock.now());

    // Nothing delivered yet: both children wait for ORR to be told.
    let r = await buildReport(t.db, { asOf: today });
    expect(r.failed_to_appear).toBe(2);
    expect(r.timeliness.missed_hearing_to_orr_notified).toMatchObject({
      children: 0,
      median_days: null,
      waiting: 2,
    });
    const openTasks = (await t.db.query(`SELECT id FROM task WHERE status = 'open'`)).length;
    expect(openTasks).toBeGreaterThanOrEqual(4); // each alert: ORR, ERO and OPLA must act
    expect(r.timeliness.alert_to_task_closed).toMatchObject({ tasks: 0, children: null, waiting: openTasks });

    // ORR's system refuses the message about child B (it will be retried); ERO gets both.
    const [b] = await t.db.query<{ id: string }>(
      `SELECT a.id::text FROM alert a JOIN record_link l ON l.child_id = a.child_id
         JOIN record r ON r.id = l.record_pk WHERE r.record_id = 'E-B' AND a.rule_id = 'FAILED_TO_APPEAR'`,
    );
    const orrSub = (
      await t.db.query<{ id: string }>(`SELECT id::text FROM notify_subscription WHERE agency = 'ORR'`)
    )[0]!.id;
    receiver.respond = ({ id }) => ({ status: id === `msg_alert-${b!.id}-fta_${orrSub}` ? 503 : 200 });
    await worker.drain();
    await worker.stop();
    const delivered = await t.db.query<{ child_id: string; at: Date; agency: string }>(
      `SELECT e.child_id, d.delivered_at AS at, s.agency FROM notify_delivery d
         JOIN notify_event e ON e.id = d.event_pk JOIN notify_subscription s ON s.id = d.subscription_id
        WHERE d.status = 'delivered' ORDER BY s.agency`,
    );
    expect(delivered.map((d) => d.agency)).toEqual(['ICE_ERO', 'ICE_ERO', 'ORR']);
    const toOrr = delivered.find((d) => d.agency === 'ORR')!;

    // The cached report notices the delivery: child A's ORR was told, child B's still waits.
    r = await buildReport(t.db, { asOf: today });
    expect(r.timeliness.missed_hearing_to_orr_notified).toMatchObject({
      children: 1,
      median_days: daysBetween('2024-01-15', isoDate(toOrr.at)),
      waiting: 1,
    });
    // As of the day before, nobody had been told.
    const before = await buildReport(t.db, { asOf: dayAfter(today, -1) });
    expect(before.timeliness.missed_hearing_to_orr_notified).toMatchObject({ children: 0, waiting: 2 });

    // The ORR office closes its task for child A two days after the alert was raised.
    const [task] = await t.db.query<{ id: string; opened_at: Date }>(
      `SELECT t.id::text, a.opened_at FROM task t JOIN alert a ON a.id = t.alert_id
        WHERE t.office_kind = 'ORR' AND t.alert_id <> $1 AND t.status = 'open'`,
      [b!.id],
    );
    const closedAt = new Date(task!.opened_at.getTime() + 2 * DAY_MS);
    await closeTask(
      { db: t.db, clock: { now: () => closedAt } },
      { id: 'orr.cm', offices: ['ORR'], role: 'officer' },
      task!.id,
      {
        outcome: 'welfare_check_done',
      },
    );
    const closedOn = isoDate(closedAt);
    r = await buildReport(t.db, { asOf: closedOn });
    expect(r.timeliness.alert_to_task_closed).toMatchObject({
      tasks: 1,
      children: null,
      median_days: 2,
      p90_days: 2,
      waiting: openTasks - 1,
    });
    // Closed after the end of the day before: not counted then, and still open then.
    const dayBefore = await buildReport(t.db, { asOf: dayAfter(closedOn, -1) });
    expect(dayBefore.timeliness.alert_to_task_closed).toMatchObject({ tasks: 0, waiting: openTasks });
  });
});

describe('percentiles from counted values', () => {
  /** percentile_cont over the values written out one by one. */
  const direct = (values: number[], p: number) => {
    const v = [...values].sort((a, b) => a - b);
    const pos = p * (v.length - 1);
    const lo = v[Math.floor(pos)]!;
    return lo + (v[Math.ceil(pos)]! - lo) * (pos - Math.floor(pos));
  };

  it('interpolates between neighbours as percentile_cont does, and is null for nothing', () => {
    expect(
      percentileOfCounts(
        [
          [4, 1],
          [1, 1],
          [3, 1],
          [2, 1],
        ],
        0.5,
      ),
    ).toBe(2.5);
    expect(
      percentileOfCounts(
        [
          [1, 1],
          [2, 1],
          [3, 1],
          [4, 1],
        ],
        0.9,
      ),
    ).toBeCloseTo(3.7, 10);
    expect(
      percentileOfCounts(
        [
          [5, 3],
          [10, 1],
        ],
        0.5,
      ),
    ).toBe(5);
    expect(percentileOfCounts([], 0.5)).toBeNull();
    expect(percentileOfCounts([[7, 0]], 0.9)).toBeNull();
  });

  it('equals the percentile of the values written out, for any counts', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.integer({ min: 0, max: 400 }), fc.integer({ min: 1, max: 6 })), {
          minLength: 1,
        }),
        fc.constantFrom(0, 0.1, 0.5, 0.9, 1),
        (pairs, p) => {
          const counts: Counted[] = pairs.map(([tenths, n]) => [tenths / 10, n]);
          const values = counts.flatMap(([v, n]) => Array<number>(n).fill(v));
          expect(percentileOfCounts(counts, p)).toBeCloseTo(direct(values, p), 9);
        },
      ),
    );
  });
});

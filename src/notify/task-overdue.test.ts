// task.overdue: recorded with the escalation of a task past its deadline, by the hourly work.sync
// job, once per crossing, and delivered to the office that subscribes.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDb, testEngine, type TestDb } from '../db/testing.ts';
import { fixedClock, systemClock } from '../shared/clock.ts';
import { silentLog } from '../shared/log.ts';
import { Worker, enqueueJob } from '../jobs/index.ts';
import { SYNC_QUEUE, syncTasks, syncTasksHandler } from '../work/index.ts';
import { addRecord, closeAlert, openAlert } from '../work/testing.ts';
import { DeliveryWorker } from './deliver-notifications.ts';
import { addSubscription } from './manage-subscriptions.ts';
import { EVENT_CATALOGUE } from './catalogue.ts';
import { startWebhookReceiver, type WebhookReceiver } from './test-receivers.ts';

describe(`task.overdue on ${testEngine}`, () => {
  let t: TestDb;
  let receiver: WebhookReceiver;
  beforeAll(async () => {
    t = await createTestDb();
    receiver = await startWebhookReceiver();
  });
  afterAll(async () => {
    await receiver.close();
    await t.close();
  });

  const overdueEvents = () =>
    t.db.query<{ event_id: string; severity: string; office: string; data: Record<string, unknown> }>(
      `SELECT event_id, severity, office, data FROM notify_event WHERE type = 'task.overdue' ORDER BY id`,
    );

  it('is recorded once per crossing by the job that escalates, and reaches the subscribed office', async () => {
    const { secret } = await addSubscription(t.db, {
      agency: 'ICE_ERO',
      name: 'ERO Houston supervisors',
      webhookUrl: receiver.url,
      eventTypes: ['task.overdue'],
      offices: ['ERO:Houston'],
    });
    receiver.setSecret(secret!);
    await addRecord(t.db, 'C-1', { ownDate: '2026-02-01', state: 'TX', zip5: '77002' });
    const alertId = await openAlert(t.db, {
      childId: 'C-1',
      rule: 'NO_NTA',
      openedOn: '2026-10-20',
      dueOn: '2026-11-19',
    });
    const clockAt = (iso: string) => fixedClock(iso);
    expect(
      await syncTasks({ db: t.db, log: silentLog, clock: clockAt('2026-11-01T08:00:00Z') }),
    ).toMatchObject({
      opened: 1,
      escalated: 0,
    });
    expect(await overdueEvents()).toEqual([]);

    // The hourly sweep after the deadline escalates the task and records the event with it.
    const jobs = (iso: string) =>
      new Worker({ db: t.db, log: silentLog, handlers: { [SYNC_QUEUE]: syncTasksHandler(clockAt(iso)) } });
    // (The sweep schedules the next one an hour on, already due by the real clock: it runs too.)
    await enqueueJob(t.db, SYNC_QUEUE, {});
    expect(await jobs('2026-11-20T08:00:00Z').drain()).toBeGreaterThanOrEqual(1);
    const [task] = await t.db.query<{ id: string }>(`SELECT id::text AS id FROM task`);
    let events = await overdueEvents();
    expect(events).toEqual([
      {
        event_id: `task-${task!.id}-overdue-0`,
        severity: 'warning',
        office: 'ERO:Houston',
        data: {
          task_id: task!.id,
          task_kind: 'NO_NTA',
          due_at: '2026-11-19',
          assigned_office: 'ERO:Houston',
          alert_id: alertId,
        },
      },
    ]);

    // Later sweeps find the task still overdue but already escalated: nothing new.
    await enqueueJob(t.db, SYNC_QUEUE, {});
    await jobs('2026-11-21T08:00:00Z').drain();
    expect(await overdueEvents()).toHaveLength(1);

    const delivery = new DeliveryWorker({
      db: t.db,
      log: silentLog,
      clock: systemClock,
      config: {
        publicUrl: 'https://bridge.test',
        smtpUrl: undefined,
        mailFrom: 'b@test',
        webhookTimeoutMs: 2000,
      },
    });
    try {
      expect(await delivery.drain()).toBe(1);
    } finally {
      await delivery.stop();
    }
    expect(receiver.received).toHaveLength(1);
    expect(receiver.received[0]!.verified).toBe(true);
    const body = JSON.parse(receiver.received[0]!.body) as { type: string; data: Record<string, unknown> };
    expect(body.type).toBe('task.overdue');
    expect(body.data).toMatchObject({
      task_id: task!.id,
      due_at: '2026-11-19',
      assigned_office: 'ERO:Houston',
    });

    // The alert closes and comes back: the reopened task is a new crossing once it is late again.
    await closeAlert(t.db, alertId, '2026-11-22', 'NTA served');
    await syncTasks({ db: t.db, log: silentLog, clock: clockAt('2026-11-22T08:00:00Z') });
    await openAlert(t.db, { childId: 'C-1', rule: 'NO_NTA', openedOn: '2026-11-25', dueOn: '2026-11-30' });
    await syncTasks({ db: t.db, log: silentLog, clock: clockAt('2026-11-26T08:00:00Z') });
    expect(await overdueEvents()).toHaveLength(1);
    await syncTasks({ db: t.db, log: silentLog, clock: clockAt('2026-12-01T08:00:00Z') });
    events = await overdueEvents();
    expect(events.map((e) => e.event_id)).toEqual([
      `task-${task!.id}-overdue-0`,
      `task-${task!.id}-overdue-1`,
    ]);
    expect(events[1]!.data.due_at).toBe('2026-11-30');
  });

  it('comes with a task opened already late, critical for a critical alert, to the subscribed office only', async () => {
    await addRecord(t.db, 'C-2', { ownDate: '2026-02-01', state: 'TX', zip5: '77002' });
    await openAlert(t.db, {
      childId: 'C-2',
      rule: 'FLED_CUSTODY',
      openedOn: '2026-11-01',
      dueOn: '2026-11-03',
    });
    expect(
      await syncTasks({ db: t.db, log: silentLog, clock: fixedClock('2026-12-02T08:00:00Z') }),
    ).toMatchObject({ opened: 2, escalated: 2 });
    const rows = await t.db.query<{
      office: string;
      severity: string;
      data: Record<string, unknown>;
      deliveries: number;
    }>(
      `SELECT e.office, e.severity, e.data,
              (SELECT count(*)::int FROM notify_delivery d WHERE d.event_pk = e.id) AS deliveries
         FROM notify_event e JOIN task k ON e.event_id = 'task-' || k.id || '-overdue-0'
        WHERE e.type = 'task.overdue' AND k.child_id = 'C-2' ORDER BY e.office`,
    );
    // The subscription of the first test takes ERO Houston's messages only.
    expect(rows.map((r) => [r.office, r.severity, r.deliveries])).toEqual([
      ['ERO:Houston', 'critical', 1],
      ['ORR', 'critical', 0],
    ]);
    // The statement that writes the message gives it only the fields the catalogue declares.
    const declared = Object.keys(EVENT_CATALOGUE['task.overdue'].fields).sort();
    for (const r of rows) expect(Object.keys(r.data).sort()).toEqual(declared);
    expect(rows[0]!.data).toMatchObject({ task_kind: 'FLED_CUSTODY', due_at: '2026-11-03' });
  });
});

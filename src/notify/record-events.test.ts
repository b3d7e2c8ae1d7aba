// recordEvents stores a handful of events from arrays and a large batch (a first load's messages)
// through COPY; both must store the same rows, hand back each event's own key and fan out alike.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDb, testEngine, type TestDb } from '../db/testing.ts';
import { addSubscription } from './manage-subscriptions.ts';
import { COPY_EVENTS_FROM } from './notify.queries.ts';
import { recordEvents, type EventInput } from './record-event.ts';

describe(`recordEvents on ${testEngine}`, () => {
  let t: TestDb;
  beforeAll(async () => {
    t = await createTestDb();
    await addSubscription(t.db, {
      agency: 'ICE_ERO',
      name: 'ERO Houston supervisors',
      webhookUrl: 'http://127.0.0.1:9/hook',
      eventTypes: ['task.overdue'],
      offices: ['ERO:Houston'],
    });
  });
  afterAll(async () => {
    await t.close();
  });

  const overdue = (batch: string, i: number): EventInput => ({
    type: 'task.overdue',
    eventId: `${batch}-${i}`,
    childId: `C-${i}`,
    // Every other event is for the subscribed office.
    office: i % 2 === 0 ? 'ERO:Houston' : 'ERO:Chicago',
    state: i % 2 === 0 ? 'TX' : null,
    occurredAt: new Date(Date.UTC(2026, 10, 10, 8, 0, i % 60)),
    data: {
      task_id: String(i),
      task_kind: 'NO_NTA',
      due_at: '2026-11-02',
      assigned_office: 'ERO:Houston',
      alert_id: 'x\t"y"\\',
    },
  });

  async function stored(batch: string) {
    return t.db.query<{
      id: number;
      event_id: string;
      severity: string;
      child_id: string;
      office: string;
      state: string | null;
      occurred_at: Date;
      recorded: boolean;
      data: Record<string, unknown>;
      deliveries: number;
    }>(
      `SELECT e.id::int AS id, e.event_id, e.severity, e.child_id, e.office, e.state, e.occurred_at,
              e.recorded_at IS NOT NULL AS recorded, e.data,
              (SELECT count(*)::int FROM notify_delivery d
                WHERE d.event_pk = e.id AND d.idempotency_key = 'msg_' || e.event_id || '_' || d.subscription_id) AS deliveries
         FROM notify_event e WHERE e.event_id LIKE $1 || '-%' ORDER BY e.id`,
      [batch],
    );
  }

  it('stores a large batch as it stores a small one, each event under its own key', async () => {
    const small = Array.from({ length: 4 }, (_, i) => overdue('small', i));
    const large = Array.from({ length: COPY_EVENTS_FROM + 3 }, (_, i) => overdue('large', i));
    for (const [batch, inputs] of [
      ['small', small],
      ['large', large],
    ] as const) {
      const recorded = await t.db.transaction((tx) => recordEvents(tx, inputs));
      const rows = await stored(batch);
      expect(rows).toHaveLength(inputs.length);
      // In the order given, and each returned key is the stored row of that event.
      expect(rows.map((r) => r.event_id)).toEqual(inputs.map((e) => e.eventId));
      expect(recorded.map((r) => [r.eventId, r.eventPk])).toEqual(rows.map((r) => [r.event_id, r.id]));
      expect(recorded.map((r) => r.deliveries)).toEqual(
        inputs.map((e) => (e.office === 'ERO:Houston' ? 1 : 0)),
      );
      expect(rows.map((r) => r.deliveries)).toEqual(recorded.map((r) => r.deliveries));
      for (const [i, r] of rows.entries()) {
        const e = inputs[i]!;
        expect(r).toMatchObject({
          severity: 'warning',
          child_id: e.childId,
          office: e.office,
          state: e.state,
          recorded: true,
          data: e.data,
        });
        expect(r.occurred_at.toISOString()).toBe(e.occurredAt.toISOString());
      }
    }
  });

  it('refuses a large batch holding an event recorded before, and keeps none of it', async () => {
    const again = Array.from({ length: COPY_EVENTS_FROM }, (_, i) => overdue('again', i));
    again.push(overdue('large', 0));
    await expect(t.db.transaction((tx) => recordEvents(tx, again))).rejects.toThrow(/event_id|duplicate/);
    expect(await stored('again')).toEqual([]);
  });
});

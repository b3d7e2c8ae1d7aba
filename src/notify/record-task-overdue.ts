// task.overdue: one event per task each time it passes its deadline, recorded by the statement that
// escalates it (the work module's task sync), so the message exists if the escalation does. A
// first load escalates hundreds of thousands of tasks at once; their events are written where the
// tasks are, rather than sent to this process and copied back.
import type { Queryable } from '../db/index.ts';
import type { Severity } from './catalogue.ts';
import { fanOut } from './record-event.ts';

/**
 * A statement's part (a data-modifying CTE body) that records the task.overdue event of each task
 * that `tasks` (a relation and its filter) gives, with columns id, alert_id, child_id, rule_id,
 * office_id, severity, addr_state, due_on and reopened_count; `occurredAt` is a timestamptz
 * expression. The event id is stable per crossing: recording the same crossing twice would fail,
 * never send twice. A critical task left overdue is critical news; any other is a warning (daily
 * digest by mail). The data fields are those the catalogue declares for task.overdue.
 */
export function taskOverdueEvents(tasks: string, occurredAt: string): string {
  return `
  INSERT INTO notify_event (event_id, type, severity, child_id, office, state, occurred_at, data)
  SELECT 'task-' || id || '-overdue-' || reopened_count, 'task.overdue',
         CASE severity WHEN 'critical' THEN 'critical' ELSE 'warning' END, child_id, office_id, addr_state,
         ${occurredAt},
         jsonb_build_object('task_id', id::text, 'task_kind', rule_id, 'due_at', to_char(due_on, 'YYYY-MM-DD'),
                            'assigned_office', office_id, 'alert_id', alert_id::text)
    FROM ${tasks}
  RETURNING id, event_id, severity, office, state`;
}

/**
 * True when an active subscription takes task.overdue events: only then does a statement give the
 * events it recorded back, for their deliveries (the subscriptions' other filters are applied here).
 */
export const TASK_OVERDUE_SUBSCRIBED = `EXISTS (
  SELECT 1 FROM notify_subscription s
   WHERE s.status = 'active' AND s.event_types && ARRAY['task.overdue', '*'])`;

/** A task.overdue event a statement recorded, as that statement gives it back. */
export interface RecordedOverdue {
  event_pk: string;
  event_id: string;
  severity: Severity;
  office: string;
  state: string | null;
}

/** Adds the deliveries of task.overdue events already recorded. */
export async function deliverTasksOverdue(tx: Queryable, events: readonly RecordedOverdue[]): Promise<void> {
  await fanOut(
    tx,
    events.map((e) => ({
      eventPk: Number(e.event_pk),
      eventId: e.event_id,
      type: 'task.overdue',
      severity: e.severity,
      office: e.office,
      state: e.state,
    })),
  );
}

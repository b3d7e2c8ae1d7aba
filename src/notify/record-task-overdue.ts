// task.overdue: one event per task each time it passes its deadline, recorded in the transaction
// that escalates it (the work module's task sync), so the message exists if the escalation does.
import type { Queryable } from '../db/index.ts';
import type { Severity } from './catalogue.ts';
import { recordEvents } from './record-event.ts';

export interface OverdueTask {
  id: string;
  alert_id: string;
  child_id: string;
  rule_id: string;
  office_id: string;
  /** The task's severity (low, medium, high, critical). */
  severity: string;
  addr_state: string | null;
  due_on: string;
  /** How often the task was reopened: a reopened task that passes its deadline again is a new crossing. */
  reopened_count: number;
}

/** A critical task left overdue is critical news; any other is a warning (daily digest by mail). */
export function overdueSeverity(taskSeverity: string): Severity {
  return taskSeverity === 'critical' ? 'critical' : 'warning';
}

export async function recordTasksOverdue(
  tx: Queryable,
  tasks: readonly OverdueTask[],
  occurredAt: Date,
): Promise<number> {
  await recordEvents(
    tx,
    tasks.map((t) => ({
      type: 'task.overdue' as const,
      // Stable per crossing: recording the same crossing twice would fail, never send twice.
      eventId: `task-${t.id}-overdue-${t.reopened_count}`,
      childId: t.child_id,
      office: t.office_id,
      state: t.addr_state,
      severity: overdueSeverity(t.severity),
      occurredAt,
      data: {
        task_id: t.id,
        task_kind: t.rule_id,
        due_at: t.due_on,
        assigned_office: t.office_id,
        alert_id: t.alert_id,
      },
    })),
  );
  return tasks.length;
}

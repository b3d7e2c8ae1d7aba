// Checks that tasks match alerts: every open actionable alert has exactly one open task per office
// kind, in the routed office, and no open task outlives its alert. For end-to-end tests and ops.
import type { Queryable } from '../db/index.ts';
import { CHECK_TASKS } from './work.queries.ts';

export interface TaskProblem {
  alert_id: string;
  kind: string;
  problem:
    | 'no open task'
    | 'open task without an open alert'
    | 'more than one open task'
    | 'task in the wrong office';
  expected_office: string | null;
  task_office: string | null;
}

/** Up to 1000 problems (none when tasks match alerts). */
export async function checkTasks(db: Queryable, childIds?: readonly string[]): Promise<TaskProblem[]> {
  return db.query<TaskProblem>(CHECK_TASKS, [childIds ? [...childIds] : null]);
}

// How quickly the system's follow-up happened, as of a date: days from a child's first missed
// hearing to the first message about it delivered to ORR, and days from an alert being raised to
// each of its tasks being closed. Both read the delivery log and the task list, which change when
// messages go out and people close tasks, so the cached result is stamped with those logs.
import type { Db } from '../db/index.ts';
import { cachedResult } from './report-cache.ts';
import type { TimelinessFigure } from './report.ts';

/** End of the as-of day ($1, an ISO date), as the instant the next UTC day begins. */
const END_OF_DAY = `(($1::date + 1)::timestamp AT TIME ZONE 'UTC')`;

// $1 as-of date.
const FOLLOW_UP_SQL = `
WITH missed AS (
  SELECT child_id, first_fta_hearing FROM report_child WHERE fta_known <= $1::date
), orr_told AS (
  SELECT e.child_id, min(COALESCE(d.delivered_at, g.delivered_at)) AS at
    FROM notify_event e
    JOIN notify_delivery d ON d.event_pk = e.id
    JOIN notify_subscription s ON s.id = d.subscription_id AND s.agency = 'ORR'
    LEFT JOIN notify_delivery g ON g.id = d.digest_id
   WHERE e.type = 'child.failed_to_appear'
     AND COALESCE(d.delivered_at, g.delivered_at) < ${END_OF_DAY}
   GROUP BY e.child_id
), told AS (
  SELECT GREATEST((o.at AT TIME ZONE 'UTC')::date - m.first_fta_hearing, 0) AS days
    FROM missed m JOIN orr_told o USING (child_id)
), closed AS (
  SELECT t.child_id, GREATEST(extract(epoch FROM t.closed_at - a.opened_at), 0) / 86400 AS days
    FROM task t JOIN alert a ON a.id = t.alert_id
   WHERE t.status = 'closed' AND t.closed_at < ${END_OF_DAY}
)
SELECT
  (SELECT count(*) FROM missed)::int AS missed_n,
  (SELECT count(*) FROM told)::int AS told_n,
  (SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY days) FROM told) AS told_median,
  (SELECT percentile_cont(0.9) WITHIN GROUP (ORDER BY days) FROM told) AS told_p90,
  (SELECT count(*) FROM closed)::int AS closed_tasks,
  (SELECT count(DISTINCT child_id) FROM closed)::int AS closed_children,
  (SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY days) FROM closed) AS closed_median,
  (SELECT percentile_cont(0.9) WITHIN GROUP (ORDER BY days) FROM closed) AS closed_p90,
  (SELECT count(*) FROM task
    WHERE opened_at < ${END_OF_DAY} AND (closed_at IS NULL OR closed_at >= ${END_OF_DAY}))::int AS open_tasks`;

// Every delivery attempt, task event and new alert appends a row, so the newest ids change
// whenever the figures can.
const LOGS_STAMP = `concat_ws(':',
  (SELECT max(id) FROM notify_attempt), (SELECT max(id) FROM task_event), (SELECT max(id) FROM alert))`;

interface FollowUpRow {
  missed_n: number;
  told_n: number;
  told_median: number | null;
  told_p90: number | null;
  closed_tasks: number;
  closed_children: number;
  closed_median: number | null;
  closed_p90: number | null;
  open_tasks: number;
}

const days = (v: number | null): number | null => (v === null ? null : Math.round(Number(v) * 10) / 10);

export interface FollowUpTimeliness {
  missed_hearing_to_orr_notified: TimelinessFigure;
  alert_to_task_closed: TimelinessFigure;
}

export async function followUpTimeliness(db: Db, asOf: string): Promise<FollowUpTimeliness> {
  const [r] = await cachedResult(
    db,
    'follow_up_timeliness',
    asOf,
    (q) => q.query<FollowUpRow>(FOLLOW_UP_SQL, [asOf]),
    LOGS_STAMP,
  );
  return {
    missed_hearing_to_orr_notified: {
      children: r!.told_n,
      median_days: days(r!.told_median),
      p90_days: days(r!.told_p90),
      waiting: r!.missed_n - r!.told_n,
      definition:
        'days from a child’s first missed hearing to the first failed-to-appear message delivered to ' +
        'an ORR subscription, for children who missed a hearing and whose ORR was told by the date; ' +
        '"waiting" counts children who missed a hearing and whose ORR was not yet told',
    },
    alert_to_task_closed: {
      children: r!.closed_children,
      tasks: r!.closed_tasks,
      median_days: days(r!.closed_median),
      p90_days: days(r!.closed_p90),
      waiting: r!.open_tasks,
      definition:
        'days from an alert being raised to each of its tasks being closed, over tasks closed by the ' +
        'date (one per office that had to act); "waiting" counts tasks open at the end of the date',
    },
  };
}

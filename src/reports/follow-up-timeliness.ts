// How quickly the system's follow-up happened, as of a date: days from a child's first missed
// hearing to the first message about it delivered to ORR, and days from an alert being raised to
// each of its tasks being closed. Both read the delivery log and the task list, which change when
// messages go out and people close tasks, so the cached result is stamped with those logs.
import type { Db } from '../db/index.ts';
import { cachedResult } from './report-cache.ts';
import type { TimelinessFigure } from './report.ts';

/** End of the as-of day ($1, an ISO date), as the instant the next UTC day begins. */
const END_OF_DAY = `(($1::date + 1)::timestamp AT TIME ZONE 'UTC')`;

// $1 as-of date. Rows of (measure, value, n): how many children were told after each number of
// days, how many tasks closed after each tenth of a day; the children who missed a hearing, and the
// tasks still open, as counts. Counting per value (a hash aggregate) instead of sorting every row
// keeps this cheap at full scale; the percentiles are computed from the counts.
export const FOLLOW_UP_SQL = `
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
), task_days AS (
  SELECT CASE WHEN a.id IS NOT NULL
              THEN round(GREATEST(extract(epoch FROM t.closed_at - a.opened_at)::float8, 0) / 8640) / 10
         END AS days,
         t.opened_at < ${END_OF_DAY} AND (t.closed_at IS NULL OR t.closed_at >= ${END_OF_DAY}) AS open_then
    FROM task t
    LEFT JOIN alert a ON a.id = t.alert_id AND t.status = 'closed' AND t.closed_at < ${END_OF_DAY}
)
SELECT 'missed' AS measure, NULL::float8 AS value, count(*)::int AS n FROM missed
UNION ALL
SELECT 'told', days, count(*)::int
  FROM (SELECT GREATEST((o.at AT TIME ZONE 'UTC')::date - m.first_fta_hearing, 0)::float8 AS days
          FROM missed m JOIN orr_told o USING (child_id)) x
 GROUP BY days
UNION ALL
SELECT 'closed', days, count(*)::int FROM task_days WHERE days IS NOT NULL GROUP BY days
UNION ALL
SELECT 'open', NULL, count(*) FILTER (WHERE open_then)::int FROM task_days`;

// Every delivery attempt, task event and new alert appends a row, so the newest ids change
// whenever the figures can.
const LOGS_STAMP = `concat_ws(':',
  (SELECT max(id) FROM notify_attempt), (SELECT max(id) FROM task_event), (SELECT max(id) FROM alert))`;

interface FollowUpRow {
  measure: 'missed' | 'told' | 'closed' | 'open';
  value: number | null;
  n: number;
}

/** A value and how many times it occurs. */
export type Counted = readonly [value: number, n: number];

/**
 * The p-quantile of the values counted, interpolated between neighbours as PostgreSQL's
 * percentile_cont does; null when nothing was counted.
 */
export function percentileOfCounts(counts: readonly Counted[], p: number): number | null {
  const sorted = [...counts].filter(([, n]) => n > 0).sort((x, y) => x[0] - y[0]);
  const total = sorted.reduce((sum, [, n]) => sum + n, 0);
  if (total === 0) return null;
  const at = (rank: number) => {
    let seen = 0;
    for (const [value, n] of sorted) {
      seen += n;
      if (rank < seen) return value;
    }
    return sorted[sorted.length - 1]![0];
  };
  const pos = p * (total - 1);
  const lo = at(Math.floor(pos));
  const hi = at(Math.ceil(pos));
  return lo + (hi - lo) * (pos - Math.floor(pos));
}

const days = (v: number | null): number | null => (v === null ? null : Math.round(v * 10) / 10);

export interface FollowUpTimeliness {
  missed_hearing_to_orr_notified: TimelinessFigure;
  alert_to_task_closed: TimelinessFigure;
}

export async function followUpTimeliness(db: Db, asOf: string): Promise<FollowUpTimeliness> {
  const rows = await cachedResult(
    db,
    'follow_up_timeliness',
    asOf,
    async (q) => {
      // The tasks' hash join stays in memory, and this one-off statement is not worth compiling.
      await q.query("SET LOCAL work_mem = '256MB'");
      await q.query('SET LOCAL jit = off');
      return q.query<FollowUpRow>(FOLLOW_UP_SQL, [asOf]);
    },
    LOGS_STAMP,
  );
  const counted = (measure: FollowUpRow['measure']): Counted[] =>
    rows.filter((r) => r.measure === measure).map((r) => [Number(r.value), r.n]);
  const total = (measure: FollowUpRow['measure']) =>
    rows.filter((r) => r.measure === measure).reduce((sum, r) => sum + r.n, 0);
  const told = counted('told');
  const closed = counted('closed');
  return {
    missed_hearing_to_orr_notified: {
      children: total('told'),
      median_days: days(percentileOfCounts(told, 0.5)),
      p90_days: days(percentileOfCounts(told, 0.9)),
      waiting: total('missed') - total('told'),
      definition:
        'days from a child’s first missed hearing to the first failed-to-appear message delivered to ' +
        'an ORR subscription, for children who missed a hearing and whose ORR was told by the date; ' +
        '"waiting" counts children who missed a hearing and whose ORR was not yet told',
    },
    alert_to_task_closed: {
      children: null,
      tasks: total('closed'),
      median_days: days(percentileOfCounts(closed, 0.5)),
      p90_days: days(percentileOfCounts(closed, 0.9)),
      waiting: total('open'),
      definition:
        'days (to a tenth) from an alert being raised to each of its tasks being closed, over tasks ' +
        'closed by the date (one per office that had to act; counted in tasks, not children); ' +
        '"waiting" counts tasks open at the end of the date',
    },
  };
}

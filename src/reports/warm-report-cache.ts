// Computes today's overview figures and trend ahead of the first person who asks, after the facts
// changed: the overview then answers from the cache instead of aggregating every child.
import type { Db } from '../db/index.ts';
import type { Clock } from '../shared/clock.ts';
import { isoDate } from '../shared/clock.ts';
import { buildReport } from './build-report.ts';
import { monthlyTrend } from './monthly-trend.queries.ts';

export const REPORTS_WARM_QUEUE = 'reports.warm';
/** Months of trend the overview shows. */
export const OVERVIEW_TREND_MONTHS = 12;

export async function warmReportCache(deps: { db: Db; clock: Clock }): Promise<void> {
  const today = isoDate(deps.clock.now());
  await buildReport(deps.db, { asOf: today });
  await monthlyTrend(deps.db, today, OVERVIEW_TREND_MONTHS);
}

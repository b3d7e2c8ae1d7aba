// Children per month for the overview's trend: first transfer to ORR, first release to a sponsor
// and first missed hearing, as the sources knew them on the as-of date.
import type { Db } from '../db/index.ts';
import { cachedResult } from './report-cache.ts';

export interface MonthTrend {
  month: string;
  transferred: number;
  released: number;
  failed_to_appear: number;
}

export async function monthlyTrend(db: Db, asOf: string, months: number): Promise<MonthTrend[]> {
  const rows = await cachedResult(db, 'monthly-trend', `${asOf}|${months}`, (q) =>
    q.query<MonthTrend>(
      `WITH firsts AS (
       SELECT CASE WHEN c.first_transfer <= $1::date THEN c.first_transfer END AS transferred,
              CASE WHEN c.first_release <= $1::date THEN c.first_release END AS released,
              CASE WHEN c.fta_known <= $1::date THEN c.first_fta_hearing END AS failed
       FROM report_child c
       WHERE c.in_scope_from <= $1::date)
     SELECT to_char(v.d, 'YYYY-MM') AS month,
            count(*) FILTER (WHERE v.kind = 't')::int AS transferred,
            count(*) FILTER (WHERE v.kind = 'r')::int AS released,
            count(*) FILTER (WHERE v.kind = 'f')::int AS failed_to_appear
     FROM firsts f
     CROSS JOIN LATERAL (VALUES ('t', f.transferred), ('r', f.released), ('f', f.failed)) AS v(kind, d)
     WHERE v.d >= (date_trunc('month', $1::date) - make_interval(months => $2::int - 1))::date
     GROUP BY 1`,
      [asOf, months],
    ),
  );
  const byMonth = new Map(rows.map((r) => [r.month, r]));
  const [y, m] = asOf.split('-').map(Number) as [number, number];
  const out: MonthTrend[] = [];
  for (let i = months - 1; i >= 0; i--) {
    const d = new Date(Date.UTC(y, m - 1 - i, 1));
    const month = d.toISOString().slice(0, 7);
    out.push(byMonth.get(month) ?? { month, transferred: 0, released: 0, failed_to_appear: 0 });
  }
  return out;
}

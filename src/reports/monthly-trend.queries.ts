// Children per month for the overview's trend: first transfer to ORR, first release to a sponsor
// and first missed hearing, as the sources knew them on the as-of date.
import type { Queryable } from '../db/index.ts';

export interface MonthTrend {
  month: string;
  transferred: number;
  released: number;
  failed_to_appear: number;
}

export async function monthlyTrend(db: Queryable, asOf: string, months: number): Promise<MonthTrend[]> {
  const rows = await db.query<MonthTrend>(
    `WITH firsts AS (
       SELECT l.child_id,
              min(r.own_date) FILTER (WHERE r.source = 'ice' OR (r.source = 'orr' AND r.event_type = 'ADMISSION')) AS transferred,
              min(r.own_date) FILTER (WHERE r.source = 'orr' AND r.event_type = 'RELEASE') AS released,
              min(r.hearing_at::date) FILTER (WHERE r.event_type = 'HEARING_RESULT' AND r.attendance = 'ABSENT'
                                              AND r.hearing_at::date <= $1::date) AS failed
       FROM record r JOIN record_link l ON l.record_pk = r.id
       WHERE r.in_scope AND r.own_date <= $1::date
       GROUP BY l.child_id)
     SELECT to_char(v.d, 'YYYY-MM') AS month,
            count(*) FILTER (WHERE v.kind = 't')::int AS transferred,
            count(*) FILTER (WHERE v.kind = 'r')::int AS released,
            count(*) FILTER (WHERE v.kind = 'f')::int AS failed_to_appear
     FROM firsts f
     CROSS JOIN LATERAL (VALUES ('t', f.transferred), ('r', f.released), ('f', f.failed)) AS v(kind, d)
     WHERE v.d >= (date_trunc('month', $1::date) - make_interval(months => $2::int - 1))::date
     GROUP BY 1`,
    [asOf, months],
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

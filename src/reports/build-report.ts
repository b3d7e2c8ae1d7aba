// Builds the oversight report (oversight-report.md) as of a date, with breakdowns and timeliness.
import type { Db, Queryable } from '../db/index.ts';
import { type Counted, followUpTimeliness, percentileOfCounts } from './follow-up-timeliness.ts';
import { cachedResult } from './report-cache.ts';
import { AGGREGATE_SQL, figureColumn, type FigureName } from './reports.queries.ts';
import {
  type BreakdownFigures,
  type OversightReport,
  type Timeliness,
  DEFAULT_RECURRING_THRESHOLD,
} from './report.ts';

export interface ReportOptions {
  /** ISO date (YYYY-MM-DD). */
  asOf: string;
  /** Children released to one address that make it recurring (default 5). */
  recurringThreshold?: number;
}

/** The parameters every report statement takes ($1, $2; see reports.queries.ts). */
export function reportParams(asOf: string, recurringThreshold: number): unknown[] {
  return [asOf, recurringThreshold];
}

type AggregateRow = Record<string, unknown> & { dim: string; key: string | null };

const num = (v: unknown): number => (v === null || v === undefined ? 0 : Number(v));

function figuresOf(row: AggregateRow): BreakdownFigures {
  const f = (name: FigureName) => num(row[figureColumn(name)]);
  return {
    in_scope: f('in_scope'),
    transferred_to_orr: f('transferred_to_orr'),
    released_to_sponsor: f('released_to_sponsor'),
    fled_custody: f('fled_custody'),
    no_nta_served: f('no_nta_served'),
    nta_served_not_filed: f('nta_served_not_filed'),
    failed_to_appear: f('failed_to_appear'),
    in_absentia_orders: f('in_absentia_orders'),
    address_defects: {
      blank: f('address_defects.blank'),
      invalid: f('address_defects.invalid'),
      missing_unit: f('address_defects.missing_unit'),
      undeliverable: f('address_defects.undeliverable'),
    },
    recurring_address_children: f('recurring_addresses.children'),
  };
}

type FactTimeliness = Pick<Timeliness, 'release_to_nta_served' | 'nta_served_to_filed'>;

function timelinessOf(row: AggregateRow | undefined): FactTimeliness {
  const pair = (prefix: string) => {
    const counts = (row?.[`${prefix}_counts`] ?? []) as Counted[];
    return {
      children: counts.reduce((sum, [, n]) => sum + n, 0),
      median_days: percentileOfCounts(counts, 0.5),
      p90_days: percentileOfCounts(counts, 0.9),
    };
  };
  return {
    release_to_nta_served: {
      ...pair('release_to_served'),
      definition:
        'days from the first release to a sponsor to the first NTA service, for released children served on or after release',
    },
    nta_served_to_filed: {
      ...pair('served_to_filed'),
      definition:
        'days from the first NTA service to the first filing with the court, for children with both',
    },
  };
}

/**
 * Runs report statements with planner settings suited to one large aggregate: the per-child CTEs
 * defeat row estimates, and a nested loop chosen on a wrong estimate turns seconds into hours.
 */
export async function withReportSettings<T>(db: Db, fn: (q: Queryable) => Promise<T>): Promise<T> {
  return db.transaction(async (tx) => {
    await applyReportSettings(tx);
    return fn(tx);
  });
}

/** The planner settings of withReportSettings, for a transaction already open. */
export async function applyReportSettings(tx: Queryable): Promise<void> {
  await tx.query('SET LOCAL enable_nestloop = off');
  await tx.query("SET LOCAL work_mem = '256MB'");
  await tx.query('SET LOCAL jit = off');
}

export async function buildReport(db: Db, options: ReportOptions): Promise<OversightReport> {
  const threshold = options.recurringThreshold ?? DEFAULT_RECURRING_THRESHOLD;
  const params = reportParams(options.asOf, threshold);
  // Computed once per date and change of the report's facts (each ingest changes them).
  // The follow-up measures read other tables: on a server they run beside the aggregate.
  const [rows, followUp] = await Promise.all([
    cachedResult(db, 'oversight', `${options.asOf}|${threshold}`, async (q) => {
      await applyReportSettings(q);
      return q.query<AggregateRow>(AGGREGATE_SQL, params);
    }),
    followUpTimeliness(db, options.asOf),
  ]);

  const all = rows.find((r) => r.dim === 'all');
  const total = all ? figuresOf(all) : figuresOf({ dim: 'all', key: null });
  const breakdown = (dim: string, skipNull: boolean) => {
    const out: Record<string, BreakdownFigures> = {};
    const mine = rows
      .filter((r) => r.dim === dim && (!skipNull || r.key !== null))
      .sort((a, b) =>
        a.key === null ? 1 : b.key === null ? -1 : a.key < b.key ? -1 : a.key > b.key ? 1 : 0,
      );
    for (const r of mine) out[r.key ?? 'unknown'] = figuresOf(r);
    return out;
  };

  return {
    as_of: options.asOf,
    children: {
      in_scope: total.in_scope,
      transferred_to_orr: total.transferred_to_orr,
      released_to_sponsor: total.released_to_sponsor,
      fled_custody: total.fled_custody,
    },
    no_nta_served: total.no_nta_served,
    nta_served_not_filed: total.nta_served_not_filed,
    failed_to_appear: total.failed_to_appear,
    in_absentia_orders: total.in_absentia_orders,
    address_defects: total.address_defects,
    recurring_addresses: {
      addresses: num(all?.recurring_addresses),
      children: num(all?.[figureColumn('recurring_addresses.children')]),
      threshold,
    },
    // Children with no transfer to ORR yet fall in no fiscal year.
    by_fiscal_year: breakdown('fiscal_year', true),
    by_field_office: breakdown('field_office', false),
    by_state: breakdown('state', false),
    by_country: breakdown('country', false),
    timeliness: { ...timelinessOf(all), ...followUp },
  };
}

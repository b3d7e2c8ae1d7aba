// The oversight report's shape and its rendering for people. Pure: no database here.

export const DEFAULT_RECURRING_THRESHOLD = 5;

export interface AddressDefects {
  blank: number;
  invalid: number;
  missing_unit: number;
  undeliverable: number;
}

/** The figures of one group of children (all, or one fiscal year, office, state or country). */
export interface BreakdownFigures {
  in_scope: number;
  transferred_to_orr: number;
  released_to_sponsor: number;
  fled_custody: number;
  no_nta_served: number;
  nta_served_not_filed: number;
  failed_to_appear: number;
  in_absentia_orders: number;
  address_defects: AddressDefects;
  /** Children released to a recurring address. */
  recurring_address_children: number;
}

export interface TimelinessFigure {
  /** Children measured; null for a measure counted in tasks (see `tasks`). */
  children: number | null;
  median_days: number | null;
  p90_days: number | null;
  /** Measures counted per task: the tasks measured (children counts the children they are for). */
  tasks?: number;
  /** Those the measure is still running for at the end of the date (not yet told, not yet closed). */
  waiting?: number;
  definition: string;
  note?: string;
}

export interface Timeliness {
  release_to_nta_served: TimelinessFigure;
  nta_served_to_filed: TimelinessFigure;
  missed_hearing_to_orr_notified: TimelinessFigure;
  alert_to_task_closed: TimelinessFigure;
}

export interface OversightReport {
  as_of: string;
  children: {
    in_scope: number;
    transferred_to_orr: number;
    released_to_sponsor: number;
    fled_custody: number;
  };
  no_nta_served: number;
  nta_served_not_filed: number;
  failed_to_appear: number;
  in_absentia_orders: number;
  address_defects: AddressDefects;
  recurring_addresses: { addresses: number; children: number; threshold: number };
  by_fiscal_year: Record<string, BreakdownFigures>;
  by_field_office: Record<string, BreakdownFigures>;
  by_state: Record<string, BreakdownFigures>;
  by_country: Record<string, BreakdownFigures>;
  timeliness: Timeliness;
}

/** Breakdown columns shown on a terminal and in CSV, in order. */
export const BREAKDOWN_COLUMNS = [
  'in_scope',
  'transferred_to_orr',
  'released_to_sponsor',
  'fled_custody',
  'no_nta_served',
  'nta_served_not_filed',
  'failed_to_appear',
  'in_absentia_orders',
  'blank',
  'invalid',
  'missing_unit',
  'undeliverable',
  'recurring_address_children',
] as const;

export function flattenFigures(f: BreakdownFigures): Record<(typeof BREAKDOWN_COLUMNS)[number], number> {
  return {
    in_scope: f.in_scope,
    transferred_to_orr: f.transferred_to_orr,
    released_to_sponsor: f.released_to_sponsor,
    fled_custody: f.fled_custody,
    no_nta_served: f.no_nta_served,
    nta_served_not_filed: f.nta_served_not_filed,
    failed_to_appear: f.failed_to_appear,
    in_absentia_orders: f.in_absentia_orders,
    blank: f.address_defects.blank,
    invalid: f.address_defects.invalid,
    missing_unit: f.address_defects.missing_unit,
    undeliverable: f.address_defects.undeliverable,
    recurring_address_children: f.recurring_address_children,
  };
}

/** The figures for all children, flat (the columns of a breakdown row). */
export function headlineFigures(r: OversightReport): Record<(typeof BREAKDOWN_COLUMNS)[number], number> {
  return flattenFigures({
    ...r.children,
    no_nta_served: r.no_nta_served,
    nta_served_not_filed: r.nta_served_not_filed,
    failed_to_appear: r.failed_to_appear,
    in_absentia_orders: r.in_absentia_orders,
    address_defects: r.address_defects,
    recurring_address_children: r.recurring_addresses.children,
  });
}

// The flat column of each figure a drill-down names (reports.queries.ts FIGURES).
const FIGURE_COLUMN: Record<string, (typeof BREAKDOWN_COLUMNS)[number]> = {
  'address_defects.blank': 'blank',
  'address_defects.invalid': 'invalid',
  'address_defects.missing_unit': 'missing_unit',
  'address_defects.undeliverable': 'undeliverable',
  'recurring_addresses.children': 'recurring_address_children',
};

/** The count of one figure (as the drill-down names it) for all children. */
export function figureValue(r: OversightReport, figure: string): number {
  const headline = headlineFigures(r);
  return headline[FIGURE_COLUMN[figure] ?? (figure as (typeof BREAKDOWN_COLUMNS)[number])] ?? 0;
}

/** Every figure as one row (section, key, figure, value): the CSV form of the report. */
export function reportRows(
  r: OversightReport,
): { section: string; key: string; figure: string; value: string }[] {
  const rows: { section: string; key: string; figure: string; value: string }[] = [];
  const add = (section: string, key: string, figure: string, value: number | null) =>
    rows.push({ section, key, figure, value: value === null ? '' : String(value) });
  for (const [figure, value] of Object.entries(headlineFigures(r))) add('all', '', figure, value);
  add('all', '', 'recurring_addresses', r.recurring_addresses.addresses);
  const sections: [string, Record<string, BreakdownFigures>][] = [
    ['fiscal_year', r.by_fiscal_year],
    ['field_office', r.by_field_office],
    ['state', r.by_state],
    ['country', r.by_country],
  ];
  for (const [section, groups] of sections) {
    for (const [key, figures] of Object.entries(groups)) {
      for (const [figure, value] of Object.entries(flattenFigures(figures))) add(section, key, figure, value);
    }
  }
  for (const [name, t] of Object.entries(r.timeliness) as [string, TimelinessFigure][]) {
    add('timeliness', name, 'children', t.children);
    add('timeliness', name, 'median_days', t.median_days);
    add('timeliness', name, 'p90_days', t.p90_days);
    if (t.tasks !== undefined) add('timeliness', name, 'tasks', t.tasks);
    if (t.waiting !== undefined) add('timeliness', name, 'waiting', t.waiting);
  }
  return rows;
}

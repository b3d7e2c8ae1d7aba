// Lists the children behind one figure of the report (optionally one breakdown group), and each
// child's source rows as of the same date.
import type { Db } from '../db/index.ts';
import { BridgeError } from '../shared/errors.ts';
import {
  CHILD_ROWS_SQL,
  FIGURE_NAMES,
  RECURRING_KEYS_SQL,
  drillDownPageSql,
  drillDownSql,
  type FigureName,
} from './reports.queries.ts';
import { applyReportSettings, reportParams, withReportSettings } from './build-report.ts';
import { cachedResult } from './report-cache.ts';
import { DEFAULT_RECURRING_THRESHOLD } from './report.ts';

export type BreakdownDim = 'fiscal_year' | 'state' | 'field_office' | 'country';
export const BREAKDOWN_DIMS: readonly BreakdownDim[] = ['fiscal_year', 'state', 'field_office', 'country'];

// Types, not interfaces, so that rows print through the CLI's generic row output.
export type FigureChild = {
  child_id: string;
  first_transfer: string | null;
  first_release: string | null;
  first_served: string | null;
  first_filed: string | null;
  address_class: string | null;
  fiscal_year: number | null;
  state: string | null;
  field_office: string | null;
  country: string | null;
};

export type SourceRowRef = {
  child_id: string;
  source: string;
  record_id: string;
  own_date: string;
  event_type: string;
};

export interface DrillDownOptions {
  figure: string;
  asOf: string;
  /** Restrict to one breakdown group, e.g. { dim: 'state', key: 'TX' }. */
  group?: { dim: BreakdownDim; key: string };
  recurringThreshold?: number;
}

export function parseFigure(name: string): FigureName {
  // The report's JSON spells some figures with a parent key; accept both spellings.
  const normalized = name.replace(/^children\./, '').replace(/^address_defects_/, 'address_defects.');
  const alias = normalized === 'recurring_addresses' ? 'recurring_addresses.children' : normalized;
  if (!(FIGURE_NAMES as string[]).includes(alias)) {
    throw new BridgeError('USAGE', `unknown figure "${name}"; figures: ${FIGURE_NAMES.join(', ')}`);
  }
  return alias as FigureName;
}

const iso = (v: unknown): string | null =>
  v === null || v === undefined
    ? null
    : v instanceof Date
      ? v.toISOString().slice(0, 10)
      : String(v).slice(0, 10);

export async function listFigureChildren(db: Db, options: DrillDownOptions): Promise<FigureChild[]> {
  const figure = parseFigure(options.figure);
  const params = reportParams(options.asOf, options.recurringThreshold ?? DEFAULT_RECURRING_THRESHOLD);
  const group = options.group;
  if (group) {
    if (!BREAKDOWN_DIMS.includes(group.dim)) {
      throw new BridgeError('USAGE', `unknown breakdown "${group.dim}"; one of ${BREAKDOWN_DIMS.join(', ')}`);
    }
    if (group.dim === 'fiscal_year' && !/^\d{4}$/.test(group.key)) {
      throw new BridgeError('USAGE', `a fiscal year is four digits, got "${group.key}"`);
    }
    params.push(group.key);
  }
  const rows = await withReportSettings(db, (q) =>
    q.query<Record<string, unknown>>(drillDownSql(figure, group?.dim ?? null), params),
  );
  return rows.map(figureChild);
}

/**
 * One page of the children behind a figure, in child id order: the first page, the page after a
 * child id or the page before one (cursors rather than offsets, so a page deep in a large figure
 * costs what the first one does). `states` restricts to children whose newest address is in one
 * of those states (report_child.scope_state, kept with the facts); `where` restricts further (a
 * predicate on the child id column it is given, with the placeholder maker for its parameters),
 * e.g. to a viewer's record scope as it stands in the records.
 */
export async function listFigureChildrenPage(
  db: Db,
  options: {
    figure: string;
    asOf: string;
    limit: number;
    after?: string;
    before?: string;
    states?: readonly string[];
    where?: (childId: string, param: (value: unknown) => string) => string;
    recurringThreshold?: number;
  },
): Promise<FigureChild[]> {
  const figure = parseFigure(options.figure);
  if (options.after !== undefined && options.before !== undefined) {
    throw new BridgeError('USAGE', 'a page starts after a child or ends before one, not both');
  }
  const threshold = options.recurringThreshold ?? DEFAULT_RECURRING_THRESHOLD;
  const cursor = options.after !== undefined ? 'after' : options.before !== undefined ? 'before' : null;
  const params = [...reportParams(options.asOf, threshold), options.limit];
  if (cursor) params.push(options.after ?? options.before);
  const param = (v: unknown) => `$${params.push(v)}`;
  // The recurring addresses as of the date: an aggregate over every release address, computed once
  // per date and change of the facts, like the report.
  let recurringKeys: string | undefined;
  if (figure === 'recurring_addresses.children') {
    const keys = await recurringReleaseKeys(db, options.asOf, threshold);
    if (keys.length === 0) return [];
    recurringKeys = param(keys);
  }
  const states = options.states ? param(options.states.map((s) => s.toUpperCase())) : undefined;
  const where = (childId: string) => (options.where ? options.where(childId, param) : 'true');
  const rows = await db.transaction(async (tx) => {
    // Walk the children in id order and look each one up, stopping at the page: hash and merge
    // joins, or a scan of every address kept for a nested loop, would first read every child or
    // every address (a selective figure makes the planner expect few children and choose them).
    await tx.query('SET LOCAL enable_hashjoin = off');
    await tx.query('SET LOCAL enable_mergejoin = off');
    await tx.query('SET LOCAL enable_seqscan = off');
    // The plan's cost estimate counts every child, so PostgreSQL would compile it to machine code
    // first: seconds on a busy server, for a page that reads a few hundred rows.
    await tx.query('SET LOCAL jit = off');
    return tx.query<Record<string, unknown>>(
      drillDownPageSql(figure, { cursor, recurringKeys, states, where }),
      params,
    );
  });
  if (cursor === 'before') rows.reverse();
  return rows.map(figureChild);
}

/** The release keys of the addresses that are recurring as of the date (cached per date). */
async function recurringReleaseKeys(db: Db, asOf: string, threshold: number): Promise<string[]> {
  return cachedResult(db, 'recurring-keys', `${asOf}|${threshold}`, async (q) => {
    await applyReportSettings(q);
    const rows = await q.query<{ release_key: string }>(RECURRING_KEYS_SQL, reportParams(asOf, threshold));
    return rows.map((r) => r.release_key);
  });
}

function figureChild(r: Record<string, unknown>): FigureChild {
  return {
    child_id: String(r.child_id),
    first_transfer: iso(r.first_transfer),
    first_release: iso(r.first_release),
    first_served: iso(r.first_served),
    first_filed: iso(r.first_filed),
    address_class: (r.address_class as string | null) ?? null,
    fiscal_year: r.fiscal_year === null || r.fiscal_year === undefined ? null : Number(r.fiscal_year),
    state: (r.state as string | null) || null,
    field_office: (r.field_office as string | null) ?? null,
    country: (r.country as string | null)?.trim() || null,
  };
}

/** The source rows (as of the date) behind the given children. */
export async function listChildRows(
  db: Db,
  asOf: string,
  childIds: readonly string[],
): Promise<SourceRowRef[]> {
  if (childIds.length === 0) return [];
  const rows = await db.query<Record<string, unknown>>(CHILD_ROWS_SQL, [asOf, childIds]);
  return rows.map((r) => ({
    child_id: String(r.child_id),
    source: String(r.source),
    record_id: String(r.record_id),
    own_date: iso(r.own_date)!,
    event_type: String(r.event_type),
  }));
}

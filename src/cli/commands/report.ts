// `bridge report` (the oversight figures as of a date) and `bridge report children` (the children
// and source rows behind one figure).
import type { Command } from 'commander';
import {
  BREAKDOWN_COLUMNS,
  BREAKDOWN_DIMS,
  DEFAULT_RECURRING_THRESHOLD,
  FIGURE_NAMES,
  buildReport,
  flattenFigures,
  listChildRows,
  listFigureChildren,
  parseAsOf,
  reportRows,
  type BreakdownDim,
  type BreakdownFigures,
  type OversightReport,
} from '../../reports/index.ts';
import { isoDate } from '../../shared/clock.ts';
import { BridgeError } from '../../shared/errors.ts';
import { withDb, type CommandContext } from '../context.ts';
import { parseFormat, printRows, say, table } from '../output.ts';
import { auditAct, cliActor } from '../../access/disclosure.ts';

function threshold(value: string | undefined): number {
  if (value === undefined) return DEFAULT_RECURRING_THRESHOLD;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) {
    throw new BridgeError(
      'USAGE',
      `--recurring-threshold must be a whole number of children (1 or more), got "${value}"`,
    );
  }
  return n;
}

function renderBreakdown(title: string, groups: Record<string, BreakdownFigures>): string {
  const rows = Object.entries(groups).map(([key, f]) => ({ [title]: key, ...flattenFigures(f) }));
  return rows.length ? `\n${table(rows, [title, ...BREAKDOWN_COLUMNS])}` : '';
}

/** The report for people: headline figures, breakdowns and timeliness, as plain tables. */
export function renderReport(r: OversightReport): string {
  const headline = [
    ['children in scope', r.children.in_scope],
    ['transferred to ORR', r.children.transferred_to_orr],
    ['released to a sponsor', r.children.released_to_sponsor],
    ['fled ORR custody', r.children.fled_custody],
    ['released, never served an NTA', r.no_nta_served],
    ['NTA served, not filed', r.nta_served_not_filed],
    ['failed to appear in court', r.failed_to_appear],
    ['in absentia orders', r.in_absentia_orders],
    ['address blank', r.address_defects.blank],
    ['address invalid', r.address_defects.invalid],
    ['address missing a unit', r.address_defects.missing_unit],
    ['address undeliverable', r.address_defects.undeliverable],
    [`recurring addresses (${r.recurring_addresses.threshold}+ children)`, r.recurring_addresses.addresses],
    ['children released to them', r.recurring_addresses.children],
  ].map(([figure, children]) => ({ figure, children }));
  const timeliness = Object.entries(r.timeliness).map(([name, t]) => ({
    measure: name,
    children: t.children ?? '',
    tasks: t.tasks ?? '',
    waiting: t.waiting ?? '',
    median_days: t.median_days ?? '',
    p90_days: t.p90_days ?? '',
  }));
  return (
    `Oversight report as of ${r.as_of}\n\n` +
    table(headline, ['figure', 'children']) +
    renderBreakdown('fiscal_year', r.by_fiscal_year) +
    renderBreakdown('field_office', r.by_field_office) +
    renderBreakdown('state', r.by_state) +
    renderBreakdown('country', r.by_country) +
    '\n' +
    table(timeliness, ['measure', 'children', 'tasks', 'median_days', 'p90_days', 'waiting'])
  );
}

export function registerReportCommands(program: Command, ctx: () => CommandContext): void {
  const report = program
    .command('report')
    .description('the oversight figures (children transferred, released, without NTA, ...) as of a date')
    .option('--as-of <date>', 'use only source rows dated on or before this day (YYYY-MM-DD; default today)')
    .option('--json', 'print the report as JSON to standard output')
    .option('--csv', 'print every figure as a CSV row (section,key,figure,value)')
    .option('--format <format>', 'table, json or csv')
    .option('--recurring-threshold <n>', 'children released to one address that make it recurring', '5')
    .action(
      async (opts: {
        asOf?: string;
        json?: boolean;
        csv?: boolean;
        format?: string;
        recurringThreshold?: string;
      }) => {
        const c = ctx();
        const format = opts.csv ? 'csv' : parseFormat(opts.format, opts.json);
        const asOf = parseAsOf(opts.asOf, isoDate(c.clock.now()));
        const r = await withDb(c, (db) =>
          buildReport(db, { asOf, recurringThreshold: threshold(opts.recurringThreshold) }),
        );
        if (format === 'json') process.stdout.write(JSON.stringify(r, null, 2) + '\n');
        else if (format === 'csv') printRows(reportRows(r), ['section', 'key', 'figure', 'value'], 'csv');
        else process.stdout.write(renderReport(r));
      },
    );

  report
    .command('children')
    .description('the children behind one figure of the report, and with --with-rows their source rows')
    .requiredOption('--figure <figure>', `one of: ${FIGURE_NAMES.join(', ')}`)
    .option('--as-of <date>', 'as in `bridge report` (YYYY-MM-DD; default today)')
    .option('--by <breakdown>', `only one group of a breakdown: ${BREAKDOWN_DIMS.join(', ')} (with --key)`)
    .option('--key <key>', 'the group, e.g. 2021 for --by fiscal_year, TX for --by state')
    .option('--with-rows', 'list each child’s source rows (source, record_id, own_date) instead')
    .option('--recurring-threshold <n>', 'as in `bridge report`', '5')
    .option('--json', 'print JSON to standard output')
    .option('--format <format>', 'table, json or csv')
    .option('--purpose <purpose>', 'why the list is opened (recorded in the audit log)', 'oversight')
    .action(
      async (opts: {
        purpose: string;
        figure: string;
        asOf?: string;
        by?: string;
        key?: string;
        withRows?: boolean;
        recurringThreshold?: string;
        json?: boolean;
        format?: string;
      }) => {
        const c = ctx();
        const format = parseFormat(opts.format, opts.json);
        const asOf = parseAsOf(opts.asOf, isoDate(c.clock.now()));
        if ((opts.by === undefined) !== (opts.key === undefined)) {
          throw new BridgeError('USAGE', '--by and --key go together (e.g. --by state --key TX)');
        }
        const group = opts.by ? { dim: opts.by as BreakdownDim, key: opts.key! } : undefined;
        const actor = cliActor(opts.purpose);
        await withDb(c, async (db) => {
          const children = await listFigureChildren(db, {
            figure: opts.figure,
            asOf,
            group,
            recurringThreshold: threshold(opts.recurringThreshold),
          });
          // The list is recorded, with every child it names, before it is shown.
          await db.transaction((tx) =>
            auditAct(tx, c.clock.now(), actor, null, {
              action: 'child.list',
              childIds: children.map((ch) => ch.child_id),
              target: `report:${opts.figure}`,
              details: { as_of: asOf, with_rows: opts.withRows === true, ...(group ? { group } : {}) },
            }),
          );
          say(`${children.length} children behind ${opts.figure} as of ${asOf}`);
          if (opts.withRows) {
            const rows = await listChildRows(
              db,
              asOf,
              children.map((ch) => ch.child_id),
            );
            printRows(rows, ['child_id', 'source', 'record_id', 'own_date', 'event_type'], format);
          } else {
            printRows(
              children,
              [
                'child_id',
                'fiscal_year',
                'state',
                'field_office',
                'country',
                'first_release',
                'first_served',
                'address_class',
              ],
              format,
            );
          }
        });
      },
    );
}

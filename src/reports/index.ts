// The oversight report: figures as of any date, breakdowns, timeliness, and the children and
// source rows behind every figure.
export { buildReport, reportParams, type ReportOptions } from './build-report.ts';
export { refreshReportFacts, type FactsScope } from './refresh-report-facts.ts';
export { warmReportCache, REPORTS_WARM_QUEUE, OVERVIEW_TREND_MONTHS } from './warm-report-cache.ts';
export { monthlyTrend, type MonthTrend } from './monthly-trend.queries.ts';
export {
  listFigureChildren,
  listFigureChildrenPage,
  listChildRows,
  parseFigure,
  BREAKDOWN_DIMS,
  type BreakdownDim,
  type FigureChild,
  type SourceRowRef,
  type DrillDownOptions,
} from './list-figure-children.ts';
export {
  DEFAULT_RECURRING_THRESHOLD,
  BREAKDOWN_COLUMNS,
  flattenFigures,
  figureValue,
  headlineFigures,
  reportRows,
  type OversightReport,
  type BreakdownFigures,
  type Timeliness,
  type TimelinessFigure,
} from './report.ts';
export { FIGURE_NAMES, type FigureName } from './reports.queries.ts';
export { parseAsOf } from './as-of.ts';

// GET /api/v1/reports/oversight?as_of= and its drill-down
// GET /api/v1/reports/oversight/children?figure=&as_of=[&by=&key=][&with_rows=true].
import type { FastifyPluginAsync } from 'fastify';
import { Type, type Static } from '@sinclair/typebox';
import {
  BREAKDOWN_DIMS,
  DEFAULT_RECURRING_THRESHOLD,
  FIGURE_NAMES,
  buildReport,
  listChildRows,
  listFigureChildren,
  parseAsOf,
  type BreakdownDim,
} from '../reports/index.ts';
import { isoDate } from '../shared/clock.ts';
import { BridgeError } from '../shared/errors.ts';
import type { RouteDeps } from './server.ts';
import {
  actorOfRequest,
  auditRead,
  childrenInScope,
  maskForActor,
  scopeOfActor,
} from '../access/disclosure.ts';
import { PurposeParam } from './cases.routes.ts';

const DateParam = Type.String({
  pattern: '^\\d{4}-\\d{2}-\\d{2}$',
  description: 'YYYY-MM-DD; default today',
});

const ReportQuery = Type.Object(
  {
    as_of: Type.Optional(DateParam),
    recurring_threshold: Type.Optional(Type.Integer({ minimum: 1, default: DEFAULT_RECURRING_THRESHOLD })),
  },
  { additionalProperties: false },
);

const ChildrenQuery = Type.Object(
  {
    figure: Type.Union(
      FIGURE_NAMES.map((f) => Type.Literal(f)),
      { description: 'the figure to open' },
    ),
    as_of: Type.Optional(DateParam),
    by: Type.Optional(Type.Union(BREAKDOWN_DIMS.map((d) => Type.Literal(d)))),
    key: Type.Optional(Type.String({ description: 'the group of the breakdown (2021, TX, Houston, GTM)' })),
    with_rows: Type.Optional(Type.Boolean({ default: false })),
    recurring_threshold: Type.Optional(Type.Integer({ minimum: 1, default: DEFAULT_RECURRING_THRESHOLD })),
    purpose: Type.Optional(PurposeParam),
  },
  { additionalProperties: false },
);

const Figures = Type.Object({}, { additionalProperties: true });

export function reportRoutes(deps: RouteDeps): FastifyPluginAsync {
  return async (app) => {
    app.get<{ Querystring: Static<typeof ReportQuery> }>(
      '/api/v1/reports/oversight',
      {
        config: { permission: 'report.read' },
        schema: {
          summary: 'The oversight figures as of a date (oversight-report.md), with breakdowns and timeliness',
          tags: ['reports'],
          querystring: ReportQuery,
          response: { 200: Figures },
        },
      },
      async (req) => {
        const asOf = parseAsOf(req.query.as_of, isoDate(deps.clock.now()));
        return buildReport(deps.db, { asOf, recurringThreshold: req.query.recurring_threshold });
      },
    );

    app.get<{ Querystring: Static<typeof ChildrenQuery> }>(
      '/api/v1/reports/oversight/children',
      {
        config: { permission: 'child.list' },
        schema: {
          summary: 'The children behind one figure, or with with_rows their source rows',
          tags: ['reports'],
          querystring: ChildrenQuery,
          response: { 200: Figures },
        },
      },
      async (req) => {
        const q = req.query;
        const asOf = parseAsOf(q.as_of, isoDate(deps.clock.now()));
        if ((q.by === undefined) !== (q.key === undefined)) {
          throw new BridgeError('USAGE', 'by and key go together (e.g. by=state&key=TX)');
        }
        const group = q.by ? { dim: q.by as BreakdownDim, key: q.key! } : undefined;
        const actor = actorOfRequest(req);
        const all = await listFigureChildren(deps.db, {
          figure: q.figure,
          asOf,
          group,
          recurringThreshold: q.recurring_threshold,
        });
        // An ERO officer opens only the children of the office's area, whatever the figure counts.
        const visible = new Set(
          await childrenInScope(
            deps.db,
            scopeOfActor(actor),
            all.map((c) => c.child_id),
          ),
        );
        const children = all.filter((c) => visible.has(c.child_id));
        const rows = q.with_rows
          ? await listChildRows(
              deps.db,
              asOf,
              children.map((c) => c.child_id),
            )
          : undefined;
        await auditRead(deps.audit, deps.clock.now(), actor, req.purpose ?? null, {
          action: 'child.list',
          childIds: children.map((c) => c.child_id),
          target: `report:${q.figure}`,
          details: { as_of: asOf, with_rows: q.with_rows === true, ...(group ? { group } : {}) },
        });
        return maskForActor(actor, req.purpose ?? null, {
          as_of: asOf,
          figure: q.figure,
          count: children.length,
          children,
          ...(rows ? { rows } : {}),
        });
      },
    );
  };
}

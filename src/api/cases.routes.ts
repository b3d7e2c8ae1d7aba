// Cases and alerts over HTTP: a child's case and timeline as of a date, alerts with filters and
// pages, and the rule catalogue. Alerts are read from the stored, indexed table, never recomputed.
import type { FastifyPluginAsync, FastifyReply } from 'fastify';
import { Type, type Static } from '@sinclair/typebox';
import type { RouteDeps } from './server.ts';
import { batchedChildRecordsReader, showChildCaseWith } from '../cases/index.ts';
import { alertsFromJson, childAlertsJsonSql, listAlerts, listRules, RULE_IDS } from '../rules/index.ts';
import {
  actorOfRequest,
  auditRead,
  type AuditActor,
  childrenInScope,
  childScopeSql,
  maskForActor,
  masksNothing,
  scopeOfActor,
} from '../access/disclosure.ts';
import { PURPOSES, type Purpose } from '../access/policy.ts';
import { BridgeError } from '../shared/errors.ts';
import { sendWrittenOut, writtenOut, writtenOutWithJson } from './written-out.ts';

const IsoDate = Type.String({ pattern: '^\\d{4}-\\d{2}-\\d{2}$', description: 'YYYY-MM-DD' });
const Loose = Type.Object({}, { additionalProperties: true });

const ChildParams = Type.Object({ id: Type.String({ minLength: 1, maxLength: 100 }) });
/** Why the record is opened (or the X-Bridge-Purpose header); the access layer requires one. */
export const PurposeParam = Type.Union(
  PURPOSES.map((p) => Type.Literal(p)),
  { description: 'why the record is opened (or the X-Bridge-Purpose header)' },
);
const ChildQuery = Type.Object(
  { as_of: Type.Optional(IsoDate), purpose: Type.Optional(PurposeParam) },
  { additionalProperties: false },
);

const AlertQuery = Type.Object(
  {
    rule: Type.Optional(Type.Union(RULE_IDS.map((r) => Type.Literal(r)))),
    office: Type.Optional(
      Type.Union([Type.Literal('ORR'), Type.Literal('ERO'), Type.Literal('OPLA'), Type.Literal('EOIR')]),
    ),
    state: Type.Optional(
      Type.String({ pattern: '^[A-Za-z]{2}$', description: "US state of the child's address" }),
    ),
    status: Type.Optional(Type.Union([Type.Literal('open'), Type.Literal('closed'), Type.Literal('all')])),
    as_of: Type.Optional(
      Type.String({
        pattern: '^\\d{4}-\\d{2}-\\d{2}$',
        description: 'alerts open on this date (YYYY-MM-DD)',
      }),
    ),
    child_id: Type.Optional(Type.String({ maxLength: 100 })),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000, default: 100 })),
    offset: Type.Optional(Type.Integer({ minimum: 0, default: 0 })),
  },
  { additionalProperties: false },
);

const AlertPage = Type.Object({
  total: Type.Integer(),
  limit: Type.Integer(),
  offset: Type.Integer(),
  alerts: Type.Array(Loose),
});

export function casesRoutes(deps: RouteDeps): FastifyPluginAsync {
  // Children asked for at about the same time are read in one statement, with their alerts.
  const readChild = batchedChildRecordsReader(deps.db, childAlertsJsonSql);
  /** A child's case written out for the actor (null when out of their scope), and the children it discloses. */
  const readCase = async (
    id: string,
    asOf: string | undefined,
    actor: AuditActor,
    purpose: Purpose | null,
    reply: FastifyReply,
  ): Promise<{ body: Buffer | null; ids: string[] }> => {
    // The child's alerts come in the statement that reads its records: one round trip, not two.
    const { shown, alongside } = await showChildCaseWith(deps, id, asOf, readChild);
    const ids = shown.asked_for ? [shown.child_id, shown.asked_for] : [shown.child_id];
    const inScope = (await childrenInScope(deps.db, scopeOfActor(actor), [shown.child_id])).length > 0;
    if (!inScope) return { body: null, ids };
    // Nothing to mask for this actor (an ORR case manager managing the case): the alerts go out as
    // the database wrote them, not parsed into objects and written out again.
    if (masksNothing(actor, purpose))
      return { body: writtenOutWithJson(reply, shown, 'alerts', alongside ?? '[]'), ids };
    const alerts = alertsFromJson(alongside);
    return { body: writtenOut(reply, maskForActor(actor, purpose, { ...shown, alerts })), ids };
  };
  return async (app) => {
    app.get<{ Params: Static<typeof ChildParams>; Querystring: Static<typeof ChildQuery> }>(
      '/api/v1/children/:id',
      {
        config: { permission: 'child.read' },
        schema: {
          summary: "A child's case as of a date: custody, sponsor, addresses, NTAs, court, timeline, alerts",
          tags: ['cases'],
          params: ChildParams,
          querystring: ChildQuery,
          response: { 200: Loose },
        },
      },
      async (req, reply) => {
        const actor = actorOfRequest(req);
        const purpose = req.purpose ?? null;
        const read = await readCase(req.params.id, req.query.as_of, actor, purpose, reply);
        if (!read.body) {
          // Out of the actor's record scope: answered as if the child did not exist, and recorded.
          await auditRead(deps.audit, deps.clock.now(), actor, purpose, {
            action: 'child.read',
            outcome: 'denied',
            childIds: read.ids,
            details: { reason: 'out_of_scope' },
          });
          throw new BridgeError('CHILD_NOT_FOUND', `no child with id "${req.params.id}"`);
        }
        await auditRead(deps.audit, deps.clock.now(), actor, purpose, {
          action: 'child.read',
          childIds: read.ids,
        });
        return sendWrittenOut(reply, read.body);
      },
    );

    app.get<{ Querystring: Static<typeof AlertQuery> }>(
      '/api/v1/alerts',
      {
        config: { permission: 'alert.read' },
        schema: {
          summary: 'Alerts by rule, office, US state and date (open ones by default), a page at a time',
          tags: ['alerts'],
          querystring: AlertQuery,
          response: { 200: AlertPage },
        },
      },
      async (req) => {
        const q = req.query;
        const limit = q.limit ?? 100;
        const offset = q.offset ?? 0;
        const actor = actorOfRequest(req);
        const scope = scopeOfActor(actor);
        const { total, alerts } = await listAlerts(deps.db, {
          scope: (childId, param) => childScopeSql(scope, childId, param),
          ruleId: q.rule,
          office: q.office,
          state: q.state?.toUpperCase(),
          status: q.status ?? 'open',
          openOn: q.as_of,
          childId: q.child_id,
          limit,
          offset,
        });
        // A list discloses every child it names.
        await auditRead(deps.audit, deps.clock.now(), actor, null, {
          action: 'alert.list',
          childIds: [...new Set(alerts.map((a) => a.child_id))],
        });
        return { total, limit, offset, alerts: maskForActor(actor, null, alerts) };
      },
    );

    app.get(
      '/api/v1/rules',
      {
        config: { permission: 'alert.read' },
        schema: {
          summary: 'The gap rule catalogue with the settings in force',
          tags: ['alerts'],
          response: { 200: Type.Object({ rules: Type.Array(Loose) }) },
        },
      },
      async () => ({ rules: await listRules(deps.db) }),
    );
  };
}

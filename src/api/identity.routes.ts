// Identity over HTTP: the review queue (both records and each field's contribution), decisions,
// and why two records are or are not one child.
import type { FastifyPluginAsync } from 'fastify';
import { Type, type Static } from '@sinclair/typebox';
import { BridgeError } from '../shared/errors.ts';
import { explainPair, listReviewPairs, recordPkBySourceId } from '../identity/index.ts';
import { decideReviewAsActor } from './review-decision.ts';
import type { RouteDeps } from './server.ts';
import { actorOfRequest, auditRead } from '../access/disclosure.ts';

const RecordRef = Type.String({ pattern: '^(cbp|ice|orr|opla|eoir):.+$', description: 'SOURCE:RECORD_ID' });
const ListQuery = Type.Object({
  status: Type.Optional(
    Type.Union([Type.Literal('open'), Type.Literal('decided'), Type.Literal('withdrawn')]),
  ),
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 500 })),
});
const DecisionBody = Type.Object(
  {
    decision: Type.Union([Type.Literal('link'), Type.Literal('apart')]),
    reason: Type.String({ minLength: 1 }),
    actor: Type.Optional(
      Type.String({ minLength: 1, description: 'who decides; the signed-in user when there is one' }),
    ),
  },
  { additionalProperties: false },
);
const ExplainQuery = Type.Object({ a: RecordRef, b: RecordRef });

export function identityRoutes(deps: RouteDeps): FastifyPluginAsync {
  const ref = async (value: string) => {
    const i = value.indexOf(':');
    const pk = await recordPkBySourceId(deps.db, value.slice(0, i), value.slice(i + 1));
    if (pk === null) throw new BridgeError('NOT_FOUND', `no record ${value}`);
    return pk;
  };
  return async (app) => {
    app.get<{ Querystring: Static<typeof ListQuery> }>(
      '/api/v1/identity/review',
      {
        config: { permission: 'identity.review' },
        schema: {
          summary: 'Pairs of records waiting for a person, strongest first',
          tags: ['identity'],
          querystring: ListQuery,
        },
      },
      async (req) => {
        const items = await listReviewPairs(deps, { status: req.query.status, limit: req.query.limit });
        // Each pair shows two records of children: the list discloses them all.
        const childIds = items.flatMap((i) => i.explanation.records.map((r) => r.childId));
        await auditRead(deps.audit, deps.clock.now(), actorOfRequest(req), null, {
          action: 'identity.review_list',
          childIds: [...new Set(childIds.filter((c): c is string => c !== null))],
          details: { pairs: items.map((i) => i.id) },
        });
        return { items };
      },
    );

    app.post<{ Params: { id: number }; Body: Static<typeof DecisionBody> }>(
      '/api/v1/identity/review/:id/decision',
      {
        config: { permission: 'identity.review' },
        schema: {
          summary: 'Link the two records of a review pair, or keep them apart',
          tags: ['identity'],
          params: Type.Object({ id: Type.Integer({ minimum: 1 }) }),
          body: DecisionBody,
        },
      },
      async (req) => {
        const actor = actorOfRequest(req);
        const who = actor?.kind === 'user' ? actor.username : req.body.actor;
        if (!who) throw new BridgeError('USAGE', 'a decision needs the name of the person making it (actor)');
        const res = await decideReviewAsActor(deps, actor, req.params.id, {
          decision: req.body.decision,
          reason: req.body.reason,
          actor: who,
        });
        return { decisionId: res.decisionId, changedLinks: res.relinked.changedLinks };
      },
    );

    app.get<{ Querystring: Static<typeof ExplainQuery> }>(
      '/api/v1/identity/explain',
      {
        config: { permission: 'identity.review' },
        schema: {
          summary: 'Why two records are (or are not) the same child',
          tags: ['identity'],
          querystring: ExplainQuery,
        },
      },
      async (req) => {
        const shown = await explainPair(deps.db, await ref(req.query.a), await ref(req.query.b));
        await auditRead(deps.audit, deps.clock.now(), actorOfRequest(req), null, {
          action: 'identity.explain',
          childIds: [...new Set(shown.records.map((r) => r.childId).filter((c): c is string => c !== null))],
          details: { records: shown.records.map((r) => r.pk) },
        });
        return shown;
      },
    );
  };
}

// Subscriptions and the delivery log over HTTP: list and create subscriptions, list deliveries and
// their attempts, replay a dead letter. Signing secrets are returned once, on creation.
import type { FastifyPluginAsync } from 'fastify';
import { Type, type Static } from '@sinclair/typebox';
import { Nullable } from '../shared/schema.ts';
import type { ApiDeps } from './server.ts';
import { actorOfRequest, auditedAct } from '../access/disclosure.ts';
import type { FastifyRequest } from 'fastify';
import type { Queryable } from '../db/index.ts';
import {
  AGENCIES,
  DELIVERY_STATUSES,
  SEVERITIES,
  addSubscription,
  listAttempts,
  listDeliveries,
  listSubscriptions,
  removeSubscription,
  replayDeadLetter,
} from '../notify/index.ts';

const StrList = Type.Array(Type.String());

const Subscription = Type.Object({
  id: Type.Integer(),
  agency: Type.String(),
  name: Type.String(),
  channel: Type.String(),
  target: Type.String(),
  event_types: StrList,
  offices: Nullable(StrList),
  states: Nullable(StrList),
  min_severity: Type.String(),
  status: Type.String(),
  disabled_reason: Nullable(Type.String()),
  created_at: Type.String({ format: 'date-time' }),
});

const NewSubscription = Type.Object(
  {
    agency: Type.Union(AGENCIES.map((a) => Type.Literal(a))),
    name: Type.String({ minLength: 1, maxLength: 200 }),
    webhookUrl: Type.Optional(Type.String({ maxLength: 2000 })),
    email: Type.Optional(Type.String({ maxLength: 320 })),
    eventTypes: Type.Array(Type.String(), { minItems: 1 }),
    offices: Type.Optional(StrList),
    states: Type.Optional(StrList),
    minSeverity: Type.Optional(Type.Union(SEVERITIES.map((s) => Type.Literal(s)))),
  },
  { additionalProperties: false },
);

const Delivery = Type.Object({
  id: Type.Integer(),
  subscription_id: Type.Integer(),
  agency: Type.String(),
  channel: Type.String(),
  event_type: Nullable(Type.String()),
  event_id: Nullable(Type.String()),
  status: Type.String(),
  attempts: Type.Integer(),
  max_attempts: Type.Integer(),
  last_status_code: Nullable(Type.Integer()),
  last_error: Nullable(Type.String()),
  last_latency_ms: Nullable(Type.Integer()),
  next_attempt_at: Type.String({ format: 'date-time' }),
  created_at: Type.String({ format: 'date-time' }),
  delivered_at: Nullable(Type.String({ format: 'date-time' })),
});

const Attempt = Type.Object({
  attempt: Type.Integer(),
  started_at: Type.String({ format: 'date-time' }),
  latency_ms: Type.Integer(),
  status_code: Nullable(Type.Integer()),
  outcome: Type.String(),
  error: Nullable(Type.String()),
  worker: Type.String(),
});

const IdParams = Type.Object({ id: Type.Integer({ minimum: 1 }) });
const tags = ['notify'];

export function notifyRoutes(deps: ApiDeps): FastifyPluginAsync {
  // A change to subscriptions or deliveries commits with its audit entry.
  const audited = <T>(
    req: FastifyRequest,
    action: string,
    act: (tx: Queryable) => Promise<T>,
    target: (r: T) => string,
  ) => auditedAct(deps.db, deps.clock, actorOfRequest(req), action, act, (r) => ({ target: target(r) }));
  return async (app) => {
    app.get(
      '/api/v1/notify/subscriptions',
      {
        config: { permission: 'notify.manage' },
        schema: {
          summary: 'List subscriptions (never their secrets)',
          tags,
          response: { 200: Type.Array(Subscription) },
        },
      },
      async () => listSubscriptions(deps.db),
    );

    app.post<{ Body: Static<typeof NewSubscription> }>(
      '/api/v1/notify/subscriptions',
      {
        config: { permission: 'notify.manage' },
        schema: {
          summary: 'Subscribe a webhook or a mailbox to kinds of events',
          tags,
          body: NewSubscription,
          response: {
            201: Type.Object({ subscription: Subscription, secret: Nullable(Type.String()) }),
          },
        },
      },
      async (req, reply) =>
        reply.status(201).send(
          await audited(
            req,
            'notify.subscribe',
            (tx) => addSubscription(tx, req.body),
            (r) => `subscription:${r.subscription.id}`,
          ),
        ),
    );

    app.delete<{ Params: Static<typeof IdParams> }>(
      '/api/v1/notify/subscriptions/:id',
      {
        config: { permission: 'notify.manage' },
        schema: {
          summary: 'Stop sending to a subscription',
          tags,
          params: IdParams,
          response: { 200: Subscription },
        },
      },
      async (req) =>
        audited(
          req,
          'notify.unsubscribe',
          (tx) => removeSubscription(tx, req.params.id),
          (r) => `subscription:${r.id}`,
        ),
    );

    const DeliveryQuery = Type.Object({
      status: Type.Optional(Type.Union(DELIVERY_STATUSES.map((s) => Type.Literal(s)))),
      subscription: Type.Optional(Type.Integer({ minimum: 1 })),
      limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 10_000 })),
    });
    app.get<{ Querystring: Static<typeof DeliveryQuery> }>(
      '/api/v1/notify/deliveries',
      {
        config: { permission: 'notify.manage' },
        schema: {
          summary: 'List deliveries, newest first (status=dead for dead letters)',
          tags,
          querystring: DeliveryQuery,
          response: { 200: Type.Array(Delivery) },
        },
      },
      async (req) =>
        listDeliveries(deps.db, {
          status: req.query.status,
          subscriptionId: req.query.subscription,
          limit: req.query.limit ?? 1000,
        }),
    );

    app.get<{ Params: Static<typeof IdParams> }>(
      '/api/v1/notify/deliveries/:id/attempts',
      {
        config: { permission: 'notify.manage' },
        schema: {
          summary: 'Every attempt of a delivery: status code, latency, error',
          tags,
          params: IdParams,
          response: { 200: Type.Array(Attempt) },
        },
      },
      async (req) => listAttempts(deps.db, req.params.id),
    );

    app.post<{ Params: Static<typeof IdParams> }>(
      '/api/v1/notify/deliveries/:id/replay',
      {
        config: { permission: 'notify.manage' },
        schema: {
          summary: 'Send a dead letter again (same idempotency key, fresh attempts)',
          tags,
          params: IdParams,
          response: { 202: Type.Object({ id: Type.Integer(), status: Type.String() }) },
        },
      },
      async (req, reply) => {
        const row = await audited(
          req,
          'notify.replay',
          (tx) => replayDeadLetter(tx, req.params.id),
          (r) => `delivery:${r.id}`,
        );
        return reply.status(202).send({ id: row.id, status: row.status });
      },
    );
  };
}

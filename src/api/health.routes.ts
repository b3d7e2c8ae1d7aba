// Liveness and readiness: /healthz says the process answers, /readyz that the database does and
// every migration is applied.
import type { FastifyPluginAsync } from 'fastify';
import { Type } from '@sinclair/typebox';
import { migrationStatus } from '../db/index.ts';
import type { ApiDeps } from './server.ts';

const Health = Type.Object({ status: Type.String() });
const Ready = Type.Object({
  status: Type.String(),
  database: Type.String(),
  pendingMigrations: Type.Integer(),
});

export function healthRoutes(deps: ApiDeps): FastifyPluginAsync {
  return async (app) => {
    app.get(
      '/healthz',
      { schema: { summary: 'The process is up', tags: ['health'], response: { 200: Health } } },
      async () => ({ status: 'ok' }),
    );

    app.get(
      '/readyz',
      {
        schema: {
          summary: 'The database answers and is migrated',
          tags: ['health'],
          response: { 200: Ready, 503: Ready },
        },
      },
      async (_req, reply) => {
        try {
          const status = await migrationStatus(deps.db);
          const pending = status.filter((s) => !s.appliedAt).length;
          return reply.status(pending ? 503 : 200).send({
            status: pending ? 'migrations pending' : 'ready',
            database: deps.db.engine,
            pendingMigrations: pending,
          });
        } catch {
          return reply
            .status(503)
            .send({ status: 'database unavailable', database: deps.db.engine, pendingMigrations: -1 });
        }
      },
    );
  };
}

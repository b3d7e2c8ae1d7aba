// The HTTP edge: schema-validated routes, an OpenAPI document, health checks and JSON logs that
// carry no personal data (no bodies, no query strings, route patterns only).
import Fastify, { LogController, type FastifyInstance, type FastifyServerOptions } from 'fastify';
import swagger from '@fastify/swagger';
import type { Db } from '../db/index.ts';
import { openPostgres } from '../db/postgres.ts';
import type { Clock } from '../shared/clock.ts';
import type { Log } from '../shared/log.ts';
import { isBridgeError } from '../shared/errors.ts';
import { healthRoutes } from './health.routes.ts';
import { identityRoutes } from './identity.routes.ts';
import { workRoutes } from './work.routes.ts';
import { notifyRoutes } from './notify.routes.ts';
import { feedRoutes, type FeedRoutesOptions } from './feeds.routes.ts';
import { casesRoutes } from './cases.routes.ts';
import { reportRoutes } from './reports.routes.ts';
import { version } from '../shared/version.ts';
import {
  accessPlugin,
  createAuditWriter,
  type AccessPluginOptions,
  type AuditWriter,
} from '../access/index.ts';
import { webRoutes } from '../web/web.routes.tsx';

export interface ApiDeps {
  db: Db;
  log: Log;
  clock: Clock;
}

/** What routes get: the server's dependencies and its audit writer, shared by every read it serves. */
export interface RouteDeps extends ApiDeps {
  audit: AuditWriter;
}

export interface ServerOptions {
  /** Largest request body accepted, in bytes. */
  bodyLimit?: number;
  /** Feed push: who may push (access seam), body limit, and the projections to update. */
  feeds?: FeedRoutesOptions;
  /** Authentication, permissions, CSRF, headers and rate limits; every route is then closed by default. */
  access?: Pick<AccessPluginOptions, 'secrets' | 'rateLimitPerMinute' | 'loginPerMinute' | 'oidc'>;
}

/** The `application_name` of the audit writer's own connection to the server. */
export const AUDIT_CONNECTION_NAME = 'uc-bridge audit writer';

export async function buildServer(apiDeps: ApiDeps, options: ServerOptions = {}): Promise<FastifyInstance> {
  // One writer per server, so concurrent reads share audit transactions (see access/audit-writer.ts).
  // On the server it has a connection of its own (named in pg_stat_activity): taken from the shared
  // pool, each batch's transaction first waited behind the queries of the very requests it was
  // holding up.
  const auditDb = apiDeps.db.url
    ? await openPostgres(apiDeps.db.url, { max: 1, applicationName: AUDIT_CONNECTION_NAME })
    : null;
  // The shared pool merges the audit index's pending list, off the writer's connection.
  const audit = auditDb
    ? createAuditWriter(auditDb, { maintenance: apiDeps.db })
    : createAuditWriter(apiDeps.db);
  const deps: RouteDeps = { ...apiDeps, audit };
  const app = Fastify({
    loggerInstance: deps.log as FastifyServerOptions['loggerInstance'],
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: options.bodyLimit ?? 10 * 1024 * 1024,
    return503OnClosing: true,
    ajv: { customOptions: { removeAdditional: false, coerceTypes: 'array', allErrors: true } },
  });

  // A client that goes away does not stop its handler: the server may have closed while handlers
  // still run. `handlersDone()` waits for them, so the caller closes the database only after.
  let running = 0;
  const idle: (() => void)[] = [];
  const finished = () => {
    if (--running === 0) for (const wake of idle.splice(0)) wake();
  };
  app.addHook('onRoute', (route) => {
    const handler = route.handler;
    route.handler = function (this: FastifyInstance, req, reply) {
      running++;
      let result: unknown;
      try {
        result = handler.call(this, req, reply);
      } catch (e) {
        finished();
        throw e;
      }
      if (result instanceof Promise) return result.finally(finished);
      finished();
      return result;
    } as typeof handler;
  });
  app.decorate('handlersDone', () =>
    running === 0 ? Promise.resolve() : new Promise<void>((resolve) => idle.push(resolve)),
  );
  if (auditDb) {
    // Closed once the handlers still running (of clients that went away) have written their entries.
    app.addHook('onClose', async () => {
      await Promise.race([app.handlersDone(), new Promise((r) => setTimeout(r, 10_000).unref())]);
      await auditDb.close();
    });
  }

  // One log line per request: method, route pattern, status and time. Never the URL itself, whose
  // query string may hold a name or an A-number.
  app.addHook('onResponse', async (req, reply) => {
    req.log.info(
      {
        method: req.method,
        route: req.routeOptions.url ?? 'unmatched',
        status: reply.statusCode,
        ms: Math.round(reply.elapsedTime),
      },
      'request',
    );
  });

  app.setErrorHandler((error, req, reply) => {
    if (isBridgeError(error)) {
      return reply
        .status(error.httpStatus)
        .send({ error: { code: error.code, message: error.message, ...error.details } });
    }
    const e = error as { validation?: unknown; statusCode?: number; code?: string; message: string };
    if (e.validation) {
      return reply
        .status(400)
        .send({ error: { code: 'BODY_INVALID', message: e.message, details: e.validation } });
    }
    if (e.statusCode === 413) {
      return reply
        .status(413)
        .send({ error: { code: 'BODY_TOO_LARGE', message: 'request body is larger than allowed' } });
    }
    if (e.statusCode && e.statusCode < 500) {
      return reply
        .status(e.statusCode)
        .send({ error: { code: e.code ?? 'BAD_REQUEST', message: e.message } });
    }
    req.log.error({ err: e.message, route: req.routeOptions.url }, 'request failed');
    // 5xx details never leak to callers.
    return reply.status(500).send({ error: { code: 'INTERNAL', message: 'internal error' } });
  });

  if (options.access) {
    await app.register(accessPlugin, {
      db: deps.db,
      clock: deps.clock,
      audit: deps.audit,
      ...options.access,
    });
  }

  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'UC Bridge API',
        version,
        description: 'Agency feeds in; children, cases, alerts, tasks and oversight figures out.',
      },
    },
  });

  app.get('/api/openapi.json', { schema: { hide: true } }, async () => app.swagger());

  await app.register(healthRoutes(deps));
  await app.register(identityRoutes(deps));
  await app.register(workRoutes(deps));
  await app.register(notifyRoutes(deps));
  await app.register(feedRoutes(deps, options.feeds));
  await app.register(casesRoutes(deps));
  await app.register(reportRoutes(deps));
  await app.register(webRoutes({ ...deps, secrets: options.access?.secrets }));
  return app;
}

declare module 'fastify' {
  interface FastifyInstance {
    /** Resolves when no route handler is running (after `close()`, before closing the database). */
    handlersDone(): Promise<void>;
  }
}

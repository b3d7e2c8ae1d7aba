// The HTTP side of access: authentication (session cookie or bearer token), a permission on every
// route (fail closed), CSRF for cookie-authenticated changes, security headers, rate limits and a
// JSON nesting limit. Register it before any route so that every route is seen and guarded.
import fp from 'fastify-plugin';
import cookie from '@fastify/cookie';
import helmet from 'helmet';
import rateLimit from '@fastify/rate-limit';
import type { FastifyInstance, FastifyReply, FastifyRequest, RouteOptions } from 'fastify';
import { Type } from '@sinclair/typebox';
import { Nullable } from '../shared/schema.ts';
import type { Db, Queryable } from '../db/index.ts';
import type { Clock } from '../shared/clock.ts';
import { BridgeError } from '../shared/errors.ts';
import type { AccessSecrets } from './secrets.ts';
import {
  can,
  isPurpose,
  purposeAllowed,
  recordScope,
  type Actor,
  type Permission,
  type Purpose,
  type RecordScope,
} from './policy.ts';
import { csrfTokenFor, safeEqual } from './credentials.ts';
import { sessionActor, signIn, signOut, tokenActor, SESSION_MS } from './sign-in.ts';
import { appendAudit, verifyAudit, whoAccessed, type AuditEntry } from './audit.ts';
import { checkJsonText } from './json-depth.ts';
import { createAuditWriter, type AuditWriter } from './audit-writer.ts';
import { createSessionCache, SESSION_CACHE_MS } from './session-cache.ts';
import type { Configuration as OidcConfiguration } from 'openid-client';
import { finishOidcLogin, startOidcLogin, type OidcSettings, type PendingLogin } from './oidc.ts';
import { openSsoSession } from './sign-in.ts';

export const SESSION_COOKIE = 'bridge_session';
export const CSRF_HEADER = 'x-csrf-token';
export const PURPOSE_HEADER = 'x-bridge-purpose';
/** Sign-in attempts per minute per client address, unless the options say otherwise. */
export const LOGIN_PER_MINUTE = 10;

/** What a route declares in `config`. */
export interface RouteAccess {
  /** The permission needed; 'authenticated' means any signed-in user. */
  permission?: Permission | 'authenticated';
  /** Open to anyone (health, OpenAPI, sign-in). */
  public?: boolean;
  /** Route parameter naming the resource a bound token must match (e.g. 'source'). */
  resourceParam?: string;
  /** The caller must state a purpose (header X-Bridge-Purpose); default for child.* permissions. */
  purpose?: boolean;
  /** A web page: a visitor who has not signed in is sent to the sign-in page instead of a 401. */
  page?: boolean;
}

declare module 'fastify' {
  // eslint-disable-next-line @typescript-eslint/no-empty-object-type -- adds RouteAccess to route config
  interface FastifyContextConfig extends RouteAccess {}
  interface FastifyRequest {
    actor: Actor | null;
    purpose: Purpose | null;
    sessionId: string | null;
  }
  interface FastifyInstance {
    /** Every route registered after the access plugin, with its declared access. */
    accessRoutes: RegisteredRoute[];
    /** Ends a session in this process at once (call after `signOut`). */
    forgetSession?: (sessionId: string) => void;
  }
}

export interface RegisteredRoute {
  method: string;
  url: string;
  access: RouteAccess;
}

export interface AccessPluginOptions {
  db: Db;
  clock: Clock;
  secrets: AccessSecrets;
  /** Requests per minute per client address (default 300). */
  rateLimitPerMinute?: number;
  /** Sign-in attempts per minute per client address (default LOGIN_PER_MINUTE). */
  loginPerMinute?: number;
  /** Deepest JSON nesting accepted (default 32). */
  maxJsonDepth?: number;
  /** How long this process remembers who a session stands for (default 2 s; 0: ask every time). */
  sessionCacheMs?: number;
  /** Writes the audit entries of refusals; the server shares its own so they batch with reads. */
  audit?: AuditWriter;
  /** Single sign-on with an agency's OpenID Connect provider (optional). */
  oidc?: { settings: OidcSettings; config: OidcConfiguration };
}

// Always open: liveness, readiness and the API description carry no personal data.
const PUBLIC_URLS = new Set(['/healthz', '/readyz', '/api/openapi.json']);
const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);
const PURPOSE_PERMISSIONS = new Set<string>(['child.read', 'child.list', 'child.export']);

function accessOf(config: unknown): RouteAccess {
  const c = (config ?? {}) as RouteAccess;
  return {
    permission: c.permission,
    public: c.public,
    resourceParam: c.resourceParam,
    purpose: c.purpose,
    page: c.page,
  };
}

function isPublic(url: string, access: RouteAccess): boolean {
  return access.public === true || PUBLIC_URLS.has(url);
}

function bearer(req: FastifyRequest): string | undefined {
  const h = req.headers.authorization;
  if (!h) return undefined;
  const m = /^Bearer ([A-Za-z0-9_\-.~+/=]{10,200})$/.exec(h);
  return m ? m[1] : '';
}

async function plugin(app: FastifyInstance, opts: AccessPluginOptions) {
  const { db, clock, secrets } = opts;
  const audit = opts.audit ?? createAuditWriter(db);
  const sessions = createSessionCache(opts.sessionCacheMs ?? SESSION_CACHE_MS);
  const maxDepth = opts.maxJsonDepth ?? 32;
  app.decorate('accessRoutes', [] as RegisteredRoute[]);
  app.decorate('forgetSession', (sessionId: string) => sessions.forget(sessionId));
  app.decorateRequest('actor', null);
  app.decorateRequest('purpose', null);
  app.decorateRequest('sessionId', null);

  app.addHook('onRoute', (route: RouteOptions) => {
    const methods = Array.isArray(route.method) ? route.method : [route.method];
    for (const m of methods) {
      if (m === 'HEAD' && route.exposeHeadRoute !== false && methods.length === 1) continue;
      app.accessRoutes.push({ method: m, url: route.url, access: accessOf(route.config) });
    }
  });

  await app.register(cookie, { secret: secrets.sessionSecret });
  // Helmet's middleware built once: @fastify/helmet rebuilt it (and parsed the policy) per request.
  const securityHeaders = helmet({
    contentSecurityPolicy: {
      useDefaults: false,
      directives: {
        defaultSrc: ["'self'"],
        scriptSrc: ["'self'"],
        styleSrc: ["'self'"],
        imgSrc: ["'self'", 'data:'],
        connectSrc: ["'self'"],
        fontSrc: ["'self'"],
        objectSrc: ["'none'"],
        baseUri: ["'none'"],
        formAction: ["'self'"],
        frameAncestors: ["'none'"],
      },
    },
    crossOriginEmbedderPolicy: true,
    // No URL leaves the site; same-origin requests keep their Origin header (browsers send
    // `Origin: null` on forms under no-referrer, which the CSRF check must refuse).
    referrerPolicy: { policy: 'same-origin' },
    strictTransportSecurity: { maxAge: 31_536_000, includeSubDomains: true },
  });
  app.addHook('onRequest', (req, reply, done) => securityHeaders(req.raw, reply.raw, () => done()));
  await app.register(rateLimit, {
    global: true,
    max: opts.rateLimitPerMinute ?? 300,
    timeWindow: 60_000,
  });

  // JSON: Fastify's own parser (it refuses __proto__ and constructor poisoning), after a depth check.
  const defaultJson = app.getDefaultJsonParser('error', 'error');
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (req, body, done) => {
    const refused = checkJsonText(body as string, maxDepth);
    if (refused) {
      done(new BridgeError('BODY_INVALID', refused), undefined);
      return;
    }
    defaultJson(req, body as string, done);
  });
  // HTML forms (sign-in, and later the web pages).
  app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string' }, (_req, body, done) => {
    const out: Record<string, string> = Object.create(null);
    for (const [k, v] of new URLSearchParams(body as string)) out[k] = v;
    done(null, out);
  });

  app.addHook('onRequest', async (req, reply) => {
    const url = req.routeOptions.url;
    if (url === undefined) return; // 404: nothing to guard
    if (/%00/.test(req.url)) throw new BridgeError('USAGE', 'the URL must not contain NUL characters');
    const access = accessOf(req.routeOptions.config);
    const now = clock.now();
    const token = bearer(req);
    if (token !== undefined) {
      const actor = token ? await tokenActor(db, token, now) : undefined;
      if (!actor) throw new BridgeError('UNAUTHENTICATED', 'the API token is not valid or was revoked');
      req.actor = actor;
    } else {
      const raw = req.cookies[SESSION_COOKIE];
      const unsigned = raw ? req.unsignCookie(raw) : undefined;
      if (unsigned?.valid && unsigned.value) {
        const sessionId = unsigned.value;
        const actor = await sessions.actor(sessionId, now, () => sessionActor(db, sessionId, now));
        if (actor) {
          req.actor = actor;
          req.sessionId = unsigned.value;
        }
      }
    }
    if (isPublic(url, access)) return;
    if (!req.actor) {
      if (access.page && req.method === 'GET') {
        return reply.redirect(`/login?next=${encodeURIComponent(req.url)}`, 303);
      }
      throw new BridgeError('UNAUTHENTICATED', 'sign in or send an API token');
    }
    const permission = access.permission;
    const resource = access.resourceParam
      ? (req.params as Record<string, string> | undefined)?.[access.resourceParam]
      : undefined;
    const allowed =
      permission === 'authenticated'
        ? req.actor.kind === 'user'
        : permission !== undefined && can(req.actor, permission, resource);
    if (!allowed) {
      await audit.append({
        at: now,
        actor: req.actor,
        action: 'access.denied',
        outcome: 'denied',
        target: `${req.method} ${url}`,
        details: { permission: permission ?? null },
      });
      // A route that declares no permission is closed to everyone.
      throw new BridgeError(
        'FORBIDDEN',
        permission ? `this needs the ${permission} permission` : 'this route is not open to any role',
      );
    }
    const needsPurpose = access.purpose ?? (permission !== undefined && PURPOSE_PERMISSIONS.has(permission));
    if (needsPurpose && req.actor.kind === 'user') {
      const stated =
        req.headers[PURPOSE_HEADER] ?? (req.query as Record<string, unknown> | undefined)?.purpose;
      if (!isPurpose(stated)) {
        throw new BridgeError(
          'PURPOSE_REQUIRED',
          `state a purpose in the ${PURPOSE_HEADER} header or the purpose query parameter`,
        );
      }
      if (!purposeAllowed(req.actor.role, stated)) {
        throw new BridgeError(
          'FORBIDDEN',
          `the purpose "${stated}" is not open to the ${req.actor.role} role`,
        );
      }
      req.purpose = stated;
    }
  });

  // CSRF: a cookie travels with any cross-site request, so every cookie-authenticated change must
  // carry the session's token (header, or `_csrf` in a form). Bearer tokens are not ambient.
  app.addHook('preHandler', async (req) => {
    if (SAFE_METHODS.has(req.method) || req.routeOptions.url === undefined) return;
    const origin = req.headers.origin;
    if (origin && origin !== 'null' && new URL(origin).host !== req.headers.host) {
      throw new BridgeError('FORBIDDEN', 'cross-site request refused');
    }
    if (origin === 'null') throw new BridgeError('FORBIDDEN', 'cross-site request refused');
    if (!req.sessionId || req.actor?.kind !== 'user') return;
    const sent =
      (req.headers[CSRF_HEADER] as string | undefined) ??
      (req.body && typeof req.body === 'object' ? (req.body as Record<string, unknown>)._csrf : undefined);
    if (typeof sent !== 'string' || !safeEqual(sent, csrfTokenFor(secrets.sessionSecret, req.sessionId))) {
      throw new BridgeError('FORBIDDEN', 'missing or wrong CSRF token');
    }
  });

  const setSession = (reply: FastifyReply, sessionId: string) =>
    reply.setCookie(SESSION_COOKIE, sessionId, {
      httpOnly: true,
      sameSite: 'strict',
      secure: !secrets.demo,
      path: '/',
      signed: true,
      maxAge: SESSION_MS / 1000,
    });

  const Me = Type.Object({
    username: Type.String(),
    role: Type.String(),
    office: Nullable(Type.String()),
    csrfToken: Type.String(),
  });
  const Login = Type.Object(
    {
      username: Type.String({ pattern: '^[a-z0-9][a-z0-9._-]{1,62}$' }),
      password: Type.String({ minLength: 1, maxLength: 256 }),
    },
    { additionalProperties: false },
  );

  app.post(
    '/api/v1/auth/login',
    {
      config: {
        public: true,
        rateLimit: { max: opts.loginPerMinute ?? LOGIN_PER_MINUTE, timeWindow: 60_000 },
      },
      schema: {
        summary: 'Sign in with a user name and password',
        tags: ['access'],
        body: Login,
        response: { 200: Me },
      },
    },
    async (req, reply) => {
      const body = req.body as { username: string; password: string };
      const res = await signIn(
        { db, clock },
        { username: body.username, password: body.password, ip: req.ip },
      );
      setSession(reply, res.sessionId);
      const a = res.actor as Extract<Actor, { kind: 'user' }>;
      return {
        username: a.username,
        role: a.role,
        office: a.officeId,
        csrfToken: csrfTokenFor(secrets.sessionSecret, res.sessionId),
      };
    },
  );

  // The web application's sign-in form (application/x-www-form-urlencoded): the same checks as the
  // API, then back to the page the visitor asked for.
  app.post(
    '/login',
    {
      config: {
        public: true,
        rateLimit: { max: opts.loginPerMinute ?? LOGIN_PER_MINUTE, timeWindow: 60_000 },
      },
      schema: {
        hide: true,
        body: Type.Object({
          username: Type.String({ maxLength: 200 }),
          password: Type.String({ maxLength: 500 }),
          next: Type.Optional(Type.String({ maxLength: 2000 })),
        }),
      },
    },
    async (req, reply) => {
      const body = req.body as { username: string; password: string; next?: string };
      // Only a path on this site: never an open redirect.
      const next = body.next && /^\/(?!\/)/.test(body.next) ? body.next : '/';
      try {
        const res = await signIn(
          { db, clock },
          { username: body.username, password: body.password, ip: req.ip },
        );
        setSession(reply, res.sessionId);
        return reply.redirect(next, 303);
      } catch (e) {
        if (e instanceof BridgeError && (e.code === 'UNAUTHENTICATED' || e.code === 'FORBIDDEN')) {
          return reply.redirect(`/login?failed=1&next=${encodeURIComponent(next)}`, 303);
        }
        throw e;
      }
    },
  );

  if (opts.oidc) {
    const { settings, config } = opts.oidc;
    const OIDC_COOKIE = 'bridge_oidc';
    const cookieOptions = {
      httpOnly: true,
      // Lax: the provider sends the browser back with a top-level GET from another site.
      sameSite: 'lax' as const,
      secure: !secrets.demo,
      path: '/auth/oidc',
      signed: true,
    };
    app.get(
      '/auth/oidc/login',
      {
        config: {
          public: true,
          rateLimit: { max: opts.loginPerMinute ?? LOGIN_PER_MINUTE, timeWindow: 60_000 },
        },
        schema: {
          hide: true,
          querystring: Type.Object(
            { next: Type.Optional(Type.String({ maxLength: 2000 })) },
            { additionalProperties: false },
          ),
        },
      },
      async (req, reply) => {
        const asked = (req.query as { next?: string }).next;
        const next = asked && /^\/(?!\/)/.test(asked) ? asked : '/';
        const { url, pending } = await startOidcLogin(config, settings, next);
        reply.setCookie(OIDC_COOKIE, JSON.stringify(pending), { ...cookieOptions, maxAge: 600 });
        return reply.redirect(url.href, 303);
      },
    );
    app.get(
      '/auth/oidc/callback',
      { config: { public: true }, schema: { hide: true } },
      async (req, reply) => {
        const raw = req.cookies[OIDC_COOKIE];
        const unsigned = raw ? req.unsignCookie(raw) : undefined;
        reply.clearCookie(OIDC_COOKIE, { path: '/auth/oidc' });
        if (!unsigned?.valid || !unsigned.value) {
          throw new BridgeError('UNAUTHENTICATED', 'single sign-on was not started here, or took too long');
        }
        const pending = JSON.parse(unsigned.value) as PendingLogin;
        const who = await finishOidcLogin(config, settings, new URL(req.url, settings.redirectUri), pending);
        const res = await openSsoSession({ db, clock }, { ...who, ip: req.ip });
        setSession(reply, res.sessionId);
        return reply.redirect(pending.next, 303);
      },
    );
  }

  app.post(
    '/api/v1/auth/logout',
    { config: { permission: 'authenticated' }, schema: { summary: 'Sign out', tags: ['access'] } },
    async (req, reply) => {
      await signOut({ db, clock }, req.sessionId!, req.actor!);
      sessions.forget(req.sessionId!);
      reply.clearCookie(SESSION_COOKIE, { path: '/' });
      return reply.status(204).send();
    },
  );

  app.get(
    '/api/v1/auth/me',
    {
      config: { permission: 'authenticated' },
      schema: { summary: 'The signed-in user', tags: ['access'], response: { 200: Me } },
    },
    async (req) => {
      const a = req.actor as Extract<Actor, { kind: 'user' }>;
      return {
        username: a.username,
        role: a.role,
        office: a.officeId,
        csrfToken: csrfTokenFor(secrets.sessionSecret, req.sessionId!),
      };
    },
  );

  const ChildParams = Type.Object(
    { childId: Type.String({ pattern: '^[A-Za-z0-9_-]{1,64}$' }) },
    { additionalProperties: false },
  );
  app.get(
    '/api/v1/children/:childId/access-log',
    {
      config: { permission: 'audit.read' },
      schema: {
        summary: "Who opened or changed this child's record, newest first",
        tags: ['access'],
        params: ChildParams,
        response: {
          200: Type.Object({
            childId: Type.String(),
            entries: Type.Array(
              Type.Object({
                seq: Type.Integer(),
                at: Type.String(),
                actor: Type.String(),
                actorType: Type.String(),
                role: Nullable(Type.String()),
                action: Type.String(),
                purpose: Nullable(Type.String()),
                outcome: Type.String(),
              }),
            ),
          }),
        },
      },
    },
    async (req) => {
      const { childId } = req.params as { childId: string };
      // Reading who accessed a child is itself a disclosure about that child.
      const entries = await whoAccessed(db, childId);
      await audit.append({
        at: clock.now(),
        actor: req.actor,
        purpose: req.purpose,
        action: 'audit.who_accessed',
        childIds: [childId],
      });
      return { childId, entries };
    },
  );

  app.get(
    '/api/v1/audit/verify',
    {
      config: { permission: 'audit.read' },
      schema: { summary: 'Check the audit hash chain end to end', tags: ['access'] },
    },
    async () => verifyAudit(db),
  );
}

/** Registers the access layer on `app` (not encapsulated: its hooks guard every route). */
export const accessPlugin = fp(plugin, { name: 'bridge-access', fastify: '5.x' });

/** The audit entry for the act of this request; call inside the act's transaction. */
export async function auditRequest(
  tx: Queryable,
  req: FastifyRequest,
  clock: Clock,
  entry: Omit<AuditEntry, 'at' | 'actor' | 'purpose'>,
) {
  return appendAudit(tx, { ...entry, at: clock.now(), actor: req.actor, purpose: req.purpose });
}

/** A preHandler for routes that check a permission in code rather than in `config`. */
export function requirePermission(permission: Permission, resourceParam?: string) {
  return async (req: FastifyRequest) => {
    const resource = resourceParam ? (req.params as Record<string, string>)[resourceParam] : undefined;
    if (!req.actor) throw new BridgeError('UNAUTHENTICATED', 'sign in or send an API token');
    if (!can(req.actor, permission, resource))
      throw new BridgeError('FORBIDDEN', `this needs the ${permission} permission`);
  };
}

/** The children this request's actor may see (for list and search queries). */
export function scopeOf(req: FastifyRequest): RecordScope {
  return req.actor ? recordScope(req.actor) : { kind: 'none' };
}

// The access layer over HTTP: the authorization matrix over every registered route, field masking
// in responses, audit of reads and lists, and attacks (CSRF, session fixation, injection strings,
// a token used for another source, oversized and deeply nested bodies).
import crypto from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { Type } from '@sinclair/typebox';
import { createTestDb, type TestDb } from '../db/testing.ts';
import { buildServer } from '../api/server.ts';
import { silentLog } from '../shared/log.ts';
import { systemClock } from '../shared/clock.ts';
import { BridgeError } from '../shared/errors.ts';
import {
  auditRequest,
  childInScope,
  createToken,
  maskFor,
  PURPOSES_OF_ROLE,
  revokeTokenById,
  roleCan,
  ROLES,
  scopeOf,
  seedDemoUsers,
  verifyAudit,
  whoAccessed,
  type AccessSecrets,
  type Role,
} from './index.ts';

// Synthetic children, as the cases module will serve them.
const CHILDREN = [
  {
    childId: 'C-000001',
    currentAddress: { state: 'TX' },
    sponsor: { name: 'Sponsor One', phone: '555-0101', immigrationStatus: 'pending asylum' },
  },
  {
    childId: 'C-000002',
    currentAddress: { state: 'CA' },
    sponsor: { name: 'Sponsor Two', phone: '555-0102', immigrationStatus: 'LPR' },
  },
];

/** Routes shaped like the other modules', declaring their permissions the way those modules must. */
function registerModuleRoutes(app: FastifyInstance, t: TestDb) {
  const db = t.db;
  const clock = systemClock;
  const ChildParams = Type.Object({ childId: Type.String({ pattern: '^[A-Za-z0-9_-]{1,64}$' }) });
  app.get(
    '/stand-in/v1/children/:childId',
    { config: { permission: 'child.read' }, schema: { params: ChildParams } },
    async (req) => {
      const { childId } = req.params as { childId: string };
      const child = CHILDREN.find((c) => c.childId === childId);
      if (!child || !childInScope(req.actor!, child.currentAddress.state)) {
        throw new BridgeError('CHILD_NOT_FOUND', `no child ${childId}`);
      }
      return db.transaction(async (tx) => {
        await auditRequest(tx, req, clock, { action: 'child.read', childIds: [childId] });
        return maskFor(req.actor!, req.purpose!, child);
      });
    },
  );
  const listQuery = Type.Object(
    { q: Type.Optional(Type.String({ maxLength: 100 })) },
    { additionalProperties: false },
  );
  app.get(
    '/stand-in/v1/children',
    { config: { permission: 'child.list' }, schema: { querystring: listQuery } },
    async (req) => {
      const scope = scopeOf(req);
      const rows = CHILDREN.filter(
        (c) =>
          scope.kind === 'all' || (scope.kind === 'states' && scope.states.includes(c.currentAddress.state)),
      );
      return db.transaction(async (tx) => {
        await auditRequest(tx, req, clock, { action: 'child.list', childIds: rows.map((r) => r.childId) });
        return rows.map((r) => maskFor(req.actor!, req.purpose!, r));
      });
    },
  );
  app.get('/stand-in/v1/exports/children', { config: { permission: 'child.export' } }, async (req) =>
    db.transaction(async (tx) => {
      await auditRequest(tx, req, clock, {
        action: 'child.export',
        childIds: CHILDREN.map((r) => r.childId),
      });
      return CHILDREN.map((r) => maskFor(req.actor!, req.purpose!, r));
    }),
  );
  const FeedBody = Type.Object(
    {
      rows: Type.Array(
        Type.Object(
          { record_id: Type.String({ maxLength: 64 }), family_name: Type.String({ maxLength: 100 }) },
          { additionalProperties: false },
        ),
        { maxItems: 1000 },
      ),
    },
    { additionalProperties: false },
  );
  app.post(
    '/stand-in/v1/feeds/:source/records',
    {
      config: { permission: 'feed.push', resourceParam: 'source' },
      schema: { params: Type.Object({ source: Type.String() }), body: FeedBody },
    },
    async (req) => {
      const body = req.body as { rows: { record_id: string; family_name: string }[] };
      await db.transaction(async (tx) => {
        await tx.query(`CREATE TABLE IF NOT EXISTS test_feed_row (record_id text, family_name text)`);
        for (const r of body.rows) {
          await tx.query(`INSERT INTO test_feed_row VALUES ($1, $2)`, [r.record_id, r.family_name]);
        }
        await auditRequest(tx, req, clock, { action: 'feed.push', details: { rows: body.rows.length } });
      });
      return { accepted: body.rows.length };
    },
  );
  const ok = async () => ({ ok: true });
  app.post('/stand-in/v1/identity/reviews/:pairId', { config: { permission: 'identity.review' } }, ok);
  app.get('/stand-in/v1/alerts', { config: { permission: 'alert.read' } }, ok);
  app.get('/stand-in/v1/tasks', { config: { permission: 'task.read' } }, ok);
  app.post('/stand-in/v1/tasks/:taskId/notes', { config: { permission: 'task.write' } }, ok);
  app.get('/stand-in/v1/reports/oversight', { config: { permission: 'report.read' } }, ok);
  app.get(
    '/stand-in/v1/subscriptions/:subscriptionId/messages',
    { config: { permission: 'notify.receive', resourceParam: 'subscriptionId' } },
    ok,
  );
  app.post('/api/v1/subscriptions', { config: { permission: 'notify.manage' } }, ok);
  app.get('/api/v1/users', { config: { permission: 'user.manage' } }, ok);
  // A route someone forgot to guard: closed to everyone.
  app.get('/api/v1/forgotten', ok);
  app.post('/api/v1/forgotten', ok);
}

interface Session {
  cookie: string;
  csrf: string;
}

describe('access over HTTP', () => {
  let t: TestDb;
  let app: FastifyInstance;
  const secrets: AccessSecrets = { sessionSecret: crypto.randomBytes(32).toString('hex'), demo: false };
  const sessions = new Map<Role, Session>();
  const passwords = new Map<Role, string>();
  let cbpToken = '';
  let subToken = '';

  async function login(username: string, password: string, extra: Record<string, string> = {}) {
    return app.inject({
      method: 'POST',
      url: '/api/v1/auth/login',
      payload: { username, password },
      cookies: extra,
    });
  }
  function sessionOf(res: Awaited<ReturnType<typeof login>>): Session {
    const c = res.cookies.find((k) => k.name === 'bridge_session');
    return { cookie: c!.value, csrf: res.json().csrfToken };
  }

  beforeAll(async () => {
    t = await createTestDb();
    app = await buildServer(
      { db: t.db, log: silentLog, clock: systemClock },
      { bodyLimit: 64 * 1024, access: { secrets, rateLimitPerMinute: 100_000, loginPerMinute: 100_000 } },
    );
    registerModuleRoutes(app, t);
    await app.ready();
    for (const l of await seedDemoUsers({ db: t.db, clock: systemClock })) {
      passwords.set(l.role, l.password);
      const res = await login(l.username, l.password);
      expect(res.statusCode).toBe(200);
      sessions.set(l.role, sessionOf(res));
    }
    cbpToken = (
      await createToken(
        { db: t.db, clock: systemClock },
        { name: 'cbp', permission: 'feed.push', resource: 'cbp', agency: 'CBP' },
      )
    ).secret;
    subToken = (
      await createToken(
        { db: t.db, clock: systemClock },
        { name: 'ero-sub', permission: 'notify.receive', resource: 's1', agency: 'ERO' },
      )
    ).secret;
  });
  afterAll(async () => {
    await app?.close();
    await t?.close();
  });

  const fill = (url: string) =>
    url
      .replace(':childId', 'C-000001')
      .replace(':source', 'cbp')
      .replace(':subscriptionId', 's1')
      .replace(/:[a-zA-Z]+/g, 'x1');

  function asRole(role: Role, method: string, url: string, payload?: unknown) {
    const s = sessions.get(role)!;
    return app.inject({
      method: method as 'GET',
      url,
      cookies: { bridge_session: s.cookie },
      headers: { 'x-csrf-token': s.csrf, 'x-bridge-purpose': PURPOSES_OF_ROLE[role][0]! },
      ...(payload !== undefined ? { payload: payload as object } : {}),
    });
  }

  const ACCESS_DENIAL = /needs the [a-z.]+ permission|not open to any role|sign in or send/;

  it('authorization matrix: every registered route × every role, as the policy table says', async () => {
    // Sign-out (the API's and the web form's) ends the session, so it goes last.
    const signOut = (url: string) => Number(url === '/api/v1/auth/logout' || url === '/logout');
    const routes = [...app.accessRoutes].sort((a, b) => signOut(a.url) - signOut(b.url));
    expect(routes.length).toBeGreaterThanOrEqual(20);
    const mismatches: string[] = [];
    for (const r of routes) {
      if (r.method === 'HEAD' || r.method === 'OPTIONS') continue;
      const url = fill(r.url);
      const pub = r.access.public === true || ['/healthz', '/readyz', '/api/openapi.json'].includes(r.url);
      const anon = await app.inject({
        method: r.method as 'GET',
        url,
        payload: r.method === 'GET' ? undefined : {},
      });
      // A web page sends a visitor who has not signed in to the sign-in form instead.
      const sentToSignIn =
        r.access.page === true && anon.statusCode === 303 && /^\/login\?/.test(String(anon.headers.location));
      if (!pub && anon.statusCode !== 401 && !sentToSignIn)
        mismatches.push(`anonymous ${r.method} ${r.url}: ${anon.statusCode}`);
      for (const role of ROLES) {
        const p = r.access.permission;
        const expected = pub || p === 'authenticated' || (p !== undefined && roleCan(role, p));
        const res = await asRole(role, r.method, url, r.method === 'GET' ? undefined : {});
        // Denied by the policy table; a module's own record scope (another office's worklist)
        // answers 403 with its own reason after the permission was granted.
        const denied = res.statusCode === 401 || (res.statusCode === 403 && ACCESS_DENIAL.test(res.body));
        if (denied === expected)
          mismatches.push(
            `${role} ${r.method} ${r.url}: ${res.statusCode}, expected ${expected ? 'allowed' : 'denied'}`,
          );
      }
      for (const [name, token, perm, resource] of [
        ['cbp feed token', cbpToken, 'feed.push', 'cbp'],
        ['subscription token', subToken, 'notify.receive', 's1'],
      ] as const) {
        const res = await app.inject({
          method: r.method as 'GET',
          url,
          headers: { authorization: `Bearer ${token}` },
          ...(r.method === 'GET' ? {} : { payload: { rows: [] } }),
        });
        const expected = pub || (r.access.permission === perm && url.includes(`/${resource}/`));
        const denied = res.statusCode === 401 || res.statusCode === 403;
        if (denied === expected) mismatches.push(`${name} ${r.method} ${r.url}: ${res.statusCode}`);
      }
      // The sessions a sign-out route ended are opened again for the next route and the tests below.
      if (signOut(r.url))
        for (const role of ROLES)
          sessions.set(role, sessionOf(await login(`demo-${role.replace(/_/g, '-')}`, passwords.get(role)!)));
    }
    expect(mismatches).toEqual([]);
  });

  it('closes a route that declares no permission to every role', async () => {
    for (const role of ROLES) {
      expect((await asRole(role, 'GET', '/api/v1/forgotten')).statusCode).toBe(403);
    }
  });

  it('masks sponsor fields by role and stated purpose, in a record, a list and an export', async () => {
    const get = (role: Role, purpose: string, url: string) =>
      app.inject({
        url,
        cookies: { bridge_session: sessions.get(role)!.cookie },
        headers: { 'x-bridge-purpose': purpose },
      });
    const orr = (await get('orr_case_manager', 'case_management', '/stand-in/v1/children/C-000001')).json();
    expect(orr.sponsor.immigrationStatus).toBe('pending asylum');
    const safety = (await get('ero_officer', 'child_safety', '/stand-in/v1/children/C-000001')).json();
    expect(safety.sponsor).toEqual({ name: 'Sponsor One', phone: '555-0101' });
    const enforcement = await get('ero_officer', 'enforcement', '/stand-in/v1/children/C-000001');
    expect(enforcement.statusCode).toBe(200);
    expect(enforcement.json().sponsor).toBeUndefined();
    const list = await get('ero_officer', 'enforcement', '/stand-in/v1/children');
    expect(list.json().map((c: { childId: string }) => c.childId)).toEqual(['C-000001']); // TX office: TX children only
    const exp = await get('ero_supervisor', 'enforcement', '/stand-in/v1/exports/children');
    expect(exp.body).not.toMatch(/Sponsor|asylum|LPR/);
    expect(exp.json()).toHaveLength(2);
  });

  it('requires a purpose the role may state before opening a record', async () => {
    const s = sessions.get('ero_officer')!;
    const none = await app.inject({
      url: '/stand-in/v1/children/C-000001',
      cookies: { bridge_session: s.cookie },
    });
    expect(none.statusCode).toBe(400);
    expect(none.json().error.code).toBe('PURPOSE_REQUIRED');
    const wrong = await app.inject({
      url: '/stand-in/v1/children/C-000001',
      cookies: { bridge_session: s.cookie },
      headers: { 'x-bridge-purpose': 'case_management' },
    });
    expect(wrong.statusCode).toBe(403);
  });

  it("keeps an ERO officer to the office's area", async () => {
    const res = await asRole('ero_officer', 'GET', '/stand-in/v1/children/C-000002'); // a CA child
    expect(res.statusCode).toBe(404);
  });

  it('audits reads and lists with the child ids, purpose and actor, in a chain that verifies', async () => {
    await asRole('ero_officer', 'GET', '/stand-in/v1/children/C-000001');
    await asRole('orr_case_manager', 'GET', '/stand-in/v1/children');
    const seen = await whoAccessed(t.db, 'C-000002');
    expect(seen[0]).toMatchObject({
      actor: 'demo-orr-case-manager',
      action: 'child.list',
      purpose: 'case_management',
    });
    const one = await whoAccessed(t.db, 'C-000001');
    expect(
      one.some(
        (e) => e.actor === 'demo-ero-officer' && e.action === 'child.read' && e.purpose === 'enforcement',
      ),
    ).toBe(true);
    const log = await asRole('oversight_auditor', 'GET', '/api/v1/children/C-000001/access-log');
    expect(log.statusCode).toBe(200);
    expect(log.json().entries.length).toBeGreaterThan(0);
    const verify = await asRole('oversight_auditor', 'GET', '/api/v1/audit/verify');
    expect(verify.json()).toMatchObject({ ok: true, problems: [] });
    expect((await verifyAudit(t.db)).ok).toBe(true);
  });

  it('audits every sign-in, failed ones included', async () => {
    await login('demo-court-staff', 'wrong password!');
    const rows = await t.db.query<{ actor_id: string; outcome: string; details: { reason: string } }>(
      `SELECT actor_id, outcome, details FROM audit_log WHERE action = 'auth.login' ORDER BY seq DESC LIMIT 1`,
    );
    expect(rows[0]).toMatchObject({
      actor_id: 'demo-court-staff',
      outcome: 'denied',
      details: { reason: 'bad_password' },
    });
    expect(JSON.stringify(rows)).not.toContain('wrong password');
  });

  it('locks an account after five failed sign-ins, even against the right password', async () => {
    const { db } = t;
    await db.query(
      `INSERT INTO app_user (username, display_name, role, office_id, password_hash)
       SELECT 'lockme', 'Lock Me', role, office_id, password_hash FROM app_user WHERE username = 'demo-court-staff'`,
    );
    for (let i = 0; i < 5; i++) expect((await login('lockme', `bad-${i}-password`)).statusCode).toBe(401);
    const right = await login('lockme', passwords.get('court_staff')!);
    expect(right.statusCode).toBe(401);
    expect(right.json().error.message).toBe('user name or password is wrong, or the account is locked');
  });

  describe('attacks', () => {
    it('refuses a cookie-authenticated change without the CSRF token, or from another origin', async () => {
      const s = sessions.get('ero_officer')!;
      const base = {
        method: 'POST' as const,
        url: '/stand-in/v1/tasks/t1/notes',
        cookies: { bridge_session: s.cookie },
        payload: {},
      };
      expect((await app.inject(base)).statusCode).toBe(403);
      expect((await app.inject({ ...base, headers: { 'x-csrf-token': 'forged' } })).statusCode).toBe(403);
      const other = sessions.get('orr_case_manager')!.csrf;
      expect((await app.inject({ ...base, headers: { 'x-csrf-token': other } })).statusCode).toBe(403);
      expect(
        (await app.inject({ ...base, headers: { 'x-csrf-token': s.csrf, origin: 'https://evil.example' } }))
          .statusCode,
      ).toBe(403);
      expect((await app.inject({ ...base, headers: { 'x-csrf-token': s.csrf } })).statusCode).toBe(200);
      // A form post carries the token as a field.
      const form = await app.inject({
        ...base,
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        payload: `note=hello&_csrf=${encodeURIComponent(s.csrf)}`,
      });
      expect(form.statusCode).toBe(200);
    });

    it('never adopts a session id chosen before sign-in (session fixation)', async () => {
      const planted = 'attacker-chosen-session-id';
      const res = await login('demo-opla-attorney', passwords.get('opla_attorney')!, {
        bridge_session: planted,
      });
      const issued = res.cookies.find((c) => c.name === 'bridge_session')!;
      expect(issued.value).not.toContain(planted);
      expect(issued).toMatchObject({ httpOnly: true, sameSite: 'Strict', secure: true });
      const withPlanted = await app.inject({ url: '/api/v1/auth/me', cookies: { bridge_session: planted } });
      expect(withPlanted.statusCode).toBe(401);
      // A forged (unsigned) cookie holding a real-looking id is refused too.
      const forged = await app.inject({
        url: '/api/v1/auth/me',
        cookies: { bridge_session: crypto.randomBytes(32).toString('base64url') },
      });
      expect(forged.statusCode).toBe(401);
    });

    it("refuses a token pushing another source's feed, and a revoked token", async () => {
      const push = (source: string, token: string) =>
        app.inject({
          method: 'POST',
          url: `/stand-in/v1/feeds/${source}/records`,
          headers: { authorization: `Bearer ${token}` },
          payload: { rows: [{ record_id: 'R1', family_name: 'Test' }] },
        });
      expect((await push('ice', cbpToken)).statusCode).toBe(403);
      expect((await push('cbp', subToken)).statusCode).toBe(403);
      expect((await push('cbp', 'ucb_' + 'A'.repeat(43))).statusCode).toBe(401);
      expect((await push('cbp', cbpToken)).statusCode).toBe(200);
      const { id, secret } = await createToken(
        { db: t.db, clock: systemClock },
        { name: 'tmp', permission: 'feed.push', resource: 'cbp', agency: 'CBP' },
      );
      await revokeTokenById({ db: t.db, clock: systemClock }, id);
      expect((await push('cbp', secret)).statusCode).toBe(401);
      const stored = await t.db.query<{ n: number }>(`SELECT count(*)::int AS n FROM test_feed_row`);
      expect(stored[0]!.n).toBe(1);
    });

    const INJECTIONS = [
      "' OR '1'='1",
      "'; DROP TABLE app_user; --",
      'Robert"); DELETE FROM audit_log; --',
      '<script>alert(1)</script>',
      '"><img src=x onerror=alert(1)>',
      '${7*7}{{7*7}}',
      '\u0000\u202e',
    ];

    it.each(INJECTIONS)('treats %j as plain data in sign-in, route and query parameters', async (evil) => {
      const before = await t.db.query<{ n: number }>(`SELECT count(*)::int AS n FROM app_user`);
      const signin = await login(evil, evil);
      expect(signin.json().error.code).toMatch(/^(UNAUTHENTICATED|BODY_INVALID)$/);
      expect(signin.headers['content-type']).toMatch(/application\/json/);
      const byId = await asRole(
        'orr_case_manager',
        'GET',
        `/stand-in/v1/children/${encodeURIComponent(evil)}`,
      );
      expect([400, 404]).toContain(byId.statusCode);
      const q = await asRole(
        'orr_case_manager',
        'GET',
        `/stand-in/v1/children?q=${encodeURIComponent(evil)}`,
      );
      expect(q.statusCode).toBe(evil.includes('\u0000') ? 400 : 200);
      const log = await asRole(
        'oversight_auditor',
        'GET',
        `/api/v1/children/${encodeURIComponent(evil)}/access-log`,
      );
      expect([400, 404]).toContain(log.statusCode);
      const after = await t.db.query<{ n: number }>(`SELECT count(*)::int AS n FROM app_user`);
      expect(after).toEqual(before);
      expect((await verifyAudit(t.db)).ok).toBe(true);
    });

    it.each(INJECTIONS)('stores %j in a feed field only as the literal text sent', async (evil) => {
      const res = await app.inject({
        method: 'POST',
        url: '/stand-in/v1/feeds/cbp/records',
        headers: { authorization: `Bearer ${cbpToken}` },
        payload: { rows: [{ record_id: 'INJ', family_name: evil }] },
      });
      if (evil.includes('\u0000')) {
        // PostgreSQL text cannot hold NUL: refused at the door, never a 500.
        expect(res.statusCode).toBe(400);
        return;
      }
      expect(res.statusCode).toBe(200);
      const rows = await t.db.query<{ family_name: string }>(
        `SELECT family_name FROM test_feed_row WHERE record_id = 'INJ' ORDER BY ctid DESC LIMIT 1`,
      );
      expect(rows[0]!.family_name).toBe(evil);
      expect((await t.db.query(`SELECT 1 FROM app_user LIMIT 1`)).length).toBe(1);
    });

    it('refuses oversized, deeply nested, unknown-field and prototype-polluting bodies, storing nothing', async () => {
      const count = async () =>
        (await t.db.query<{ n: number }>(`SELECT count(*)::int AS n FROM test_feed_row`))[0]!.n;
      const before = await count();
      const post = (payload: string) =>
        app.inject({
          method: 'POST',
          url: '/stand-in/v1/feeds/cbp/records',
          headers: { authorization: `Bearer ${cbpToken}`, 'content-type': 'application/json' },
          payload,
        });
      const big = JSON.stringify({ rows: [{ record_id: 'B', family_name: 'x'.repeat(100 * 1024) }] });
      expect((await post(big)).statusCode).toBe(413);
      const deep = await post('{"rows":' + '['.repeat(5000) + ']'.repeat(5000) + '}');
      expect(deep.statusCode).toBe(400);
      expect(deep.json().error.message).toMatch(/nested deeper/);
      const unknown = await post(JSON.stringify({ rows: [{ record_id: 'U', family_name: 'x', extra: 1 }] }));
      expect(unknown.statusCode).toBe(400);
      const proto = await post('{"rows":[],"__proto__":{"admin":true}}');
      expect(proto.statusCode).toBe(400);
      expect(await count()).toBe(before);
    });
  });

  it('sends a strict Content-Security-Policy and the other security headers', async () => {
    const res = await app.inject('/healthz');
    const csp = String(res.headers['content-security-policy']);
    expect(csp).toContain("default-src 'self'");
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("object-src 'none'");
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).not.toContain('unsafe-inline');
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    expect(res.headers['strict-transport-security']).toMatch(/max-age=/);
    expect(res.headers['referrer-policy']).toBe('same-origin');
  });

  it('rate-limits sign-in attempts per client', async () => {
    const t2 = await createTestDb();
    const small = await buildServer(
      { db: t2.db, log: silentLog, clock: systemClock },
      { access: { secrets, rateLimitPerMinute: 1000, loginPerMinute: 3 } },
    );
    try {
      const codes: number[] = [];
      for (let i = 0; i < 5; i++) {
        const r = await small.inject({
          method: 'POST',
          url: '/api/v1/auth/login',
          payload: { username: 'nobody', password: 'y' },
        });
        codes.push(r.statusCode);
      }
      expect(codes).toEqual([401, 401, 401, 429, 429]);
    } finally {
      await small.close();
      await t2.close();
    }
  });
});

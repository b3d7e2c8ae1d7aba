// The access layer over the REAL server (every module's routes and pages, as `bridge serve` builds
// it): the authorization matrix generated from the registered route table, field masking and record
// scope in real responses, the audit of reads, lists and changes, and attacks (CSRF, session
// fixation, injection strings in every feed field and query parameter, a token of another source,
// oversized and deeply nested bodies). One database for the file.
import crypto from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { createTestDb, type TestDb } from '../db/testing.ts';
import { buildServer } from '../api/server.ts';
import { silentLog } from '../shared/log.ts';
import { fixedClock } from '../shared/clock.ts';
import { Facts, HOME } from '../cases/testing.ts';
import { loadFixtureChildren } from '../cases/db-fixtures.ts';
import { evaluateChildren } from '../rules/index.ts';
import { syncTasks } from '../work/index.ts';
import { validRow } from '../feeds/testing.ts';
import {
  createToken,
  PURPOSES_OF_ROLE,
  revokeTokenById,
  roleCan,
  ROLES,
  seedDemoUsers,
  verifyAudit,
  whoAccessed,
  type AccessSecrets,
  type Role,
} from './index.ts';

const CA_HOME = { line: '9 BAY RD', unit: null, city: 'LOS ANGELES', state: 'CA', zip5: '90001' };
const clock = fixedClock('2020-06-01T12:00:00Z');

interface Session {
  cookie: string;
  csrf: string;
}

describe('access over the real server', () => {
  let t: TestDb;
  let app: FastifyInstance;
  const secrets: AccessSecrets = { sessionSecret: crypto.randomBytes(32).toString('hex'), demo: false };
  const sessions = new Map<Role, Session>();
  const passwords = new Map<Role, string>();
  let cbpToken = '';
  let subToken = '';
  let eroTask = '';

  async function login(username: string, password: string, cookies: Record<string, string> = {}) {
    return app.inject({
      method: 'POST',
      url: '/api/v1/auth/login',
      payload: { username, password },
      cookies,
    });
  }
  function sessionOf(res: Awaited<ReturnType<typeof login>>): Session {
    const c = res.cookies.find((k) => k.name === 'bridge_session');
    return { cookie: c!.value, csrf: res.json().csrfToken };
  }
  async function loginAll() {
    for (const role of ROLES) {
      const res = await login(`demo-${role.replace(/_/g, '-')}`, passwords.get(role)!);
      expect(res.statusCode).toBe(200);
      sessions.set(role, sessionOf(res));
    }
  }

  beforeAll(async () => {
    t = await createTestDb();
    // A Texas child released to a sponsor who then missed a hearing, and a California child.
    const tx = new Facts();
    tx.encounter('2019-12-20');
    tx.admission('2020-01-02');
    tx.release('2020-01-10', HOME, '2A');
    tx.nta('2020-02-01', { served: '2020-02-05', filed: '2020-02-20', address: HOME });
    tx.caseOpened('2020-02-21', { address: HOME });
    tx.hearingScheduled('2020-02-22', '2020-04-01');
    tx.hearingResult('2020-04-01', 'ABSENT', true);
    const ca = new Facts();
    ca.admission('2020-01-02');
    ca.release('2020-01-10', CA_HOME, '1');
    await loadFixtureChildren(t.db, [
      { childId: 'CH-TX', records: tx.records },
      { childId: 'CH-CA', records: ca.records },
    ]);
    await evaluateChildren({ db: t.db, log: silentLog, clock }, ['CH-TX', 'CH-CA']);
    await syncTasks({ db: t.db, clock, log: silentLog });
    const [task] = await t.db.query<{ id: string }>(
      `SELECT id::text AS id FROM task WHERE child_id = 'CH-TX' AND office_id = 'ERO:Houston' LIMIT 1`,
    );
    eroTask = task!.id;

    app = await buildServer(
      { db: t.db, log: silentLog, clock },
      {
        bodyLimit: 64 * 1024,
        feeds: { bodyLimit: 64 * 1024 },
        access: { secrets, rateLimitPerMinute: 100_000, loginPerMinute: 100_000 },
      },
    );
    // A route someone forgot to guard: closed to everyone.
    app.get('/api/v1/forgotten', async () => ({ ok: true }));
    await app.ready();
    for (const l of await seedDemoUsers({ db: t.db, clock })) passwords.set(l.role, l.password);
    await loginAll();
    const deps = { db: t.db, clock };
    cbpToken = (
      await createToken(deps, { name: 'cbp', permission: 'feed.push', resource: 'cbp', agency: 'CBP' })
    ).secret;
    subToken = (
      await createToken(deps, {
        name: 'ero-sub',
        permission: 'notify.receive',
        resource: 's1',
        agency: 'ERO',
      })
    ).secret;
  });
  afterAll(async () => {
    await app?.close();
    await t?.close();
  });

  // Route parameters filled with things that exist, so an allowed call reaches the module.
  const fill = (url: string) =>
    url
      .replace('/children/:id', '/children/CH-TX')
      .replace(':childId', 'CH-TX')
      .replace('/tasks/:id', `/tasks/${eroTask}`)
      .replace(':officeId', 'ERO:Houston')
      .replace(':source', 'cbp')
      .replace(/:[a-zA-Z]+/g, '1');

  function asRole(role: Role, method: string, url: string, payload?: unknown, purpose?: string) {
    const s = sessions.get(role)!;
    return app.inject({
      method: method as 'GET',
      url,
      cookies: { bridge_session: s.cookie },
      headers: { 'x-csrf-token': s.csrf, 'x-bridge-purpose': purpose ?? PURPOSES_OF_ROLE[role][0]! },
      ...(payload !== undefined ? { payload: payload as object } : {}),
    });
  }
  const auditRows = (action: string) =>
    t.db.query<{
      actor_id: string;
      child_ids: string[];
      purpose: string | null;
      outcome: string;
      target: string;
    }>(`SELECT actor_id, child_ids, purpose, outcome, target FROM audit_log WHERE action = $1 ORDER BY seq`, [
      action,
    ]);

  const ACCESS_DENIAL = /needs the [a-z.]+ permission|not open to any role|sign in or send/;

  it('authorization matrix: every registered route and page × every role and token, as the policy table says', async () => {
    // Sign-out (the API's and the web form's) ends the session, so it goes last.
    const signOut = (url: string) => Number(url === '/api/v1/auth/logout' || url === '/logout');
    const routes = [...app.accessRoutes].sort((a, b) => signOut(a.url) - signOut(b.url));
    // The real route table: API routes of every module and the web pages.
    const urls = new Set(routes.map((r) => r.url));
    for (const u of [
      '/api/v1/children/:id',
      '/api/v1/reports/oversight/children',
      '/api/work/tasks/:id/notes',
      '/',
    ])
      expect(urls).toContain(u);
    expect(routes.length).toBeGreaterThanOrEqual(35);
    const mismatches: string[] = [];
    for (const r of routes) {
      if (r.method === 'HEAD' || r.method === 'OPTIONS') continue;
      const url = fill(r.url);
      const pub = r.access.public === true || ['/healthz', '/readyz', '/api/openapi.json'].includes(r.url);
      const body = r.method === 'GET' ? undefined : {};
      const anon = await app.inject({ method: r.method as 'GET', url, payload: body });
      // A web page sends a visitor who has not signed in to the sign-in form instead.
      const sentToSignIn =
        r.access.page === true && anon.statusCode === 303 && /^\/login\?/.test(String(anon.headers.location));
      if (!pub && anon.statusCode !== 401 && !sentToSignIn)
        mismatches.push(`anonymous ${r.method} ${r.url}: ${anon.statusCode}`);
      for (const role of ROLES) {
        const p = r.access.permission;
        const expected = pub || p === 'authenticated' || (p !== undefined && roleCan(role, p));
        const res = await asRole(role, r.method, url, body);
        // Denied by the policy table; a module's own record scope (another office's worklist)
        // answers 403 with its own reason after the permission was granted.
        const denied = res.statusCode === 401 || (res.statusCode === 403 && ACCESS_DENIAL.test(res.body));
        if (denied === expected)
          mismatches.push(
            `${role} ${r.method} ${r.url}: ${res.statusCode}, expected ${expected ? 'allowed' : 'denied'}`,
          );
        if (res.statusCode >= 500) mismatches.push(`${role} ${r.method} ${r.url}: ${res.statusCode}`);
      }
      for (const [name, token, perm, resource] of [
        ['cbp feed token', cbpToken, 'feed.push', 'cbp'],
        ['subscription token', subToken, 'notify.receive', 's1'],
      ] as const) {
        const res = await app.inject({
          method: r.method as 'GET',
          url,
          headers: { authorization: `Bearer ${token}` },
          ...(r.method === 'GET' ? {} : { payload: [] }),
        });
        const expected = pub || (r.access.permission === perm && url.includes(`/${resource}/`));
        const denied = res.statusCode === 401 || res.statusCode === 403;
        if (denied === expected) mismatches.push(`${name} ${r.method} ${r.url}: ${res.statusCode}`);
      }
      // The sessions a sign-out route ended are opened again for the next route.
      if (signOut(r.url)) await loginAll();
    }
    expect(mismatches).toEqual([]);
    // Every denial by the policy table is itself in the audit log.
    expect((await auditRows('access.denied')).length).toBeGreaterThan(50);
    // The sessions ended by the matrix's sign-out calls are opened again for the tests below.
    await loginAll();
  });

  it('closes a route that declares no permission to every role', async () => {
    for (const role of ROLES) expect((await asRole(role, 'GET', '/api/v1/forgotten')).statusCode).toBe(403);
  });

  describe("a child's record", () => {
    const open = (role: Role, purpose: string, id = 'CH-TX') =>
      asRole(role, 'GET', `/api/v1/children/${id}`, undefined, purpose);

    it('shows the sponsor to ORR, and to ERO only for the child’s safety, never to OPLA or the court', async () => {
      const orr = await open('orr_case_manager', 'case_management');
      expect(orr.statusCode).toBe(200);
      expect(orr.json().sponsor).toMatchObject({ id: 'SP-1', category: '2A' });
      expect(orr.body).toContain('"sponsor_id"');
      const alertIds = (res: { json(): { alerts: { id: number }[] } }) => res.json().alerts.map((a) => a.id);
      expect(alertIds(orr).length).toBeGreaterThan(0);
      const safety = (await open('ero_officer', 'child_safety')).json();
      expect(safety.sponsor).toMatchObject({ id: 'SP-1' });
      for (const [role, purpose] of [
        ['ero_officer', 'enforcement'],
        ['ero_supervisor', 'enforcement'],
        ['opla_attorney', 'legal_proceedings'],
        ['court_staff', 'adjudication'],
      ] as const) {
        const res = await open(role, purpose);
        expect(res.statusCode).toBe(200);
        expect(res.json().child_id).toBe('CH-TX');
        expect(res.json().sponsor).toBeUndefined();
        // Nowhere in the record: not in the timeline's details either.
        expect(res.body).not.toMatch(/SP-1|sponsor_id|sponsor_category/);
        // The child's alerts all the same, masked by the same rules.
        expect(alertIds(res)).toEqual(alertIds(orr));
      }
    });

    it('requires a purpose the role may state, in the header or the purpose query parameter', async () => {
      const s = sessions.get('ero_officer')!;
      const none = await app.inject({ url: '/api/v1/children/CH-TX', cookies: { bridge_session: s.cookie } });
      expect(none.statusCode).toBe(400);
      expect(none.json().error.code).toBe('PURPOSE_REQUIRED');
      const wrong = await app.inject({
        url: '/api/v1/children/CH-TX?purpose=case_management',
        cookies: { bridge_session: s.cookie },
      });
      expect(wrong.statusCode).toBe(403);
      const byQuery = await app.inject({
        url: '/api/v1/children/CH-TX?purpose=enforcement',
        cookies: { bridge_session: s.cookie },
      });
      expect(byQuery.statusCode).toBe(200);
      expect(byQuery.json().sponsor).toBeUndefined();
    });

    it("keeps an ERO officer to the office's area, and records the refused attempt", async () => {
      const res = await open('ero_officer', 'enforcement', 'CH-CA');
      expect(res.statusCode).toBe(404);
      expect(res.json().error.code).toBe('CHILD_NOT_FOUND');
      const denied = (await auditRows('child.read')).filter((r) => r.outcome === 'denied');
      expect(denied.at(-1)).toMatchObject({ actor_id: 'demo-ero-officer', child_ids: ['CH-CA'] });
      // The supervisor's scope is not limited to one area.
      expect((await open('ero_supervisor', 'enforcement', 'CH-CA')).statusCode).toBe(200);
    });

    it('audits each opening with actor, purpose and child, and answers who accessed the child', async () => {
      await open('opla_attorney', 'legal_proceedings');
      const seen = await whoAccessed(t.db, 'CH-TX');
      expect(seen[0]).toMatchObject({
        actor: 'demo-opla-attorney',
        action: 'child.read',
        purpose: 'legal_proceedings',
        outcome: 'ok',
      });
      const log = await asRole('oversight_auditor', 'GET', '/api/v1/children/CH-TX/access-log');
      expect(log.statusCode).toBe(200);
      const actors = new Set(log.json().entries.map((e: { actor: string }) => e.actor));
      for (const who of ['demo-orr-case-manager', 'demo-ero-officer', 'demo-court-staff'])
        expect(actors).toContain(who);
      expect((await asRole('ero_officer', 'GET', '/api/v1/children/CH-TX/access-log')).statusCode).toBe(403);
    });
  });

  describe('lists', () => {
    it('alerts: an ERO officer sees only the children of the office’s area; the list is audited', async () => {
      const all = (await asRole('orr_case_manager', 'GET', '/api/v1/alerts?status=all')).json();
      const kids = (body: { alerts: { child_id: string }[] }) =>
        [...new Set(body.alerts.map((a) => a.child_id))].sort();
      expect(kids(all)).toEqual(['CH-CA', 'CH-TX']);
      const ero = (await asRole('ero_officer', 'GET', '/api/v1/alerts?status=all')).json();
      expect(kids(ero)).toEqual(['CH-TX']);
      expect(ero.total).toBe(ero.alerts.length);
      const entries = await auditRows('alert.list');
      expect(entries.at(-1)).toMatchObject({ actor_id: 'demo-ero-officer', child_ids: ['CH-TX'] });
    });

    it('report drill-down: scoped, masked and audited with every child id it returned', async () => {
      const url = '/api/v1/reports/oversight/children?figure=released_to_sponsor&as_of=2020-06-01';
      const orr = (await asRole('oversight_auditor', 'GET', url)).json();
      expect(orr.children.map((c: { child_id: string }) => c.child_id).sort()).toEqual(['CH-CA', 'CH-TX']);
      const ero = await asRole('ero_officer', 'GET', url);
      expect(ero.statusCode).toBe(200);
      expect(ero.json().children.map((c: { child_id: string }) => c.child_id)).toEqual(['CH-TX']);
      const entries = await auditRows('child.list');
      expect(entries.at(-2)).toMatchObject({
        actor_id: 'demo-oversight-auditor',
        purpose: 'oversight',
        target: 'report:released_to_sponsor',
      });
      expect([...entries.at(-2)!.child_ids].sort()).toEqual(['CH-CA', 'CH-TX']);
      expect(entries.at(-1)).toMatchObject({ actor_id: 'demo-ero-officer', child_ids: ['CH-TX'] });
      // A list names children too: a purpose is required.
      const s = sessions.get('ero_officer')!;
      expect((await app.inject({ url, cookies: { bridge_session: s.cookie } })).statusCode).toBe(400);
    });

    it('worklists and a task are audited with their children', async () => {
      const list = await asRole('ero_officer', 'GET', '/api/work/offices/ERO:Houston/tasks');
      expect(list.statusCode).toBe(200);
      expect((await auditRows('task.list')).at(-1)).toMatchObject({
        actor_id: 'demo-ero-officer',
        child_ids: ['CH-TX'],
      });
      expect((await asRole('ero_officer', 'GET', `/api/work/tasks/${eroTask}`)).statusCode).toBe(200);
      expect((await auditRows('task.read')).at(-1)).toMatchObject({ child_ids: ['CH-TX'] });
    });
  });

  describe('changes are audited in their own transaction', () => {
    it('a note is recorded with its audit entry; a refused note leaves neither', async () => {
      const notes = async () =>
        (await t.db.query<{ n: number }>(`SELECT count(*)::int AS n FROM task_note`))[0]!.n;
      const before = { notes: await notes(), audit: (await auditRows('task.note')).length };
      const ok = await asRole('ero_officer', 'POST', `/api/work/tasks/${eroTask}/notes`, {
        body: 'called sponsor',
      });
      expect(ok.statusCode).toBe(201);
      expect(await notes()).toBe(before.notes + 1);
      const entries = await auditRows('task.note');
      expect(entries).toHaveLength(before.audit + 1);
      expect(entries.at(-1)).toMatchObject({
        actor_id: 'demo-ero-officer',
        child_ids: ['CH-TX'],
        target: `task:${eroTask}`,
      });
      // An OPLA attorney is not of the ERO office: the work module refuses inside the transaction.
      const refused = await asRole('opla_attorney', 'POST', `/api/work/tasks/${eroTask}/notes`, {
        body: 'x',
      });
      expect(refused.statusCode).toBe(403);
      expect(await notes()).toBe(before.notes + 1);
      expect(await auditRows('task.note')).toHaveLength(before.audit + 1);
    });

    it('subscriptions: created and removed with an audit entry each', async () => {
      const created = await asRole('administrator', 'POST', '/api/v1/notify/subscriptions', {
        agency: 'ICE_ERO',
        name: 'ERO case system',
        webhookUrl: 'http://127.0.0.1:9/hook',
        eventTypes: ['child.failed_to_appear'],
      });
      expect(created.statusCode).toBe(201);
      const id = created.json().subscription.id;
      expect((await asRole('administrator', 'DELETE', `/api/v1/notify/subscriptions/${id}`)).statusCode).toBe(
        200,
      );
      expect((await auditRows('notify.subscribe')).at(-1)).toMatchObject({
        actor_id: 'demo-administrator',
        target: `subscription:${id}`,
      });
      expect((await auditRows('notify.unsubscribe')).at(-1)).toMatchObject({ target: `subscription:${id}` });
    });

    it('every sign-in, failed ones included, without the password', async () => {
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

    it('the chain verifies after all of it', async () => {
      const verify = await asRole('oversight_auditor', 'GET', '/api/v1/audit/verify');
      expect(verify.json()).toMatchObject({ ok: true, problems: [] });
      expect((await verifyAudit(t.db)).ok).toBe(true);
    });
  });

  it('locks an account after five failed sign-ins, even against the right password', async () => {
    await t.db.query(
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
        url: `/api/work/tasks/${eroTask}/notes`,
        cookies: { bridge_session: s.cookie },
        payload: { body: 'csrf probe' },
      };
      const count = async () =>
        (
          await t.db.query<{ n: number }>(
            `SELECT count(*)::int AS n FROM task_note WHERE body = 'csrf probe'`,
          )
        )[0]!.n;
      expect((await app.inject(base)).statusCode).toBe(403);
      expect((await app.inject({ ...base, headers: { 'x-csrf-token': 'forged' } })).statusCode).toBe(403);
      const other = sessions.get('ero_supervisor')!.csrf;
      expect((await app.inject({ ...base, headers: { 'x-csrf-token': other } })).statusCode).toBe(403);
      const cross = await app.inject({
        ...base,
        headers: { 'x-csrf-token': s.csrf, origin: 'https://evil.example' },
      });
      expect(cross.statusCode).toBe(403);
      expect(await count()).toBe(0);
      expect((await app.inject({ ...base, headers: { 'x-csrf-token': s.csrf } })).statusCode).toBe(201);
      expect(await count()).toBe(1);
      // A form post carries the token as a field.
      const form = await app.inject({
        ...base,
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        payload: `body=csrf+probe&_csrf=${encodeURIComponent(s.csrf)}`,
      });
      expect(form.statusCode).not.toBe(403);
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
      const forged = await app.inject({
        url: '/api/v1/auth/me',
        cookies: { bridge_session: crypto.randomBytes(32).toString('base64url') },
      });
      expect(forged.statusCode).toBe(401);
    });

    const push = (source: string, token: string, payload: string, type = 'application/json') =>
      app.inject({
        method: 'POST',
        url: `/api/v1/feeds/${source}/records`,
        headers: { authorization: `Bearer ${token}`, 'content-type': type },
        payload,
      });
    const rowsOf = async (source: string) =>
      (
        await t.db.query<{ n: number }>(`SELECT count(*)::int AS n FROM source_row WHERE source = $1`, [
          source,
        ])
      )[0]!.n;

    it("refuses a token pushing another source's feed, and a revoked token, storing nothing", async () => {
      const body = JSON.stringify([validRow('ice', 'T1')]);
      expect((await push('ice', cbpToken, body)).statusCode).toBe(403);
      expect((await push('ice', subToken, body)).statusCode).toBe(403);
      expect((await push('ice', 'ucb_' + 'A'.repeat(43), body)).statusCode).toBe(401);
      const { id, secret } = await createToken(
        { db: t.db, clock },
        { name: 'tmp', permission: 'feed.push', resource: 'ice', agency: 'ICE' },
      );
      await revokeTokenById({ db: t.db, clock }, id);
      expect((await push('ice', secret, body)).statusCode).toBe(401);
      expect(await rowsOf('ice')).toBe(0);
      const ok = await push('cbp', cbpToken, JSON.stringify([validRow('cbp', 'T1')]));
      expect(ok.statusCode).toBe(200);
      expect((await auditRows('feed.push')).at(-1)).toMatchObject({
        actor_id: expect.stringMatching(/^token:\d+:cbp$/),
        target: 'cbp',
      });
    });

    const SOURCES = ['cbp', 'ice', 'orr', 'opla', 'eoir'] as const;
    const sourceTokens = new Map<string, string>();
    beforeAll(async () => {
      for (const source of SOURCES) {
        const agency =
          source === 'orr'
            ? 'HHS'
            : source === 'opla'
              ? 'OPLA'
              : source === 'eoir'
                ? 'EOIR'
                : source.toUpperCase();
        const { secret } = await createToken(
          { db: t.db, clock },
          { name: `${source}-push`, permission: 'feed.push', resource: source, agency },
        );
        sourceTokens.set(source, secret);
      }
    });

    const INJECTIONS = [
      "' OR '1'='1",
      "'; DROP TABLE app_user; --",
      'Robert"); DELETE FROM audit_log; --',
      '<script>alert(1)</script>',
      '"><img src=x onerror=alert(1)>',
      '${7*7}{{7*7}}',
    ];
    const tablesIntact = async () => {
      expect((await t.db.query(`SELECT 1 FROM app_user LIMIT 1`)).length).toBe(1);
      expect((await verifyAudit(t.db)).ok).toBe(true);
    };

    it.each(INJECTIONS)(
      'stores %j in every feed field of every source only as the literal text sent, or rejects the record',
      async (evil) => {
        let literal = 0;
        for (const source of SOURCES) {
          const token = sourceTokens.get(source)!;
          const probe = validRow(source, 'PROBE-ID');
          const fields = Object.keys(probe);
          const idField = fields.find((f) => probe[f] === 'PROBE-ID')!;
          const tag = crypto.randomBytes(4).toString('hex');
          // One record per field, the attack string in that field.
          const records = fields.map((f, i) => ({ ...validRow(source, `INJ-${tag}-${i}`), [f]: evil }));
          const res = await push(source, token, JSON.stringify(records));
          expect(res.statusCode).toBe(200);
          const results = res.json().results as { index: number; status: string }[];
          expect(results).toHaveLength(fields.length);
          for (const [i, f] of fields.entries()) {
            if (results[i]!.status === 'rejected') continue;
            const stored = await t.db.query<{ fields: Record<string, string> }>(
              `SELECT fields FROM source_row WHERE source = $1 AND record_id = $2 ORDER BY id DESC LIMIT 1`,
              [source, f === idField ? evil : `INJ-${tag}-${i}`],
            );
            expect(stored[0]?.fields[f], `${source}.${f}`).toBe(evil);
            literal++;
          }
        }
        // Free-text fields (names, addresses) take any text: the check above is not empty.
        expect(literal).toBeGreaterThan(5);
        await tablesIntact();
      },
    );

    it.each(INJECTIONS)(
      'answers %j in every query parameter of every API route as data, never a 500',
      async (evil) => {
        // The query parameters come from the route table's own schemas (the OpenAPI document).
        const doc = (await app.inject('/api/openapi.json')).json() as {
          paths: Record<string, Record<string, { parameters?: { in: string; name: string }[] }>>;
        };
        let probes = 0;
        for (const [path, ops] of Object.entries(doc.paths)) {
          const get = ops.get;
          const names = (get?.parameters ?? []).filter((p) => p.in === 'query').map((p) => p.name);
          const url = fill(path.replace(/\{([^}]+)\}/g, ':$1'));
          for (const name of names) {
            const role: Role =
              url.includes('/identity/') || url.includes('/notify/') ? 'administrator' : 'oversight_auditor';
            const sep = url.includes('?') ? '&' : '?';
            const res = await asRole(
              role,
              'GET',
              `${url}${sep}${name}=${encodeURIComponent(evil)}`,
              undefined,
              PURPOSES_OF_ROLE[role][0],
            );
            probes++;
            expect(res.statusCode, `${path}?${name}`).toBeLessThan(500);
            expect(res.headers['content-type']).toMatch(/application\/json/);
            expect(res.body).not.toContain('<script>');
          }
        }
        expect(probes).toBeGreaterThan(20);
        const signin = await login(evil, evil);
        expect(signin.json().error.code).toMatch(/^(UNAUTHENTICATED|BODY_INVALID)$/);
        const byId = await asRole('orr_case_manager', 'GET', `/api/v1/children/${encodeURIComponent(evil)}`);
        expect([400, 404]).toContain(byId.statusCode);
        await tablesIntact();
      },
    );

    it('refuses NUL characters, oversized and deeply nested bodies on the feed route, storing nothing', async () => {
      const before = await rowsOf('cbp');
      const nul = JSON.stringify([{ ...validRow('cbp', 'NUL1'), family_name: 'A\u0000B' }]);
      const r1 = await push('cbp', cbpToken, nul);
      expect(r1.statusCode).toBe(400);
      expect(r1.json().error.message).toMatch(/NUL/);
      const ndjsonNul = JSON.stringify({ ...validRow('cbp', 'NUL2'), given_name: 'A\u0000' }) + '\n';
      expect((await push('cbp', cbpToken, ndjsonNul, 'application/x-ndjson')).statusCode).toBe(400);
      const deep = await push('cbp', cbpToken, '[' + '['.repeat(5000) + ']'.repeat(5000) + ']');
      expect(deep.statusCode).toBe(400);
      expect(deep.json().error.message).toMatch(/nested deeper/);
      const deepLine = await push(
        'cbp',
        cbpToken,
        '{"a":' + '['.repeat(100) + ']'.repeat(100) + '}\n',
        'application/x-ndjson',
      );
      expect(deepLine.statusCode).toBe(400);
      const big = JSON.stringify([{ ...validRow('cbp', 'BIG'), family_name: 'x'.repeat(100 * 1024) }]);
      expect((await push('cbp', cbpToken, big)).statusCode).toBe(413);
      expect(await rowsOf('cbp')).toBe(before);
    });

    it('refuses deeply nested, unknown-field and prototype-polluting bodies on the other JSON routes', async () => {
      const subs = async () => (await t.db.query(`SELECT 1 FROM notify_subscription`)).length;
      const before = await subs();
      const post = (payload: string) =>
        app.inject({
          method: 'POST',
          url: '/api/v1/notify/subscriptions',
          cookies: { bridge_session: sessions.get('administrator')!.cookie },
          headers: {
            'x-csrf-token': sessions.get('administrator')!.csrf,
            'content-type': 'application/json',
          },
          payload,
        });
      const good = {
        agency: 'ORR',
        name: 'n',
        webhookUrl: 'http://127.0.0.1:9/x',
        eventTypes: ['child.failed_to_appear'],
      };
      const deep = await post(
        JSON.stringify({ ...good, name: 'x' }).replace('"x"', '['.repeat(100) + ']'.repeat(100)),
      );
      expect(deep.statusCode).toBe(400);
      expect((await post(JSON.stringify({ ...good, extra: 1 }))).statusCode).toBe(400);
      expect((await post(JSON.stringify(good).replace('{', '{"__proto__":{"admin":true},'))).statusCode).toBe(
        400,
      );
      expect((await post(JSON.stringify({ ...good, name: 'a\u0000b' }))).statusCode).toBe(400);
      expect(await subs()).toBe(before);
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
    const small = await buildServer(
      { db: t.db, log: silentLog, clock },
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
    }
  });
});

// The work routes over HTTP with a stand-in for the access layer that sets the actor and records
// each route's declared permission.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { createTestDb, type TestDb } from '../db/testing.ts';
import { buildServer } from './server.ts';
import { createLog } from '../shared/log.ts';
import { fixedClock } from '../shared/clock.ts';
import { syncTasks } from '../work/index.ts';
import { addRecord, openAlert } from '../work/testing.ts';

// Signed-in users as the access layer puts them on the request.
const user = (username: string, role: string) => ({
  kind: 'user',
  userId: 1,
  username,
  role,
  officeId: 'ERO:Houston',
  officeStates: ['TX'],
});
const ACTORS: Record<string, object> = {
  officer: user('ero.hou.1', 'ero_officer'),
  officer2: user('ero.hou.2', 'ero_officer'),
  supervisor: user('ero.hou.sup', 'ero_supervisor'),
  dallas: { ...user('ero.dal.1', 'ero_officer'), officeId: 'ERO:Dallas' },
};

describe('work routes', () => {
  let t: TestDb;
  let app: FastifyInstance;
  const seen: Record<string, unknown> = {};
  const clock = fixedClock('2026-11-28T12:00:00Z');

  beforeAll(async () => {
    t = await createTestDb();
    for (const c of ['H-1', 'H-2']) {
      await addRecord(t.db, c, { ownDate: '2026-01-01', state: 'TX', zip5: '77002' });
      await openAlert(t.db, {
        childId: c,
        rule: 'FAILED_TO_APPEAR',
        openedOn: '2026-11-22',
        details: { court_code: 'HOU' },
      });
    }
    await syncTasks({ db: t.db, clock, log: createLog('silent') });
    app = await buildServer({ db: t.db, log: createLog('silent'), clock });
    app.addHook('preHandler', async (req) => {
      seen[`${req.method} ${req.routeOptions.url}`] = (
        req.routeOptions.config as { permission?: string }
      ).permission;
      const who = req.headers['x-test-actor'];
      if (typeof who === 'string' && ACTORS[who]) Object.assign(req, { actor: ACTORS[who] });
    });
  });
  afterAll(async () => {
    await app?.close();
    await t?.close();
  });

  const as = (who: string) => ({ 'x-test-actor': who });

  it('answers 401 without a signed-in actor', async () => {
    const res = await app.inject({ url: '/api/work/offices/ERO%3AHouston/tasks' });
    expect(res.statusCode).toBe(401);
    expect(res.json().error.code).toBe('UNAUTHENTICATED');
  });

  it('serves the worklist, the summary, a task with history, and the actions on it', async () => {
    const list = await app.inject({
      url: '/api/work/offices/ERO%3AHouston/tasks?limit=1',
      headers: as('officer'),
    });
    expect(list.statusCode).toBe(200);
    const page = list.json();
    expect(page.tasks).toHaveLength(1);
    expect(page.tasks[0]).toMatchObject({
      office_id: 'ERO:Houston',
      rule_id: 'FAILED_TO_APPEAR',
      due_state: 'due_soon',
    });
    const page2 = await app.inject({
      url: `/api/work/offices/ERO%3AHouston/tasks?after=${page.next}`,
      headers: as('officer'),
    });
    expect(page2.json().tasks).toHaveLength(1);
    expect(page2.json().tasks[0].id).not.toBe(page.tasks[0].id);

    const forbidden = await app.inject({ url: '/api/work/offices/ORR/tasks', headers: as('officer') });
    expect(forbidden.statusCode).toBe(403);
    const bad = await app.inject({
      url: '/api/work/offices/ERO%3AHouston/tasks?severity=urgent',
      headers: as('officer'),
    });
    expect(bad.statusCode).toBe(400);

    const ids = [page.tasks[0].id, page2.json().tasks[0].id];
    const bulk = await app.inject({
      method: 'POST',
      url: '/api/work/tasks/bulk-assign',
      headers: as('supervisor'),
      payload: { task_ids: ids, user: 'ero.hou.1' },
    });
    expect(bulk.json()).toEqual({ assigned: 2 });
    const mine = await app.inject({ url: '/api/work/my/tasks', headers: as('officer') });
    expect(
      mine
        .json()
        .tasks.map((x: { id: string }) => x.id)
        .sort(),
    ).toEqual([...ids].sort());

    const note = await app.inject({
      method: 'POST',
      url: `/api/work/tasks/${ids[0]}/notes`,
      headers: as('officer'),
      payload: { body: 'Called sponsor' },
    });
    expect(note.statusCode).toBe(201);
    const att = await app.inject({
      method: 'POST',
      url: `/api/work/tasks/${ids[0]}/attachments`,
      headers: as('officer'),
      payload: { ref: 'doc:42', description: 'I-213' },
    });
    expect(att.statusCode).toBe(201);
    const badClose = await app.inject({
      method: 'POST',
      url: `/api/work/tasks/${ids[0]}/close`,
      headers: as('officer'),
      payload: { outcome: 'resolved_by_facts' },
    });
    expect(badClose.statusCode).toBe(400);
    const close = await app.inject({
      method: 'POST',
      url: `/api/work/tasks/${ids[0]}/close`,
      headers: as('officer'),
      payload: { outcome: 'located_address_confirmed', note: 'Child at the address' },
    });
    expect(close.statusCode).toBe(200);
    const detail = (await app.inject({ url: `/api/work/tasks/${ids[0]}`, headers: as('officer') })).json();
    expect(detail.task).toMatchObject({
      status: 'closed',
      outcome: 'located_address_confirmed',
      closed_by: 'ero.hou.1',
    });
    expect(detail.events.map((e: { kind: string }) => e.kind)).toEqual([
      'opened',
      'assigned',
      'note',
      'attachment',
      'closed',
    ]);

    const summary = (
      await app.inject({ url: '/api/work/offices/ERO%3AHouston/summary', headers: as('officer') })
    ).json();
    expect(summary).toMatchObject({ open: 1, due_soon: 1, unassigned: 0 });
  });

  it('reads a page once for everyone who opens it until its tasks change, and audits each person', async () => {
    // A second server on the same database that counts the worklist statements it runs.
    let reads = 0;
    const counted = {
      ...t.db,
      query: ((sql: string, params?: readonly unknown[], options?: object) => {
        if (sql.includes('FROM task t WHERE')) reads++;
        return t.db.query(sql, params, options);
      }) as typeof t.db.query,
    };
    const server = await buildServer({ db: counted, log: createLog('silent'), clock });
    server.addHook('preHandler', async (req) => {
      Object.assign(req, { actor: ACTORS[req.headers['x-test-actor'] as string] });
    });
    try {
      const audited = async () =>
        (
          await t.db.query<{ n: number }>(
            `SELECT count(*)::int AS n FROM audit_log WHERE action = 'task.list'`,
          )
        )[0]!.n;
      const before = await audited();
      const url = '/api/work/offices/ERO%3AHouston/tasks';
      const [one, two, other] = await Promise.all(
        ['officer', 'officer2', 'dallas'].map((who) => server.inject({ url, headers: as(who) })),
      );
      expect(one!.statusCode).toBe(200);
      expect(one!.headers['content-type']).toBe('application/json; charset=utf-8');
      const shown = one!.json().tasks.map((x: { child_id: string }) => x.child_id);
      expect(shown.length).toBeGreaterThan(0);
      expect(two!.body).toBe(one!.body);
      // Joining someone's read does not lend their right to the office.
      expect(other!.statusCode).toBe(403);
      expect(reads).toBe(1);
      expect(await audited()).toBe(before + 2);
      const [mine] = await t.db.query<{ actor_id: string; child_ids: string[] }>(
        `SELECT actor_id, child_ids FROM audit_log WHERE action = 'task.list' ORDER BY seq DESC LIMIT 1`,
      );
      expect(['ero.hou.1', 'ero.hou.2']).toContain(mine!.actor_id);
      expect([...mine!.child_ids].sort()).toEqual([...new Set(shown)].sort());

      // Opened again later, its office's tasks unchanged: the page kept is served, and audited.
      const again = await server.inject({ url, headers: as('officer') });
      expect(again.body).toBe(one!.body);
      expect(reads).toBe(1);
      expect(await audited()).toBe(before + 3);

      // A change to another office's tasks leaves this office's page as it was.
      const elsewhere = await t.db.query(
        `UPDATE task SET assigned_to = 'orr.cm.1' WHERE office_id = 'ORR' AND status = 'open' RETURNING id`,
      );
      expect(elsewhere.length).toBeGreaterThan(0);
      await server.inject({ url, headers: as('officer') });
      expect(reads).toBe(1);

      // A change to one of its tasks, through any server: the next opening reads the page again.
      const task = one!.json().tasks[0] as { id: string; assigned_to: string | null };
      const assign = await app.inject({
        method: 'POST',
        url: `/api/work/tasks/${task.id}/assign`,
        headers: as('supervisor'),
        payload: { user: 'ero.hou.2' },
      });
      expect(assign.statusCode).toBe(200);
      const after = await server.inject({ url, headers: as('officer') });
      expect(reads).toBe(2);
      expect(after.json().tasks[0]).toMatchObject({ id: task.id, assigned_to: 'ero.hou.2' });
      // Another filter is a page of its own.
      await server.inject({ url: `${url}?limit=1`, headers: as('officer') });
      expect(reads).toBe(3);
    } finally {
      await server.close();
    }
  });

  it('declares a permission on every work route', () => {
    expect(seen).toMatchObject({
      'GET /api/work/offices/:officeId/tasks': 'task.read',
      'GET /api/work/my/tasks': 'task.read',
      'POST /api/work/tasks/bulk-assign': 'task.write',
      'POST /api/work/tasks/:id/close': 'task.write',
      'POST /api/work/tasks/:id/notes': 'task.write',
    });
  });
});

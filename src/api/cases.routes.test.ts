import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { createTestDb, type TestDb } from '../db/testing.ts';
import { buildServer } from './server.ts';
import { silentLog } from '../shared/log.ts';
import { fixedClock } from '../shared/clock.ts';
import { Facts, missedHearingThenMoved } from '../cases/testing.ts';
import { loadFixtureChildren } from '../cases/db-fixtures.ts';
import { evaluateChildren } from '../rules/index.ts';
import { verifyAudit, whoAccessed } from '../access/index.ts';

describe('cases and alerts API', () => {
  let t: TestDb;
  let app: FastifyInstance;
  const clock = fixedClock('2020-06-01T12:00:00Z');
  beforeAll(async () => {
    t = await createTestDb();
    const a = missedHearingThenMoved();
    const b = new Facts();
    b.release('2020-01-10', { line: '9 BAY RD', city: 'MIAMI', state: 'FL', zip5: '33101' });
    await loadFixtureChildren(t.db, [
      { childId: 'CHA', records: a.records },
      { childId: 'CHB', records: b.records },
    ]);
    await evaluateChildren({ db: t.db, log: silentLog, clock }, ['CHA', 'CHB']);
    app = await buildServer({ db: t.db, log: silentLog, clock });
  });
  afterAll(async () => {
    await app.close();
    await t.close();
  });

  it("GET /api/v1/children/:id gives the case, the timeline with source rows, and the child's alerts", async () => {
    const res = await app.inject('/api/v1/children/CHA');
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe('application/json; charset=utf-8');
    expect(Number(res.headers['content-length'])).toBe(Buffer.byteLength(res.body));
    const body = res.json();
    expect(body).toMatchObject({ child_id: 'CHA', as_of: '2020-06-01', custody: { status: 'released' } });
    expect(body.addresses.current).toMatchObject({ source: 'orr', line: '45 OAK AVE', quality: 'ok' });
    expect(body.addresses.eoir).toMatchObject({ line: '123 MAIN ST', same_as_current: false });
    expect(body.timeline.map((x: { fact: string }) => x.fact)).toContain('HEARING_HELD');
    expect(body.timeline.every((x: { source_row_id: number | null }) => x.source_row_id !== null)).toBe(true);
    expect(body.alerts.map((x: { rule_id: string }) => x.rule_id).sort()).toEqual([
      'ADDRESS_DRIFT',
      'FAILED_TO_APPEAR',
      'NO_HEARING_SCHEDULED',
    ]);
    // Written out as the database wrote them, the alerts are the alerts list's, value for value.
    const listed = (await app.inject('/api/v1/alerts?child_id=CHA&status=all')).json();
    expect(body.alerts).toEqual(listed.alerts);
  });

  it('answers as of a past date', async () => {
    const body = (await app.inject('/api/v1/children/CHA?as_of=2020-01-05')).json();
    expect(body.custody.status).toBe('in_orr_care');
    expect(body.ntas).toEqual([]);
  });

  it('404 for an unknown child, 400 for a bad date', async () => {
    const res = await app.inject('/api/v1/children/NOBODY');
    expect(res.statusCode).toBe(404);
    expect(res.json().error.code).toBe('CHILD_NOT_FOUND');
    expect((await app.inject('/api/v1/children/CHA?as_of=June')).statusCode).toBe(400);
  });

  it('GET /api/v1/alerts filters by rule, office and state and pages', async () => {
    const fta = (await app.inject('/api/v1/alerts?rule=FAILED_TO_APPEAR')).json();
    expect(fta.total).toBe(1);
    expect(fta.alerts[0]).toMatchObject({ child_id: 'CHA', details: { in_absentia: true } });
    const orr = (await app.inject('/api/v1/alerts?office=ERO')).json();
    expect(orr.alerts.map((x: { rule_id: string }) => x.rule_id).sort()).toEqual([
      'FAILED_TO_APPEAR',
      'NO_NTA',
    ]);
    expect((await app.inject('/api/v1/alerts?state=fl')).json().total).toBe(1);
    const page = (await app.inject('/api/v1/alerts?limit=2&offset=2')).json();
    expect(page).toMatchObject({ total: 4, limit: 2, offset: 2 });
    expect(page.alerts).toHaveLength(2);
    // The total is the same whether the page is full, short, or past the end.
    expect((await app.inject('/api/v1/alerts?limit=3&offset=2')).json()).toMatchObject({ total: 4 });
    expect((await app.inject('/api/v1/alerts?limit=2&offset=9')).json()).toMatchObject({
      total: 4,
      alerts: [],
    });
    expect((await app.inject('/api/v1/alerts?limit=9')).json().total).toBe(4);
    expect((await app.inject('/api/v1/alerts?rule=NOPE')).statusCode).toBe(400);
  });

  it('GET /api/v1/rules lists the catalogue with settings', async () => {
    const body = (await app.inject('/api/v1/rules')).json();
    expect(body.rules.find((r: { id: string }) => r.id === 'NO_NTA')).toMatchObject({
      owner: 'ERO',
      settings: { days: 30, enabled: true },
    });
  });

  it("records every one of many concurrent reads of a child's record on one verified chain", async () => {
    const before = (await verifyAudit(t.db)).entries;
    const reads = await Promise.all(
      Array.from({ length: 40 }, (_, i) => app.inject(`/api/v1/children/${i % 2 ? 'CHA' : 'CHB'}`)),
    );
    expect(reads.map((r) => r.statusCode)).toEqual(Array(40).fill(200));
    const res = await verifyAudit(t.db);
    expect(res).toMatchObject({ ok: true, entries: before + 40 });
    const readsOf = async (id: string) =>
      (await whoAccessed(t.db, id)).filter((e) => e.seq > before && e.action === 'child.read').length;
    expect([await readsOf('CHA'), await readsOf('CHB')]).toEqual([20, 20]);
  });

  it("does not answer with a child's record when its audit entry cannot be written", async () => {
    await t.db.exec(`CREATE FUNCTION refuse_audit() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN RAISE EXCEPTION 'audit log unavailable'; END $$;
      CREATE TRIGGER refuse_audit BEFORE INSERT ON audit_log FOR EACH ROW EXECUTE FUNCTION refuse_audit();`);
    try {
      const res = await app.inject('/api/v1/children/CHA');
      expect(res.statusCode).toBe(500);
      expect(res.body).not.toContain('OAK AVE');
      expect(res.json()).toEqual({ error: { code: 'INTERNAL', message: 'internal error' } });
    } finally {
      await t.db.exec(`DROP TRIGGER refuse_audit ON audit_log; DROP FUNCTION refuse_audit();`);
    }
    expect((await app.inject('/api/v1/children/CHA')).statusCode).toBe(200);
  });
});

describe("a child's record: an address on a street others hold with a unit", () => {
  let t: TestDb;
  let app: FastifyInstance;
  const street = { line: '9 BAY RD', city: 'MIAMI', state: 'FL', zip5: '33101' };
  beforeAll(async () => {
    t = await createTestDb();
    const released = new Facts();
    released.release('2020-01-10', { ...street, unit: null });
    const neighbour = new Facts(100);
    neighbour.release('2020-03-01', { ...street, unit: '4' });
    await loadFixtureChildren(t.db, [
      { childId: 'CHR', records: released.records },
      { childId: 'CHN', records: neighbour.records },
      { childId: 'CHM', records: [] },
      { childId: 'CHE', records: [] },
    ]);
    // CHM was found to be CHR: merged into it, its records now linked there.
    await t.db.query(`UPDATE child SET merged_into = 'CHR' WHERE id = 'CHM'`);
    app = await buildServer({ db: t.db, log: silentLog, clock: fixedClock('2020-06-01T12:00:00Z') });
  });
  afterAll(async () => {
    await app.close();
    await t.close();
  });

  it('is missing its unit once such a record is known, and not before', async () => {
    const now = (await app.inject('/api/v1/children/CHR')).json();
    expect(now.addresses.current).toMatchObject({ line: '9 BAY RD', quality: 'missing_unit' });
    const before = (await app.inject('/api/v1/children/CHR?as_of=2020-02-01')).json();
    expect(before.addresses.current).toMatchObject({ line: '9 BAY RD', quality: 'ok' });
    // The neighbour's own address has its unit.
    const neighbour = (await app.inject('/api/v1/children/CHN')).json();
    expect(neighbour.addresses.current).toMatchObject({ unit: '4', quality: 'ok' });
  });

  it('shows a merged child as the child it was merged into, and a child without records', async () => {
    const merged = (await app.inject('/api/v1/children/CHM')).json();
    expect(merged).toMatchObject({ child_id: 'CHR', asked_for: 'CHM' });
    expect(merged.addresses.current).toMatchObject({ line: '9 BAY RD' });
    const empty = (await app.inject('/api/v1/children/CHE')).json();
    expect(empty).toMatchObject({
      child_id: 'CHE',
      asked_for: null,
      timeline: [],
      addresses: { current: null },
    });
  });
});

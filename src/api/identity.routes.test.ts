import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { createTestDb, type TestDb } from '../db/testing.ts';
import { buildServer } from './server.ts';
import { silentLog } from '../shared/log.ts';
import { fixedClock } from '../shared/clock.ts';
import { seedRecords } from '../identity/seed-records.ts';
import { linkAll } from '../identity/index.ts';
import type { LinkInput } from '../identity/record-table.ts';

const child = (over: Partial<LinkInput>): Omit<LinkInput, 'pk'> => ({
  source: 'orr',
  recordId: 'X',
  aNumber: null,
  orrId: null,
  idncase: null,
  given: 'JUANA',
  surname1: 'VELASQUEZ',
  surname2: 'SUCUP',
  dob: '2007-07-25',
  sex: 'F',
  country: 'GTM',
  ownDate: '2022-02-01',
  eventType: 'ADMISSION',
  ...over,
});

describe('identity routes', () => {
  let t: TestDb;
  let app: FastifyInstance;
  beforeAll(async () => {
    t = await createTestDb();
    const clock = fixedClock('2024-03-01T12:00:00Z');
    app = await buildServer({ db: t.db, log: silentLog, clock });
    // A small world: other children for the model to learn from, and one uncertain pair:
    // an ORR row without A-number and a court row without date of birth, same name.
    const { syntheticPopulation } = await import('../identity/synthetic.ts');
    await seedRecords(t.db, syntheticPopulation(200, undefined, 5));
    await seedRecords(t.db, [
      child({ source: 'orr', recordId: 'ORR-T1', orrId: 'UCT1' }),
      child({
        source: 'eoir',
        recordId: 'EOIR-T1',
        aNumber: '299999991',
        idncase: 'T1',
        dob: null,
        sex: null,
        country: null,
        eventType: 'CASE_OPENED',
      }),
    ]);
    await linkAll({ db: t.db, log: silentLog, clock });
  });
  afterAll(async () => {
    await app.close();
    await t.close();
  });

  it('lists review pairs with both records, explains them field by field, and a decision links them', async () => {
    const list = await app.inject({ method: 'GET', url: '/api/v1/identity/review?limit=5' });
    expect(list.statusCode).toBe(200);
    type Item = {
      id: number;
      explanation: { records: { source: string; recordId: string }[]; sameChild: boolean };
    };
    const items = list.json().items as Item[];
    expect(items.length).toBeGreaterThan(0);
    const item = items[0]!;
    expect(item.explanation.sameChild).toBe(false);
    const [a, b] = item.explanation.records.map((r) => `${r.source}:${r.recordId}`);
    const ex = await app.inject({ method: 'GET', url: `/api/v1/identity/explain?a=${a}&b=${b}` });
    expect(ex.statusCode).toBe(200);
    expect(ex.json().fields.map((f: { field: string }) => f.field)).toEqual([
      'given_names',
      'surnames',
      'dob',
      'a_number',
      'sex',
      'country',
      'record dates',
    ]);

    const bad = await app.inject({
      method: 'POST',
      url: `/api/v1/identity/review/${item.id}/decision`,
      payload: { decision: 'link' },
    });
    expect(bad.statusCode).toBe(400);
    const ok = await app.inject({
      method: 'POST',
      url: `/api/v1/identity/review/${item.id}/decision`,
      payload: { decision: 'link', reason: 'court file shows the same child', actor: 'analyst1' },
    });
    expect(ok.statusCode).toBe(200);
    const after = (await app.inject({ method: 'GET', url: `/api/v1/identity/explain?a=${a}&b=${b}` })).json();
    expect(after.sameChild).toBe(true);
    expect(after.decision).toMatchObject({ decision: 'link', actor: 'analyst1' });
    const audit = await t.db.query<{ actor: string }>(
      `SELECT actor FROM identity_audit WHERE action = 'decide'`,
    );
    expect(audit).toEqual([{ actor: 'analyst1' }]);
    const queue = (await app.inject({ method: 'GET', url: '/api/v1/identity/review?limit=500' })).json()
      .items as Item[];
    expect(queue.some((i) => i.id === item.id)).toBe(false);
    // What depends on links (alerts, tasks, the report) is queued for the projections job.
    const [queued] = await t.db.query<{ records: number; jobs: number }>(
      `SELECT (SELECT count(*) FROM projection_pending q JOIN review_pair p
                 ON q.record_pk IN (p.record_a, p.record_b) WHERE p.id = $1)::int AS records,
              (SELECT count(*) FROM job WHERE queue = 'projections.run' AND status = 'queued')::int AS jobs`,
      [item.id],
    );
    expect(queued).toEqual({ records: 2, jobs: 1 });
  });

  it('answers 404 for an unknown record', async () => {
    const res = await app.inject({
      method: 'GET',
      url: '/api/v1/identity/explain?a=orr:NOPE&b=eoir:EOIR-T1',
    });
    expect(res.statusCode).toBe(404);
  });
});

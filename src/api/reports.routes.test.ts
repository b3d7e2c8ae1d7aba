import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { createTestDb, type TestDb } from '../db/testing.ts';
import { buildServer } from './server.ts';
import { createLog } from '../shared/log.ts';
import { fixedClock } from '../shared/clock.ts';
import { ReportFixture, admission, nta, release } from '../reports/report-fixture.ts';

describe('oversight report over HTTP', () => {
  let t: TestDb;
  let app: FastifyInstance;
  let fixture: ReportFixture;
  beforeAll(async () => {
    t = await createTestDb();
    fixture = new ReportFixture()
      .add('c1', admission('2020-01-01'), release('2020-02-01'))
      .add(
        'c2',
        admission('2020-01-01'),
        release('2020-02-01'),
        nta('2020-03-01', { served_date: '2020-03-05' }),
      )
      .add('c3', admission('2021-01-01'), release('2021-02-01'));
    await fixture.insert(t.db);
    app = await buildServer({
      db: t.db,
      log: createLog('silent'),
      clock: fixedClock('2021-06-30T12:00:00Z'),
    });
  });
  afterAll(async () => {
    await app.close();
    await t.close();
  });

  it('answers the report for a past date and for today', async () => {
    const past = await app.inject('/api/v1/reports/oversight?as_of=2020-06-30');
    expect(past.statusCode).toBe(200);
    expect(past.json()).toMatchObject({
      as_of: '2020-06-30',
      children: { in_scope: 2, transferred_to_orr: 2, released_to_sponsor: 2, fled_custody: 0 },
      no_nta_served: 1,
      nta_served_not_filed: 1,
      by_fiscal_year: { '2020': { transferred_to_orr: 2, no_nta_served: 1 } },
    });
    const today = (await app.inject('/api/v1/reports/oversight')).json();
    expect(today).toMatchObject({ as_of: '2021-06-30', no_nta_served: 2 });
    expect(today.by_fiscal_year['2021'].released_to_sponsor).toBe(1);
  });

  it('opens a figure as its children, and the children as their rows', async () => {
    const res = await app.inject(
      '/api/v1/reports/oversight/children?figure=no_nta_served&as_of=2021-06-30&with_rows=true',
    );
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body.count).toBe(2);
    expect(body.children.map((c: { child_id: string }) => c.child_id)).toEqual(['c1', 'c3']);
    expect(body.rows.map((r: { record_id: string }) => r.record_id)).toEqual([
      fixture.recordId(1),
      fixture.recordId(2),
      fixture.recordId(6),
      fixture.recordId(7),
    ]);
    const byFy = await app.inject(
      '/api/v1/reports/oversight/children?figure=no_nta_served&as_of=2021-06-30&by=fiscal_year&key=2021',
    );
    expect(byFy.json().children.map((c: { child_id: string }) => c.child_id)).toEqual(['c3']);
  });

  it('rejects a bad date or figure with a 400 naming the problem', async () => {
    const bad = await app.inject('/api/v1/reports/oversight?as_of=2021-02-30');
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error.message).toMatch(/YYYY-MM-DD/);
    const fig = await app.inject('/api/v1/reports/oversight/children?figure=nope');
    expect(fig.statusCode).toBe(400);
  });
});

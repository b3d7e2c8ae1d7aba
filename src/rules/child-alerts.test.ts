import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createTestDb, type TestDb } from '../db/testing.ts';
import { fixedClock } from '../shared/clock.ts';
import { silentLog } from '../shared/log.ts';
import { Facts, missedHearingThenMoved } from '../cases/testing.ts';
import { loadFixtureChildren } from '../cases/db-fixtures.ts';
import { showChildCaseWith } from '../cases/index.ts';
import { evaluateChildren } from './evaluate-children.ts';
import { alertsFromJson, childAlertsJsonSql, listAlerts } from './rules.queries.ts';

let t: TestDb;
beforeEach(async () => {
  t = await createTestDb();
});
afterEach(async () => {
  await t.close();
});

describe("a child's alerts read with its records", () => {
  it('are the alerts listAlerts gives, value for value and in its order', async () => {
    const clock = fixedClock('2020-06-01T12:00:00Z');
    await loadFixtureChildren(t.db, [
      { childId: 'CHA', records: missedHearingThenMoved().records },
      { childId: 'CHB', records: new Facts().records },
    ]);
    await evaluateChildren({ db: t.db, log: silentLog, clock }, ['CHA', 'CHB']);
    // A closed alert, with times that have microseconds (the API shows milliseconds).
    await t.db.exec(
      `UPDATE alert SET opened_at = '2020-04-02T03:04:05.678901Z', closed_at = '2020-05-06T07:08:09.012345Z',
              closed_on = '2020-05-06', close_reason = 'resolved'
        WHERE id = (SELECT min(id) FROM alert WHERE child_id = 'CHA')`,
    );

    const listed = (await listAlerts(t.db, { childId: 'CHA', status: 'all', limit: 1000 })).alerts;
    expect(listed.length).toBeGreaterThanOrEqual(3);
    expect(listed.some((a) => a.closed_at === '2020-05-06T07:08:09.012Z')).toBe(true);
    const { shown, alongside } = await showChildCaseWith(
      { db: t.db, clock },
      'CHA',
      undefined,
      childAlertsJsonSql,
    );
    expect(shown.child_id).toBe('CHA');
    // Same keys in the same order, so the API's answer is the same text.
    expect(JSON.stringify(alertsFromJson(alongside))).toBe(JSON.stringify(listed));

    // A child without alerts: an empty list, not null.
    const none = await showChildCaseWith({ db: t.db, clock }, 'CHB', undefined, childAlertsJsonSql);
    expect(alertsFromJson(none.alongside)).toEqual([]);
  });
});

import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createTestDb, type TestDb } from '../db/testing.ts';
import { fixedClock } from '../shared/clock.ts';
import { silentLog } from '../shared/log.ts';
import { Facts, missedHearingThenMoved } from '../cases/testing.ts';
import { loadFixtureChildren } from '../cases/db-fixtures.ts';
import { batchedChildRecordsReader, childRecordsReader, showChildCaseWith } from '../cases/index.ts';
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
    const deps = { db: t.db, clock };
    const { shown, alongside } = await showChildCaseWith(
      deps,
      'CHA',
      undefined,
      childRecordsReader(t.db, childAlertsJsonSql),
    );
    expect(shown.child_id).toBe('CHA');
    // Same keys in the same order, so the API's answer is the same text.
    expect(JSON.stringify(alertsFromJson(alongside))).toBe(JSON.stringify(listed));

    // A child without alerts: an empty list, not null.
    const none = await showChildCaseWith(
      deps,
      'CHB',
      undefined,
      childRecordsReader(t.db, childAlertsJsonSql),
    );
    expect(alertsFromJson(none.alongside)).toEqual([]);

    // Read in one batch, each child gets its own alerts and its own case.
    const batched = batchedChildRecordsReader(t.db, childAlertsJsonSql);
    const [a, b, a2] = await Promise.all([
      showChildCaseWith(deps, 'CHA', undefined, batched),
      showChildCaseWith(deps, 'CHB', undefined, batched),
      showChildCaseWith(deps, 'CHA', '2020-01-01', batched),
    ]);
    expect(a.shown).toEqual(shown);
    expect(JSON.stringify(alertsFromJson(a.alongside))).toBe(JSON.stringify(listed));
    expect(b.shown).toEqual(none.shown);
    expect(alertsFromJson(b.alongside)).toEqual([]);
    expect(a2.shown).toEqual((await showChildCaseWith(deps, 'CHA', '2020-01-01')).shown);
  });
});

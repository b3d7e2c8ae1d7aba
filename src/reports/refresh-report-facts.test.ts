// The report's facts kept current child by child after an ingest must equal the facts computed
// for everything at once: otherwise a report would depend on the order in which rows arrived.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDb, type TestDb } from '../db/testing.ts';
import { refreshReportFacts } from './refresh-report-facts.ts';
import { buildReport } from './build-report.ts';
import { listFigureChildren } from './list-figure-children.ts';
import { currentStateSql } from '../access/disclosure.ts';
import { warmReportCache } from './warm-report-cache.ts';
import { fixedClock } from '../shared/clock.ts';
import { ReportFixture, addressUpdate, admission, eoir, nta, release, transfer } from './report-fixture.ts';

let t: TestDb;
beforeAll(async () => {
  t = await createTestDb();
});
afterAll(async () => {
  await t.close();
});

const TABLES = {
  report_child: 'child_id',
  report_address: 'record_pk',
  report_notice: 'record_pk',
  report_unit_street: 'record_pk',
  report_release: 'release_key, child_id',
};

async function snapshot() {
  const out: Record<string, unknown[]> = {};
  for (const [table, key] of Object.entries(TABLES))
    out[table] = await t.db.query(`SELECT * FROM ${table} ORDER BY ${key}`);
  return out;
}

describe('report facts', () => {
  it('refreshed for the touched children and records equal a refresh of everything', async () => {
    const apt = { line: '9 OAK AVE', unit: 'APT 2', city: 'DALLAS', state: 'TX', zip: '75201' };
    await new ReportFixture()
      .add('c1', transfer('2020-01-10'), admission('2020-01-10'), release('2020-02-01'))
      .add('c2', admission('2020-03-01'), release('2020-04-01', { ...apt, unit: null }))
      .add('c3', admission('2020-03-05'))
      .insert(t.db);
    const before = await buildReport(t.db, { asOf: '2020-12-31' });

    // A day's changes: new rows for known and new children, a row moved to another child (a
    // merge), and a correction that adds a served date.
    const added = await new ReportFixture(100)
      .add('c3', release('2020-05-01', apt), nta('2020-05-02', { served_date: '2020-05-20' }))
      .add('c4', transfer('2020-06-01'), admission('2020-06-01'))
      .add('c1', addressUpdate('2020-07-01', { ...apt, unit: null }), eoir('NOTICE_RETURNED', '2020-07-02'))
      .insert(t.db, { refresh: false });
    const [moved] = await t.db.query<{ record_pk: number }>(
      `UPDATE record_link SET child_id = 'c1'
       WHERE record_pk = (SELECT l.record_pk FROM record_link l JOIN record r ON r.id = l.record_pk
                          WHERE l.child_id = 'c2' AND r.event_type = 'RELEASE')
       RETURNING record_pk`,
    );
    const [corrected] = await t.db.query<{ id: number }>(
      `UPDATE record SET served_date = '2020-04-15'
       WHERE id = (SELECT id FROM record WHERE source = 'opla' ORDER BY id LIMIT 1) RETURNING id`,
    );
    await refreshReportFacts(t.db, {
      childIds: ['c1', 'c2', 'c3', 'c4'],
      recordIds: [...added, Number(moved!.record_pk), Number(corrected!.id)],
    });
    const incremental = await snapshot();
    const after = await buildReport(t.db, { asOf: '2020-12-31' });

    await refreshReportFacts(t.db, 'all');
    expect(await snapshot()).toEqual(incremental);
    expect(await buildReport(t.db, { asOf: '2020-12-31' })).toEqual(after);
    // The changes show in the report: one more child, c3 released and served, c1 now holds two releases.
    expect(after.children.in_scope).toBe(before.children.in_scope + 1);
    expect(after.children.released_to_sponsor).toBe(2);
    expect(after.no_nta_served).toBe(1);
    expect(after.address_defects.missing_unit).toBe(1);
  });

  it("a street given with a unit, or no longer, changes other children's missing units; scope keeps each child's state", async () => {
    const street = { line: '40 ELM ST', city: 'TULSA', state: 'OK', zip: '74103' };
    const ids = await new ReportFixture(200)
      .add('d1', admission('2021-01-05'), release('2021-02-01', { ...street, unit: null }))
      .add('d2', admission('2021-01-06'), release('2021-03-01', { ...street, unit: 'APT 7' }))
      .insert(t.db);
    const withUnit = ids[3]!; // d2's release
    const missing = async () =>
      (await listFigureChildren(t.db, { figure: 'address_defects.missing_unit', asOf: '2021-12-31' }))
        .map((c) => c.child_id)
        .filter((id) => id.startsWith('d'));
    expect(await missing()).toEqual(['d1']);
    // d2's row is corrected: no unit after all. Only d2 and its record are refreshed, yet d1's
    // address is no longer missing a unit; then the unit comes back.
    for (const [unit, expected] of [
      ['', []],
      ['APT 7', ['d1']],
    ] as const) {
      await t.db.query('UPDATE record SET addr_unit = $2 WHERE id = $1', [withUnit, unit]);
      await refreshReportFacts(t.db, { childIds: ['d2'], recordIds: [withUnit] });
      expect(await missing()).toEqual(expected);
      const incremental = await snapshot();
      await refreshReportFacts(t.db, 'all');
      expect(await snapshot()).toEqual(incremental);
    }
    const states = await t.db.query<{ kept: string | null; scope: string | null }>(
      `SELECT c.scope_state AS kept, ${currentStateSql('c.child_id')} AS scope FROM report_child c`,
    );
    expect(states.length).toBeGreaterThan(4);
    expect(states.filter((s) => s.kept !== s.scope)).toEqual([]);
    expect(states.map((s) => s.kept)).toContain('OK');
  });

  it('an address recurs from the date of its threshold-th child, kept as children arrive and move', async () => {
    const street = { line: '12 PINE ST', unit: null, city: 'MIAMI', state: 'FL', zip: '33101' };
    const fixture = new ReportFixture(300)
      .add('e1', admission('2022-01-01'), release('2022-01-10', street))
      .add('e2', admission('2022-01-01'), release('2022-02-10', street))
      .add('e3', admission('2022-01-01'), release('2022-03-10', street));
    const ids = await fixture.insert(t.db, { refresh: false });
    await refreshReportFacts(t.db, { childIds: ['e1', 'e2', 'e3'], recordIds: ids });
    const recurring = async (asOf: string) =>
      (await buildReport(t.db, { asOf, recurringThreshold: 3 })).recurring_addresses;
    const same = async () => {
      const incremental = await snapshot();
      await refreshReportFacts(t.db, 'all');
      expect(await snapshot()).toEqual(incremental);
    };
    expect(await recurring('2022-03-09')).toMatchObject({ addresses: 0, children: 0 });
    expect(await recurring('2022-03-10')).toMatchObject({ addresses: 1, children: 3 });
    await same();

    // A fourth child released there earlier makes it recurring a month sooner.
    const e4 = await new ReportFixture(320)
      .add('e4', admission('2022-01-01'), release('2022-01-20', street))
      .insert(t.db, { refresh: false });
    await refreshReportFacts(t.db, { childIds: ['e4'], recordIds: e4 });
    expect(await recurring('2022-02-10')).toMatchObject({ addresses: 1, children: 3 });
    expect(await recurring('2022-03-10')).toMatchObject({ addresses: 1, children: 4 });
    await same();

    // e2's release is corrected to another street: only e2 is refreshed, and the address waits for e3.
    const e2Release = ids[3]!;
    await t.db.query(`UPDATE record SET addr_line = '14 PINE ST' WHERE id = $1`, [e2Release]);
    await refreshReportFacts(t.db, { childIds: ['e2'], recordIds: [e2Release] });
    expect(await recurring('2022-02-10')).toMatchObject({ addresses: 0, children: 0 });
    expect(await recurring('2022-03-10')).toMatchObject({ addresses: 1, children: 3 });
    await same();
  });

  it("today's overview is computed ahead, and a change of the facts makes it stale", async () => {
    const clock = fixedClock('2024-06-01T09:00:00Z');
    await warmReportCache({ db: t.db, clock });
    const cached = async () =>
      t.db.query<{ kind: string; key: string; current: boolean }>(
        `SELECT c.kind, c.key, c.version = v.version AS current
         FROM report_cache c CROSS JOIN report_facts_version v
         WHERE c.key LIKE '2024-06-01%' ORDER BY c.kind`,
      );
    expect(await cached()).toEqual([
      { kind: 'follow_up_timeliness', key: '2024-06-01', current: true },
      { kind: 'monthly-trend', key: '2024-06-01|12', current: true },
      { kind: 'oversight', key: '2024-06-01|5', current: true },
    ]);
    await refreshReportFacts(t.db, { childIds: ['c1'], recordIds: [] });
    expect((await cached()).map((c) => c.current)).toEqual([false, false, false]);
  });
});

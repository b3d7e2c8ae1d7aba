// Routing of tasks to offices: the SQL routing table agrees with fieldOfficeFor everywhere, and
// each office kind's task lands in the right office, split states included.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createTestDb, type TestDb } from '../db/testing.ts';
import { fixedClock } from '../shared/clock.ts';
import { createLog } from '../shared/log.ts';
import { FIELD_OFFICES, fieldOfficeFor, fieldOfficeRoutes, IMPERIAL_COUNTY_ZIPS } from './field-offices.ts';
import { OUTCOMES } from './outcomes.ts';
import { syncTasks } from './sync-tasks.ts';
import { addRecord, openAlert } from './testing.ts';

let t: TestDb;
beforeEach(async () => {
  t = await createTestDb();
});
afterEach(async () => {
  await t.close();
});

const deps = () => ({ db: t.db, clock: fixedClock('2026-11-28T12:00:00Z'), log: createLog('silent') });

describe('ero_office in SQL', () => {
  it('holds exactly the routes of fieldOfficeFor', async () => {
    const rows = await t.db.query<{ state: string; prefix: string; office: string }>(
      `SELECT state, prefix, office FROM ero_route ORDER BY state, prefix`,
    );
    const want = fieldOfficeRoutes().sort(
      (a, b) => a.state.localeCompare(b.state) || a.prefix.localeCompare(b.prefix),
    );
    expect(rows).toEqual(want);
  });

  it('answers as fieldOfficeFor for every ZIP prefix of the split states, Imperial County and odd input', async () => {
    const cases: [string | null, string | null][] = [];
    for (const st of ['TX', 'CA', 'NY']) {
      for (let p = 0; p < 1000; p++) cases.push([st, `${String(p).padStart(3, '0')}01`]);
      cases.push([st, null], [st, ''], [st, '7A001'], [st.toLowerCase(), '77002']);
    }
    for (const z of IMPERIAL_COUNTY_ZIPS) cases.push(['CA', z]);
    cases.push(
      ['CA', '92201'],
      ['AS', '96799'],
      ['AE', '09001'],
      [null, '77002'],
      ['', ''],
      ['  md ', '21201'],
    );
    const rows = await t.db.query<{ i: number; office: string | null }>(
      `SELECT i::int AS i, ero_office(s, z) AS office
         FROM unnest($1::text[], $2::text[]) WITH ORDINALITY AS c(s, z, i) ORDER BY i`,
      [cases.map((c) => c[0]), cases.map((c) => c[1])],
    );
    const got = rows.map((r) => r.office);
    expect(got).toEqual(cases.map(([s, z]) => fieldOfficeFor(s, z)));
    expect(new Set(got)).toEqual(
      new Set([
        ...['San Antonio', 'Dallas', 'Houston', 'Harlingen', 'El Paso'],
        ...['Los Angeles', 'San Diego', 'San Francisco', 'New York City', 'Buffalo'],
        'Baltimore',
        null,
      ]),
    );
  });

  it('lists the same outcome codes as the code does', async () => {
    const rows = await t.db.query<{ code: string; system_only: boolean }>(
      `SELECT code, system_only FROM task_outcome ORDER BY code`,
    );
    expect(rows).toEqual(
      Object.entries(OUTCOMES)
        .map(([code, o]) => ({ code, system_only: o.systemOnly }))
        .sort((a, b) => a.code.localeCompare(b.code)),
    );
  });
});

// One address in each office's area; split states at both sides of their boundaries.
const ADDRESSES: [string, string, string][] = [
  ['GA', '30301', 'Atlanta'],
  ['MD', '21201', 'Baltimore'],
  ['MA', '02108', 'Boston'],
  ['NY', '14201', 'Buffalo'],
  ['NY', '12207', 'Buffalo'],
  ['IL', '60601', 'Chicago'],
  ['TX', '75201', 'Dallas'],
  ['TX', '79101', 'Dallas'],
  ['CO', '80202', 'Denver'],
  ['MI', '48201', 'Detroit'],
  ['TX', '79901', 'El Paso'],
  ['NM', '87101', 'El Paso'],
  ['TX', '78501', 'Harlingen'],
  ['TX', '77002', 'Houston'],
  ['CA', '90001', 'Los Angeles'],
  ['CA', '92201', 'Los Angeles'],
  ['FL', '33101', 'Miami'],
  ['LA', '70112', 'New Orleans'],
  ['NY', '10001', 'New York City'],
  ['NY', '11201', 'New York City'],
  ['NJ', '07102', 'Newark'],
  ['PA', '19103', 'Philadelphia'],
  ['AZ', '85001', 'Phoenix'],
  ['UT', '84101', 'Salt Lake City'],
  ['TX', '78201', 'San Antonio'],
  ['TX', '73301', 'San Antonio'],
  ['CA', '92101', 'San Diego'],
  ['CA', '92243', 'San Diego'],
  ['CA', '94102', 'San Francisco'],
  ['HI', '96813', 'San Francisco'],
  ['WA', '98101', 'Seattle'],
  ['MN', '55401', 'St. Paul'],
  ['VA', '22201', 'Washington'],
  ['DC', '20001', 'Washington'],
];

describe('task routing', () => {
  it('puts each ERO task in the field office of the child’s current address, for all 25 offices', async () => {
    for (const [i, [state, zip]] of ADDRESSES.entries()) {
      const child = `C-R${i}`;
      await addRecord(t.db, child, { ownDate: '2026-01-10', state: 'ZZ', zip5: '00000' }); // an older address
      await addRecord(t.db, child, { ownDate: '2026-03-01', state, zip5: zip });
      await openAlert(t.db, { childId: child, rule: 'NO_NTA', openedOn: '2026-10-01' });
    }
    await syncTasks(deps());
    const rows = await t.db.query<{ child_id: string; office_id: string; addr_state: string }>(
      `SELECT child_id, office_id, addr_state FROM task ORDER BY substr(child_id, 4)::int`,
    );
    expect(rows.map((r) => r.office_id)).toEqual(ADDRESSES.map(([, , o]) => `ERO:${o}`));
    expect(rows.map((r) => r.addr_state)).toEqual(ADDRESSES.map(([s]) => s));
    expect(new Set(rows.map((r) => r.office_id.slice(4)))).toEqual(new Set(FIELD_OFFICES));
  });

  it('sends a child without a usable address to ERO:UNROUTED, never drops it', async () => {
    await openAlert(t.db, { childId: 'C-NOADDR', rule: 'NO_NTA', openedOn: '2026-10-01' });
    await addRecord(t.db, 'C-BLANK', { ownDate: '2026-02-01', line: '1 MAIN ST', state: null, zip5: null });
    await openAlert(t.db, { childId: 'C-BLANK', rule: 'NO_NTA', openedOn: '2026-10-01' });
    await addRecord(t.db, 'C-AS', { ownDate: '2026-02-01', state: 'AS', zip5: '96799' });
    await openAlert(t.db, { childId: 'C-AS', rule: 'NO_NTA', openedOn: '2026-10-01' });
    await syncTasks(deps());
    const rows = await t.db.query<{ office_id: string }>(`SELECT office_id FROM task ORDER BY child_id`);
    expect(rows.map((r) => r.office_id)).toEqual(['ERO:UNROUTED', 'ERO:UNROUTED', 'ERO:UNROUTED']);
  });

  it('gives FAILED_TO_APPEAR one task in each of ORR, the ERO office and the OPLA office of the court', async () => {
    await addRecord(t.db, 'C-FTA', { ownDate: '2026-02-01', state: 'TX', zip5: '78501' });
    await addRecord(t.db, 'C-FTA', {
      source: 'eoir',
      ownDate: '2026-04-01',
      eventType: 'CASE_OPENED',
      courtCode: 'HLG',
      line: null,
    });
    await openAlert(t.db, {
      childId: 'C-FTA',
      rule: 'FAILED_TO_APPEAR',
      openedOn: '2026-11-20',
      dueOn: '2026-11-27',
      details: { court_code: 'hou' },
    });
    // Without the court in the alert, the child's newest court record decides.
    await addRecord(t.db, 'C-FTA2', {
      source: 'eoir',
      ownDate: '2026-04-01',
      eventType: 'CASE_OPENED',
      courtCode: 'SFR',
      line: null,
    });
    await addRecord(t.db, 'C-FTA2', {
      source: 'eoir',
      ownDate: '2026-06-01',
      eventType: 'CHANGE_OF_VENUE',
      courtCode: 'NYC',
      line: null,
    });
    await openAlert(t.db, { childId: 'C-FTA2', rule: 'FAILED_TO_APPEAR', openedOn: '2026-11-20' });
    // No court known at all.
    await openAlert(t.db, { childId: 'C-NTA', rule: 'NTA_NOT_FILED', openedOn: '2026-11-20' });
    await syncTasks(deps());
    const rows = await t.db.query<{
      child_id: string;
      office_kind: string;
      office_id: string;
      action: string;
      due_on: string;
    }>(
      `SELECT child_id, office_kind, office_id, action, to_char(due_on, 'YYYY-MM-DD') AS due_on FROM task ORDER BY child_id, office_kind`,
    );
    expect(rows.map((r) => [r.child_id, r.office_kind, r.office_id])).toEqual([
      ['C-FTA', 'ERO', 'ERO:Harlingen'],
      ['C-FTA', 'OPLA', 'OPLA:HOU'],
      ['C-FTA', 'ORR', 'ORR'],
      ['C-FTA2', 'ERO', 'ERO:UNROUTED'],
      ['C-FTA2', 'OPLA', 'OPLA:NYC'],
      ['C-FTA2', 'ORR', 'ORR'],
      ['C-NTA', 'OPLA', 'OPLA:UNROUTED'],
    ]);
    expect(rows[0]!.action).toBe('try to locate the child');
    // The alert's due date wins; without one, opened_on + the rule's deadline_days (7).
    expect(rows[0]!.due_on).toBe('2026-11-27');
    expect(rows[3]!.due_on).toBe('2026-11-27');
    const offices = await t.db.query<{ id: string; supervisor_queue: string }>(
      `SELECT id, supervisor_queue FROM office WHERE id IN ('OPLA:HOU', 'OPLA:NYC') ORDER BY id`,
    );
    expect(offices).toEqual([
      { id: 'OPLA:HOU', supervisor_queue: 'OPLA:HOU:supervisor' },
      { id: 'OPLA:NYC', supervisor_queue: 'OPLA:NYC:supervisor' },
    ]);
  });
});

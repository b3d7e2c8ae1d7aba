import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createTestDb, type TestDb } from '../db/testing.ts';
import { fixedClock } from '../shared/clock.ts';
import { silentLog } from '../shared/log.ts';
import { Facts, HOME, randomStory, seededRandom, streetPool } from '../cases/testing.ts';
import { loadFixtureChildren, type FixtureChild } from '../cases/db-fixtures.ts';
import { evaluateChildren, evaluateChildrenIn, sweepRules } from './evaluate-children.ts';
import { listAlerts, upsertSetting } from './rules.queries.ts';
import type { Db } from '../db/index.ts';
import { caseState, recordsOfChildren } from '../cases/index.ts';
import { newestAddress, type NewestAddress } from '../notify/address-change.ts';

let t: TestDb;
beforeEach(async () => {
  t = await createTestDb();
});
afterEach(async () => {
  await t.close();
});

const deps = () => ({ db: t.db, log: silentLog, clock: fixedClock('2020-03-01T12:00:00Z') });

async function alertsOf(db: Db, childId: string, status: 'open' | 'closed' | 'all' = 'all') {
  return (await listAlerts(db, { childId, status, limit: 1000 })).alerts;
}

describe('evaluateChildren', () => {
  it('opens NO_NTA for a released child, then closes it with the reason once an NTA is served', async () => {
    const f = new Facts();
    f.release('2020-01-01');
    const [[releasePk]] = (await loadFixtureChildren(t.db, [{ childId: 'CH1', records: f.records }])) as [
      [number],
    ];
    const s1 = await evaluateChildren(deps(), ['CH1']);
    expect(s1).toMatchObject({ asOf: '2020-03-01', opened: 1, closed: 0 });
    const [open] = await alertsOf(t.db, 'CH1', 'open');
    expect(open).toMatchObject({
      rule_id: 'NO_NTA',
      opened_on: '2020-02-01',
      due_on: '2020-03-02',
      severity: 'high',
      office_kinds: ['ERO'],
      addr_state: 'TX',
      record_pks: [releasePk],
    });

    // Evaluating again changes nothing.
    expect(await evaluateChildren(deps(), ['CH1'])).toMatchObject({ opened: 0, refreshed: 0, closed: 0 });

    const g = new Facts();
    g.nta('2020-02-10', { served: '2020-02-20' });
    await loadFixtureChildren(t.db, [{ childId: 'CH1', records: g.records }]);
    const s2 = await evaluateChildren(deps(), ['CH1']);
    expect(s2).toMatchObject({ closed: 1, opened: 0 });
    const all = await alertsOf(t.db, 'CH1');
    expect(all).toHaveLength(1);
    expect(all[0]).toMatchObject({ rule_id: 'NO_NTA', closed_on: '2020-03-01' });
    expect(all[0]!.close_reason).toMatch(/^NTA served on 2020-02-20/);
  });

  it('evaluates inside a transaction the caller holds, and rolls back with it', async () => {
    const f = new Facts();
    f.release('2020-01-01');
    await loadFixtureChildren(t.db, [{ childId: 'TX1', records: f.records }]);
    await expect(
      t.db.transaction(async (tx) => {
        const s = await evaluateChildrenIn(tx, ['TX1'], '2020-03-01');
        expect(s.opened).toBe(1);
        throw new Error('ingest failed');
      }),
    ).rejects.toThrow('ingest failed');
    expect(await alertsOf(t.db, 'TX1')).toHaveLength(0);
    await t.db.transaction((tx) => evaluateChildrenIn(tx, ['TX1'], '2020-03-01'));
    expect(await alertsOf(t.db, 'TX1', 'open')).toMatchObject([{ rule_id: 'NO_NTA' }]);
  });

  it('a fifth child released to an address raises RECURRING_ADDRESS for all five', async () => {
    const children: FixtureChild[] = [];
    for (let i = 1; i <= 4; i++) {
      const f = new Facts();
      f.release(`2020-01-0${i}`, { ...HOME, unit: 'APT 3' });
      children.push({ childId: `R${i}`, records: f.records });
    }
    await loadFixtureChildren(t.db, children);
    await evaluateChildren(deps(), ['R1', 'R2', 'R3', 'R4']);
    expect((await listAlerts(t.db, { ruleId: 'RECURRING_ADDRESS' })).total).toBe(0);
    const f = new Facts();
    f.release('2020-01-20', { ...HOME, unit: '#3' });
    await loadFixtureChildren(t.db, [{ childId: 'R5', records: f.records }]);
    const s = await evaluateChildren(deps(), ['R5']);
    expect(s.children).toBe(5);
    const rec = await listAlerts(t.db, { ruleId: 'RECURRING_ADDRESS' });
    expect(rec.alerts.map((a) => a.child_id).sort()).toEqual(['R1', 'R2', 'R3', 'R4', 'R5']);
    expect(rec.alerts.every((a) => a.opened_on === '2020-01-20')).toBe(true);
    // The threshold is a setting, applied to every child by the next sweep.
    await upsertSetting(t.db, 'RECURRING_ADDRESS', 'threshold', 6, 'test');
    await sweepRules(deps());
    expect((await listAlerts(t.db, { ruleId: 'RECURRING_ADDRESS' })).total).toBe(0);
  });

  it('a first unit at a street re-evaluates the children there; a second unit does not', async () => {
    const neighbours: FixtureChild[] = ['U1', 'U2'].map((childId) => {
      const f = new Facts();
      f.release('2020-01-01', HOME);
      return { childId, records: f.records };
    });
    await loadFixtureChildren(t.db, neighbours);
    await evaluateChildren(deps(), ['U1', 'U2']);
    expect((await listAlerts(t.db, { ruleId: 'ADDRESS_MISSING_UNIT' })).total).toBe(0);

    const first = new Facts();
    first.addressUpdate('2020-02-01', { ...HOME, unit: 'APT 1' });
    await loadFixtureChildren(t.db, [{ childId: 'U3', records: first.records }]);
    expect(await evaluateChildren(deps(), ['U3'])).toMatchObject({ children: 3, opened: 2 });
    const missing = await listAlerts(t.db, { ruleId: 'ADDRESS_MISSING_UNIT' });
    expect(missing.alerts.map((a) => a.child_id).sort()).toEqual(['U1', 'U2']);

    // The street had a unit already: nothing changes for the children without one.
    const second = new Facts();
    second.addressUpdate('2020-02-02', { ...HOME, unit: 'APT 2' });
    await loadFixtureChildren(t.db, [{ childId: 'U4', records: second.records }]);
    expect(await evaluateChildren(deps(), ['U4'])).toMatchObject({ children: 1, opened: 0, closed: 0 });
    expect((await listAlerts(t.db, { ruleId: 'ADDRESS_MISSING_UNIT' })).total).toBe(2);
  });

  it('closes the alerts of a child merged into another', async () => {
    const f = new Facts();
    f.admission('2020-01-01');
    f.runaway('2020-01-05');
    await loadFixtureChildren(t.db, [{ childId: 'OLD', records: f.records }]);
    await evaluateChildren(deps(), ['OLD']);
    expect(await alertsOf(t.db, 'OLD', 'open')).toHaveLength(1);
    await t.db.query(`INSERT INTO child (id) VALUES ('NEW')`);
    await t.db.query(`UPDATE record_link SET child_id = 'NEW' WHERE child_id = 'OLD'`);
    await t.db.query(`UPDATE child SET merged_into = 'NEW' WHERE id = 'OLD'`);
    await evaluateChildren(deps(), ['OLD', 'NEW']);
    const [closed] = await alertsOf(t.db, 'OLD');
    expect(closed).toMatchObject({ rule_id: 'FLED_CUSTODY', close_reason: 'child merged into NEW' });
    expect(await alertsOf(t.db, 'NEW', 'open')).toMatchObject([
      { rule_id: 'FLED_CUSTODY', opened_on: '2020-01-05' },
    ]);
  });

  it('filters alerts by rule, office, US state and the date they were open on', async () => {
    const a = new Facts();
    a.release('2020-01-01');
    const b = new Facts();
    b.release('2020-01-01', { line: '9 BAY RD', city: 'MIAMI', state: 'FL', zip5: '33101' });
    b.safetyCall('2020-01-31', 'NOT_REACHED');
    await loadFixtureChildren(t.db, [
      { childId: 'A', records: a.records },
      { childId: 'B', records: b.records },
    ]);
    await evaluateChildren(deps(), ['A', 'B']);
    expect((await listAlerts(t.db, { state: 'FL' })).alerts.map((x) => x.rule_id).sort()).toEqual([
      'NO_NTA',
      'SAFETY_CALL_FAILED',
    ]);
    expect((await listAlerts(t.db, { office: 'ORR' })).alerts.map((x) => x.child_id)).toEqual(['B']);
    expect((await listAlerts(t.db, { ruleId: 'NO_NTA' })).total).toBe(2);
    expect((await listAlerts(t.db, { openOn: '2020-01-31' })).total).toBe(1);
    expect((await listAlerts(t.db, { status: 'closed' })).total).toBe(0);
  });
});

describe('incremental evaluation and the sweep agree', () => {
  it('on a random population fed in three batches', async () => {
    const children = randomChildren(7, 150, 25);
    // Each child's records arrive split over three batches.
    const batches: FixtureChild[][] = [[], [], []];
    for (const c of children) {
      const cut1 = Math.floor(c.records.length / 3);
      const cut2 = Math.floor((2 * c.records.length) / 3);
      batches[0]!.push({ childId: c.childId, records: c.records.slice(0, cut1 || 1) });
      if (c.records.slice(cut1 || 1, cut2).length)
        batches[1]!.push({ childId: c.childId, records: c.records.slice(cut1 || 1, cut2) });
      if (c.records.slice(Math.max(cut2, 1)).length)
        batches[2]!.push({ childId: c.childId, records: c.records.slice(Math.max(cut2, 1)) });
    }
    const asOf = '2023-06-30';
    for (const b of batches) {
      await loadFixtureChildren(t.db, b);
      await evaluateChildren(
        deps(),
        b.map((c) => c.childId),
        asOf,
      );
    }
    const snapshot = async () =>
      (await listAlerts(t.db, { status: 'open', limit: 100_000 })).alerts
        .map((a) =>
          JSON.stringify([
            a.child_id,
            a.rule_id,
            a.opened_on,
            a.due_on,
            a.severity,
            a.record_pks,
            a.details,
            a.addr_state,
          ]),
        )
        .sort();
    const incremental = await snapshot();
    expect(incremental.length).toBeGreaterThan(50);
    const rules = new Set(incremental.map((s) => JSON.parse(s)[1]));
    expect(rules.size).toBeGreaterThanOrEqual(9);

    // The sweep over the same facts confirms every open alert and changes none.
    const confirm = await sweepRules(deps(), asOf, { chunkSize: 40 });
    expect(confirm).toMatchObject({ opened: 0, refreshed: 0, closed: 0, children: 150 });

    // From nothing, the sweep derives the same open alerts.
    await t.db.query(`DELETE FROM alert`);
    await sweepRules(deps(), asOf, { chunkSize: 40 });
    expect(await snapshot()).toEqual(incremental);

    // On the server a worker thread takes some of the pages: the same alerts again.
    await t.db.query(`DELETE FROM alert`);
    const shared = await sweepRules(deps(), asOf, { chunkSize: 20, worker: true });
    expect(shared).toMatchObject({ children: 150, opened: incremental.length });
    expect(await snapshot()).toEqual(incremental);
    expect(await sweepRules(deps(), asOf, { chunkSize: 20, worker: true })).toMatchObject({
      children: 150,
      opened: 0,
      refreshed: 0,
      closed: 0,
    });
  });

  it("hands over each child's newest address, as the child's records give it", async () => {
    const children = randomChildren(11, 120, 25);
    await loadFixtureChildren(t.db, children);
    const asOf = '2023-06-30';
    const ids = children.map((c) => c.childId);
    const records = await recordsOfChildren(t.db, ids);
    const expected = new Map(ids.map((id) => [id, newestAddress(caseState(records.get(id) ?? [], asOf))]));
    const withAddress = [...expected.values()].filter((a) => a !== null);
    expect(withAddress.length).toBeGreaterThan(60);
    expect(withAddress.some((a) => a!.heldByStale.length > 0)).toBe(true);
    expect(withAddress.some((a) => a!.courtCode !== null)).toBe(true);

    const evaluated = new Map<string, NewestAddress | null>();
    await t.db.transaction((tx) => evaluateChildrenIn(tx, ids, asOf, evaluated));
    expect(evaluated).toEqual(expected);

    // A sweep hands over the same for each child it evaluates, from its own pages and (on the
    // server) from those its worker thread evaluated.
    const swept = new Map<string, NewestAddress | null>();
    const summary = await sweepRules(deps(), asOf, { chunkSize: 20, worker: true, newestAddresses: swept });
    expect(swept.size).toBe(summary.children);
    expect(swept.size).toBeGreaterThan(60);
    for (const [id, address] of swept) expect([id, address]).toEqual([id, expected.get(id)]);
  });
});

/** Sixty children with random stories over ten streets. */
async function loadRandomChildren(seed: number) {
  await loadFixtureChildren(t.db, randomChildren(seed, 60, 10));
}

/** `count` children K0000, K0001, ... with random stories over `streetCount` streets. */
function randomChildren(seed: number, count: number, streetCount: number): FixtureChild[] {
  const rand = seededRandom(seed);
  const streets = streetPool(rand, streetCount);
  return Array.from({ length: count }, (_, i) => ({
    childId: `K${String(i).padStart(4, '0')}`,
    records: randomStory(rand, streets).records,
  }));
}

describe('a sweep that cannot read what the address rules need', () => {
  it('fails with the reason, with or without its worker thread, and writes nothing', async () => {
    await loadRandomChildren(11);
    // The releases are read for the whole sweep; everything else reads as usual.
    const db: Db = Object.create(t.db);
    db.copyOut = (sql, onRow) =>
      sql.includes(`event_type = 'RELEASE'`) && !sql.includes('unnest(')
        ? Promise.reject(new Error('releases unavailable'))
        : t.db.copyOut(sql, onRow);
    for (const worker of [false, true]) {
      await expect(sweepRules({ ...deps(), db }, '2023-06-30', { chunkSize: 10, worker })).rejects.toThrow(
        'releases unavailable',
      );
    }
    expect((await listAlerts(t.db, { status: 'all' })).total).toBe(0);
  });
});

describe('a first sweep, on an empty alert table', () => {
  const indexes = async () =>
    (
      await t.db.query<{ def: string }>(
        `SELECT indexdef AS def FROM pg_indexes WHERE tablename = 'alert' ORDER BY indexname`,
      )
    ).map((r) => r.def);

  // Index ids change when an index is built again.
  const indexIds = async () =>
    (
      await t.db.query<{ id: number }>(
        `SELECT indexrelid::int AS id FROM pg_index WHERE indrelid = 'alert'::regclass ORDER BY 1`,
      )
    ).map((r) => r.id);

  it('builds the alert indexes again once its alerts are in, and keeps them when it fails', async () => {
    await loadRandomChildren(12);
    const before = await indexes();
    expect(before.length).toBeGreaterThanOrEqual(4);
    const failing: Db = Object.create(t.db);
    failing.copyOut = (sql, onRow) =>
      sql.includes('record_link')
        ? Promise.reject(new Error('records unavailable'))
        : t.db.copyOut(sql, onRow);
    await expect(sweepRules({ ...deps(), db: failing }, '2023-06-30', { chunkSize: 10 })).rejects.toThrow(
      'records unavailable',
    );
    expect(await indexes()).toEqual(before);

    const ids = await indexIds();
    const first = await sweepRules(deps(), '2023-06-30', { chunkSize: 10 });
    expect(first.opened).toBeGreaterThan(0);
    expect(await indexes()).toEqual(before);
    const built = await indexIds();
    // All but the primary key (the tasks refer to it) were built again.
    expect(built.filter((id) => ids.includes(id))).toHaveLength(1);
    // The unique index holds again: a second open alert for the same child and rule is refused.
    const [open] = (await listAlerts(t.db, { status: 'open', limit: 1 })).alerts;
    await expect(
      t.db.query(
        `INSERT INTO alert (child_id, rule_id, opened_on, severity, office_kinds, record_pks, details, evaluated_on)
         SELECT child_id, rule_id, opened_on, severity, office_kinds, record_pks, details, evaluated_on
           FROM alert WHERE id = $1`,
        [open!.id],
      ),
    ).rejects.toThrow(/duplicate key|unique/);
    // A sweep over alerts already there changes nothing and leaves the indexes alone.
    const again = await sweepRules(deps(), '2023-06-30', { chunkSize: 10 });
    expect(again).toMatchObject({ opened: 0, refreshed: 0, closed: 0 });
    expect(await indexIds()).toEqual(built);
  });
});

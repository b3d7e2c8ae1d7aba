// The pieces every edge shares: record scope as SQL over the child's current address, and the
// audited database whose first transaction carries the act's audit entry (or neither commits).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDb, type TestDb } from '../db/testing.ts';
import { fixedClock } from '../shared/clock.ts';
import { Facts, HOME } from '../cases/testing.ts';
import { loadFixtureChildren } from '../cases/db-fixtures.ts';
import { auditedAct, auditedDb, auditAct, childrenInScope, cliActor } from './disclosure.ts';
import { verifyAudit } from './audit.ts';

const clock = fixedClock('2021-01-01T00:00:00Z');

describe('record scope and audited changes', () => {
  let t: TestDb;
  beforeAll(async () => {
    t = await createTestDb();
    // Moved from Texas to California: the newest address decides.
    const moved = new Facts();
    moved.release('2020-01-10', HOME);
    moved.addressUpdate('2020-05-01', { line: '1 SEA ST', city: 'SAN DIEGO', state: 'ca', zip5: '92101' });
    const stayed = new Facts();
    stayed.release('2020-01-10', HOME);
    const unknown = new Facts();
    unknown.admission('2020-01-02');
    await loadFixtureChildren(t.db, [
      { childId: 'MOVED', records: moved.records },
      { childId: 'STAYED', records: stayed.records },
      { childId: 'NOADDR', records: unknown.records },
    ]);
  });
  afterAll(async () => {
    await t?.close();
  });

  const count = async (action: string) =>
    (
      await t.db.query<{ n: number }>(`SELECT count(*)::int AS n FROM audit_log WHERE action = $1`, [action])
    )[0]!.n;

  it("keeps the children whose current address is in the scope's states", async () => {
    const ids = ['MOVED', 'STAYED', 'NOADDR', 'NOBODY'];
    expect(await childrenInScope(t.db, { kind: 'states', states: ['TX'] }, ids)).toEqual(['STAYED']);
    expect(await childrenInScope(t.db, { kind: 'states', states: ['ca'] }, ids)).toEqual(['MOVED']);
    expect(await childrenInScope(t.db, { kind: 'states', states: [] }, ids)).toEqual([]);
    expect(await childrenInScope(t.db, { kind: 'all' }, ids)).toEqual(ids);
    expect(await childrenInScope(t.db, { kind: 'none' }, ids)).toEqual([]);
  });

  it('audits the first transaction of a use case with it, and nothing when the act fails', async () => {
    const actor = cliActor('oversight');
    const db = auditedDb(t.db, (tx) =>
      auditAct(tx, clock.now(), actor, null, { action: 'test.change', childIds: ['STAYED'] }),
    );
    await db.transaction((tx) => tx.query(`SELECT 1`));
    // A consequence of the act (a second transaction) is not audited again.
    await db.transaction((tx) => tx.query(`SELECT 1`));
    expect(await count('test.change')).toBe(1);
    const failing = auditedDb(t.db, (tx) =>
      auditAct(tx, clock.now(), actor, null, { action: 'test.change' }),
    );
    await expect(
      failing.transaction(async () => {
        throw new Error('the change failed');
      }),
    ).rejects.toThrow('the change failed');
    expect(await count('test.change')).toBe(1);
  });

  it('auditedAct commits the act and its entry together', async () => {
    await t.db.exec(`CREATE TABLE IF NOT EXISTS test_thing (id int)`);
    const n = await auditedAct(
      t.db,
      clock,
      null,
      'test.thing',
      async (tx) => (await tx.query(`INSERT INTO test_thing VALUES (1) RETURNING id`)).length,
      (r) => ({ target: `things:${r}` }),
    );
    expect(n).toBe(1);
    await expect(
      auditedAct(
        t.db,
        clock,
        null,
        'test.thing',
        async (tx) => {
          await tx.query(`INSERT INTO test_thing VALUES (2)`);
          throw new Error('no');
        },
        () => ({}),
      ),
    ).rejects.toThrow('no');
    expect((await t.db.query(`SELECT id FROM test_thing`)).length).toBe(1);
    expect(await count('test.thing')).toBe(1);
    expect((await verifyAudit(t.db)).ok).toBe(true);
  });
});

import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createTestDb, testEngine, type TestDb } from '../db/testing.ts';
import { appendAudit, verifyAudit, whoAccessed } from './audit.ts';
import type { Actor } from './policy.ts';

const officer: Actor = {
  kind: 'user',
  userId: 7,
  username: 'officer1',
  role: 'ero_officer',
  officeId: 'ERO-HOU',
  officeStates: ['TX'],
};

describe('audit log', () => {
  let t: TestDb;
  beforeEach(async () => {
    t = await createTestDb();
  });
  afterEach(async () => {
    await t.close();
  });

  async function write(n: number) {
    for (let i = 1; i <= n; i++) {
      await t.db.transaction((tx) =>
        appendAudit(tx, {
          at: new Date(Date.UTC(2026, 0, 1, 0, 0, i)),
          actor: officer,
          action: i % 2 ? 'child.read' : 'child.list',
          purpose: 'child_safety',
          childIds: i % 2 ? [`C-${i}`] : [`C-${i}`, 'C-1'],
          details: { route: '/api/v1/children/:childId', returned: i },
        }),
      );
    }
  }

  it('chains entries and verifies an untouched log', async () => {
    await write(6);
    const res = await verifyAudit(t.db);
    expect(res).toMatchObject({ ok: true, entries: 6, problems: [] });
    expect(res.head?.seq).toBe(6);
  });

  it('writes nothing when the act it records rolls back', async () => {
    await write(2);
    await expect(
      t.db.transaction(async (tx) => {
        await appendAudit(tx, { at: new Date(), actor: officer, action: 'child.read', childIds: ['C-X'] });
        throw new Error('the read failed');
      }),
    ).rejects.toThrow('the read failed');
    await write(1);
    expect(await verifyAudit(t.db)).toMatchObject({ ok: true, entries: 3 });
    expect(await whoAccessed(t.db, 'C-X')).toEqual([]);
  });

  it('refuses UPDATE, DELETE and TRUNCATE while the triggers are in place', async () => {
    await write(2);
    await expect(t.db.query(`UPDATE audit_log SET actor_id = 'x' WHERE seq = 1`)).rejects.toThrow(
      /append-only/,
    );
    await expect(t.db.query(`DELETE FROM audit_log WHERE seq = 2`)).rejects.toThrow(/append-only/);
    await expect(t.db.query(`TRUNCATE audit_log`)).rejects.toThrow(/append-only/);
    await expect(t.db.query(`UPDATE audit_head SET seq = 1`)).rejects.toThrow(/forward/);
    expect((await verifyAudit(t.db)).ok).toBe(true);
  });

  it.each([
    ['an edited actor', `UPDATE audit_log SET actor_id = 'someone-else' WHERE seq = 3`, 'hash_mismatch', 3],
    ['an edited purpose', `UPDATE audit_log SET purpose = 'enforcement' WHERE seq = 2`, 'hash_mismatch', 2],
    ['an edited child list', `UPDATE audit_log SET child_ids = '{C-1}' WHERE seq = 4`, 'hash_mismatch', 4],
    ['an edited time', `UPDATE audit_log SET at = at - interval '1 day' WHERE seq = 5`, 'hash_mismatch', 5],
    ['edited details', `UPDATE audit_log SET details = '{"returned": 0}' WHERE seq = 1`, 'hash_mismatch', 1],
    ['a deleted entry', `DELETE FROM audit_log WHERE seq = 3`, 'gap', 4],
    ['a deleted last entry', `DELETE FROM audit_log WHERE seq = 6`, 'head_mismatch', 6],
  ])('reports %s made by someone who disabled the triggers', async (_name, statement, problem, seq) => {
    await write(6);
    await t.db.exec(
      `ALTER TABLE audit_log DISABLE TRIGGER USER; ${statement}; ALTER TABLE audit_log ENABLE TRIGGER USER;`,
    );
    const res = await verifyAudit(t.db);
    expect(res.ok).toBe(false);
    expect(res.problems).toContainEqual(expect.objectContaining({ problem, seq }));
  });

  it('reports a removed tail even when the head was wound back too', async () => {
    await write(5);
    await t.db.exec(`ALTER TABLE audit_log DISABLE TRIGGER USER; ALTER TABLE audit_head DISABLE TRIGGER USER;
      DELETE FROM audit_log WHERE seq = 3;
      UPDATE audit_head SET seq = 4, hash = (SELECT hash FROM audit_log WHERE seq = 4);`);
    const res = await verifyAudit(t.db);
    expect(res.problems).toContainEqual(expect.objectContaining({ problem: 'gap', seq: 4 }));
  });

  it('lists who accessed one child, newest first', async () => {
    await write(4);
    const seen = await whoAccessed(t.db, 'C-1');
    // Entry 1 read C-1; entries 2 and 4 listed it.
    expect(seen.map((e) => [e.seq, e.action, e.actor, e.purpose])).toEqual([
      [4, 'child.list', 'officer1', 'child_safety'],
      [2, 'child.list', 'officer1', 'child_safety'],
      [1, 'child.read', 'officer1', 'child_safety'],
    ]);
  });

  it('keeps the chain intact under concurrent appends', async () => {
    await Promise.all(
      Array.from({ length: 40 }, (_, i) =>
        t.db.transaction((tx) =>
          appendAudit(tx, { at: new Date(), actor: officer, action: 'child.read', childIds: [`C-${i}`] }),
        ),
      ),
    );
    const res = await verifyAudit(t.db, 7); // small pages exercise the paging too
    expect(res).toMatchObject({ ok: true, entries: 40 });
    if (testEngine === 'postgres') expect(t.url).toBeDefined();
  });
});

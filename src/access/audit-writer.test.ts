import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { Db, Queryable } from '../db/index.ts';
import { openPostgres } from '../db/postgres.ts';
import { createTestDb, type TestDb } from '../db/testing.ts';
import { appendAudit, verifyAudit, whoAccessed, type AuditEntry } from './audit.ts';
import { createAuditWriter } from './audit-writer.ts';
import type { Actor } from './policy.ts';

const officer: Actor = {
  kind: 'user',
  userId: 7,
  username: 'officer1',
  role: 'ero_officer',
  officeId: 'ERO:Houston',
  officeStates: ['TX'],
};

const read = (childId: string, target: string | null = null): AuditEntry => ({
  at: new Date(),
  actor: officer,
  action: 'child.read',
  purpose: 'child_safety',
  childIds: [childId],
  target,
});

/** The same database, counting the transactions opened through it. */
function counting(db: Db): { db: Db; transactions: () => number } {
  let n = 0;
  return {
    db: {
      ...db,
      transaction: (fn) => {
        n++;
        return db.transaction(fn);
      },
    },
    transactions: () => n,
  };
}

describe('audit writer (group commit of reads)', () => {
  let t: TestDb;
  beforeEach(async () => {
    t = await createTestDb();
  });
  afterEach(async () => {
    await t.close();
  });

  it('gives every concurrent read its own entry, in fewer transactions than reads, on one verified chain', async () => {
    const c = counting(t.db);
    const writer = createAuditWriter(c.db);
    const written = await Promise.all(Array.from({ length: 200 }, (_, i) => writer.append(read(`C-${i}`))));
    expect(written.map((w) => w.seq).sort((a, b) => a - b)).toEqual(
      Array.from({ length: 200 }, (_, i) => i + 1),
    );
    expect(c.transactions()).toBeLessThan(20);
    expect(await verifyAudit(t.db, 33)).toMatchObject({ ok: true, entries: 200, head: { seq: 200 } });
    for (const i of [0, 77, 199]) {
      expect((await whoAccessed(t.db, `C-${i}`)).map((e) => [e.actor, e.purpose])).toEqual([
        ['officer1', 'child_safety'],
      ]);
    }
  });

  it('interleaves with changes audited in their own transactions and with another process', async () => {
    // Another `bridge serve` process: its own pool on the server; on the embedded engine, the same one.
    const other = t.url ? await openPostgres(t.url) : t.db;
    try {
      const mine = createAuditWriter(t.db);
      const theirs = createAuditWriter(other);
      await Promise.all(
        Array.from({ length: 60 }, (_, i) => {
          if (i % 3 === 0) return mine.append(read(`A-${i}`));
          if (i % 3 === 1) return theirs.append(read(`B-${i}`));
          return t.db.transaction((tx) =>
            appendAudit(tx, { at: new Date(), actor: officer, action: 'task.close', childIds: [`W-${i}`] }),
          );
        }),
      );
      expect(await verifyAudit(t.db)).toMatchObject({ ok: true, entries: 60, head: { seq: 60 } });
    } finally {
      if (other !== t.db) await other.close();
    }
  });

  it('appends after its own last batch without a transaction, and rereads the head once another has appended', async () => {
    const c = counting(t.db);
    const writer = createAuditWriter(c.db);
    await writer.append(read('X-1')); // the head is not known yet: read under the lock
    await writer.append(read('X-2'));
    await writer.append(read('X-3'));
    expect(c.transactions()).toBe(1);
    // A change audited in its own transaction moves the head on.
    await t.db.transaction((tx) =>
      appendAudit(tx, { at: new Date(), actor: officer, action: 'task.close', childIds: ['W-1'] }),
    );
    expect(await writer.append(read('X-4'))).toMatchObject({ seq: 5 });
    expect(c.transactions()).toBe(2);
    expect(await writer.append(read('X-5'))).toMatchObject({ seq: 6 });
    expect(c.transactions()).toBe(2);
    expect(await verifyAudit(t.db)).toMatchObject({ ok: true, entries: 6, head: { seq: 6 } });
  });

  it("merges the child index's pending list on another connection, and reads never wait for it", async () => {
    const merges: string[] = [];
    let refuse: 'owner' | 'down' | null = null;
    const maintenance: Queryable = {
      ...t.db,
      query: (async (sqlText: string, params?: readonly unknown[]) => {
        merges.push(sqlText);
        if (refuse === 'owner')
          throw Object.assign(new Error('must be owner of index audit_log_child_idx'), { code: '42501' });
        if (refuse === 'down') throw new Error('Connection terminated unexpectedly');
        return t.db.query(sqlText, params);
      }) as Queryable['query'],
    };
    const naming = (n: number, i: number): AuditEntry => ({
      ...read(`M-${i}`),
      childIds: Array.from({ length: n }, (_, k) => `M-${i}-${k}`),
    });
    const writer = createAuditWriter(t.db, { maintenance, mergeEvery: 10 });
    for (let i = 0; i < 3; i++) await writer.append(naming(3, i));
    expect(merges).toEqual([]); // 9 child ids: not yet
    await writer.append(naming(2, 3));
    await vi.waitFor(() => expect(merges).toHaveLength(1));
    expect(merges[0]).toMatch(/gin_clean_pending_list\('audit_log_child_idx'/);
    await vi.waitFor(async () => expect(await whoAccessed(t.db, 'M-3-1')).toHaveLength(1));

    // A merge that fails fails no read; after a lost connection the writer asks again.
    refuse = 'down';
    await writer.append(naming(10, 4));
    await vi.waitFor(() => expect(merges).toHaveLength(2));
    await new Promise((r) => setImmediate(r));
    // Refused for want of ownership, it is not asked for again.
    refuse = 'owner';
    expect(await writer.append(naming(10, 5))).toMatchObject({ seq: 6 });
    await vi.waitFor(() => expect(merges).toHaveLength(3));
    await new Promise((r) => setImmediate(r));
    await writer.append(naming(10, 6));
    await writer.append(naming(10, 7));
    expect(merges).toHaveLength(3);
    expect(await verifyAudit(t.db)).toMatchObject({ ok: true, entries: 8 });
  });

  it('still detects an entry changed or removed after its batch was written', async () => {
    const writer = createAuditWriter(t.db);
    await Promise.all(Array.from({ length: 30 }, (_, i) => writer.append(read(`C-${i}`))));
    expect((await verifyAudit(t.db)).ok).toBe(true);
    await t.db.exec(`ALTER TABLE audit_log DISABLE TRIGGER USER;
      UPDATE audit_log SET actor_id = 'someone-else' WHERE seq = 12;
      DELETE FROM audit_log WHERE seq = 20;
      ALTER TABLE audit_log ENABLE TRIGGER USER;`);
    const res = await verifyAudit(t.db);
    expect(res.ok).toBe(false);
    expect(res.problems).toContainEqual(expect.objectContaining({ problem: 'hash_mismatch', seq: 12 }));
    expect(res.problems).toContainEqual(expect.objectContaining({ problem: 'gap', seq: 21 }));
  });

  it('fails only the read whose entry the database refuses, and writes the others', async () => {
    await t.db.exec(`CREATE FUNCTION refuse_poison() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN RAISE EXCEPTION 'refused entry'; END $$;
      CREATE TRIGGER refuse_poison BEFORE INSERT ON audit_log FOR EACH ROW
        WHEN (NEW.target = 'poison') EXECUTE FUNCTION refuse_poison();`);
    const writer = createAuditWriter(t.db);
    const results = await Promise.allSettled(
      Array.from({ length: 11 }, (_, i) => writer.append(read(`C-${i}`, i === 5 ? 'poison' : null))),
    );
    expect(results.map((r) => r.status)).toEqual(
      Array.from({ length: 11 }, (_, i) => (i === 5 ? 'rejected' : 'fulfilled')),
    );
    expect(String((results[5] as PromiseRejectedResult).reason)).toMatch(/refused entry/);
    expect(await whoAccessed(t.db, 'C-5')).toEqual([]);
    expect(await verifyAudit(t.db)).toMatchObject({ ok: true, entries: 10 });
  });
});

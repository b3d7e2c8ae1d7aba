import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createTestDb, testEngine, type TestDb } from './testing.ts';
import { listMigrationFiles, migrate, migrationName, migrationStatus } from './migrate.ts';
import { openPglite } from './pglite.ts';
import { openPostgres } from './postgres.ts';

describe(`migrations on ${testEngine}`, () => {
  let t: TestDb | undefined;
  afterEach(async () => {
    await t?.close();
    t = undefined;
  });

  it('the template has every migration applied and a second run applies nothing', async () => {
    t = await createTestDb();
    const status = await migrationStatus(t.db);
    expect(status.length).toBe(listMigrationFiles().length);
    expect(status.every((s) => s.appliedAt !== null)).toBe(true);
    expect(await migrate(t.db)).toEqual([]);
  });

  it('refuses to run when an applied migration file was edited', async () => {
    t = await createTestDb();
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mig-'));
    for (const f of listMigrationFiles()) {
      const sql = f.id === 1 ? f.sql + '\n-- edited\n' : f.sql;
      fs.writeFileSync(path.join(dir, `${migrationName(f)}.sql`), sql);
    }
    await expect(migrate(t.db, dir)).rejects.toThrow(/was changed after it was applied/);
  });

  it('applies new migrations in number order and reports them', async () => {
    t = await createTestDb();
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mig-'));
    for (const f of listMigrationFiles()) {
      fs.writeFileSync(path.join(dir, `${migrationName(f)}.sql`), f.sql);
    }
    fs.writeFileSync(path.join(dir, '9998_first_extra.sql'), 'CREATE TABLE extra_a (id int);');
    fs.writeFileSync(path.join(dir, '9999_second_extra.sql'), 'ALTER TABLE extra_a ADD COLUMN note text;');
    expect(await migrate(t.db, dir)).toEqual(['9998_first_extra', '9999_second_extra']);
    const cols = await t.db.query<{ column_name: string }>(
      `SELECT column_name FROM information_schema.columns WHERE table_name = 'extra_a' ORDER BY column_name`,
    );
    expect(cols.map((c) => c.column_name)).toEqual(['id', 'note']);
  });

  it('rolls back a failing migration and leaves it pending', async () => {
    t = await createTestDb();
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mig-'));
    for (const f of listMigrationFiles()) {
      fs.writeFileSync(path.join(dir, `${migrationName(f)}.sql`), f.sql);
    }
    fs.writeFileSync(
      path.join(dir, '9999_broken.sql'),
      'CREATE TABLE half_done (id int); SELECT no_such_function();',
    );
    await expect(migrate(t.db, dir)).rejects.toThrow(/migration 9999_broken failed/);
    const status = await migrationStatus(t.db, dir);
    expect(status.at(-1)).toMatchObject({ name: 'broken', appliedAt: null });
    const [r] = await t.db.query<{ t: string | null }>(`SELECT to_regclass('half_done')::text AS t`);
    expect(r?.t).toBeNull();
  });

  it.runIf(testEngine === 'postgres')(
    'two processes migrating at once apply each migration once',
    async () => {
      t = await createTestDb();
      // Start from an empty database on the same server.
      await t.db.exec('DROP SCHEMA public CASCADE; CREATE SCHEMA public;');
      const a = await openPostgres(t.url!);
      const b = await openPostgres(t.url!);
      try {
        const [ra, rb] = await Promise.all([migrate(a), migrate(b)]);
        expect([...ra, ...rb].sort()).toEqual(listMigrationFiles().map((f) => migrationName(f)));
      } finally {
        await a.close();
        await b.close();
      }
    },
  );
});

describe('embedded data folder', () => {
  it('a second opener of the same folder gets a clear error naming the holder', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bridge-data-'));
    fs.writeFileSync(path.join(dir, 'bridge.lock'), String(process.ppid));
    await expect(openPglite({ dataDir: dir })).rejects.toThrow(/is in use by process \d+/);
  });

  it('a lock left by a dead process is taken over, and released on close', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bridge-data-'));
    fs.writeFileSync(path.join(dir, 'bridge.lock'), '999999999');
    const db = await openPglite({ dataDir: dir });
    expect(fs.readFileSync(path.join(dir, 'bridge.lock'), 'utf8')).toBe(String(process.pid));
    await db.close();
    expect(fs.existsSync(path.join(dir, 'bridge.lock'))).toBe(false);
  });
});

// Numbered, forward-only SQL migrations, applied in order at start. A migration that has been
// applied is never edited: its checksum is stored and a changed file stops the program.
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { BridgeError } from '../shared/errors.ts';
import type { Db, Queryable } from './db.ts';

export const MIGRATIONS_DIR = path.join(path.dirname(fileURLToPath(import.meta.url)), 'migrations');

// Any fixed number shared by every bridge process: two processes starting at once on one server
// take turns instead of applying the same migration twice.
const MIGRATION_LOCK_KEY = 727_001;

export interface MigrationFile {
  id: number;
  name: string;
  sql: string;
  checksum: string;
}

export interface MigrationStatus {
  id: number;
  name: string;
  appliedAt: string | null;
}

export function listMigrationFiles(dir = MIGRATIONS_DIR): MigrationFile[] {
  const files = fs
    .readdirSync(dir)
    .filter((f) => f.endsWith('.sql'))
    .sort();
  const seen = new Set<number>();
  return files.map((file) => {
    const m = /^(\d{4})_([a-z0-9_]+)\.sql$/.exec(file);
    if (!m) throw new Error(`migration file name must look like 0001_name.sql: ${file}`);
    const id = Number(m[1]);
    if (seen.has(id)) throw new Error(`two migrations are numbered ${m[1]}`);
    seen.add(id);
    const sql = fs.readFileSync(path.join(dir, file), 'utf8');
    return { id, name: m[2]!, sql, checksum: crypto.createHash('sha256').update(sql).digest('hex') };
  });
}

export function migrationName(m: { id: number; name: string }): string {
  return `${String(m.id).padStart(4, '0')}_${m.name}`;
}

async function ensureTable(conn: Queryable): Promise<void> {
  await conn.exec(`CREATE TABLE IF NOT EXISTS bridge_migration (
    id integer PRIMARY KEY,
    name text NOT NULL,
    checksum text NOT NULL,
    applied_at timestamptz NOT NULL DEFAULT now()
  )`);
}

async function appliedRows(conn: Queryable) {
  return conn.query<{ id: number; name: string; checksum: string; applied_at: Date }>(
    'SELECT id, name, checksum, applied_at FROM bridge_migration ORDER BY id',
  );
}

function checkUnchanged(files: MigrationFile[], applied: { id: number; name: string; checksum: string }[]) {
  const byId = new Map(files.map((f) => [f.id, f]));
  for (const a of applied) {
    const f = byId.get(a.id);
    if (f && f.checksum !== a.checksum) {
      throw new BridgeError(
        'MIGRATION_CHANGED',
        `migration ${migrationName(a)} was changed after it was applied; ` +
          'applied migrations are frozen: add a new numbered migration instead',
      );
    }
  }
}

/** Applies every pending migration; returns the names applied. */
export async function migrate(db: Db, dir = MIGRATIONS_DIR): Promise<string[]> {
  const files = listMigrationFiles(dir);
  return db.withAdvisoryLock(MIGRATION_LOCK_KEY, async (conn) => {
    await ensureTable(conn);
    const applied = await appliedRows(conn);
    checkUnchanged(files, applied);
    const done = new Set(applied.map((a) => a.id));
    const names: string[] = [];
    for (const f of files) {
      if (done.has(f.id)) continue;
      await conn.exec('BEGIN');
      try {
        await conn.exec(f.sql);
        await conn.query('INSERT INTO bridge_migration (id, name, checksum) VALUES ($1, $2, $3)', [
          f.id,
          f.name,
          f.checksum,
        ]);
        await conn.exec('COMMIT');
      } catch (e) {
        await conn.exec('ROLLBACK');
        throw new BridgeError(
          'INTERNAL',
          `migration ${migrationName(f)} failed: ${(e as Error).message}`,
          {},
          { cause: e },
        );
      }
      names.push(migrationName(f));
    }
    return names;
  });
}

/** Every known migration with the time it was applied, or null when pending. */
export async function migrationStatus(db: Db, dir = MIGRATIONS_DIR): Promise<MigrationStatus[]> {
  const files = listMigrationFiles(dir);
  const exists = await db.query<{ t: string | null }>(`SELECT to_regclass('bridge_migration')::text AS t`);
  const applied = exists[0]?.t ? await appliedRows(db) : [];
  checkUnchanged(files, applied);
  const at = new Map(applied.map((a) => [a.id, a.applied_at]));
  return files.map((f) => ({
    id: f.id,
    name: f.name,
    appliedAt: at.has(f.id) ? new Date(at.get(f.id)!).toISOString() : null,
  }));
}

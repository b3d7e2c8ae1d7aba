// The databases of the benchmarks and drills: one a benchmark fills once and reuses (created on the
// server when missing), or a scratch one of either engine, migrated, used for one run and removed.
import fs from 'node:fs';
import pg from 'pg';
import { migrate, type Db } from '../../src/db/index.ts';
import { openPglite } from '../../src/db/pglite.ts';
import { openPostgres } from '../../src/db/postgres.ts';

export async function createDatabaseIfMissing(url: string): Promise<void> {
  const name = new URL(url).pathname.slice(1);
  const admin = new pg.Client({
    connectionString: Object.assign(new URL(url), { pathname: '/postgres' }).toString(),
  });
  await admin.connect();
  try {
    const exists = await admin.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
    if (exists.rowCount === 0) await admin.query(`CREATE DATABASE "${name.replace(/"/g, '')}"`);
  } finally {
    await admin.end();
  }
}

/** Runs one statement (CREATE or DROP DATABASE) on the server of `url`, in the database of `url`. */
export async function adminQuery(url: string, sql: string): Promise<void> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    await c.query(sql);
  } finally {
    await c.end();
  }
}

/**
 * Runs `fn` on a new, migrated database `name` on the server of `url` (any database of it), with
 * the new database's URL, created afresh (one a killed run left is dropped first) and dropped
 * afterwards, along with any connection a killed process left to it.
 */
export async function withScratchDatabase<T>(
  url: string,
  name: string,
  fn: (db: Db, url: string) => Promise<T>,
): Promise<T> {
  const admin = Object.assign(new URL(url), { pathname: '/postgres' }).toString();
  const scratch = Object.assign(new URL(url), { pathname: `/${name}` }).toString();
  await adminQuery(admin, `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  await adminQuery(admin, `CREATE DATABASE ${name}`);
  try {
    const db = await openPostgres(scratch);
    try {
      await migrate(db);
      return await fn(db, scratch);
    } finally {
      await db.close();
    }
  } finally {
    await adminQuery(admin, `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  }
}

/** Where a benchmark's scratch database goes: a database `name` on a PostgreSQL server, or PGlite. */
export type ScratchPlace =
  | { url: string; name: string }
  /** In `dataDir` (emptied first, removed after), or in memory without one. */
  | { dataDir?: string };

/** Runs `fn` on a new, migrated database of either engine, removed afterwards. */
export async function withScratchDb<T>(place: ScratchPlace, fn: (db: Db) => Promise<T>): Promise<T> {
  if ('url' in place) return withScratchDatabase(place.url, place.name, (db) => fn(db));
  const { dataDir } = place;
  if (dataDir) fs.rmSync(dataDir, { recursive: true, force: true });
  const db = await openPglite(dataDir ? { dataDir } : {});
  try {
    await migrate(db);
    return await fn(db);
  } finally {
    await db.close();
    if (dataDir) fs.rmSync(dataDir, { recursive: true, force: true });
  }
}

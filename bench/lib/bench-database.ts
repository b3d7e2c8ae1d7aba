// The PostgreSQL databases of the benchmarks: one a benchmark fills once and reuses (created on the
// server when missing), or a scratch one, migrated, used for one run and dropped.
import pg from 'pg';
import { migrate, type Db } from '../../src/db/index.ts';
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
 * Runs `fn` on a new, migrated database `name` on the server of `url` (any database of it),
 * created afresh (one a killed run left is dropped first) and dropped afterwards.
 */
export async function withScratchDatabase<T>(
  url: string,
  name: string,
  fn: (db: Db) => Promise<T>,
): Promise<T> {
  const admin = Object.assign(new URL(url), { pathname: '/postgres' }).toString();
  await adminQuery(admin, `DROP DATABASE IF EXISTS ${name}`);
  await adminQuery(admin, `CREATE DATABASE ${name}`);
  try {
    const db = await openPostgres(Object.assign(new URL(url), { pathname: `/${name}` }).toString());
    try {
      await migrate(db);
      return await fn(db);
    } finally {
      await db.close();
    }
  } finally {
    await adminQuery(admin, `DROP DATABASE IF EXISTS ${name}`);
  }
}

// Database tests get a fresh migrated database per call: a copy of the PGlite template, or a new
// database created from the server template when TEST_DATABASE_URL is set. The same tests run on both.
import fs from 'node:fs';
import crypto from 'node:crypto';
import pg from 'pg';
import { inject } from 'vitest';
import type { Db } from './db.ts';
import { openPglite } from './pglite.ts';
import { openPostgres } from './postgres.ts';

export const testEngine: 'pglite' | 'postgres' = process.env.TEST_DATABASE_URL ? 'postgres' : 'pglite';

export interface TestDb {
  db: Db;
  /** Connection URL of this test database (server engine only), for a second process or pool. */
  url: string | undefined;
  close(): Promise<void>;
}

export async function createTestDb(): Promise<TestDb> {
  const url = process.env.TEST_DATABASE_URL;
  if (!url) {
    const dump = fs.readFileSync(inject('pgliteTemplate'));
    const db = await openPglite({ loadDataDir: new Blob([dump]) });
    return { db, url: undefined, close: () => db.close() };
  }
  const template = inject('pgTemplate');
  const name = `bridge_t_${template.replace('bridge_template_', '')}_${crypto.randomBytes(4).toString('hex')}`;
  const admin = new pg.Client({ connectionString: url });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name} TEMPLATE ${template}`);
  await admin.end();
  const u = new URL(url);
  u.pathname = `/${name}`;
  const db = await openPostgres(u.toString());
  return {
    db,
    url: u.toString(),
    async close() {
      await db.close();
      const a = new pg.Client({ connectionString: url });
      await a.connect();
      await a.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await a.end();
    },
  };
}

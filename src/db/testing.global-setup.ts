// Prepares the database tests' template once per run: a migrated PGlite dump on disk and, when
// TEST_DATABASE_URL is set, a migrated template database on that PostgreSQL server.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import crypto from 'node:crypto';
import pg from 'pg';
import type { TestProject } from 'vitest/node';
import { openPglite } from './pglite.ts';
import { migrate } from './migrate.ts';
import { openPostgres, redactUrl } from './postgres.ts';

export default async function setup(project: TestProject) {
  const runId = `${process.pid}_${crypto.randomBytes(3).toString('hex')}`;
  const dumpPath = path.join(os.tmpdir(), `bridge-template-${runId}.tar`);
  const mem = await openPglite({});
  await migrate(mem);
  fs.writeFileSync(dumpPath, Buffer.from(await (await mem.dump()).arrayBuffer()));
  await mem.close();
  project.provide('pgliteTemplate', dumpPath);

  const url = process.env.TEST_DATABASE_URL;
  let templateDb = '';
  if (url) {
    templateDb = `bridge_template_${runId}`;
    const admin = new pg.Client({ connectionString: url });
    await admin.connect();
    await admin.query(`CREATE DATABASE ${templateDb}`);
    await admin.end();
    const u = new URL(url);
    u.pathname = `/${templateDb}`;
    const db = await openPostgres(u.toString(), { max: 1 });
    await migrate(db);
    await db.close();
    process.stdout.write(`database tests run on the PostgreSQL server at ${redactUrl(url)}\n`);
  } else {
    process.stdout.write('database tests run on embedded PGlite (set TEST_DATABASE_URL for a server)\n');
  }
  project.provide('pgTemplate', templateDb);

  return async () => {
    fs.rmSync(dumpPath, { force: true });
    if (url && templateDb) {
      const admin = new pg.Client({ connectionString: url });
      await admin.connect();
      const left = await admin.query<{ datname: string }>(
        `SELECT datname FROM pg_database WHERE datname LIKE $1`,
        [`bridge_t_${runId}%`],
      );
      for (const r of left.rows) await admin.query(`DROP DATABASE IF EXISTS ${r.datname} WITH (FORCE)`);
      await admin.query(`DROP DATABASE IF EXISTS ${templateDb} WITH (FORCE)`);
      await admin.end();
    }
  };
}

declare module 'vitest' {
  export interface ProvidedContext {
    pgliteTemplate: string;
    pgTemplate: string;
  }
}

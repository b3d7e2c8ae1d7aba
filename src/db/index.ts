// Opens the configured database: a PostgreSQL server when DATABASE_URL is set, else PGlite in the
// data folder. Callers get the same `Db` either way.
import type { Config } from '../shared/config.ts';
import type { Db } from './db.ts';
import { openPglite } from './pglite.ts';
import { openPostgres } from './postgres.ts';
import { migrate } from './migrate.ts';

export type { CopyPiece, Db, Queryable, QueryOptions, Row } from './db.ts';
export {
  CopyTextBuffer,
  copyTextFields,
  copyTextLine,
  copyTextValue,
  ident,
  literal,
  eachCopyRow,
  takeIds,
  textArray,
} from './db.ts';
export { migrate, migrationName, migrationStatus, listMigrationFiles } from './migrate.ts';

export async function openDb(config: Pick<Config, 'databaseUrl' | 'dataDir'>): Promise<Db> {
  return config.databaseUrl ? openPostgres(config.databaseUrl) : openPglite({ dataDir: config.dataDir });
}

/** Opens the database and applies pending migrations (what every long-running command does at start). */
export async function openMigratedDb(config: Pick<Config, 'databaseUrl' | 'dataDir'>): Promise<Db> {
  const db = await openDb(config);
  try {
    await migrate(db);
  } catch (e) {
    await db.close();
    throw e;
  }
  return db;
}

// What every command gets: configuration, a log on standard error, the clock, and a database that
// is opened (and migrated) on demand and always closed.
import { loadConfig, type Config } from '../shared/config.ts';
import { createLog, type Log } from '../shared/log.ts';
import { systemClock, type Clock } from '../shared/clock.ts';
import { openMigratedDb, type Db } from '../db/index.ts';

export interface CommandContext {
  config: Config;
  log: Log;
  clock: Clock;
}

export function commandContext(): CommandContext {
  const config = loadConfig();
  // Commands talk to people on stderr; the JSON log is for `serve`/`worker` and warnings.
  const log = createLog(process.env.BRIDGE_LOG_LEVEL || 'warn');
  return { config, log, clock: systemClock };
}

/** Opens the migrated database, runs `fn`, and closes the database whatever happens. */
export async function withDb<T>(ctx: CommandContext, fn: (db: Db) => Promise<T>): Promise<T> {
  const db = await openMigratedDb(ctx.config);
  try {
    return await fn(db);
  } finally {
    await db.close();
  }
}

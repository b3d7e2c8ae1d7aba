// Embedded engine: PGlite in a data folder. One process at a time may open a folder, so a lock
// file names the holder and a second process gets a clear error instead of a corrupted folder.
import fs from 'node:fs';
import path from 'node:path';
import { PGlite, types, type Transaction } from '@electric-sql/pglite';
import { BridgeError } from '../shared/errors.ts';
import { copyTextLine, ident, eachCopyRow } from './db.ts';
import type { Db, Queryable, QueryOptions, Row } from './db.ts';
import { pidAlive } from '../shared/claims.ts';

const LOCK_FILE = 'bridge.lock';

// Same JavaScript values as the server engine: DATE as 'YYYY-MM-DD', int8 as number.
const parsers = {
  [types.DATE]: (v: string) => v,
  [types.INT8]: (v: string) => Number(v),
};

function takeLock(dataDir: string): () => void {
  fs.mkdirSync(dataDir, { recursive: true });
  const lockPath = path.join(dataDir, LOCK_FILE);
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      fs.writeFileSync(lockPath, String(process.pid), { flag: 'wx' });
      return () => fs.rmSync(lockPath, { force: true });
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      const holder = Number(fs.readFileSync(lockPath, 'utf8'));
      if (Number.isInteger(holder) && holder > 0 && holder !== process.pid && pidAlive(holder)) {
        throw new BridgeError(
          'DATA_DIR_IN_USE',
          `the data folder ${dataDir} is in use by process ${holder} (a running "bridge serve" or other command); ` +
            'stop it first, or use a PostgreSQL server (DATABASE_URL) for several processes',
        );
      }
      fs.rmSync(lockPath, { force: true }); // left by a process that died
    }
  }
  throw new BridgeError('DATA_DIR_IN_USE', `could not lock the data folder ${dataDir}`);
}

function wrap(conn: PGlite | Transaction): Queryable {
  const copyBlob = async (table: string, columns: readonly string[], blob: Blob) => {
    await conn.query(`COPY ${ident(table)} (${columns.map(ident).join(', ')}) FROM '/dev/blob'`, [], {
      blob,
    });
  };
  return {
    async query<T = Row>(sql: string, params: readonly unknown[] = [], options: QueryOptions = {}) {
      const res = await conn.query<T>(
        sql,
        params as unknown[],
        options.rowMode ? { rowMode: options.rowMode } : undefined,
      );
      return res.rows;
    },
    async exec(sql: string) {
      await conn.exec(sql);
    },
    async copyRows(table, columns, rows) {
      const parts: string[] = [];
      for (const r of rows) parts.push(copyTextLine(r));
      if (parts.length > 0) await copyBlob(table, columns, new Blob(parts));
      return parts.length;
    },
    async copyText(table, columns, text) {
      // The bytes are never a view of a SharedArrayBuffer, which Blob's type leaves out.
      if (text.length > 0)
        await copyBlob(table, columns, new Blob([text as string | Uint8Array<ArrayBuffer>]));
    },
    async copyOut(sql, onRow) {
      const res = await conn.query(`COPY (${sql}) TO '/dev/blob'`);
      return res.blob ? eachCopyRow(await res.blob.text(), onRow) : 0;
    },
  };
}

export interface PgliteOpenOptions {
  /** Folder of the database; undefined keeps it in memory (tests). */
  dataDir?: string;
  /** A database dump to start from (tests copy a migrated template this way). */
  loadDataDir?: Blob;
}

export type PgliteDb = Db & {
  /** The whole database as a tarball, to start copies from (test templates). */
  dump(): Promise<Blob>;
};

export async function openPglite(options: PgliteOpenOptions): Promise<PgliteDb> {
  const release = options.dataDir ? takeLock(options.dataDir) : () => {};
  let pg: PGlite;
  try {
    pg = await PGlite.create({
      dataDir: options.dataDir,
      loadDataDir: options.loadDataDir,
      parsers,
      relaxedDurability: false,
    });
  } catch (e) {
    release();
    throw new BridgeError(
      'DB_UNAVAILABLE',
      `cannot open the embedded database in ${options.dataDir ?? 'memory'}`,
      {},
      { cause: e },
    );
  }
  const base = wrap(pg);
  return {
    engine: 'pglite',
    description: options.dataDir ? `embedded PGlite in ${options.dataDir}` : 'embedded PGlite in memory',
    ...base,
    transaction: (fn) => pg.transaction((tx) => fn(wrap(tx))),
    withAdvisoryLock: (_key, fn) => fn(base),
    async listen(channel, onNotify) {
      const stop = await pg.listen(channel, () => onNotify());
      return async () => {
        if (!pg.closed) await stop();
      };
    },
    dump: () => pg.dumpDataDir('none'),
    async close() {
      try {
        if (!pg.closed) await pg.close();
      } finally {
        release();
      }
    },
  };
}

// Server engine: a pg pool. Used when DATABASE_URL is set; several processes may share the server.
import pg from 'pg';
import { from as copyFrom, to as copyTo } from 'pg-copy-streams';
import { pipeline } from 'node:stream/promises';
import { Readable } from 'node:stream';
import { BridgeError } from '../shared/errors.ts';
import { copyTextLine, ident, eachCopyRow } from './db.ts';
import type { Db, Queryable, QueryOptions, Row } from './db.ts';

// Same JavaScript values as the embedded engine: DATE as 'YYYY-MM-DD', int8 as number.
const typeParsers = {
  getTypeParser(oid: number, format?: 'text' | 'binary') {
    if (oid === pg.types.builtins.DATE) return (v: string) => v;
    if (oid === pg.types.builtins.INT8) return (v: string) => Number(v);
    return pg.types.getTypeParser(oid, format);
  },
};

type PgConn = pg.Pool | pg.PoolClient;

/** The name each prepared text goes by, the same on every connection of this process. */
const statementNames = new Map<string, string>();
function statementName(sql: string): string {
  let name = statementNames.get(sql);
  if (name === undefined) {
    name = `bridge_${statementNames.size + 1}`;
    statementNames.set(sql, name);
  }
  return name;
}

/** Sends COPY text to a table, chunk by chunk, on the connection (or one of the pool's). */
async function copyIn(
  conn: PgConn,
  table: string,
  columns: readonly string[],
  chunks: Iterable<string | Uint8Array>,
) {
  const client = 'release' in conn ? conn : await conn.connect();
  try {
    const sink = client.query(copyFrom(`COPY ${ident(table)} (${columns.map(ident).join(', ')}) FROM STDIN`));
    await pipeline(Readable.from(chunks), sink);
  } finally {
    if (client !== conn) (client as pg.PoolClient).release();
  }
}

function wrap(conn: PgConn): Queryable {
  return {
    async query<T = Row>(sql: string, params: readonly unknown[] = [], options: QueryOptions = {}) {
      const res = await conn.query({
        text: sql,
        values: params as unknown[],
        types: typeParsers,
        ...(options.prepare ? { name: statementName(sql) } : {}),
        ...(options.rowMode ? { rowMode: options.rowMode } : {}),
      });
      return res.rows as T[];
    },
    async exec(sql: string) {
      await conn.query(sql);
    },
    async copyRows(table, columns, rows) {
      let n = 0;
      await copyIn(
        conn,
        table,
        columns,
        // Lines go out in chunks of about 64 kB: one write per line costs a system call each.
        (function* () {
          let chunk = '';
          for (const r of rows) {
            n++;
            chunk += copyTextLine(r);
            if (chunk.length >= 65_536) {
              yield chunk;
              chunk = '';
            }
          }
          if (chunk) yield chunk;
        })(),
      );
      return n;
    },
    async copyText(table, columns, text) {
      if (text.length > 0) await copyIn(conn, table, columns, [text]);
    },
    async copyOut(sql, onRow) {
      const client = 'release' in conn ? conn : await conn.connect();
      try {
        // Lines are handled as chunks arrive, while the server writes the rest.
        const decoder = new TextDecoder();
        let rest = '';
        let n = 0;
        for await (const chunk of client.query(copyTo(`COPY (${sql}) TO STDOUT`))) {
          const text = rest + decoder.decode(chunk as Buffer, { stream: true });
          const end = text.lastIndexOf('\n') + 1;
          rest = text.slice(end);
          n += eachCopyRow(text.slice(0, end), onRow);
        }
        return n + eachCopyRow(rest + decoder.decode(), onRow);
      } finally {
        if (client !== conn) (client as pg.PoolClient).release();
      }
    },
  };
}

export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return 'postgres://(unparseable URL)';
  }
}

export async function openPostgres(
  url: string,
  options: { max?: number; applicationName?: string } = {},
): Promise<Db> {
  const pool = new pg.Pool({
    connectionString: url,
    max: options.max ?? 10,
    ...(options.applicationName ? { application_name: options.applicationName } : {}),
  });
  // An idle client losing its connection (server restart) must not crash the process.
  pool.on('error', () => {});
  try {
    const c = await pool.connect();
    c.release();
  } catch (e) {
    await pool.end().catch(() => {});
    throw new BridgeError(
      'DB_UNAVAILABLE',
      `cannot connect to the PostgreSQL server at ${redactUrl(url)}: ${(e as Error).message}`,
      {},
      { cause: e },
    );
  }
  const base = wrap(pool);
  // Each listener holds its own connection outside the pool (LISTEN lives as long as the session).
  const listeners = new Set<pg.Client>();
  return {
    engine: 'postgres',
    description: `PostgreSQL server at ${redactUrl(url)}`,
    url,
    ...base,
    async transaction(fn) {
      const client = await pool.connect();
      try {
        await client.query('BEGIN');
        const result = await fn(wrap(client));
        await client.query('COMMIT');
        return result;
      } catch (e) {
        await client.query('ROLLBACK').catch(() => {});
        throw e;
      } finally {
        client.release();
      }
    },
    async withAdvisoryLock(key, fn) {
      const client = await pool.connect();
      try {
        await client.query('SELECT pg_advisory_lock($1)', [key]);
        try {
          return await fn(wrap(client));
        } finally {
          await client.query('SELECT pg_advisory_unlock($1)', [key]);
        }
      } finally {
        client.release();
      }
    },
    async listen(channel, onNotify) {
      const client = new pg.Client({ connectionString: url });
      client.on('error', () => {});
      await client.connect();
      client.on('notification', (m) => {
        if (m.channel === channel) onNotify();
      });
      await client.query(`LISTEN ${ident(channel)}`);
      listeners.add(client);
      return async () => {
        if (listeners.delete(client)) await client.end().catch(() => {});
      };
    },
    async close() {
      await Promise.all([...listeners].map((c) => c.end().catch(() => {})));
      listeners.clear();
      await pool.end();
    },
  };
}

// The one database interface the rest of the code sees. Two engines speak the same dialect:
// embedded PGlite (a data folder, one session) and a PostgreSQL server (a pool).

export type Row = Record<string, unknown>;

export interface Queryable {
  /** Runs one parameterized statement and returns its rows. */
  query<T = Row>(sql: string, params?: readonly unknown[]): Promise<T[]>;
  /** Runs a script of several statements without parameters (migrations). */
  exec(sql: string): Promise<void>;
  /**
   * Bulk-loads rows with COPY (text format). Values are strings or null; the fastest path on
   * both engines.
   */
  copyRows(
    table: string,
    columns: readonly string[],
    rows: Iterable<readonly (string | null)[]>,
  ): Promise<number>;
}

export interface Db extends Queryable {
  readonly engine: 'pglite' | 'postgres';
  /** A human description that never includes a password. */
  readonly description: string;
  /** Runs `fn` in one transaction; it commits when `fn` resolves and rolls back when it throws. */
  transaction<T>(fn: (tx: Queryable) => Promise<T>): Promise<T>;
  /**
   * Runs `fn` while holding a session-level advisory lock (migrations, single-writer sweeps).
   * On PGlite there is one session, so the lock is the instance itself.
   */
  withAdvisoryLock<T>(key: number, fn: (conn: Queryable) => Promise<T>): Promise<T>;
  /**
   * Calls `onNotify` each time a transaction that ran `pg_notify(channel, ...)` commits, in any
   * process using the same database. Returns the function that stops listening. A listener whose
   * connection drops stops hearing anything, so callers keep polling, only less often.
   */
  listen?(channel: string, onNotify: () => void): Promise<() => Promise<void>>;
  close(): Promise<void>;
}

/** Encodes one row for COPY ... FROM STDIN in text format. */
export function copyTextLine(values: readonly (string | null)[]): string {
  let line = '';
  for (let i = 0; i < values.length; i++) {
    if (i > 0) line += '\t';
    const v = values[i];
    if (v === null || v === undefined) {
      line += '\\N';
    } else {
      line += v.replace(/[\\\t\n\r]/g, (c) =>
        c === '\\' ? '\\\\' : c === '\t' ? '\\t' : c === '\n' ? '\\n' : '\\r',
      );
    }
  }
  return line + '\n';
}

/** Quotes an SQL identifier (table or column names chosen by code, never by users). */
export function ident(name: string): string {
  if (!/^[a-z_][a-z0-9_]*(\.[a-z_][a-z0-9_]*)?$/.test(name))
    throw new Error(`not a safe identifier: ${name}`);
  return name
    .split('.')
    .map((p) => `"${p}"`)
    .join('.');
}

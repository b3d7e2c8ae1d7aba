// The one database interface the rest of the code sees. Two engines speak the same dialect:
// embedded PGlite (a data folder, one session) and a PostgreSQL server (a pool).

export type Row = Record<string, unknown>;

export interface QueryOptions {
  /**
   * Server engine: the statement is prepared once on each connection and run by name after, so
   * the server plans it once instead of on every run. For statements run for every request whose
   * text does not vary with the values (those are parameters): each distinct text stays prepared
   * for as long as the connection lives. The embedded engine ignores it.
   */
  prepare?: boolean;
  /** Each row as an array of its values in column order instead of an object. */
  rowMode?: 'array';
}

export interface Queryable {
  /** Runs one parameterized statement and returns its rows. */
  query<T = Row>(sql: string, params?: readonly unknown[], options?: QueryOptions): Promise<T[]>;
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
  /**
   * Bulk-loads rows already encoded as COPY text (as a string, or its UTF-8 bytes), one
   * `copyTextLine` each: rows encoded where they were made (another thread), so that only one string
   * crosses over.
   */
  copyText(table: string, columns: readonly string[], text: string | Uint8Array): Promise<void>;
  /**
   * Runs one query (no parameters: callers inline only numbers and quoted literals) through
   * `COPY (...) TO` in text format and calls `onRow` with each row's fields as strings (NULL as
   * null), in order; resolves to the number of rows. Several times cheaper than `query` for large
   * reads: the driver decodes one text instead of every field into row objects, and rows handled
   * as they come never pile up in memory (the server engine streams them).
   */
  copyOut(sql: string, onRow: (fields: (string | null)[]) => void): Promise<number>;
}

export interface Db extends Queryable {
  readonly engine: 'pglite' | 'postgres';
  /** A human description that never includes a password. */
  readonly description: string;
  /**
   * The server's connection URL (server engine only), for worker threads that open the same
   * database. Never shown: `description` is the printable form.
   */
  readonly url?: string;
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

/**
 * Takes `n` ids from a table's id sequence, in increasing order, so that rows can be COPYed with
 * their ids known (COPY returns none).
 */
export async function takeIds(tx: Queryable, table: string, n: number): Promise<number[]> {
  if (n === 0) return [];
  // One text value rather than n result rows: less for Node to read back on a 10,000-row chunk. The
  // sequence is looked up once (MATERIALIZED keeps the planner from looking it up for every id, which
  // made 10,000 ids take 60 ms instead of 9).
  const [row] = await tx.query<{ ids: string }>(
    `WITH s AS MATERIALIZED (SELECT pg_get_serial_sequence($1, 'id')::regclass AS seq)
     SELECT string_agg(nextval(s.seq)::text, ',') AS ids FROM s, generate_series(1, $2)`,
    [table, n],
  );
  return row!.ids
    .split(',')
    .map(Number)
    .sort((a, b) => a - b);
}

const NEEDS_ESCAPE = /[\\\t\n\r]/;
const ESCAPES = /[\\\t\n\r]/g;
const escapeOf = (c: string) => (c === '\\' ? '\\\\' : c === '\t' ? '\\t' : c === '\n' ? '\\n' : '\\r');

/** Encodes one value as a field of COPY text (NULL as \\N). */
export function copyTextValue(v: string | null | undefined): string {
  if (v === null || v === undefined) return '\\N';
  // Testing first is about three times faster than replacing: nearly no value needs an escape.
  return NEEDS_ESCAPE.test(v) ? v.replace(ESCAPES, escapeOf) : v;
}

/** Encodes values as consecutive fields of one COPY text line, without the line's end. */
export function copyTextFields(values: readonly (string | null)[]): string {
  let fields = '';
  for (let i = 0; i < values.length; i++) {
    if (i > 0) fields += '\t';
    fields += copyTextValue(values[i]);
  }
  return fields;
}

/** Encodes one row for COPY ... FROM STDIN in text format. */
export function copyTextLine(values: readonly (string | null)[]): string {
  return copyTextFields(values) + '\n';
}

/** A piece of COPY text: as a string, or as its UTF-8 bytes. */
export type CopyPiece = string | Uint8Array;

/**
 * COPY text assembled as UTF-8 bytes, for `copyText`: pieces already encoded elsewhere (a reading
 * thread's bytes) are copied in as they are, and only what is decided here is encoded.
 */
export class CopyTextBuffer {
  private buf: Buffer;
  private end = 0;

  constructor(capacity = 65_536) {
    this.buf = Buffer.allocUnsafe(capacity);
  }

  /** Appends a piece; strings are encoded. */
  add(piece: CopyPiece): this {
    if (typeof piece === 'string') {
      this.room(piece.length * 3);
      this.end += this.buf.write(piece, this.end);
    } else {
      this.room(piece.length);
      this.buf.set(piece, this.end);
      this.end += piece.length;
    }
    return this;
  }

  /** Bytes written so far. */
  get length(): number {
    return this.end;
  }

  /** The text so far: a view, valid until the next `add`. */
  get bytes(): Buffer {
    return this.buf.subarray(0, this.end);
  }

  private room(n: number) {
    if (this.end + n <= this.buf.length) return;
    const grown = Buffer.allocUnsafe(Math.max(this.buf.length * 2, this.end + n));
    this.buf.copy(grown, 0, 0, this.end);
    this.buf = grown;
  }
}

const UNESCAPE: Record<string, string> = { b: '\b', f: '\f', n: '\n', r: '\r', t: '\t', v: '\v' };

/** One field of COPY text output with its backslash escapes decoded (PostgreSQL writes only these). */
function unescapeCopy(field: string): string {
  return field.replace(/\\(.)/g, (_, c: string) => UNESCAPE[c] ?? c);
}

/**
 * Decodes output of COPY ... TO in text format (whole lines): calls `onRow` with each line's
 * fields, \N as null, escapes decoded; returns the number of lines. Fields are cut out one by one
 * rather than split: most fields of a wide row are NULL, and no string is made for those.
 */
export function eachCopyRow(text: string, onRow: (fields: (string | null)[]) => void): number {
  let n = 0;
  let start = 0;
  const len = text.length;
  while (start < len) {
    let end = text.indexOf('\n', start);
    if (end < 0) end = len;
    const fields: (string | null)[] = [];
    let p = start;
    for (;;) {
      let q = text.indexOf('\t', p);
      if (q < 0 || q > end) q = end;
      if (q - p === 2 && text.charCodeAt(p) === 92 && text.charCodeAt(p + 1) === 78)
        fields.push(null); // \N
      else {
        const v = text.slice(p, q);
        fields.push(v.includes('\\') ? unescapeCopy(v) : v);
      }
      if (q === end) break;
      p = q + 1;
    }
    onRow(fields);
    n++;
    start = end + 1;
  }
  return n;
}

/** Quotes an SQL literal (a value inlined where COPY takes no parameters). */
export function literal(value: string): string {
  return `'${value.replace(/'/g, "''")}'`;
}

/** A text[] literal of the values (for statements run through COPY, which take no parameters). */
export function textArray(values: readonly string[]): string {
  return `ARRAY[${values.map(literal).join(',')}]::text[]`;
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

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CopyTextBuffer, copyTextLine, eachCopyRow, literal } from './db.ts';
import type { Queryable } from './db.ts';

function parseCopyText(text: string) {
  const rows: (string | null)[][] = [];
  eachCopyRow(text, (r) => rows.push(r));
  return rows;
}

async function copyOut(db: Queryable, sql: string) {
  const rows: (string | null)[][] = [];
  const n = await db.copyOut(sql, (r) => rows.push(r));
  expect(n).toBe(rows.length);
  return rows;
}
import { createTestDb, testEngine, type TestDb } from './testing.ts';

describe('copyTextLine', () => {
  it('escapes the characters COPY text format treats specially and writes NULL as \\N', () => {
    expect(copyTextLine(['a\tb', 'line\nbreak', 'back\\slash', null, 'cr\r'])).toBe(
      'a\\tb\tline\\nbreak\tback\\\\slash\t\\N\tcr\\r\n',
    );
  });
});

describe('CopyTextBuffer', () => {
  it('joins strings and UTF-8 bytes into one text, growing as it goes', () => {
    const copy = new CopyTextBuffer(4);
    const bytes = Buffer.from(copyTextLine(['ñandú', 'a\tb']).slice(0, -1));
    for (let i = 0; i < 500; i++) copy.add(`${i}\t`).add(bytes).add('\n');
    expect(copy.length).toBe(copy.bytes.length);
    const rows = parseCopyText(copy.bytes.toString('utf8'));
    expect(rows).toHaveLength(500);
    expect(rows[0]).toEqual(['0', 'ñandú', 'a\tb']);
    expect(rows[499]).toEqual(['499', 'ñandú', 'a\tb']);
  });
});

describe('eachCopyRow', () => {
  it('reads COPY text lines back into fields, with NULL as null and escapes decoded', () => {
    expect(parseCopyText('a\\tb\tline\\nbreak\tback\\\\slash\t\\N\tcr\\r\n1\t\t\\\\N\tx\ty\n')).toEqual([
      ['a\tb', 'line\nbreak', 'back\\slash', null, 'cr\r'],
      ['1', '', '\\N', 'x', 'y'],
    ]);
    expect(parseCopyText('')).toEqual([]);
  });

  it('undoes what copyTextLine writes', () => {
    const row = ['tab\there', 'new\nline', 'slash\\', null, 'ñandú', '\\N'];
    expect(parseCopyText(copyTextLine(row))).toEqual([row]);
  });
});

describe(`database engine ${testEngine}`, () => {
  let t: TestDb;
  beforeAll(async () => {
    t = await createTestDb();
    await t.db.exec('CREATE TABLE sample (id int, born date, big bigint, note text)');
  });
  afterAll(() => t.close());

  it('returns dates as YYYY-MM-DD and bigints as numbers on both engines', async () => {
    await t.db.query('INSERT INTO sample VALUES ($1, $2, $3, $4)', [1, '2007-03-09', 9007199254740, 'x']);
    const [row] = await t.db.query('SELECT born, big FROM sample WHERE id = 1');
    expect(row).toEqual({ born: '2007-03-09', big: 9007199254740 });
  });

  it('bulk-loads rows with COPY, keeping tabs, newlines, accents and nulls', async () => {
    const n = await t.db.copyRows(
      'sample',
      ['id', 'note'],
      [
        [String(10), 'María José\tGarcía'],
        [String(11), 'two\nlines'],
        [String(12), null],
      ],
    );
    expect(n).toBe(3);
    const rows = await t.db.query('SELECT id, note FROM sample WHERE id >= 10 ORDER BY id');
    expect(rows).toEqual([
      { id: 10, note: 'María José\tGarcía' },
      { id: 11, note: 'two\nlines' },
      { id: 12, note: null },
    ]);
  });

  it('bulk-loads rows encoded before as COPY text, inside a transaction too', async () => {
    const text = copyTextLine(['5', 'back\\slash\tand tab']) + copyTextLine(['6', null]);
    await t.db.copyText('sample', ['id', 'note'], text);
    await t.db.copyText('sample', ['id', 'note'], ''); // nothing to load is no statement at all
    await t.db.transaction(async (tx) => tx.copyText('sample', ['id', 'note'], copyTextLine(['7', 'só'])));
    await t.db.copyText(
      'sample',
      ['id', 'note'],
      new CopyTextBuffer().add('8\t').add(Buffer.from('mañana\n')).bytes,
    );
    const rows = await t.db.query('SELECT id, note FROM sample WHERE id BETWEEN 5 AND 8 ORDER BY id');
    expect(rows).toEqual([
      { id: 5, note: 'back\\slash\tand tab' },
      { id: 6, note: null },
      { id: 7, note: 'só' },
      { id: 8, note: 'mañana' },
    ]);
  });

  it('reads a query through COPY as strings, with nulls, escapes, accents and quoted literals', async () => {
    await t.db.copyRows(
      'sample',
      ['id', 'born', 'note'],
      [
        ['20', '2007-03-09', "O'Brien\tde la Cruz"],
        ['21', null, 'back\\slash\nand line'],
        ['22', '2010-12-31', null],
      ],
    );
    const rows = await copyOut(
      t.db,
      `SELECT id, born, note, note = ${literal("O'Brien\tde la Cruz")} AS same FROM sample WHERE id >= 20 ORDER BY id`,
    );
    expect(rows).toEqual([
      ['20', '2007-03-09', "O'Brien\tde la Cruz", 't'],
      ['21', null, 'back\\slash\nand line', 'f'],
      ['22', '2010-12-31', null, null],
    ]);
    expect(await copyOut(t.db, 'SELECT id FROM sample WHERE id < 0')).toEqual([]);
    await t.db.transaction(async (tx) => {
      await tx.query('INSERT INTO sample (id, note) VALUES (30, $1)', ['seen inside']);
      expect(await copyOut(tx, 'SELECT note FROM sample WHERE id = 30')).toEqual([['seen inside']]);
      // Another session does not see it before the commit (PGlite has only the one session).
      if (t.db.engine === 'postgres')
        expect(await copyOut(t.db, 'SELECT note FROM sample WHERE id = 30')).toEqual([]);
    });
  });

  it('runs prepared statements again with other values, on any connection, and rows as arrays', async () => {
    await t.db.copyRows(
      'sample',
      ['id', 'born', 'note'],
      [
        ['40', '2010-01-02', 'forty'],
        ['41', null, 'forty-one'],
      ],
    );
    const byId = 'SELECT id, born, note FROM sample WHERE id = $1';
    // More runs than the pool has connections, several at once: each connection prepares it once.
    const runs = await Promise.all(
      Array.from({ length: 24 }, (_, i) => t.db.query(byId, [40 + (i % 2)], { prepare: true })),
    );
    expect(runs[0]).toEqual([{ id: 40, born: '2010-01-02', note: 'forty' }]);
    expect(runs[23]).toEqual([{ id: 41, born: null, note: 'forty-one' }]);
    // Another text prepared beside it keeps its own plan; inside a transaction too.
    await t.db.transaction(async (tx) => {
      expect(
        await tx.query('SELECT note, id FROM sample WHERE id = ANY($1::int[]) ORDER BY id', [[40, 41]], {
          prepare: true,
          rowMode: 'array',
        }),
      ).toEqual([
        ['forty', 40],
        ['forty-one', 41],
      ]);
      expect(await tx.query(byId, [41], { prepare: true, rowMode: 'array' })).toEqual([
        [41, null, 'forty-one'],
      ]);
    });
  });

  it('rolls back a transaction that throws', async () => {
    await expect(
      t.db.transaction(async (tx) => {
        await tx.query('INSERT INTO sample (id) VALUES (99)');
        throw new Error('boom');
      }),
    ).rejects.toThrow('boom');
    expect(await t.db.query('SELECT id FROM sample WHERE id = 99')).toEqual([]);
  });
});

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { copyTextLine } from './db.ts';
import { createTestDb, testEngine, type TestDb } from './testing.ts';

describe('copyTextLine', () => {
  it('escapes the characters COPY text format treats specially and writes NULL as \\N', () => {
    expect(copyTextLine(['a\tb', 'line\nbreak', 'back\\slash', null, 'cr\r'])).toBe(
      'a\\tb\tline\\nbreak\tback\\\\slash\t\\N\tcr\\r\n',
    );
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

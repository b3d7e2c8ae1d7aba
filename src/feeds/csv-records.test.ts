import fc from 'fast-check';
import { parse } from 'csv-parse/sync';
import { describe, expect, it } from 'vitest';
import { CsvRecordSplitter, MAX_RECORD_CHARS, recordFields, type CsvRecord } from './csv-records.ts';

/** All records of `text`, handed to the splitter in pieces cut at `cuts`. */
function split(text: string, cuts: number[] = []): CsvRecord[] {
  const s = new CsvRecordSplitter();
  const out: CsvRecord[] = [];
  let from = 0;
  for (const at of [...new Set(cuts)].sort((a, b) => a - b)) {
    if (at <= from || at >= text.length) continue;
    out.push(...s.push(text.slice(from, at)));
    from = at;
  }
  out.push(...s.push(text.slice(from)));
  out.push(...s.end());
  return out;
}

/** A field as an RFC 4180 writer sends it: quoted when it must be, or when the writer likes. */
function field(value: string, quoteAnyway: boolean): string {
  return quoteAnyway || /[",\r\n]/.test(value) ? `"${value.replaceAll('"', '""')}"` : value;
}

describe('CSV records', () => {
  it('reads well-formed CSV as csv-parse does, whatever pieces the text arrives in', () => {
    const value = fc.oneof(
      fc.string({ maxLength: 12 }),
      fc.constantFrom('', ' ', '"', '""', ',', 'a,b', 'x\ny', 'x\r\ny', 'GARCIA "TITO"', 'Ñandú'),
    );
    fc.assert(
      fc.property(
        fc.array(fc.array(fc.tuple(value, fc.boolean()), { minLength: 1, maxLength: 6 }), {
          minLength: 1,
          maxLength: 8,
        }),
        fc.constantFrom('\n', '\r\n'),
        fc.boolean(),
        fc.array(fc.nat(400), { maxLength: 6 }),
        (rows, eol, finalEol, cuts) => {
          // csv-parse skips a line that is empty; so does a feed. A lone empty field is sent quoted.
          const lines = rows.map((r) =>
            r.length === 1 && r[0]![0] === '' ? '""' : r.map(([v, q]) => field(v, q)).join(','),
          );
          const text = lines.join(eol) + (finalEol ? eol : '');
          const expected = parse(text, { relax_column_count: true, skip_empty_lines: true }) as string[][];
          const got = split(text, cuts);
          expect(got.map((r) => r.fields)).toEqual(expected);
          expect(got.map((r) => r.raw)).toEqual(lines);
          // Each record starts on the line after the lines of the records before it.
          let line = 1;
          for (const r of got) {
            expect(r.line).toBe(line);
            line += r.raw.split('\n').length;
          }
        },
      ),
      { numRuns: 500 },
    );
  });

  it('reads the text of a record again as the same fields, whatever line ends the file used', () => {
    // What a stored row keeps is its text; its fields are read from it again (recordFields).
    const value = fc.oneof(
      fc.string({ maxLength: 8 }),
      fc.constantFrom(
        '',
        ' ',
        '"',
        ',',
        'a,b',
        'x\ny',
        'x\r\ny',
        'x\ry',
        'end\r',
        '\r',
        '\n',
        'GARCIA "TITO"',
      ),
    );
    fc.assert(
      fc.property(
        fc.array(fc.array(fc.tuple(value, fc.boolean()), { minLength: 1, maxLength: 5 }), {
          minLength: 1,
          maxLength: 6,
        }),
        fc.constantFrom('\n', '\r\n', '\r'),
        fc.array(fc.nat(200), { maxLength: 4 }),
        fc.boolean(),
        (rows, eol, cuts, raw) => {
          // Some rows written unquoted as they are, stray line ends and quotes included.
          const lines = rows.map((r) => r.map(([v, q]) => (raw && !q ? v : field(v, q))).join(','));
          for (const rec of split(lines.join(eol), cuts)) {
            if (rec.fields) expect(recordFields(rec.raw)).toEqual(rec.fields);
          }
        },
      ),
      { numRuns: 1000 },
    );
    expect(recordFields('a,"b')).toBeNull();
    expect(recordFields('a,"b"c')).toBeNull();
    expect(recordFields('a,b"c')).toBeNull();
  });

  it('keeps each row with its line, skipping empty lines, a BOM and the line end', () => {
    expect(split('\uFEFFid,name\r\n\r\nA1,"GARCIA, ANA"\r\nA2,"two\r\nlines"\r\n\r\nA3,x', [3, 20])).toEqual([
      { line: 1, raw: 'id,name', fields: ['id', 'name'] },
      { line: 3, raw: 'A1,"GARCIA, ANA"', fields: ['A1', 'GARCIA, ANA'] },
      { line: 4, raw: 'A2,"two\r\nlines"', fields: ['A2', 'two\r\nlines'] },
      { line: 7, raw: 'A3,x', fields: ['A3', 'x'] },
    ]);
  });

  it('reads a file whose lines end with a lone CR', () => {
    expect(split('id,name\rA1,"a\rb"\rA2,c\r', [8])).toEqual([
      { line: 1, raw: 'id,name', fields: ['id', 'name'] },
      { line: 2, raw: 'A1,"a\rb"', fields: ['A1', 'a\rb'] },
      { line: 4, raw: 'A2,c', fields: ['A2', 'c'] },
    ]);
    // A CR that ends one piece and a LF that starts the next are one line end.
    expect(split('id,name\r\nA1,b\r\n', [8]).map((r) => r.raw)).toEqual(['id,name', 'A1,b']);
  });

  it('gives a row that breaks the quoting rules back with the reason, and reads on from the next line', () => {
    expect(split('A1,GAR"CIA,x\nA2,"ok"\nA3,"closed"late,y\nA4,z\n')).toEqual([
      { line: 1, raw: 'A1,GAR"CIA,x', fields: null, problem: 'field 2 has a quote that does not open it' },
      { line: 2, raw: 'A2,"ok"', fields: ['A2', 'ok'] },
      {
        line: 3,
        raw: 'A3,"closed"late,y',
        fields: null,
        problem: 'field 2 has text after its closing quote',
      },
      { line: 4, raw: 'A4,z', fields: ['A4', 'z'] },
    ]);
  });

  it('takes a quote that never closes as a bad first line, not the rest of the file', () => {
    expect(split('A1,"open\nA2,b\nA3,c')).toEqual([
      {
        line: 1,
        raw: 'A1,"open',
        fields: null,
        problem: 'a quoted field is not closed by the end of the file',
      },
      { line: 2, raw: 'A2,b', fields: ['A2', 'b'] },
      { line: 3, raw: 'A3,c', fields: ['A3', 'c'] },
    ]);
    // Read in pieces, it holds at most about 1 MiB before giving up on the quote.
    const long = `A1,"open\n${'B,2\n'.repeat(MAX_RECORD_CHARS / 4 + 10)}`;
    const s = new CsvRecordSplitter();
    let got: CsvRecord[] = [];
    for (let i = 0; i < long.length; i += 65_536) got = got.concat(s.push(long.slice(i, i + 65_536)));
    got = got.concat(s.end());
    expect(got[0]).toEqual({
      line: 1,
      raw: 'A1,"open',
      fields: null,
      problem: 'a quoted field is not closed within 1 MiB',
    });
    expect(got.length).toBe(MAX_RECORD_CHARS / 4 + 11);
    expect(got.at(-1)).toEqual({ line: MAX_RECORD_CHARS / 4 + 11, raw: 'B,2', fields: ['B', '2'] });
  });
});

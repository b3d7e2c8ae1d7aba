import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import zlib from 'node:zlib';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createTestDb, type TestDb } from '../db/testing.ts';
import { fixedClock } from '../shared/clock.ts';
import { ingestFiles, listQuarantine, readFeedFile, storedRowFields, type StoredRowText } from './index.ts';
import { feedState, resetFeeds } from './state.testing.ts';
import { syntheticRow, toCsv, validRow } from './testing.ts';

let t: TestDb;
let dir: string;
const clock = fixedClock('2024-06-01T12:00:00Z');
beforeEach(async () => {
  t = await createTestDb();
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'feeds-'));
});
afterEach(async () => {
  await t.close();
});

function write(name: string, body: string | Buffer): string {
  const p = path.join(dir, name);
  fs.writeFileSync(p, body);
  return p;
}

describe('ingest: CBP end to end', () => {
  it('stores raw rows and canonical facts, and a second run changes nothing', async () => {
    const file = write(
      'cbp_2023.csv',
      toCsv('cbp', [
        validRow('cbp', 'E1'),
        validRow('cbp', 'E2', {
          a_number: '',
          family_name: 'DE LA CRUZ',
          given_name: 'JUAN',
          uc_designation: 'N',
        }),
      ]),
    );
    const [s] = await ingestFiles({ db: t.db, clock }, { paths: [file] });
    expect(s).toMatchObject({ source: 'cbp', rows: 2, new: 1, out_of_scope: 1, quarantined: 0 });
    const recs = await t.db.query(
      `SELECT record_id, in_scope, own_date, event_type, a_number, given_names, surname1, surname2, dob, sex, country, sector
       FROM record ORDER BY record_id`,
    );
    expect(recs).toEqual([
      {
        record_id: 'E1',
        in_scope: true,
        own_date: '2023-05-02',
        event_type: 'ENCOUNTER',
        a_number: '123456789',
        given_names: 'MARIA JOSE',
        surname1: 'GARCIA',
        surname2: 'LOPEZ',
        dob: '2008-03-14',
        sex: 'F',
        country: 'GTM',
        sector: 'RGV',
      },
      expect.objectContaining({ record_id: 'E2', in_scope: false, a_number: null, surname1: 'DE LA CRUZ' }),
    ]);
    const [raw] = await t.db.query<{ raw_text: string; line: number; fields: object }>(
      `SELECT raw_text, line, fields FROM source_row WHERE record_id = 'E1'`,
    );
    expect(raw!.line).toBe(2);
    expect(raw!.raw_text).toBe(fs.readFileSync(file, 'utf8').split('\n')[1]);
    const [again] = await ingestFiles({ db: t.db, clock }, { paths: [file] });
    expect(again).toMatchObject({ rows: 2, new: 0, unchanged: 2 });
    expect((await t.db.query(`SELECT count(*)::int AS n FROM source_row`))[0]).toEqual({ n: 2 });
  });

  it('a correction adds a version, updates the record in place, and reports it', async () => {
    const f1 = write('cbp_1.csv', toCsv('cbp', [validRow('cbp', 'E1')]));
    const f2 = write('cbp_2.csv', toCsv('cbp', [validRow('cbp', 'E1', { birth_date: '2008-04-14' })]));
    await ingestFiles({ db: t.db, clock }, { paths: [f1] });
    const [before] = await t.db.query<{ id: number; row_id: number }>(`SELECT id, row_id FROM record`);
    const [s2] = await ingestFiles({ db: t.db, clock }, { paths: [f2] });
    expect(s2).toMatchObject({ corrected: 1 });
    const [after] = await t.db.query<{ id: number; row_id: number; dob: string }>(
      `SELECT id, row_id, dob FROM record`,
    );
    expect(after!.id).toBe(before!.id);
    expect(after!.row_id).not.toBe(before!.row_id);
    expect(after!.dob).toBe('2008-04-14');
    // The old file sent again does not undo the correction.
    const [s3] = await ingestFiles({ db: t.db, clock }, { paths: [f1] });
    expect(s3).toMatchObject({ unchanged: 1, corrected: 0 });
    expect((await t.db.query(`SELECT dob FROM record`))[0]).toEqual({ dob: '2008-04-14' });
    expect(await t.db.query(`SELECT version FROM source_row ORDER BY version`)).toEqual([
      { version: 1 },
      { version: 2 },
    ]);
  });

  it('reads gzip files, BOMs, reordered and unknown columns, and folders in name order', async () => {
    const cols = [
      'sector',
      'EXTRA_NOTE',
      'Encounter_ID',
      ...validColsWithout('cbp', ['sector', 'encounter_id']),
    ];
    const body =
      '\ufeff' +
      toCsv(
        'cbp',
        [{ ...validRow('cbp', 'E9'), extra_note: 'x', encounter_id: 'E9' }],
        cols.map((c) => c.toLowerCase()),
      ).replace(/^[^\n]*/, cols.join(','));
    fs.mkdirSync(path.join(dir, 'in'));
    write('in/cbp_b.csv.gz', zlib.gzipSync(body));
    write('in/cbp_a.csv', toCsv('cbp', [validRow('cbp', 'E9', { sex: 'M' })]));
    write('in/readme.txt', 'not a feed');
    const sums = await ingestFiles({ db: t.db, clock }, { paths: [path.join(dir, 'in')] });
    expect(sums.map((s) => path.basename(s.file))).toEqual(['cbp_a.csv', 'cbp_b.csv.gz']);
    expect(sums[1]).toMatchObject({ corrected: 1 });
    const [rec] = await t.db.query<{ sex: string; sector: string }>(`SELECT sex, sector FROM record`);
    expect(rec).toEqual({ sex: 'F', sector: 'RGV' });
    // The header is kept once, as sent (without its BOM), and the row's fields are read back from
    // its raw text with it.
    const [raw] = await t.db.query<StoredRowText>(
      `SELECT s.fields, s.raw_text, b.header FROM source_row s JOIN feed_batch b ON b.id = s.batch_id
        WHERE s.version = 2`,
    );
    expect(raw!.fields).toBeNull();
    expect(raw!.header).toBe(cols.join(','));
    expect(storedRowFields(raw!)).toMatchObject({ extra_note: 'x', encounter_id: 'E9', sector: 'RGV' });
  });
});

function validColsWithout(source: 'cbp', drop: string[]): string[] {
  return Object.keys(validRow(source, 'x')).filter((c) => !drop.includes(c));
}

describe('ingest: files of different sources at the same time', () => {
  it("stores another source meanwhile, and one source's files still in the order given", async () => {
    const paths = [
      write('cbp_a.csv', toCsv('cbp', [validRow('cbp', 'E1')])),
      write('cbp_b.csv', toCsv('cbp', [validRow('cbp', 'E1', { birth_date: '2008-04-14' })])),
      write('ice_a.csv', toCsv('ice', [validRow('ice', 'T1')])),
    ];
    const summaries = await ingestFiles({ db: t.db, clock }, { paths, lanes: 2 });
    expect(summaries.map((s) => [path.basename(s.file), s.new, s.corrected])).toEqual([
      ['cbp_a.csv', 1, 0],
      ['cbp_b.csv', 0, 1],
      ['ice_a.csv', 1, 0],
    ]);
    // The ICE file started while the first CBP file was stored, before the second one.
    const [ice, cbpB] = [summaries[2]!.batchId!, summaries[1]!.batchId!];
    expect(ice).toBeLessThan(cbpB);
    const recs = await t.db.query(`SELECT record_id, dob FROM record ORDER BY record_id`);
    expect(recs).toEqual([
      { record_id: 'E1', dob: '2008-04-14' },
      { record_id: 'T1', dob: expect.any(String) },
    ]);
  });

  it("takes the source with the most bytes left first, each source's files in the order given", async () => {
    const rows = Array.from({ length: 30 }, (_, k) => validRow('ice', `T${k}`));
    const paths = [
      write('cbp_a.csv', toCsv('cbp', [validRow('cbp', 'E1')])),
      write('cbp_b.csv', toCsv('cbp', [validRow('cbp', 'E1', { birth_date: '2008-04-14' })])),
      write('ice_a.csv', toCsv('ice', rows)),
    ];
    const summaries = await ingestFiles({ db: t.db, clock }, { paths, lanes: 1 });
    const batchOf = (name: string) => summaries.find((s) => path.basename(s.file) === name)!.batchId!;
    expect(batchOf('ice_a.csv')).toBeLessThan(batchOf('cbp_a.csv'));
    expect(batchOf('cbp_a.csv')).toBeLessThan(batchOf('cbp_b.csv'));
    expect(summaries.map((s) => path.basename(s.file))).toEqual(['cbp_a.csv', 'cbp_b.csv', 'ice_a.csv']);
  });
});

describe('ingest: quarantine', () => {
  it('quarantines bad rows with reason, file and line, loads the rest, and resolves on a corrected re-send', async () => {
    const bad = write(
      'cbp_bad.csv',
      toCsv('cbp', [
        validRow('cbp', 'E1', { birth_date: '2008-02-30' }),
        validRow('cbp', 'E2'),
        validRow('cbp', 'E3', { citizenship: 'XXX' }),
        validRow('cbp', 'E4', { family_name: '' }),
      ]) +
        'E5,A123456789,GARCIA\n' +
        // A quote left open: that line is the bad row, and the next line is read as a row of its own.
        'E6,A123456789,"GARCIA\n' +
        toCsv('cbp', [validRow('cbp', 'E7')]).split('\n')[1] +
        '\n',
    );
    const [s] = await ingestFiles({ db: t.db, clock }, { paths: [bad] });
    expect(s).toMatchObject({ rows: 7, new: 2, quarantined: 5 });
    const q = await listQuarantine(t.db);
    expect(q.map((e) => [e.record_id, e.line, e.file, e.reasons[0]!.field])).toEqual([
      ['E1', 2, bad, 'birth_date'],
      ['E3', 4, bad, 'citizenship'],
      ['E4', 5, bad, 'family_name'],
      ['E5', 6, bad, '(row)'],
      [null, 7, bad, '(row)'],
    ]);
    expect(q[0]!.reasons[0]!.reason).toMatch(/not a date in YYYY-MM-DD: 2008-02-30/);
    expect(q[4]!.reasons[0]!.reason).toBe(
      'not readable as CSV: a quoted field is not closed by the end of the file',
    );
    // The same bad file again quarantines nothing twice.
    await ingestFiles({ db: t.db, clock }, { paths: [bad] });
    expect(await listQuarantine(t.db)).toHaveLength(5);
    const fixed = write('cbp_fixed.csv', toCsv('cbp', [validRow('cbp', 'E1')]));
    const [s2] = await ingestFiles({ db: t.db, clock }, { paths: [fixed] });
    expect(s2).toMatchObject({ new: 1 });
    expect((await listQuarantine(t.db)).map((e) => e.record_id)).toEqual(['E3', 'E4', 'E5', null]);
    const all = await listQuarantine(t.db, { includeResolved: true });
    expect(all.find((e) => e.record_id === 'E1')!.status).toBe('resolved');
  });

  it('counts a bad row repeated in one file on each line, and quarantines it once, at its first line', async () => {
    const row = validRow('cbp', 'E1', { birth_date: '2008-02-30' });
    const file = write('cbp_twice.csv', toCsv('cbp', [row, validRow('cbp', 'E2'), row]));
    const [s] = await ingestFiles({ db: t.db, clock }, { paths: [file] });
    expect(s).toMatchObject({ rows: 3, new: 1, quarantined: 2 });
    const q = await listQuarantine(t.db);
    expect(q.map((e) => [e.record_id, e.line])).toEqual([['E1', 2]]);
  });

  it('reports unreadable files without stopping the others', async () => {
    const good = write('cbp_ok.csv', toCsv('cbp', [validRow('cbp', 'E1')]));
    const notFeed = write('cbp_x.csv', 'hello,world\n1,2\n');
    const badHeader = write('cbp_h.csv', 'encounter_id,"a_number"x,family_name\nE9,A1,X\n');
    const sums = await ingestFiles(
      { db: t.db, clock },
      { paths: [path.join(dir, 'missing.csv'), notFeed, badHeader, good, write('notes.csv', 'a\n')] },
    );
    expect(sums.map((s) => s.error ?? 'ok')).toEqual([
      expect.stringMatching(/source|no such file/),
      expect.stringMatching(/no "encounter_id" column/),
      'line 1: the header is not readable as CSV: field 2 has text after its closing quote',
      'ok',
      expect.stringMatching(/--source/),
    ]);
  });
});

describe('ingest: reading on a worker thread', () => {
  it('stores what reading on the main thread stores, bad rows, line numbers and all', async () => {
    const rows = Array.from({ length: 2_500 }, (_, i) => syntheticRow('orr', i, 50));
    // A quoted field across two lines, a row too short, and a correction of a row in an earlier chunk.
    rows[10] = { ...rows[10]!, street: '12 Elm St\nApt 3' };
    const file = write(
      'orr_big.csv',
      toCsv('orr', rows) +
        'X1,UC1\n' +
        toCsv('orr', [{ ...rows[3]!, sponsor_id: 'SP-NEW' }]).split('\n')[1] +
        '\n',
    );
    const states = [];
    for (const readThread of [false, true]) {
      await resetFeeds(t.db);
      const [s] = await ingestFiles({ db: t.db, clock }, { paths: [file], readThread, chunkSize: 700 });
      states.push({
        summary: { ...s, batchId: null },
        state: await feedState(t.db),
        lines: await t.db.query(`SELECT record_id, version, line, raw_text FROM source_row ORDER BY id`),
        quarantined: (await listQuarantine(t.db)).map((q) => [q.record_id, q.line, q.reasons]),
      });
    }
    expect(states[1]).toEqual(states[0]);
    expect(states[1]!.summary).toMatchObject({ rows: 2_502, corrected: 1, quarantined: expect.any(Number) });
    expect(states[1]!.quarantined.length).toBeGreaterThan(1);
  });

  it('refuses a file whose header line is no longer the one kept on its batch', async () => {
    // Rows are stored without their fields, which are read again with the batch's header: a file
    // changed between reading its header and reading its rows would pair rows with the wrong names.
    const file = write('cbp_1.csv', toCsv('cbp', [validRow('cbp', 'E1')]));
    const header = fs.readFileSync(file, 'utf8').split('\n')[0]!;
    const read = async (expected: string) => {
      const rows = [];
      for await (const row of readFeedFile(file, 'cbp', { header: expected })) rows.push(row.line);
      return rows;
    };
    await expect(read(header)).resolves.toEqual([2]);
    await expect(read(header.replace('sector', 'sex'))).rejects.toThrow(
      /cbp_1\.csv: line 1: the header line changed while the file was being read/,
    );
  });

  it('reports a file it cannot read as the main thread does', async () => {
    const notFeed = write('cbp_x.csv', 'hello,world\n1,2\n');
    const good = write('cbp_ok.csv', toCsv('cbp', [validRow('cbp', 'E1')]));
    const sums = await ingestFiles({ db: t.db, clock }, { paths: [notFeed, good], readThread: true });
    expect(sums.map((s) => s.error ?? 'ok')).toEqual([
      expect.stringMatching(/no "encounter_id" column/),
      'ok',
    ]);
  });
});

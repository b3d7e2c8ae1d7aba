// A fuzzed feed: random bytes, and rows that look valid but carry random text in any field. The
// ingest must never crash; every row it reads is stored or quarantined with a reason naming a
// field, and nothing else is lost.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDb, type TestDb } from '../db/testing.ts';
import { fixedClock } from '../shared/clock.ts';
import { ingestFiles, type FileSummary } from './index.ts';
import { SOURCES, SOURCE_COLUMNS, type Source } from './sources.ts';
import { toCsv, validRow, type Fields } from './testing.ts';
import { resetFeeds } from './state.testing.ts';

let t: TestDb;
let dir: string;
const clock = fixedClock('2024-06-01T12:00:00Z');
beforeAll(async () => {
  t = await createTestDb();
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'feeds-fuzz-'));
});
afterAll(async () => {
  await t.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

async function stored() {
  const [n] = await t.db.query<{
    rows: number;
    quarantined: number;
    distinct_quarantined: number;
    without_reason: number;
  }>(
    `SELECT (SELECT count(*) FROM source_row)::int AS rows,
            (SELECT count(*) FROM quarantine)::int AS quarantined,
            (SELECT count(DISTINCT content_hash) FROM quarantine)::int AS distinct_quarantined,
            (SELECT count(*) FROM quarantine
              WHERE jsonb_typeof(reasons) <> 'array' OR jsonb_array_length(reasons) = 0
                 OR EXISTS (SELECT 1 FROM jsonb_array_elements(reasons) r
                            WHERE coalesce(r->>'field', '') = '' OR coalesce(r->>'reason', '') = ''))::int
              AS without_reason`,
  );
  return n!;
}

/** Rows a file summary gives a fate: stored (new, unchanged, corrected, out of scope) or quarantined. */
const accounted = (s: FileSummary) => s.new! + s.unchanged! + s.corrected! + s.out_of_scope! + s.quarantined!;

// Text an agency system could send by mistake: control characters, quotes, separators, line
// breaks, SQL and markup, very long values, and any Unicode.
const nasty = fc.oneof(
  fc.string({ maxLength: 40 }),
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.constantFrom(
    "'; DROP TABLE record; --",
    '<script>alert(1)</script>',
    '"quoted, with comma"',
    'line\nbreak',
    '\u0000',
    'ÑÁÉÍÓÚ ü',
    '9'.repeat(400),
    '',
    ' ',
    '2023-02-30',
    '13/45/2008',
    'A000000000',
  ),
);

describe('ingest of a fuzzed feed', () => {
  it('random bytes in a feed file: no crash, and whatever is read is stored or quarantined with a reason', async () => {
    let run = 0;
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom<Source>(...SOURCES),
        fc.uint8Array({ minLength: 0, maxLength: 2_000 }),
        fc.boolean(),
        async (source, bytes, withHeader) => {
          await resetFeeds(t.db);
          const file = path.join(dir, `${source}_bytes_${++run}.csv`);
          const header = withHeader ? SOURCE_COLUMNS[source].join(',') + '\n' : '';
          fs.writeFileSync(file, Buffer.concat([Buffer.from(header), Buffer.from(bytes)]));
          const [summary] = await ingestFiles({ db: t.db, clock }, { paths: [file] });
          const s = await stored();
          expect(s.without_reason).toBe(0);
          expect(s.distinct_quarantined).toBe(s.quarantined);
          if (summary!.error) {
            // A file that cannot be read at all says why, in words.
            expect(summary!.error.length).toBeGreaterThan(3);
          } else {
            expect(accounted(summary!)).toBe(summary!.rows);
            // The same bad line twice is counted twice and quarantined once.
            expect(s.quarantined).toBeLessThanOrEqual(summary!.quarantined!);
            expect(s.quarantined > 0).toBe(summary!.quarantined! > 0);
          }
        },
      ),
      { numRuns: 40 },
    );
  }, 300_000);

  it('valid-looking rows with random text in any field: every row accepted or quarantined with the field named', async () => {
    let run = 0;
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom<Source>(...SOURCES),
        fc.array(fc.array(fc.tuple(fc.nat(), nasty), { maxLength: 3 }), { minLength: 1, maxLength: 12 }),
        async (source, edits) => {
          await resetFeeds(t.db);
          const columns = SOURCE_COLUMNS[source];
          const rows: Fields[] = edits.map((changes, i) => {
            const row = validRow(source, `FZ${run}-${i}`);
            for (const [at, text] of changes) row[columns[at % columns.length]!] = text;
            return row;
          });
          const file = path.join(dir, `${source}_rows_${++run}.csv`);
          fs.writeFileSync(file, toCsv(source, rows));
          const [summary] = await ingestFiles({ db: t.db, clock }, { paths: [file] });
          expect(summary!.error).toBeUndefined();
          expect(summary!.rows).toBe(rows.length);
          expect(accounted(summary!)).toBe(rows.length);
          const s = await stored();
          expect(s.without_reason).toBe(0);
          // A row repeated in the file (its id overwritten alike) has its first copy's fate: a good
          // one is unchanged, a bad one is counted again but quarantined once. PostgreSQL text
          // holds a NUL as U+FFFD, so a row is the same as another by its values stored that way.
          const repeats =
            rows.length -
            new Set(rows.map((r) => JSON.stringify(columns.map((c) => r[c]?.replaceAll('\u0000', '\uFFFD')))))
              .size;
          expect(summary!.unchanged! + summary!.quarantined! - s.quarantined).toBe(repeats);
          expect(s.distinct_quarantined).toBe(s.quarantined);
          // Rows whose id survived untouched and that were not quarantined are stored as sent.
          const [kept] = await t.db.query<{ n: number }>(
            `SELECT count(*)::int AS n FROM source_row WHERE raw_text <> ''`,
          );
          expect(kept!.n).toBe(s.rows);
        },
      ),
      { numRuns: 60 },
    );
  }, 300_000);

  it('quarantines a row holding a NUL character, naming the field, and loads the rest of the file', async () => {
    await resetFeeds(t.db);
    const file = path.join(dir, 'cbp_nul.csv');
    fs.writeFileSync(
      file,
      toCsv('cbp', [validRow('cbp', 'NUL-1', { family_name: 'GARCIA\u0000LOPEZ' }), validRow('cbp', 'OK-1')]),
    );
    const [summary] = await ingestFiles({ db: t.db, clock }, { paths: [file] });
    expect(summary).toMatchObject({ rows: 2, new: 1, quarantined: 1 });
    const [q] = await t.db.query<{
      record_id: string;
      reasons: { field: string; reason: string }[];
      raw_text: string;
    }>('SELECT record_id, reasons, raw_text FROM quarantine');
    expect(q!.record_id).toBe('NUL-1');
    expect(q!.reasons).toContainEqual({
      field: 'family_name',
      reason: 'contains a NUL character (U+0000), which cannot be stored',
    });
    expect(q!.raw_text).toContain('GARCIA\uFFFDLOPEZ');
  });
});

// Streams the rows of one CSV file (optionally gzip-compressed) with their original text and line,
// matching columns by header name whatever their order or case. Memory stays flat: rows are
// yielded one at a time.
import fs from 'node:fs';
import zlib from 'node:zlib';
import { parse, type CsvError } from 'csv-parse';
import { BridgeError } from '../shared/errors.ts';
import type { IncomingRow } from './ingest-rows.ts';
import { idColumn, type Source } from './sources.ts';

function stripLineEnd(raw: string): string {
  return raw.replace(/\r?\n$/, '');
}

function newlines(s: string): number {
  let n = 0;
  for (let i = s.indexOf('\n'); i >= 0; i = s.indexOf('\n', i + 1)) n++;
  return n;
}

/** Counts bytes read from the file (before decompression), for progress. */
export interface ReadFeedFileOptions {
  onBytes?: (n: number) => void;
}

export async function* readFeedFile(
  filePath: string,
  source: Source,
  options: ReadFeedFileOptions = {},
): AsyncGenerator<IncomingRow> {
  let input: NodeJS.ReadableStream;
  try {
    const fd = await fs.promises.open(filePath, 'r');
    await fd.close();
    const file = fs.createReadStream(filePath);
    if (options.onBytes) file.on('data', (b) => options.onBytes!(b.length));
    input = /\.gz$/i.test(filePath) ? file.pipe(zlib.createGunzip()) : file;
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new BridgeError(
      code === 'ENOENT' ? 'FILE_NOT_FOUND' : 'FEED_FILE_INVALID',
      code === 'ENOENT' ? `${filePath}: no such file` : `${filePath}: cannot read (${code ?? 'error'})`,
      { file: filePath },
    );
  }
  // Rows that csv-parse cannot read (an unclosed quote, ...) are skipped by the parser and come back
  // here, to be quarantined in their place.
  const skipped: IncomingRow[] = [];
  const parser = parse({
    bom: true,
    raw: true,
    info: true,
    relax_column_count: true,
    skip_empty_lines: true,
    skip_records_with_error: true,
    on_skip: (err: CsvError | undefined, raw?: string) => {
      const e = err as (CsvError & { lines?: number; raw?: string }) | undefined;
      const text = stripLineEnd(raw ?? e?.raw ?? '');
      skipped.push({
        line: e?.lines ?? 0,
        rawText: text,
        fields: {},
        readProblems: [{ field: '(row)', reason: `not readable as CSV: ${e?.message ?? 'unknown error'}` }],
      });
    },
  });
  (input as NodeJS.ReadableStream & { on: (e: string, f: (err: Error) => void) => void }).on('error', (err) =>
    parser.destroy(err),
  );
  input.pipe(parser);

  let header: string[] | null = null;
  try {
    for await (const rec of parser as AsyncIterable<{
      record: string[];
      raw: string;
      info: { lines: number };
    }>) {
      while (skipped.length) yield skipped.shift()!;
      const raw = stripLineEnd(rec.raw);
      const line = rec.info.lines - newlines(raw);
      if (!header) {
        header = rec.record.map((h) => h.trim().toLowerCase());
        if (!header.includes(idColumn(source))) {
          throw new BridgeError(
            'FEED_FILE_INVALID',
            `${filePath}: not a ${source} file: the header has no "${idColumn(source)}" column`,
            { file: filePath },
          );
        }
        continue;
      }
      const fields: Record<string, string> = {};
      const n = Math.min(header.length, rec.record.length);
      for (let i = 0; i < n; i++) fields[header[i]!] = rec.record[i]!;
      const row: IncomingRow = { line, rawText: raw, fields };
      if (rec.record.length !== header.length) {
        row.readProblems = [
          {
            field: '(row)',
            reason: `the row has ${rec.record.length} fields, the header has ${header.length}`,
          },
        ];
      }
      yield row;
    }
    while (skipped.length) yield skipped.shift()!;
  } catch (e) {
    if (e instanceof BridgeError) throw e;
    const err = e as NodeJS.ErrnoException;
    throw new BridgeError('FEED_FILE_INVALID', `${filePath}: not a readable CSV file: ${err.message}`, {
      file: filePath,
    });
  } finally {
    parser.destroy();
  }
  if (!header) {
    throw new BridgeError('FEED_FILE_INVALID', `${filePath}: empty file (no header line)`, {
      file: filePath,
    });
  }
}

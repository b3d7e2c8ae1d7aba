// Streams the rows of one CSV file (optionally gzip-compressed) with their original text and line,
// matching columns by header name whatever their order or case. Memory stays flat: rows are
// yielded one at a time.
import fs from 'node:fs';
import zlib from 'node:zlib';
import { BridgeError } from '../shared/errors.ts';
import { CsvRecordSplitter, type CsvRecord } from './csv-records.ts';
import type { IncomingRow } from './ingest-rows.ts';
import { idColumn, type Source } from './sources.ts';

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
  (input as NodeJS.ReadableStream & { setEncoding(e: string): void }).setEncoding('utf8');

  const splitter = new CsvRecordSplitter();
  let header: string[] | null = null;
  const rowsOf = function* (records: CsvRecord[]): Generator<IncomingRow> {
    for (const rec of records) {
      if (!header) {
        if (!rec.fields) {
          throw new BridgeError(
            'FEED_FILE_INVALID',
            `${filePath}: line ${rec.line}: the header is not readable as CSV: ${rec.problem}`,
            { file: filePath, line: rec.line },
          );
        }
        header = rec.fields.map((h) => h.trim().toLowerCase());
        if (!header.includes(idColumn(source))) {
          throw new BridgeError(
            'FEED_FILE_INVALID',
            `${filePath}: not a ${source} file: the header has no "${idColumn(source)}" column`,
            { file: filePath },
          );
        }
        continue;
      }
      if (!rec.fields) {
        yield {
          line: rec.line,
          rawText: rec.raw,
          fields: {},
          readProblems: [{ field: '(row)', reason: `not readable as CSV: ${rec.problem}` }],
        };
        continue;
      }
      const fields: Record<string, string> = {};
      const n = Math.min(header.length, rec.fields.length);
      for (let i = 0; i < n; i++) fields[header[i]!] = rec.fields[i]!;
      const row: IncomingRow = { line: rec.line, rawText: rec.raw, fields };
      if (rec.fields.length !== header.length) {
        row.readProblems = [
          {
            field: '(row)',
            reason: `the row has ${rec.fields.length} fields, the header has ${header.length}`,
          },
        ];
      }
      yield row;
    }
  };
  try {
    for await (const piece of input as AsyncIterable<string>) yield* rowsOf(splitter.push(piece));
    yield* rowsOf(splitter.end());
  } catch (e) {
    if (e instanceof BridgeError) throw e;
    const err = e as NodeJS.ErrnoException;
    throw new BridgeError('FEED_FILE_INVALID', `${filePath}: not a readable CSV file: ${err.message}`, {
      file: filePath,
    });
  } finally {
    (input as NodeJS.ReadableStream & { destroy?(): void }).destroy?.();
  }
  if (!header) {
    throw new BridgeError('FEED_FILE_INVALID', `${filePath}: empty file (no header line)`, {
      file: filePath,
    });
  }
}

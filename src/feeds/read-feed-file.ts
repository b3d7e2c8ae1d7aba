// Streams the rows of one CSV file (optionally gzip-compressed) with their original text and line,
// matching columns by header name whatever their order or case. Memory stays flat: rows are
// yielded one at a time.
import fs from 'node:fs';
import zlib from 'node:zlib';
import { BridgeError } from '../shared/errors.ts';
import { CsvRecordSplitter, recordFields, type CsvRecord } from './csv-records.ts';
import type { IncomingRow } from './ingest-rows.ts';
import { idColumn, type Source } from './sources.ts';

export interface ReadFeedFileOptions {
  /** Counts bytes read from the file (before decompression), for progress. */
  onBytes?: (n: number) => void;
  /** Called with the header line as sent (without a byte order mark) once it is read. */
  onHeader?: (headerText: string) => void;
  /**
   * The header line the file must still start with: its rows' fields are read again from their raw
   * text with the header stored on their batch, so a file changed between the two reads is refused.
   */
  header?: string;
}

/** Column names as matched: trimmed and lower-cased. */
function headerNames(header: readonly string[]): string[] {
  return header.map((h) => h.trim().toLowerCase());
}

/** A row's fields by column name; extra values (or missing ones) are left out. */
function fieldsByName(names: readonly string[], values: readonly string[]): Record<string, string> {
  const fields: Record<string, string> = {};
  const n = Math.min(names.length, values.length);
  for (let i = 0; i < n; i++) fields[names[i]!] = values[i]!;
  return fields;
}

/**
 * The fields of a row read from a file, from its raw text and its file's header line (both as
 * stored): what reading the file gave.
 */
function fieldsFromText(headerText: string, rawText: string): Record<string, string> {
  const header = recordFields(headerText);
  const values = recordFields(rawText);
  if (!header || !values) throw new Error('a stored row or header is not one CSV record');
  return fieldsByName(headerNames(header), values);
}

/** A stored source row as read with its batch's header (`feed_batch.header`). */
export interface StoredRowText {
  fields: Record<string, string> | null;
  raw_text: string;
  header: string | null;
}

/** A stored source row's fields: kept as JSON (HTTP rows, older rows), else read from its raw text. */
export function storedRowFields(row: StoredRowText): Record<string, string> {
  if (row.fields) return row.fields;
  if (row.header === null) throw new Error('a source row without fields comes from a batch without a header');
  return fieldsFromText(row.header, row.raw_text);
}

/** The header line of a feed file as sent; reading errors are those of readFeedFile. */
export async function readFeedHeader(filePath: string, source: Source): Promise<string> {
  let header: string | undefined;
  for await (const _row of readFeedFile(filePath, source, { onHeader: (h) => (header = h) })) break;
  return header!;
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
        if (options.header !== undefined && rec.raw !== options.header) {
          throw new BridgeError(
            'FEED_FILE_INVALID',
            `${filePath}: line ${rec.line}: the header line changed while the file was being read`,
            { file: filePath, line: rec.line },
          );
        }
        header = headerNames(rec.fields);
        if (!header.includes(idColumn(source))) {
          throw new BridgeError(
            'FEED_FILE_INVALID',
            `${filePath}: not a ${source} file: the header has no "${idColumn(source)}" column`,
            { file: filePath },
          );
        }
        options.onHeader?.(rec.raw);
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
      const row: IncomingRow = {
        line: rec.line,
        rawText: rec.raw,
        fields: fieldsByName(header, rec.fields),
        fieldsInRawText: true,
      };
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

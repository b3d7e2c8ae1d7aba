// Streams rows to the feed files with bounded memory: each file keeps a small buffer, shuffled before
// it is written (rows arrive in no particular order of date), and the writer waits for the disk.
// Lines are quoted here (RFC 4180) rather than by csv-stringify: at millions of rows its per-record
// machinery was the largest cost of a run; the tests read every file back with csv-parse.
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { once } from 'node:events';
import type { Writable } from 'node:stream';
import { Rng, deriveSeed } from './random.ts';
import { columns, type FeedRow, type FileSpec } from './feed-layout.ts';

const FLUSH_ROWS = 4096;
const needsQuotes = /[",\r\n]/;

/** One CSV record (RFC 4180): a field is quoted when it holds a quote, comma or line break. */
export function csvLine(cells: readonly string[]): string {
  let line = '';
  for (let i = 0; i < cells.length; i++) {
    const c = cells[i]!;
    if (i) line += ',';
    line += needsQuotes.test(c) ? '"' + c.replace(/"/g, '""') + '"' : c;
  }
  return line + '\n';
}

interface Pending {
  cells: string[];
  tag: string | null;
  id: string;
}

class FeedFile {
  private buffer: Pending[] = [];
  private line = 1;
  readonly out: Writable;
  private readonly file: fs.WriteStream;
  private readonly rng: Rng;
  private readonly idColumn: string;
  rows = 0;

  constructor(
    dir: string,
    readonly spec: FileSpec,
    seed: number,
    private readonly onTagged: (spec: FileSpec, line: number, id: string, tag: string) => void,
  ) {
    this.file = fs.createWriteStream(path.join(dir, spec.name));
    if (spec.gzip) {
      const gz = zlib.createGzip({ level: 6 });
      gz.pipe(this.file);
      this.out = gz;
    } else this.out = this.file;
    this.rng = new Rng(deriveSeed(seed, spec.name));
    this.idColumn = columns[spec.source][0]!;
    this.out.write((spec.bom ? '\uFEFF' : '') + csvLine(spec.header));
  }

  add(row: FeedRow, tag: string | null): void {
    const cells = this.spec.header.map((h) => row.values[h] ?? (h === 'extract_batch' ? 'X' : ''));
    // A row with a field missing; the record id stays, so the quarantine can name it.
    if (row.short)
      cells.splice(
        this.spec.header[cells.length - 1] === this.idColumn ? cells.length - 2 : cells.length - 1,
        1,
      );
    this.buffer.push({ cells, tag, id: row.id });
    if (this.buffer.length >= FLUSH_ROWS) this.flush();
  }

  flush(): void {
    if (!this.buffer.length) return;
    const batch = this.rng.shuffle(this.buffer);
    this.buffer = [];
    const batchTag = `B${String(this.line).padStart(8, '0')}`;
    const extra = this.spec.header.indexOf('extract_batch');
    for (const p of batch) {
      this.line++;
      this.rows++;
      if (extra >= 0 && extra < p.cells.length) p.cells[extra] = batchTag;
      if (p.tag) this.onTagged(this.spec, this.line, p.id, p.tag);
    }
    let text = '';
    for (const p of batch) text += csvLine(p.cells);
    this.out.write(text);
  }

  get needsDrain(): boolean {
    return this.out.writableNeedDrain || this.file.writableNeedDrain;
  }

  async close(): Promise<void> {
    this.flush();
    const done = once(this.file, 'close');
    this.out.end();
    await done;
  }
}

/** A CSV file written row by row, for the truth files (no shuffling). */
export class CsvOut {
  private readonly stream: fs.WriteStream;
  private buffer: string[][] = [];
  rows = 0;

  constructor(file: string, header: readonly string[]) {
    this.stream = fs.createWriteStream(file);
    this.stream.write(csvLine(header));
  }

  add(cells: string[]): void {
    this.buffer.push(cells);
    this.rows++;
    if (this.buffer.length >= FLUSH_ROWS) this.flush();
  }

  private flush(): void {
    if (this.buffer.length) {
      let text = '';
      for (const cells of this.buffer) text += csvLine(cells);
      this.stream.write(text);
    }
    this.buffer = [];
  }

  get needsDrain(): boolean {
    return this.stream.writableNeedDrain;
  }

  async drain(): Promise<void> {
    if (this.stream.writableNeedDrain) await once(this.stream, 'drain');
  }

  async close(): Promise<void> {
    this.flush();
    const done = once(this.stream, 'close');
    this.stream.end();
    await done;
  }
}

export class FeedWriter {
  private readonly files = new Map<string, FeedFile>();

  constructor(
    dir: string,
    specs: readonly FileSpec[],
    seed: number,
    onTagged: (spec: FileSpec, line: number, id: string, tag: string) => void,
  ) {
    for (const s of specs) this.files.set(s.name, new FeedFile(dir, s, seed, onTagged));
  }

  write(spec: FileSpec, row: FeedRow, tag: string | null): void {
    this.files.get(spec.name)!.add(row, tag);
  }

  /** Waits until every file has written what it was given. */
  async drain(): Promise<void> {
    for (const f of this.files.values()) {
      if (f.out.writableNeedDrain) await once(f.out, 'drain');
    }
  }

  rowCounts(): Record<string, number> {
    return Object.fromEntries([...this.files.values()].map((f) => [f.spec.name, f.rows]));
  }

  async close(): Promise<void> {
    for (const f of this.files.values()) await f.close();
  }
}

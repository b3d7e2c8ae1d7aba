// Reads, checks and maps feed files on a worker thread, so that the main thread only stores: the two
// halves of an ingest then run on two cores. One thread serves every file of an ingest's lane
// (ingest-files.ts), one file at a time; its chunks come back in file order, and it stays at most
// `AHEAD` chunks ahead of the store, so memory stays flat whatever the file size.
import { on } from 'node:events';
import { Worker } from 'node:worker_threads';
import { BridgeError, type ErrorCode } from '../shared/errors.ts';
import { CopyTextBuffer } from '../db/index.ts';
import type { PreparedRow, PreparedRowText } from './ingest-rows.ts';
import type { Source } from './sources.ts';

/**
 * What the thread is asked: read a file (`read`, sending `chunkSize` rows at a time), or send more of
 * them for the file `id`.
 */
export type ToReadThread =
  | { id: number; read: { file: string; source: Source; header: string; chunkSize: number }; more: number }
  | { id: number; more: number };

/**
 * Rows as they cross from the thread: one array per field of PreparedRow, so that the structured
 * clone copies no object or property name per row, and the COPY text of every row (`stored`, then
 * `canonical` when the row is ok) as UTF-8 bytes one after the other in one transferred buffer, so
 * that it is neither copied on the way nor encoded again before it is written.
 */
export interface ChunkColumns {
  seq: number[];
  line: number[];
  recordId: (string | null)[];
  contentHash: string[];
  ok: boolean[];
  inScope: (boolean | null)[];
  reasons: (string | null)[];
  text: ArrayBuffer;
  /** Where each row's `stored` ends in `text`, then where its `canonical` ends. */
  ends: Int32Array;
}

export function toColumns(rows: readonly PreparedRowText[]): ChunkColumns {
  const copy = new CopyTextBuffer();
  const ends = new Int32Array(rows.length * 2);
  rows.forEach((r, i) => {
    ends[2 * i] = copy.add(r.stored).length;
    ends[2 * i + 1] = copy.add(r.canonical ?? '').length;
  });
  // Copied out at its length, so that the buffer transferred holds no unused room.
  const text = new Uint8Array(copy.bytes);
  return {
    seq: rows.map((r) => r.seq),
    line: rows.map((r) => r.line),
    recordId: rows.map((r) => r.recordId),
    contentHash: rows.map((r) => r.contentHash),
    ok: rows.map((r) => r.ok),
    inScope: rows.map((r) => r.inScope),
    reasons: rows.map((r) => r.reasons),
    text: text.buffer,
    ends,
  };
}

export function fromColumns(c: ChunkColumns): PreparedRow[] {
  const text = new Uint8Array(c.text);
  return c.seq.map((seq, i) => ({
    seq,
    line: c.line[i]!,
    recordId: c.recordId[i]!,
    contentHash: c.contentHash[i]!,
    ok: c.ok[i]!,
    inScope: c.inScope[i]!,
    stored: text.subarray(i > 0 ? c.ends[2 * i - 1] : 0, c.ends[2 * i]),
    canonical: c.ok[i] ? text.subarray(c.ends[2 * i], c.ends[2 * i + 1]) : null,
    reasons: c.reasons[i]!,
  }));
}

export type FromReadThread =
  | { chunk: ChunkColumns }
  | { end: true }
  | { error: { code: ErrorCode | null; message: string; details?: Record<string, unknown> } };

/** Chunks read ahead of the one being stored: one waiting, one being made. */
const AHEAD = 2;

/**
 * Rows the thread sends at a time; the rows of a chunk are gathered on this side. A row the thread
 * holds until a whole chunk of 10,000 was made lived through several collections of the young
 * generation and was copied into the old one each time; sent sooner, it dies young.
 */
export const PIECE_ROWS = 500;

export class FeedReadThread {
  private worker: Worker | null = null;
  private reads = 0;

  /**
   * The file's rows, checked and mapped on the thread, `chunkSize` at a time; the file must start
   * with `header` (see ReadFeedFileOptions).
   */
  async *chunks(
    file: string,
    source: Source,
    header: string,
    chunkSize: number,
  ): AsyncGenerator<PreparedRow[]> {
    // The entry registers tsx, so the thread runs the TypeScript sources as the main thread does.
    const worker = (this.worker ??= new Worker(new URL('./read-feed-thread-entry.mjs', import.meta.url)));
    const id = ++this.reads;
    const ask = (m: ToReadThread) => worker.postMessage(m);
    const pieceSize = Math.min(chunkSize, PIECE_ROWS);
    let chunk: PreparedRow[] = [];
    let ended = false;
    try {
      ask({
        id,
        read: { file, source, header, chunkSize: pieceSize },
        more: AHEAD * Math.ceil(chunkSize / pieceSize),
      });
      for await (const [m] of on(worker, 'message', { close: ['exit'] }) as AsyncIterable<[FromReadThread]>) {
        if ('chunk' in m) {
          ask({ id, more: 1 });
          chunk.push(...fromColumns(m.chunk));
          if (chunk.length >= chunkSize) {
            yield chunk.slice(0, chunkSize);
            chunk = chunk.slice(chunkSize);
          }
        } else if ('error' in m) {
          ended = true;
          const { code, message, details } = m.error;
          throw code
            ? new BridgeError(code, message, details)
            : new Error(`reading ${file} failed: ${message}`);
        } else {
          ended = true;
          if (chunk.length) yield chunk;
          break;
        }
      }
      if (!ended) throw new Error(`reading ${file} stopped before the end of the file`);
    } finally {
      // A read abandoned half-way (the store failed) ends the thread; the next file starts another.
      if (!ended) await this.close();
    }
  }

  /** Whether the thread has started (a later file, however small, costs it nothing more to read). */
  get running(): boolean {
    return this.worker !== null;
  }

  async close(): Promise<void> {
    const worker = this.worker;
    this.worker = null;
    await worker?.terminate();
  }
}

// Ingests CSV files and folders (files in name order) as sent by the agencies: one batch per file,
// rows streamed in chunks, a summary per file. A file that cannot be read is reported and skipped;
// rows that cannot be read are quarantined and the rest of the file still loads.
import { EventEmitter, once } from 'node:events';
import fs from 'node:fs';
import path from 'node:path';
import type { Db } from '../db/index.ts';
import type { Clock } from '../shared/clock.ts';
import { BridgeError, isBridgeError, toError } from '../shared/errors.ts';
import { createBatch, finishBatch, setBatchHeader } from './feeds.queries.ts';
import { ingestChunks, prepareChunks, type AfterRecordsChanged, type IngestCounts } from './ingest-rows.ts';
import { readFeedFile, readFeedHeader } from './read-feed-file.ts';
import { FeedReadThread } from './read-feed-thread.ts';
import { isSource, sourceFromFileName, type Source } from './sources.ts';

export interface FileSummary extends Partial<IngestCounts> {
  file: string;
  source: Source | null;
  batchId: number | null;
  /** Why the file could not be read; the other counts are then absent. */
  error?: string;
}

export interface IngestFilesDeps {
  db: Db;
  clock: Clock;
  afterRecordsChanged?: AfterRecordsChanged;
}

export interface IngestFilesOptions {
  paths: readonly string[];
  source?: string;
  chunkSize?: number;
  /** Progress: `rows` more rows of `file` stored (called as each chunk commits). */
  onRows?: (file: string, rows: number) => void;
  /**
   * Read, check and map the files on a worker thread while the main thread stores (default: in each
   * lane, from its first file of at least READ_THREAD_MIN_BYTES on, where the thread's start-up is
   * soon paid back).
   */
  readThread?: boolean;
  /**
   * Files stored at the same time, never two of one source (default: SERVER_LANES on the server
   * engine, 1 on the embedded one, which is a single session).
   */
  lanes?: number;
}

/**
 * One file per core. Storing a chunk keeps the main thread waiting on the server, and the server
 * waiting on the main thread, in turns; a second file of another source fills those waits.
 */
export const SERVER_LANES = 2;

/**
 * About 25,000 rows, a second or more of reading and mapping; starting the thread takes about 0.4 s.
 * Files smaller than this are read on the main thread until a larger one has started the lane's
 * thread.
 */
export const READ_THREAD_MIN_BYTES = 4 * 1024 * 1024;

const FEED_FILE = /\.csv(\.gz)?$/i;

/** The path's stats, or undefined when it cannot be read (missing, or not reachable). */
function statOf(p: string): fs.Stats | undefined {
  try {
    return fs.statSync(p);
  } catch {
    return undefined;
  }
}

/** Files named, and the feed files inside folders named (in name order), in the order given. */
export function expandPaths(paths: readonly string[]): string[] {
  const out: string[] = [];
  for (const p of paths) {
    if (statOf(p)?.isDirectory()) {
      const names = fs
        .readdirSync(p)
        .filter((n) => FEED_FILE.test(n))
        .sort();
      out.push(...names.map((n) => path.join(p, n)));
    } else {
      out.push(p);
    }
  }
  return out;
}

export async function ingestFiles(
  deps: IngestFilesDeps,
  options: IngestFilesOptions,
): Promise<FileSummary[]> {
  if (options.source !== undefined && !isSource(options.source)) {
    throw new BridgeError(
      'FEED_SOURCE_UNKNOWN',
      `unknown source "${options.source}" (expected cbp, ice, orr, opla or eoir)`,
    );
  }
  // Files of one source are stored one after the other, in the order given, since each decides
  // its rows' fates from what the source holds; files of other sources may be stored meanwhile.
  const pending: PendingFile[] = expandPaths(options.paths).map((file, i) => ({
    file,
    i,
    source: sourceOf(options, file),
    bytes: (statOf(file)?.size ?? 0) * (/\.gz$/i.test(file) ? GZIP_RATIO : 1),
  }));
  const summaries: FileSummary[] = [];
  const storing = new Set<Source>();
  const finished = new EventEmitter();
  let failed = false;
  const lane = async (thread: FeedReadThread) => {
    try {
      while (pending.length && !failed) {
        const k = nextFile(pending, storing);
        if (k < 0) {
          await once(finished, 'file');
          continue;
        }
        const [{ file, i, source }] = pending.splice(k, 1) as [PendingFile];
        if (source) storing.add(source);
        try {
          summaries[i] = await ingestFile(deps, options, file, source, thread);
        } catch (e) {
          failed = true;
          throw e;
        } finally {
          if (source) storing.delete(source);
          finished.emit('file');
        }
      }
    } finally {
      await thread.close();
    }
  };
  const lanes = options.lanes ?? (deps.db.engine === 'postgres' ? SERVER_LANES : 1);
  const done = await Promise.allSettled(
    Array.from({ length: Math.max(1, lanes) }, () => lane(new FeedReadThread())),
  );
  const failure = done.find((d) => d.status === 'rejected');
  if (failure) throw (failure as PromiseRejectedResult).reason;
  return summaries;
}

interface PendingFile {
  file: string;
  /** Position in the order given (the summaries keep it). */
  i: number;
  source: Source | undefined;
  /** Size on disk, compressed files counted as GZIP_RATIO times theirs: how long it will take. */
  bytes: number;
}

/** About what gzip makes of a feed file. Only the order files are taken in depends on it. */
const GZIP_RATIO = 8;

/**
 * The file a free lane takes next: a file whose source is unknown (answered at once), else the
 * first waiting file of the free source with the most bytes left. The longest source goes first, so
 * that no lane is left to store it alone at the end while the other has nothing to do.
 */
function nextFile(pending: readonly PendingFile[], storing: ReadonlySet<Source>): number {
  const left = new Map<Source, number>();
  for (const p of pending) if (p.source) left.set(p.source, (left.get(p.source) ?? 0) + p.bytes);
  const firsts = new Set<Source>();
  let best = -1;
  for (let k = 0; k < pending.length; k++) {
    const { source } = pending[k]!;
    if (!source) return k;
    if (firsts.has(source)) continue;
    firsts.add(source);
    if (!storing.has(source) && (best < 0 || left.get(source)! > left.get(pending[best]!.source!)!)) best = k;
  }
  return best;
}

function sourceOf(options: IngestFilesOptions, file: string): Source | undefined {
  return (options.source as Source | undefined) ?? sourceFromFileName(path.basename(file));
}

async function ingestFile(
  deps: IngestFilesDeps,
  options: IngestFilesOptions,
  file: string,
  source: Source | undefined,
  thread: FeedReadThread,
): Promise<FileSummary> {
  if (!source) {
    return {
      file,
      source: null,
      batchId: null,
      error:
        'cannot tell the source: name it with --source or start the file name with cbp_, ice_, orr_, opla_ or eoir_',
    };
  }
  const st = statOf(file);
  if (!st) return { file, source, batchId: null, error: 'no such file' };
  if (st.isDirectory() || !FEED_FILE.test(file)) {
    return { file, source, batchId: null, error: 'not a CSV file (.csv or .csv.gz)' };
  }
  const bytes = st.size;
  const chunkSize = options.chunkSize ?? 10_000;
  const onThread = options.readThread ?? (thread.running || bytes >= READ_THREAD_MIN_BYTES);
  const batchId = await createBatch(deps.db, source, 'file', file, deps.clock.now());
  try {
    // The header line is kept once, on the batch; each accepted row keeps its raw text only.
    const header = await readFeedHeader(file, source);
    await setBatchHeader(deps.db, batchId, header);
    const { counts } = await ingestChunks(deps, {
      source,
      batchId,
      chunks: onThread
        ? thread.chunks(file, source, header, chunkSize)
        : prepareChunks(source, readFeedFile(file, source, { header }), chunkSize),
      onChunk: (n) => options.onRows?.(file, n),
    });
    await finishBatch(deps.db, batchId, deps.clock.now(), counts);
    return { file, source, batchId, ...counts };
  } catch (e) {
    if (!isBridgeError(e)) throw toError(e);
    await finishBatch(deps.db, batchId, deps.clock.now(), { error: e.message });
    return { file, source, batchId, error: e.message.replace(`${file}: `, '') };
  }
}

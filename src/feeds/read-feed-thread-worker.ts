// A feed-reading worker thread: reads the files it is asked for, one at a time, checks and maps their
// rows, and sends them to the main thread a piece at a time (PIECE_ROWS rows; the main thread
// gathers them into chunks), as many pieces as it was asked for.
import { parentPort } from 'node:worker_threads';
import { isBridgeError } from '../shared/errors.ts';
import { prepareChunks } from './ingest-rows.ts';
import { readFeedFile } from './read-feed-file.ts';
import { toColumns, type FromReadThread, type ToReadThread } from './read-feed-thread.ts';

const port = parentPort!;
const send = (m: FromReadThread, transfer: ArrayBuffer[] = []) => port.postMessage(m, transfer);
const reads: Extract<ToReadThread, { read: unknown }>[] = [];
let current = 0;
let credit = 0;
let wake: (() => void) | null = null;
const waitForMessage = () => new Promise<void>((resolve) => (wake = resolve));

port.on('message', (m: ToReadThread) => {
  if ('read' in m) reads.push(m);
  // Credit asked for a file already finished is left over from it.
  else if (m.id === current) credit += m.more;
  wake?.();
});

for (;;) {
  const next = reads.shift();
  if (!next) {
    await waitForMessage();
    continue;
  }
  const { file, source, header, chunkSize } = next.read;
  current = next.id;
  credit = next.more;
  try {
    for await (const chunk of prepareChunks(source, readFeedFile(file, source, { header }), chunkSize)) {
      while (credit === 0) await waitForMessage();
      credit--;
      const columns = toColumns(chunk);
      send({ chunk: columns }, [columns.text]);
    }
    send({ end: true });
  } catch (e) {
    send({
      error: isBridgeError(e)
        ? { code: e.code, message: e.message, details: e.details }
        : { code: null, message: e instanceof Error ? e.message : String(e) },
    });
  }
}

// A sweep's worker thread: evaluates the pages of children the main thread hands it, on its own
// connection to the server, and sends back each page's alert changes (the main thread writes them).
// The context of the address rules comes from the main thread, which read it once for both.
import { parentPort, workerData } from 'node:worker_threads';
import { openPostgres } from '../db/postgres.ts';
import { ReleaseIndex } from '../addresses/recurring.ts';
import { readPageOpenAlerts, ruleContext, sweepPage } from './evaluate-children.ts';
import type { RuleContext } from './evaluate.ts';
import type { FromWorker, SweepWorkerData, ToWorker } from './sweep-worker-client.ts';

const { url, asOf, settings, pageSize, readOpenAlerts, newestAddresses } = workerData as SweepWorkerData;
const port = parentPort!;
const send = (m: FromWorker) => port.postMessage(m);
const db = await openPostgres(url, { max: 4 });
let received: ((c: RuleContext) => void) | null = null;
let abandoned: ((e: Error) => void) | null = null;
const context = new Promise<RuleContext>((resolve, reject) => {
  received = resolve;
  abandoned = reject;
});
context.catch(() => {}); // awaited for each page; this only keeps an early failure from going unhandled
let queue: Promise<void> = Promise.resolve();

port.on('message', (m: ToWorker) => {
  if ('context' in m) {
    received!(ruleContext(new Set(m.context.units), ReleaseIndex.fromData(m.context.releases)));
    return;
  }
  if ('noContext' in m) {
    abandoned!(new Error(m.noContext));
    return;
  }
  if ('done' in m) {
    // A sweep that ends before sharing its context (it failed) leaves no page waiting for it.
    abandoned!(new Error('the sweep ended before its context was shared'));
    queue = queue.then(async () => {
      await db.close();
      port.close();
    });
    return;
  }
  // Each page's open alerts are read as soon as it is handed over, while the one before it is
  // evaluated; its children are then read and evaluated as they arrive.
  const open = readPageOpenAlerts(db, m, readOpenAlerts);
  queue = queue
    .then(async () =>
      send({
        page: await sweepPage(db, m, pageSize, await open, asOf, settings, await context, {
          newestAddresses,
        }),
      }),
    )
    .catch((e: unknown) => send({ error: e instanceof Error ? (e.stack ?? e.message) : String(e) }));
});

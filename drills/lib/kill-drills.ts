// The kill -9 drills, as functions the drill commands and the test suite both run. Each returns
// what it saw as lines for people, the figures for tests, and whether it passed.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { startWebhookReceiver, type WebhookReceiver } from '../../src/notify/test-receivers.ts';
import type { ServeProcess } from '../../bench/lib/serve-process.ts';
import {
  createTarget,
  deliveryCheck,
  differences,
  drillState,
  pushBatches,
  queueBatches,
  serveWithWorker,
  settle,
  setUpTarget,
  simulatedBatches,
  sleep,
  type DrillTarget,
  type FeedBatch,
} from './crash-drill.ts';

export type Where = { adminUrl: string; prefix: string } | { dir: string };

export interface DrillResult {
  passed: boolean;
  lines: string[];
  /** Parts of the stored state that differ from the clean run (empty when none). */
  differences: string[];
  delivery: Awaited<ReturnType<typeof deliveryCheck>>;
  /** Kills that landed while the service still had work in hand. */
  killsInWork: number;
}

// bridge serve refuses to start without a session secret outside demo mode; the drills use demo mode.
const ENV: Record<string, string> = {};

/** The simulated population's feeds as pushes of `size` records, in a folder removed afterwards. */
async function withBatches<T>(
  options: { children: number; seed: number },
  size: number,
  run: (batches: FeedBatch[]) => Promise<T>,
): Promise<T> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bridge-drill-'));
  try {
    return await run(await simulatedBatches(dir, { children: options.children, seed: options.seed, size }));
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

async function withDrill<T>(
  where: Where,
  labels: string[],
  run: (targets: DrillTarget[], receivers: WebhookReceiver[]) => Promise<T>,
): Promise<T> {
  const targets: DrillTarget[] = [];
  const receivers: WebhookReceiver[] = [];
  try {
    for (const label of labels) {
      targets.push(await createTarget(label, where));
      receivers.push(await startWebhookReceiver());
    }
    return await run(targets, receivers);
  } finally {
    for (const r of receivers) await r.close().catch(() => {});
    for (const t of targets) await t.drop().catch(() => {});
  }
}

function deliveryLines(d: DrillResult['delivery']): string[] {
  return [
    `deliveries: ${d.deliveries} in the outbox, ${d.delivered} delivered; the receiver accepted ${d.received} ` +
      `messages with ${d.distinct} distinct idempotency keys (${d.duplicates} repeats of a key it already had, ` +
      `${d.missing} keys never received, ${d.unknown} keys not in the outbox)`,
  ];
}

function deliveriesComplete(d: DrillResult['delivery']): boolean {
  return d.missing === 0 && d.unknown === 0 && d.delivered === d.deliveries && d.distinct === d.deliveries;
}

/**
 * kill -9 of `bridge serve` (API and worker in one process) while an agency system pushes batches:
 * the sender sends again what was not acknowledged; the stored state must equal a clean run's.
 */
export async function servePushDrill(options: {
  where: Where;
  children: number;
  seed: number;
  batchSize: number;
  /** The batch during whose request the process is killed, and how long after it was sent. */
  killAtBatch: number;
  killDelayMs: number;
}): Promise<DrillResult> {
  return withBatches(options, options.batchSize, async (batches) => {
    const killAt = Math.min(options.killAtBatch, batches.length - 1);
    return await withDrill(options.where, ['clean', 'killed'], async ([clean, killed], [rc, rk]) => {
      const runClean = await setUpTarget(clean!, rc!, 'critical');
      let serve = await serveWithWorker(clean!, ENV);
      const cleanStats = await pushBatches(() => serve.base, runClean.tokens, batches);
      await settle(clean!, serve, rc!, ENV);
      const expected = await withDb(clean!, (db) => drillState(db, { history: false }));

      const runKilled = await setUpTarget(killed!, rk!, 'critical');
      serve = await serveWithWorker(killed!, ENV);
      let restarted: Promise<void> = Promise.resolve();
      let killedAt = '';
      const stats = await pushBatches(() => serve.base, runKilled.tokens, batches, {
        beforeSend: (i) => {
          if (i !== killAt) return;
          restarted = (async () => {
            await sleep(options.killDelayMs);
            const t0 = performance.now();
            await serve.kill();
            killedAt = `batch ${i + 1} of ${batches.length}, ${options.killDelayMs} ms after it was sent`;
            serve = await serveWithWorker(killed!, ENV, { port: serve.port });
            killedAt += `; serving again ${((performance.now() - t0) / 1000).toFixed(1)} s later`;
          })();
        },
      });
      await restarted;
      await settle(killed!, serve, rk!, ENV);
      const { diff, delivery, passed } = await compareWithClean(killed!, rk!, expected, { history: false });
      return {
        passed,
        differences: diff,
        delivery,
        killsInWork: stats.resent > 0 ? 1 : 0,
        lines: [
          `${clean!.engine}: ${options.children} children, ${batches.length} pushes of up to ${options.batchSize} records ` +
            `(${batches.reduce((n, b) => n + b.records.length, 0)} records)`,
          `clean run: ${cleanStats.requests} requests, answers ${JSON.stringify(cleanStats.answered)}`,
          `kill -9 of bridge serve at ${killedAt}`,
          `killed run: ${stats.requests} requests, ${stats.resent} sent again (not acknowledged), answers ${JSON.stringify(stats.answered)}; ` +
            `${(stats.answered.unchanged ?? 0) - (cleanStats.answered.unchanged ?? 0)} records of the batch sent again ` +
            `had been stored before the kill (answered unchanged)`,
          `stored state against the clean run (source rows, records, quarantine, children, links, open alerts, open tasks): ` +
            (diff.length ? `DIFFERS: ${diff.join('; ')}` : 'identical'),
          ...deliveryLines(delivery),
          `drill ${passed ? 'PASSED' : 'FAILED'}: nothing lost, nothing doubled`,
        ],
      };
    });
  });
}

/** The killed run's stored state and deliveries, checked against the clean run's state. */
async function compareWithClean(
  killed: DrillTarget,
  receiver: Parameters<typeof deliveryCheck>[1],
  expected: Awaited<ReturnType<typeof drillState>>,
  options: { history: boolean },
) {
  const [actual, delivery] = await withDb(
    killed,
    async (db) => [await drillState(db, options), await deliveryCheck(db, receiver)] as const,
  );
  const diff = differences(expected, actual);
  return { diff, delivery, passed: diff.length === 0 && deliveriesComplete(delivery) };
}

async function withDb<T>(
  target: DrillTarget,
  f: (db: Awaited<ReturnType<DrillTarget['open']>>) => Promise<T>,
) {
  const db = await target.open();
  try {
    return await f(db);
  } finally {
    await db.close();
  }
}

/** Waits until `done()` holds, while `serve` runs; fails after a minute or if it stopped. */
async function until(serve: ServeProcess, done: () => boolean, what: string): Promise<void> {
  const t0 = performance.now();
  while (!done()) {
    if (!serve.alive() || performance.now() - t0 > 60_000) throw new Error(`never reached: ${what}`);
    await sleep(5);
  }
}

/**
 * kill -9 of the worker (`bridge serve` with its in-process worker) three times: in the middle of
 * the projections of pushed records (linking, rules, notifications, report facts, tasks), a while
 * after the links are written; at the first message after that restart, when the rules' results
 * have committed and the tasks are being synced; then in the middle of the webhook deliveries, once
 * a given share of the messages have reached the receiver. After each kill it is restarted.
 * The state, its history included (closed alerts, tasks, events), must equal the clean run's, and
 * every message of the outbox must reach the receiver (repeats of a key are counted: delivery is
 * at least once, with the same idempotency key on every attempt).
 */
export async function workerDrill(options: {
  where: Where;
  children: number;
  seed: number;
  /**
   * When to kill in the projections, after the links are written: a fraction of the time the clean
   * run took from there to its first message (rules, notifications, report facts).
   */
  projectionsAt: number;
  /** When to kill in the deliveries, as a fraction of the messages received. */
  deliveriesAt: number;
}): Promise<DrillResult> {
  return withBatches(options, 500, async (batches) => {
    return await withDrill(options.where, ['clean', 'killed'], async ([clean, killed], [rc, rk]) => {
      for (const [target, receiver] of [
        [clean!, rc!],
        [killed!, rk!],
      ] as const) {
        await setUpTarget(target, receiver);
        await queueBatches(target, batches);
      }
      const LINKED = /linked (all|changed) records/;
      let t0 = performance.now();
      let serve = await serveWithWorker(clean!, ENV, { watchLog: true });
      const cleanLinkedAt = await serve.logged(LINKED);
      await until(serve, () => rc!.received.length > 0, 'a first message in the clean run');
      // From the links written to the first message: the rules, notifications and report facts.
      const evaluateMs = Math.max(0, rc!.received[0]!.at - cleanLinkedAt);
      await settle(clean!, serve, rc!, ENV);
      const cleanMs = performance.now() - t0;
      const expected = await withDb(clean!, (db) => drillState(db, { history: true }));
      const messages = rc!.received.length;

      t0 = performance.now();
      serve = await serveWithWorker(killed!, ENV, { watchLog: true });
      const killedLinkedAt = await serve.logged(LINKED);
      const projectionsKillMs = Math.round(options.projectionsAt * evaluateMs);
      await sleep(Math.max(0, killedLinkedAt + projectionsKillMs - performance.now()));
      const beforeFirstKill = rk!.received.length;
      await serve.kill();
      serve = await serveWithWorker(killed!, ENV, { port: serve.port });
      // The rules' results commit, their messages go out at once, and the tasks sync follows: a
      // kill at the next message lands in the task sync (or just after it).
      const beforeMessage = rk!.received.length;
      await until(serve, () => rk!.received.length > beforeMessage, 'a message after the first restart');
      await serve.kill();
      serve = await serveWithWorker(killed!, ENV, { port: serve.port });
      const killWhen = Math.max(1, Math.floor(messages * options.deliveriesAt));
      await until(serve, () => rk!.received.length >= killWhen, `${killWhen} messages in the killed run`);
      const beforeSecondKill = rk!.received.length;
      await serve.kill();
      serve = await serveWithWorker(killed!, ENV, { port: serve.port });
      await settle(killed!, serve, rk!, ENV);
      const killedMs = performance.now() - t0;
      const { diff, delivery, passed } = await compareWithClean(killed!, rk!, expected, { history: true });
      return {
        passed,
        differences: diff,
        delivery,
        killsInWork: (beforeFirstKill === 0 ? 1 : 0) + 1 + (beforeSecondKill < delivery.deliveries ? 1 : 0),
        lines: [
          `${clean!.engine}: ${options.children} children, ${batches.reduce((n, b) => n + b.records.length, 0)} records ` +
            `stored and queued with no worker running, then the worker started`,
          `clean run: links written, first message ${(evaluateMs / 1000).toFixed(1)} s later, all caught up after ` +
            `${(cleanMs / 1000).toFixed(1)} s, ${messages} messages`,
          `killed run: kill -9 in the projections ${(projectionsKillMs / 1000).toFixed(2)} s after the links were written ` +
            `(${beforeFirstKill} messages sent by then), restart, kill -9 at the next message (in the task sync), ` +
            `restart, kill -9 in the deliveries after ` +
            `${beforeSecondKill} messages, restart; all caught up after ${(killedMs / 1000).toFixed(1)} s`,
          `stored state against the clean run (source rows, records, children, links, alerts open and closed, ` +
            `tasks, events): ${diff.length ? `DIFFERS: ${diff.join('; ')}` : 'identical'}`,
          ...deliveryLines(delivery),
          `drill ${passed ? 'PASSED' : 'FAILED'}: nothing lost, nothing doubled`,
        ],
      };
    });
  });
}

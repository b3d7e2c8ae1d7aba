// Folds each mail subscription's waiting non-critical events into one digest delivery, which the
// delivery worker then sends like any other message (retries, dead letter, log). Runs daily as a job.
import type { Db, Queryable } from '../db/index.ts';
import type { Clock } from '../shared/clock.ts';
import { enqueueJob } from '../jobs/index.ts';
import { foldDigest, subscriptionsWithDigests } from './notify.queries.ts';
import { DEFAULT_RETRY } from './retry.ts';

export const DIGEST_QUEUE = 'notify.digest';

export async function foldDigests(db: Db, maxAttempts = DEFAULT_RETRY.maxAttempts): Promise<number> {
  let folded = 0;
  for (const subscriptionId of await subscriptionsWithDigests(db)) {
    const r = await db.transaction((tx) => foldDigest(tx, subscriptionId, maxAttempts));
    if (r) folded++;
  }
  return folded;
}

/** The next time the digest is due: today at `hourUtc` if still ahead, else tomorrow. */
export function nextDigestAt(now: Date, hourUtc: number): Date {
  const at = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate(), hourUtc));
  if (at.getTime() <= now.getTime()) at.setUTCDate(at.getUTCDate() + 1);
  return at;
}

/** Queues the next digest run once, however many processes ask (the dedupe key is the run's hour). */
export async function scheduleDigest(db: Queryable, clock: Clock, hourUtc: number): Promise<void> {
  const at = nextDigestAt(clock.now(), hourUtc);
  await enqueueJob(
    db,
    DIGEST_QUEUE,
    { hourUtc },
    { runAt: at, dedupeKey: `${DIGEST_QUEUE}:${at.toISOString()}` },
  );
}

/** The job handler: fold today's digests, then queue tomorrow's run. */
export async function runDigestJob(
  payload: Record<string, unknown>,
  deps: { db: Db; clock: Clock },
): Promise<void> {
  await foldDigests(deps.db);
  const hour = typeof payload.hourUtc === 'number' ? payload.hourUtc : 13;
  await scheduleDigest(deps.db, deps.clock, hour);
}

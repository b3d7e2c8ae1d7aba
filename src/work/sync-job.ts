// The `work.sync` job: syncs tasks for some children (after an evaluation) or for all, and a full
// sweep schedules the next one an hour later so escalations happen even when no alert changes (the
// hourly sweep does not re-route: the children whose address or court changed were synced when
// their rows came in).
import type { JobHandler, JobRow } from '../jobs/index.ts';
import { enqueueJob } from '../jobs/index.ts';
import type { Queryable } from '../db/index.ts';
import type { Clock } from '../shared/clock.ts';
import { BridgeError } from '../shared/errors.ts';
import { syncTasks } from './sync-tasks.ts';

export const SYNC_QUEUE = 'work.sync';
const SWEEP_EVERY_MS = 60 * 60 * 1000;

/** Enqueues the full sweep of the hour after `now` (once per hour, whoever asks). */
export async function scheduleTaskSweep(db: Queryable, now: Date): Promise<number | null> {
  const at = new Date(Math.floor(now.getTime() / SWEEP_EVERY_MS) * SWEEP_EVERY_MS + SWEEP_EVERY_MS);
  return enqueueJob(db, SYNC_QUEUE, {}, { dedupeKey: `${SYNC_QUEUE}:${at.toISOString()}`, runAt: at });
}

export function syncTasksHandler(clock: Clock): JobHandler {
  return async (job: JobRow, deps) => {
    const childIds = payloadChildren(job.payload);
    await syncTasks({ db: deps.db, log: deps.log, clock }, childIds ? { childIds } : { reroute: false });
    if (!childIds) await scheduleTaskSweep(deps.db, clock.now());
  };
}

function payloadChildren(p: Record<string, unknown>): string[] | undefined {
  const ids = p.child_ids;
  if (ids === undefined) return undefined;
  if (!Array.isArray(ids) || !ids.every((x) => typeof x === 'string')) {
    throw new BridgeError('BODY_INVALID', 'work.sync payload: child_ids must be a list of child ids');
  }
  return ids as string[];
}

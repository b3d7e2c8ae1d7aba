// Every job queue the workers serve, and the domain use case that handles it.
import type { JobHandler } from './worker.ts';
import { systemClock } from '../shared/clock.ts';
import { SYNC_QUEUE, syncTasksHandler } from '../work/sync-job.ts';
import { DIGEST_QUEUE, runDigestJob } from '../notify/index.ts';

export function jobHandlers(): Record<string, JobHandler> {
  return {
    [SYNC_QUEUE]: syncTasksHandler(systemClock),
    [DIGEST_QUEUE]: (job, { db }) => runDigestJob(job.payload, { db, clock: systemClock }),
  };
}

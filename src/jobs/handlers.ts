// Every job queue the workers serve, and the domain use case that handles it.
import type { JobHandler } from './worker.ts';
import { systemClock } from '../shared/clock.ts';
import { SYNC_QUEUE, syncTasksHandler } from '../work/sync-job.ts';
import { DIGEST_QUEUE, runDigestJob } from '../notify/index.ts';
import { PROJECTIONS_QUEUE, runProjections } from '../projections.ts';

export function jobHandlers(): Record<string, JobHandler> {
  return {
    [SYNC_QUEUE]: syncTasksHandler(systemClock),
    [DIGEST_QUEUE]: (job, { db }) => runDigestJob(job.payload, { db, clock: systemClock }),
    // Pushed feed records: link them, evaluate their children, route tasks, record notifications.
    [PROJECTIONS_QUEUE]: async (_job, { db, log }) => {
      await runProjections({ db, log, clock: systemClock });
    },
  };
}

// Every job queue the workers serve, and the domain use case that handles it.
import type { JobHandler } from './worker.ts';
import { systemClock } from '../shared/clock.ts';
import { SYNC_QUEUE, syncTasksHandler } from '../work/sync-job.ts';
import { DIGEST_QUEUE, runDigestJob } from '../notify/index.ts';
import { PROJECTIONS_QUEUE, runProjections } from '../projections.ts';
import { REPORTS_WARM_QUEUE, warmReportCache } from '../reports/index.ts';
import { insertJob as enqueueJob } from './jobs.queries.ts';

export function jobHandlers(): Record<string, JobHandler> {
  return {
    [SYNC_QUEUE]: syncTasksHandler(systemClock),
    [DIGEST_QUEUE]: (job, { db }) => runDigestJob(job.payload, { db, clock: systemClock }),
    // Pushed feed records: link them, evaluate their children, route tasks, record notifications.
    [PROJECTIONS_QUEUE]: async (_job, { db, log }) => {
      const done = await runProjections({ db, log, clock: systemClock });
      // Today's overview is computed once the burst of records is over (at most twice a minute),
      // so the page reads it from the cache; the notifications' path does not wait for it.
      if (done.records > 0) {
        const now = systemClock.now().getTime();
        await enqueueJob(
          db,
          REPORTS_WARM_QUEUE,
          {},
          {
            dedupeKey: `${REPORTS_WARM_QUEUE}:${Math.floor(now / 30_000)}`,
            runAt: new Date(now + 15_000),
          },
        );
      }
    },
    [REPORTS_WARM_QUEUE]: (_job, { db }) => warmReportCache({ db, clock: systemClock }),
  };
}

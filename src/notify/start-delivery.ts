// Starts notification delivery in a long-running process (`bridge serve`, `bridge worker`): the
// delivery loop, and the daily digest queued once on the job table.
import type { Db } from '../db/index.ts';
import type { Clock } from '../shared/clock.ts';
import type { Log } from '../shared/log.ts';
import { toError } from '../shared/errors.ts';
import { loadNotifyConfig } from './config.ts';
import { DeliveryWorker } from './deliver-notifications.ts';
import { scheduleDigest } from './send-digests.ts';

export function startDelivery(deps: { db: Db; log: Log; clock: Clock }): { stop(): Promise<void> } {
  const config = loadNotifyConfig();
  const worker = new DeliveryWorker({ ...deps, config });
  worker.start();
  scheduleDigest(deps.db, deps.clock, config.digestHourUtc).catch((e: unknown) =>
    deps.log.error({ err: toError(e).message }, 'could not schedule the daily digest'),
  );
  return { stop: () => worker.stop() };
}

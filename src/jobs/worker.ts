// Runs background jobs. Any number of workers may run against one PostgreSQL server: each claims
// jobs with FOR UPDATE SKIP LOCKED, so a job is handled by one worker at a time.
import os from 'node:os';
import crypto from 'node:crypto';
import type { Db, Queryable } from '../db/index.ts';
import type { Log } from '../shared/log.ts';
import { toError } from '../shared/errors.ts';
import {
  claimJobs,
  JOBS_CHANNEL,
  markDone,
  markFailed,
  releaseJobsOf,
  releaseStale,
  type JobRow,
} from './jobs.queries.ts';
import { deadLocalHolders } from '../shared/claims.ts';

export type JobHandler = (job: JobRow, deps: { db: Db; log: Log }) => Promise<void>;

export interface WorkerOptions {
  db: Db;
  log: Log;
  handlers: Record<string, JobHandler>;
  /** Milliseconds between polls when there was nothing to do. */
  pollMs?: number;
  batchSize?: number;
  /** A job held longer than this by a worker is considered abandoned. */
  staleSeconds?: number;
  id?: string;
}

/** Exponential backoff with full jitter, capped at an hour. */
export function retryDelaySeconds(attempt: number, random: () => number = Math.random): number {
  const cap = Math.min(3600, 2 ** attempt);
  return Math.max(1, Math.round(cap * random()));
}

export class Worker {
  readonly id: string;
  private stopping = false;
  private loop: Promise<void> | null = null;
  private wake: (() => void) | null = null;
  /** A job due now was queued since the last claim: poll again at once. */
  private nudged = false;
  private unlisten: Promise<(() => Promise<void>) | null> = Promise.resolve(null);

  constructor(private readonly options: WorkerOptions) {
    this.id = options.id ?? `${os.hostname()}:${process.pid}:${crypto.randomBytes(3).toString('hex')}`;
  }

  start(): void {
    if (this.loop) return;
    const { db, log } = this.options;
    // Woken by each commit that queues a job due now; the poll stays for jobs due later and for a
    // listener that lost its connection.
    this.unlisten = db.listen
      ? db
          .listen(JOBS_CHANNEL, () => {
            this.nudged = true;
            this.wake?.();
          })
          .catch((e: unknown) => {
            log.warn({ err: toError(e).message }, 'cannot listen for new jobs; polling only');
            return null;
          })
      : Promise.resolve(null);
    this.loop = this.run();
  }

  /** Whether commits that queue jobs wake this worker, once started. */
  async listening(): Promise<boolean> {
    return (await this.unlisten) !== null;
  }

  /** Finishes the jobs in hand, then stops. */
  async stop(): Promise<void> {
    this.stopping = true;
    this.wake?.();
    await this.loop;
    await (
      await this.unlisten
    )?.();
    this.unlisten = Promise.resolve(null);
  }

  /** Claims and runs jobs until none is ready; returns how many ran. */
  async drain(): Promise<number> {
    let total = 0;
    for (;;) {
      const n = await this.runBatch();
      if (n === 0) return total;
      total += n;
    }
  }

  private async runBatch(): Promise<number> {
    const { db, log, handlers } = this.options;
    const jobs = await claimJobs(db, Object.keys(handlers), this.id, this.options.batchSize ?? 10);
    for (const job of jobs) {
      const handler = handlers[job.queue]!;
      try {
        await handler(job, { db, log });
        await markDone(db, job.id, this.id);
      } catch (thrown) {
        const err = toError(thrown);
        const retry = job.attempts < job.max_attempts ? retryDelaySeconds(job.attempts) : null;
        log.warn({ job: job.id, queue: job.queue, attempt: job.attempts, err: err.message }, 'job failed');
        await markFailed(db, job.id, this.id, err.message, retry);
      }
    }
    return jobs.length;
  }

  private async run(): Promise<void> {
    const { db, log } = this.options;
    const pollMs = this.options.pollMs ?? 500;
    let lastStaleCheck = 0;
    while (!this.stopping) {
      try {
        if (Date.now() - lastStaleCheck > 30_000) {
          lastStaleCheck = Date.now();
          const n =
            (await releaseJobsOf(db, deadLocalHolders)) +
            (await releaseStale(db as Queryable, this.options.staleSeconds ?? 300));
          if (n) log.info({ released: n }, 'released abandoned jobs');
        }
        this.nudged = false;
        const n = await this.runBatch();
        if (n > 0) continue;
      } catch (thrown) {
        // The database may be restarting: keep polling, the service recovers by itself.
        log.error({ err: toError(thrown).message }, 'worker poll failed');
      }
      if (this.nudged || this.stopping) continue;
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, pollMs);
        this.wake = () => {
          clearTimeout(t);
          resolve();
        };
      });
    }
  }
}

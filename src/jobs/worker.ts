// Runs background jobs. Any number of workers may run against one PostgreSQL server: each claims
// jobs with FOR UPDATE SKIP LOCKED, so a job is handled by one worker at a time.
import os from 'node:os';
import crypto from 'node:crypto';
import type { Db } from '../db/index.ts';
import type { Log } from '../shared/log.ts';
import { toError } from '../shared/errors.ts';
import {
  claimJobs,
  JOBS_CHANNEL,
  markDone,
  markFailed,
  releaseStale as releaseStaleJobs,
  type JobRow,
} from './jobs.queries.ts';
import { releaseClaimsOfDeadHolders } from '../shared/claims.ts';
import { ClaimLoop } from '../shared/claim-loop.ts';

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

export class Worker extends ClaimLoop {
  readonly id: string;

  constructor(private readonly options: WorkerOptions) {
    super({
      db: options.db,
      log: options.log,
      channel: JOBS_CHANNEL,
      what: 'jobs',
      pollMs: options.pollMs ?? 500,
    });
    this.id = options.id ?? `${os.hostname()}:${process.pid}:${crypto.randomBytes(3).toString('hex')}`;
  }

  /** Puts back jobs held by a worker that stopped answering: at once when it ran on this machine and
   * its process has ended, else once the claim is older than `staleSeconds`. */
  async releaseStale(): Promise<number> {
    const { db, staleSeconds } = this.options;
    return (
      (await releaseClaimsOfDeadHolders(db, { table: 'job', claimed: 'running', free: 'queued' })) +
      (await releaseStaleJobs(db, staleSeconds ?? 300))
    );
  }

  async runBatch(): Promise<number> {
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
}

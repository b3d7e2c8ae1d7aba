// SQL for the job table.
import type { Queryable } from '../db/index.ts';

export interface JobRow {
  id: number;
  queue: string;
  payload: Record<string, unknown>;
  attempts: number;
  max_attempts: number;
}

export async function insertJob(
  db: Queryable,
  queue: string,
  payload: Record<string, unknown>,
  options: { dedupeKey?: string; runAt?: Date; maxAttempts?: number } = {},
): Promise<number | null> {
  const rows = await db.query<{ id: number }>(
    `INSERT INTO job (queue, payload, dedupe_key, run_at, max_attempts)
     VALUES ($1, $2::jsonb, $3, COALESCE($4::timestamptz, now()), $5)
     ON CONFLICT (dedupe_key) DO NOTHING
     RETURNING id`,
    [
      queue,
      JSON.stringify(payload),
      options.dedupeKey ?? null,
      options.runAt ?? null,
      options.maxAttempts ?? 5,
    ],
  );
  const id = rows[0]?.id ?? null;
  // A job due now wakes the listening workers when the caller's transaction commits.
  if (id !== null && !options.runAt) await db.query(`SELECT pg_notify($1, '')`, [JOBS_CHANNEL]);
  return id;
}

/** Workers listen here for jobs that are due at once. */
export const JOBS_CHANNEL = 'bridge_jobs';

export async function claimJobs(db: Queryable, queues: readonly string[], workerId: string, limit: number) {
  return db.query<JobRow>(
    `UPDATE job SET status = 'running', locked_by = $2, locked_at = now(), attempts = attempts + 1
     WHERE id IN (
       SELECT id FROM job
       WHERE status = 'queued' AND run_at <= now() AND queue = ANY($1::text[])
       ORDER BY run_at, id
       LIMIT $3
       FOR UPDATE SKIP LOCKED)
     RETURNING id, queue, payload, attempts, max_attempts`,
    [queues, workerId, limit],
  );
}

export async function markDone(db: Queryable, id: number, workerId: string): Promise<void> {
  await db.query(
    `UPDATE job SET status = 'done', finished_at = now(), locked_by = NULL, locked_at = NULL
     WHERE id = $1 AND locked_by = $2`,
    [id, workerId],
  );
}

export async function markFailed(
  db: Queryable,
  id: number,
  workerId: string,
  error: string,
  retryInSeconds: number | null,
): Promise<void> {
  await db.query(
    `UPDATE job SET
       status = CASE WHEN $4::float8 IS NULL THEN 'failed' ELSE 'queued' END,
       run_at = CASE WHEN $4::float8 IS NULL THEN run_at ELSE now() + make_interval(secs => $4::float8) END,
       finished_at = CASE WHEN $4::float8 IS NULL THEN now() ELSE NULL END,
       last_error = $3, locked_by = NULL, locked_at = NULL
     WHERE id = $1 AND locked_by = $2`,
    [id, workerId, error.slice(0, 2000), retryInSeconds],
  );
}

/** Puts back jobs whose worker died while holding them (kill -9, lost machine). */
export async function releaseStale(db: Queryable, olderThanSeconds: number): Promise<number> {
  const rows = await db.query(
    `UPDATE job SET status = 'queued', locked_by = NULL, locked_at = NULL
     WHERE status = 'running' AND locked_at < now() - make_interval(secs => $1::float8)
     RETURNING id`,
    [olderThanSeconds],
  );
  return rows.length;
}

export async function countJobs(db: Queryable) {
  return db.query<{ queue: string; status: string; n: number }>(
    `SELECT queue, status, count(*)::int AS n FROM job GROUP BY queue, status ORDER BY queue, status`,
  );
}

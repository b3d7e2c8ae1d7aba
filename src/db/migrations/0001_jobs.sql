-- Background work shared by every process: claimed with FOR UPDATE SKIP LOCKED so several
-- workers on one PostgreSQL server never take the same job.
CREATE TABLE job (
  id bigserial PRIMARY KEY,
  queue text NOT NULL,
  payload jsonb NOT NULL DEFAULT '{}'::jsonb,
  -- Set when the same work must never be queued twice (for example one job per ingest batch).
  dedupe_key text UNIQUE,
  status text NOT NULL DEFAULT 'queued' CHECK (status IN ('queued', 'running', 'done', 'failed')),
  attempts integer NOT NULL DEFAULT 0,
  max_attempts integer NOT NULL DEFAULT 5,
  run_at timestamptz NOT NULL DEFAULT now(),
  locked_by text,
  locked_at timestamptz,
  last_error text,
  created_at timestamptz NOT NULL DEFAULT now(),
  finished_at timestamptz
);

CREATE INDEX job_ready_idx ON job (queue, run_at, id) WHERE status = 'queued';
CREATE INDEX job_running_idx ON job (locked_at) WHERE status = 'running';

-- Records whose dependants (links, alerts, tasks, notifications) still have to be brought up to
-- date. Written in the ingest chunk's own transaction, so a crash between the ingest and the
-- projections loses nothing: the next run (or any worker) drains what is left.
CREATE TABLE projection_pending (
  record_pk bigint PRIMARY KEY,
  queued_at timestamptz NOT NULL DEFAULT now()
);

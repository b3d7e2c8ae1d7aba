-- Identity: children and the link from each in-scope record to its child. Child ids are stable:
-- re-linking or adding rows never renumbers a child whose rows did not change.
CREATE TABLE child (
  id text PRIMARY KEY,
  created_at timestamptz NOT NULL DEFAULT now(),
  -- Set when a merge folded this child into another; the id is never reused.
  merged_into text REFERENCES child (id),
  retired_at timestamptz
);

CREATE TABLE record_link (
  record_pk bigint PRIMARY KEY REFERENCES record (id) ON DELETE CASCADE,
  child_id text NOT NULL REFERENCES child (id),
  -- How the link was made: 'a_number', 'orr_uc_id', 'idncase', 'model', 'manual', 'singleton'.
  method text NOT NULL,
  score double precision,
  linked_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX record_link_child_idx ON record_link (child_id);

-- Identity linkage: the model each run used, people's decisions (who, when, why) that win over the
-- model, the review queue, an audit of merges and splits, and indexes for incremental blocking.

CREATE SEQUENCE child_id_seq;

-- The trained model: m/u per comparison level, λ, thresholds, and the name frequencies frozen with it
-- so that a full run and an incremental run give a pair the same weight.
CREATE TABLE link_model (
  id bigserial PRIMARY KEY,
  trained_at timestamptz NOT NULL,
  params jsonb NOT NULL,
  name_frequencies jsonb NOT NULL
);

-- A person's decision about two records. The newest decision about a pair wins over the model in
-- every later run. Merges and splits are recorded as decisions too (kind tells which).
CREATE TABLE link_decision (
  id bigserial PRIMARY KEY,
  record_a bigint NOT NULL REFERENCES record (id) ON DELETE CASCADE,
  record_b bigint NOT NULL REFERENCES record (id) ON DELETE CASCADE,
  decision text NOT NULL CHECK (decision IN ('link', 'apart')),
  kind text NOT NULL DEFAULT 'review' CHECK (kind IN ('review', 'merge', 'split')),
  actor text NOT NULL,
  reason text NOT NULL,
  decided_at timestamptz NOT NULL,
  CHECK (record_a < record_b)
);
CREATE INDEX link_decision_pair_idx ON link_decision (record_a, record_b, id);
CREATE INDEX link_decision_b_idx ON link_decision (record_b);

-- Pairs in the middle band of scores (or strong pairs a guard kept apart) waiting for a person.
CREATE TABLE review_pair (
  id bigserial PRIMARY KEY,
  record_a bigint NOT NULL REFERENCES record (id) ON DELETE CASCADE,
  record_b bigint NOT NULL REFERENCES record (id) ON DELETE CASCADE,
  weight double precision NOT NULL,
  status text NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'decided', 'withdrawn')),
  decision_id bigint REFERENCES link_decision (id),
  created_at timestamptz NOT NULL,
  updated_at timestamptz NOT NULL,
  UNIQUE (record_a, record_b),
  CHECK (record_a < record_b)
);
CREATE INDEX review_pair_open_idx ON review_pair (weight DESC) WHERE status = 'open';

-- Append-only audit of people's identity actions and of link runs.
CREATE TABLE identity_audit (
  id bigserial PRIMARY KEY,
  at timestamptz NOT NULL,
  actor text NOT NULL,
  action text NOT NULL CHECK (action IN ('decide', 'merge', 'split', 'link')),
  detail jsonb NOT NULL
);

-- Scratch table of a run's links, merged into record_link set-based.
CREATE UNLOGGED TABLE link_stage (
  record_pk bigint NOT NULL,
  child_id text NOT NULL,
  method text NOT NULL,
  score double precision
);

CREATE UNLOGGED TABLE review_stage (
  record_a bigint NOT NULL,
  record_b bigint NOT NULL,
  weight double precision NOT NULL
);

-- Blocking keys of the in-memory linker, as SQL expressions, for incremental candidate lookups.
CREATE INDEX record_block_dob_surname_idx ON record (dob, left(surname1, 2)) WHERE in_scope;
CREATE INDEX record_block_dob_given_idx ON record (dob, left(split_part(given_names, ' ', 1), 2)) WHERE in_scope;
CREATE INDEX record_block_names_idx ON record (surname1, given_names) WHERE in_scope;
CREATE INDEX record_link_method_idx ON record_link (method);

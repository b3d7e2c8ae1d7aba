-- The newest address each child was last announced with (child.address_changed), so that a change is
-- announced once, in the transaction that brings the child's projections up to date, and running
-- the projections again announces nothing new. `version` counts the announcements (stable event ids).
CREATE TABLE notify_child_address (
  child_id text PRIMARY KEY,
  version integer NOT NULL,
  address_key text NOT NULL,
  address jsonb NOT NULL,
  record_pk bigint NOT NULL,
  address_on date NOT NULL,
  updated_at timestamptz NOT NULL DEFAULT now()
);

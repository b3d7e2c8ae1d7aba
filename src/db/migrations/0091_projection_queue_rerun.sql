-- The projections may stop anywhere (kill -9, a lost machine) and run again from the start of the
-- round. Two things make that rerun complete:
-- 1. Each queueing of a record takes a new number: a record queued again while a round works on it
--    keeps its place, since the round removes only the entries it read (record_pk and seq).
-- 2. The children a round's records were linked to before linking are kept until the round's rules
--    and tasks have committed: a record that moved to another child still brings the child it left
--    up to date when the round runs again after the links were written.
CREATE SEQUENCE projection_pending_seq;
ALTER TABLE projection_pending ADD COLUMN seq bigint NOT NULL DEFAULT nextval('projection_pending_seq');
CREATE TABLE projection_pending_child (
  child_id text PRIMARY KEY
);

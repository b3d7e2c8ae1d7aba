-- review_pair's references to record are checked once per statement instead of once per row. A full
-- link at full scale writes about 265,000 pairs for review; the two row-level foreign keys ran two
-- checks per pair, each locking a record row somewhere in a table of three million, and took 2.1 of
-- the 4.4 s the write took. The same guarantees, set-based (as 0022 did for record_link), with the
-- checks and guards 0101 defined:
--   * a pair must name two existing records (checked after each insert and update statement, over
--     its rows, or over the whole table for a write of more than 100,000 rows);
--   * deleting records deletes their pairs, and truncating record with CASCADE empties review_pair
--     (was ON DELETE CASCADE);
--   * a record's id does not change.
ALTER TABLE review_pair
  DROP CONSTRAINT review_pair_record_a_fkey,
  DROP CONSTRAINT review_pair_record_b_fkey;

CREATE TRIGGER review_pair_check_insert AFTER INSERT ON review_pair
  REFERENCING NEW TABLE AS written FOR EACH STATEMENT
  EXECUTE FUNCTION check_references('id', 'record_a', 'record', 'id', 'record_b', 'record', 'id');
CREATE TRIGGER review_pair_check_update AFTER UPDATE ON review_pair
  REFERENCING NEW TABLE AS written FOR EACH STATEMENT
  EXECUTE FUNCTION check_references('id', 'record_a', 'record', 'id', 'record_b', 'record', 'id');

-- Two deletes on the two indexes (one OR would scan the table).
CREATE FUNCTION review_pair_cascade_records() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  DELETE FROM review_pair p USING gone g WHERE p.record_a = g.id;
  DELETE FROM review_pair p USING gone g WHERE p.record_b = g.id;
  RETURN NULL;
END
$$;

CREATE TRIGGER record_delete_review_pairs AFTER DELETE ON record
  REFERENCING OLD TABLE AS gone FOR EACH STATEMENT EXECUTE FUNCTION review_pair_cascade_records();

-- A DELETE, as 0022 does for links: the same TRUNCATE may already hold review_pair (it reaches it
-- through link_decision), which a TRUNCATE here could not then take again.
CREATE FUNCTION review_pair_truncate_with_records() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  DELETE FROM review_pair;
  RETURN NULL;
END
$$;

CREATE TRIGGER record_truncate_review_pairs AFTER TRUNCATE ON record
  FOR EACH STATEMENT EXECUTE FUNCTION review_pair_truncate_with_records();

CREATE TRIGGER record_keep_id BEFORE UPDATE OF id ON record
  FOR EACH ROW EXECUTE FUNCTION refuse_key_change('id');

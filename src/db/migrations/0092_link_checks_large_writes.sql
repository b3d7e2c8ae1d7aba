-- A statement that writes many links (a full link writes about 3 million) is checked against the
-- whole of record_link instead of its transition table. The planner knows nothing about the rows
-- of a transition table, so it probed the record and child indexes once per written row: about
-- 10 s for a full link. Over the table itself it merges the two primary keys and hashes the
-- children: under 2 s. Small writes (an ingest's links) keep the per-row probes, which cost
-- next to nothing for them. The guarantee is the same: no link names a missing record or child.
CREATE OR REPLACE FUNCTION record_link_check_refs() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  checked text;
  bad_pk bigint;
  bad_child text;
BEGIN
  SELECT CASE WHEN count(*) > 100000 THEN 'record_link' ELSE 'written' END INTO checked
    FROM (SELECT 1 FROM written LIMIT 100001) w;
  EXECUTE format('SELECT w.record_pk, w.child_id FROM %I w
                   WHERE NOT EXISTS (SELECT 1 FROM record r WHERE r.id = w.record_pk) LIMIT 1', checked)
     INTO bad_pk, bad_child;
  IF bad_pk IS NULL THEN
    EXECUTE format('SELECT w.record_pk, w.child_id FROM %I w
                     WHERE NOT EXISTS (SELECT 1 FROM child c WHERE c.id = w.child_id) LIMIT 1', checked)
       INTO bad_pk, bad_child;
  END IF;
  IF bad_pk IS NOT NULL THEN
    RAISE EXCEPTION 'record_link (record_pk %, child_id %) names a record or child that does not exist',
      bad_pk, bad_child USING ERRCODE = 'foreign_key_violation';
  END IF;
  RETURN NULL;
END
$$;

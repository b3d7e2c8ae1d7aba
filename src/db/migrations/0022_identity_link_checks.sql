-- record_link's references are checked once per statement instead of once per row. A full link
-- writes a link for every in-scope record (about 3 million); the row-level foreign keys ran two
-- checks per row, each locking the referenced record and child row, and cost more than the write
-- itself. The same guarantees, set-based:
--   * a link must name an existing record and an existing child (checked after each insert and
--     update statement, over the rows it wrote);
--   * deleting or truncating records deletes their links (was ON DELETE CASCADE);
--   * a child that links still point to cannot be deleted.
ALTER TABLE record_link DROP CONSTRAINT record_link_record_pk_fkey;
ALTER TABLE record_link DROP CONSTRAINT record_link_child_id_fkey;
-- No query selects links by method; the index only slowed every write.
DROP INDEX record_link_method_idx;

-- Two plain anti-joins (not one OR of two): each can be a hash join over millions of written rows,
-- or index lookups for a few.
CREATE FUNCTION record_link_check_refs() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  bad record;
BEGIN
  SELECT w.record_pk, w.child_id INTO bad FROM written w
   WHERE NOT EXISTS (SELECT 1 FROM record r WHERE r.id = w.record_pk) LIMIT 1;
  IF NOT FOUND THEN
    SELECT w.record_pk, w.child_id INTO bad FROM written w
     WHERE NOT EXISTS (SELECT 1 FROM child c WHERE c.id = w.child_id) LIMIT 1;
  END IF;
  IF FOUND THEN
    RAISE EXCEPTION 'record_link (record_pk %, child_id %) names a record or child that does not exist',
      bad.record_pk, bad.child_id USING ERRCODE = 'foreign_key_violation';
  END IF;
  RETURN NULL;
END
$$;

CREATE TRIGGER record_link_check_insert AFTER INSERT ON record_link
  REFERENCING NEW TABLE AS written FOR EACH STATEMENT EXECUTE FUNCTION record_link_check_refs();
CREATE TRIGGER record_link_check_update AFTER UPDATE ON record_link
  REFERENCING NEW TABLE AS written FOR EACH STATEMENT EXECUTE FUNCTION record_link_check_refs();

CREATE FUNCTION record_link_cascade_records() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  DELETE FROM record_link l USING gone g WHERE l.record_pk = g.id;
  RETURN NULL;
END
$$;

CREATE TRIGGER record_delete_links AFTER DELETE ON record
  REFERENCING OLD TABLE AS gone FOR EACH STATEMENT EXECUTE FUNCTION record_link_cascade_records();

CREATE FUNCTION record_link_keep_children() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  held text;
BEGIN
  SELECT g.id INTO held FROM gone g WHERE EXISTS (SELECT 1 FROM record_link l WHERE l.child_id = g.id) LIMIT 1;
  IF FOUND THEN
    RAISE EXCEPTION 'child % still has linked records', held USING ERRCODE = 'foreign_key_violation';
  END IF;
  RETURN NULL;
END
$$;

CREATE TRIGGER child_delete_check_links AFTER DELETE ON child
  REFERENCING OLD TABLE AS gone FOR EACH STATEMENT EXECUTE FUNCTION record_link_keep_children();

-- TRUNCATE record ... CASCADE used to reach record_link through the foreign key.
CREATE FUNCTION record_link_truncate_with_records() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  DELETE FROM record_link;
  RETURN NULL;
END
$$;

CREATE TRIGGER record_truncate_links AFTER TRUNCATE ON record
  FOR EACH STATEMENT EXECUTE FUNCTION record_link_truncate_with_records();

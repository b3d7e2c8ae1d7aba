-- alert's reference to child is checked once per statement instead of once per row. A first sweep
-- opens about 675,000 alerts; the row-level foreign key ran one check per alert, each locking the
-- child's row, about a third of the time the server spent writing them. The same guarantees,
-- set-based (as 0022 did for record_link):
--   * an alert must name an existing child (checked after each insert and update statement);
--   * a child that alerts still name cannot be deleted;
--   * TRUNCATE child ... CASCADE still empties alert (tasks go with the children they name).
ALTER TABLE alert DROP CONSTRAINT alert_child_id_fkey;

CREATE FUNCTION alert_check_child() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  bad text;
BEGIN
  SELECT w.child_id INTO bad FROM written w
   WHERE NOT EXISTS (SELECT 1 FROM child c WHERE c.id = w.child_id) LIMIT 1;
  IF FOUND THEN
    RAISE EXCEPTION 'alert names child %, which does not exist', bad USING ERRCODE = 'foreign_key_violation';
  END IF;
  RETURN NULL;
END
$$;

CREATE TRIGGER alert_check_child_insert AFTER INSERT ON alert
  REFERENCING NEW TABLE AS written FOR EACH STATEMENT EXECUTE FUNCTION alert_check_child();
CREATE TRIGGER alert_check_child_update AFTER UPDATE ON alert
  REFERENCING NEW TABLE AS written FOR EACH STATEMENT EXECUTE FUNCTION alert_check_child();

CREATE FUNCTION alert_keep_children() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  held text;
BEGIN
  SELECT g.id INTO held FROM gone g WHERE EXISTS (SELECT 1 FROM alert a WHERE a.child_id = g.id) LIMIT 1;
  IF FOUND THEN
    RAISE EXCEPTION 'child % still has alerts', held USING ERRCODE = 'foreign_key_violation';
  END IF;
  RETURN NULL;
END
$$;

CREATE TRIGGER child_delete_check_alerts AFTER DELETE ON child
  REFERENCING OLD TABLE AS gone FOR EACH STATEMENT EXECUTE FUNCTION alert_keep_children();

CREATE FUNCTION alert_truncate_with_children() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  DELETE FROM alert;
  RETURN NULL;
END
$$;

CREATE TRIGGER child_truncate_alerts AFTER TRUNCATE ON child
  FOR EACH STATEMENT EXECUTE FUNCTION alert_truncate_with_children();

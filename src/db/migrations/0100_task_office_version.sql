-- Each office's tasks have a version that every statement changing any of them moves on, so that a
-- serving process can keep the worklist pages it wrote out and serve one again while its office is
-- still at the version the page was read at. The version is read before the page: a page kept
-- under a version holds at least every change up to it, and a change committed since moves the
-- version, so no kept page is served once it is out of date. Statements that change no task (an
-- update matching no row) leave the version where it was.
CREATE TABLE task_office_version (
  office_id text PRIMARY KEY,
  version bigint NOT NULL
);

CREATE FUNCTION task_office_version_bump() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'TRUNCATE' THEN
    UPDATE task_office_version SET version = version + 1;
    RETURN NULL;
  END IF;
  -- In office order, so that two statements moving the same offices lock them in the same order.
  IF TG_OP = 'INSERT' THEN
    INSERT INTO task_office_version AS v (office_id, version)
    SELECT DISTINCT office_id, 1 FROM new_rows ORDER BY office_id
    ON CONFLICT (office_id) DO UPDATE SET version = v.version + 1;
  ELSIF TG_OP = 'UPDATE' THEN
    INSERT INTO task_office_version AS v (office_id, version)
    SELECT office_id, 1 FROM (SELECT office_id FROM new_rows UNION SELECT office_id FROM old_rows) o
     ORDER BY office_id
    ON CONFLICT (office_id) DO UPDATE SET version = v.version + 1;
  ELSE
    INSERT INTO task_office_version AS v (office_id, version)
    SELECT DISTINCT office_id, 1 FROM old_rows ORDER BY office_id
    ON CONFLICT (office_id) DO UPDATE SET version = v.version + 1;
  END IF;
  RETURN NULL;
END
$$;

CREATE TRIGGER task_office_version_insert AFTER INSERT ON task
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION task_office_version_bump();
CREATE TRIGGER task_office_version_update AFTER UPDATE ON task
  REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION task_office_version_bump();
CREATE TRIGGER task_office_version_delete AFTER DELETE ON task
  REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION task_office_version_bump();
CREATE TRIGGER task_office_version_truncate AFTER TRUNCATE ON task
  FOR EACH STATEMENT EXECUTE FUNCTION task_office_version_bump();

INSERT INTO task_office_version (office_id, version) SELECT DISTINCT office_id, 1 FROM task;

-- Work: each office's open tasks counted by deadline, escalation and assignment, kept current by
-- triggers on `task`, so the at-a-glance summary (open, overdue, due soon, escalated, unassigned)
-- reads a few hundred counter rows instead of counting an office's open tasks on each request (the
-- national ORR queue holds about 250,000 at full scale).
CREATE TABLE task_open_count (
  office_id text NOT NULL,
  due_on date NOT NULL,
  escalated boolean NOT NULL,
  assigned boolean NOT NULL,
  n integer NOT NULL,
  PRIMARY KEY (office_id, due_on, escalated, assigned)
);
-- Counters that dropped to zero, removed at the end of each statement.
CREATE INDEX task_open_count_zero_idx ON task_open_count (office_id) WHERE n = 0;

-- Recounts every office from `task` (after a bulk load that bypassed the triggers).
CREATE FUNCTION task_open_count_rebuild() RETURNS void
LANGUAGE sql AS $$
  DELETE FROM task_open_count;
  INSERT INTO task_open_count (office_id, due_on, escalated, assigned, n)
  SELECT office_id, due_on, escalated_at IS NOT NULL, assigned_to IS NOT NULL, count(*)
    FROM task WHERE status = 'open'
   GROUP BY 1, 2, 3, 4;
$$;

-- Applies one statement's changes: open rows leaving (old) count -1, open rows arriving (new) +1.
CREATE FUNCTION task_open_count_apply() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'INSERT' THEN
    INSERT INTO task_open_count AS c (office_id, due_on, escalated, assigned, n)
    SELECT office_id, due_on, escalated_at IS NOT NULL, assigned_to IS NOT NULL, count(*)
      FROM new_rows WHERE status = 'open' GROUP BY 1, 2, 3, 4
    ON CONFLICT (office_id, due_on, escalated, assigned) DO UPDATE SET n = c.n + EXCLUDED.n;
  ELSIF TG_OP = 'UPDATE' THEN
    INSERT INTO task_open_count AS c (office_id, due_on, escalated, assigned, n)
    SELECT office_id, due_on, escalated, assigned, sum(d)
      FROM (SELECT office_id, due_on, escalated_at IS NOT NULL AS escalated, assigned_to IS NOT NULL AS assigned, -1 AS d
              FROM old_rows WHERE status = 'open'
            UNION ALL
            SELECT office_id, due_on, escalated_at IS NOT NULL, assigned_to IS NOT NULL, 1
              FROM new_rows WHERE status = 'open') x
     GROUP BY 1, 2, 3, 4
    HAVING sum(d) <> 0
    ON CONFLICT (office_id, due_on, escalated, assigned) DO UPDATE SET n = c.n + EXCLUDED.n;
  ELSE
    INSERT INTO task_open_count AS c (office_id, due_on, escalated, assigned, n)
    SELECT office_id, due_on, escalated_at IS NOT NULL, assigned_to IS NOT NULL, -count(*)
      FROM old_rows WHERE status = 'open' GROUP BY 1, 2, 3, 4
    ON CONFLICT (office_id, due_on, escalated, assigned) DO UPDATE SET n = c.n + EXCLUDED.n;
  END IF;
  DELETE FROM task_open_count WHERE n = 0;
  RETURN NULL;
END
$$;

CREATE TRIGGER task_open_count_insert AFTER INSERT ON task
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION task_open_count_apply();
CREATE TRIGGER task_open_count_update AFTER UPDATE ON task
  REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION task_open_count_apply();
CREATE TRIGGER task_open_count_delete AFTER DELETE ON task
  REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION task_open_count_apply();

SELECT task_open_count_rebuild();

-- task's references (alert, child, office, outcome) and task_event's reference to task are checked
-- once per statement instead of once per row. A first load opens about 650,000 tasks, nearly all
-- of them past their deadline, so about 1.3 million history entries with them: the row-level
-- foreign keys ran about 3.9 million checks, each locking the row it found, and took 19 of the 44 s
-- the server spent writing them. The same guarantees, set-based (as 0022 did for record_link and
-- 0093 for alert):
--   * a task must name an existing alert, child and office, and an existing outcome when it has
--     one; a history entry an existing task (checked after each insert and update statement);
--   * an alert, child, office, outcome or task that these still name cannot be deleted, and the
--     keys they are named by do not change;
--   * TRUNCATE of a table they name, with CASCADE, still empties task and task_event.
ALTER TABLE task
  DROP CONSTRAINT task_alert_id_fkey,
  DROP CONSTRAINT task_child_id_fkey,
  DROP CONSTRAINT task_office_id_fkey,
  DROP CONSTRAINT task_outcome_fkey;
ALTER TABLE task_event DROP CONSTRAINT task_event_task_id_fkey;

-- Over the statement's rows, or (a large write: the planner knows nothing of a transition table's
-- rows and would probe each parent once per row) over the whole table, by hash joins.
CREATE FUNCTION task_check_refs() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  checked text;
  bad text;
BEGIN
  SELECT CASE WHEN count(*) > 100000 THEN 'task' ELSE 'written' END INTO checked
    FROM (SELECT 1 FROM written LIMIT 100001) w;
  EXECUTE format(
    'SELECT * FROM (
       SELECT format(''task %%s names alert %%s'', w.id, w.alert_id) FROM %1$I w
        WHERE NOT EXISTS (SELECT 1 FROM alert a WHERE a.id = w.alert_id)
       UNION ALL
       SELECT format(''task %%s names child %%s'', w.id, w.child_id) FROM %1$I w
        WHERE NOT EXISTS (SELECT 1 FROM child c WHERE c.id = w.child_id)
       UNION ALL
       SELECT format(''task %%s names office %%s'', w.id, w.office_id) FROM %1$I w
        WHERE NOT EXISTS (SELECT 1 FROM office o WHERE o.id = w.office_id)
       UNION ALL
       SELECT format(''task %%s names outcome %%s'', w.id, w.outcome) FROM %1$I w
        WHERE w.outcome IS NOT NULL AND NOT EXISTS (SELECT 1 FROM task_outcome o WHERE o.code = w.outcome)
     ) bad LIMIT 1', checked) INTO bad;
  IF bad IS NOT NULL THEN
    RAISE EXCEPTION '%, which does not exist', bad USING ERRCODE = 'foreign_key_violation';
  END IF;
  RETURN NULL;
END
$$;

CREATE TRIGGER task_check_refs_insert AFTER INSERT ON task
  REFERENCING NEW TABLE AS written FOR EACH STATEMENT EXECUTE FUNCTION task_check_refs();
CREATE TRIGGER task_check_refs_update AFTER UPDATE ON task
  REFERENCING NEW TABLE AS written FOR EACH STATEMENT EXECUTE FUNCTION task_check_refs();

CREATE FUNCTION task_event_check_task() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  checked text;
  bad bigint;
BEGIN
  SELECT CASE WHEN count(*) > 100000 THEN 'task_event' ELSE 'written' END INTO checked
    FROM (SELECT 1 FROM written LIMIT 100001) w;
  EXECUTE format('SELECT w.task_id FROM %I w WHERE NOT EXISTS (SELECT 1 FROM task t WHERE t.id = w.task_id) LIMIT 1',
                 checked) INTO bad;
  IF bad IS NOT NULL THEN
    RAISE EXCEPTION 'a task history entry names task %, which does not exist', bad
      USING ERRCODE = 'foreign_key_violation';
  END IF;
  RETURN NULL;
END
$$;

CREATE TRIGGER task_event_check_task_insert AFTER INSERT ON task_event
  REFERENCING NEW TABLE AS written FOR EACH STATEMENT EXECUTE FUNCTION task_event_check_task();
CREATE TRIGGER task_event_check_task_update AFTER UPDATE ON task_event
  REFERENCING NEW TABLE AS written FOR EACH STATEMENT EXECUTE FUNCTION task_event_check_task();

-- A parent row still named cannot go. TG_ARGV: the table that names it and its naming column.
CREATE FUNCTION keep_named_rows() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  held text;
BEGIN
  EXECUTE format('SELECT g.%1$I::text FROM gone g WHERE EXISTS (SELECT 1 FROM %2$I x WHERE x.%3$I = g.%1$I) LIMIT 1',
                 TG_ARGV[0], TG_ARGV[1], TG_ARGV[2]) INTO held;
  IF held IS NOT NULL THEN
    RAISE EXCEPTION '% % is still named by %', TG_TABLE_NAME, held, TG_ARGV[1]
      USING ERRCODE = 'foreign_key_violation';
  END IF;
  RETURN NULL;
END
$$;

CREATE TRIGGER alert_delete_check_tasks AFTER DELETE ON alert
  REFERENCING OLD TABLE AS gone FOR EACH STATEMENT EXECUTE FUNCTION keep_named_rows('id', 'task', 'alert_id');
CREATE TRIGGER child_delete_check_tasks AFTER DELETE ON child
  REFERENCING OLD TABLE AS gone FOR EACH STATEMENT EXECUTE FUNCTION keep_named_rows('id', 'task', 'child_id');
CREATE TRIGGER office_delete_check_tasks AFTER DELETE ON office
  REFERENCING OLD TABLE AS gone FOR EACH STATEMENT EXECUTE FUNCTION keep_named_rows('id', 'task', 'office_id');
CREATE TRIGGER task_outcome_delete_check_tasks AFTER DELETE ON task_outcome
  REFERENCING OLD TABLE AS gone FOR EACH STATEMENT EXECUTE FUNCTION keep_named_rows('code', 'task', 'outcome');
CREATE TRIGGER task_delete_check_events AFTER DELETE ON task
  REFERENCING OLD TABLE AS gone FOR EACH STATEMENT EXECUTE FUNCTION keep_named_rows('id', 'task_event', 'task_id');

-- The keys these rows are named by are never changed (a merged child keeps its id).
CREATE FUNCTION refuse_key_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF to_jsonb(NEW) -> TG_ARGV[0] IS DISTINCT FROM to_jsonb(OLD) -> TG_ARGV[0] THEN
    RAISE EXCEPTION 'the % of a row of % does not change', TG_ARGV[0], TG_TABLE_NAME
      USING ERRCODE = 'foreign_key_violation';
  END IF;
  RETURN NEW;
END
$$;

CREATE TRIGGER alert_keep_id BEFORE UPDATE OF id ON alert
  FOR EACH ROW EXECUTE FUNCTION refuse_key_change('id');
CREATE TRIGGER child_keep_id BEFORE UPDATE OF id ON child
  FOR EACH ROW EXECUTE FUNCTION refuse_key_change('id');
CREATE TRIGGER office_keep_id BEFORE UPDATE OF id ON office
  FOR EACH ROW EXECUTE FUNCTION refuse_key_change('id');
CREATE TRIGGER task_outcome_keep_code BEFORE UPDATE OF code ON task_outcome
  FOR EACH ROW EXECUTE FUNCTION refuse_key_change('code');
CREATE TRIGGER task_keep_id BEFORE UPDATE OF id ON task
  FOR EACH ROW EXECUTE FUNCTION refuse_key_change('id');

-- Truncation: a truncated alert, child, office or outcome table takes the tasks (and with them
-- their history, notes and attachments); the alerts a truncated child takes go after its tasks.
CREATE FUNCTION task_truncate_with_parents() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  TRUNCATE task CASCADE;
  RETURN NULL;
END
$$;

CREATE FUNCTION task_event_truncate_with_tasks() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  TRUNCATE task_event;
  RETURN NULL;
END
$$;

CREATE OR REPLACE FUNCTION alert_truncate_with_children() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  TRUNCATE task CASCADE;
  DELETE FROM alert;
  RETURN NULL;
END
$$;

CREATE TRIGGER alert_truncate_tasks AFTER TRUNCATE ON alert
  FOR EACH STATEMENT EXECUTE FUNCTION task_truncate_with_parents();
CREATE TRIGGER office_truncate_tasks AFTER TRUNCATE ON office
  FOR EACH STATEMENT EXECUTE FUNCTION task_truncate_with_parents();
CREATE TRIGGER task_outcome_truncate_tasks AFTER TRUNCATE ON task_outcome
  FOR EACH STATEMENT EXECUTE FUNCTION task_truncate_with_parents();
CREATE TRIGGER task_truncate_events AFTER TRUNCATE ON task
  FOR EACH STATEMENT EXECUTE FUNCTION task_event_truncate_with_tasks();

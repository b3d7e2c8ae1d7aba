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

-- Checks, after an insert or update statement, that the rows it wrote name existing rows: over the
-- statement's rows, or (a write of more than 100,000 rows: the planner knows nothing of a transition
-- table's rows and would probe each parent once per row) over the whole table, by hash joins.
-- TG_ARGV: the table's key column, then for each reference its column, the table it names and that
-- table's key column. A NULL reference names nothing.
CREATE FUNCTION check_references() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  checked text;
  probes text[] := '{}';
  bad text;
BEGIN
  SELECT CASE WHEN count(*) > 100000 THEN TG_TABLE_NAME ELSE 'written' END INTO checked
    FROM (SELECT 1 FROM written LIMIT 100001) w;
  FOR i IN 1 .. (TG_NARGS - 1) / 3 LOOP
    probes := probes || format(
      'SELECT format(%L, w.%I, w.%I) FROM %I w
        WHERE w.%I IS NOT NULL AND NOT EXISTS (SELECT 1 FROM %I p WHERE p.%I = w.%I)',
      TG_TABLE_NAME || ' %s names ' || TG_ARGV[3 * i - 1] || ' %s', TG_ARGV[0], TG_ARGV[3 * i - 2], checked,
      TG_ARGV[3 * i - 2], TG_ARGV[3 * i - 1], TG_ARGV[3 * i], TG_ARGV[3 * i - 2]);
  END LOOP;
  EXECUTE 'SELECT * FROM (' || array_to_string(probes, ' UNION ALL ') || ') bad LIMIT 1' INTO bad;
  IF bad IS NOT NULL THEN
    RAISE EXCEPTION '%, which does not exist', bad USING ERRCODE = 'foreign_key_violation';
  END IF;
  RETURN NULL;
END
$$;

CREATE TRIGGER task_check_refs_insert AFTER INSERT ON task
  REFERENCING NEW TABLE AS written FOR EACH STATEMENT
  EXECUTE FUNCTION check_references('id', 'alert_id', 'alert', 'id', 'child_id', 'child', 'id',
                                    'office_id', 'office', 'id', 'outcome', 'task_outcome', 'code');
CREATE TRIGGER task_check_refs_update AFTER UPDATE ON task
  REFERENCING NEW TABLE AS written FOR EACH STATEMENT
  EXECUTE FUNCTION check_references('id', 'alert_id', 'alert', 'id', 'child_id', 'child', 'id',
                                    'office_id', 'office', 'id', 'outcome', 'task_outcome', 'code');

CREATE TRIGGER task_event_check_task_insert AFTER INSERT ON task_event
  REFERENCING NEW TABLE AS written FOR EACH STATEMENT
  EXECUTE FUNCTION check_references('id', 'task_id', 'task', 'id');
CREATE TRIGGER task_event_check_task_update AFTER UPDATE ON task_event
  REFERENCING NEW TABLE AS written FOR EACH STATEMENT
  EXECUTE FUNCTION check_references('id', 'task_id', 'task', 'id');

-- A row still named cannot go. TG_ARGV: its key column, the table that names it, and that table's
-- naming column.
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

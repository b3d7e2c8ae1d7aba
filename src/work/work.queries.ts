// The SQL of the work module. Sync statements are set-based; worklists read indexes only.
import { ADDRESS_RECORD_SQL, NEWEST_RECORD_FIRST_SQL } from '../cases/cases.queries.ts';
import { taskOverdueEvents, TASK_OVERDUE_SUBSCRIBED } from '../notify/index.ts';

/** Serializes syncs (a transaction-level lock, released at commit). */
export const LOCK_SYNC = `SELECT pg_advisory_xact_lock(574652747)`;

// Every statement that changes tasks moves their offices' versions (0100), locking those rows until
// commit. So that two writers never each hold what the other waits for (a task row one holds, a
// version the other holds), whatever changes tasks first locks the versions of the offices it may
// touch, in office order, and only then task rows: a sync all of them, a person's change those of
// its tasks' offices.
/** Locks every office's version (a sync, which may touch any office). */
export const LOCK_ALL_OFFICES = `SELECT office_id FROM task_office_version ORDER BY office_id FOR UPDATE`;
/** Locks the versions of the offices of tasks $1 (ids). */
export const LOCK_TASK_OFFICES = `SELECT v.office_id FROM task_office_version v
 WHERE v.office_id IN (SELECT t.office_id FROM task t WHERE t.id = ANY($1::bigint[]))
 ORDER BY v.office_id FOR UPDATE OF v`;

/**
 * Closes open tasks whose alert closed. $1 now, $2 child ids or null. Returns the closed count.
 */
export const CLOSE_RESOLVED = `
WITH closed AS (
  UPDATE task t
     SET status = 'closed', closed_at = $1, closed_by = 'system', outcome = 'resolved_by_facts',
         outcome_note = a.close_reason, updated_at = $1
    FROM alert a
   WHERE a.id = t.alert_id AND t.status = 'open' AND a.closed_at IS NOT NULL
     AND ($2::text[] IS NULL OR t.child_id = ANY($2::text[]))
  RETURNING t.id, a.id AS alert_id, a.close_reason
), ev AS (
  INSERT INTO task_event (task_id, kind, actor, at, details)
  SELECT id, 'closed', 'system', $1,
         jsonb_build_object('outcome', 'resolved_by_facts', 'alert_id', alert_id, 'reason', close_reason)
    FROM closed
  RETURNING 1
)
SELECT count(*)::int AS n FROM ev`;

// Routes (alert, office kind) pairs of the cand CTE (alert_id, child_id, rule_id, kind,
// alert_court) to their office (ERO by the child's current address: newest address-bearing record,
// ties broken as the case state does; OPLA and EOIR by the court of the alert or of the child's
// newest court record; ORR one national queue).
function routed(cand: string): string {
  return `
WITH cand AS (${cand}), addr AS (
  SELECT DISTINCT ON (l.child_id) l.child_id, upper(trim(r.addr_state)) AS st, trim(r.addr_zip5) AS zip,
         r.source AS src, r.id AS pk, r.own_date AS on_date
    FROM record_link l JOIN record r ON r.id = l.record_pk
   WHERE l.child_id IN (SELECT child_id FROM cand WHERE kind = 'ERO')
     AND ${ADDRESS_RECORD_SQL}
   ORDER BY l.child_id, ${NEWEST_RECORD_FIRST_SQL}
), court AS (
  SELECT DISTINCT ON (l.child_id) l.child_id, upper(trim(r.court_code)) AS court_code
    FROM record_link l JOIN record r ON r.id = l.record_pk
   WHERE l.child_id IN (SELECT child_id FROM cand WHERE kind IN ('OPLA', 'EOIR') AND alert_court IS NULL)
     AND r.court_code IS NOT NULL AND trim(r.court_code) <> ''
   ORDER BY l.child_id, ${NEWEST_RECORD_FIRST_SQL}
), ero AS (
  -- Each distinct address once: a first load routes about 320,000 children to their ERO office
  -- from a few tens of thousands of distinct state and ZIP pairs.
  SELECT st, zip, ero_office(NULLIF(st, ''), NULLIF(zip, '')) AS office
    FROM (SELECT DISTINCT COALESCE(st, '') AS st, COALESCE(zip, '') AS zip FROM addr) d
), routed AS (
  SELECT c.alert_id, c.child_id, c.rule_id, c.kind, ad.st AS addr_state,
         CASE c.kind
           WHEN 'ERO' THEN 'current address ' || COALESCE(NULLIF(concat_ws(' ', ad.st, ad.zip), ''), 'unknown')
                           || COALESCE(' (' || ad.src || ' record ' || ad.pk || ' of ' || to_char(ad.on_date, 'YYYY-MM-DD') || ')', '')
           WHEN 'ORR' THEN 'national queue'
           ELSE 'court ' || COALESCE(NULLIF(upper(trim(c.alert_court)), ''), co.court_code, 'unknown')
         END AS basis,
         CASE c.kind
           WHEN 'ORR' THEN 'ORR'
           WHEN 'ERO' THEN COALESCE('ERO:' || er.office, 'ERO:UNROUTED')
           ELSE c.kind || ':' || COALESCE(NULLIF(upper(trim(c.alert_court)), ''), co.court_code, 'UNROUTED')
         END AS office_id
    FROM cand c
    LEFT JOIN addr ad ON ad.child_id = c.child_id AND c.kind = 'ERO'
    LEFT JOIN court co ON co.child_id = c.child_id
    LEFT JOIN ero er ON c.kind = 'ERO' AND er.st = COALESCE(ad.st, '') AND er.zip = COALESCE(ad.zip, '')
)`;
}

const OPEN_ALERT_KINDS = `
  SELECT a.id AS alert_id, a.child_id, a.rule_id, k.kind, a.details ->> 'court_code' AS alert_court
    FROM alert a
   CROSS JOIN LATERAL unnest(a.office_kinds) AS k(kind)
   WHERE a.closed_at IS NULL AND ($1::text[] IS NULL OR a.child_id = ANY($1::text[]))`;

/**
 * Open actionable alerts lacking a task for one of their office kinds, routed; `held` when the
 * child already has a task (of any status) for the alert's rule and that office kind, which
 * REOPEN_RETURNING may reopen and OPEN_NEW must not duplicate. $1 child ids or null.
 */
export const ROUTE_CANDIDATES = `${routed(`${OPEN_ALERT_KINDS}
     AND NOT EXISTS (SELECT 1 FROM task t WHERE t.alert_id = a.id AND t.office_kind = k.kind)`)}
SELECT alert_id::text AS alert_id, kind, addr_state, office_id,
       EXISTS (SELECT 1 FROM task t
                WHERE t.child_id = routed.child_id AND t.rule_id = routed.rule_id AND t.office_kind = routed.kind) AS held
  FROM routed ORDER BY alert_id, kind`;

/**
 * What should hold after a sync, as violations: an open actionable alert and office kind without
 * exactly one open task in the office routing gives, or an open task whose alert is not open.
 * $1 child ids or null.
 */
export const CHECK_TASKS = `${routed(OPEN_ALERT_KINDS)}, have AS (
  SELECT t.alert_id, t.office_kind AS kind, count(*)::int AS n, min(t.office_id) AS office_id
    FROM task t WHERE t.status = 'open' AND ($1::text[] IS NULL OR t.child_id = ANY($1::text[]))
   GROUP BY t.alert_id, t.office_kind
)
SELECT COALESCE(r.alert_id, h.alert_id)::text AS alert_id, COALESCE(r.kind, h.kind) AS kind,
       CASE WHEN h.alert_id IS NULL THEN 'no open task'
            WHEN r.alert_id IS NULL THEN 'open task without an open alert'
            WHEN h.n > 1 THEN 'more than one open task'
            ELSE 'task in the wrong office' END AS problem,
       r.office_id AS expected_office, h.office_id AS task_office
  FROM routed r FULL JOIN have h ON h.alert_id = r.alert_id AND h.kind = r.kind
 WHERE h.alert_id IS NULL OR r.alert_id IS NULL OR h.n > 1 OR h.office_id <> r.office_id
 ORDER BY 1, 2
 LIMIT 1000`;

// Inserts the OPLA/EOIR court offices among the ids the query `ids` (one column, id) gives.
function insertCourtOffices(ids: string): string {
  return `
INSERT INTO office (id, kind, name, supervisor_queue)
SELECT DISTINCT id, split_part(id, ':', 1),
       split_part(id, ':', 1) || ' office for immigration court ' || split_part(id, ':', 2), id || ':supervisor'
  FROM (${ids}) AS o(id)
 WHERE split_part(id, ':', 1) IN ('OPLA', 'EOIR')
ON CONFLICT (id) DO NOTHING`;
}

/**
 * Moves open tasks whose office no longer matches the routing (the child's current address moved
 * to another ERO area, or the case moved to another court) to the office the routing gives now,
 * with a history entry saying from where, to where and why. The assignee works in the old office,
 * so the task becomes unassigned; an escalated task goes to the new office's supervisor queue.
 * $1 child ids or null, $2 now. Returns the moved count.
 */
export const REROUTE_OPEN = `${routed(`
  SELECT a.id AS alert_id, a.child_id, a.rule_id, t.office_kind AS kind, a.details ->> 'court_code' AS alert_court
    FROM task t JOIN alert a ON a.id = t.alert_id
   WHERE t.status = 'open' AND a.closed_at IS NULL AND t.office_kind <> 'ORR'
     AND ($1::text[] IS NULL OR t.child_id = ANY($1::text[]))`)}, diff AS (
  SELECT t.id, t.office_id AS from_office, r.office_id AS to_office, r.addr_state, r.basis,
         t.assigned_to
    FROM task t JOIN routed r ON r.alert_id = t.alert_id AND r.kind = t.office_kind
   WHERE t.status = 'open' AND t.office_id <> r.office_id
), offices AS (${insertCourtOffices(`SELECT to_office FROM diff`)}
), moved AS (
  UPDATE task t
     SET office_id = d.to_office, addr_state = COALESCE(d.addr_state, t.addr_state), assigned_to = NULL,
         assigned_at = NULL,
         escalated_to = CASE WHEN t.escalated_at IS NULL THEN NULL ELSE d.to_office || ':supervisor' END,
         updated_at = $2
    FROM diff d
   WHERE t.id = d.id
  RETURNING t.id
), ev AS (
  INSERT INTO task_event (task_id, kind, actor, at, details)
  SELECT d.id, 'rerouted', 'system', $2,
         jsonb_build_object('from', d.from_office, 'to', d.to_office, 'reason', d.basis,
                            'previous_assignee', d.assigned_to)
    FROM diff d JOIN moved m ON m.id = d.id
  RETURNING 1
)
SELECT count(*)::int AS n FROM ev`;

/** Adds OPLA/EOIR court offices seen for the first time. $1 office ids. */
export const ADD_COURT_OFFICES = insertCourtOffices(`SELECT unnest($1::text[])`);

// The routed candidates joined to their alert, with the deadline and the office's action.
// $1 alert ids, $2 kinds, $3 office ids, $4 states, $5 rules json {rule: {deadline_days, actions}}.
const ROUTED = `
routed AS (
  SELECT i.alert_id, i.kind, i.office_id, i.addr_state, a.child_id, a.rule_id, a.severity,
         CASE a.severity WHEN 'critical' THEN 0 WHEN 'high' THEN 1 WHEN 'medium' THEN 2 ELSE 3 END AS severity_rank,
         COALESCE(a.due_on, a.opened_on + COALESCE(($5::jsonb -> a.rule_id ->> 'deadline_days')::int, 30)) AS due_on,
         COALESCE($5::jsonb -> a.rule_id -> 'actions' ->> i.kind, 'act on the alert') AS action
    FROM unnest($1::bigint[], $2::text[], $3::text[], $4::text[]) AS i(alert_id, kind, office_id, addr_state)
    JOIN alert a ON a.id = i.alert_id
)`;

/**
 * Open tasks take the deadline and severity of their alert when later rows changed the alert in
 * place (its opened_on, due_on or severity follow the facts), so a task's deadline does not depend
 * on which rows had arrived when it opened. $1 now, $2 child ids or null, $3 rules json.
 */
export const FOLLOW_ALERTS = `
WITH terms AS (
  SELECT t.id, a.severity,
         CASE a.severity WHEN 'critical' THEN 0 WHEN 'high' THEN 1 WHEN 'medium' THEN 2 ELSE 3 END AS severity_rank,
         COALESCE(a.due_on, a.opened_on + COALESCE(($3::jsonb -> a.rule_id ->> 'deadline_days')::int, 30)) AS due_on
    FROM task t JOIN alert a ON a.id = t.alert_id
   WHERE t.status = 'open' AND ($2::text[] IS NULL OR t.child_id = ANY($2::text[]))
), changed AS (
  UPDATE task t
     SET due_on = x.due_on, severity = x.severity, severity_rank = x.severity_rank, updated_at = $1
    FROM terms x
   WHERE t.id = x.id AND (t.due_on, t.severity) IS DISTINCT FROM (x.due_on, x.severity)
  RETURNING 1
)
SELECT count(*)::int AS n FROM changed`;

/** Reopens the closed task of the same child, rule and office kind when its alert came back. $6 now. */
export const REOPEN_RETURNING = `
WITH ${ROUTED}, prev AS (
  SELECT DISTINCT ON (p.alert_id, p.kind) p.*, t.id AS task_id, t.alert_id AS prev_alert_id,
         t.outcome AS prev_outcome, t.office_id AS prev_office_id
    FROM routed p
    JOIN task t ON t.child_id = p.child_id AND t.rule_id = p.rule_id AND t.office_kind = p.kind
   WHERE t.status = 'closed'
   ORDER BY p.alert_id, p.kind, t.closed_at DESC, t.id DESC
), reopened AS (
  UPDATE task t
     SET alert_id = p.alert_id, office_id = p.office_id, addr_state = p.addr_state, action = p.action,
         severity = p.severity, severity_rank = p.severity_rank, due_on = p.due_on, status = 'open',
         escalated_at = NULL, escalated_to = NULL, closed_at = NULL, closed_by = NULL, outcome = NULL,
         outcome_note = NULL, attempts = NULL, reopened_count = t.reopened_count + 1, updated_at = $6
    FROM prev p
   WHERE t.id = p.task_id
  RETURNING t.id, p.alert_id, p.prev_alert_id, p.prev_outcome, p.prev_office_id, p.office_id, p.due_on
), ev AS (
  INSERT INTO task_event (task_id, kind, actor, at, details)
  SELECT id, 'reopened', 'system', $6,
         jsonb_build_object('alert_id', alert_id, 'previous_alert_id', prev_alert_id,
                            'previous_outcome', prev_outcome, 'previous_office_id', prev_office_id,
                            'office_id', office_id, 'due_on', due_on)
    FROM reopened
  RETURNING 1
)
SELECT count(*)::int AS n FROM ev`;

// The overdue messages a statement recorded (CTE `overdue`): their count, and the messages
// themselves, one per row, only when a subscription takes them (for their deliveries); at least
// one row either way.
const overdueRows = `x.escalated, e.id::text AS event_pk, e.event_id, e.severity, e.office, e.state`;
const overdueFrom = `(SELECT count(*)::int AS escalated FROM overdue) x
  LEFT JOIN overdue e ON ${TASK_OVERDUE_SUBSCRIBED}
 ORDER BY e.id`;

/** The details of an `escalated` history entry: the deadline, the queue and the days overdue. */
const escalatedDetails = (queue: string, today: string) =>
  `jsonb_build_object('due_on', due_on, 'to', ${queue}, 'days_overdue', ${today} - due_on)`;

/**
 * Opens a task for each routed candidate, given only those ROUTE_CANDIDATES found without a task
 * for their child, rule and office kind. (Asking that here, of the table this statement fills,
 * let the planner scan the growing table once per candidate when its statistics said it was
 * empty: more than nine minutes, unfinished, for a first load at full scale.) None of them can
 * conflict: a child has one open alert per rule, and syncs take turns (LOCK_SYNC); so the insert
 * needs no ON CONFLICT clause, whose check before each row cost a first load at full scale 6 to 9
 * s. The rows go in in the order of the alert and kind: the join with the alerts gives them in
 * batches of hashes, and inserting into the indexes at random places took 20 s against 14.
 * $6 now, $7 today.
 * A task whose deadline has already passed (a first load of years of feeds opens hundreds of
 * thousands) opens escalated, with the same history and values ESCALATE_OVERDUE would give it a
 * moment later, so that each such task is written once rather than inserted and then updated.
 * Each task opened escalated has its overdue message recorded here too. Gives `n` the number
 * opened, `escalated` the number opened escalated, and the messages recorded when a subscription
 * takes them (one per row).
 */
export const OPEN_NEW = `
WITH ${ROUTED}, opened AS (
  INSERT INTO task (alert_id, child_id, rule_id, office_id, office_kind, action, severity, severity_rank,
                    due_on, addr_state, status, opened_at, updated_at, escalated_at, escalated_to)
  SELECT p.alert_id, p.child_id, p.rule_id, p.office_id, p.kind, p.action, p.severity, p.severity_rank,
         p.due_on, p.addr_state, 'open', $6, $6,
         CASE WHEN p.due_on < $7::date THEN $6::timestamptz END,
         CASE WHEN p.due_on < $7::date THEN o.supervisor_queue END
    FROM routed p
    LEFT JOIN office o ON o.id = p.office_id
   ORDER BY p.alert_id, p.kind
  RETURNING id, alert_id, child_id, rule_id, office_id, severity, addr_state, due_on, reopened_count,
            escalated_at, escalated_to
), ev AS (
  INSERT INTO task_event (task_id, kind, actor, at, details)
  SELECT id, 'opened', 'system', $6, jsonb_build_object('alert_id', alert_id, 'office_id', office_id, 'due_on', due_on)
    FROM opened
  UNION ALL
  SELECT id, 'escalated', 'system', $6,
         ${escalatedDetails('escalated_to', '$7::date')}
    FROM opened WHERE escalated_at IS NOT NULL
  RETURNING 1
), overdue AS (${taskOverdueEvents('opened WHERE escalated_at IS NOT NULL', '$6')}
)
SELECT n.n, ${overdueRows}
  FROM (SELECT count(*)::int AS n FROM opened) n, ${overdueFrom}`;

/**
 * Escalates open tasks past their deadline to the office's supervisor queue, once per crossing (a
 * reopened task can cross again), and records each one's overdue message. Gives `escalated` the
 * number escalated, and the messages recorded when a subscription takes them (one per row). $1
 * now, $2 today, $3 child ids or null.
 */
export const ESCALATE_OVERDUE = `
WITH esc AS (
  UPDATE task t
     SET escalated_at = $1, escalated_to = o.supervisor_queue, updated_at = $1
    FROM office o
   WHERE o.id = t.office_id AND t.status = 'open' AND t.escalated_at IS NULL AND t.due_on < $2::date
     AND ($3::text[] IS NULL OR t.child_id = ANY($3::text[]))
  RETURNING t.id, t.due_on, o.supervisor_queue, t.alert_id, t.child_id, t.rule_id, t.office_id, t.severity,
            t.addr_state, t.reopened_count
), ev AS (
  INSERT INTO task_event (task_id, kind, actor, at, details)
  SELECT id, 'escalated', 'system', $1,
         ${escalatedDetails('supervisor_queue', '$2::date')}
    FROM esc
  RETURNING 1
), overdue AS (${taskOverdueEvents('esc', '$1')}
)
SELECT ${overdueRows}
  FROM ${overdueFrom}`;

export const RULE_SETTINGS = `SELECT rule_id, key, value FROM rule_setting`;

/** A timestamp as the ISO text `Date.toISOString` gives (UTC, milliseconds). */
const iso = (column: string) =>
  `to_char(${column} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS ${column.replace(/^\w+\./, '')}`;

// Timestamps come as text: a worklist page has four per task, and parsing each into a Date only
// to write it out again was a good part of the page's cost.
// queryTasks (worklist.ts) reads these by position, in this order.
export const TASK_COLUMNS = `t.id::text AS id, t.alert_id::text AS alert_id, t.child_id, t.rule_id, t.office_id,
  t.office_kind, t.action, t.severity, to_char(t.due_on, 'YYYY-MM-DD') AS due_on, t.addr_state, t.status,
  t.assigned_to, ${iso('t.assigned_at')}, ${iso('t.escalated_at')}, t.escalated_to, ${iso('t.opened_at')},
  t.reopened_count, ${iso('t.closed_at')}, t.closed_by, t.outcome, t.outcome_note, t.attempts, t.severity_rank`;

export const TASK_BY_ID = `SELECT ${TASK_COLUMNS} FROM task t WHERE t.id = $1`;
export const TASK_FOR_UPDATE = `SELECT ${TASK_COLUMNS} FROM task t WHERE t.id = $1 FOR UPDATE`;
export const TASKS_FOR_UPDATE = `SELECT ${TASK_COLUMNS} FROM task t WHERE t.id = ANY($1::bigint[]) ORDER BY t.id FOR UPDATE`;

export const TASK_EVENTS = `SELECT id::text AS id, kind, actor, at, details FROM task_event e WHERE e.task_id = $1 ORDER BY e.id`;
export const TASK_NOTES = `SELECT id::text AS id, author, body, created_at FROM task_note n WHERE n.task_id = $1 ORDER BY n.id`;
export const TASK_ATTACHMENTS = `SELECT id::text AS id, ref, description, added_by, created_at FROM task_attachment a WHERE a.task_id = $1 ORDER BY a.id`;

export const ASSIGN = `
WITH upd AS (
  UPDATE task SET assigned_to = $2, assigned_at = $3, updated_at = $3
   WHERE id = ANY($1::bigint[]) AND status = 'open'
  RETURNING id
)
INSERT INTO task_event (task_id, kind, actor, at, details)
SELECT id, 'assigned', $4, $3, jsonb_build_object('to', $2::text) FROM upd
RETURNING task_id::text AS id`;

export const ADD_NOTE = `
WITH n AS (INSERT INTO task_note (task_id, author, body, created_at) VALUES ($1, $2, $3, $4) RETURNING id)
INSERT INTO task_event (task_id, kind, actor, at, details)
SELECT $1, 'note', $2, $4, jsonb_build_object('note_id', n.id) FROM n
RETURNING (details ->> 'note_id') AS id`;

export const ADD_ATTACHMENT = `
WITH a AS (INSERT INTO task_attachment (task_id, ref, description, added_by, created_at)
           VALUES ($1, $2, $3, $4, $5) RETURNING id)
INSERT INTO task_event (task_id, kind, actor, at, details)
SELECT $1, 'attachment', $4, $5, jsonb_build_object('attachment_id', a.id, 'ref', $2::text) FROM a
RETURNING (details ->> 'attachment_id') AS id`;

export const CLOSE = `
WITH c AS (
  UPDATE task SET status = 'closed', closed_at = $2, closed_by = $3, outcome = $4, outcome_note = $5,
                  attempts = $6, updated_at = $2
   WHERE id = $1 AND status = 'open'
  RETURNING id
)
INSERT INTO task_event (task_id, kind, actor, at, details)
SELECT id, 'closed', $3, $2, jsonb_build_object('outcome', $4::text, 'note', $5::text, 'attempts', $6::int) FROM c
RETURNING task_id`;

/** An office's open tasks at a glance, from the counters the task triggers keep (0051). */
export const OFFICE_SUMMARY = `
SELECT COALESCE(sum(n), 0)::int AS open,
       COALESCE(sum(n) FILTER (WHERE due_on < $2::date), 0)::int AS overdue,
       COALESCE(sum(n) FILTER (WHERE due_on >= $2::date AND due_on <= $3::date), 0)::int AS due_soon,
       COALESCE(sum(n) FILTER (WHERE escalated), 0)::int AS escalated,
       COALESCE(sum(n) FILTER (WHERE NOT assigned), 0)::int AS unassigned
  FROM task_open_count WHERE office_id = $1`;

/** The same figures counted from the tasks themselves, per office (to check the counters). */
export const OFFICE_SUMMARY_COUNTED = `
SELECT office_id, count(*)::int AS open,
       count(*) FILTER (WHERE due_on < $1::date)::int AS overdue,
       count(*) FILTER (WHERE due_on >= $1::date AND due_on <= $2::date)::int AS due_soon,
       count(*) FILTER (WHERE escalated_at IS NOT NULL)::int AS escalated,
       count(*) FILTER (WHERE assigned_to IS NULL)::int AS unassigned
  FROM task WHERE status = 'open' GROUP BY office_id ORDER BY office_id`;

export const OFFICES = `SELECT id, kind, name, supervisor_queue FROM office ORDER BY kind, id`;

/** Each office's task version (0100); an office without a row has never had a task (version 0). */
export const OFFICE_VERSIONS = `SELECT office_id, version::text AS version FROM task_office_version WHERE office_id = ANY($1::text[])`;

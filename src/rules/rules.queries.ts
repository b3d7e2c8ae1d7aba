// SQL of the rules module: rule settings, open alerts by child, and set-based alert changes.
import { copyTextLine, ident, literal, textArray, type Queryable } from '../db/index.ts';
import type { SettingValue } from './catalogue.ts';

export interface OpenAlert {
  id: number;
  child_id: string;
  rule_id: string;
  opened_on: string;
  due_on: string | null;
  severity: string;
  record_pks: number[];
  details: Record<string, unknown>;
  addr_state: string | null;
}

export interface NewAlert {
  child_id: string;
  rule_id: string;
  opened_on: string;
  severity: string;
  office_kinds: string[];
  addr_state: string | null;
  due_on: string;
  record_pks: number[];
  details: Record<string, unknown>;
}

export type AlertUpdate = Omit<OpenAlert, 'child_id' | 'rule_id'>;

export interface AlertClose {
  id: number;
  reason: string;
}

export async function settingOverrides(db: Queryable) {
  const rows = await db.query<{ rule_id: string; key: string; value: SettingValue }>(
    `SELECT rule_id, key, value FROM rule_setting`,
  );
  return rows.map((r) => ({ ruleId: r.rule_id, key: r.key, value: r.value }));
}

export async function upsertSetting(
  db: Queryable,
  ruleId: string,
  key: string,
  value: SettingValue,
  by: string | null,
) {
  await db.query(
    `INSERT INTO rule_setting (rule_id, key, value, updated_by) VALUES ($1, $2, $3::jsonb, $4)
     ON CONFLICT (rule_id, key) DO UPDATE SET value = EXCLUDED.value, updated_at = now(), updated_by = EXCLUDED.updated_by`,
    [ruleId, key, JSON.stringify(value), by],
  );
}

const OPEN_COLUMNS = `id, child_id, rule_id, opened_on, due_on, severity, record_pks, details, addr_state`;

/**
 * Open alerts matching a condition. Read through COPY: a sweep reads every open alert (about
 * 675,000 at full scale), and decoding one text is cheaper than decoding each field.
 */
async function openAlertsWhere(db: Queryable, where: string): Promise<OpenAlert[]> {
  const out: OpenAlert[] = [];
  await db.copyOut(`SELECT ${OPEN_COLUMNS} FROM alert WHERE closed_at IS NULL AND ${where}`, (f) => {
    const pks = f[6]!;
    out.push({
      id: Number(f[0]),
      child_id: f[1]!,
      rule_id: f[2]!,
      opened_on: f[3]!,
      due_on: f[4] ?? null,
      severity: f[5]!,
      record_pks: pks === '{}' ? [] : pks.slice(1, -1).split(',').map(Number),
      details: JSON.parse(f[7]!) as Record<string, unknown>,
      addr_state: f[8] ?? null,
    });
  });
  return out;
}

export async function openAlertsOf(db: Queryable, childIds: readonly string[]): Promise<OpenAlert[]> {
  if (childIds.length === 0) return [];
  // `= ANY` rather than a join with the list: the planner then reads each child through the index
  // where a join would hash the list and scan every open alert.
  return openAlertsWhere(db, `child_id = ANY(${textArray(childIds)})`);
}

/** Open alerts of the children from `first` up to (not including) `before` (null: to the end). */
export async function openAlertsInPage(
  db: Queryable,
  page: { first: string; before: string | null },
): Promise<OpenAlert[]> {
  const upTo = page.before === null ? '' : ` AND child_id < ${literal(page.before)}`;
  return openAlertsWhere(db, `child_id >= ${literal(page.first)}${upTo}`);
}

/**
 * For a sweep that finds the alert table empty (the first one, or the first after every alert was
 * removed): locks the table, drops its secondary indexes and returns the statements that build
 * them again. Building an index once over 675,000 alerts costs a fraction of updating it for each
 * one. Returns null, and changes nothing, when the table holds any alert. The lock keeps every
 * reader of alerts waiting until the sweep's transaction ends (there is nothing to read before),
 * and it must not read alerts on another connection meanwhile.
 */
export async function setAsideAlertIndexes(tx: Queryable): Promise<string[] | null> {
  const empty = async () =>
    (await tx.query<{ empty: boolean }>(`SELECT NOT EXISTS (SELECT 1 FROM alert) AS empty`))[0]!.empty;
  // Looked at first without the lock: a daily sweep must never keep readers waiting.
  if (!(await empty())) return null;
  // An ingest may have written alerts meanwhile; rolling back to the savepoint then drops the lock.
  await tx.query('SAVEPOINT set_aside_alert_indexes');
  await tx.query('LOCK TABLE alert IN ACCESS EXCLUSIVE MODE');
  if (!(await empty())) {
    await tx.query('ROLLBACK TO SAVEPOINT set_aside_alert_indexes');
    return null;
  }
  // Indexes that back a constraint (the primary key the tasks refer to) stay.
  const indexes = await tx.query<{ name: string; def: string }>(
    `SELECT ic.relname AS name, pg_get_indexdef(x.indexrelid) AS def
       FROM pg_index x JOIN pg_class ic ON ic.oid = x.indexrelid
      WHERE x.indrelid = 'alert'::regclass
        AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = x.indexrelid)
      ORDER BY ic.relname`,
  );
  for (const i of indexes) await tx.query(`DROP INDEX ${ident(i.name)}`);
  await tx.query('RELEASE SAVEPOINT set_aside_alert_indexes');
  return indexes.map((i) => i.def);
}

/** Builds again the indexes `setAsideAlertIndexes` dropped, in the same transaction. */
export async function restoreAlertIndexes(tx: Queryable, definitions: readonly string[]): Promise<void> {
  for (const def of definitions) await tx.query(def);
}

const arrayLiteral = (values: readonly (string | number)[]) => `{${values.join(',')}}`;

const ALERT_COLUMNS = [
  'child_id',
  'rule_id',
  'opened_on',
  'severity',
  'office_kinds',
  'addr_state',
  'due_on',
  'record_pks',
  'details',
  'evaluated_on',
];

const alertValues = (a: NewAlert, asOf: string) => [
  a.child_id,
  a.rule_id,
  a.opened_on,
  a.severity,
  arrayLiteral(a.office_kinds),
  a.addr_state,
  a.due_on,
  arrayLiteral(a.record_pks),
  JSON.stringify(a.details),
  asOf,
];

/**
 * New alerts encoded as COPY text for `insertAlertText`: a sweep's page encodes its own where it
 * was evaluated and hands over one string rather than thousands of objects.
 */
export function alertCopyText(alerts: readonly NewAlert[], asOf: string): string {
  let text = '';
  for (const a of alerts) text += copyTextLine(alertValues(a, asOf));
  return text;
}

export async function insertAlertText(db: Queryable, text: string): Promise<void> {
  await db.copyText('alert', ALERT_COLUMNS, text);
}

export async function updateAlerts(
  db: Queryable,
  updates: readonly AlertUpdate[],
  asOf: string,
): Promise<void> {
  if (updates.length === 0) return;
  await db.query(
    `UPDATE alert a SET opened_on = u.opened_on, due_on = u.due_on, severity = u.severity,
            record_pks = u.record_pks::bigint[], details = u.details::jsonb, addr_state = u.addr_state,
            evaluated_on = $8::date, updated_at = now()
       FROM unnest($1::bigint[], $2::date[], $3::date[], $4::text[], $5::text[], $6::text[], $7::text[])
            AS u(id, opened_on, due_on, severity, record_pks, details, addr_state)
      WHERE a.id = u.id AND a.closed_at IS NULL`,
    [
      updates.map((u) => u.id),
      updates.map((u) => u.opened_on),
      updates.map((u) => u.due_on),
      updates.map((u) => u.severity),
      updates.map((u) => arrayLiteral(u.record_pks)),
      updates.map((u) => JSON.stringify(u.details)),
      updates.map((u) => u.addr_state),
      asOf,
    ],
  );
}

export async function closeAlerts(db: Queryable, closes: readonly AlertClose[], asOf: string): Promise<void> {
  if (closes.length === 0) return;
  await db.query(
    `UPDATE alert a SET closed_on = $3::date, closed_at = now(), close_reason = u.reason, evaluated_on = $3::date,
            updated_at = now()
       FROM unnest($1::bigint[], $2::text[]) AS u(id, reason)
      WHERE a.id = u.id AND a.closed_at IS NULL`,
    [closes.map((c) => c.id), closes.map((c) => c.reason), asOf],
  );
}

/** Closes the open alerts of children merged into another or retired (all, or among the given ids). */
export async function closeAlertsOfInactiveChildren(
  db: Queryable,
  asOf: string,
  childIds?: readonly string[],
): Promise<number> {
  const rows = await db.query<{ id: number }>(
    `UPDATE alert a SET closed_on = $1::date, closed_at = now(), evaluated_on = $1::date, updated_at = now(),
            close_reason = CASE WHEN c.merged_into IS NOT NULL THEN 'child merged into ' || c.merged_into
                                ELSE 'child record retired' END
       FROM child c
      WHERE c.id = a.child_id AND a.closed_at IS NULL AND (c.merged_into IS NOT NULL OR c.retired_at IS NOT NULL)
        AND ($2::text[] IS NULL OR a.child_id = ANY($2::text[]))
      RETURNING a.id`,
    [asOf, childIds ?? null],
  );
  return rows.length;
}

export interface AlertFilter {
  ruleId?: string;
  office?: string;
  /** US state of the child's address. */
  state?: string;
  status?: 'open' | 'closed' | 'all';
  /** Alerts open on this date (opened on or before, not closed by then). */
  openOn?: string;
  childId?: string;
  /** Record scope: a SQL predicate on the child id column (access's childScopeSql). */
  scope?: (childIdExpr: string, param: (value: unknown) => string) => string;
  limit?: number;
  offset?: number;
}

export type AlertRow = {
  id: number;
  child_id: string;
  rule_id: string;
  severity: string;
  office_kinds: string[];
  field_office: string | null;
  addr_state: string | null;
  opened_on: string;
  due_on: string | null;
  closed_on: string | null;
  close_reason: string | null;
  record_pks: number[];
  details: Record<string, unknown>;
  opened_at: string;
  closed_at: string | null;
};

function where(f: AlertFilter): { sql: string; params: unknown[] } {
  const conds: string[] = [];
  const params: unknown[] = [];
  const p = (v: unknown) => {
    params.push(v);
    return `$${params.length}`;
  };
  if (f.ruleId) conds.push(`rule_id = ${p(f.ruleId)}`);
  if (f.office) conds.push(`office_kinds @> ARRAY[${p(f.office)}::text]`);
  if (f.state) conds.push(`addr_state = ${p(f.state)}`);
  if (f.childId) conds.push(`child_id = ${p(f.childId)}`);
  if (f.scope) conds.push(f.scope('alert.child_id', p));
  if (f.openOn) {
    const d = p(f.openOn);
    conds.push(`opened_on <= ${d}::date AND (closed_on IS NULL OR closed_on > ${d}::date)`);
  } else if (f.status === 'open' || f.status === undefined) conds.push(`closed_at IS NULL`);
  else if (f.status === 'closed') conds.push(`closed_at IS NOT NULL`);
  return { sql: conds.length ? `WHERE ${conds.join(' AND ')}` : '', params };
}

const iso = (v: unknown) => (v instanceof Date ? v.toISOString() : v === null ? null : String(v));

/** Most alerts a child's record shows. */
export const CHILD_ALERTS_LIMIT = 1000;

/**
 * SQL of one child's alerts (every status, in `listAlerts` order, at most CHILD_ALERTS_LIMIT) as a
 * JSON array of AlertRow objects, for a statement that reads the child's records: `childIdSql` is
 * the child's id there. Times are written as `toISOString` writes them, so `alertsFromJson` gives
 * what `listAlerts` gives.
 */
export function childAlertsJsonSql(childIdSql: string): string {
  const utc = (col: string) => `to_char(${col} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`;
  return `SELECT coalesce(json_agg(a ORDER BY a.opened_on, a.id), '[]')::text FROM (
      SELECT id, child_id, rule_id, severity, office_kinds, field_office, addr_state, opened_on, due_on,
             closed_on, close_reason, record_pks, details, ${utc('opened_at')} AS opened_at,
             ${utc('closed_at')} AS closed_at
        FROM alert WHERE child_id = ${childIdSql} ORDER BY opened_on, id LIMIT ${CHILD_ALERTS_LIMIT}) a`;
}

/** The alerts of `childAlertsJsonSql`'s text. */
export function alertsFromJson(text: string | null): AlertRow[] {
  return text === null ? [] : (JSON.parse(text) as AlertRow[]);
}

export async function listAlerts(
  db: Queryable,
  f: AlertFilter,
): Promise<{ total: number; alerts: AlertRow[] }> {
  const w = where(f);
  const limit = f.limit ?? 100;
  const offset = f.offset ?? 0;
  // Prepared: a child's record asks for its alerts on every read; the filters give few texts.
  const n = w.params.length;
  const rows = await db.query<AlertRow>(
    `SELECT id, child_id, rule_id, severity, office_kinds, field_office, addr_state, opened_on, due_on, closed_on,
            close_reason, record_pks, details, opened_at, closed_at
       FROM alert ${w.sql} ORDER BY opened_on, id LIMIT $${n + 1}::int OFFSET $${n + 2}::int`,
    [...w.params, Number(limit), Number(offset)],
    { prepare: true },
  );
  // A short page that is not past the end is the last one: its rows give the total (one child's
  // alerts, the usual case, need no second query).
  const total =
    rows.length < limit && (rows.length > 0 || offset === 0)
      ? offset + rows.length
      : Number(
          (await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM alert ${w.sql}`, w.params))[0]!.n,
        );
  for (const r of rows) {
    r.id = Number(r.id);
    r.record_pks = r.record_pks.map(Number);
    r.opened_at = iso(r.opened_at)!;
    r.closed_at = iso(r.closed_at);
  }
  return { total, alerts: rows };
}

/** Open alerts per rule (for the sweep's summary and the truth checks). */
export async function openAlertCounts(db: Queryable): Promise<Map<string, number>> {
  const rows = await db.query<{ rule_id: string; n: number }>(
    `SELECT rule_id, count(*)::int AS n FROM alert WHERE closed_at IS NULL GROUP BY rule_id`,
  );
  return new Map(rows.map((r) => [r.rule_id, Number(r.n)]));
}

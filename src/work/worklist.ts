// Worklists (an office's tasks, a person's tasks) and one task with its history. Reads stored
// tasks on their indexes; keyset pagination in severity, deadline, id order.
import type { Queryable } from '../db/index.ts';
import { BridgeError } from '../shared/errors.ts';
import { addDays, dueState, DUE_SOON_DAYS, type DueState } from './deadlines.ts';
import { requireOffice, worksIn, type Actor } from './policy.ts';
import * as q from './work.queries.ts';

export interface TaskRow {
  id: string;
  alert_id: string;
  child_id: string;
  rule_id: string;
  office_id: string;
  office_kind: string;
  action: string;
  severity: string;
  due_on: string;
  addr_state: string | null;
  status: 'open' | 'closed';
  assigned_to: string | null;
  /** Timestamps as ISO text (UTC). */
  assigned_at: string | null;
  escalated_at: string | null;
  escalated_to: string | null;
  opened_at: string;
  reopened_count: number;
  closed_at: string | null;
  closed_by: string | null;
  outcome: string | null;
  outcome_note: string | null;
  attempts: number | null;
  severity_rank: number;
}

export type WorklistTask = Omit<TaskRow, 'severity_rank'> & { due_state: DueState | null };

/**
 * The tasks of a statement that selects q.TASK_COLUMNS, read as arrays and made into one object
 * literal each: cheaper than the driver's row objects, and a worklist page reads up to 500 rows.
 */
export async function queryTasks(
  db: Queryable,
  sql: string,
  params: unknown[],
  options: { prepare?: boolean } = {},
): Promise<TaskRow[]> {
  const rows = await db.query<unknown[]>(sql, params, { ...options, rowMode: 'array' });
  return rows.map(taskFromValues);
}

/** A task from its values in q.TASK_COLUMNS order. */
function taskFromValues(v: unknown[]): TaskRow {
  return {
    id: v[0] as string,
    alert_id: v[1] as string,
    child_id: v[2] as string,
    rule_id: v[3] as string,
    office_id: v[4] as string,
    office_kind: v[5] as string,
    action: v[6] as string,
    severity: v[7] as string,
    due_on: v[8] as string,
    addr_state: v[9] as string | null,
    status: v[10] as TaskRow['status'],
    assigned_to: v[11] as string | null,
    assigned_at: v[12] as string | null,
    escalated_at: v[13] as string | null,
    escalated_to: v[14] as string | null,
    opened_at: v[15] as string,
    reopened_count: v[16] as number,
    closed_at: v[17] as string | null,
    closed_by: v[18] as string | null,
    outcome: v[19] as string | null,
    outcome_note: v[20] as string | null,
    attempts: v[21] as number | null,
    severity_rank: v[22] as number,
  };
}

export interface WorklistFilter {
  /** An office's worklist ... */
  officeId?: string;
  /** ... or a person's (tasks assigned to them). */
  assignedTo?: string;
  status?: 'open' | 'closed';
  rule?: string;
  severity?: string;
  state?: string;
  /** Due on or before this date (YYYY-MM-DD); use today for "overdue or due today". */
  dueBy?: string;
  assigned?: boolean;
  escalated?: boolean;
  limit?: number;
  /** The `next` cursor of the previous page. */
  after?: string;
}

export interface WorklistPage {
  tasks: WorklistTask[];
  next: string | null;
}

export const MAX_PAGE = 500;

export async function listTasks(
  db: Queryable,
  actor: Actor,
  today: string,
  f: WorklistFilter,
): Promise<WorklistPage> {
  if (!f.officeId === !f.assignedTo) {
    throw new BridgeError('USAGE', 'a worklist is of one office or of one assignee');
  }
  if (f.officeId) requireOffice(actor, f.officeId);
  if (f.assignedTo && f.assignedTo !== actor.id && actor.role === 'officer') {
    throw new BridgeError('FORBIDDEN', `${actor.id} may list only their own tasks`);
  }
  const limit = Math.min(Math.max(f.limit ?? 50, 1), MAX_PAGE);
  const where: string[] = [];
  const params: unknown[] = [];
  const p = (v: unknown) => `$${params.push(v)}`;
  where.push(f.officeId ? `t.office_id = ${p(f.officeId)}` : `t.assigned_to = ${p(f.assignedTo)}`);
  where.push(`t.status = ${p(f.status ?? 'open')}`);
  if (f.rule) where.push(`t.rule_id = ${p(f.rule)}`);
  if (f.severity) where.push(`t.severity = ${p(f.severity)}`);
  if (f.state) where.push(`t.addr_state = ${p(f.state.toUpperCase())}`);
  if (f.dueBy) where.push(`t.due_on <= ${p(checkDate(f.dueBy, 'dueBy'))}::date`);
  if (f.assigned !== undefined) where.push(`t.assigned_to IS ${f.assigned ? 'NOT ' : ''}NULL`);
  if (f.escalated !== undefined) where.push(`t.escalated_at IS ${f.escalated ? 'NOT ' : ''}NULL`);
  if (f.after) {
    const c = decodeCursor(f.after);
    where.push(
      `(t.severity_rank, t.due_on, t.id) > (${p(c.rank)}::smallint, ${p(c.due)}::date, ${p(c.id)}::bigint)`,
    );
  }
  const rows = await queryTasks(
    db,
    `SELECT ${q.TASK_COLUMNS} FROM task t WHERE ${where.join(' AND ')}
      ORDER BY t.severity_rank, t.due_on, t.id LIMIT ${p(limit + 1)}`,
    params,
    // Every value is a parameter: the filters in use give a handful of texts, each planned once.
    { prepare: true },
  );
  // A person's list may span offices; show only what the actor may see.
  const visible = f.assignedTo
    ? rows.filter((r) => worksIn(actor, r.office_id) || r.assigned_to === actor.id)
    : rows;
  const page = visible.slice(0, limit);
  const last = rows.length > limit ? rows[limit - 1] : undefined;
  return {
    tasks: page.map((r) => present(r, today)),
    next: last ? encodeCursor(last.severity_rank, last.due_on, last.id) : null,
  };
}

export interface TaskDetail {
  task: WorklistTask;
  events: { id: string; kind: string; actor: string; at: Date; details: Record<string, unknown> }[];
  notes: { id: string; author: string; body: string; created_at: Date }[];
  attachments: { id: string; ref: string; description: string; added_by: string; created_at: Date }[];
}

export async function getTask(db: Queryable, actor: Actor, today: string, id: string): Promise<TaskDetail> {
  const row = await loadTask(db, id);
  if (row.assigned_to !== actor.id) requireOffice(actor, row.office_id);
  const [events, notes, attachments] = [
    await db.query<TaskDetail['events'][number]>(q.TASK_EVENTS, [id]),
    await db.query<TaskDetail['notes'][number]>(q.TASK_NOTES, [id]),
    await db.query<TaskDetail['attachments'][number]>(q.TASK_ATTACHMENTS, [id]),
  ];
  return { task: present(row, today), events, notes, attachments };
}

export interface OfficeSummary {
  office_id: string;
  open: number;
  overdue: number;
  due_soon: number;
  escalated: number;
  unassigned: number;
}

/** Counts for an office at a glance: open, overdue, due soon, escalated, unassigned. */
export async function officeSummary(
  db: Queryable,
  actor: Actor,
  today: string,
  officeId: string,
): Promise<OfficeSummary> {
  requireOffice(actor, officeId);
  const [r] = await db.query<Omit<OfficeSummary, 'office_id'>>(q.OFFICE_SUMMARY, [
    officeId,
    today,
    addDays(today, DUE_SOON_DAYS),
  ]);
  return { office_id: officeId, ...r! };
}

export async function listOffices(db: Queryable) {
  return db.query<{ id: string; kind: string; name: string; supervisor_queue: string }>(q.OFFICES);
}

/**
 * The version of each office's tasks, moved on by every statement that changes one of them: a
 * worklist read after its office's version was read holds every change up to that version.
 */
export async function officeVersions(db: Queryable, officeIds: readonly string[]): Promise<string[]> {
  const rows = await db.query<{ office_id: string; version: string }>(q.OFFICE_VERSIONS, [officeIds], {
    prepare: true,
  });
  const byOffice = new Map(rows.map((r) => [r.office_id, r.version]));
  return officeIds.map((id) => byOffice.get(id) ?? '0');
}

export async function loadTask(db: Queryable, id: string, forUpdate = false): Promise<TaskRow> {
  if (!/^[0-9]{1,18}$/.test(id)) throw new BridgeError('USAGE', `task id must be a number, got "${id}"`);
  if (forUpdate) await db.query(q.LOCK_TASK_OFFICES, [[id]]);
  const [row] = await queryTasks(db, forUpdate ? q.TASK_FOR_UPDATE : q.TASK_BY_ID, [id]);
  if (!row) throw new BridgeError('NOT_FOUND', `no task ${id}`);
  return row;
}

export function present(r: TaskRow, today: string): WorklistTask {
  // Field by field: a page presents up to 200 rows, and a rest-spread copy of each cost more.
  return {
    id: r.id,
    alert_id: r.alert_id,
    child_id: r.child_id,
    rule_id: r.rule_id,
    office_id: r.office_id,
    office_kind: r.office_kind,
    action: r.action,
    severity: r.severity,
    due_on: r.due_on,
    addr_state: r.addr_state,
    status: r.status,
    assigned_to: r.assigned_to,
    assigned_at: r.assigned_at,
    escalated_at: r.escalated_at,
    escalated_to: r.escalated_to,
    opened_at: r.opened_at,
    reopened_count: Number(r.reopened_count),
    closed_at: r.closed_at,
    closed_by: r.closed_by,
    outcome: r.outcome,
    outcome_note: r.outcome_note,
    attempts: r.attempts,
    due_state: r.status === 'open' ? dueState(r.due_on, today) : null,
  };
}

function encodeCursor(rank: number, due: string, id: string): string {
  return Buffer.from(`${rank}|${due}|${id}`).toString('base64url');
}

function decodeCursor(s: string): { rank: number; due: string; id: string } {
  const m = /^([0-3])\|(\d{4}-\d{2}-\d{2})\|(\d{1,18})$/.exec(Buffer.from(s, 'base64url').toString());
  if (!m) throw new BridgeError('USAGE', 'invalid page cursor');
  return { rank: Number(m[1]), due: m[2]!, id: m[3]! };
}

function checkDate(s: string, field: string): string {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(s))
    throw new BridgeError('USAGE', `${field} must be YYYY-MM-DD, got "${s}"`);
  return s;
}

// Use cases on one task (assign, bulk assign, note, attachment, close); each writes a task_event
// with the actor in the same transaction.
import type { Db } from '../db/index.ts';
import type { Clock } from '../shared/clock.ts';
import { BridgeError } from '../shared/errors.ts';
import { checkClose, type CloseRequest } from './outcomes.ts';
import { requireOffice, requireSupervisor, type Actor } from './policy.ts';
import type { TaskRow } from './worklist.ts';
import { loadTask, queryTasks } from './worklist.ts';
import * as q from './work.queries.ts';

export interface TaskDeps {
  db: Db;
  clock: Clock;
}

/** Assigns an open task; officers may take a task for themselves, supervisors assign anyone. */
export async function assignTask(
  deps: TaskDeps,
  actor: Actor,
  taskId: string,
  userId: string,
): Promise<void> {
  await deps.db.transaction(async (tx) => {
    const t = await loadTask(tx, taskId, true);
    if (userId === actor.id) requireOffice(actor, t.office_id);
    else requireSupervisor(actor, t.office_id);
    requireOpen(t);
    await tx.query(q.ASSIGN, [[taskId], checkUser(userId), deps.clock.now(), actor.id]);
  });
}

/** Assigns many open tasks to one person (supervisors of every office concerned). */
export async function bulkAssign(
  deps: TaskDeps,
  actor: Actor,
  taskIds: readonly string[],
  userId: string,
): Promise<{ assigned: number }> {
  if (taskIds.length === 0) return { assigned: 0 };
  if (taskIds.length > 1000) throw new BridgeError('USAGE', 'assign at most 1000 tasks at once');
  for (const id of taskIds)
    if (!/^[0-9]{1,18}$/.test(id)) throw new BridgeError('USAGE', `task id must be a number, got "${id}"`);
  return deps.db.transaction(async (tx) => {
    await tx.query(q.LOCK_TASK_OFFICES, [taskIds]);
    const rows = await queryTasks(tx, q.TASKS_FOR_UPDATE, [taskIds]);
    const found = new Set(rows.map((r) => r.id));
    const missing = taskIds.filter((id) => !found.has(id));
    if (missing.length) throw new BridgeError('NOT_FOUND', `no task ${missing.slice(0, 5).join(', ')}`);
    for (const t of rows) {
      requireSupervisor(actor, t.office_id);
      requireOpen(t);
    }
    const done = await tx.query(q.ASSIGN, [taskIds, checkUser(userId), deps.clock.now(), actor.id]);
    return { assigned: done.length };
  });
}

export async function addNote(
  deps: TaskDeps,
  actor: Actor,
  taskId: string,
  body: string,
): Promise<{ id: string }> {
  const text = body.trim();
  if (!text) throw new BridgeError('USAGE', 'a note needs text');
  if (text.length > 10_000) throw new BridgeError('USAGE', 'a note holds at most 10000 characters');
  return deps.db.transaction(async (tx) => {
    const t = await loadTask(tx, taskId, true);
    requireOffice(actor, t.office_id);
    const [r] = await tx.query<{ id: string }>(q.ADD_NOTE, [taskId, actor.id, text, deps.clock.now()]);
    return { id: r!.id };
  });
}

/** Attaches a document by reference (its id or URI in the system that holds it). */
export async function addAttachment(
  deps: TaskDeps,
  actor: Actor,
  taskId: string,
  ref: string,
  description: string,
): Promise<{ id: string }> {
  if (!ref.trim() || ref.length > 2000)
    throw new BridgeError('USAGE', 'an attachment needs a reference (1-2000 characters)');
  if (!description.trim()) throw new BridgeError('USAGE', 'an attachment needs a description');
  return deps.db.transaction(async (tx) => {
    const t = await loadTask(tx, taskId, true);
    requireOffice(actor, t.office_id);
    const [r] = await tx.query<{ id: string }>(q.ADD_ATTACHMENT, [
      taskId,
      ref.trim(),
      description.trim(),
      actor.id,
      deps.clock.now(),
    ]);
    return { id: r!.id };
  });
}

/** Closes an open task with an outcome code (and a note, and attempts for unable_to_locate). */
export async function closeTask(
  deps: TaskDeps,
  actor: Actor,
  taskId: string,
  req: CloseRequest,
): Promise<void> {
  const outcome = checkClose(req);
  await deps.db.transaction(async (tx) => {
    const t = await loadTask(tx, taskId, true);
    if (t.assigned_to !== actor.id) requireOffice(actor, t.office_id);
    requireOpen(t);
    await tx.query(q.CLOSE, [
      taskId,
      deps.clock.now(),
      actor.id,
      outcome,
      req.note?.trim() || null,
      req.attempts ?? null,
    ]);
  });
}

function requireOpen(t: TaskRow): void {
  if (t.status !== 'open') throw new BridgeError('CONFLICT', `task ${t.id} is closed (${t.outcome})`);
}

function checkUser(userId: string): string {
  if (!/^[A-Za-z0-9._@-]{1,100}$/.test(userId)) throw new BridgeError('USAGE', `not a user id: "${userId}"`);
  return userId;
}

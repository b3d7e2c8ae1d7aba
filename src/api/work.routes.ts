// Tasks over HTTP: worklists (an office's, mine), one task with its history, and the actions on a
// task. The actor is set on the request by the access layer; without one every route answers 401.
import type { FastifyContextConfig, FastifyPluginAsync, FastifyRequest } from 'fastify';
import { Type, type Static } from '@sinclair/typebox';
import { Nullable } from '../shared/schema.ts';
import { isoDate } from '../shared/clock.ts';
import { BridgeError } from '../shared/errors.ts';
import {
  addAttachment,
  addNote,
  assignTask,
  bulkAssign,
  closeTask,
  getTask,
  listOffices,
  listTasks,
  MAX_PAGE,
  officeSummary,
  requireOffice,
  userOutcomes,
  type Actor,
  type WorklistFilter,
} from '../work/index.ts';
import type { RouteDeps } from './server.ts';
import { keptPages } from './kept-pages.ts';
import { sendWrittenOut, writtenOut } from './written-out.ts';
import { actorOfRequest, auditRead, auditedTaskDb } from '../access/disclosure.ts';

const Stamp = Nullable(Type.String({ format: 'date-time' }));

const Task = Type.Object({
  id: Type.String(),
  alert_id: Type.String(),
  child_id: Type.String(),
  rule_id: Type.String(),
  office_id: Type.String(),
  office_kind: Type.String(),
  action: Type.String(),
  severity: Type.String(),
  due_on: Type.String({ format: 'date' }),
  due_state: Nullable(Type.String({ enum: ['overdue', 'due_soon', 'on_time'] })),
  addr_state: Nullable(Type.String()),
  status: Type.String({ enum: ['open', 'closed'] }),
  assigned_to: Nullable(Type.String()),
  assigned_at: Stamp,
  escalated_at: Stamp,
  escalated_to: Nullable(Type.String()),
  opened_at: Type.String({ format: 'date-time' }),
  reopened_count: Type.Integer(),
  closed_at: Stamp,
  closed_by: Nullable(Type.String()),
  outcome: Nullable(Type.String()),
  outcome_note: Nullable(Type.String()),
  attempts: Nullable(Type.Integer()),
});
const Page = Type.Object({ tasks: Type.Array(Task), next: Nullable(Type.String()) });
const Detail = Type.Object({
  task: Task,
  events: Type.Array(
    Type.Object({
      id: Type.String(),
      kind: Type.String(),
      actor: Type.String(),
      at: Type.String({ format: 'date-time' }),
      details: Type.Record(Type.String(), Type.Unknown()),
    }),
  ),
  notes: Type.Array(
    Type.Object({
      id: Type.String(),
      author: Type.String(),
      body: Type.String(),
      created_at: Type.String({ format: 'date-time' }),
    }),
  ),
  attachments: Type.Array(
    Type.Object({
      id: Type.String(),
      ref: Type.String(),
      description: Type.String(),
      added_by: Type.String(),
      created_at: Type.String({ format: 'date-time' }),
    }),
  ),
});
const Summary = Type.Object({
  office_id: Type.String(),
  open: Type.Integer(),
  overdue: Type.Integer(),
  due_soon: Type.Integer(),
  escalated: Type.Integer(),
  unassigned: Type.Integer(),
});
const Office = Type.Object({
  id: Type.String(),
  kind: Type.String(),
  name: Type.String(),
  supervisor_queue: Type.String(),
});

const ListQuery = Type.Object(
  {
    status: Type.Optional(Type.String({ enum: ['open', 'closed'] })),
    rule: Type.Optional(Type.String({ pattern: '^[A-Z0-9_]{1,60}$' })),
    severity: Type.Optional(Type.String({ enum: ['critical', 'high', 'medium', 'low'] })),
    state: Type.Optional(Type.String({ pattern: '^[A-Za-z]{2}$' })),
    due_by: Type.Optional(Type.String({ format: 'date' })),
    assigned: Type.Optional(Type.Boolean()),
    escalated: Type.Optional(Type.Boolean()),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: MAX_PAGE })),
    after: Type.Optional(Type.String({ maxLength: 200 })),
  },
  { additionalProperties: false },
);
type ListQuery = Static<typeof ListQuery>;
const OfficeParams = Type.Object({ officeId: Type.String({ minLength: 1, maxLength: 100 }) });
const IdParams = Type.Object({ id: Type.String({ pattern: '^[0-9]{1,18}$' }) });
const UserId = Type.String({ pattern: '^[A-Za-z0-9._@-]{1,100}$' });
const AssignBody = Type.Object({ user: UserId }, { additionalProperties: false });
const BulkBody = Type.Object(
  {
    task_ids: Type.Array(Type.String({ pattern: '^[0-9]{1,18}$' }), { minItems: 1, maxItems: 1000 }),
    user: UserId,
  },
  { additionalProperties: false },
);
const NoteBody = Type.Object(
  { body: Type.String({ minLength: 1, maxLength: 10000 }) },
  { additionalProperties: false },
);
const AttachmentBody = Type.Object(
  {
    ref: Type.String({ minLength: 1, maxLength: 2000 }),
    description: Type.String({ minLength: 1, maxLength: 500 }),
  },
  { additionalProperties: false },
);
const CloseBody = Type.Object(
  {
    outcome: Type.String({ enum: userOutcomes() }),
    note: Type.Optional(Type.String({ maxLength: 10000 })),
    attempts: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000 })),
  },
  { additionalProperties: false },
);
const Done = Type.Object({ id: Type.Optional(Type.String()), assigned: Type.Optional(Type.Integer()) });

// Route permissions for the access layer (declared as route config; it checks them).
function permission(name: 'task.read' | 'task.write') {
  return { permission: name } as FastifyContextConfig;
}

/**
 * The person working tasks, from the signed-in user the access layer put on the request. Offices
 * are the work module's queue ids (`ERO:Houston`, `OPLA:HOU`, `ORR`); administrators work in all.
 */
export function actorOf(req: FastifyRequest): Actor {
  const a = req.actor;
  if (!a) throw new BridgeError('UNAUTHENTICATED', 'sign in to see or work tasks');
  if (a.kind !== 'user') throw new BridgeError('FORBIDDEN', 'tasks are worked by people, not API tokens');
  const role = a.role === 'administrator' ? 'admin' : a.role === 'ero_supervisor' ? 'supervisor' : 'officer';
  return { id: a.username, role, offices: role === 'admin' ? ['*'] : a.officeId ? [a.officeId] : [] };
}

function filterOf(q: ListQuery): Omit<WorklistFilter, 'officeId' | 'assignedTo'> {
  return {
    status: q.status as 'open' | 'closed' | undefined,
    rule: q.rule,
    severity: q.severity,
    state: q.state,
    dueBy: q.due_by,
    assigned: q.assigned,
    escalated: q.escalated,
    limit: q.limit,
    after: q.after,
  };
}

// About a thousand pages of 50 tasks: every office's first pages under a few filters.
const KEPT_PAGES_BYTES = 32 * 1024 * 1024;

export function workRoutes(deps: RouteDeps): FastifyPluginAsync {
  const today = () => isoDate(deps.clock.now());
  // An office's page is read and written out once for everyone who opens it until its tasks change.
  const officePages = keptPages(deps.db, { maxBytes: KEPT_PAGES_BYTES });
  // A read of tasks discloses their children.
  const disclosed = async <T>(req: FastifyRequest, action: string, childIds: string[], result: T) => {
    await auditRead(deps.audit, deps.clock.now(), actorOfRequest(req), null, {
      action,
      childIds: [...new Set(childIds)],
    });
    return result;
  };
  // A change to tasks: the use case's own transaction also writes the audit entry.
  const taskDepsFor = (req: FastifyRequest, action: string, taskIds: readonly string[]) => ({
    clock: deps.clock,
    db: auditedTaskDb(deps.db, deps.clock, actorOfRequest(req), action, taskIds),
  });
  return async (app) => {
    const tags = ['work'];
    app.get(
      '/api/work/offices',
      {
        config: permission('task.read'),
        schema: { summary: 'Offices that own tasks', tags, response: { 200: Type.Array(Office) } },
      },
      async (req) => {
        actorOf(req);
        return listOffices(deps.db);
      },
    );

    app.get<{ Params: Static<typeof OfficeParams>; Querystring: ListQuery }>(
      '/api/work/offices/:officeId/tasks',
      {
        config: permission('task.read'),
        schema: {
          summary: "An office's worklist: most severe, then soonest due first; filter and page with `after`",
          tags,
          params: OfficeParams,
          querystring: ListQuery,
          response: { 200: Page },
        },
      },
      async (req, reply) => {
        const actor = actorOf(req);
        // Each person's own right to the office, before joining anyone's read of it.
        requireOffice(actor, req.params.officeId);
        const filter = { ...filterOf(req.query), officeId: req.params.officeId };
        const day = today();
        const key = JSON.stringify([day, filter]);
        const { childIds, body } = await officePages(filter.officeId, key, async () => {
          const page = await listTasks(deps.db, actor, day, filter);
          return { childIds: page.tasks.map((t) => t.child_id), body: writtenOut(reply, page) };
        });
        return disclosed(req, 'task.list', childIds, sendWrittenOut(reply, body));
      },
    );

    app.get<{ Params: Static<typeof OfficeParams> }>(
      '/api/work/offices/:officeId/summary',
      {
        config: permission('task.read'),
        schema: {
          summary: 'Open, overdue, due soon, escalated and unassigned counts',
          tags,
          params: OfficeParams,
          response: { 200: Summary },
        },
      },
      async (req) => officeSummary(deps.db, actorOf(req), today(), req.params.officeId),
    );

    app.get<{ Querystring: ListQuery }>(
      '/api/work/my/tasks',
      {
        config: permission('task.read'),
        schema: { summary: 'Tasks assigned to me', tags, querystring: ListQuery, response: { 200: Page } },
      },
      async (req) => {
        const actor = actorOf(req);
        const page = await listTasks(deps.db, actor, today(), {
          ...filterOf(req.query),
          assignedTo: actor.id,
        });
        return disclosed(
          req,
          'task.list',
          page.tasks.map((t) => t.child_id),
          page,
        );
      },
    );

    app.get<{ Params: Static<typeof IdParams> }>(
      '/api/work/tasks/:id',
      {
        config: permission('task.read'),
        schema: {
          summary: 'One task with its events, notes and attachments',
          tags,
          params: IdParams,
          response: { 200: Detail },
        },
      },
      async (req) => {
        const detail = await getTask(deps.db, actorOf(req), today(), req.params.id);
        return disclosed(req, 'task.read', [detail.task.child_id], detail);
      },
    );

    app.post<{ Params: Static<typeof IdParams>; Body: Static<typeof AssignBody> }>(
      '/api/work/tasks/:id/assign',
      {
        config: permission('task.write'),
        schema: {
          summary: 'Assign a task (to oneself, or by a supervisor to anyone)',
          tags,
          params: IdParams,
          body: AssignBody,
          response: { 200: Done },
        },
      },
      async (req) => {
        await assignTask(
          taskDepsFor(req, 'task.assign', [req.params.id]),
          actorOf(req),
          req.params.id,
          req.body.user,
        );
        return { id: req.params.id };
      },
    );

    app.post<{ Body: Static<typeof BulkBody> }>(
      '/api/work/tasks/bulk-assign',
      {
        config: permission('task.write'),
        schema: {
          summary: 'Assign many tasks to one person (supervisors)',
          tags,
          body: BulkBody,
          response: { 200: Done },
        },
      },
      async (req) =>
        bulkAssign(
          taskDepsFor(req, 'task.assign', req.body.task_ids),
          actorOf(req),
          req.body.task_ids,
          req.body.user,
        ),
    );

    app.post<{ Params: Static<typeof IdParams>; Body: Static<typeof NoteBody> }>(
      '/api/work/tasks/:id/notes',
      {
        config: permission('task.write'),
        schema: { summary: 'Add a note', tags, params: IdParams, body: NoteBody, response: { 201: Done } },
      },
      async (req, reply) =>
        reply
          .status(201)
          .send(
            await addNote(
              taskDepsFor(req, 'task.note', [req.params.id]),
              actorOf(req),
              req.params.id,
              req.body.body,
            ),
          ),
    );

    app.post<{ Params: Static<typeof IdParams>; Body: Static<typeof AttachmentBody> }>(
      '/api/work/tasks/:id/attachments',
      {
        config: permission('task.write'),
        schema: {
          summary: 'Attach a document by reference (document id or URI)',
          tags,
          params: IdParams,
          body: AttachmentBody,
          response: { 201: Done },
        },
      },
      async (req, reply) =>
        reply
          .status(201)
          .send(
            await addAttachment(
              taskDepsFor(req, 'task.attach', [req.params.id]),
              actorOf(req),
              req.params.id,
              req.body.ref,
              req.body.description,
            ),
          ),
    );

    app.post<{ Params: Static<typeof IdParams>; Body: Static<typeof CloseBody> }>(
      '/api/work/tasks/:id/close',
      {
        config: permission('task.write'),
        schema: {
          summary: 'Close a task with an outcome code',
          tags,
          params: IdParams,
          body: CloseBody,
          response: { 200: Done },
        },
      },
      async (req) => {
        await closeTask(
          taskDepsFor(req, 'task.close', [req.params.id]),
          actorOf(req),
          req.params.id,
          req.body,
        );
        return { id: req.params.id };
      },
    );
  };
}

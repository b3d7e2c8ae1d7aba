// Worklists (mine, my office's) and one task: what to do, by when, its history, and the forms that
// assign it, add a note and close it with an outcome. The work module decides who may do what.
import { auditedTaskDb } from '../../access/disclosure.ts';
import type { VNode } from 'preact';
import { listUserSummaries } from '../../access/index.ts';
import { RULE_IDS } from '../../rules/index.ts';
import { isoDate } from '../../shared/clock.ts';
import { BridgeError } from '../../shared/errors.ts';
import {
  addNote,
  assignTask,
  bulkAssign,
  closeTask,
  DUE_SOON_DAYS,
  getTask,
  listTasks,
  officeSummary,
  OUTCOMES,
  userOutcomes,
  type Actor as WorkActor,
  type WorklistTask,
} from '../../work/index.ts';
import { CsrfField } from '../page.tsx';
import { count, DUE_LABELS, ruleTitle, usDate, usDateTime, words } from '../format.ts';
import type { PageContext, UserActor, WebAction, WebDeps, WebPage } from '../web-page.ts';

const PAGE_SIZE = 25;
const SEVERITIES = ['critical', 'high', 'medium', 'low'] as const;

interface ListQuery {
  status?: 'open' | 'closed';
  severity?: string;
  rule?: string;
  due?: 'overdue' | 'due_soon';
  assigned?: 'yes' | 'no';
  after?: string;
}

const listQuerySchema = {
  type: 'object',
  properties: {
    status: { type: 'string', enum: ['open', 'closed'] },
    severity: { type: 'string', enum: ['', ...SEVERITIES] },
    rule: { type: 'string', enum: ['', ...RULE_IDS] },
    due: { type: 'string', enum: ['', 'overdue', 'due_soon'] },
    assigned: { type: 'string', enum: ['', 'yes', 'no'] },
    after: { type: 'string', pattern: '^[A-Za-z0-9_-]{0,200}$' },
  },
  additionalProperties: false,
};

/** The person as the work module knows them: offices are its queue ids (ERO:Houston, ORR). */
export function workActor(actor: UserActor | null): WorkActor {
  if (!actor) throw new BridgeError('UNAUTHENTICATED', 'sign in to see or work tasks');
  const role =
    actor.role === 'administrator' ? 'admin' : actor.role === 'ero_supervisor' ? 'supervisor' : 'officer';
  return {
    id: actor.username,
    role,
    offices: role === 'admin' ? ['*'] : actor.officeId ? [actor.officeId] : [],
  };
}

function plusDays(day: string, n: number): string {
  return isoDate(new Date(Date.parse(`${day}T00:00:00Z`) + n * 86_400_000));
}

function filterOf(q: ListQuery, today: string) {
  return {
    status: q.status ?? 'open',
    severity: q.severity || undefined,
    rule: q.rule || undefined,
    dueBy:
      q.due === 'overdue'
        ? plusDays(today, -1)
        : q.due === 'due_soon'
          ? plusDays(today, DUE_SOON_DAYS)
          : undefined,
    assigned: q.assigned === 'yes' ? true : q.assigned === 'no' ? false : undefined,
    after: q.after || undefined,
    limit: PAGE_SIZE,
  };
}

function Filters({ path, q, office }: { path: string; q: ListQuery; office: boolean }): VNode {
  return (
    <form class="filters" method="get" action={path}>
      <div>
        <label for="status">Status</label>
        <select id="status" name="status">
          <option value="open" selected={q.status !== 'closed'}>
            Open
          </option>
          <option value="closed" selected={q.status === 'closed'}>
            Closed
          </option>
        </select>
      </div>
      <div>
        <label for="severity">Severity</label>
        <select id="severity" name="severity">
          <option value="">Any</option>
          {SEVERITIES.map((s) => (
            <option value={s} selected={q.severity === s} key={s}>
              {words(s)}
            </option>
          ))}
        </select>
      </div>
      <div>
        <label for="rule">Problem</label>
        <select id="rule" name="rule">
          <option value="">Any</option>
          {RULE_IDS.map((r) => (
            <option value={r} selected={q.rule === r} key={r}>
              {ruleTitle(r)}
            </option>
          ))}
        </select>
      </div>
      <div>
        <label for="due">Deadline</label>
        <select id="due" name="due">
          <option value="">Any</option>
          <option value="overdue" selected={q.due === 'overdue'}>
            Overdue
          </option>
          <option value="due_soon" selected={q.due === 'due_soon'}>
            Due within {DUE_SOON_DAYS} days or overdue
          </option>
        </select>
      </div>
      {office ? (
        <div>
          <label for="assigned">Assigned</label>
          <select id="assigned" name="assigned">
            <option value="">Either</option>
            <option value="no" selected={q.assigned === 'no'}>
              Not assigned
            </option>
            <option value="yes" selected={q.assigned === 'yes'}>
              Assigned
            </option>
          </select>
        </div>
      ) : null}
      <button type="submit">Show tasks</button>
    </form>
  );
}

function DueBadge({ t }: { t: WorklistTask }): VNode {
  return (
    <>
      {usDate(t.due_on)}
      {t.due_state ? (
        <>
          {' '}
          <span class={`badge due-${t.due_state}`}>{DUE_LABELS[t.due_state]}</span>
        </>
      ) : null}
    </>
  );
}

function TaskTable({ tasks, selectable }: { tasks: WorklistTask[]; selectable: boolean }): VNode {
  if (tasks.length === 0) return <p>No tasks match.</p>;
  return (
    <table class="tasks">
      <thead>
        <tr>
          {selectable ? <th scope="col">Select</th> : null}
          <th scope="col">Child</th>
          <th scope="col">What to do</th>
          <th scope="col">Severity</th>
          <th scope="col">Due</th>
          <th scope="col">State</th>
          <th scope="col">Assigned to</th>
          <th scope="col">Task</th>
        </tr>
      </thead>
      <tbody>
        {tasks.map((t) => (
          <tr key={t.id} data-task={t.id}>
            {selectable ? (
              <td>
                <input type="checkbox" id={`task_${t.id}`} name={`task_${t.id}`} value="1" />
                <label for={`task_${t.id}`} class="sr-only">
                  Select task {t.id}
                </label>
              </td>
            ) : null}
            <td>
              <a href={`/children/${encodeURIComponent(t.child_id)}`}>{t.child_id}</a>
            </td>
            <td>
              {t.action}
              <div class="note">{ruleTitle(t.rule_id)}</div>
            </td>
            <td>
              <span class={`badge ${t.severity}`}>{words(t.severity)}</span>
            </td>
            <td>
              <DueBadge t={t} />
            </td>
            <td>{t.addr_state ?? '—'}</td>
            <td>{t.assigned_to ?? 'Nobody yet'}</td>
            <td>
              <a href={`/tasks/${t.id}`} aria-label={`Open task ${t.id}`}>
                Task {t.id}
              </a>
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

function NextPage({ path, q, next }: { path: string; q: ListQuery; next: string | null }): VNode {
  const href = (after?: string) => {
    const p = new URLSearchParams();
    for (const [k, v] of Object.entries({ ...q, after })) if (v) p.set(k, String(v));
    const s = p.toString();
    return s ? `${path}?${s}` : path;
  };
  return (
    <nav class="pager" aria-label="Pages">
      {q.after ? <a href={href(undefined)}>First page</a> : null}
      {next ? <a href={href(next)}>Next page</a> : <span>No more tasks.</span>}
    </nav>
  );
}

export const myTasksPage: WebPage<ListQuery> = {
  path: '/work/mine',
  navLabel: 'My tasks',
  title: 'My tasks',
  permission: 'task.read',
  query: listQuerySchema,
  async render({ db, clock }, q, ctx): Promise<VNode> {
    const actor = workActor(ctx.actor);
    const today = isoDate(clock.now());
    const page = await listTasks(db, actor, today, { ...filterOf(q, today), assignedTo: actor.id });
    return (
      <>
        <p class="lead">
          Tasks assigned to you, most severe first, then by deadline. Today is {usDate(today)}.
        </p>
        <Filters path="/work/mine" q={q} office={false} />
        <TaskTable tasks={page.tasks} selectable={false} />
        <NextPage path="/work/mine" q={q} next={page.next} />
      </>
    );
  },
};

export const officeTasksPage: WebPage<ListQuery> = {
  path: '/work/office',
  navLabel: "My office's tasks",
  title: "My office's tasks",
  permission: 'task.read',
  query: listQuerySchema,
  async render(deps, q, ctx): Promise<VNode> {
    const { db, clock } = deps;
    const actor = workActor(ctx.actor);
    const officeId = ctx.actor?.officeId;
    if (!officeId)
      throw new BridgeError('FORBIDDEN', 'your account has no office, so it has no office worklist');
    const today = isoDate(clock.now());
    const [summary, page] = await Promise.all([
      officeSummary(db, actor, today, officeId),
      listTasks(db, actor, today, { ...filterOf(q, today), officeId }),
    ]);
    const supervisor = actor.role !== 'officer' && ctx.actor !== null;
    const colleagues = supervisor
      ? (await listUserSummaries(deps)).filter((u) => u.office === officeId && !u.locked)
      : [];
    const table = <TaskTable tasks={page.tasks} selectable={supervisor && q.status !== 'closed'} />;
    return (
      <>
        <p class="lead">
          Open tasks of {officeId}, most severe first, then by deadline. Today is {usDate(today)}.
        </p>
        <dl class="summary">
          {(
            [
              ['Open', summary.open],
              ['Overdue', summary.overdue],
              [`Due within ${DUE_SOON_DAYS} days`, summary.due_soon],
              ['Escalated', summary.escalated],
              ['Not assigned', summary.unassigned],
            ] as const
          ).map(([label, n]) => (
            <div key={label} data-summary={label}>
              <dt>{label}</dt>
              <dd>{count(n)}</dd>
            </div>
          ))}
        </dl>
        <Filters path="/work/office" q={q} office={true} />
        {supervisor && q.status !== 'closed' && page.tasks.length > 0 ? (
          <form method="post" action="/work/assign">
            <CsrfField token={ctx.csrf} />
            {table}
            <div class="bulk">
              <label for="assignee">Assign the selected tasks to</label>
              <select id="assignee" name="user" required>
                {colleagues.map((u) => (
                  <option value={u.username} key={u.username}>
                    {u.displayName} ({u.username})
                  </option>
                ))}
              </select>{' '}
              <button type="submit">Assign selected</button>
            </div>
          </form>
        ) : (
          table
        )}
        <NextPage path="/work/office" q={q} next={page.next} />
      </>
    );
  },
};

export const taskPage: WebPage<Record<string, never>> = {
  path: '/tasks/:id',
  title: 'Task',
  permission: 'task.read',
  query: { type: 'object', properties: {}, additionalProperties: false },
  async render({ db, clock }, _q, ctx): Promise<VNode> {
    const actor = workActor(ctx.actor);
    const id = ctx.params.id ?? '';
    const { task: t, events, notes } = await getTask(db, actor, isoDate(clock.now()), id);
    const open = t.status === 'open';
    return (
      <>
        <p class="lead">
          Task {t.id} of {t.office_id}: {t.action}.
        </p>
        <dl class="facts">
          <dt>Child</dt>
          <dd>
            <a href={`/children/${encodeURIComponent(t.child_id)}`}>{t.child_id}</a>
          </dd>
          <dt>Problem</dt>
          <dd>{ruleTitle(t.rule_id)}</dd>
          <dt>Severity</dt>
          <dd>
            <span class={`badge ${t.severity}`}>{words(t.severity)}</span>
          </dd>
          <dt>Due</dt>
          <dd>
            <DueBadge t={t} />
          </dd>
          <dt>Status</dt>
          <dd data-status={t.status}>
            {open
              ? 'Open'
              : `Closed ${usDateTime(t.closed_at)} by ${t.closed_by}: ${OUTCOMES[t.outcome as keyof typeof OUTCOMES]?.label ?? t.outcome}`}
          </dd>
          <dt>Assigned to</dt>
          <dd>{t.assigned_to ?? 'Nobody yet'}</dd>
          <dt>Opened</dt>
          <dd>{usDateTime(t.opened_at)}</dd>
          {t.escalated_at ? (
            <>
              <dt>Escalated</dt>
              <dd>
                {usDateTime(t.escalated_at)} to {t.escalated_to}
              </dd>
            </>
          ) : null}
        </dl>

        {open && t.assigned_to !== actor.id ? (
          <form method="post" action={`/tasks/${t.id}/assign`} class="inline">
            <CsrfField token={ctx.csrf} />
            <button type="submit">Assign this task to me</button>
          </form>
        ) : null}

        {open ? (
          <section aria-labelledby="close-h">
            <h2 id="close-h">Close the task</h2>
            <form method="post" action={`/tasks/${t.id}/close`} class="stack">
              <CsrfField token={ctx.csrf} />
              <div>
                <label for="outcome">Outcome</label>
                <select id="outcome" name="outcome" required>
                  {userOutcomes().map((o) => (
                    <option value={o} key={o}>
                      {OUTCOMES[o].label}
                    </option>
                  ))}
                </select>
              </div>
              <div>
                <label for="attempts">Attempts made (needed for "unable to locate")</label>
                <input id="attempts" name="attempts" type="number" min="1" max="1000" />
              </div>
              <div>
                <label for="close-note">Note (needed for "not actionable")</label>
                <textarea id="close-note" name="note" rows={3} maxLength={10000} />
              </div>
              <button type="submit">Close task</button>
            </form>
          </section>
        ) : null}

        <section aria-labelledby="notes-h">
          <h2 id="notes-h">Notes</h2>
          {notes.length === 0 ? <p>No notes yet.</p> : null}
          <ul class="notes">
            {notes.map((n) => (
              <li key={n.id}>
                <strong>{n.author}</strong>, {usDateTime(n.created_at)}: {n.body}
              </li>
            ))}
          </ul>
          <form method="post" action={`/tasks/${t.id}/notes`} class="stack">
            <CsrfField token={ctx.csrf} />
            <label for="note-body">Add a note</label>
            <textarea id="note-body" name="body" rows={3} required maxLength={10000} />
            <button type="submit">Save note</button>
          </form>
        </section>

        <h2>History</h2>
        <table>
          <thead>
            <tr>
              <th scope="col">When</th>
              <th scope="col">What</th>
              <th scope="col">Who</th>
            </tr>
          </thead>
          <tbody>
            {events.map((e) => (
              <tr key={e.id}>
                <td>{usDateTime(e.at)}</td>
                <td>{words(e.kind)}</td>
                <td>{e.actor}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </>
    );
  },
};

const taskBack = (p: Record<string, string>) => `/tasks/${p.id ?? ''}`;
// A change to tasks: the work module's own transaction also writes the audit entry, as over the API.
const taskDeps = (deps: WebDeps, ctx: PageContext, action: string, taskIds: readonly string[]) => ({
  db: auditedTaskDb(deps.db, deps.clock, ctx.actor, action, taskIds),
  clock: deps.clock,
});

function taskId(ctx: PageContext): string {
  const id = ctx.params.id ?? '';
  if (!/^[0-9]{1,18}$/.test(id)) throw new BridgeError('USAGE', `task id must be a number, got "${id}"`);
  return id;
}

export const taskActions: WebAction[] = [
  {
    path: '/tasks/:id/close',
    permission: 'task.write',
    back: taskBack,
    async handle(deps, body, ctx) {
      const id = taskId(ctx);
      const attempts = body.attempts?.trim() ? Number(body.attempts) : null;
      await closeTask(taskDeps(deps, ctx, 'task.close', [id]), workActor(ctx.actor), id, {
        outcome: body.outcome ?? '',
        note: body.note?.trim() || null,
        attempts,
      });
      return `/tasks/${id}?done=task_closed`;
    },
  },
  {
    path: '/tasks/:id/notes',
    permission: 'task.write',
    back: taskBack,
    async handle(deps, body, ctx) {
      const id = taskId(ctx);
      await addNote(taskDeps(deps, ctx, 'task.note', [id]), workActor(ctx.actor), id, body.body ?? '');
      return `/tasks/${id}?done=note_added`;
    },
  },
  {
    path: '/tasks/:id/assign',
    permission: 'task.write',
    back: taskBack,
    async handle(deps, _body, ctx) {
      const id = taskId(ctx);
      const actor = workActor(ctx.actor);
      await assignTask(taskDeps(deps, ctx, 'task.assign', [id]), actor, id, actor.id);
      return `/tasks/${id}?done=task_assigned`;
    },
  },
  {
    // Checkboxes named task_<id>: a form sends one field per ticked task.
    path: '/work/assign',
    permission: 'task.write',
    back: () => '/work/office',
    async handle(deps, body, ctx) {
      const ids = Object.keys(body)
        .map((k) => /^task_([0-9]{1,18})$/.exec(k)?.[1])
        .filter((id): id is string => id !== undefined);
      if (ids.length === 0) throw new BridgeError('USAGE', 'tick at least one task to assign');
      if (!body.user) throw new BridgeError('USAGE', 'choose the person to assign the tasks to');
      await bulkAssign(taskDeps(deps, ctx, 'task.assign', ids), workActor(ctx.actor), ids, body.user);
      return '/work/office?done=tasks_assigned';
    },
  },
];

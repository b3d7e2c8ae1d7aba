// `bridge tasks ...`: worklists, assignment, closing and the sync of tasks with alerts. The CLI is
// an operator tool run with database access, so it acts for every office under the name in --as.
import type { Command } from 'commander';
import { withDb, type CommandContext } from '../context.ts';
import { auditedTaskDb, cliActor } from '../../access/disclosure.ts';
import { parseFormat, printRows, say } from '../output.ts';
import { isoDate } from '../../shared/clock.ts';
import { BridgeError } from '../../shared/errors.ts';
import {
  addNote,
  assignTask,
  closeTask,
  getTask,
  listTasks,
  officeSummary,
  syncTasks,
  userOutcomes,
  type Actor,
  type WorklistFilter,
} from '../../work/index.ts';

const COLUMNS = [
  'id',
  'severity',
  'due_on',
  'due_state',
  'rule_id',
  'child_id',
  'office_id',
  'addr_state',
  'assigned_to',
  'escalated_at',
  'status',
];

function operator(as: string | undefined): Actor {
  return { id: as || process.env.USER || 'operator', offices: ['*'], role: 'admin' };
}

export function registerWorkCommands(program: Command, ctx: () => CommandContext): void {
  const tasks = program.command('tasks').description('tasks for the offices that must act on alerts');

  tasks
    .command('list')
    .description("an office's worklist, or the tasks assigned to a person (--mine --as USER)")
    .option('--office <office>', 'office id, e.g. "ERO:Houston", "OPLA:HOU", "ORR", "ERO:UNROUTED"')
    .option('--mine', 'tasks assigned to the user named by --as')
    .option('--as <user>', 'who is asking (default: $USER)')
    .option('--status <status>', 'open or closed', 'open')
    .option('--rule <rule>', 'only this rule, e.g. FAILED_TO_APPEAR')
    .option('--severity <severity>', 'critical, high, medium or low')
    .option('--state <state>', 'US state of the routed address')
    .option('--due-by <date>', 'due on or before this date (YYYY-MM-DD)')
    .option('--escalated', 'only escalated tasks')
    .option('--unassigned', 'only tasks nobody is assigned to')
    .option('--limit <n>', 'tasks per page (at most 500)', '50')
    .option('--after <cursor>', 'the cursor printed after the previous page')
    .option('--json', 'print JSON to standard output')
    .option('--format <format>', 'table, json or csv')
    .action(async (o: Record<string, string | boolean | undefined>) => {
      const c = ctx();
      const format = parseFormat(o.format as string | undefined, o.json as boolean | undefined);
      if (!o.office === !o.mine)
        throw new BridgeError('USAGE', 'give either --office OFFICE or --mine --as USER');
      if (o.status !== 'open' && o.status !== 'closed')
        throw new BridgeError('USAGE', '--status must be open or closed');
      const limit = Number(o.limit);
      if (!Number.isInteger(limit) || limit < 1)
        throw new BridgeError('USAGE', '--limit must be a positive whole number');
      const actor = operator(o.as as string | undefined);
      const filter: WorklistFilter = {
        ...(o.office ? { officeId: o.office as string } : { assignedTo: actor.id }),
        status: o.status,
        rule: o.rule as string | undefined,
        severity: o.severity as string | undefined,
        state: o.state as string | undefined,
        dueBy: o.dueBy as string | undefined,
        escalated: o.escalated ? true : undefined,
        assigned: o.unassigned ? false : undefined,
        limit,
        after: o.after as string | undefined,
      };
      await withDb(c, async (db) => {
        const today = isoDate(c.clock.now());
        const page = await listTasks(db, actor, today, filter);
        if (filter.officeId) {
          const s = await officeSummary(db, actor, today, filter.officeId);
          say(
            `${s.office_id}: ${s.open} open, ${s.overdue} overdue, ${s.due_soon} due soon, ${s.escalated} escalated, ${s.unassigned} unassigned`,
          );
        }
        printRows(page.tasks, COLUMNS, format);
        if (page.next) say(`more: --after ${page.next}`);
      });
    });

  tasks
    .command('show <id>')
    .description('one task with its events, notes and attachments (JSON)')
    .option('--as <user>', 'who is asking (default: $USER)')
    .action(async (id: string, o: { as?: string }) => {
      const c = ctx();
      await withDb(c, async (db) => {
        const d = await getTask(db, operator(o.as), isoDate(c.clock.now()), id);
        process.stdout.write(JSON.stringify(d, null, 2) + '\n');
      });
    });

  tasks
    .command('assign <id> <user>')
    .description('assign an open task to a person')
    .option('--as <user>', 'who assigns (default: $USER)')
    .action(async (id: string, user: string, o: { as?: string }) => {
      const c = ctx();
      await withDb(c, (db) =>
        assignTask(
          { db: auditedTaskDb(db, c.clock, cliActor(), 'task.assign', [id]), clock: c.clock },
          operator(o.as),
          id,
          user,
        ),
      );
      say(`task ${id} assigned to ${user}`);
    });

  tasks
    .command('close <id>')
    .description(`close an open task with an outcome: ${userOutcomes().join(', ')}`)
    .requiredOption('--outcome <code>', 'outcome code')
    .option('--note <text>', 'what was done')
    .option('--attempts <n>', 'attempts made (needed for unable_to_locate)')
    .option('--as <user>', 'who closes (default: $USER)')
    .action(async (id: string, o: { outcome: string; note?: string; attempts?: string; as?: string }) => {
      const c = ctx();
      const attempts = o.attempts === undefined ? null : Number(o.attempts);
      await withDb(c, (db) =>
        closeTask(
          { db: auditedTaskDb(db, c.clock, cliActor(), 'task.close', [id]), clock: c.clock },
          operator(o.as),
          id,
          { outcome: o.outcome, note: o.note, attempts },
        ),
      );
      say(`task ${id} closed: ${o.outcome}`);
    });

  tasks
    .command('note <id> <text>')
    .description('add a note to a task')
    .option('--as <user>', 'author (default: $USER)')
    .action(async (id: string, text: string, o: { as?: string }) => {
      const c = ctx();
      await withDb(c, (db) =>
        addNote(
          { db: auditedTaskDb(db, c.clock, cliActor(), 'task.note', [id]), clock: c.clock },
          operator(o.as),
          id,
          text,
        ),
      );
      say(`note added to task ${id}`);
    });

  tasks
    .command('sync')
    .description('open, close, reopen, re-route and escalate tasks to match the alerts (safe to repeat)')
    .option('--json', 'print the counts as JSON to standard output')
    .action(async (o: { json?: boolean }) => {
      const c = ctx();
      const r = await withDb(c, (db) => syncTasks({ db, clock: c.clock, log: c.log }));
      if (o.json) process.stdout.write(JSON.stringify(r) + '\n');
      else
        say(
          `tasks: ${r.opened} opened, ${r.reopened} reopened, ${r.closed} closed, ${r.rerouted} re-routed, ${r.escalated} escalated`,
        );
    });
}

import { describe, expect, it } from 'vitest';
import { bridge, dataDirWith, releasedChild } from './cli.ts';

describe('bridge tasks', () => {
  it('every tasks command has --help', async () => {
    for (const cmd of ['list', 'show', 'assign', 'close', 'note', 'sync']) {
      const res = await bridge(['tasks', cmd, '--help']);
      expect(res.status, cmd).toBe(0);
      expect(res.stdout).toMatch(/Usage: bridge tasks/);
    }
  });

  it("opens an alert's task for the office of the child's address, assigns, notes and closes it, each audited", async () => {
    // Released to a sponsor in Houston and never served a Notice to Appear: ERO Houston must act.
    const dir = await dataDirWith([releasedChild('CH7')]);
    const env = { BRIDGE_DATA_DIR: dir };
    const run = await bridge(['rules', 'run', '--as-of', '2020-06-01'], env);
    expect(run.status, run.stderr).toBe(0);

    const sync = await bridge(['tasks', 'sync', '--json'], env);
    expect(sync.status, sync.stderr).toBe(0);
    expect(JSON.parse(sync.stdout)).toMatchObject({ opened: 1, closed: 0, escalated: 1 });
    const again = await bridge(['tasks', 'sync'], env);
    expect(again.stderr).toMatch(/tasks: 0 opened, 0 reopened, 0 closed/);

    const list = await bridge(['tasks', 'list', '--office', 'ERO:Houston', '--json'], env);
    expect(list.status, list.stderr).toBe(0);
    expect(list.stderr).toMatch(/^ERO:Houston: 1 open, .* 1 unassigned/m);
    const [task] = JSON.parse(list.stdout) as { id: string; child_id: string; rule_id: string }[];
    expect(task).toMatchObject({ child_id: 'CH7', rule_id: 'NO_NTA', status: 'open' });

    const assign = await bridge(['tasks', 'assign', task!.id, 'alice', '--as', 'sup'], env);
    expect(assign.status, assign.stderr).toBe(0);
    expect(assign.stderr).toContain(`task ${task!.id} assigned to alice`);
    const mine = await bridge(['tasks', 'list', '--mine', '--as', 'alice', '--format', 'csv'], env);
    expect(mine.stdout.split('\n')[0]).toBe(
      'id,severity,due_on,due_state,rule_id,child_id,office_id,addr_state,assigned_to,escalated_at,status',
    );
    expect(mine.stdout).toContain(`${task!.id},`);
    expect(mine.stdout).toContain(',CH7,ERO:Houston,TX,alice,');

    const note = await bridge(['tasks', 'note', task!.id, 'sponsor reached by phone', '--as', 'alice'], env);
    expect(note.status, note.stderr).toBe(0);

    const refused = await bridge(
      ['tasks', 'close', task!.id, '--outcome', 'unable_to_locate', '--as', 'alice'],
      env,
    );
    expect(refused.status).toBe(2);
    expect(refused.stderr.trim()).toBe(
      'bridge: outcome unable_to_locate needs the number of attempts (1 or more)',
    );
    const close = await bridge(
      ['tasks', 'close', task!.id, '--outcome', 'nta_served', '--note', 'served in person', '--as', 'alice'],
      env,
    );
    expect(close.status, close.stderr).toBe(0);
    expect(close.stderr).toContain(`task ${task!.id} closed: nta_served`);

    const show = await bridge(['tasks', 'show', task!.id], env);
    expect(show.status, show.stderr).toBe(0);
    const detail = JSON.parse(show.stdout);
    expect(detail.task).toMatchObject({
      status: 'closed',
      outcome: 'nta_served',
      outcome_note: 'served in person',
      assigned_to: 'alice',
      closed_by: 'alice',
      // Due 30 days after the alert opened in 2020, so the sync escalated it at once.
      escalated_to: 'ERO:Houston:supervisor',
    });
    expect(detail.notes.map((n: { body: string }) => n.body)).toContain('sponsor reached by phone');
    expect(detail.events.map((e: { kind: string }) => e.kind)).toEqual(
      expect.arrayContaining(['opened', 'assigned', 'closed']),
    );

    // The changes are in the audit log under the child they concern.
    const who = await bridge(['audit', 'who-accessed', 'CH7', '--json'], env);
    expect(who.status, who.stderr).toBe(0);
    const actions = (JSON.parse(who.stdout) as { action: string }[]).map((r) => r.action);
    expect(actions).toEqual(expect.arrayContaining(['task.assign', 'task.note', 'task.close']));

    const usage = await bridge(['tasks', 'list'], env);
    expect(usage.status).toBe(2);
    expect(usage.stderr).toMatch(/give either --office OFFICE or --mine --as USER/);
  }, 300_000);
});

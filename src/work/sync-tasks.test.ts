// syncTasks against a database: alerts open, close and come back; tasks follow, escalate and keep
// their history. Each step is a row: what happens to the alerts, then what the tasks must show.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createTestDb, type TestDb } from '../db/testing.ts';
import { fixedClock } from '../shared/clock.ts';
import { createLog } from '../shared/log.ts';
import { syncTasks, type SyncResult } from './sync-tasks.ts';
import { assignTask, closeTask } from './update-task.ts';
import { addRecord, closeAlert, openAlert, summaryMismatches } from './testing.ts';

let t: TestDb;
beforeEach(async () => {
  t = await createTestDb();
});
afterEach(async () => {
  await t.close();
});

const at = (iso: string) => ({ db: t.db, clock: fixedClock(iso), log: createLog('silent') });

interface TaskView {
  child_id: string;
  office_kind: string;
  office_id: string;
  status: string;
  outcome: string | null;
  escalated: boolean;
  reopened_count: number;
}

async function tasks(): Promise<string[]> {
  const rows = await t.db.query<TaskView>(
    `SELECT child_id, office_kind, office_id, status, outcome, escalated_at IS NOT NULL AS escalated, reopened_count
       FROM task ORDER BY child_id, office_kind`,
  );
  return rows.map(
    (r) =>
      `${r.child_id} ${r.office_id} ${r.status}${r.outcome ? `:${r.outcome}` : ''}${r.escalated ? ' escalated' : ''}${r.reopened_count ? ` reopened×${r.reopened_count}` : ''}`,
  );
}

async function events(child: string): Promise<string[]> {
  const rows = await t.db.query<{ kind: string; actor: string }>(
    `SELECT e.kind, e.actor FROM task_event e JOIN task k ON k.id = e.task_id WHERE k.child_id = $1 ORDER BY e.id`,
    [child],
  );
  return rows.map((r) => `${r.kind} by ${r.actor}`);
}

describe('syncTasks', () => {
  it('follows alerts through opening, closing, returning and deadlines', async () => {
    await addRecord(t.db, 'C-1', { ownDate: '2026-02-01', state: 'TX', zip5: '77002' });
    const ids: Record<string, string> = {};
    const steps: {
      when: string;
      act: () => Promise<void>;
      result: Partial<SyncResult>;
      tasks: string[];
    }[] = [
      {
        when: '2026-11-01T08:00:00Z',
        act: async () => {
          ids.nta = await openAlert(t.db, {
            childId: 'C-1',
            rule: 'NO_NTA',
            openedOn: '2026-10-20',
            dueOn: '2026-11-19',
          });
          ids.fled = await openAlert(t.db, {
            childId: 'C-2',
            rule: 'FLED_CUSTODY',
            openedOn: '2026-10-31',
            dueOn: '2026-11-02',
          });
          // An alert no office must act on gets no task.
          await t.db.query(
            `INSERT INTO alert (child_id, rule_id, opened_on, severity, office_kinds, record_pks, details, evaluated_on)
             VALUES ('C-1', 'INFO_ONLY', '2026-10-20', 'low', '{}', '{}', '{}', '2026-10-20')`,
          );
        },
        result: { opened: 3, closed: 0, reopened: 0, escalated: 0 },
        tasks: ['C-1 ERO:Houston open', 'C-2 ERO:UNROUTED open', 'C-2 ORR open'],
      },
      {
        when: '2026-11-01T09:00:00Z',
        act: async () => {},
        result: { opened: 0, closed: 0, reopened: 0, escalated: 0 },
        tasks: ['C-1 ERO:Houston open', 'C-2 ERO:UNROUTED open', 'C-2 ORR open'],
      },
      {
        when: '2026-11-03T08:00:00Z', // FLED_CUSTODY was due 11-02
        act: async () => {},
        result: { escalated: 2 },
        tasks: ['C-1 ERO:Houston open', 'C-2 ERO:UNROUTED open escalated', 'C-2 ORR open escalated'],
      },
      {
        when: '2026-11-05T08:00:00Z',
        act: () => closeAlert(t.db, ids.nta!, '2026-11-04', 'NTA served on 2026-11-04 (record 9)'),
        result: { closed: 1, escalated: 0 },
        tasks: [
          'C-1 ERO:Houston closed:resolved_by_facts',
          'C-2 ERO:UNROUTED open escalated',
          'C-2 ORR open escalated',
        ],
      },
      {
        when: '2026-11-20T08:00:00Z',
        act: async () => {
          ids.nta2 = await openAlert(t.db, {
            childId: 'C-1',
            rule: 'NO_NTA',
            openedOn: '2026-11-19',
            dueOn: '2026-12-19',
          });
        },
        result: { reopened: 1, opened: 0 },
        tasks: [
          'C-1 ERO:Houston open reopened×1',
          'C-2 ERO:UNROUTED open escalated',
          'C-2 ORR open escalated',
        ],
      },
    ];
    for (const [i, s] of steps.entries()) {
      await s.act();
      const r = await syncTasks(at(s.when));
      expect({ step: i, ...r }).toMatchObject({ step: i, ...s.result });
      expect(await tasks(), `step ${i}`).toEqual(s.tasks);
      expect(await summaryMismatches(t.db, s.when.slice(0, 10)), `step ${i}`).toEqual([]);
    }
    expect(await events('C-1')).toEqual(['opened by system', 'closed by system', 'reopened by system']);
    const [reopened] = await t.db.query<{ alert_id: string; due_on: string; outcome_note: string | null }>(
      `SELECT alert_id::text AS alert_id, to_char(due_on, 'YYYY-MM-DD') AS due_on, outcome_note FROM task WHERE child_id = 'C-1'`,
    );
    expect(reopened).toEqual({ alert_id: ids.nta2, due_on: '2026-12-19', outcome_note: null });
    const [closedEv] = await t.db.query<{ details: { reason: string } }>(
      `SELECT details FROM task_event WHERE kind = 'closed' LIMIT 1`,
    );
    expect(closedEv!.details.reason).toBe('NTA served on 2026-11-04 (record 9)');
    const [esc] = await t.db.query<{ details: { to: string; days_overdue: number } }>(
      `SELECT e.details FROM task_event e JOIN task k ON k.id = e.task_id WHERE e.kind = 'escalated' AND k.office_id = 'ORR'`,
    );
    expect(esc!.details).toMatchObject({ to: 'ORR:supervisor', days_overdue: 1 });
  });

  it('opens a task already past its deadline escalated, with both history entries and one overdue message', async () => {
    await addRecord(t.db, 'C-5', { ownDate: '2026-10-01', state: 'TX', zip5: '77002' });
    await openAlert(t.db, {
      childId: 'C-5',
      rule: 'FLED_CUSTODY',
      openedOn: '2026-10-31',
      dueOn: '2026-11-02',
    });
    await openAlert(t.db, { childId: 'C-5', rule: 'NO_NTA', openedOn: '2026-11-05', dueOn: '2026-12-05' });
    const first = await syncTasks(at('2026-11-10T08:00:00Z'));
    expect(first).toMatchObject({ opened: 3, escalated: 2 });
    expect((await tasks()).sort()).toEqual([
      'C-5 ERO:Houston open',
      'C-5 ERO:Houston open escalated',
      'C-5 ORR open escalated',
    ]);
    expect(await summaryMismatches(t.db, '2026-11-10')).toEqual([]);
    const history = await t.db.query<{ rule_id: string; office_kind: string; kind: string; details: object }>(
      `SELECT k.rule_id, k.office_kind, e.kind, e.details FROM task_event e JOIN task k ON k.id = e.task_id
        ORDER BY k.rule_id, k.office_kind, e.id`,
    );
    expect(history.map((e) => `${e.rule_id} ${e.office_kind} ${e.kind}`)).toEqual([
      'FLED_CUSTODY ERO opened',
      'FLED_CUSTODY ERO escalated',
      'FLED_CUSTODY ORR opened',
      'FLED_CUSTODY ORR escalated',
      'NO_NTA ERO opened',
    ]);
    expect(history[3]!.details).toEqual({ due_on: '2026-11-02', to: 'ORR:supervisor', days_overdue: 8 });
    const [orr] = await t.db.query<{ id: string; escalated_to: string; escalated_at: Date; opened_at: Date }>(
      `SELECT id::text AS id, escalated_to, escalated_at, opened_at FROM task WHERE office_kind = 'ORR'`,
    );
    expect(orr!.escalated_to).toBe('ORR:supervisor');
    expect(orr!.escalated_at).toEqual(orr!.opened_at);
    const overdue = async () =>
      (
        await t.db.query<{ event_id: string }>(
          `SELECT event_id FROM notify_event WHERE type = 'task.overdue' ORDER BY event_id`,
        )
      ).map((e) => e.event_id);
    expect(await overdue()).toHaveLength(2);
    expect(await overdue()).toContain(`task-${orr!.id}-overdue-0`);
    // Nothing crosses its deadline twice: the next sync escalates nothing and sends nothing more.
    expect(await syncTasks(at('2026-11-11T08:00:00Z'))).toMatchObject({ opened: 0, escalated: 0 });
    expect(await overdue()).toHaveLength(2);
  });

  it('keeps a task a person closed closed while its alert stays open, and reopens it when the alert returns', async () => {
    const deps = at('2026-11-01T08:00:00Z');
    const a1 = await openAlert(t.db, { childId: 'C-3', rule: 'SAFETY_CALL_FAILED', openedOn: '2026-10-30' });
    await syncTasks(deps);
    const [task] = await t.db.query<{ id: string }>(`SELECT id::text AS id FROM task`);
    const actor = { id: 'orr.officer1', offices: ['ORR'], role: 'officer' as const };
    await closeTask(deps, actor, task!.id, { outcome: 'unable_to_locate', attempts: 3 });
    await syncTasks(deps);
    expect(await tasks()).toEqual(['C-3 ORR closed:unable_to_locate']);
    await closeAlert(t.db, a1, '2026-11-10', 'child reached by phone');
    await syncTasks(at('2026-11-10T08:00:00Z'));
    expect(await tasks()).toEqual(['C-3 ORR closed:unable_to_locate']);
    await openAlert(t.db, { childId: 'C-3', rule: 'SAFETY_CALL_FAILED', openedOn: '2026-12-01' });
    await syncTasks(at('2026-12-01T08:00:00Z'));
    expect(await tasks()).toEqual(['C-3 ORR open reopened×1']);
    expect(await events('C-3')).toEqual(['opened by system', 'closed by orr.officer1', 'reopened by system']);
    expect(await summaryMismatches(t.db, '2026-12-01')).toEqual([]);
    await t.db.query(`DELETE FROM task_event`);
    await t.db.query(`DELETE FROM task`);
    expect(await t.db.query(`SELECT * FROM task_open_count`)).toEqual([]);
  });

  it('touches only the children asked for when given childIds, and uses stored deadline settings', async () => {
    await t.db.query(
      `INSERT INTO rule_setting (rule_id, key, value) VALUES ('SAFETY_CALL_FAILED', 'deadline_days', '3')`,
    );
    await openAlert(t.db, { childId: 'C-4', rule: 'SAFETY_CALL_FAILED', openedOn: '2026-11-01' });
    await openAlert(t.db, { childId: 'C-5', rule: 'SAFETY_CALL_FAILED', openedOn: '2026-11-01' });
    const r = await syncTasks(at('2026-11-02T08:00:00Z'), { childIds: ['C-5'] });
    expect(r.opened).toBe(1);
    const rows = await t.db.query<{ child_id: string; due_on: string }>(
      `SELECT child_id, to_char(due_on, 'YYYY-MM-DD') AS due_on FROM task`,
    );
    expect(rows).toEqual([{ child_id: 'C-5', due_on: '2026-11-04' }]);
    expect(await syncTasks(at('2026-11-02T08:00:00Z'), { childIds: [] })).toEqual({
      closed: 0,
      opened: 0,
      reopened: 0,
      rerouted: 0,
      escalated: 0,
    });
  });

  it('an open task takes the new deadline when later rows change its alert in place', async () => {
    const alert = await openAlert(t.db, {
      childId: 'C-6',
      rule: 'SAFETY_CALL_FAILED',
      openedOn: '2026-11-01',
    });
    await syncTasks(at('2026-11-02T08:00:00Z'));
    const due = async () =>
      (await t.db.query<{ due_on: string }>(`SELECT to_char(due_on, 'YYYY-MM-DD') AS due_on FROM task`)).map(
        (r) => r.due_on,
      );
    const first = await due();
    // A later row moves the date from which the rule holds, as the rules module does in place.
    await t.db.query(`UPDATE alert SET opened_on = '2026-10-20' WHERE id = $1`, [alert]);
    await syncTasks(at('2026-11-02T08:00:00Z'), { childIds: ['C-6'] });
    const second = await due();
    expect(second).toHaveLength(1);
    expect(second).not.toEqual(first);
    // The same deadline a task opened after the change gets.
    await t.db.query(`DELETE FROM task_event`);
    await t.db.query(`DELETE FROM task`);
    await syncTasks(at('2026-11-02T08:00:00Z'));
    expect(await due()).toEqual(second);
  });

  it('moves open tasks to the office of the new address or court, with a history entry saying why', async () => {
    await addRecord(t.db, 'C-10', { ownDate: '2026-02-01', state: 'TX', zip5: '77002' });
    await addRecord(t.db, 'C-11', { ownDate: '2026-02-01', state: 'TX', zip5: '77002' });
    await addRecord(t.db, 'C-10', { source: 'opla', ownDate: '2026-03-01', courtCode: 'HOU' });
    await openAlert(t.db, { childId: 'C-10', rule: 'FLED_CUSTODY', openedOn: '2026-10-31' });
    await openAlert(t.db, { childId: 'C-10', rule: 'NTA_NOT_FILED', openedOn: '2026-10-31' });
    await openAlert(t.db, { childId: 'C-11', rule: 'NO_NTA', openedOn: '2026-10-31' });
    await syncTasks(at('2026-11-01T08:00:00Z'));
    const [ero] = await t.db.query<{ id: string }>(
      `SELECT id::text AS id FROM task WHERE child_id = 'C-10' AND office_kind = 'ERO'`,
    );
    const supervisor = { id: 'ero.sup', offices: ['ERO:Houston'], role: 'supervisor' as const };
    await assignTask(at('2026-11-01T09:00:00Z'), supervisor, ero!.id, 'ero.officer1');
    // Past FLED_CUSTODY's 2-day deadline: escalated to Houston's supervisors.
    expect((await syncTasks(at('2026-11-05T08:00:00Z'))).escalated).toBe(2);
    expect(await tasks()).toEqual([
      'C-10 ERO:Houston open escalated',
      'C-10 OPLA:HOU open',
      'C-10 ORR open escalated',
      'C-11 ERO:Houston open',
    ]);

    // C-10 moves to Los Angeles; the court moves the case to San Francisco. C-11 moves too, but
    // only C-10 is synced (as after an ingest touching C-10 alone).
    const moved = await addRecord(t.db, 'C-10', { ownDate: '2026-11-04', state: 'CA', zip5: '90012' });
    await addRecord(t.db, 'C-10', { source: 'eoir', ownDate: '2026-11-05', courtCode: 'SFR' });
    await addRecord(t.db, 'C-11', { ownDate: '2026-11-04', state: 'NY', zip5: '10001' });
    const r = await syncTasks(at('2026-11-06T08:00:00Z'), { childIds: ['C-10'] });
    expect(r).toMatchObject({ rerouted: 2, opened: 0, closed: 0 });
    expect(await tasks()).toEqual([
      'C-10 ERO:Los Angeles open escalated',
      'C-10 OPLA:SFR open',
      'C-10 ORR open escalated',
      'C-11 ERO:Houston open',
    ]);
    const [task] = await t.db.query<{ assigned_to: string | null; escalated_to: string; addr_state: string }>(
      `SELECT assigned_to, escalated_to, addr_state FROM task WHERE id = $1`,
      [ero!.id],
    );
    expect(task).toEqual({ assigned_to: null, escalated_to: 'ERO:Los Angeles:supervisor', addr_state: 'CA' });
    const history = await t.db.query<{ kind: string; details: Record<string, unknown> }>(
      `SELECT kind, details FROM task_event WHERE task_id = $1 ORDER BY id`,
      [ero!.id],
    );
    expect(history.map((e) => e.kind)).toEqual(['opened', 'assigned', 'escalated', 'rerouted']);
    expect(history[3]!.details).toEqual({
      from: 'ERO:Houston',
      to: 'ERO:Los Angeles',
      reason: `current address CA 90012 (orr record ${moved} of 2026-11-04)`,
      previous_assignee: 'ero.officer1',
    });
    const [court] = await t.db.query<{ details: Record<string, unknown> }>(
      `SELECT e.details FROM task_event e JOIN task k ON k.id = e.task_id
        WHERE k.child_id = 'C-10' AND k.office_kind = 'OPLA' AND e.kind = 'rerouted'`,
    );
    expect(court!.details).toMatchObject({ from: 'OPLA:HOU', to: 'OPLA:SFR', reason: 'court SFR' });
    expect(await t.db.query(`SELECT id FROM office WHERE id = 'OPLA:SFR'`)).toHaveLength(1);

    // The hourly sweep (no re-routing) leaves C-11 where it is; a full sync moves it, and a second
    // one moves nothing.
    expect((await syncTasks(at('2026-11-06T08:30:00Z'), { reroute: false })).rerouted).toBe(0);
    expect((await tasks()).at(-1)).toBe('C-11 ERO:Houston open');
    expect((await syncTasks(at('2026-11-06T09:00:00Z'))).rerouted).toBe(1);
    expect((await tasks()).at(-1)).toBe('C-11 ERO:New York City open');
    expect((await syncTasks(at('2026-11-06T10:00:00Z'))).rerouted).toBe(0);
    expect(await summaryMismatches(t.db, '2026-11-06')).toEqual([]);
    const { checkTasks } = await import('./check-tasks.ts');
    expect(await checkTasks(t.db)).toEqual([]);
  });
});

describe('work.sync job', () => {
  it('syncs the children in the payload, and a full sweep schedules the next sweep once', async () => {
    const { syncTasksHandler, scheduleTaskSweep } = await import('./sync-job.ts');
    await openAlert(t.db, { childId: 'C-6', rule: 'SAFETY_CALL_FAILED', openedOn: '2026-11-01' });
    await openAlert(t.db, { childId: 'C-7', rule: 'SAFETY_CALL_FAILED', openedOn: '2026-11-01' });
    const handler = syncTasksHandler(fixedClock('2026-11-02T08:30:00Z'));
    const job = (payload: Record<string, unknown>) => ({
      id: 1,
      queue: 'work.sync',
      payload,
      attempts: 0,
      max_attempts: 5,
    });
    const jobDeps = { db: t.db, log: createLog('silent') };
    await handler(job({ child_ids: ['C-6'] }), jobDeps);
    expect(await tasks()).toEqual(['C-6 ORR open']);
    await expect(handler(job({ child_ids: 'C-7' }), jobDeps)).rejects.toThrow(/child_ids/);
    await handler(job({}), jobDeps);
    expect(await tasks()).toEqual(['C-6 ORR open', 'C-7 ORR open']);
    expect(await scheduleTaskSweep(t.db, new Date('2026-11-02T08:59:00Z'))).toBeNull();
    const queued = await t.db.query<{ run_at: Date }>(`SELECT run_at FROM job WHERE queue = 'work.sync'`);
    expect(queued.map((j) => j.run_at.toISOString())).toEqual(['2026-11-02T09:00:00.000Z']);
  });
});

describe('checkTasks', () => {
  it('finds nothing after a sync, and names each kind of mismatch', async () => {
    const { checkTasks } = await import('./check-tasks.ts');
    await addRecord(t.db, 'C-8', { ownDate: '2026-02-01', state: 'NY', zip5: '10001' });
    const a8 = await openAlert(t.db, {
      childId: 'C-8',
      rule: 'FAILED_TO_APPEAR',
      openedOn: '2026-11-01',
      details: { court_code: 'NYC' },
    });
    const a9 = await openAlert(t.db, { childId: 'C-9', rule: 'NO_NTA', openedOn: '2026-11-01' });
    expect((await checkTasks(t.db)).map((p) => p.problem)).toEqual([
      'no open task',
      'no open task',
      'no open task',
      'no open task',
    ]);
    await syncTasks(at('2026-11-02T08:00:00Z'));
    expect(await checkTasks(t.db)).toEqual([]);
    await t.db.query(
      `UPDATE task SET office_id = 'ERO:Buffalo' WHERE alert_id = $1 AND office_kind = 'ERO'`,
      [a8],
    );
    await closeAlert(t.db, a9, '2026-11-03', 'NTA served');
    expect(await checkTasks(t.db)).toEqual([
      {
        alert_id: a8,
        kind: 'ERO',
        problem: 'task in the wrong office',
        expected_office: 'ERO:New York City',
        task_office: 'ERO:Buffalo',
      },
      {
        alert_id: a9,
        kind: 'ERO',
        problem: 'open task without an open alert',
        expected_office: null,
        task_office: 'ERO:UNROUTED',
      },
    ]);
  });
});

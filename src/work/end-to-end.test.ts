// Tasks on a simulated population, end to end: simulate, ingest the five feeds, run the projections
// (linking, rules, tasks), then check every open actionable alert has exactly one open task per
// office kind, in the office an independent reading of the child's case gives; then ingest the fact
// that closes an alert (an NTA served for a child released without one) and see its task close.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDb, type TestDb } from '../db/testing.ts';
import { simulate } from '../simulate/index.ts';
import {
  createBatch,
  finishBatch,
  ingestFiles,
  ingestRows,
  storedRowFields,
  type StoredRowText,
} from '../feeds/index.ts';
import { caseState, recordsOfChildren } from '../cases/index.ts';
import { projections, runProjections } from '../projections.ts';
import { fixedClock } from '../shared/clock.ts';
import { createLog } from '../shared/log.ts';
import { RULE_IDS } from '../rules/index.ts';
import type { TruthRuleCounts } from '../simulate/truth-rules.ts';
import { checkTasks } from './check-tasks.ts';
import { fieldOfficeFor } from './field-offices.ts';

const AS_OF = '2024-05-31';
const log = createLog('silent');
const clockAt = (iso: string) => fixedClock(iso);
let t: TestDb;
let dir: string;

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bridge-work-e2e-'));
  await simulate({ outDir: dir, children: 400, seed: 23, asOf: AS_OF });
  t = await createTestDb();
  const clock = clockAt(`${AS_OF}T12:00:00Z`);
  await ingestFiles(
    { db: t.db, clock, afterRecordsChanged: projections({ log, clock }).afterRecordsChanged },
    { paths: [dir] },
  );
  await runProjections({ db: t.db, log, clock });
}, 600_000);

afterAll(async () => {
  await t?.close();
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

interface OpenAlert {
  id: string;
  child_id: string;
  rule_id: string;
  office_kinds: string[];
  court_code: string | null;
}

interface OpenTask {
  alert_id: string;
  office_kind: string;
  office_id: string;
}

/** The office each kind's task belongs in, read from the child's case state (not from the SQL). */
async function expectedOffices(alerts: readonly OpenAlert[]): Promise<Map<string, string>> {
  const records = await recordsOfChildren(t.db, [...new Set(alerts.map((a) => a.child_id))]);
  const out = new Map<string, string>();
  for (const a of alerts) {
    const recs = records.get(a.child_id) ?? [];
    const s = caseState(recs, AS_OF);
    for (const kind of a.office_kinds) {
      let office: string;
      if (kind === 'ORR') office = 'ORR';
      else if (kind === 'ERO') {
        const cur = s.addresses.current?.address;
        office = `ERO:${fieldOfficeFor(cur?.state, cur?.zip5) ?? 'UNROUTED'}`;
      } else {
        // The alert's court, else the court of the child's newest record naming one.
        const newest = recs
          .filter((r) => r.courtCode)
          .sort((x, y) => (x.ownDate < y.ownDate ? 1 : x.ownDate > y.ownDate ? -1 : y.pk - x.pk))[0];
        office = `${kind}:${(a.court_code ?? newest?.courtCode ?? 'UNROUTED').trim().toUpperCase()}`;
      }
      out.set(`${a.id}/${kind}`, office);
    }
  }
  return out;
}

async function openAlerts(): Promise<OpenAlert[]> {
  return t.db.query<OpenAlert>(
    `SELECT id::text AS id, child_id, rule_id, office_kinds, details ->> 'court_code' AS court_code
       FROM alert WHERE closed_at IS NULL AND cardinality(office_kinds) > 0 ORDER BY id`,
  );
}

async function openTasks(): Promise<OpenTask[]> {
  return t.db.query<OpenTask>(
    `SELECT alert_id::text AS alert_id, office_kind, office_id FROM task WHERE status = 'open' ORDER BY id`,
  );
}

describe('tasks on a simulated population', () => {
  it('gives every open actionable alert exactly one open task per office kind, in the right office', async () => {
    const alerts = await openAlerts();
    const rules = new Set(alerts.map((a) => a.rule_id));
    // The population is big enough to exercise several rules and every office kind.
    expect(rules.size).toBeGreaterThanOrEqual(6);
    const expected = await expectedOffices(alerts);
    const tasks = await openTasks();
    const got = new Map<string, string[]>();
    for (const task of tasks) {
      const key = `${task.alert_id}/${task.office_kind}`;
      got.set(key, [...(got.get(key) ?? []), task.office_id]);
    }
    const wrong: string[] = [];
    for (const [key, office] of expected) {
      const have = got.get(key) ?? [];
      if (have.length !== 1 || have[0] !== office)
        wrong.push(`${key}: want ${office}, have ${have.join(',')}`);
    }
    for (const key of got.keys()) if (!expected.has(key)) wrong.push(`${key}: task without an open alert`);
    expect(wrong).toEqual([]);
    expect(new Set(tasks.map((x) => x.office_kind))).toEqual(new Set(['ERO', 'ORR', 'OPLA', 'EOIR']));
    expect(tasks.filter((x) => x.office_id.endsWith(':UNROUTED')).length).toBeLessThan(tasks.length / 10);
    expect(await checkTasks(t.db)).toEqual([]);
  });

  it('has, after the ingest evaluated the rules child by child with the linker, the alerts the truth implies', async () => {
    // The incremental path (projections after each ingest chunk, linked by the identity module)
    // lands where the sweep over truly linked rows does (src/rules/truth.test.ts).
    const truth = JSON.parse(
      fs.readFileSync(path.join(dir, 'truth', 'rules.json'), 'utf8'),
    ) as TruthRuleCounts;
    const rows = await t.db.query<{ rule_id: string; n: number }>(
      `SELECT rule_id, count(DISTINCT child_id)::int AS n FROM alert WHERE closed_at IS NULL GROUP BY rule_id`,
    );
    const got = Object.fromEntries(RULE_IDS.map((id) => [id, 0]));
    for (const r of rows) got[r.rule_id] = r.n;
    expect(got).toEqual(truth.children);
  });
});

describe('closing the fact', () => {
  it('closes the task of a released child once the NTA is served', async () => {
    // A child released without an NTA served whose NTA was issued: OPLA now reports it served.
    const [alert] = await t.db.query<{ id: string; child_id: string }>(
      `SELECT id::text AS id, child_id FROM alert
        WHERE rule_id = 'NO_NTA' AND closed_at IS NULL AND (details ->> 'nta_issued_not_served')::boolean
        ORDER BY id LIMIT 1`,
    );
    expect(alert, 'a NO_NTA alert with an NTA issued and not served').toBeDefined();
    const [row] = await t.db.query<StoredRowText>(
      `SELECT s.fields, s.raw_text, b.header FROM record_link l JOIN record r ON r.id = l.record_pk
         JOIN source_row s ON s.id = r.row_id JOIN feed_batch b ON b.id = s.batch_id
        WHERE l.child_id = $1 AND r.source = 'opla' ORDER BY r.id LIMIT 1`,
      [alert!.child_id],
    );
    const [task] = await t.db.query<{ id: string; status: string }>(
      `SELECT id::text AS id, status FROM task WHERE alert_id = $1`,
      [alert!.id],
    );
    expect(task?.status).toBe('open');
    const clock = clockAt('2024-06-03T09:00:00Z');
    const fields = { ...storedRowFields(row!), served_date: '2024-06-02', service_method: 'PERSONAL' };
    const batch = await createBatch(t.db, 'opla', 'http', 'e2e', clock.now());
    const { counts } = await ingestRows(
      { db: t.db, clock, afterRecordsChanged: projections({ log, clock }).afterRecordsChanged },
      { source: 'opla', batchId: batch, rows: [{ line: 1, rawText: JSON.stringify(fields), fields }] },
    );
    await finishBatch(t.db, batch, clock.now(), counts);
    expect(counts).toMatchObject({ corrected: 1, quarantined: 0 });
    await runProjections({ db: t.db, log, clock });
    const [closed] = await t.db.query<{ close_reason: string }>(
      `SELECT close_reason FROM alert WHERE id = $1`,
      [alert!.id],
    );
    expect(closed!.close_reason).toMatch(/^NTA served on 2024-06-02/);
    const [after] = await t.db.query<{ status: string; outcome: string; closed_by: string }>(
      `SELECT status, outcome, closed_by FROM task WHERE id = $1`,
      [task!.id],
    );
    expect(after).toEqual({ status: 'closed', outcome: 'resolved_by_facts', closed_by: 'system' });
    expect(await checkTasks(t.db)).toEqual([]);
  });
});

describe('a child moving', () => {
  it('moves the open ERO task to the field office of the new address, saying why', async () => {
    // A child with an open ERO task routed by an ORR address in Texas: ORR reports a move to Chicago.
    const [task] = await t.db.query<{ id: string; child_id: string; office_id: string }>(
      `SELECT t.id::text AS id, t.child_id, t.office_id FROM task t
        WHERE t.status = 'open' AND t.office_kind = 'ERO' AND t.office_id NOT IN ('ERO:Chicago', 'ERO:UNROUTED')
          AND EXISTS (SELECT 1 FROM record_link l JOIN record r ON r.id = l.record_pk
                       WHERE l.child_id = t.child_id AND r.source = 'orr' AND r.event_type = 'RELEASE')
        ORDER BY t.id LIMIT 1`,
    );
    expect(task, 'an open ERO task of a released child').toBeDefined();
    const [release] = await t.db.query<StoredRowText>(
      `SELECT s.fields, s.raw_text, b.header FROM record_link l JOIN record r ON r.id = l.record_pk
         JOIN source_row s ON s.id = r.row_id JOIN feed_batch b ON b.id = s.batch_id
        WHERE l.child_id = $1 AND r.source = 'orr' AND r.event_type = 'RELEASE' ORDER BY r.id DESC LIMIT 1`,
      [task!.child_id],
    );
    const clock = clockAt('2024-06-05T09:00:00Z');
    const released = storedRowFields(release!);
    const fields = {
      ...released,
      orr_record_id: `${released.orr_record_id}-MOVE`,
      event_type: 'ADDRESS_UPDATE',
      event_date: '06/04/2024',
      street: '1200 W HARRISON ST',
      unit: 'APT 2',
      city: 'CHICAGO',
      state: 'IL',
      zip: '60607',
    };
    const batch = await createBatch(t.db, 'orr', 'http', 'e2e', clock.now());
    const { counts } = await ingestRows(
      { db: t.db, clock, afterRecordsChanged: projections({ log, clock }).afterRecordsChanged },
      { source: 'orr', batchId: batch, rows: [{ line: 1, rawText: JSON.stringify(fields), fields }] },
    );
    await finishBatch(t.db, batch, clock.now(), counts);
    expect(counts).toMatchObject({ new: 1, quarantined: 0 });
    await runProjections({ db: t.db, log, clock });
    const [moved] = await t.db.query<{ office_id: string; status: string }>(
      `SELECT office_id, status FROM task WHERE id = $1`,
      [task!.id],
    );
    expect(moved).toEqual({ office_id: 'ERO:Chicago', status: 'open' });
    const [event] = await t.db.query<{ details: { from: string; to: string; reason: string } }>(
      `SELECT details FROM task_event WHERE task_id = $1 AND kind = 'rerouted'`,
      [task!.id],
    );
    expect(event!.details).toMatchObject({ from: task!.office_id, to: 'ERO:Chicago' });
    expect(event!.details.reason).toMatch(/^current address IL 60607 \(orr record \d+ of 2024-06-04\)$/);
    expect(await checkTasks(t.db)).toEqual([]);
  });
});

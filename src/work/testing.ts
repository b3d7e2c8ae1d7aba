// Database fixtures for work tests: children with address and court records, and alerts as the
// rules module writes them.
import type { Queryable } from '../db/index.ts';
import { RULES, type RuleId } from '../rules/catalogue.ts';
import { addDays, DUE_SOON_DAYS } from './deadlines.ts';
import { OFFICE_SUMMARY, OFFICE_SUMMARY_COUNTED } from './work.queries.ts';

let seq = 0;

export async function addChild(db: Queryable, id: string): Promise<void> {
  await db.query(`INSERT INTO child (id) VALUES ($1) ON CONFLICT DO NOTHING`, [id]);
}

export interface RecordInput {
  source?: 'cbp' | 'ice' | 'orr' | 'opla' | 'eoir';
  ownDate: string;
  eventType?: string;
  state?: string | null;
  zip5?: string | null;
  line?: string | null;
  courtCode?: string | null;
}

/** Adds one in-scope record linked to the child. */
export async function addRecord(db: Queryable, childId: string, r: RecordInput): Promise<number> {
  await addChild(db, childId);
  const [b] = await db.query<{ id: string }>(
    `INSERT INTO feed_batch (source, kind, origin) VALUES ($1, 'file', 'fixture') RETURNING id::text`,
    [r.source ?? 'orr'],
  );
  const recordId = `fx-${++seq}-${childId}`;
  const [row] = await db.query<{ id: string }>(
    `INSERT INTO source_row (source, record_id, version, content_hash, fields, raw_text, batch_id, line)
     VALUES ($1, $2, 1, $2, '{}', '', $3, 1) RETURNING id::text`,
    [r.source ?? 'orr', recordId, b!.id],
  );
  const [rec] = await db.query<{ id: number }>(
    `INSERT INTO record (source, record_id, row_id, in_scope, own_date, event_type, name_as_sent,
                         addr_line, addr_state, addr_zip5, court_code, received_at)
     VALUES ($1, $2, $3, true, $4, $5, 'SYNTHETIC CHILD', $6, $7, $8, $9, now()) RETURNING id`,
    [
      r.source ?? 'orr',
      recordId,
      row!.id,
      r.ownDate,
      r.eventType ?? 'RELEASED',
      r.line === undefined ? (r.state || r.zip5 ? '1 TEST ST' : null) : r.line,
      r.state ?? null,
      r.zip5 ?? null,
      r.courtCode ?? null,
    ],
  );
  await db.query(`INSERT INTO record_link (record_pk, child_id, method) VALUES ($1, $2, 'manual')`, [
    rec!.id,
    childId,
  ]);
  return Number(rec!.id);
}

export interface AlertInput {
  childId: string;
  rule: RuleId;
  openedOn: string;
  dueOn?: string | null;
  details?: Record<string, unknown>;
}

/** Opens an alert the way the rules module does (offices and severity from the catalogue). */
export async function openAlert(db: Queryable, a: AlertInput): Promise<string> {
  await addChild(db, a.childId);
  const rule = RULES.get(a.rule)!;
  const [row] = await db.query<{ id: string }>(
    `INSERT INTO alert (child_id, rule_id, opened_on, severity, office_kinds, due_on, record_pks, details, evaluated_on)
     VALUES ($1, $2, $3, $4, $5, $6, '{}', $7, $3) RETURNING id::text`,
    [
      a.childId,
      a.rule,
      a.openedOn,
      rule.severity,
      rule.offices.map((o) => o.office),
      a.dueOn ?? null,
      JSON.stringify(a.details ?? {}),
    ],
  );
  return row!.id;
}

export async function closeAlert(db: Queryable, alertId: string, on: string, reason: string): Promise<void> {
  await db.query(`UPDATE alert SET closed_on = $2, closed_at = now(), close_reason = $3 WHERE id = $1`, [
    alertId,
    on,
    reason,
  ]);
}

/**
 * Offices whose at-a-glance counters (kept by the task triggers) differ from their tasks counted
 * one by one, as `office: counters … counted …`; empty when they agree.
 */
export async function summaryMismatches(db: Queryable, today: string): Promise<string[]> {
  const soon = addDays(today, DUE_SOON_DAYS);
  const counted = await db.query<{ office_id: string } & Record<string, number>>(OFFICE_SUMMARY_COUNTED, [
    today,
    soon,
  ]);
  const fromCounters = await db.query<{ office_id: string }>(
    `SELECT DISTINCT office_id FROM task_open_count ORDER BY office_id`,
  );
  const offices = [...new Set([...counted.map((c) => c.office_id), ...fromCounters.map((c) => c.office_id)])];
  const out: string[] = [];
  for (const office of offices) {
    const [kept] = await db.query<Record<string, number>>(OFFICE_SUMMARY, [office, today, soon]);
    const { office_id: _, ...want } = counted.find((c) => c.office_id === office) ?? {
      office_id: office,
      open: 0,
      overdue: 0,
      due_soon: 0,
      escalated: 0,
      unassigned: 0,
    };
    if (JSON.stringify(kept) !== JSON.stringify(want)) {
      out.push(`${office}: counters ${JSON.stringify(kept)} counted ${JSON.stringify(want)}`);
    }
  }
  return out;
}

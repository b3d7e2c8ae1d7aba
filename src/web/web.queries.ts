// Read-only SQL the pages need beyond the modules' use cases. Every list is paged on an index.
import type { Db, Queryable } from '../db/index.ts';

export interface LinkedRecordRow {
  pk: number;
  source: string;
  record_id: string;
  event_type: string;
  own_date: string;
  name_as_sent: string;
  a_number: string | null;
  dob: string | null;
  sex: string | null;
  country: string | null;
  addr_line: string | null;
  addr_unit: string | null;
  addr_city: string | null;
  addr_state: string | null;
  addr_zip5: string | null;
  sponsor_id: string | null;
  sponsor_category: string | null;
  court_code: string | null;
  link_method: string;
}

/** The source records linked to one child (record_link_child_idx), oldest first per agency. */
export async function linkedRecords(db: Queryable, childId: string, limit = 500): Promise<LinkedRecordRow[]> {
  return db.query<LinkedRecordRow>(
    `SELECT r.id::int AS pk, r.source, r.record_id, r.event_type, to_char(r.own_date, 'YYYY-MM-DD') AS own_date,
            r.name_as_sent, r.a_number, to_char(r.dob, 'YYYY-MM-DD') AS dob, r.sex, r.country,
            r.addr_line, r.addr_unit, r.addr_city, r.addr_state, r.addr_zip5, r.sponsor_id,
            r.sponsor_category, r.court_code, l.method AS link_method
       FROM record_link l JOIN record r ON r.id = l.record_pk
      WHERE l.child_id = $1
      ORDER BY r.own_date, r.id
      LIMIT $2`,
    [childId, limit],
  );
}

export interface ChildTaskRow {
  id: string;
  office_id: string;
  action: string;
  rule_id: string;
  severity: string;
  due_on: string;
  status: string;
  assigned_to: string | null;
  outcome: string | null;
}

/** A child's tasks (task_child_idx), open ones first. */
export async function tasksOfChild(db: Queryable, childId: string): Promise<ChildTaskRow[]> {
  return db.query<ChildTaskRow>(
    `SELECT id::text AS id, office_id, action, rule_id, severity, to_char(due_on, 'YYYY-MM-DD') AS due_on,
            status, assigned_to, outcome
       FROM task WHERE child_id = $1
      ORDER BY status DESC, severity_rank, due_on, id
      LIMIT 200`,
    [childId],
  );
}

export interface ChildNoteRow {
  task_id: string;
  author: string;
  body: string;
  created_at: Date;
}

/** Notes written on a child's tasks, newest first. */
export async function notesOfChild(db: Queryable, childId: string): Promise<ChildNoteRow[]> {
  return db.query<ChildNoteRow>(
    `SELECT n.task_id::text AS task_id, n.author, n.body, n.created_at
       FROM task t JOIN task_note n ON n.task_id = t.id
      WHERE t.child_id = $1
      ORDER BY n.created_at DESC, n.id DESC
      LIMIT 200`,
    [childId],
  );
}

/** The current address state of a child (newest address-bearing record): decides record scope. */
export async function currentStateOf(db: Queryable, childId: string): Promise<string | null> {
  const [row] = await db.query<{ st: string | null }>(
    `SELECT upper(trim(r.addr_state)) AS st
       FROM record_link l JOIN record r ON r.id = l.record_pk
      WHERE l.child_id = $1 AND r.addr_state IS NOT NULL AND trim(r.addr_state) <> ''
      ORDER BY r.own_date DESC, r.id DESC
      LIMIT 1`,
    [childId],
  );
  return row?.st ?? null;
}

export interface ReviewPairRow {
  id: number;
  record_a: number;
  record_b: number;
  weight: number;
  status: string;
  a_ref: string;
  a_name: string;
  b_ref: string;
  b_name: string;
}

const REVIEW_COLUMNS = `p.id::int AS id, p.record_a::int AS record_a, p.record_b::int AS record_b,
  p.weight::float8 AS weight, p.status, ra.source || ':' || ra.record_id AS a_ref, ra.name_as_sent AS a_name,
  rb.source || ':' || rb.record_id AS b_ref, rb.name_as_sent AS b_name
  FROM review_pair p JOIN record ra ON ra.id = p.record_a JOIN record rb ON rb.id = p.record_b`;

/** A page of the review queue, strongest first (review_pair_open_idx), and how many wait. */
export async function reviewPage(
  db: Queryable,
  status: 'open' | 'decided',
  limit: number,
  offset: number,
): Promise<{ total: number; pairs: ReviewPairRow[] }> {
  const [{ n }] = (await db.query<{ n: number }>(
    `SELECT count(*)::int AS n FROM review_pair WHERE status = $1`,
    [status],
  )) as [{ n: number }];
  const pairs = await db.query<ReviewPairRow>(
    // The page's pairs first (on review_pair_open_idx), then their records.
    `SELECT ${REVIEW_COLUMNS}
      WHERE p.id IN (SELECT id FROM review_pair WHERE status = $1 ORDER BY weight DESC, id LIMIT $2 OFFSET $3)
      ORDER BY p.weight DESC, p.id`,
    [status, limit, offset],
  );
  return { total: Number(n), pairs };
}

export async function reviewPairById(db: Queryable, id: number): Promise<ReviewPairRow | undefined> {
  const [row] = await db.query<ReviewPairRow>(`SELECT ${REVIEW_COLUMNS} WHERE p.id = $1`, [id]);
  return row;
}

export interface RecurringAddressRow {
  addr_line: string;
  addr_unit: string;
  addr_city: string | null;
  addr_state: string | null;
  addr_zip5: string;
  children: number;
  child_ids: string[];
  sponsor_ids: string[];
}

/**
 * Addresses that several children were released to, from the counted table (most children first),
 * a page at a time. `states` limits them to an ERO officer's area (null: everywhere).
 */
export async function recurringAddresses(
  db: Queryable,
  opts: {
    threshold: number;
    states: readonly string[] | null;
    state: string | null;
    limit: number;
    offset: number;
  },
): Promise<{ total: number; rows: RecurringAddressRow[] }> {
  const where = `children >= $1::int AND ($2::text[] IS NULL OR addr_state = ANY($2::text[]))
     AND ($3::text IS NULL OR addr_state = $3)`;
  const params = [opts.threshold, opts.states, opts.state];
  const [c] = await db.query<{ n: number }>(
    `SELECT count(*)::int AS n FROM recurring_address WHERE ${where}`,
    params,
  );
  const rows = await db.query<RecurringAddressRow>(
    `SELECT addr_line, addr_unit, addr_city, addr_state, addr_zip5, children, child_ids, sponsor_ids
       FROM recurring_address WHERE ${where}
      ORDER BY children DESC, addr_zip5, addr_line, addr_unit
      LIMIT $4 OFFSET $5`,
    [...params, opts.limit, opts.offset],
  );
  return { total: Number(c?.n ?? 0), rows };
}

/** When the recurring addresses were last counted (null: never). */
export async function recurringCountedAt(db: Queryable): Promise<Date | null> {
  const [row] = await db.query<{ counted_at: Date }>(`SELECT counted_at FROM recurring_address_count`);
  return row ? new Date(row.counted_at) : null;
}

// Any number not used by another advisory lock of the project.
const RECOUNT_LOCK = 909_001;

/**
 * Counts the recurring addresses again from the ORR release rows (clean addresses only: a street
 * line and a ZIP). Returns false without waiting when another process is already counting.
 */
export async function recountRecurringAddresses(db: Db, now: Date): Promise<boolean> {
  return db.transaction(async (tx) => {
    const [lock] = await tx.query<{ ok: boolean }>(`SELECT pg_try_advisory_xact_lock($1) AS ok`, [
      RECOUNT_LOCK,
    ]);
    if (!lock?.ok) return false;
    await tx.query(`DELETE FROM recurring_address`);
    const [n] = await tx.query<{ n: number }>(
      `WITH ins AS (
         INSERT INTO recurring_address (addr_zip5, addr_line, addr_unit, addr_city, addr_state, children,
                                        child_ids, sponsor_ids)
         SELECT r.addr_zip5, r.addr_line, COALESCE(upper(trim(r.addr_unit)), ''), min(r.addr_city),
                min(upper(trim(r.addr_state))), count(DISTINCT l.child_id)::int,
                array_agg(DISTINCT l.child_id ORDER BY l.child_id),
                array_remove(array_agg(DISTINCT r.sponsor_id ORDER BY r.sponsor_id), NULL)
           FROM record r JOIN record_link l ON l.record_pk = r.id
          WHERE r.source = 'orr' AND r.event_type = 'RELEASE' AND r.in_scope
            AND r.addr_line IS NOT NULL AND trim(r.addr_line) <> '' AND r.addr_zip5 IS NOT NULL
          GROUP BY r.addr_zip5, r.addr_line, COALESCE(upper(trim(r.addr_unit)), '')
         HAVING count(DISTINCT l.child_id) >= 2
         RETURNING 1)
       SELECT count(*)::int AS n FROM ins`,
    );
    await tx.query(
      `INSERT INTO recurring_address_count (id, counted_at, addresses) VALUES (true, $1, $2)
       ON CONFLICT (id) DO UPDATE SET counted_at = EXCLUDED.counted_at, addresses = EXCLUDED.addresses`,
      [now, n?.n ?? 0],
    );
    return true;
  });
}

export interface DeliveryPageRow {
  id: number;
  subscription_id: number;
  subscription: string;
  agency: string;
  channel: string;
  event_type: string | null;
  status: string;
  attempts: number;
  max_attempts: number;
  last_status_code: number | null;
  last_error: string | null;
  created_at: Date;
  delivered_at: Date | null;
}

/** Deliveries newest first, keyset-paged by id (notify_delivery_status_idx or the primary key). */
export async function deliveryPage(
  db: Queryable,
  opts: { status: string | null; before: number | null; limit: number },
): Promise<DeliveryPageRow[]> {
  return db.query<DeliveryPageRow>(
    `SELECT d.id::int AS id, d.subscription_id::int AS subscription_id, s.name AS subscription, s.agency,
            s.channel, COALESCE(e.type, CASE WHEN d.event_pk IS NULL THEN 'digest' END) AS event_type,
            d.status, d.attempts, d.max_attempts, d.last_status_code, d.last_error, d.created_at,
            d.delivered_at
       FROM notify_delivery d
       JOIN notify_subscription s ON s.id = d.subscription_id
       LEFT JOIN notify_event e ON e.id = d.event_pk
      WHERE ($1::text IS NULL OR d.status = $1) AND ($2::bigint IS NULL OR d.id < $2)
      ORDER BY d.id DESC
      LIMIT $3`,
    [opts.status, opts.before, opts.limit],
  );
}

/**
 * How many deliveries wait, are being sent, failed for good or wait for the digest (each on the
 * status index, up to COUNT_CAP). Delivered ones are not counted: they are most of the table and
 * need no action.
 */
export const COUNTED_DELIVERY_STATUSES = ['pending', 'delivering', 'dead', 'digest'] as const;
/** Counting stops here ("10,000 or more"): enough to know how much needs action. */
export const COUNT_CAP = 10_000;

export async function deliveryCounts(db: Queryable): Promise<Record<string, number>> {
  const rows = await db.query<{ status: string; n: number }>(
    `SELECT s AS status,
            (SELECT count(*) FROM (SELECT 1 FROM notify_delivery d WHERE d.status = s LIMIT $2) x)::int AS n
       FROM unnest($1::text[]) AS s`,
    [COUNTED_DELIVERY_STATUSES, COUNT_CAP + 1],
  );
  return Object.fromEntries(rows.map((r) => [r.status, Number(r.n)]));
}

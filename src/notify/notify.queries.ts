// SQL for subscriptions, the outbox, deliveries and the delivery log.
import { takeIds, type Queryable } from '../db/index.ts';
import type { Agency, NotifyEvent, Severity } from './catalogue.ts';
import type { AttemptOutcome } from './retry.ts';

export interface SubscriptionRow {
  id: number;
  agency: Agency;
  name: string;
  channel: 'webhook' | 'email';
  target: string;
  event_types: string[];
  offices: string[] | null;
  states: string[] | null;
  min_severity: Severity;
  status: 'active' | 'disabled';
  disabled_reason: string | null;
  created_at: Date;
}

// Every column but the secret, which is read only by the sender.
const SUB_COLUMNS = `id::int AS id, agency, name, channel, target, event_types, offices, states, min_severity,
  status, disabled_reason, created_at`;

export async function insertSubscription(
  db: Queryable,
  s: {
    agency: Agency;
    name: string;
    channel: 'webhook' | 'email';
    target: string;
    secret: string | null;
    eventTypes: readonly string[];
    offices: readonly string[] | null;
    states: readonly string[] | null;
    minSeverity: Severity;
  },
): Promise<SubscriptionRow> {
  const rows = await db.query<SubscriptionRow>(
    `INSERT INTO notify_subscription
       (agency, name, channel, target, secret, event_types, offices, states, min_severity)
     VALUES ($1, $2, $3, $4, $5, $6::text[], $7::text[], $8::text[], $9)
     RETURNING ${SUB_COLUMNS}`,
    [s.agency, s.name, s.channel, s.target, s.secret, s.eventTypes, s.offices, s.states, s.minSeverity],
  );
  return rows[0]!;
}

export async function selectSubscriptions(db: Queryable, activeOnly = false): Promise<SubscriptionRow[]> {
  return db.query<SubscriptionRow>(
    `SELECT ${SUB_COLUMNS} FROM notify_subscription ${activeOnly ? `WHERE status = 'active'` : ''} ORDER BY id`,
  );
}

export async function setSubscriptionStatus(
  db: Queryable,
  id: number,
  status: 'active' | 'disabled',
  reason: string | null,
): Promise<SubscriptionRow | undefined> {
  const rows = await db.query<SubscriptionRow>(
    `UPDATE notify_subscription SET status = $2, disabled_reason = $3,
       disabled_at = CASE WHEN $2 = 'disabled' THEN now() ELSE NULL END
     WHERE id = $1 RETURNING ${SUB_COLUMNS}`,
    [id, status, reason],
  );
  return rows[0];
}

/** From this many events at once, they are COPYed rather than inserted from arrays. */
export const COPY_EVENTS_FROM = 1_000;

/** The stored columns of an event, and an event's values for them as text (both paths use them). */
const STORED_EVENT_COLUMNS = [
  'event_id',
  'type',
  'severity',
  'child_id',
  'office',
  'state',
  'occurred_at',
  'data',
];
const eventCells = (e: NotifyEvent): (string | null)[] => [
  e.eventId,
  e.type,
  e.severity,
  e.childId,
  e.office,
  e.state,
  e.occurredAt.toISOString(),
  JSON.stringify(e.data),
];

/** Inserts the events (one statement, or one COPY for many); returns each one's key by its event id. */
export async function insertEvents(
  tx: Queryable,
  events: readonly NotifyEvent[],
): Promise<Map<string, number>> {
  const cells = events.map(eventCells);
  if (events.length >= COPY_EVENTS_FROM) {
    // A first load records hundreds of thousands of messages at once. Given as arrays, a million
    // of them took the server 15 s only to read the parameters; COPY with ids taken first is
    // several times faster on both sides.
    const ids = await takeIds(tx, 'notify_event', events.length);
    await tx.copyRows(
      'notify_event',
      ['id', ...STORED_EVENT_COLUMNS],
      cells.map((c, i) => [String(ids[i]), ...c]),
    );
    return new Map(events.map((e, i) => [e.eventId, ids[i]!]));
  }
  const rows = await tx.query<{ id: number; event_id: string }>(
    `INSERT INTO notify_event (${STORED_EVENT_COLUMNS.join(', ')})
     SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[],
                          $7::timestamptz[], $8::jsonb[])
     RETURNING id::int AS id, event_id`,
    STORED_EVENT_COLUMNS.map((_, j) => cells.map((c) => c[j])),
  );
  return new Map(rows.map((r) => [r.event_id, r.id]));
}

export async function insertDeliveries(
  tx: Queryable,
  rows: readonly {
    eventPk: number;
    subscriptionId: number;
    key: string;
    status: 'pending' | 'digest';
    maxAttempts: number;
  }[],
): Promise<void> {
  if (rows.length === 0) return;
  await tx.query(
    `INSERT INTO notify_delivery (event_pk, subscription_id, idempotency_key, status, max_attempts)
     SELECT * FROM unnest($1::bigint[], $2::bigint[], $3::text[], $4::text[], $5::int[])`,
    [
      rows.map((r) => r.eventPk),
      rows.map((r) => r.subscriptionId),
      rows.map((r) => r.key),
      rows.map((r) => r.status),
      rows.map((r) => r.maxAttempts),
    ],
  );
}

/** Delivery workers listen here; the notification reaches them when the transaction commits. */
export const OUTBOX_CHANNEL = 'bridge_notify_outbox';

export async function announceDeliveries(tx: Queryable): Promise<void> {
  await tx.query(`SELECT pg_notify($1, '')`, [OUTBOX_CHANNEL]);
}

export interface ClaimedDelivery {
  id: number;
  attempts: number;
  max_attempts: number;
  idempotency_key: string;
  event_pk: number | null;
  subscription_id: number;
}

export async function claimDeliveries(
  db: Queryable,
  workerId: string,
  now: Date,
  limit: number,
): Promise<ClaimedDelivery[]> {
  return db.query<ClaimedDelivery>(
    `UPDATE notify_delivery SET status = 'delivering', locked_by = $1, locked_at = $2,
       attempts = attempts + 1
     WHERE id IN (
       SELECT id FROM notify_delivery
       -- The later of the worker's clock and the database's: a worker clock running behind the
       -- database never holds back messages recorded with the database's now().
       WHERE status = 'pending' AND next_attempt_at <= GREATEST($2::timestamptz, now())
       ORDER BY next_attempt_at, id
       LIMIT $3
       FOR UPDATE SKIP LOCKED)
     RETURNING id::int AS id, attempts, max_attempts, idempotency_key, event_pk::int AS event_pk,
       subscription_id::int AS subscription_id`,
    [workerId, now, limit],
  );
}

export interface SendTarget {
  id: number;
  agency: Agency;
  channel: 'webhook' | 'email';
  target: string;
  secret: string | null;
  status: 'active' | 'disabled';
}

export async function selectSendTargets(db: Queryable, ids: readonly number[]): Promise<SendTarget[]> {
  return db.query<SendTarget>(
    `SELECT id::int AS id, agency, channel, target, secret, status FROM notify_subscription
     WHERE id = ANY($1::bigint[])`,
    [ids],
  );
}

interface EventRow {
  id: number;
  event_id: string;
  type: NotifyEvent['type'];
  severity: Severity;
  child_id: string | null;
  office: string | null;
  state: string | null;
  occurred_at: Date | string;
  data: Record<string, unknown> | string;
}

function toEvent(r: EventRow): NotifyEvent & { pk: number } {
  return {
    pk: r.id,
    eventId: r.event_id,
    type: r.type,
    severity: r.severity,
    childId: r.child_id,
    office: r.office,
    state: r.state,
    occurredAt: new Date(r.occurred_at),
    data: typeof r.data === 'string' ? (JSON.parse(r.data) as Record<string, unknown>) : r.data,
  };
}

const EVENT_COLUMNS = `e.id::int AS id, e.event_id, e.type, e.severity, e.child_id, e.office, e.state,
  e.occurred_at, e.data`;

export async function selectEvents(db: Queryable, pks: readonly number[]) {
  const rows = await db.query<EventRow>(
    `SELECT ${EVENT_COLUMNS} FROM notify_event e WHERE e.id = ANY($1::bigint[])`,
    [pks],
  );
  return rows.map(toEvent);
}

/** The events folded into a digest delivery, oldest first. */
export async function selectDigestEvents(db: Queryable, digestId: number) {
  const rows = await db.query<EventRow>(
    `SELECT ${EVENT_COLUMNS} FROM notify_delivery d JOIN notify_event e ON e.id = d.event_pk
     WHERE d.digest_id = $1 ORDER BY e.occurred_at, e.id`,
    [digestId],
  );
  return rows.map(toEvent);
}

export interface AttemptResult {
  deliveryId: number;
  workerId: string;
  attempt: number;
  startedAt: Date;
  latencyMs: number;
  statusCode: number | null;
  outcome: AttemptOutcome;
  error: string | null;
  nextAttemptAt: Date | null;
}

/**
 * Logs one attempt and moves the delivery on, in one statement (atomic without a transaction, and
 * one round trip: the embedded engine serves every query of the process in turn). Returns false
 * when another worker took the delivery over meanwhile; the attempt is logged either way.
 */
export async function recordAttempt(db: Queryable, r: AttemptResult): Promise<boolean> {
  const status = r.outcome === 'delivered' ? 'delivered' : r.outcome === 'retry' ? 'pending' : 'dead';
  const rows = await db.query<{ kept: boolean }>(
    `WITH moved AS (
       UPDATE notify_delivery SET status = $3, locked_by = NULL, locked_at = NULL,
         last_status_code = $4, last_error = $5,
         next_attempt_at = COALESCE($6::timestamptz, next_attempt_at),
         delivered_at = CASE WHEN $3 = 'delivered' THEN now() ELSE delivered_at END
       WHERE id = $1 AND locked_by = $2 AND status = 'delivering' RETURNING id)
     INSERT INTO notify_attempt
       (delivery_id, attempt, started_at, latency_ms, status_code, outcome, error, worker)
     VALUES ($1, $7, $8, $9, $4, $10, $5, $2)
     RETURNING EXISTS (SELECT 1 FROM moved) AS kept`,
    [
      r.deliveryId,
      r.workerId,
      status,
      r.statusCode,
      r.error,
      r.nextAttemptAt,
      r.attempt,
      r.startedAt,
      Math.round(r.latencyMs),
      r.outcome,
    ],
  );
  return rows[0]?.kept === true;
}

/** A receiver answered 410: stop sending to it, and park what was waiting for it as dead letters. */
export async function disableGoneSubscription(tx: Queryable, subscriptionId: number, reason: string) {
  await setSubscriptionStatus(tx, subscriptionId, 'disabled', reason);
  await tx.query(
    `UPDATE notify_delivery SET status = 'dead', last_error = $2
     WHERE subscription_id = $1 AND status IN ('pending', 'digest')`,
    [subscriptionId, reason],
  );
}

/** Puts back deliveries whose worker died while holding them (at-least-once). */
export async function releaseStaleDeliveries(db: Queryable, olderThan: Date): Promise<number> {
  const rows = await db.query(
    `UPDATE notify_delivery SET status = 'pending', locked_by = NULL, locked_at = NULL
     WHERE status = 'delivering' AND locked_at < $1 RETURNING id`,
    [olderThan],
  );
  return rows.length;
}

export interface DeliveryListRow {
  id: number;
  subscription_id: number;
  agency: Agency;
  channel: string;
  event_type: string | null;
  event_id: string | null;
  status: string;
  attempts: number;
  max_attempts: number;
  last_status_code: number | null;
  last_error: string | null;
  last_latency_ms: number | null;
  next_attempt_at: Date;
  created_at: Date;
  delivered_at: Date | null;
}

export async function selectDeliveries(
  db: Queryable,
  filter: { status?: string; subscriptionId?: number; limit: number },
): Promise<DeliveryListRow[]> {
  return db.query<DeliveryListRow>(
    `SELECT d.id::int AS id, d.subscription_id::int AS subscription_id, s.agency, s.channel,
       COALESCE(e.type, CASE WHEN d.event_pk IS NULL THEN 'digest' END) AS event_type, e.event_id,
       d.status, d.attempts, d.max_attempts, d.last_status_code, d.last_error,
       (SELECT a.latency_ms FROM notify_attempt a WHERE a.delivery_id = d.id
        ORDER BY a.attempt DESC, a.id DESC LIMIT 1) AS last_latency_ms,
       d.next_attempt_at, d.created_at, d.delivered_at
     FROM notify_delivery d
     JOIN notify_subscription s ON s.id = d.subscription_id
     LEFT JOIN notify_event e ON e.id = d.event_pk
     WHERE ($1::text IS NULL OR d.status = $1) AND ($2::bigint IS NULL OR d.subscription_id = $2)
     ORDER BY d.id DESC
     LIMIT $3`,
    [filter.status ?? null, filter.subscriptionId ?? null, filter.limit],
  );
}

export interface AttemptRow {
  attempt: number;
  started_at: Date;
  latency_ms: number;
  status_code: number | null;
  outcome: AttemptOutcome;
  error: string | null;
  worker: string;
}

export async function selectAttempts(db: Queryable, deliveryId: number): Promise<AttemptRow[]> {
  return db.query<AttemptRow>(
    `SELECT attempt, started_at, latency_ms, status_code, outcome, error, worker FROM notify_attempt
     WHERE delivery_id = $1 ORDER BY attempt, id`,
    [deliveryId],
  );
}

/** Sends a dead letter again with a fresh allowance of attempts. */
export async function replayDelivery(
  db: Queryable,
  id: number,
  extraAttempts: number,
): Promise<{ id: number; status: string; subscription_status: string } | undefined> {
  const rows = await db.query<{ id: number; status: string; subscription_status: string }>(
    `UPDATE notify_delivery d SET status = CASE WHEN s.status = 'active' THEN 'pending' ELSE d.status END,
       max_attempts = CASE WHEN s.status = 'active' THEN d.attempts + $2 ELSE d.max_attempts END,
       next_attempt_at = CASE WHEN s.status = 'active' THEN now() ELSE d.next_attempt_at END
     FROM notify_subscription s
     WHERE d.id = $1 AND s.id = d.subscription_id AND d.status = 'dead'
     RETURNING d.id::int AS id, d.status, s.status AS subscription_status`,
    [id, extraAttempts],
  );
  return rows[0];
}

export async function deliveryStatus(db: Queryable, id: number): Promise<string | undefined> {
  const rows = await db.query<{ status: string }>(`SELECT status FROM notify_delivery WHERE id = $1`, [id]);
  return rows[0]?.status;
}

/** Folds the waiting digest rows of one subscription into a single new delivery, in one transaction. */
export async function foldDigest(
  tx: Queryable,
  subscriptionId: number,
  maxAttempts: number,
): Promise<{ digestId: number; events: number } | null> {
  const waiting = await tx.query<{ id: number }>(
    `SELECT id::int AS id FROM notify_delivery WHERE subscription_id = $1 AND status = 'digest'
     ORDER BY id FOR UPDATE SKIP LOCKED`,
    [subscriptionId],
  );
  if (waiting.length === 0) return null;
  const [digest] = await tx.query<{ id: number }>(
    `INSERT INTO notify_delivery (event_pk, subscription_id, idempotency_key, status, max_attempts)
     VALUES (NULL, $1, $2, 'pending', $3) RETURNING id::int AS id`,
    // The first folded delivery belongs to one digest only: a stable, unique message id.
    [subscriptionId, `digest_${subscriptionId}_${waiting[0]!.id}`, maxAttempts],
  );
  await tx.query(
    `UPDATE notify_delivery SET status = 'digested', digest_id = $1 WHERE id = ANY($2::bigint[])`,
    [digest!.id, waiting.map((w) => w.id)],
  );
  return { digestId: digest!.id, events: waiting.length };
}

export async function subscriptionsWithDigests(db: Queryable): Promise<number[]> {
  const rows = await db.query<{ id: number }>(
    `SELECT DISTINCT subscription_id::int AS id FROM notify_delivery WHERE status = 'digest' ORDER BY 1`,
  );
  return rows.map((r) => r.id);
}

export interface AnnouncedAddress {
  child_id: string;
  version: number;
  address_key: string;
  address: Record<string, string | null>;
}

/** The address each child was last announced with, locked until the caller's transaction ends. */
export async function selectAnnouncedAddresses(
  tx: Queryable,
  childIds: readonly string[],
): Promise<Map<string, AnnouncedAddress>> {
  const rows = await tx.query<AnnouncedAddress>(
    `SELECT child_id, version, address_key, address FROM notify_child_address
     WHERE child_id = ANY($1::text[]) ORDER BY child_id FOR UPDATE`,
    [childIds],
  );
  return new Map(rows.map((r) => [r.child_id, r]));
}

export async function upsertAnnouncedAddresses(
  tx: Queryable,
  rows: readonly {
    childId: string;
    version: number;
    key: string;
    address: Record<string, string | null>;
    recordPk: number;
    on: string;
  }[],
): Promise<void> {
  if (rows.length === 0) return;
  await tx.query(
    `INSERT INTO notify_child_address (child_id, version, address_key, address, record_pk, address_on)
     SELECT * FROM unnest($1::text[], $2::int[], $3::text[], $4::jsonb[], $5::bigint[], $6::date[])
     ON CONFLICT (child_id) DO UPDATE SET version = EXCLUDED.version, address_key = EXCLUDED.address_key,
       address = EXCLUDED.address, record_pk = EXCLUDED.record_pk, address_on = EXCLUDED.address_on,
       updated_at = now()`,
    [
      rows.map((r) => r.childId),
      rows.map((r) => r.version),
      rows.map((r) => r.key),
      rows.map((r) => JSON.stringify(r.address)),
      rows.map((r) => r.recordPk),
      rows.map((r) => r.on),
    ],
  );
}

/** The open ADDRESS_DRIFT alerts of these children, and whether the caller's transaction opened them. */
export async function selectOpenDrift(
  tx: Queryable,
  childIds: readonly string[],
): Promise<Map<string, { alertId: number; openedNow: boolean }>> {
  const rows = await tx.query<{ child_id: string; id: number; opened_now: boolean }>(
    `SELECT child_id, id::int AS id, (opened_at = now()) AS opened_now FROM alert
     WHERE rule_id = 'ADDRESS_DRIFT' AND closed_at IS NULL AND child_id = ANY($1::text[])`,
    [childIds],
  );
  return new Map(rows.map((r) => [r.child_id, { alertId: r.id, openedNow: r.opened_now }]));
}

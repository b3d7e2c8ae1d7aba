// The SQL of the access module. Parameterized only.
import type { Queryable } from '../db/index.ts';

// One key for the audit chain; held for the rest of the transaction so appends are serialized.
export const AUDIT_LOCK_KEY = 707_001;

export interface UserRow {
  id: number;
  username: string;
  display_name: string;
  role: string;
  office_id: string | null;
  area_states: string[] | null;
  password_hash: string | null;
  failed_logins: number;
  locked_until: Date | string | null;
  disabled: boolean;
  last_login_at: Date | string | null;
}

const USER_COLUMNS = `u.id, u.username, u.display_name, u.role, u.office_id, o.area_states, u.password_hash,
  u.failed_logins, u.locked_until, u.disabled, u.last_login_at`;

export async function findUserByUsername(q: Queryable, username: string): Promise<UserRow | undefined> {
  const rows = await q.query<UserRow>(
    `SELECT ${USER_COLUMNS} FROM app_user u LEFT JOIN user_office o ON o.id = u.office_id WHERE u.username = $1`,
    [username],
  );
  return rows[0];
}

export async function listUsers(q: Queryable): Promise<UserRow[]> {
  return q.query<UserRow>(
    `SELECT ${USER_COLUMNS} FROM app_user u LEFT JOIN user_office o ON o.id = u.office_id ORDER BY u.username`,
  );
}

export async function insertUser(
  q: Queryable,
  u: {
    username: string;
    displayName: string;
    role: string;
    officeId: string | null;
    passwordHash: string | null;
  },
): Promise<number> {
  const rows = await q.query<{ id: number }>(
    `INSERT INTO app_user (username, display_name, role, office_id, password_hash)
     VALUES ($1, $2, $3, $4, $5) RETURNING id`,
    [u.username, u.displayName, u.role, u.officeId, u.passwordHash],
  );
  return Number(rows[0]!.id);
}

export async function recordLoginFailure(
  q: Queryable,
  userId: number,
  lockedUntil: Date | null,
): Promise<void> {
  await q.query(
    `UPDATE app_user SET failed_logins = failed_logins + 1, locked_until = COALESCE($2, locked_until) WHERE id = $1`,
    [userId, lockedUntil],
  );
}

export async function recordLoginSuccess(q: Queryable, userId: number, at: Date): Promise<void> {
  await q.query(
    `UPDATE app_user SET failed_logins = 0, locked_until = NULL, last_login_at = $2 WHERE id = $1`,
    [userId, at],
  );
}

export async function setUserLock(q: Queryable, username: string, disabled: boolean): Promise<number> {
  const rows = await q.query(
    `UPDATE app_user SET disabled = $2, failed_logins = 0, locked_until = NULL WHERE username = $1 RETURNING id`,
    [username, disabled],
  );
  return rows.length;
}

export async function upsertOffice(
  q: Queryable,
  o: { id: string; agency: string; name: string; areaStates: readonly string[] },
): Promise<void> {
  await q.query(
    `INSERT INTO user_office (id, agency, name, area_states) VALUES ($1, $2, $3, $4)
     ON CONFLICT (id) DO UPDATE SET agency = EXCLUDED.agency, name = EXCLUDED.name, area_states = EXCLUDED.area_states`,
    [o.id, o.agency, o.name, o.areaStates],
  );
}

export async function insertSession(
  q: Queryable,
  s: { idHash: string; userId: number; createdAt: Date; expiresAt: Date },
): Promise<void> {
  await q.query(
    `INSERT INTO user_session (id_hash, user_id, created_at, expires_at, last_seen_at) VALUES ($1, $2, $3, $4, $3)`,
    [s.idHash, s.userId, s.createdAt, s.expiresAt],
  );
}

export async function findSessionUser(
  q: Queryable,
  idHash: string,
  now: Date,
): Promise<(UserRow & { expires_at: Date | string }) | undefined> {
  const rows = await q.query<UserRow & { expires_at: Date | string }>(
    `SELECT ${USER_COLUMNS}, s.expires_at FROM user_session s JOIN app_user u ON u.id = s.user_id
       LEFT JOIN user_office o ON o.id = u.office_id
     WHERE s.id_hash = $1 AND s.expires_at > $2 AND NOT u.disabled`,
    [idHash, now],
    { prepare: true },
  );
  return rows[0];
}

export async function deleteSession(q: Queryable, idHash: string): Promise<void> {
  await q.query(`DELETE FROM user_session WHERE id_hash = $1`, [idHash]);
}

export async function deleteUserSessions(q: Queryable, userId: number): Promise<void> {
  await q.query(`DELETE FROM user_session WHERE user_id = $1`, [userId]);
}

export interface TokenRow {
  id: number;
  name: string;
  permission: string;
  resource: string | null;
  agency: string;
  created_at: Date | string;
  revoked_at: Date | string | null;
  last_used_at: Date | string | null;
}

export async function insertToken(
  q: Queryable,
  t: { name: string; secretHash: string; permission: string; resource: string | null; agency: string },
): Promise<number> {
  const rows = await q.query<{ id: number }>(
    `INSERT INTO api_token (name, secret_hash, permission, resource, agency) VALUES ($1, $2, $3, $4, $5) RETURNING id`,
    [t.name, t.secretHash, t.permission, t.resource, t.agency],
  );
  return Number(rows[0]!.id);
}

export async function findActiveToken(q: Queryable, secretHash: string): Promise<TokenRow | undefined> {
  const rows = await q.query<TokenRow>(
    `SELECT id, name, permission, resource, agency, created_at, revoked_at, last_used_at
       FROM api_token WHERE secret_hash = $1 AND revoked_at IS NULL`,
    [secretHash],
    { prepare: true },
  );
  return rows[0];
}

/** Notes that a token was used, at most once a minute (a write per request would be wasteful). */
export async function touchToken(q: Queryable, id: number, at: Date): Promise<void> {
  await q.query(
    `UPDATE api_token SET last_used_at = $2
     WHERE id = $1 AND (last_used_at IS NULL OR last_used_at < $2::timestamptz - interval '1 minute')`,
    [id, at],
  );
}

export async function listTokens(q: Queryable): Promise<TokenRow[]> {
  return q.query<TokenRow>(
    `SELECT id, name, permission, resource, agency, created_at, revoked_at, last_used_at FROM api_token ORDER BY id`,
  );
}

export async function revokeToken(q: Queryable, id: number, at: Date): Promise<number> {
  const rows = await q.query(
    `UPDATE api_token SET revoked_at = $2 WHERE id = $1 AND revoked_at IS NULL RETURNING id`,
    [id, at],
  );
  return rows.length;
}

export interface AuditRow {
  seq: number;
  at: Date | string;
  actor_type: string;
  actor_id: string;
  role: string | null;
  action: string;
  purpose: string | null;
  outcome: string;
  child_ids: string[];
  target: string | null;
  details: unknown;
  prev_hash: string;
  hash: string;
}

export async function lockAuditChain(q: Queryable): Promise<void> {
  await q.query(`SELECT pg_advisory_xact_lock($1)`, [AUDIT_LOCK_KEY], { prepare: true });
}

export async function auditHead(q: Queryable): Promise<{ seq: number; hash: string } | undefined> {
  const rows = await q.query<{ seq: number | string; hash: string }>(`SELECT seq, hash FROM audit_head`, [], {
    prepare: true,
  });
  return rows[0] ? { seq: Number(rows[0].seq), hash: rows[0].hash } : undefined;
}

/** Inserts the audit rows given as JSON in $1, in seq order, when `condition` holds. */
function appendRowsSql(condition: string): string {
  return `INSERT INTO audit_log (seq, at, actor_type, actor_id, role, action, purpose, outcome, child_ids, target,
      details, prev_hash, hash)
    SELECT seq, at, actor_type, actor_id, role, action, purpose, outcome, child_ids, target, details, prev_hash, hash
      FROM jsonb_to_recordset($1::jsonb) AS r(seq bigint, at timestamptz, actor_type text, actor_id text,
        role text, action text, purpose text, outcome text, child_ids text[], target text, details jsonb,
        prev_hash text, hash text)
     WHERE ${condition}
     ORDER BY seq`;
}

/**
 * Appends a run of chained entries (in seq order) and moves the head to `last`, in one statement.
 * Call under `lockAuditChain`, with the head read after taking the lock.
 */
export async function insertAuditRows(
  q: Queryable,
  rows: readonly AuditRow[],
  last: { seq: number; hash: string },
): Promise<void> {
  await q.query(
    `WITH appended AS (${appendRowsSql('true')})
     INSERT INTO audit_head (id, seq, hash) VALUES (true, $2, $3)
     ON CONFLICT (id) DO UPDATE SET seq = EXCLUDED.seq, hash = EXCLUDED.hash`,
    [JSON.stringify(rows), last.seq, last.hash],
    { prepare: true },
  );
}

/**
 * Appends a run of chained entries after `expected`, the head its writer last wrote, and moves the
 * head to `last`: one statement that commits by itself, with no transaction around it. It takes the
 * chain's lock, so it waits for any append in progress; the head is then compared as it stands
 * after that append (an UPDATE rereads a row changed since its statement began). When the head has
 * moved on (another process appended), it writes nothing and returns false: the caller appends
 * again under `lockAuditChain`, after reading the head.
 */
export async function appendAuditRowsAfter(
  q: Queryable,
  expected: { seq: number; hash: string },
  rows: readonly AuditRow[],
  last: { seq: number; hash: string },
): Promise<boolean> {
  const moved = await q.query<{ n: number }>(
    `WITH head AS (
       UPDATE audit_head SET seq = $2, hash = $3
         FROM (SELECT pg_advisory_xact_lock($6)) AS chain
        WHERE audit_head.seq = $4 AND audit_head.hash = $5
        RETURNING 1
     ), appended AS (${appendRowsSql('EXISTS (SELECT 1 FROM head)')})
     SELECT count(*)::int AS n FROM head`,
    [JSON.stringify(rows), last.seq, last.hash, expected.seq, expected.hash, AUDIT_LOCK_KEY],
    { prepare: true },
  );
  return moved[0]!.n === 1;
}

/**
 * Moves the entries waiting in the pending list of the audit log's index on child ids into the
 * index itself (what an insert does when the list has grown past its limit). Needs the index's owner.
 */
export async function mergeAuditChildIndex(q: Queryable): Promise<void> {
  await q.query(`SELECT gin_clean_pending_list('audit_log_child_idx'::regclass)`);
}

const AUDIT_COLUMNS = `seq, at, actor_type, actor_id, role, action, purpose, outcome, child_ids, target, details,
  prev_hash, hash`;

export async function auditPage(q: Queryable, afterSeq: number, limit: number): Promise<AuditRow[]> {
  return q.query<AuditRow>(`SELECT ${AUDIT_COLUMNS} FROM audit_log WHERE seq > $1 ORDER BY seq LIMIT $2`, [
    afterSeq,
    limit,
  ]);
}

export async function auditForChild(q: Queryable, childId: string, limit: number): Promise<AuditRow[]> {
  return q.query<AuditRow>(
    `SELECT ${AUDIT_COLUMNS} FROM audit_log WHERE child_ids @> ARRAY[$1]::text[] ORDER BY seq DESC LIMIT $2`,
    [childId, limit],
  );
}

/** The children the two records of a review pair belong to now (for the audit of a decision). */
export async function childIdsOfReviewPair(q: Queryable, pairId: number): Promise<string[]> {
  const rows = await q.query<{ child_id: string }>(
    `SELECT DISTINCT l.child_id FROM review_pair p
       JOIN record_link l ON l.record_pk IN (p.record_a, p.record_b) WHERE p.id = $1`,
    [pairId],
  );
  return rows.map((r) => r.child_id);
}

/** The children of the given tasks (for the audit of a change to them). */
export async function childIdsOfTasks(q: Queryable, taskIds: readonly string[]): Promise<string[]> {
  const rows = await q.query<{ child_id: string }>(
    `SELECT DISTINCT child_id FROM task WHERE id = ANY($1::bigint[])`,
    [taskIds],
  );
  return rows.map((r) => r.child_id);
}

/**
 * The account of a person signing in through single sign-on, created on first sign-in; role and
 * office follow the provider's claims at every sign-in. An unknown office is left empty (no scope).
 */
export async function upsertSsoUser(
  q: Queryable,
  u: { subject: string; username: string; role: string; officeId: string | null },
): Promise<UserRow | undefined> {
  const taken = await q.query(
    `SELECT 1 FROM app_user WHERE username = $1 AND oidc_subject IS DISTINCT FROM $2`,
    [u.username, u.subject],
  );
  if (taken.length > 0) return undefined;
  await q.query(
    `INSERT INTO app_user (username, display_name, role, office_id, oidc_subject)
     VALUES ($1, $1, $2, (SELECT id FROM user_office WHERE id = $3), $4)
     ON CONFLICT (oidc_subject) DO UPDATE
       SET role = EXCLUDED.role, office_id = EXCLUDED.office_id`,
    [u.username, u.role, u.officeId, u.subject],
  );
  const rows = await q.query<UserRow>(
    `SELECT ${USER_COLUMNS} FROM app_user u LEFT JOIN user_office o ON o.id = u.office_id WHERE u.oidc_subject = $1`,
    [u.subject],
  );
  return rows[0];
}

/** The children the given records belong to now. */
export async function childIdsOfRecords(q: Queryable, recordPks: readonly number[]): Promise<string[]> {
  const rows = await q.query<{ child_id: string }>(
    `SELECT DISTINCT child_id FROM record_link WHERE record_pk = ANY($1::bigint[])`,
    [recordPks],
  );
  return rows.map((r) => r.child_id);
}

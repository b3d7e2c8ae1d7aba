// Sign-in with a password (lockout after repeated failures), sessions, and API token resolution.
import type { Queryable } from '../db/index.ts';
import { BridgeError } from '../shared/errors.ts';
import { appendAudit } from './audit.ts';
import {
  burnVerification,
  newSecret,
  newTokenSecret,
  sha256Hex,
  TOKEN_PREFIX,
  verifyPassword,
} from './credentials.ts';
import { AGENCY_OF_ROLE, isPermission, isRole, TOKEN_PERMISSIONS, type Actor } from './policy.ts';
import type { AccessDeps } from './manage-users.ts';
import * as sql from './access.queries.ts';

export const MAX_FAILED_LOGINS = 5;
export const LOCKOUT_MS = 15 * 60_000;
export const SESSION_MS = 8 * 3600_000;

export function actorFromUserRow(r: sql.UserRow): Actor {
  if (!isRole(r.role)) throw new BridgeError('FORBIDDEN', 'account has an unknown role');
  return {
    kind: 'user',
    userId: Number(r.id),
    username: r.username,
    role: r.role,
    officeId: r.office_id,
    officeStates: (r.area_states ?? []).map((s) => s.toUpperCase()),
  };
}

const LOGIN_REFUSED = 'user name or password is wrong, or the account is locked';

/**
 * Checks a password and opens a new session (a new id every time, so a session id planted before
 * sign-in is never adopted). Failures count towards a lockout; every attempt is audited.
 */
export async function signIn(
  deps: AccessDeps,
  input: { username: string; password: string; ip?: string },
): Promise<{ sessionId: string; actor: Actor; expiresAt: Date }> {
  const user = await sql.findUserByUsername(deps.db, input.username);
  const now = deps.clock.now();
  const locked =
    user !== undefined &&
    (user.disabled || (user.locked_until !== null && new Date(user.locked_until).getTime() > now.getTime()));
  let good = false;
  if (user?.password_hash && !locked) good = await verifyPassword(user.password_hash, input.password);
  else await burnVerification(input.password);

  if (!user || !good) {
    await deps.db.transaction(async (tx) => {
      let lockedNow = false;
      if (user && !locked) {
        lockedNow = user.failed_logins + 1 >= MAX_FAILED_LOGINS;
        await sql.recordLoginFailure(
          tx,
          Number(user.id),
          lockedNow ? new Date(now.getTime() + LOCKOUT_MS) : null,
        );
      }
      await appendAudit(tx, {
        at: now,
        actor: user ? actorFromUserRow(user) : { kind: 'anonymous', label: 'unknown-user' },
        action: 'auth.login',
        outcome: 'denied',
        details: {
          reason: !user ? 'unknown_user' : locked ? 'locked' : 'bad_password',
          lockedNow,
          ip: input.ip ?? null,
        },
      });
    });
    throw new BridgeError('UNAUTHENTICATED', LOGIN_REFUSED);
  }

  const sessionId = newSecret(32);
  const expiresAt = new Date(now.getTime() + SESSION_MS);
  const actor = actorFromUserRow(user);
  await deps.db.transaction((tx) =>
    startSession(tx, user, actor, { sessionId, now, expiresAt, method: 'password', ip: input.ip }),
  );
  return { sessionId, actor, expiresAt };
}

/**
 * A successful sign-in, in the caller's transaction: the account's failed attempts and lock
 * cleared and its last login noted, the session stored (by the hash of its id), the login audited.
 */
async function startSession(
  tx: Queryable,
  user: sql.UserRow,
  actor: Actor,
  s: { sessionId: string; now: Date; expiresAt: Date; method: 'password' | 'oidc'; ip: string | undefined },
): Promise<void> {
  await sql.recordLoginSuccess(tx, Number(user.id), s.now);
  await sql.insertSession(tx, {
    idHash: sha256Hex(s.sessionId),
    userId: Number(user.id),
    createdAt: s.now,
    expiresAt: s.expiresAt,
  });
  await appendAudit(tx, {
    at: s.now,
    actor,
    action: 'auth.login',
    details: { method: s.method, ip: s.ip ?? null },
  });
}

/**
 * Opens a session for a person the agency's identity provider vouched for (single sign-on). The
 * account is created or brought up to date from the claims; a disabled account stays closed.
 */
export async function openSsoSession(
  deps: AccessDeps,
  who: { subject: string; username: string; role: string; officeId: string | null; ip?: string },
): Promise<{ sessionId: string; actor: Actor; expiresAt: Date }> {
  const now = deps.clock.now();
  const sessionId = newSecret(32);
  const expiresAt = new Date(now.getTime() + SESSION_MS);
  const opened = await deps.db.transaction(async (tx) => {
    const user = await sql.upsertSsoUser(tx, who);
    if (!user || user.disabled) return null;
    const actor = actorFromUserRow(user);
    await startSession(tx, user, actor, { sessionId, now, expiresAt, method: 'oidc', ip: who.ip });
    return actor;
  });
  if (!opened) {
    await deps.db.transaction((tx) =>
      appendAudit(tx, {
        at: now,
        actor: { kind: 'anonymous', label: who.username },
        action: 'auth.login',
        outcome: 'denied',
        details: { method: 'oidc', reason: 'disabled', ip: who.ip ?? null },
      }),
    );
    throw new BridgeError('UNAUTHENTICATED', LOGIN_REFUSED);
  }
  return { sessionId, actor: opened, expiresAt };
}

/** The actor of a live session, and when the session ends. */
export async function sessionActor(
  q: Queryable,
  sessionId: string,
  now: Date,
): Promise<{ actor: Actor; expiresAt: Date } | undefined> {
  const row = await sql.findSessionUser(q, sha256Hex(sessionId), now);
  return row ? { actor: actorFromUserRow(row), expiresAt: new Date(row.expires_at) } : undefined;
}

export async function signOut(deps: AccessDeps, sessionId: string, actor: Actor): Promise<void> {
  await deps.db.transaction(async (tx) => {
    await sql.deleteSession(tx, sha256Hex(sessionId));
    await appendAudit(tx, { at: deps.clock.now(), actor, action: 'auth.logout' });
  });
}

/** Creates a token for an agency system; the secret is returned once and stored as a hash. */
export async function createToken(
  deps: AccessDeps,
  t: { name: string; permission: string; resource?: string | null; agency: string },
  by: Actor | null = null,
): Promise<{ id: number; secret: string }> {
  if (!isPermission(t.permission) || !TOKEN_PERMISSIONS.includes(t.permission)) {
    throw new BridgeError('USAGE', `a token's permission must be one of ${TOKEN_PERMISSIONS.join(', ')}`);
  }
  if (!t.resource) {
    // A token is scoped to one thing: one source's feed, one subscription.
    throw new BridgeError(
      'USAGE',
      'a token needs a resource (--resource: the feed source or subscription id)',
    );
  }
  const agencies = new Set(Object.values(AGENCY_OF_ROLE).concat(['CBP', 'ICE', 'HHS', 'OPLA', 'EOIR']));
  if (!agencies.has(t.agency))
    throw new BridgeError('USAGE', `agency must be one of ${[...agencies].join(', ')}`);
  const secret = newTokenSecret();
  const id = await deps.db.transaction(async (tx) => {
    const id = await sql.insertToken(tx, {
      name: t.name,
      secretHash: sha256Hex(secret),
      permission: t.permission,
      resource: t.resource ?? null,
      agency: t.agency,
    });
    await appendAudit(tx, {
      at: deps.clock.now(),
      actor: by,
      action: 'token.create',
      target: `token:${id}`,
      details: { permission: t.permission, resource: t.resource, agency: t.agency },
    });
    return id;
  });
  return { id, secret };
}

export async function revokeTokenById(deps: AccessDeps, id: number, by: Actor | null = null): Promise<void> {
  await deps.db.transaction(async (tx) => {
    if ((await sql.revokeToken(tx, id, deps.clock.now())) === 0) {
      throw new BridgeError('NOT_FOUND', `no active token ${id}`);
    }
    await appendAudit(tx, { at: deps.clock.now(), actor: by, action: 'token.revoke', target: `token:${id}` });
  });
}

export async function tokenActor(q: Queryable, secret: string, now?: Date): Promise<Actor | undefined> {
  if (!secret.startsWith(TOKEN_PREFIX)) return undefined;
  const row = await sql.findActiveToken(q, sha256Hex(secret));
  if (!row || !isPermission(row.permission)) return undefined;
  if (now) await sql.touchToken(q, Number(row.id), now);
  return {
    kind: 'token',
    tokenId: Number(row.id),
    name: row.name,
    agency: row.agency,
    permission: row.permission,
    resource: row.resource,
  };
}

// Accounts and offices: add, list, lock and unlock users; seed one demo user per role.
import type { Db } from '../db/index.ts';
import type { Clock } from '../shared/clock.ts';
import { BridgeError } from '../shared/errors.ts';
import { appendAudit } from './audit.ts';
import { demoPassword, hashPassword, MIN_PASSWORD_LENGTH } from './credentials.ts';
import { AGENCY_OF_ROLE, isRole, ROLES, type Actor, type Role } from './policy.ts';
import * as sql from './access.queries.ts';

export interface AccessDeps {
  db: Db;
  clock: Clock;
}

const USERNAME = /^[a-z0-9][a-z0-9._-]{1,62}$/;

export async function addUser(
  deps: AccessDeps,
  u: { username: string; displayName?: string; role: string; officeId?: string | null; password: string },
  by: Actor | null = null,
): Promise<number> {
  if (!USERNAME.test(u.username)) {
    throw new BridgeError('USAGE', 'username must be 2-63 lower-case letters, digits, ".", "_" or "-"');
  }
  if (!isRole(u.role))
    throw new BridgeError('USAGE', `role must be one of ${ROLES.join(', ')}, got "${u.role}"`);
  if (u.password.length < MIN_PASSWORD_LENGTH) {
    throw new BridgeError('USAGE', `password must have at least ${MIN_PASSWORD_LENGTH} characters`);
  }
  if (u.role === 'ero_officer' && !u.officeId) {
    throw new BridgeError(
      'USAGE',
      'an ERO officer needs an office (--office), which sets the children in scope',
    );
  }
  const passwordHash = await hashPassword(u.password);
  return deps.db.transaction(async (tx) => {
    if (await sql.findUserByUsername(tx, u.username)) {
      throw new BridgeError('CONFLICT', `user "${u.username}" already exists`);
    }
    const id = await sql.insertUser(tx, {
      username: u.username,
      displayName: u.displayName ?? u.username,
      role: u.role,
      officeId: u.officeId ?? null,
      passwordHash,
    });
    await appendAudit(tx, {
      at: deps.clock.now(),
      actor: by,
      action: 'user.add',
      target: u.username,
      details: { role: u.role, office: u.officeId ?? null },
    });
    return id;
  });
}

export interface UserSummary {
  username: string;
  displayName: string;
  role: string;
  office: string | null;
  locked: boolean;
  lastLoginAt: string | null;
}

export async function listUserSummaries(deps: AccessDeps): Promise<UserSummary[]> {
  const now = deps.clock.now().getTime();
  return (await sql.listUsers(deps.db)).map((r) => ({
    username: r.username,
    displayName: r.display_name,
    role: r.role,
    office: r.office_id,
    locked: r.disabled || (r.locked_until !== null && new Date(r.locked_until).getTime() > now),
    lastLoginAt: r.last_login_at ? new Date(r.last_login_at).toISOString() : null,
  }));
}

/** Locks (disables) or unlocks a user; locking also ends their sessions. */
export async function setUserLocked(
  deps: AccessDeps,
  username: string,
  locked: boolean,
  by: Actor | null = null,
) {
  await deps.db.transaction(async (tx) => {
    const user = await sql.findUserByUsername(tx, username);
    if (!user || (await sql.setUserLock(tx, username, locked)) === 0) {
      throw new BridgeError('NOT_FOUND', `no user "${username}"`);
    }
    if (locked) await sql.deleteUserSessions(tx, Number(user.id));
    await appendAudit(tx, {
      at: deps.clock.now(),
      actor: by,
      action: locked ? 'user.lock' : 'user.unlock',
      target: username,
    });
  });
}

export const DEMO_OFFICES = [
  { id: 'ORR', agency: 'ORR', name: 'ORR Headquarters', areaStates: [] },
  { id: 'ERO:Houston', agency: 'ERO', name: 'ERO Houston Field Office', areaStates: ['TX'] },
  { id: 'OPLA:HOU', agency: 'OPLA', name: 'OPLA Houston', areaStates: ['TX'] },
  { id: 'EOIR:HOU', agency: 'EOIR', name: 'Houston Immigration Court', areaStates: ['TX'] },
  { id: 'OVERSIGHT', agency: 'OVERSIGHT', name: 'Office of Inspector General', areaStates: [] },
  { id: 'ADMIN', agency: 'ADMIN', name: 'UC Bridge administration', areaStates: [] },
] as const;

const DEMO_OFFICE_OF_ROLE: Record<Role, string> = {
  orr_case_manager: 'ORR',
  ero_officer: 'ERO:Houston',
  ero_supervisor: 'ERO:Houston',
  opla_attorney: 'OPLA:HOU',
  court_staff: 'EOIR:HOU',
  oversight_auditor: 'OVERSIGHT',
  administrator: 'ADMIN',
};

export interface DemoLogin {
  username: string;
  password: string;
  role: Role;
  office: string;
}

/**
 * One demo user per role (username `demo-<role>`), each with a fresh random password; existing demo
 * users get a new password. Returns the logins to print.
 */
export async function seedDemoUsers(deps: AccessDeps): Promise<DemoLogin[]> {
  const logins: DemoLogin[] = [];
  for (const role of ROLES)
    logins.push({
      username: `demo-${role.replace(/_/g, '-')}`,
      password: demoPassword(),
      role,
      office: DEMO_OFFICE_OF_ROLE[role],
    });
  const hashes = await Promise.all(logins.map((l) => hashPassword(l.password)));
  await deps.db.transaction(async (tx) => {
    for (const o of DEMO_OFFICES) await sql.upsertOffice(tx, o);
    for (const [i, l] of logins.entries()) {
      await tx.query(
        `INSERT INTO app_user (username, display_name, role, office_id, password_hash) VALUES ($1, $2, $3, $4, $5)
         ON CONFLICT (username) DO UPDATE SET password_hash = EXCLUDED.password_hash, role = EXCLUDED.role,
           office_id = EXCLUDED.office_id, failed_logins = 0, locked_until = NULL, disabled = false`,
        [
          l.username,
          `Demo ${AGENCY_OF_ROLE[l.role]} ${l.role.replace(/_/g, ' ')}`,
          l.role,
          l.office,
          hashes[i],
        ],
      );
    }
    await appendAudit(tx, {
      at: deps.clock.now(),
      actor: null,
      action: 'user.seed_demo',
      details: { users: logins.map((l) => l.username) },
    });
  });
  return logins;
}

// Who may do what: the policy table (role × permission), the purposes each role may state, and
// record scope. Pure: no database, no HTTP. Every check on the server goes through `can`.

export const ROLES = [
  'orr_case_manager',
  'ero_officer',
  'ero_supervisor',
  'opla_attorney',
  'court_staff',
  'oversight_auditor',
  'administrator',
] as const;
export type Role = (typeof ROLES)[number];

export const PERMISSIONS = [
  'child.read', // open one child's record (needs a stated purpose)
  'child.list', // search and lists of children
  'child.export', // bulk export of children
  'identity.review', // decide link/keep-apart on candidate pairs
  'alert.read',
  'task.read',
  'task.write', // assign, note, close tasks
  'report.read', // oversight figures
  'feed.push', // agency systems push a source's rows
  'notify.receive', // agency systems pull or acknowledge one subscription
  'notify.manage', // create and change subscriptions
  'audit.read', // who accessed a child, the audit log
  'user.manage',
  'token.manage',
] as const;
export type Permission = (typeof PERMISSIONS)[number];

export const PURPOSES = [
  'case_management', // ORR custody, placement and release
  'child_safety', // welfare and safety follow-up, including by ERO
  'enforcement', // ERO removal and enforcement actions
  'legal_proceedings', // OPLA prosecution and NTA filing
  'adjudication', // immigration court scheduling and hearings
  'oversight', // audit and oversight review
  'administration', // account and system administration
] as const;
export type Purpose = (typeof PURPOSES)[number];

export const AGENCY_OF_ROLE: Record<Role, string> = {
  orr_case_manager: 'ORR',
  ero_officer: 'ERO',
  ero_supervisor: 'ERO',
  opla_attorney: 'OPLA',
  court_staff: 'EOIR',
  oversight_auditor: 'OVERSIGHT',
  administrator: 'ADMIN',
};

/** The policy table. A permission not listed for a role is denied. */
export const POLICY: Record<Role, readonly Permission[]> = {
  orr_case_manager: ['child.read', 'child.list', 'alert.read', 'task.read', 'task.write'],
  ero_officer: ['child.read', 'child.list', 'alert.read', 'task.read', 'task.write'],
  ero_supervisor: [
    'child.read',
    'child.list',
    'child.export',
    'identity.review',
    'alert.read',
    'task.read',
    'task.write',
    'report.read',
  ],
  opla_attorney: ['child.read', 'child.list', 'alert.read', 'task.read', 'task.write'],
  court_staff: ['child.read', 'child.list', 'task.read'],
  // Read-only by construction: no permission that changes anything.
  oversight_auditor: [
    'child.read',
    'child.list',
    'child.export',
    'alert.read',
    'task.read',
    'report.read',
    'audit.read',
  ],
  administrator: [
    'identity.review',
    'report.read',
    'audit.read',
    'user.manage',
    'token.manage',
    'notify.manage',
  ],
};

/** Permissions an API token may carry (machine-to-machine only). */
export const TOKEN_PERMISSIONS: readonly Permission[] = ['feed.push', 'notify.receive'];

/** The purposes a role may state when opening a child's record. */
export const PURPOSES_OF_ROLE: Record<Role, readonly Purpose[]> = {
  orr_case_manager: ['case_management', 'child_safety'],
  ero_officer: ['enforcement', 'child_safety'],
  ero_supervisor: ['enforcement', 'child_safety'],
  opla_attorney: ['legal_proceedings'],
  court_staff: ['adjudication'],
  oversight_auditor: ['oversight'],
  administrator: ['administration'],
};

export type Actor =
  | {
      kind: 'user';
      userId: number;
      username: string;
      role: Role;
      officeId: string | null;
      officeStates: readonly string[];
    }
  | {
      kind: 'token';
      tokenId: number;
      name: string;
      agency: string;
      permission: Permission;
      resource: string | null;
    };

export function isRole(v: unknown): v is Role {
  return typeof v === 'string' && (ROLES as readonly string[]).includes(v);
}
export function isPermission(v: unknown): v is Permission {
  return typeof v === 'string' && (PERMISSIONS as readonly string[]).includes(v);
}
export function isPurpose(v: unknown): v is Purpose {
  return typeof v === 'string' && (PURPOSES as readonly string[]).includes(v);
}

export function roleCan(role: Role, permission: Permission): boolean {
  return POLICY[role].includes(permission);
}

/**
 * May `actor` perform `permission` (on `resource`, for tokens bound to one)? A token does exactly
 * its one permission, and only on its own resource when it is bound to one.
 */
export function can(actor: Actor, permission: Permission, resource?: string): boolean {
  if (actor.kind === 'user') return roleCan(actor.role, permission);
  if (actor.permission !== permission) return false;
  if (actor.resource === null) return true;
  return resource !== undefined && resource === actor.resource;
}

export function purposeAllowed(role: Role, purpose: Purpose): boolean {
  return PURPOSES_OF_ROLE[role].includes(purpose);
}

/**
 * Record scope: which children an actor may see. ERO officers see the children whose current
 * address is in their office's area; everyone else with child.read sees all children.
 */
export type RecordScope = { kind: 'all' } | { kind: 'states'; states: readonly string[] } | { kind: 'none' };

export function recordScope(actor: Actor): RecordScope {
  if (actor.kind === 'token' || !roleCan(actor.role, 'child.read')) return { kind: 'none' };
  if (actor.role === 'ero_officer') return { kind: 'states', states: actor.officeStates };
  return { kind: 'all' };
}

/** Is a child whose current address is in `state` (null when unknown) within the actor's scope? */
export function childInScope(actor: Actor, state: string | null): boolean {
  const scope = recordScope(actor);
  if (scope.kind === 'all') return true;
  if (scope.kind === 'none') return false;
  return state !== null && scope.states.includes(state.toUpperCase());
}

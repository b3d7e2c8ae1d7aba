// Field-level rules: which parts of a child's record each role may see for each purpose. Fields
// not named here are visible to anyone allowed to read the record; a named field is removed unless a
// rule allows it. Sponsor immigration status is never disclosed for enforcement.
import type { Actor, Purpose, Role } from './policy.ts';

export interface FieldRule {
  /** Dotted path; `*` matches any key, and arrays are walked element by element. */
  path: string;
  allow: ReadonlyArray<{ roles: readonly Role[]; purposes: readonly Purpose[] }>;
}

const ANY_PURPOSE: readonly Purpose[] = [
  'case_management',
  'child_safety',
  'enforcement',
  'legal_proceedings',
  'adjudication',
  'oversight',
  'administration',
];

// Who may see a sponsor's identity and contact details, and who the sponsor's immigration status.
const SPONSOR_CONTACT: FieldRule['allow'] = [
  { roles: ['orr_case_manager'], purposes: ANY_PURPOSE },
  { roles: ['ero_officer', 'ero_supervisor'], purposes: ['child_safety'] },
  { roles: ['oversight_auditor'], purposes: ['oversight'] },
];
const SPONSOR_IMMIGRATION: FieldRule['allow'] = [
  { roles: ['orr_case_manager'], purposes: ['case_management', 'child_safety'] },
  { roles: ['oversight_auditor'], purposes: ['oversight'] },
];

export const FIELD_RULES: readonly FieldRule[] = [
  // The same facts under the names the timeline (sponsor_id, sponsor_category) and outbound
  // messages (sponsor_relationship, sponsor_address, sponsor_immigration_status) give them.
  { path: 'sponsor_id', allow: SPONSOR_CONTACT },
  { path: 'sponsor_category', allow: SPONSOR_CONTACT },
  { path: 'sponsor_relationship', allow: SPONSOR_CONTACT },
  { path: 'sponsor_address', allow: SPONSOR_CONTACT },
  { path: 'sponsor_immigration_status', allow: SPONSOR_IMMIGRATION },
  {
    // Sponsor contact details: ORR, and ERO for the child's safety only.
    path: 'sponsor',
    allow: [
      { roles: ['orr_case_manager'], purposes: ANY_PURPOSE },
      { roles: ['ero_officer', 'ero_supervisor'], purposes: ['child_safety'] },
      { roles: ['oversight_auditor'], purposes: ['oversight'] },
    ],
  },
  {
    path: 'sponsor.immigrationStatus',
    allow: [
      { roles: ['orr_case_manager'], purposes: ['case_management', 'child_safety'] },
      { roles: ['oversight_auditor'], purposes: ['oversight'] },
    ],
  },
  {
    path: 'sponsors',
    allow: [
      { roles: ['orr_case_manager'], purposes: ANY_PURPOSE },
      { roles: ['ero_officer', 'ero_supervisor'], purposes: ['child_safety'] },
      { roles: ['oversight_auditor'], purposes: ['oversight'] },
    ],
  },
  {
    path: 'sponsors.immigrationStatus',
    allow: [
      { roles: ['orr_case_manager'], purposes: ['case_management', 'child_safety'] },
      { roles: ['oversight_auditor'], purposes: ['oversight'] },
    ],
  },
  {
    // ORR placement and case-management notes (medical, counselling) stay within ORR.
    path: 'placement.notes',
    allow: [
      { roles: ['orr_case_manager'], purposes: ['case_management', 'child_safety'] },
      { roles: ['oversight_auditor'], purposes: ['oversight'] },
    ],
  },
];

function allowed(rule: FieldRule, role: Role, purpose: Purpose): boolean {
  return rule.allow.some((a) => a.roles.includes(role) && a.purposes.includes(purpose));
}

/** Removes `path` (split) from `obj` in place; `obj` is a fresh copy. */
function removePath(obj: unknown, parts: readonly string[]): void {
  if (obj === null || typeof obj !== 'object') return;
  if (Array.isArray(obj)) {
    for (const el of obj) removePath(el, parts);
    return;
  }
  const rec = obj as Record<string, unknown>;
  const [head, ...rest] = parts;
  const keys = head === '*' ? Object.keys(rec) : head !== undefined && head in rec ? [head] : [];
  for (const k of keys) {
    if (rest.length === 0) delete rec[k];
    else removePath(rec[k], rest);
  }
}

/** Whom the field rules are applied to: a person or token, or a role (a webhook's subscriber). */
export type MaskedAs = Actor | { kind: 'role'; role: Role };

// Parents before children, so a removed parent is not walked again; sorted once, not per read.
const RULES_PARENTS_FIRST = [...FIELD_RULES].sort((a, b) => a.path.length - b.path.length);

/** The paths of the fields no rule allows `actor` for `purpose`, split, parents before children. */
function withheld(actor: MaskedAs, purpose: Purpose): string[][] {
  const role = actor.kind === 'token' ? null : actor.role;
  return RULES_PARENTS_FIRST.filter((rule) => role === null || !allowed(rule, role, purpose)).map((rule) =>
    rule.path.split('.'),
  );
}

/** Whether every rule allows its field to `actor` for `purpose`: `maskFor` then removes nothing. */
export function masksNothingFor(actor: MaskedAs, purpose: Purpose): boolean {
  return withheld(actor, purpose).length === 0;
}

/**
 * What `actor` may see of `object` for `purpose`: a copy with every field a rule does not allow
 * removed, or `object` itself when every rule allows its field. Tokens (agency systems) get only
 * unruled fields; for a webhook, call it with the subscriber's role and purpose. Use it on API
 * responses, exports and webhook payloads alike.
 */
export function maskFor<T>(actor: MaskedAs, purpose: Purpose, object: T): T {
  const denied = withheld(actor, purpose);
  // Nothing to remove (an ORR case manager managing a case): neither a copy nor a walk, which
  // were a good part of what a child's record cost in Node.
  if (denied.length === 0) return object;
  const copy = structuredClone(object);
  // Rules apply wherever the field appears: a child's record, a list, an export row or a child
  // nested in a webhook payload.
  const walk = (node: unknown): void => {
    if (node === null || typeof node !== 'object') return;
    if (Array.isArray(node)) {
      for (const el of node) walk(el);
      return;
    }
    for (const parts of denied) removePath(node, parts);
    for (const v of Object.values(node as Record<string, unknown>)) walk(v);
  };
  walk(copy);
  return copy;
}

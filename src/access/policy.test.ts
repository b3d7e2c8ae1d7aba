import { describe, expect, it } from 'vitest';
import {
  can,
  childInScope,
  POLICY,
  purposeAllowed,
  recordScope,
  ROLES,
  roleCan,
  type Actor,
  type Role,
} from './policy.ts';
import { jsonDepth } from './json-depth.ts';

const user = (role: Role, officeStates: string[] = []): Actor => ({
  kind: 'user',
  userId: 1,
  username: 'u',
  role,
  officeId: 'X',
  officeStates,
});

describe('policy table', () => {
  it.each([
    ['orr_case_manager', 'child.read', true],
    ['orr_case_manager', 'child.export', false],
    ['ero_officer', 'task.write', true],
    ['ero_officer', 'identity.review', false],
    ['ero_supervisor', 'identity.review', true],
    ['court_staff', 'task.write', false],
    ['oversight_auditor', 'audit.read', true],
    ['oversight_auditor', 'task.write', false],
    ['administrator', 'user.manage', true],
    ['administrator', 'child.read', false],
    ['opla_attorney', 'feed.push', false],
  ] as const)('%s %s → %s', (role, permission, expected) => {
    expect(roleCan(role, permission)).toBe(expected);
  });

  it('gives the oversight auditor no permission that changes anything', () => {
    const writes = [
      'task.write',
      'identity.review',
      'user.manage',
      'token.manage',
      'notify.manage',
      'feed.push',
    ];
    expect(POLICY.oversight_auditor.filter((p) => writes.includes(p))).toEqual([]);
  });

  it('never gives a person the machine permissions', () => {
    for (const role of ROLES) {
      expect(roleCan(role, 'feed.push')).toBe(false);
      expect(roleCan(role, 'notify.receive')).toBe(false);
    }
  });

  it('lets a token do its one permission on its own resource only', () => {
    const token: Actor = {
      kind: 'token',
      tokenId: 1,
      name: 't',
      agency: 'CBP',
      permission: 'feed.push',
      resource: 'cbp',
    };
    expect(can(token, 'feed.push', 'cbp')).toBe(true);
    expect(can(token, 'feed.push', 'ice')).toBe(false);
    expect(can(token, 'feed.push')).toBe(false);
    expect(can(token, 'child.read')).toBe(false);
  });

  it.each([
    ['ero_officer', 'enforcement', true],
    ['ero_officer', 'child_safety', true],
    ['ero_officer', 'case_management', false],
    ['opla_attorney', 'enforcement', false],
    ['court_staff', 'adjudication', true],
    ['oversight_auditor', 'enforcement', false],
  ] as const)('purpose: %s may state %s → %s', (role, purpose, expected) => {
    expect(purposeAllowed(role, purpose)).toBe(expected);
  });

  it("limits an ERO officer to children whose current address is in the office's area", () => {
    const officer = user('ero_officer', ['TX', 'OK']);
    expect(recordScope(officer)).toEqual({ kind: 'states', states: ['TX', 'OK'] });
    expect(childInScope(officer, 'tx')).toBe(true);
    expect(childInScope(officer, 'CA')).toBe(false);
    expect(childInScope(officer, null)).toBe(false);
    expect(childInScope(user('ero_supervisor', ['TX']), 'CA')).toBe(true);
    expect(childInScope(user('administrator'), 'TX')).toBe(false);
  });
});

describe('jsonDepth', () => {
  it.each([
    ['1', 0],
    ['{}', 1],
    ['{"a":[1,{"b":2}]}', 3],
    ['{"a":"[[[[{{{{"}', 1],
    ['["\\"[["]', 1],
  ])('%s → %i', (text, depth) => {
    expect(jsonDepth(text)).toBe(depth);
  });
  it('stops early on very deep input', () => {
    expect(jsonDepth('['.repeat(100_000), 32)).toBe(33);
  });
});

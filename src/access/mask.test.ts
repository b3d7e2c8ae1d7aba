import { describe, expect, it } from 'vitest';
import { maskFor } from './mask.ts';
import { cliActor } from './disclosure.ts';
import type { Actor, Purpose, Role } from './policy.ts';

// Synthetic child record shaped like the cases module's child view.
const child = {
  childId: 'C-000001',
  name: { given: 'Ana', family: 'Test' },
  currentAddress: { state: 'TX', city: 'Houston' },
  placement: { facility: 'Shelter 12', notes: 'counselling weekly' },
  sponsor: {
    name: 'Sponsor Test',
    phone: '555-0100',
    relationship: 'aunt',
    immigrationStatus: 'pending asylum',
  },
  hearings: [{ date: '2025-01-10', court: 'HOU' }],
};

const role = (r: Role) => ({ kind: 'role' as const, role: r });

describe('maskFor', () => {
  it.each<[Role, Purpose, boolean, boolean]>([
    // role, purpose, sponsor visible, immigration status visible
    ['orr_case_manager', 'case_management', true, true],
    ['orr_case_manager', 'child_safety', true, true],
    ['ero_officer', 'child_safety', true, false],
    ['ero_supervisor', 'child_safety', true, false],
    ['ero_officer', 'enforcement', false, false],
    ['opla_attorney', 'legal_proceedings', false, false],
    ['court_staff', 'adjudication', false, false],
    ['oversight_auditor', 'oversight', true, true],
  ])('%s for %s: sponsor %s, immigration status %s', (r, purpose, sponsor, status) => {
    const seen = maskFor(role(r), purpose, child);
    expect(seen.sponsor !== undefined).toBe(sponsor);
    expect(seen.sponsor?.immigrationStatus !== undefined).toBe(status);
    expect(seen.childId).toBe('C-000001');
    expect(seen.hearings).toEqual(child.hearings);
  });

  it('never lets a sponsor immigration status out for enforcement, whatever the role', () => {
    for (const r of [
      'orr_case_manager',
      'ero_officer',
      'ero_supervisor',
      'opla_attorney',
      'court_staff',
      'oversight_auditor',
      'administrator',
    ] as Role[]) {
      expect(JSON.stringify(maskFor(role(r), 'enforcement', child))).not.toContain('pending asylum');
    }
  });

  it('hands back the record itself, uncopied, to a role and purpose every rule allows', () => {
    expect(maskFor(role('orr_case_manager'), 'case_management', child)).toBe(child);
    expect(maskFor(role('orr_case_manager'), 'enforcement', child)).not.toBe(child);
  });

  it('keeps ORR placement notes within ORR', () => {
    expect(maskFor(role('orr_case_manager'), 'case_management', child).placement.notes).toBe(
      'counselling weekly',
    );
    expect(maskFor(role('ero_officer'), 'child_safety', child).placement).toEqual({ facility: 'Shelter 12' });
  });

  it('masks every row of an export and a child nested in a webhook payload', () => {
    const exportRows = [child, { ...child, childId: 'C-000002' }];
    const out = maskFor(role('ero_officer'), 'enforcement', exportRows);
    expect(out.map((c) => c.sponsor)).toEqual([undefined, undefined]);
    const webhook = {
      event: 'alert.opened',
      child: child,
      sponsors: [{ name: 'S', immigrationStatus: 'x' }],
    };
    const wh = maskFor(role('ero_officer'), 'child_safety', webhook);
    expect(wh.child.sponsor).toEqual({ name: 'Sponsor Test', phone: '555-0100', relationship: 'aunt' });
    expect(wh.sponsors).toEqual([{ name: 'S' }]);
  });

  it('gives an agency system token no ruled field, and never changes the input', () => {
    const token: Actor = {
      kind: 'token',
      tokenId: 1,
      name: 't',
      agency: 'ICE',
      permission: 'notify.receive',
      resource: 's1',
    };
    const out = maskFor(token, 'enforcement', child);
    expect(out.sponsor).toBeUndefined();
    expect(child.sponsor.immigrationStatus).toBe('pending asylum');
  });
});

describe('the command-line actor', () => {
  it('names the operating-system user (or BRIDGE_USER) and refuses a purpose not in the list', () => {
    const before = process.env.BRIDGE_USER;
    process.env.BRIDGE_USER = 'analyst7';
    try {
      expect(cliActor('oversight')).toEqual({ kind: 'cli', osUser: 'analyst7', purpose: 'oversight' });
      expect(cliActor()).toMatchObject({ purpose: 'administration' });
      expect(() => cliActor('curiosity')).toThrow(/unknown purpose "curiosity"/);
    } finally {
      if (before === undefined) delete process.env.BRIDGE_USER;
      else process.env.BRIDGE_USER = before;
    }
  });
});

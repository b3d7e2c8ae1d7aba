// Outcome checks, due states and office policy, table-driven.
import { describe, expect, it } from 'vitest';
import { checkClose, userOutcomes } from './outcomes.ts';
import { dueState } from './deadlines.ts';
import { requireOffice, requireSupervisor, worksIn, type Actor } from './policy.ts';

describe('checkClose', () => {
  it.each([
    [{ outcome: 'nta_served' }, 'nta_served'],
    [{ outcome: 'unable_to_locate', attempts: 3 }, 'unable_to_locate'],
    [{ outcome: 'not_actionable', note: 'child is a US citizen' }, 'not_actionable'],
  ])('accepts %j', (req, code) => expect(checkClose(req)).toBe(code));

  it.each([
    [{ outcome: 'done' }, /unknown outcome "done"/],
    [{ outcome: 'resolved_by_facts' }, /system only/],
    [{ outcome: 'unable_to_locate' }, /attempts/],
    [{ outcome: 'unable_to_locate', attempts: 0 }, /attempts/],
    [{ outcome: 'not_actionable', note: '  ' }, /note/],
  ])('refuses %j', (req, msg) => expect(() => checkClose(req)).toThrow(msg));

  it('offers people every code but the system one', () => {
    expect(userOutcomes()).toContain('referred_law_enforcement');
    expect(userOutcomes()).not.toContain('resolved_by_facts');
  });
});

describe('dueState', () => {
  it.each([
    ['2026-11-27', 'overdue'],
    ['2026-11-28', 'due_soon'],
    ['2026-11-30', 'due_soon'],
    ['2026-12-01', 'on_time'],
  ])('a task due %s reads %s on 2026-11-28', (due, state) => expect(dueState(due, '2026-11-28')).toBe(state));
});

describe('policy', () => {
  const officer: Actor = { id: 'a', offices: ['ERO:Houston'], role: 'officer' };
  const sup: Actor = { id: 'b', offices: ['ERO:Houston'], role: 'supervisor' };
  const admin: Actor = { id: 'c', offices: [], role: 'admin' };
  it.each([
    [officer, 'ERO:Houston', true],
    [officer, 'ERO:Dallas', false],
    [admin, 'ORR', true],
    [{ id: 'd', offices: ['*'], role: 'officer' } as Actor, 'OPLA:HOU', true],
  ])('worksIn(%j, %s) is %s', (actor, office, yes) => expect(worksIn(actor, office)).toBe(yes));

  it('lets only supervisors of the office assign to others', () => {
    expect(() => requireSupervisor(officer, 'ERO:Houston')).toThrow(/supervisor/);
    expect(() => requireSupervisor(sup, 'ERO:Dallas')).toThrow(/does not work in/);
    expect(() => requireSupervisor(sup, 'ERO:Houston')).not.toThrow();
    expect(() => requireOffice(officer, 'ORR')).toThrow(/does not work in office ORR/);
  });
});

// Compares the rule hits of evaluated children with their open alerts: new hits open alerts, gone
// hits close them with the evaluator's reason, changed hits refresh them, the rest stay as they are.
import { RULES, type RuleId } from './catalogue.ts';
import type { RuleHit } from './evaluate.ts';
import type { AlertClose, AlertUpdate, NewAlert, OpenAlert } from './rules.queries.ts';

export interface ChildEvaluation {
  childId: string;
  hits: RuleHit[];
  /** Why a rule that did not hit does not hold (asked only where an alert of it is open). */
  whyNot(ruleId: RuleId): string | undefined;
  addrState: string | null;
}

export interface AlertChanges {
  inserts: NewAlert[];
  updates: AlertUpdate[];
  closes: AlertClose[];
}

const samePks = (a: readonly number[], b: readonly number[]) =>
  a.length === b.length && a.every((x, i) => x === b[i]);

/** Whether two JSON values are equal as JSON (key order and undefined members aside), without copying. */
function sameJson(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a) || Array.isArray(b)) {
    if (!Array.isArray(a) || !Array.isArray(b) || a.length !== b.length) return false;
    return a.every((x, i) => sameJson(x, b[i]));
  }
  const x = a as Record<string, unknown>;
  const y = b as Record<string, unknown>;
  let n = 0;
  for (const k in x) {
    if (x[k] === undefined) continue;
    if (!sameJson(x[k], y[k])) return false;
    n++;
  }
  for (const k in y) if (y[k] !== undefined) n--;
  return n === 0;
}

/** Open alerts by child, and by rule within each child. */
export function openByChild(open: readonly OpenAlert[]): Map<string, Map<string, OpenAlert>> {
  const byChild = new Map<string, Map<string, OpenAlert>>();
  for (const a of open) {
    let m = byChild.get(a.child_id);
    if (!m) byChild.set(a.child_id, (m = new Map()));
    m.set(a.rule_id, a);
  }
  return byChild;
}

export const noChanges = (): AlertChanges => ({ inserts: [], updates: [], closes: [] });

/** Adds to `changes` what one child's evaluation changes in its open alerts (`existing`, by rule). */
export function diffChild(
  e: ChildEvaluation,
  existing: ReadonlyMap<string, OpenAlert> | undefined,
  changes: AlertChanges,
): void {
  for (const h of e.hits) {
    const a = existing?.get(h.ruleId);
    if (!a) {
      changes.inserts.push({
        child_id: e.childId,
        rule_id: h.ruleId,
        opened_on: h.since,
        severity: h.severity,
        office_kinds: RULES.get(h.ruleId)!.offices.map((o) => o.office),
        addr_state: e.addrState,
        due_on: h.dueOn,
        record_pks: h.recordPks,
        details: h.details,
      });
    } else if (
      a.opened_on !== h.since ||
      a.due_on !== h.dueOn ||
      a.severity !== h.severity ||
      a.addr_state !== e.addrState ||
      !samePks(a.record_pks, h.recordPks) ||
      !sameJson(a.details, h.details)
    ) {
      changes.updates.push({
        id: a.id,
        opened_on: h.since,
        due_on: h.dueOn,
        severity: h.severity,
        record_pks: h.recordPks,
        details: h.details,
        addr_state: e.addrState,
      });
    }
  }
  if (!existing) return;
  for (const a of existing.values()) {
    // A child has a few hits at most; most children, and every child in a first sweep, have no
    // open alerts to look them up for.
    if (e.hits.some((h) => h.ruleId === a.rule_id)) continue;
    changes.closes.push({
      id: a.id,
      reason: e.whyNot(a.rule_id as RuleId) ?? 'rule no longer in the catalogue',
    });
  }
}

export function diffAlerts(
  evaluations: readonly ChildEvaluation[],
  open: readonly OpenAlert[],
): AlertChanges {
  const changes = noChanges();
  const byChild = openByChild(open);
  for (const e of evaluations) diffChild(e, byChild.get(e.childId), changes);
  // Open alerts of children that were not evaluated stay as they are.
  return changes;
}

// Severity order and how a deadline reads today (overdue, due soon, on time). Pure.
import type { Severity } from '../rules/catalogue.ts';

export const SEVERITY_RANK: Record<Severity, number> = { critical: 0, high: 1, medium: 2, low: 3 };

/** A task due within this many days (today included) shows as due soon. */
export const DUE_SOON_DAYS = 2;

export type DueState = 'overdue' | 'due_soon' | 'on_time';

export function dueState(dueOn: string, today: string): DueState {
  if (dueOn < today) return 'overdue';
  return dueOn <= addDays(today, DUE_SOON_DAYS) ? 'due_soon' : 'on_time';
}

export function addDays(isoDay: string, days: number): string {
  const d = new Date(`${isoDay}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + days);
  return d.toISOString().slice(0, 10);
}

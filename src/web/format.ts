// Dates for people: US format, with the time zone always stated; codes and rules as words.
import { RULES, type RuleId } from '../rules/index.ts';

export interface DisplayZone {
  /** IANA zone, e.g. America/New_York. */
  timeZone: string;
}

export const defaultZone: DisplayZone = { timeZone: process.env.BRIDGE_TIME_ZONE || 'America/New_York' };

/** A calendar date (YYYY-MM-DD, no time of day) as MM/DD/YYYY. */
export function usDate(iso: string | null | undefined): string {
  if (!iso) return '—';
  const m = /^(\d{4})-(\d{2})-(\d{2})/.exec(iso);
  return m ? `${m[2]}/${m[3]}/${m[1]}` : iso;
}

/** A moment as MM/DD/YYYY, h:mm AM/PM and the zone's short name (e.g. EST). */
export function usDateTime(at: Date | string | null | undefined, zone: DisplayZone = defaultZone): string {
  if (!at) return '—';
  const d = typeof at === 'string' ? new Date(at) : at;
  const parts = new Intl.DateTimeFormat('en-US', {
    timeZone: zone.timeZone,
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: 'numeric',
    minute: '2-digit',
    timeZoneName: 'short',
  }).formatToParts(d);
  const get = (t: string) => parts.find((p) => p.type === t)?.value ?? '';
  return `${get('month')}/${get('day')}/${get('year')} ${get('hour')}:${get('minute')} ${get('dayPeriod')} ${get('timeZoneName')}`;
}

export function count(n: number | null | undefined): string {
  return n === null || n === undefined ? '—' : n.toLocaleString('en-US');
}

/** Purposes a reader may state, in the words of the people who state them. */
export const PURPOSE_LABELS: Record<string, string> = {
  case_management: 'Case management (custody, placement, release)',
  child_safety: "The child's safety and welfare",
  enforcement: 'Enforcement',
  legal_proceedings: 'Legal proceedings (Notice to Appear, prosecution)',
  adjudication: 'Court scheduling and hearings',
  oversight: 'Oversight and audit',
  administration: 'System administration',
};

export const DUE_LABELS: Record<string, string> = {
  overdue: 'Overdue',
  due_soon: 'Due soon',
  on_time: 'On time',
};

const ACRONYMS = /\b(orr|ice|cbp|nta|eoir|opla|ero|dhs|uc|fy)\b/g;

/** An identifier or code (FLED_CUSTODY, in_orr_care) as words. */
export function words(code: string | null | undefined): string {
  if (!code) return '—';
  const w = code
    .replace(/[._]/g, ' ')
    .toLowerCase()
    .replace(ACRONYMS, (a) => a.toUpperCase());
  return w.charAt(0).toUpperCase() + w.slice(1);
}

/** A gap rule by its title in the catalogue (NO_NTA: "Released without a Notice to Appear"). */
export function ruleTitle(id: string): string {
  return RULES.get(id as RuleId)?.title ?? words(id);
}

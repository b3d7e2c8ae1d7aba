// The event catalogue: every kind of event another agency may need, its default severity, and the
// fields it may carry, each tagged with the category of information it discloses. A field that is
// not declared here can never leave the system (payloads are built from this list).

export const AGENCIES = ['ORR', 'ICE_ERO', 'ICE_OPLA', 'EOIR', 'OVERSIGHT'] as const;
export type Agency = (typeof AGENCIES)[number];

export const SEVERITIES = ['info', 'warning', 'critical'] as const;
export type Severity = (typeof SEVERITIES)[number];

export function severityRank(s: Severity): number {
  return SEVERITIES.indexOf(s);
}

/** What a field discloses; the sharing policy (policy.ts) allows categories per agency. */
export type FieldCategory =
  | 'child_identity'
  | 'child_address'
  | 'case'
  | 'custody'
  | 'sponsor_identity'
  | 'sponsor_address'
  | 'sponsor_immigration'
  | 'work';

export interface EventKind {
  severity: Severity;
  description: string;
  fields: Record<string, FieldCategory>;
}

const identity = {
  a_number: 'child_identity',
  name: 'child_identity',
  dob: 'child_identity',
  country: 'child_identity',
} as const;

export const EVENT_CATALOGUE = {
  'child.failed_to_appear': {
    severity: 'critical',
    description: 'the child did not appear at an immigration-court hearing',
    fields: {
      ...identity,
      hearing_at: 'case',
      hearing_type: 'case',
      court_code: 'case',
      in_absentia: 'case',
      address: 'child_address',
      sponsor_relationship: 'sponsor_identity',
      sponsor_address: 'sponsor_address',
      sponsor_immigration_status: 'sponsor_immigration',
    },
  },
  'child.address_changed': {
    severity: 'warning',
    description: 'a newer address is known; agencies holding an older one must update it',
    fields: {
      ...identity,
      address: 'child_address',
      previous_address: 'child_address',
      address_source: 'case',
      address_as_of: 'case',
      // Agencies whose copy of the address is older than the newest one (address drift).
      held_by_stale: 'case',
      court_code: 'case',
    },
  },
  'child.fled_custody': {
    severity: 'critical',
    description: 'the child ran away from ORR care',
    fields: {
      ...identity,
      orr_facility: 'custody',
      fled_at: 'custody',
      sponsor_relationship: 'sponsor_identity',
      sponsor_address: 'sponsor_address',
      sponsor_immigration_status: 'sponsor_immigration',
    },
  },
  'task.overdue': {
    severity: 'warning',
    description: 'a task passed its deadline without a closing outcome',
    fields: { task_id: 'work', task_kind: 'work', due_at: 'work', assigned_office: 'work', alert_id: 'work' },
  },
  'alert.opened': {
    severity: 'warning',
    description: 'a gap detector opened an alert for a child',
    fields: { alert_id: 'work', alert_kind: 'work', opened_at: 'work', reason: 'work' },
  },
  'alert.closed': {
    severity: 'info',
    description: 'an alert closed because the facts changed',
    fields: { alert_id: 'work', alert_kind: 'work', closed_at: 'work', resolution: 'work' },
  },
} as const satisfies Record<string, EventKind>;

export type EventType = keyof typeof EVENT_CATALOGUE;
export const EVENT_TYPES = Object.keys(EVENT_CATALOGUE) as EventType[];

export function isEventType(s: string): s is EventType {
  return Object.hasOwn(EVENT_CATALOGUE, s);
}

export function isAgency(s: string): s is Agency {
  return (AGENCIES as readonly string[]).includes(s);
}

export function isSeverity(s: string): s is Severity {
  return (SEVERITIES as readonly string[]).includes(s);
}

/** An event as stored in the outbox. */
export interface NotifyEvent {
  eventId: string;
  type: EventType;
  severity: Severity;
  childId: string | null;
  office: string | null;
  state: string | null;
  occurredAt: Date;
  data: Record<string, unknown>;
}

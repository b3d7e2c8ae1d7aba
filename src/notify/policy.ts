// Need-to-know for outbound messages: which categories of information each receiving agency may
// be sent. Kept here until the access module owns sharing rules; payloadFor is the one seam.
import { EVENT_CATALOGUE, type Agency, type FieldCategory, type NotifyEvent } from './catalogue.ts';

export const SHARING_POLICY: Record<Agency, readonly FieldCategory[]> = {
  // The custodian: everything, including the sponsor vetting facts it collected itself.
  ORR: [
    'child_identity',
    'child_address',
    'case',
    'custody',
    'sponsor_identity',
    'sponsor_address',
    'sponsor_immigration',
    'work',
  ],
  // Sponsor immigration details are never shared for enforcement; the sponsor's address is, for the
  // child's safety (locating a child who missed a hearing or ran away).
  ICE_ERO: ['child_identity', 'child_address', 'case', 'custody', 'sponsor_address', 'work'],
  ICE_OPLA: ['child_identity', 'child_address', 'case', 'work'],
  // The court needs who and where to serve notice, and nothing about sponsors or custody.
  EOIR: ['child_identity', 'child_address', 'case'],
  // Oversight counts and follows cases; it never receives identities or addresses.
  OVERSIGHT: ['case', 'work'],
};

export function mayReceive(agency: Agency, category: FieldCategory): boolean {
  return SHARING_POLICY[agency].includes(category);
}

/** A CloudEvents 1.0 structured-mode JSON event. */
export interface CloudEvent {
  specversion: '1.0';
  id: string;
  source: string;
  type: string;
  subject?: string;
  time: string;
  datacontenttype: 'application/json';
  severity: string;
  data: Record<string, unknown>;
}

export interface PayloadOptions {
  /** Base URL of the web application, for the link back to the child's record. */
  baseUrl: string;
}

/** The data of `event` that `agency` may see: undeclared fields and disallowed categories are dropped. */
export function visibleData(agency: Agency, event: NotifyEvent): Record<string, unknown> {
  const fields: Record<string, FieldCategory> = EVENT_CATALOGUE[event.type].fields;
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(event.data)) {
    const category = fields[key];
    if (category && mayReceive(agency, category) && value !== undefined) out[key] = value;
  }
  return out;
}

/** Builds the message one agency receives for one event. */
export function payloadFor(agency: Agency, event: NotifyEvent, options: PayloadOptions): CloudEvent {
  const base = options.baseUrl.replace(/\/+$/, '');
  const data: Record<string, unknown> = {
    ...(event.childId ? { child_id: event.childId } : {}),
    ...(event.office ? { office: event.office } : {}),
    ...(event.state ? { state: event.state } : {}),
    ...visibleData(agency, event),
  };
  if (event.childId) data.links = { child: `${base}/children/${encodeURIComponent(event.childId)}` };
  return {
    specversion: '1.0',
    id: event.eventId,
    source: `${base}/notify`,
    type: event.type,
    ...(event.childId ? { subject: event.childId } : {}),
    time: event.occurredAt.toISOString(),
    datacontenttype: 'application/json',
    severity: event.severity,
    data,
  };
}

// Which subscriptions receive an event: the event kind, then the optional office, state and
// minimum-severity filters. Disabled subscriptions receive nothing.
import { severityRank, type Severity } from './catalogue.ts';

export interface SubscriptionFilter {
  status: 'active' | 'disabled';
  eventTypes: readonly string[];
  offices: readonly string[] | null;
  states: readonly string[] | null;
  minSeverity: Severity;
}

export interface MatchableEvent {
  type: string;
  severity: Severity;
  office: string | null;
  state: string | null;
}

export function subscriptionMatches(sub: SubscriptionFilter, event: MatchableEvent): boolean {
  if (sub.status !== 'active') return false;
  if (!sub.eventTypes.includes(event.type) && !sub.eventTypes.includes('*')) return false;
  if (sub.offices && (!event.office || !sub.offices.includes(event.office))) return false;
  if (sub.states && (!event.state || !sub.states.includes(event.state))) return false;
  return severityRank(event.severity) >= severityRank(sub.minSeverity);
}

/** E-mail to people: critical events go out at once, everything else waits for the daily digest. */
export function emailIsImmediate(severity: Severity): boolean {
  return severity === 'critical';
}

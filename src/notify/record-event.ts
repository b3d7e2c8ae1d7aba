// Records an event in the caller's transaction and fans it out to every matching subscription, so
// the message exists if and only if the change that caused it committed. Nothing is sent here.
import crypto from 'node:crypto';
import type { Queryable } from '../db/index.ts';
import { BridgeError } from '../shared/errors.ts';
import {
  EVENT_CATALOGUE,
  isEventType,
  type Agency,
  type EventType,
  type NotifyEvent,
  type Severity,
} from './catalogue.ts';
import { emailIsImmediate, subscriptionMatches } from './match.ts';
import { announceDeliveries, insertDeliveries, insertEvents, selectSubscriptions } from './notify.queries.ts';
import { DEFAULT_RETRY } from './retry.ts';

export interface EventInput {
  type: EventType;
  childId?: string | null;
  /** Routing attributes that subscription filters select on. */
  office?: string | null;
  state?: string | null;
  /** Defaults to the kind's severity in the catalogue. */
  severity?: Severity;
  occurredAt: Date;
  /** Only fields the catalogue declares for this kind. */
  data: Record<string, unknown>;
  /** A stable id makes recording the same event twice a no-op for receivers; generated if absent. */
  eventId?: string;
}

export interface RecordedEvent {
  eventPk: number;
  eventId: string;
  deliveries: number;
}

export function checkEvent(input: EventInput): NotifyEvent {
  if (!isEventType(input.type)) {
    throw new BridgeError('NOTIFY_EVENT_INVALID', `unknown event type "${String(input.type)}"`);
  }
  const declared: Record<string, unknown> = EVENT_CATALOGUE[input.type].fields;
  const unknown = Object.keys(input.data).filter((k) => !Object.hasOwn(declared, k));
  if (unknown.length) {
    // A field the catalogue does not know has no sharing rule, so it may not be recorded at all.
    throw new BridgeError(
      'NOTIFY_EVENT_INVALID',
      `event ${input.type} does not declare field(s) ${unknown.join(', ')}; add them to the catalogue with a category`,
    );
  }
  if (!(input.occurredAt instanceof Date) || Number.isNaN(input.occurredAt.getTime())) {
    throw new BridgeError('NOTIFY_EVENT_INVALID', `event ${input.type} needs a valid occurredAt date`);
  }
  return {
    eventId: input.eventId ?? crypto.randomUUID(),
    type: input.type,
    severity: input.severity ?? EVENT_CATALOGUE[input.type].severity,
    childId: input.childId ?? null,
    office: input.office ?? null,
    state: input.state ?? null,
    occurredAt: input.occurredAt,
    data: input.data,
  };
}

export interface RecordOptions {
  maxAttempts?: number;
  /** Only the subscriptions of these agencies (a change of address for the court and OPLA). */
  agencies?: readonly Agency[];
}

/** The producer API: call inside your own transaction, with your transaction as `tx`. */
export async function recordEvent(
  tx: Queryable,
  input: EventInput,
  options: RecordOptions = {},
): Promise<RecordedEvent> {
  return (await recordEvents(tx, [input], options))[0]!;
}

/** Several events at once (one statement each for the events and their deliveries). */
export async function recordEvents(
  tx: Queryable,
  inputs: readonly EventInput[],
  options: RecordOptions = {},
): Promise<RecordedEvent[]> {
  if (inputs.length === 0) return [];
  const events = inputs.map(checkEvent);
  const ids = new Set(events.map((e) => e.eventId));
  if (ids.size !== events.length) {
    throw new BridgeError('NOTIFY_EVENT_INVALID', 'the same event id is given twice in one call');
  }
  const pks = await insertEvents(tx, events);
  const stored = events.map((e) => ({ ...e, eventPk: pks.get(e.eventId)! }));
  const deliveries = await fanOut(tx, stored, options);
  return stored.map((e, i) => ({ eventPk: e.eventPk, eventId: e.eventId, deliveries: deliveries[i]! }));
}

/** A stored event: its key, and what the subscriptions' filters select on. */
export interface StoredEvent {
  eventPk: number;
  eventId: string;
  type: string;
  severity: Severity;
  office: string | null;
  state: string | null;
}

/**
 * Gives each stored event a delivery for every subscription it matches, in the same transaction: a
 * subscription sees exactly the events recorded while it was active, and no dispatcher stands
 * between commit and the first send. Returns each event's number of deliveries.
 */
export async function fanOut(
  tx: Queryable,
  events: readonly StoredEvent[],
  options: RecordOptions = {},
): Promise<number[]> {
  if (events.length === 0) return [];
  const subs = (await selectSubscriptions(tx, true)).filter(
    // A message addressed to some agencies only reaches only their subscriptions.
    (s) => !options.agencies || options.agencies.includes(s.agency),
  );
  const deliveries: Parameters<typeof insertDeliveries>[1][number][] = [];
  const counts = events.map((event) => {
    const matching = subs.filter((s) =>
      subscriptionMatches(
        {
          status: s.status,
          eventTypes: s.event_types,
          offices: s.offices,
          states: s.states,
          minSeverity: s.min_severity,
        },
        event,
      ),
    );
    for (const s of matching) {
      deliveries.push({
        eventPk: event.eventPk,
        subscriptionId: s.id,
        key: `msg_${event.eventId}_${s.id}`,
        status: s.channel === 'email' && !emailIsImmediate(event.severity) ? 'digest' : 'pending',
        maxAttempts: options.maxAttempts ?? DEFAULT_RETRY.maxAttempts,
      });
    }
    return matching.length;
  });
  await insertDeliveries(tx, deliveries);
  // Wakes the delivery workers at commit, instead of at their next poll.
  if (deliveries.some((d) => d.status === 'pending')) await announceDeliveries(tx);
  return counts;
}

export interface AddressChange {
  childId: string;
  address: Record<string, string | null>;
  previousAddress?: Record<string, string | null> | null;
  source: string;
  asOf: string;
  heldByStale: readonly string[];
  courtCode?: string | null;
  office?: string | null;
  state?: string | null;
  occurredAt: Date;
  eventId?: string;
}

/** The child.address_changed event for a child's newest address. */
export function addressChangeEvent(change: AddressChange): EventInput {
  return {
    type: 'child.address_changed',
    ...(change.eventId ? { eventId: change.eventId } : {}),
    childId: change.childId,
    office: change.office ?? null,
    state: change.state ?? change.address.state ?? null,
    occurredAt: change.occurredAt,
    data: {
      address: change.address,
      ...(change.previousAddress ? { previous_address: change.previousAddress } : {}),
      address_source: change.source,
      address_as_of: change.asOf,
      held_by_stale: [...change.heldByStale],
      ...(change.courtCode ? { court_code: change.courtCode } : {}),
    },
  };
}

/**
 * A child's newest address changed: routed to subscribers of child.address_changed. With `agencies`
 * (address drift: the court or the NTA holds an older address), the change-of-address message goes
 * to those agencies' subscriptions only.
 */
export async function recordAddressChange(
  tx: Queryable,
  change: AddressChange & { agencies?: readonly Agency[] },
): Promise<RecordedEvent> {
  return recordEvent(tx, addressChangeEvent(change), change.agencies ? { agencies: change.agencies } : {});
}

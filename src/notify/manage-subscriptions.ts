// Adds, lists and removes subscriptions; lists deliveries and replays dead letters.
import type { Queryable } from '../db/index.ts';
import { BridgeError } from '../shared/errors.ts';
import { AGENCIES, EVENT_TYPES, isAgency, isEventType, isSeverity, type Severity } from './catalogue.ts';
import {
  insertSubscription,
  replayDelivery,
  deliveryStatus,
  selectAttempts,
  selectDeliveries,
  selectSubscriptions,
  setSubscriptionStatus,
  type SubscriptionRow,
} from './notify.queries.ts';
import { DEFAULT_RETRY } from './retry.ts';
import { newWebhookSecret } from './signing.ts';

export interface NewSubscription {
  agency: string;
  name: string;
  /** An https:// or http:// URL for a webhook, or a mail address. */
  webhookUrl?: string;
  email?: string;
  eventTypes: readonly string[];
  offices?: readonly string[] | null;
  states?: readonly string[] | null;
  minSeverity?: string;
}

/** Checks a new subscription; returns it with the signing secret, which is shown this once. */
export async function addSubscription(
  db: Queryable,
  input: NewSubscription,
): Promise<{ subscription: SubscriptionRow; secret: string | null }> {
  if (!isAgency(input.agency)) {
    throw new BridgeError('USAGE', `agency must be one of ${AGENCIES.join(', ')}, got "${input.agency}"`);
  }
  if (!input.name.trim()) throw new BridgeError('USAGE', 'a subscription needs a name');
  if (Boolean(input.webhookUrl) === Boolean(input.email)) {
    throw new BridgeError('USAGE', 'give exactly one of a webhook URL or an e-mail address');
  }
  if (input.webhookUrl) {
    let url: URL;
    try {
      url = new URL(input.webhookUrl);
    } catch {
      throw new BridgeError('USAGE', `webhook URL is not a URL: "${input.webhookUrl}"`);
    }
    if (url.protocol !== 'https:' && url.protocol !== 'http:') {
      throw new BridgeError('USAGE', `webhook URL must be http or https, got "${url.protocol}"`);
    }
    if (url.username || url.password)
      throw new BridgeError('USAGE', 'webhook URL must not carry credentials');
  }
  if (input.email && !/^[^\s@]+@[^\s@]+$/.test(input.email)) {
    throw new BridgeError('USAGE', `not an e-mail address: "${input.email}"`);
  }
  if (input.eventTypes.length === 0) throw new BridgeError('USAGE', 'subscribe to at least one event type');
  for (const t of input.eventTypes) {
    if (t !== '*' && !isEventType(t)) {
      throw new BridgeError('USAGE', `unknown event type "${t}"; known: ${EVENT_TYPES.join(', ')}`);
    }
  }
  const minSeverity = input.minSeverity ?? 'info';
  if (!isSeverity(minSeverity)) {
    throw new BridgeError('USAGE', `severity must be info, warning or critical, got "${minSeverity}"`);
  }
  const secret = input.webhookUrl ? newWebhookSecret() : null;
  const nonEmpty = (a: readonly string[] | null | undefined) => (a && a.length ? a : null);
  const subscription = await insertSubscription(db, {
    agency: input.agency,
    name: input.name.trim(),
    channel: input.webhookUrl ? 'webhook' : 'email',
    target: (input.webhookUrl ?? input.email)!,
    secret,
    eventTypes: [...new Set(input.eventTypes)],
    offices: nonEmpty(input.offices),
    states: nonEmpty(input.states?.map((s) => s.toUpperCase())),
    minSeverity: minSeverity as Severity,
  });
  return { subscription, secret };
}

export async function listSubscriptions(db: Queryable): Promise<SubscriptionRow[]> {
  return selectSubscriptions(db);
}

/** Stops sending to a subscription; its history stays in the delivery log. */
export async function removeSubscription(db: Queryable, id: number): Promise<SubscriptionRow> {
  const row = await setSubscriptionStatus(db, id, 'disabled', 'removed');
  if (!row) throw new BridgeError('NOT_FOUND', `no subscription ${id}`);
  return row;
}

export async function enableSubscription(db: Queryable, id: number): Promise<SubscriptionRow> {
  const row = await setSubscriptionStatus(db, id, 'active', null);
  if (!row) throw new BridgeError('NOT_FOUND', `no subscription ${id}`);
  return row;
}

export const DELIVERY_STATUSES = [
  'pending',
  'delivering',
  'delivered',
  'dead',
  'digest',
  'digested',
] as const;

export async function listDeliveries(
  db: Queryable,
  filter: { status?: string; subscriptionId?: number; limit?: number } = {},
) {
  if (filter.status && !(DELIVERY_STATUSES as readonly string[]).includes(filter.status)) {
    throw new BridgeError(
      'USAGE',
      `status must be one of ${DELIVERY_STATUSES.join(', ')}, got "${filter.status}"`,
    );
  }
  return selectDeliveries(db, { ...filter, limit: filter.limit ?? 1000 });
}

export async function listAttempts(db: Queryable, deliveryId: number) {
  if (!(await deliveryStatus(db, deliveryId)))
    throw new BridgeError('NOT_FOUND', `no delivery ${deliveryId}`);
  return selectAttempts(db, deliveryId);
}

/** Sends a dead letter again, with a fresh allowance of attempts and the same idempotency key. */
export async function replayDeadLetter(db: Queryable, id: number, extraAttempts = DEFAULT_RETRY.maxAttempts) {
  const status = await deliveryStatus(db, id);
  if (!status) throw new BridgeError('NOT_FOUND', `no delivery ${id}`);
  if (status !== 'dead')
    throw new BridgeError(
      'CONFLICT',
      `delivery ${id} is ${status}, not dead; only dead letters are replayed`,
    );
  const row = await replayDelivery(db, id, extraAttempts);
  if (!row || row.status !== 'pending') {
    throw new BridgeError(
      'CONFLICT',
      `delivery ${id} belongs to a disabled subscription; enable the subscription before replaying`,
    );
  }
  return row;
}

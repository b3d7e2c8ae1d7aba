// Notify: the public surface. Producers call recordEvent inside their own transaction; the
// delivery worker (bridge worker / bridge serve) sends after commit.
export {
  AGENCIES,
  EVENT_CATALOGUE,
  EVENT_TYPES,
  SEVERITIES,
  type Agency,
  type EventType,
  type NotifyEvent,
  type Severity,
} from './catalogue.ts';
export {
  recordEvent,
  recordEvents,
  recordAddressChange,
  addressChangeEvent,
  type EventInput,
  type RecordedEvent,
  type RecordOptions,
} from './record-event.ts';
export { recordAddressChanges, type AddressChangeSummary } from './record-address-changes.ts';
export type { NewestAddress } from './address-change.ts';
export {
  deliverTasksOverdue,
  taskOverdueEvents,
  TASK_OVERDUE_SUBSCRIBED,
  type RecordedOverdue,
} from './record-task-overdue.ts';
export { payloadFor, visibleData, SHARING_POLICY, type CloudEvent } from './policy.ts';
export { DeliveryWorker, type DeliveryWorkerOptions } from './deliver-notifications.ts';
export { DIGEST_QUEUE, foldDigests, scheduleDigest } from './send-digests.ts';
export { loadNotifyConfig, type NotifyConfig } from './config.ts';
export { signWebhook, webhookHeaders } from './signing.ts';
export {
  addSubscription,
  enableSubscription,
  listAttempts,
  listDeliveries,
  listSubscriptions,
  removeSubscription,
  replayDeadLetter,
  DELIVERY_STATUSES,
} from './manage-subscriptions.ts';
export { DEFAULT_RETRY, type RetryPolicy } from './retry.ts';
export { startDelivery } from './start-delivery.ts';
export { runDigestJob } from './send-digests.ts';

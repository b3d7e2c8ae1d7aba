// Delivers the outbox: claims due deliveries (FOR UPDATE SKIP LOCKED, so several workers on one
// PostgreSQL server never hold the same one), sends them after the claim has committed, then logs
// the attempt and moves each delivery on. At-least-once: a worker that dies mid-send leaves its
// claim to expire (at once when a worker on the same machine sees its process gone), and the message
// goes again with the same webhook-id.
import os from 'node:os';
import crypto from 'node:crypto';
import { performance } from 'node:perf_hooks';
import type { Db } from '../db/index.ts';
import type { Clock } from '../shared/clock.ts';
import type { Log } from '../shared/log.ts';
import { toError } from '../shared/errors.ts';
import { releaseClaimsOfDeadHolders } from '../shared/claims.ts';
import { ClaimLoop } from '../shared/claim-loop.ts';
import type { NotifyConfig } from './config.ts';
import type { NotifyEvent } from './catalogue.ts';
import {
  claimDeliveries,
  disableGoneSubscription,
  recordAttempt,
  releaseStaleDeliveries,
  selectDigestEvents,
  selectEvents,
  selectSendTargets,
  OUTBOX_CHANNEL,
  type ClaimedDelivery,
  type SendTarget,
} from './notify.queries.ts';
import { payloadFor } from './policy.ts';
import { appendAudit } from '../access/audit.ts';
import { maskForSubscriber } from '../access/disclosure.ts';
import { renderDigestMail, renderEventMail } from './render-mail.ts';
import { classifyAttempt, DEFAULT_RETRY, retryDelayMs, type RetryPolicy, type SendResult } from './retry.ts';
import { postWebhook, smtpMailer, type Mailer } from './send.ts';

export interface DeliveryWorkerOptions {
  db: Db;
  log: Log;
  clock: Clock;
  config: Pick<NotifyConfig, 'publicUrl' | 'smtpUrl' | 'mailFrom' | 'webhookTimeoutMs'>;
  retry?: RetryPolicy;
  /** Deliveries claimed (and sent concurrently) per round. */
  batchSize?: number;
  /** Milliseconds between polls when nothing was due. */
  pollMs?: number;
  /** A claim older than this is taken to be abandoned by a dead worker. */
  staleSeconds?: number;
  id?: string;
  random?: () => number;
}

export class DeliveryWorker extends ClaimLoop {
  readonly id: string;
  private readonly retry: RetryPolicy;
  private readonly mailer: Mailer;

  constructor(private readonly options: DeliveryWorkerOptions) {
    // Woken by every commit that records deliveries; the poll stays for retries falling due.
    super({
      db: options.db,
      log: options.log,
      channel: OUTBOX_CHANNEL,
      what: 'deliveries',
      pollMs: options.pollMs ?? 200,
    });
    this.id = options.id ?? `${os.hostname()}:${process.pid}:notify:${crypto.randomBytes(3).toString('hex')}`;
    this.retry = options.retry ?? DEFAULT_RETRY;
    this.mailer = smtpMailer(options.config.smtpUrl, options.config.mailFrom);
  }

  /** Finishes the sends in hand, then stops. */
  override async stop(): Promise<void> {
    await super.stop();
    this.mailer.close();
  }

  /**
   * Puts back deliveries claimed by a worker that stopped answering: at once when it ran on this
   * machine and its process has ended, else once the claim is older than `staleSeconds`.
   */
  async releaseStale(): Promise<number> {
    const ms = (this.options.staleSeconds ?? 120) * 1000;
    return (
      (await releaseClaimsOfDeadHolders(this.options.db, {
        table: 'notify_delivery',
        claimed: 'delivering',
        free: 'pending',
      })) + (await releaseStaleDeliveries(this.options.db, new Date(this.options.clock.now().getTime() - ms)))
    );
  }

  async runBatch(): Promise<number> {
    const { db, clock } = this.options;
    const claimed = await claimDeliveries(db, this.id, clock.now(), this.options.batchSize ?? 20);
    if (claimed.length === 0) return 0;
    const targets = new Map(
      (await selectSendTargets(db, [...new Set(claimed.map((c) => c.subscription_id))])).map((t) => [
        t.id,
        t,
      ]),
    );
    const eventPks = claimed.flatMap((c) => (c.event_pk === null ? [] : [c.event_pk]));
    const events = new Map((await selectEvents(db, eventPks)).map((e) => [e.pk, e]));
    await Promise.all(claimed.map((d) => this.deliverOne(d, targets.get(d.subscription_id)!, events)));
    return claimed.length;
  }

  private async deliverOne(
    d: ClaimedDelivery,
    target: SendTarget,
    events: Map<number, NotifyEvent & { pk: number }>,
  ): Promise<void> {
    const { db, log, clock } = this.options;
    const startedAt = clock.now();
    const t0 = performance.now();
    let result: SendResult;
    // The children whose data this attempt sent out (audited as a disclosure with the attempt).
    const disclosed: string[] = [];
    try {
      result =
        target.status !== 'active'
          ? { ok: false, gone: false, statusCode: null, error: 'subscription disabled' }
          : await this.send(d, target, events, disclosed);
    } catch (thrown) {
      result = { ok: false, gone: false, statusCode: null, error: toError(thrown).message };
    }
    const latencyMs = performance.now() - t0;
    let outcome = classifyAttempt(result, d.attempts, this.retry);
    if (target.status !== 'active') outcome = 'dead';
    const nextAttemptAt =
      outcome === 'retry'
        ? new Date(clock.now().getTime() + retryDelayMs(d.attempts, this.retry, this.options.random))
        : null;
    try {
      const attempt = {
        deliveryId: d.id,
        workerId: this.id,
        attempt: d.attempts,
        startedAt,
        latencyMs,
        statusCode: result.statusCode,
        outcome,
        error: result.error,
        nextAttemptAt,
      };
      const kept = await db.transaction(async (tx) => {
        const ok = await recordAttempt(tx, attempt);
        if (outcome === 'gone') {
          await disableGoneSubscription(tx, target.id, `receiver answered 410 Gone on delivery ${d.id}`);
        }
        if (target.status === 'active') {
          await appendAudit(tx, {
            at: startedAt,
            actor: null,
            action: 'notify.send',
            outcome: result.ok ? 'ok' : 'failed',
            childIds: [...new Set(disclosed)],
            target: `subscription:${target.id}`,
            details: {
              delivery: d.id,
              agency: target.agency,
              channel: target.channel,
              recipient: target.target,
            },
          });
        }
        return ok;
      });
      if (!kept) log.warn({ delivery: d.id }, 'delivery was reclaimed by another worker while sending');
      if (outcome !== 'delivered') {
        log.warn(
          {
            delivery: d.id,
            subscription: target.id,
            attempt: d.attempts,
            status: result.statusCode,
            outcome,
          },
          'delivery attempt failed',
        );
      }
    } catch (thrown) {
      // The claim expires and the message goes again (at-least-once, same webhook-id).
      log.error({ delivery: d.id, err: toError(thrown).message }, 'could not record a delivery attempt');
    }
  }

  private async send(
    d: ClaimedDelivery,
    target: SendTarget,
    events: Map<number, NotifyEvent & { pk: number }>,
    disclosed: string[],
  ): Promise<SendResult> {
    const { config, clock, db } = this.options;
    const payloadOptions = { baseUrl: config.publicUrl };
    // The payload-building point: notify's sharing policy, then access's field rules for the
    // subscriber's agency; the children named are recorded for the audit entry of the attempt.
    const payloadOf = (e: NotifyEvent) => {
      if (e.childId) disclosed.push(e.childId);
      return maskForSubscriber(target.agency, payloadFor(target.agency, e, payloadOptions));
    };
    if (d.event_pk === null) {
      const folded = await selectDigestEvents(db, d.id);
      const mail = renderDigestMail(
        folded.map((e) => payloadOf(e)),
        clock.now().toISOString().slice(0, 10),
      );
      return this.mailer.send({ to: target.target, ...mail, messageId: d.idempotency_key });
    }
    const event = events.get(d.event_pk);
    if (!event) return { ok: false, gone: false, statusCode: null, error: 'event not found' };
    const payload = payloadOf(event);
    if (target.channel === 'email') {
      return this.mailer.send({
        to: target.target,
        ...renderEventMail(payload),
        messageId: d.idempotency_key,
      });
    }
    return postWebhook(target.target, target.secret!, d.idempotency_key, JSON.stringify(payload), {
      timeoutMs: config.webhookTimeoutMs,
      now: clock.now(),
    });
  }
}

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { createTestDb, testEngine, type TestDb } from '../db/testing.ts';
import { buildServer } from './server.ts';
import { silentLog } from '../shared/log.ts';
import { systemClock } from '../shared/clock.ts';
import { DeliveryWorker, recordEvent } from '../notify/index.ts';
import { startWebhookReceiver, type WebhookReceiver } from '../notify/test-receivers.ts';

describe(`notify API on ${testEngine}`, () => {
  let t: TestDb;
  let app: FastifyInstance;
  let receiver: WebhookReceiver;
  beforeAll(async () => {
    t = await createTestDb();
    app = await buildServer({ db: t.db, log: silentLog, clock: systemClock });
    receiver = await startWebhookReceiver();
  });
  afterAll(async () => {
    await app.close();
    await receiver.close();
    await t.close();
  });

  it('creates a subscription, returning its secret once, and never lists the secret', async () => {
    const bad = await app.inject({
      method: 'POST',
      url: '/api/v1/notify/subscriptions',
      payload: { agency: 'FBI', name: 'x', webhookUrl: receiver.url, eventTypes: ['alert.opened'] },
    });
    expect(bad.statusCode).toBe(400);
    const unknownType = await app.inject({
      method: 'POST',
      url: '/api/v1/notify/subscriptions',
      payload: { agency: 'ORR', name: 'x', webhookUrl: receiver.url, eventTypes: ['child.moved'] },
    });
    expect(unknownType.statusCode).toBe(400);
    expect(unknownType.json().error.message).toMatch(/unknown event type "child.moved"/);

    const res = await app.inject({
      method: 'POST',
      url: '/api/v1/notify/subscriptions',
      payload: {
        agency: 'ORR',
        name: 'ORR portal',
        webhookUrl: receiver.url,
        eventTypes: ['child.fled_custody'],
      },
    });
    expect(res.statusCode).toBe(201);
    const { subscription, secret } = res.json();
    expect(secret).toMatch(/^whsec_/);
    expect(subscription).toMatchObject({ agency: 'ORR', channel: 'webhook', status: 'active' });
    receiver.setSecret(secret);
    const list = await app.inject('/api/v1/notify/subscriptions');
    expect(list.json()).toHaveLength(1);
    expect(list.body).not.toContain(secret);
    expect(list.body).not.toContain('whsec_');
  });

  it('lists dead letters with their attempts and replays one', async () => {
    receiver.respond = () => ({ status: 503 });
    await t.db.transaction((tx) =>
      recordEvent(tx, {
        type: 'child.fled_custody',
        childId: 'C-77',
        occurredAt: new Date('2024-05-01T00:00:00Z'),
        data: { orr_facility: 'FAC-9', fled_at: '2024-05-01T02:00:00Z' },
      }),
    );
    const worker = new DeliveryWorker({
      db: t.db,
      log: silentLog,
      clock: systemClock,
      retry: { maxAttempts: 1, baseMs: 1000, capMs: 1000 },
      config: {
        publicUrl: 'https://bridge.test',
        smtpUrl: undefined,
        mailFrom: 'b@test',
        webhookTimeoutMs: 2000,
      },
    });
    await worker.drain();
    const dead = await app.inject('/api/v1/notify/deliveries?status=dead');
    expect(dead.statusCode).toBe(200);
    const [d] = dead.json();
    expect(d).toMatchObject({
      status: 'dead',
      event_type: 'child.fled_custody',
      last_status_code: 503,
      attempts: 1,
    });
    const attempts = await app.inject(`/api/v1/notify/deliveries/${d.id}/attempts`);
    expect(attempts.json()).toMatchObject([{ attempt: 1, status_code: 503, outcome: 'dead' }]);

    const replay = await app.inject({ method: 'POST', url: `/api/v1/notify/deliveries/${d.id}/replay` });
    expect(replay.statusCode).toBe(202);
    expect(
      (await app.inject({ method: 'POST', url: `/api/v1/notify/deliveries/${d.id}/replay` })).statusCode,
    ).toBe(409);
    expect(
      (await app.inject({ method: 'POST', url: '/api/v1/notify/deliveries/9999/replay' })).statusCode,
    ).toBe(404);
    receiver.respond = () => ({ status: 200 });
    await worker.drain();
    await worker.stop();
    const after = await app.inject(`/api/v1/notify/deliveries/${d.id}/attempts`);
    expect(after.json().map((a: { outcome: string }) => a.outcome)).toEqual(['dead', 'delivered']);
    expect(receiver.processed.size).toBe(1);
  });
});

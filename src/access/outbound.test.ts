// Outbound messages under the access rules: each subscriber's webhook payload carries only the
// fields its agency's role may see, and every attempt is audited as a disclosure naming the
// recipient and the children. Real webhook receivers on loopback; one database for the file.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDb, type TestDb } from '../db/testing.ts';
import { silentLog } from '../shared/log.ts';
import { systemClock } from '../shared/clock.ts';
import { DeliveryWorker } from '../notify/deliver-notifications.ts';
import { recordEvent } from '../notify/record-event.ts';
import { addSubscription } from '../notify/manage-subscriptions.ts';
import { startWebhookReceiver, type WebhookReceiver } from '../notify/test-receivers.ts';
import { maskForSubscriber, verifyAudit, whoAccessed } from './index.ts';

const SPONSOR = {
  sponsor_relationship: 'AUNT',
  sponsor_address: { street: '12 ELM ST', city: 'HOUSTON', state: 'TX', zip: '77002' },
  sponsor_immigration_status: 'UNDOCUMENTED',
};

describe('field rules for a subscriber (pure)', () => {
  it('keeps sponsor contact for ORR and for ERO (child safety), the immigration status for ORR only', () => {
    const payload = { data: { child_id: 'C-1', name: 'ANA', ...SPONSOR } };
    expect(maskForSubscriber('ORR', payload).data).toEqual(payload.data);
    expect(maskForSubscriber('ICE_ERO', payload).data).toEqual({
      child_id: 'C-1',
      name: 'ANA',
      sponsor_relationship: 'AUNT',
      sponsor_address: SPONSOR.sponsor_address,
    });
    for (const agency of ['ICE_OPLA', 'EOIR', 'SOMEONE_ELSE'])
      expect(maskForSubscriber(agency, payload).data).toEqual({ child_id: 'C-1', name: 'ANA' });
  });
});

describe('webhook payloads and their audit', () => {
  let t: TestDb;
  const receivers = new Map<string, WebhookReceiver>();
  const subscriptionOf = new Map<string, number>();

  beforeAll(async () => {
    t = await createTestDb();
    for (const agency of ['ORR', 'ICE_ERO', 'ICE_OPLA']) {
      const r = await startWebhookReceiver();
      const { subscription, secret } = await addSubscription(t.db, {
        agency,
        name: `${agency} system`,
        webhookUrl: r.url,
        eventTypes: ['child.failed_to_appear'],
      });
      r.setSecret(secret!);
      receivers.set(agency, r);
      subscriptionOf.set(agency, subscription.id);
    }
    await t.db.transaction((tx) =>
      recordEvent(tx, {
        type: 'child.failed_to_appear',
        childId: 'C-77',
        office: 'HOU',
        state: 'TX',
        occurredAt: new Date('2024-03-05T14:00:00Z'),
        data: { a_number: '201234567', name: 'ANA LOPEZ', court_code: 'HOU', in_absentia: false, ...SPONSOR },
      }),
    );
    const worker = new DeliveryWorker({
      db: t.db,
      log: silentLog,
      clock: systemClock,
      config: {
        publicUrl: 'https://bridge.test',
        smtpUrl: undefined,
        mailFrom: 'b@test',
        webhookTimeoutMs: 2000,
      },
    });
    await worker.drain();
    await worker.stop();
  });
  afterAll(async () => {
    for (const r of receivers.values()) await r.close();
    await t?.close();
  });

  const dataOf = (agency: string) => {
    const got = receivers.get(agency)!.received;
    expect(got).toHaveLength(1);
    expect(got[0]!.verified).toBe(true);
    return JSON.parse(got[0]!.body).data as Record<string, unknown>;
  };

  it('sends each agency only what its role may see', () => {
    expect(dataOf('ORR')).toMatchObject({ child_id: 'C-77', ...SPONSOR });
    const ero = dataOf('ICE_ERO');
    expect(ero).toMatchObject({ child_id: 'C-77', sponsor_address: SPONSOR.sponsor_address });
    expect(ero).not.toHaveProperty('sponsor_immigration_status');
    const opla = dataOf('ICE_OPLA');
    expect(opla).toMatchObject({ child_id: 'C-77', court_code: 'HOU' });
    expect(Object.keys(opla).filter((k) => k.startsWith('sponsor'))).toEqual([]);
  });

  it('audits every message as a disclosure of the child to its recipient', async () => {
    const rows = await t.db.query<{
      target: string;
      child_ids: string[];
      outcome: string;
      details: Record<string, unknown>;
    }>(`SELECT target, child_ids, outcome, details FROM audit_log WHERE action = 'notify.send' ORDER BY seq`);
    expect(rows).toHaveLength(3);
    for (const [agency, r] of receivers) {
      const entry = rows.find((x) => x.target === `subscription:${subscriptionOf.get(agency)}`);
      expect(entry).toMatchObject({
        child_ids: ['C-77'],
        outcome: 'ok',
        details: { agency, channel: 'webhook', recipient: r.url },
      });
    }
    expect((await whoAccessed(t.db, 'C-77')).map((e) => e.action)).toEqual([
      'notify.send',
      'notify.send',
      'notify.send',
    ]);
    expect((await verifyAudit(t.db)).ok).toBe(true);
  });
});

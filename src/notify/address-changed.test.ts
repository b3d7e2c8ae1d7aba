// child.address_changed from real feed rows: ingest → projections (link, rules, notifications) →
// delivery to a real webhook receiver, with the court and OPLA told of address drift.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createTestDb, testEngine, type TestDb } from '../db/testing.ts';
import { silentLog } from '../shared/log.ts';
import { systemClock, type Clock } from '../shared/clock.ts';
import { createBatch, ingestRows, type Source } from '../feeds/index.ts';
import { validRow, type Fields } from '../feeds/testing.ts';
import { projections, runProjections } from '../projections.ts';
import { DeliveryWorker } from './deliver-notifications.ts';
import { addSubscription } from './manage-subscriptions.ts';
import { startWebhookReceiver, type WebhookReceiver } from './test-receivers.ts';

const clock: Clock = { now: () => new Date('2024-06-01T12:00:00Z') };

// One synthetic child, as each agency writes it.
const child = (source: Source, id: string, over: Fields) =>
  validRow(source, id, {
    ...(source === 'orr' || source === 'opla' ? { a_number: 'A123456789' } : {}),
    ...over,
  });

describe(`child.address_changed from feed rows on ${testEngine}`, () => {
  let t: TestDb;
  let receiver: WebhookReceiver;
  let worker: DeliveryWorker;
  let seq = 0;
  const agencyOf = new Map<number, string>();

  beforeAll(async () => {
    receiver = await startWebhookReceiver();
  });
  afterAll(async () => {
    await receiver.close();
  });
  beforeEach(async () => {
    t = await createTestDb();
    receiver.received.length = 0;
    receiver.processed.clear();
    worker = new DeliveryWorker({
      db: t.db,
      log: silentLog,
      // Signatures carry the real time: receivers refuse old timestamps.
      clock: systemClock,
      config: {
        publicUrl: 'https://bridge.test',
        smtpUrl: undefined,
        mailFrom: 'b@test',
        webhookTimeoutMs: 2000,
      },
    });
    agencyOf.clear();
    for (const agency of ['EOIR', 'ICE_OPLA', 'OVERSIGHT', 'ORR']) {
      const { subscription, secret } = await addSubscription(t.db, {
        agency,
        name: `${agency} system`,
        webhookUrl: receiver.url,
        eventTypes: ['child.address_changed'],
      });
      agencyOf.set(subscription.id, agency);
      // The four systems share one receiver here, so they share its secret.
      await t.db.query(`UPDATE notify_subscription SET secret = $1`, [secret]);
      receiver.setSecret(secret!);
    }
    return async () => {
      await worker.stop();
      await t.close();
    };
  });

  /** Pushes rows of one source as an agency system would, then runs the projections and delivers. */
  async function push(source: Source, rows: Fields[]) {
    const batchId = await createBatch(t.db, source, 'http', `test-${++seq}`, clock.now());
    await ingestRows(
      { db: t.db, clock, afterRecordsChanged: projections().afterRecordsChanged },
      {
        source,
        batchId,
        rows: rows.map((fields, i) => ({ line: i + 1, rawText: JSON.stringify(fields), fields })),
      },
    );
    const summary = await runProjections({ db: t.db, log: silentLog, clock });
    await worker.drain();
    return summary;
  }

  const events = async () =>
    t.db.query<{ event_id: string; data: Record<string, unknown>; agencies: string[] }>(
      `SELECT e.event_id, e.data, array_agg(s.agency ORDER BY s.agency) FILTER (WHERE s.id IS NOT NULL) AS agencies
         FROM notify_event e
         LEFT JOIN notify_delivery d ON d.event_pk = e.id
         LEFT JOIN notify_subscription s ON s.id = d.subscription_id
        WHERE e.type = 'child.address_changed' GROUP BY e.id ORDER BY e.id`,
    );
  /** What each agency received: the subscription is the last part of the webhook-id. */
  const bodies = () =>
    receiver.received.map((r) => ({
      agency: agencyOf.get(Number(r.id.split('_').at(-1))),
      ...(JSON.parse(r.body) as {
        id: string;
        data: { address?: Record<string, string | null> } & Record<string, unknown>;
      }),
    }));

  it('announces a release address, then a newer address with the previous one, once each', async () => {
    await push('orr', [
      child('orr', 'ORR-1', {
        event_type: 'RELEASE',
        event_date: '03/01/2024',
        street: '45 Elm Avenue Apt 5',
      }),
    ]);
    let ev = await events();
    expect(ev).toHaveLength(1);
    expect(ev[0]!.data).toMatchObject({
      address: { street: '45 ELM AVE', unit: '5', city: 'HOUSTON', state: 'TX', zip: '77002' },
      address_source: 'orr',
      address_as_of: '2024-03-01',
      held_by_stale: [],
    });
    expect(ev[0]!.data).not.toHaveProperty('previous_address');
    expect(ev[0]!.agencies).toEqual(['EOIR', 'ICE_OPLA', 'ORR', 'OVERSIGHT']);

    // The same row again, and a row that does not move the child: nothing new to announce.
    await push('orr', [
      child('orr', 'ORR-1', {
        event_type: 'RELEASE',
        event_date: '03/01/2024',
        street: '45 Elm Avenue Apt 5',
      }),
    ]);
    await push('orr', [child('orr', 'ORR-2', { event_type: 'SAFETY_CALL', event_date: '03/30/2024' })]);
    expect(await events()).toHaveLength(1);

    await push('orr', [
      child('orr', 'ORR-3', {
        event_type: 'ADDRESS_UPDATE',
        event_date: '04/15/2024',
        street: '900 Main St',
        unit: 'Apt 12',
        city: 'Dallas',
        zip: '75201',
      }),
    ]);
    ev = await events();
    expect(ev).toHaveLength(2);
    expect(ev[1]!.data).toMatchObject({
      address: { street: '900 MAIN ST', unit: '12', city: 'DALLAS', zip: '75201' },
      previous_address: { street: '45 ELM AVE', zip: '77002' },
      address_as_of: '2024-04-15',
    });
    // Oversight never receives addresses; the court does, signed and once.
    const got = bodies();
    expect(got).toHaveLength(8);
    expect(receiver.received.every((r) => r.verified && r.firstTime)).toBe(true);
    const toOversight = got.filter((b) => b.agency === 'OVERSIGHT');
    expect(toOversight).toHaveLength(2);
    expect(JSON.stringify(toOversight)).not.toMatch(/MAIN ST|ELM AVE/);
    expect(got.filter((b) => b.agency === 'EOIR').map((b) => b.data.address?.street)).toEqual([
      '45 ELM AVE',
      '900 MAIN ST',
    ]);
  });

  it('pushes the newest address to the court and OPLA when they hold an older one (ADDRESS_DRIFT)', async () => {
    await push('orr', [child('orr', 'ORR-1', { event_type: 'RELEASE', event_date: '03/01/2024' })]);
    // The NTA and the court case carry the release address.
    await push('opla', [child('opla', 'NTA-1', { issued_date: '2024-03-10', served_date: '2024-03-12' })]);
    await push('eoir', [
      child('eoir', 'EOIR-1', {
        event_type: 'CASE_OPENED',
        event_date: '2024-03-20',
        hearing_date: '',
        hearing_type: '',
        attendance: '',
        in_absentia: '',
        street: '45 ELM AVE',
        unit: 'APT 5',
        city: 'HOUSTON',
        state: 'TX',
        zip: '77002',
      }),
      child('eoir', 'EOIR-2', {
        event_type: 'HEARING_SCHEDULED',
        event_date: '2024-03-20',
        hearing_date: '2024-07-10 09:00',
        attendance: '',
        in_absentia: '',
      }),
    ]);
    expect(await events()).toHaveLength(1);
    const drift = () =>
      t.db.query(`SELECT id FROM alert WHERE rule_id = 'ADDRESS_DRIFT' AND closed_at IS NULL`);
    expect(await drift()).toHaveLength(0);

    // ORR learns of a move: the court and the NTA now hold an older address.
    const summary = await push('orr', [
      child('orr', 'ORR-2', {
        event_type: 'ADDRESS_UPDATE',
        event_date: '04/15/2024',
        street: '900 Main St',
        unit: 'Apt 12',
        city: 'Dallas',
        zip: '75201',
      }),
    ]);
    expect(summary.alertsOpened).toBeGreaterThanOrEqual(1);
    expect(await drift()).toHaveLength(1);
    const ev = await events();
    expect(ev).toHaveLength(2);
    expect(ev[1]!.data).toMatchObject({
      address: { street: '900 MAIN ST', unit: '12', zip: '75201' },
      held_by_stale: ['ICE_OPLA', 'EOIR'],
      court_code: 'HOU',
    });
    const told = bodies().filter((b) => b.id === ev[1]!.event_id);
    expect(told.map((b) => b.agency).sort()).toEqual(['EOIR', 'ICE_OPLA', 'ORR', 'OVERSIGHT']);
    expect(told.find((b) => b.agency === 'EOIR')!.data).toMatchObject({
      address: { street: '900 MAIN ST', city: 'DALLAS' },
      held_by_stale: ['ICE_OPLA', 'EOIR'],
    });
  });

  it('drift without a new address (a late court row) goes to the court and OPLA only', async () => {
    await push('orr', [child('orr', 'ORR-1', { event_type: 'RELEASE', event_date: '03/01/2024' })]);
    await push('orr', [
      child('orr', 'ORR-2', {
        event_type: 'ADDRESS_UPDATE',
        event_date: '04/15/2024',
        street: '900 Main St',
        unit: 'Apt 12',
        city: 'Dallas',
        zip: '75201',
      }),
    ]);
    expect(await events()).toHaveLength(2);
    receiver.received.length = 0;
    // The court's case, opened in March with the release address, arrives late.
    await push('eoir', [
      child('eoir', 'EOIR-1', {
        event_type: 'CASE_OPENED',
        event_date: '2024-03-20',
        hearing_date: '',
        hearing_type: '',
        attendance: '',
        in_absentia: '',
        street: '45 ELM AVE',
        unit: 'APT 5',
        city: 'HOUSTON',
        state: 'TX',
        zip: '77002',
      }),
    ]);
    const ev = await events();
    expect(ev).toHaveLength(3);
    expect(ev[2]!.event_id).toMatch(/-drift-/);
    expect(ev[2]!.agencies).toEqual(['EOIR', 'ICE_OPLA']);
    expect(ev[2]!.data).toMatchObject({ address: { street: '900 MAIN ST' }, held_by_stale: ['EOIR'] });
    expect(
      bodies()
        .map((b) => [b.agency, b.data.address?.street])
        .sort(),
    ).toEqual([
      ['EOIR', '900 MAIN ST'],
      ['ICE_OPLA', '900 MAIN ST'],
    ]);
    // Running the projections again sends nothing more.
    await t.db.query(`INSERT INTO projection_pending (record_pk) SELECT id FROM record`);
    await runProjections({ db: t.db, log: silentLog, clock });
    expect(await events()).toHaveLength(3);
  });
});

import { spawnSync } from 'node:child_process';
import os from 'node:os';
import { performance } from 'node:perf_hooks';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createTestDb, testEngine, type TestDb } from '../db/testing.ts';
import { openPostgres } from '../db/postgres.ts';
import type { Db } from '../db/index.ts';
import { silentLog } from '../shared/log.ts';
import { systemClock, type Clock } from '../shared/clock.ts';
import { DeliveryWorker } from './deliver-notifications.ts';
import { recordAddressChange, recordEvent, type EventInput } from './record-event.ts';
import {
  addSubscription,
  listAttempts,
  listDeliveries,
  listSubscriptions,
  replayDeadLetter,
} from './manage-subscriptions.ts';
import { foldDigests } from './send-digests.ts';
import { claimDeliveries } from './notify.queries.ts';
import type { RetryPolicy } from './retry.ts';
import {
  startSmtpReceiver,
  startWebhookReceiver,
  type MailReceiver,
  type WebhookReceiver,
} from './test-receivers.ts';

// Long enough that a retry is never due by real time passing during a test; tests move the clock.
const retry: RetryPolicy = { maxAttempts: 3, baseMs: 10_000, capMs: 40_000 };

function movableClock(): Clock & { advance(ms: number): void } {
  let t = Date.now();
  return { now: () => new Date(t), advance: (ms) => (t += ms) };
}

/** The text of a received mail, with quoted-printable soft breaks and escapes undone. */
const mailText = (raw: string) =>
  raw
    .replace(/=\r?\n/g, '')
    .replace(/=([0-9A-F]{2})/g, (_m, h: string) => String.fromCharCode(parseInt(h, 16)));

const fta = (childId: string, extra: Partial<EventInput> = {}): EventInput => ({
  type: 'child.failed_to_appear',
  childId,
  office: 'HOU',
  state: 'TX',
  occurredAt: new Date('2024-03-05T14:00:00Z'),
  data: {
    a_number: '201234567',
    name: 'ANA LOPEZ GARCIA',
    hearing_at: '2024-03-05T09:00:00',
    court_code: 'HOU',
    in_absentia: false,
    sponsor_address: { street: '12 ELM ST', city: 'HOUSTON', state: 'TX', zip: '77002' },
    sponsor_immigration_status: 'UNDOCUMENTED',
  },
  ...extra,
});

describe(`notify delivery on ${testEngine}`, () => {
  let t: TestDb;
  let receiver: WebhookReceiver;
  let clock: ReturnType<typeof movableClock>;
  const closers: (() => Promise<unknown>)[] = [];

  beforeEach(async () => {
    t = await createTestDb();
    receiver = await startWebhookReceiver();
    clock = movableClock();
  });
  afterEach(async () => {
    for (const c of closers.splice(0)) await c();
    await receiver.close().catch(() => undefined);
    await t.close();
  });

  const worker = (over: Partial<ConstructorParameters<typeof DeliveryWorker>[0]> = {}) => {
    const w = new DeliveryWorker({
      db: t.db,
      log: silentLog,
      clock,
      retry,
      config: {
        publicUrl: 'https://bridge.test',
        smtpUrl: undefined,
        mailFrom: 'bridge@test',
        webhookTimeoutMs: 2000,
      },
      ...over,
    });
    closers.push(() => w.stop());
    return w;
  };

  async function subscribe(agency: string, eventTypes = ['child.failed_to_appear'], extra = {}) {
    const { subscription, secret } = await addSubscription(t.db, {
      agency,
      name: `${agency} case system`,
      webhookUrl: receiver.url,
      eventTypes,
      ...extra,
    });
    receiver.setSecret(secret!);
    return subscription;
  }

  it('records the message with the change: nothing after a rollback, a signed CloudEvent after commit', async () => {
    await subscribe('ICE_ERO');
    await t.db
      .transaction(async (tx) => {
        await recordEvent(tx, fta('C-1'));
        throw new Error('the change failed');
      })
      .catch(() => undefined);
    const w = worker();
    expect(await w.drain()).toBe(0);
    expect(await t.db.query('SELECT id FROM notify_event')).toEqual([]);

    const recorded = await t.db.transaction((tx) => recordEvent(tx, fta('C-1')));
    expect(recorded.deliveries).toBe(1);
    expect(await w.drain()).toBe(1);
    expect(receiver.received).toHaveLength(1);
    const got = receiver.received[0]!;
    expect(got.verified).toBe(true);
    expect(got.id).toBe(`msg_${recorded.eventId}_1`);
    const ce = JSON.parse(got.body);
    expect(ce).toMatchObject({ specversion: '1.0', id: recorded.eventId, type: 'child.failed_to_appear' });
    expect(ce.data.links.child).toBe('https://bridge.test/children/C-1');
    expect(ce.data.sponsor_address).toBeDefined(); // ERO: the sponsor's address, for the child's safety
    expect(got.body).not.toContain('UNDOCUMENTED'); // never sponsor immigration status to ICE

    const [d] = await listDeliveries(t.db);
    expect(d).toMatchObject({ status: 'delivered', attempts: 1, last_status_code: 200 });
    const log = await listAttempts(t.db, d!.id);
    expect(log).toMatchObject([{ attempt: 1, status_code: 200, outcome: 'delivered', error: null }]);
    expect(log[0]!.latency_ms).toBeGreaterThanOrEqual(0);
  });

  it('a running worker is woken by the commit that records a message, not by its next poll', async () => {
    await subscribe('ORR');
    const w = worker({ pollMs: 60_000, clock: systemClock });
    w.start();
    expect(await w.listening()).toBe(true);
    // Let the first (empty) poll finish, so the worker is asleep for a minute.
    await new Promise((r) => setTimeout(r, 300));
    const got = new Promise<number>((resolve) => {
      receiver.onReceive = () => resolve(performance.now());
    });
    const committed = await t.db.transaction(async (tx) => {
      await recordEvent(tx, fta('C-W'));
      return performance.now();
    });
    const at = await Promise.race([got, new Promise<null>((r) => setTimeout(() => r(null), 10_000))]);
    expect(at, 'the message waited for the next poll').not.toBeNull();
    expect(at! - committed).toBeLessThan(10_000);
    expect(receiver.received.every((r) => r.verified)).toBe(true);
  });

  it('fans out to matching subscriptions only (kind, office, state, severity)', async () => {
    await subscribe('EOIR', ['child.failed_to_appear'], { offices: ['HOU'] });
    await subscribe('ICE_OPLA', ['child.failed_to_appear'], { states: ['CA'] });
    await subscribe('ORR', ['*'], { minSeverity: 'critical' });
    await subscribe('OVERSIGHT', ['alert.closed']);
    const r = await t.db.transaction((tx) => recordEvent(tx, fta('C-2')));
    expect(r.deliveries).toBe(2);
    const rows = await listDeliveries(t.db);
    expect(rows.map((x) => x.agency).sort()).toEqual(['EOIR', 'ORR']);
  });

  it('keeps retrying while the receiver is down and delivers when it is back up', async () => {
    await subscribe('EOIR');
    await receiver.down();
    await t.db.transaction((tx) => recordEvent(tx, fta('C-3')));
    const w = worker();
    expect(await w.drain()).toBe(1);
    const [d1] = await listDeliveries(t.db);
    expect(d1).toMatchObject({ status: 'pending', attempts: 1, last_status_code: null });
    expect(d1!.last_error).toMatch(/ECONNREFUSED|fetch failed/);
    expect(await w.drain()).toBe(0); // not due yet: backoff
    await receiver.up();
    clock.advance(40_000);
    expect(await w.drain()).toBe(1);
    const [d2] = await listDeliveries(t.db);
    expect(d2).toMatchObject({ status: 'delivered', attempts: 2, last_status_code: 200 });
    expect((await listAttempts(t.db, d2!.id)).map((a) => a.outcome)).toEqual(['retry', 'delivered']);
    expect(receiver.processed.size).toBe(1);
  });

  it('a slow receiver times out, is retried with the same webhook-id, and ignores the duplicate', async () => {
    await subscribe('EOIR');
    receiver.respond = ({ n }) => ({ status: 200, delayMs: n === 1 ? 1500 : 0 });
    await t.db.transaction((tx) => recordEvent(tx, fta('C-4')));
    const w = worker({
      config: {
        publicUrl: 'https://bridge.test',
        smtpUrl: undefined,
        mailFrom: 'b@test',
        webhookTimeoutMs: 300,
      },
    });
    await w.drain();
    const [d1] = await listDeliveries(t.db);
    expect(d1).toMatchObject({ status: 'pending', last_error: 'no answer within 300 ms' });
    clock.advance(40_000);
    await w.drain();
    expect(receiver.received).toHaveLength(2);
    expect(receiver.received[0]!.id).toBe(receiver.received[1]!.id);
    expect(receiver.received.map((r) => r.firstTime)).toEqual([true, false]);
    expect(receiver.processed.size).toBe(1);
    const [d2] = await listDeliveries(t.db);
    expect(d2!.status).toBe('delivered');
  });

  it('answers of 500 lead to a dead letter after N attempts, which can be replayed', async () => {
    await subscribe('ORR');
    receiver.respond = () => ({ status: 500 });
    await t.db.transaction((tx) => recordEvent(tx, fta('C-5')));
    const w = worker();
    for (let i = 0; i < 5; i++) {
      await w.drain();
      clock.advance(40_000);
    }
    const dead = await listDeliveries(t.db, { status: 'dead' });
    expect(dead).toHaveLength(1);
    expect(dead[0]).toMatchObject({ attempts: 3, last_status_code: 500, last_error: 'HTTP 500' });
    expect((await listAttempts(t.db, dead[0]!.id)).map((a) => [a.attempt, a.status_code, a.outcome])).toEqual(
      [
        [1, 500, 'retry'],
        [2, 500, 'retry'],
        [3, 500, 'dead'],
      ],
    );
    receiver.respond = () => ({ status: 204 });
    await replayDeadLetter(t.db, dead[0]!.id, 3);
    await expect(replayDeadLetter(t.db, dead[0]!.id)).rejects.toThrow(/not dead/);
    expect(await w.drain()).toBe(1);
    const [after] = await listDeliveries(t.db);
    expect(after).toMatchObject({ status: 'delivered', attempts: 4, last_status_code: 204 });
  });

  it('410 Gone disables the subscription and is never retried', async () => {
    const sub = await subscribe('ICE_OPLA');
    receiver.respond = () => ({ status: 410 });
    await t.db.transaction(async (tx) => {
      await recordEvent(tx, fta('C-6'));
      await recordEvent(tx, fta('C-7'));
    });
    const w = worker({ batchSize: 1 });
    await w.drain();
    clock.advance(40_000);
    await w.drain();
    expect(receiver.received).toHaveLength(1);
    const subs = await listSubscriptions(t.db);
    expect(subs.find((s) => s.id === sub.id)).toMatchObject({ status: 'disabled' });
    expect(subs[0]!.disabled_reason).toMatch(/410/);
    const rows = await listDeliveries(t.db);
    expect(rows.map((r) => r.status)).toEqual(['dead', 'dead']);
    const r = await t.db.transaction((tx) => recordEvent(tx, fta('C-8')));
    expect(r.deliveries).toBe(0);
    await expect(replayDeadLetter(t.db, rows[0]!.id)).rejects.toThrow(/disabled subscription/);
  });

  it('a claim abandoned by a dead worker is released and delivered again', async () => {
    await subscribe('EOIR');
    await t.db.transaction((tx) => recordEvent(tx, fta('C-9')));
    expect(await claimDeliveries(t.db, 'crashed-worker', clock.now(), 10)).toHaveLength(1);
    const w = worker({ staleSeconds: 60 });
    expect(await w.drain()).toBe(0);
    clock.advance(61_000);
    expect(await w.releaseStale()).toBe(1);
    expect(await w.drain()).toBe(1);
    expect(receiver.processed.size).toBe(1);
  });

  it('a claim of a worker process on this machine that has ended is released at once', async () => {
    await subscribe('EOIR');
    await t.db.transaction((tx) => recordEvent(tx, fta('C-11')));
    await t.db.transaction((tx) => recordEvent(tx, fta('C-12')));
    const ended = spawnSync(process.execPath, ['-e', 'process.pid']).pid!;
    expect(await claimDeliveries(t.db, `${os.hostname()}:${ended}:notify:abc`, clock.now(), 1)).toHaveLength(
      1,
    );
    expect(
      await claimDeliveries(t.db, `${os.hostname()}:${process.pid}:notify:def`, clock.now(), 1),
    ).toHaveLength(1);
    const w = worker({ staleSeconds: 600 });
    // No time passes: the ended process's claim goes back, the live one's stays held.
    expect(await w.releaseStale()).toBe(1);
    expect(await w.drain()).toBe(1);
    expect(receiver.processed.size).toBe(1);
    expect((await listDeliveries(t.db)).map((d) => d.status).sort()).toEqual(['delivered', 'delivering']);
  });

  it('address drift pushes the newest address to the court and OPLA, not to oversight', async () => {
    await subscribe('EOIR', ['child.address_changed']);
    await subscribe('ICE_OPLA', ['child.address_changed']);
    await subscribe('OVERSIGHT', ['child.address_changed']);
    await t.db.transaction((tx) =>
      recordAddressChange(tx, {
        childId: 'C-10',
        address: { street: '40 OAK AVE', unit: 'APT 2', city: 'DALLAS', state: 'TX', zip: '75201' },
        previousAddress: { street: '12 ELM ST', unit: null, city: 'HOUSTON', state: 'TX', zip: '77002' },
        source: 'orr',
        asOf: '2024-04-01',
        heldByStale: ['EOIR', 'ICE_OPLA'],
        courtCode: 'DAL',
        occurredAt: new Date('2024-04-01T00:00:00Z'),
      }),
    );
    await worker().drain();
    const bodies = receiver.received.map((r) => JSON.parse(r.body));
    expect(bodies).toHaveLength(3);
    const withAddress = bodies.filter((b) => b.data.address?.street === '40 OAK AVE');
    expect(withAddress).toHaveLength(2);
    expect(withAddress.every((b) => b.type === 'child.address_changed' && b.data.state === 'TX')).toBe(true);
    expect(bodies.find((b) => !b.data.address)!.data).not.toHaveProperty('previous_address');
  });
});

describe(`notify mail on ${testEngine}`, () => {
  let t: TestDb;
  let smtp: MailReceiver;
  beforeEach(async () => {
    t = await createTestDb();
    smtp = await startSmtpReceiver();
  });
  afterEach(async () => {
    await smtp.close();
    await t.close();
  });

  it('mails critical events at once and folds the others into one daily digest', async () => {
    const clock = movableClock();
    await addSubscription(t.db, {
      agency: 'ICE_ERO',
      name: 'Houston ERO duty officer',
      email: 'duty.hou@ero.test',
      eventTypes: ['child.failed_to_appear', 'task.overdue'],
    });
    await t.db.transaction(async (tx) => {
      await recordEvent(tx, fta('C-11'));
      for (const id of ['T-1', 'T-2'])
        await recordEvent(tx, {
          type: 'task.overdue',
          childId: 'C-12',
          occurredAt: new Date('2024-03-06T00:00:00Z'),
          data: { task_id: id, task_kind: 'LOCATE_CHILD', due_at: '2024-03-05', assigned_office: 'HOU' },
        });
    });
    const w = new DeliveryWorker({
      db: t.db,
      log: silentLog,
      clock,
      retry,
      config: {
        publicUrl: 'https://bridge.test',
        smtpUrl: smtp.url,
        mailFrom: 'bridge@test',
        webhookTimeoutMs: 2000,
      },
    });
    try {
      expect(await w.drain()).toBe(1);
      expect(smtp.mails).toHaveLength(1);
      const critical = { ...smtp.mails[0]!, raw: mailText(smtp.mails[0]!.raw) };
      expect(critical.to).toEqual(['duty.hou@ero.test']);
      expect(critical.raw).toMatch(/CRITICAL: child.failed_to_appear for child C-11/);
      expect(critical.raw).toContain('https://bridge.test/children/C-11');
      expect(critical.raw).not.toContain('UNDOCUMENTED');
      expect((await listDeliveries(t.db, { status: 'digest' })).length).toBe(2);

      expect(await foldDigests(t.db)).toBe(1);
      expect(await foldDigests(t.db)).toBe(0);
      expect(await w.drain()).toBe(1);
      expect(smtp.mails).toHaveLength(2);
      const digest = mailText(smtp.mails[1]!.raw);
      expect(digest).toMatch(/Daily digest .*: 2 event\(s\)/);
      expect(digest).toContain('T-1');
      expect(digest).toContain('T-2');
      const statuses = (await listDeliveries(t.db)).map((d) => `${d.event_type}:${d.status}`).sort();
      expect(statuses).toEqual([
        'child.failed_to_appear:delivered',
        'digest:delivered',
        'task.overdue:digested',
        'task.overdue:digested',
      ]);
    } finally {
      await w.stop();
    }
  });

  it('retries mail while the SMTP server is unreachable', async () => {
    const clock = movableClock();
    await addSubscription(t.db, {
      agency: 'ORR',
      name: 'ORR duty',
      email: 'duty@orr.test',
      eventTypes: ['*'],
    });
    await t.db.transaction((tx) => recordEvent(tx, fta('C-13')));
    const url = smtp.url;
    await smtp.close();
    const config = {
      publicUrl: 'https://bridge.test',
      smtpUrl: url,
      mailFrom: 'bridge@test',
      webhookTimeoutMs: 2000,
    };
    const w = new DeliveryWorker({ db: t.db, log: silentLog, clock, retry, config });
    try {
      await w.drain();
      const [d] = await listDeliveries(t.db);
      expect(d).toMatchObject({ status: 'pending', attempts: 1 });
      expect(d!.last_error).toMatch(/ECONNECTION|ECONNREFUSED/);
    } finally {
      await w.stop();
    }
  });
});

describe.runIf(testEngine === 'postgres')('two delivery workers on one PostgreSQL server', () => {
  it('deliver every message once between them', async () => {
    const t = await createTestDb();
    const receiver = await startWebhookReceiver();
    const pools: Db[] = [await openPostgres(t.url!, { max: 3 }), await openPostgres(t.url!, { max: 3 })];
    try {
      const { secret } = await addSubscription(t.db, {
        agency: 'EOIR',
        name: 'EOIR case system',
        webhookUrl: receiver.url,
        eventTypes: ['child.failed_to_appear'],
      });
      receiver.setSecret(secret!);
      const total = 300;
      await t.db.transaction(async (tx) => {
        for (let i = 0; i < total; i++) await recordEvent(tx, fta(`C-${i}`));
      });
      const clock = movableClock();
      const workers = pools.map(
        (db, i) =>
          new DeliveryWorker({
            db,
            log: silentLog,
            clock,
            retry,
            id: `w${i}`,
            batchSize: 5,
            config: {
              publicUrl: 'https://bridge.test',
              smtpUrl: undefined,
              mailFrom: 'b@test',
              webhookTimeoutMs: 5000,
            },
          }),
      );
      const sent = await Promise.all(workers.map((w) => w.drain()));
      expect(sent[0]! + sent[1]!).toBe(total);
      expect(sent[0]).toBeGreaterThan(0);
      expect(sent[1]).toBeGreaterThan(0);
      expect(receiver.received).toHaveLength(total);
      expect(receiver.processed.size).toBe(total);
      expect(receiver.received.every((r) => r.verified && r.firstTime)).toBe(true);
      const [s] = await t.db.query<{ n: number }>(
        `SELECT count(*)::int AS n FROM notify_delivery WHERE status = 'delivered'`,
      );
      expect(s!.n).toBe(total);
      await Promise.all(workers.map((w) => w.stop()));
    } finally {
      await Promise.all(pools.map((p) => p.close()));
      await receiver.close();
      await t.close();
    }
  });

  it('three polling workers, messages arriving while they run and slow answers: each sent once', async () => {
    const t = await createTestDb();
    const receiver = await startWebhookReceiver();
    // Each worker is its own process in production: its own pool of connections.
    const pools: Db[] = await Promise.all([0, 1, 2].map(() => openPostgres(t.url!, { max: 2 })));
    const workers: DeliveryWorker[] = [];
    try {
      const { secret } = await addSubscription(t.db, {
        agency: 'ORR',
        name: 'ORR case system',
        webhookUrl: receiver.url,
        eventTypes: ['child.failed_to_appear'],
      });
      receiver.setSecret(secret!);
      // Answers take 0-30 ms, so sends of different workers overlap.
      receiver.respond = ({ n }) => ({ status: 200, delayMs: (n * 7) % 31 });
      const total = 240;
      let allIn: () => void = () => {};
      const done = new Promise<void>((r) => (allIn = r));
      receiver.onReceive = () => {
        if (receiver.received.length >= total) allIn();
      };
      for (const [i, db] of pools.entries()) {
        const w = new DeliveryWorker({
          db,
          log: silentLog,
          clock: movableClock(),
          retry,
          id: `worker-${i}`,
          batchSize: 4,
          pollMs: 5,
          config: {
            publicUrl: 'https://bridge.test',
            smtpUrl: undefined,
            mailFrom: 'b@test',
            webhookTimeoutMs: 5000,
          },
        });
        workers.push(w);
        w.start();
      }
      // Messages arrive in small transactions while the workers poll.
      for (let i = 0; i < total; i += 6) {
        await t.db.transaction(async (tx) => {
          for (let k = i; k < i + 6; k++) await recordEvent(tx, fta(`C-${k}`));
        });
      }
      await Promise.race([done, new Promise((r) => setTimeout(r, 60_000))]);
      await Promise.all(workers.map((w) => w.stop()));
      // Nothing more arrives after every message was delivered once.
      expect(receiver.received).toHaveLength(total);
      expect(new Set(receiver.received.map((r) => r.id)).size).toBe(total);
      expect(receiver.received.every((r) => r.verified && r.firstTime)).toBe(true);
      const rows = await t.db.query<{ status: string; attempts: number; n: number }>(
        `SELECT status, attempts, count(*)::int AS n FROM notify_delivery GROUP BY 1, 2`,
      );
      expect(rows).toEqual([{ status: 'delivered', attempts: 1, n: total }]);
      const byWorker = await t.db.query<{ worker: string; n: number }>(
        `SELECT worker, count(*)::int AS n FROM notify_attempt GROUP BY 1 ORDER BY 1`,
      );
      expect(byWorker.reduce((a, w) => a + w.n, 0)).toBe(total);
      // All three took part.
      expect(byWorker.map((w) => w.worker)).toEqual(['worker-0', 'worker-1', 'worker-2']);
    } finally {
      await Promise.all(workers.map((w) => w.stop()));
      await Promise.all(pools.map((p) => p.close()));
      await receiver.close();
      await t.close();
    }
  });
});

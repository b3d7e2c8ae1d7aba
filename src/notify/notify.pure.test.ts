import { describe, expect, it } from 'vitest';
import { Webhook } from 'standardwebhooks';
import { signWebhook, newWebhookSecret, webhookHeaders } from './signing.ts';
import { payloadFor, visibleData } from './policy.ts';
import { subscriptionMatches, type SubscriptionFilter } from './match.ts';
import { classifyAttempt, retryDelayMs, type RetryPolicy } from './retry.ts';
import { checkEvent } from './record-event.ts';
import { nextDigestAt } from './send-digests.ts';
import type { Agency, NotifyEvent } from './catalogue.ts';

describe('Standard Webhooks signature', () => {
  it('matches the specification test vector', () => {
    expect(
      signWebhook(
        'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw',
        'msg_p5jXN8AQM9LWM0D4loKWxJek',
        1614265330,
        '{"test": 2432232314}',
      ),
    ).toBe('v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=');
  });

  it('is accepted by the reference verifier, and a changed body is rejected', () => {
    const secret = newWebhookSecret();
    const body = JSON.stringify({ type: 'child.failed_to_appear', data: { child_id: 'C-1' } });
    const headers = webhookHeaders(secret, 'msg_1', Math.floor(Date.now() / 1000), body);
    expect(new Webhook(secret).verify(body, headers)).toEqual(JSON.parse(body));
    expect(() => new Webhook(secret).verify(body.replace('C-1', 'C-2'), headers)).toThrow();
    expect(() => new Webhook(newWebhookSecret()).verify(body, headers)).toThrow();
  });
});

const fta: NotifyEvent = checkEvent({
  type: 'child.failed_to_appear',
  childId: 'C-000123',
  office: 'HOU',
  state: 'TX',
  occurredAt: new Date('2024-03-05T14:00:00Z'),
  eventId: 'evt-1',
  data: {
    a_number: '201234567',
    name: 'ANA LOPEZ GARCIA',
    hearing_at: '2024-03-05T09:00:00',
    court_code: 'HOU',
    in_absentia: true,
    address: { street: '12 ELM ST', city: 'HOUSTON', state: 'TX', zip: '77002' },
    sponsor_relationship: '2B',
    sponsor_address: { street: '12 ELM ST', city: 'HOUSTON', state: 'TX', zip: '77002' },
    sponsor_immigration_status: 'UNDOCUMENTED',
  },
});

describe('payloadFor: what each agency may see', () => {
  const keys = (agency: Agency) => Object.keys(visibleData(agency, fta)).sort();
  it.each<[Agency, string[]]>([
    [
      'ORR',
      [
        'a_number',
        'address',
        'court_code',
        'hearing_at',
        'in_absentia',
        'name',
        'sponsor_address',
        'sponsor_immigration_status',
        'sponsor_relationship',
      ],
    ],
    [
      'ICE_ERO',
      ['a_number', 'address', 'court_code', 'hearing_at', 'in_absentia', 'name', 'sponsor_address'],
    ],
    ['ICE_OPLA', ['a_number', 'address', 'court_code', 'hearing_at', 'in_absentia', 'name']],
    ['EOIR', ['a_number', 'address', 'court_code', 'hearing_at', 'in_absentia', 'name']],
    ['OVERSIGHT', ['court_code', 'hearing_at', 'in_absentia']],
  ])('%s receives %j', (agency, expected) => {
    expect(keys(agency)).toEqual(expected);
  });

  it('never sends sponsor immigration status to ICE', () => {
    for (const agency of ['ICE_ERO', 'ICE_OPLA'] as const) {
      expect(JSON.stringify(payloadFor(agency, fta, { baseUrl: 'https://bridge.example' }))).not.toContain(
        'UNDOCUMENTED',
      );
    }
  });

  it('is a CloudEvents 1.0 event with a link back to the child record', () => {
    const ce = payloadFor('EOIR', fta, { baseUrl: 'https://bridge.example/' });
    expect(ce).toMatchObject({
      specversion: '1.0',
      id: 'evt-1',
      type: 'child.failed_to_appear',
      subject: 'C-000123',
      time: '2024-03-05T14:00:00.000Z',
      datacontenttype: 'application/json',
      source: 'https://bridge.example/notify',
      severity: 'critical',
    });
    expect(ce.data).toMatchObject({
      child_id: 'C-000123',
      office: 'HOU',
      state: 'TX',
      links: { child: 'https://bridge.example/children/C-000123' },
    });
  });

  it('refuses to record a field the catalogue does not declare', () => {
    expect(() =>
      checkEvent({
        type: 'alert.closed',
        occurredAt: new Date(),
        data: { alert_id: 'A1', sponsor_ssn: 'x' },
      }),
    ).toThrow(/sponsor_ssn/);
    expect(() =>
      checkEvent({ type: 'child.moved' as 'alert.closed', occurredAt: new Date(), data: {} }),
    ).toThrow(/unknown event type/);
  });
});

describe('subscription matching', () => {
  const base: SubscriptionFilter = {
    status: 'active',
    eventTypes: ['child.failed_to_appear'],
    offices: null,
    states: null,
    minSeverity: 'info',
  };
  const ev = { type: 'child.failed_to_appear', severity: 'critical' as const, office: 'HOU', state: 'TX' };
  it.each<[string, Partial<SubscriptionFilter>, Partial<typeof ev>, boolean]>([
    ['kind matches', {}, {}, true],
    ['other kind', { eventTypes: ['alert.opened'] }, {}, false],
    ['wildcard', { eventTypes: ['*'] }, {}, true],
    ['office filter hit', { offices: ['HOU', 'SNA'] }, {}, true],
    ['office filter miss', { offices: ['SNA'] }, {}, false],
    [
      'office filter, event without office',
      { offices: ['HOU'] },
      { office: null as unknown as string },
      false,
    ],
    ['state filter hit', { states: ['TX'] }, {}, true],
    ['state filter miss', { states: ['CA'] }, {}, false],
    ['severity at minimum', { minSeverity: 'critical' }, {}, true],
    ['severity below minimum', { minSeverity: 'critical' }, { severity: 'warning' as 'critical' }, false],
    ['disabled', { status: 'disabled' }, {}, false],
  ])('%s', (_name, sub, event, expected) => {
    expect(subscriptionMatches({ ...base, ...sub }, { ...ev, ...event })).toBe(expected);
  });
});

describe('retry policy', () => {
  const policy: RetryPolicy = { maxAttempts: 3, baseMs: 1000, capMs: 5000 };
  it('backs off exponentially with jitter within [ceiling/2, ceiling], capped', () => {
    expect(retryDelayMs(1, policy, () => 0)).toBe(500);
    expect(retryDelayMs(1, policy, () => 1)).toBe(1000);
    expect(retryDelayMs(3, policy, () => 1)).toBe(4000);
    expect(retryDelayMs(10, policy, () => 1)).toBe(5000);
    expect(retryDelayMs(10, policy, () => 0)).toBe(2500);
  });
  it('classifies answers: 2xx delivered, 410 gone, others retried until the limit', () => {
    const r = (statusCode: number | null) => ({
      ok: statusCode !== null && statusCode < 300,
      gone: statusCode === 410,
      statusCode,
      error: null,
    });
    expect(classifyAttempt(r(204), 1, policy)).toBe('delivered');
    expect(classifyAttempt(r(410), 1, policy)).toBe('gone');
    expect(classifyAttempt(r(500), 1, policy)).toBe('retry');
    expect(classifyAttempt(r(null), 2, policy)).toBe('retry');
    expect(classifyAttempt(r(500), 3, policy)).toBe('dead');
  });
});

describe('digest schedule', () => {
  it('runs today at the hour if it is still ahead, else tomorrow', () => {
    expect(nextDigestAt(new Date('2024-03-05T10:00:00Z'), 13).toISOString()).toBe('2024-03-05T13:00:00.000Z');
    expect(nextDigestAt(new Date('2024-03-05T13:00:00Z'), 13).toISOString()).toBe('2024-03-06T13:00:00.000Z');
    expect(nextDigestAt(new Date('2024-12-31T20:00:00Z'), 13).toISOString()).toBe('2025-01-01T13:00:00.000Z');
  });
});

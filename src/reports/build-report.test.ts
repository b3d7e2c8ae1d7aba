import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createTestDb, type TestDb } from '../db/testing.ts';
import { buildReport, listChildRows, listFigureChildren } from './index.ts';
import {
  HOUSTON,
  ReportFixture,
  addressUpdate,
  admission,
  eoir,
  nta,
  release,
  transfer,
} from './report-fixture.ts';

const D = '2020-06-30';
let t: TestDb;
beforeEach(async () => {
  t = await createTestDb();
});
afterEach(async () => {
  await t.close();
});

async function load(f: ReportFixture) {
  await f.insert(t.db);
}
const ids = async (figure: string, asOf = D) =>
  (await listFigureChildren(t.db, { figure, asOf })).map((c) => c.child_id);

describe('children in scope, transferred, released, fled', () => {
  it('counts distinct children from rows dated on or before the date, never out-of-scope rows', async () => {
    await load(
      new ReportFixture()
        .add('c1', transfer('2020-01-10'), admission('2020-01-10'), release('2020-02-01'))
        .add('c2', admission('2020-03-01'), { source: 'orr', event_type: 'RUNAWAY', own_date: '2020-04-01' })
        .add('c3', { source: 'cbp', event_type: 'ENCOUNTER', own_date: '2020-05-01' })
        .add('c4', transfer('2020-07-01'), release('2020-07-15')) // after the date
        .add('c5', admission('2020-01-01'), release('2020-08-01')) // released after the date
        .add(null, { source: 'cbp', event_type: 'ENCOUNTER', own_date: '2020-01-01', in_scope: false }),
    );
    const r = await buildReport(t.db, { asOf: D });
    expect(r.as_of).toBe(D);
    expect(r.children).toEqual({
      in_scope: 4,
      transferred_to_orr: 3,
      released_to_sponsor: 1,
      fled_custody: 1,
    });
    expect(await ids('transferred_to_orr')).toEqual(['c1', 'c2', 'c5']);
    expect(await ids('fled_custody')).toEqual(['c2']);

    const later = await buildReport(t.db, { asOf: '2020-12-31' });
    expect(later.children).toEqual({
      in_scope: 5,
      transferred_to_orr: 4,
      released_to_sponsor: 3,
      fled_custody: 1,
    });
  });
});

describe('NTA figures', () => {
  it('no_nta_served: released, no NTA served by the date and no court case opened by the date', async () => {
    await load(
      new ReportFixture()
        .add('none', admission('2020-01-01'), release('2020-02-01'))
        .add('issued-only', admission('2020-01-01'), release('2020-02-01'), nta('2020-02-10'))
        .add('served-later', admission('2020-01-01'), release('2020-02-01'), nta('2020-02-10', { served_date: '2020-07-02' }))
        .add('served', admission('2020-01-01'), release('2020-02-01'), nta('2020-02-10', { served_date: '2020-03-01' }))
        .add('case', admission('2020-01-01'), release('2020-02-01'), eoir('CASE_OPENED', '2020-05-01'))
        .add('case-later', admission('2020-01-01'), release('2020-02-01'), eoir('CASE_OPENED', '2020-07-01'))
        .add('not-released', admission('2020-01-01')),
    ); // prettier-ignore
    const r = await buildReport(t.db, { asOf: D });
    expect(await ids('no_nta_served')).toEqual(['case-later', 'issued-only', 'none', 'served-later']);
    expect(r.no_nta_served).toBe(4);
    // A year later the late service and the late court case count.
    expect((await buildReport(t.db, { asOf: '2021-06-30' })).no_nta_served).toBe(2);
  });

  it('nta_served_not_filed: served by the date, not filed by the date, no court case', async () => {
    await load(
      new ReportFixture()
        .add('served', nta('2020-01-01', { served_date: '2020-01-05' }))
        .add('filed', nta('2020-01-01', { served_date: '2020-01-05', filed_date: '2020-02-01' }))
        .add('filed-later', nta('2020-01-01', { served_date: '2020-01-05', filed_date: '2020-08-01' }))
        .add('case', nta('2020-01-01', { served_date: '2020-01-05' }), eoir('CASE_OPENED', '2020-03-01'))
        .add('served-later', nta('2020-01-01', { served_date: '2020-09-01' }))
        .add('two-ntas', nta('2020-01-01', { served_date: '2020-01-05' }), nta('2020-03-01', { filed_date: '2020-03-02' })),
    ); // prettier-ignore
    expect(await ids('nta_served_not_filed')).toEqual(['filed-later', 'served']);
    expect((await buildReport(t.db, { asOf: D })).nta_served_not_filed).toBe(2);
  });
});

describe('court figures', () => {
  it('failed_to_appear counts ABSENT results whose hearing is on or before the date; in absentia orders', async () => {
    await load(
      new ReportFixture()
        .add('absent', eoir('HEARING_RESULT', '2020-03-01', { hearing_at: '2020-03-01 09:00', attendance: 'ABSENT', in_absentia: true }))
        .add('absent-no-order', eoir('HEARING_RESULT', '2020-06-30', { hearing_at: '2020-06-30 15:30', attendance: 'ABSENT', in_absentia: false }))
        .add('present', eoir('HEARING_RESULT', '2020-03-01', { hearing_at: '2020-03-01 09:00', attendance: 'PRESENT', in_absentia: false }))
        .add('recorded-later', eoir('HEARING_RESULT', '2020-07-01', { hearing_at: '2020-06-29 09:00', attendance: 'ABSENT', in_absentia: true })),
    ); // prettier-ignore
    const r = await buildReport(t.db, { asOf: D });
    expect(await ids('failed_to_appear')).toEqual(['absent', 'absent-no-order']);
    expect(r.failed_to_appear).toBe(2);
    expect(r.in_absentia_orders).toBe(1);
    expect((await buildReport(t.db, { asOf: '2020-07-01' })).in_absentia_orders).toBe(2);
  });
});

describe('address defects of the current address', () => {
  const ok = (zip = '77002') => ({ line: '1 OAK ST', unit: null, city: 'HOUSTON', state: 'TX', zip });

  it('classifies blank, invalid (format, state, prefix), with ZIP+4 accepted', async () => {
    await load(
      new ReportFixture()
        .add('no-street', release('2020-01-01', { ...ok(), line: null }))
        .add('no-zip', release('2020-01-01', { ...ok(), zip: null }))
        .add('short-zip', release('2020-01-01', ok('7700')))
        .add('bad-state', release('2020-01-01', { ...ok(), state: 'XX' }))
        .add('wrong-prefix', release('2020-01-01', ok('10001')))
        .add('zip-plus-4', release('2020-01-01', ok('77002-1234')))
        .add('fine', release('2020-01-01', ok())),
    );
    const r = await buildReport(t.db, { asOf: D });
    expect(r.address_defects).toEqual({ blank: 2, invalid: 3, missing_unit: 0, undeliverable: 0 });
    expect(await ids('address_defects.invalid')).toEqual(['bad-state', 'short-zip', 'wrong-prefix']);
  });

  it('takes the newest address; on the same day EOIR over OPLA over ORR', async () => {
    // No street: blank, though the row carries an address.
    const blank = { line: null, unit: null, city: 'HOUSTON', state: 'TX', zip: '77002' };
    await load(
      new ReportFixture()
        // ORR's blank release address was replaced by a good ORR update: not blank.
        .add('updated', release('2020-01-01', blank), addressUpdate('2020-02-01', ok()))
        // Same day: the court's blank address beats OPLA's good one.
        .add('eoir-wins', release('2020-01-01', ok()), nta('2020-03-01', { address: ok() }), eoir('CASE_OPENED', '2020-03-01', { address: blank }))
        // Same day: OPLA's blank address beats ORR's good update.
        .add('opla-wins', release('2020-01-01', ok()), nta('2020-03-01', { address: blank }), addressUpdate('2020-03-01', ok()))
        // A newer blank address after the date does not count yet.
        .add('future', release('2020-01-01', ok()), addressUpdate('2020-08-01', blank)),
    ); // prettier-ignore
    expect(await ids('address_defects.blank')).toEqual(['eoir-wins', 'opla-wins']);
    expect(await ids('address_defects.blank', '2020-12-31')).toEqual(['eoir-wins', 'future', 'opla-wins']);
  });

  it('undeliverable: the court address is current and a notice came back on or after it took effect', async () => {
    const court = { line: '9 ELM AVE', unit: null, city: 'HOUSTON', state: 'TX', zip: '77003' };
    await load(
      new ReportFixture()
        .add('returned', release('2020-01-01'), eoir('CASE_OPENED', '2020-02-01', { address: court }), eoir('NOTICE_RETURNED', '2020-02-01'))
        .add('returned-before', release('2020-01-01'), eoir('NOTICE_RETURNED', '2020-01-15'), eoir('CASE_OPENED', '2020-02-01', { address: court }))
        .add('moved-since', release('2020-01-01'), eoir('CASE_OPENED', '2020-02-01', { address: court }), eoir('NOTICE_RETURNED', '2020-03-01'), addressUpdate('2020-04-01', ok()))
        .add('returned-later', release('2020-01-01'), eoir('CASE_OPENED', '2020-02-01', { address: court }), eoir('NOTICE_RETURNED', '2020-08-01')),
    ); // prettier-ignore
    expect(await ids('address_defects.undeliverable')).toEqual(['returned']);
    expect(await ids('address_defects.undeliverable', '2020-12-31')).toEqual(['returned', 'returned-later']);
  });

  it('missing_unit: no unit while a row with the same street and ZIP has one (as of the date)', async () => {
    const apt = { line: '5 PINE RD', unit: 'APT 3', city: 'HOUSTON', state: 'TX', zip: '77004' };
    const bare = { ...apt, unit: null };
    await load(
      new ReportFixture()
        .add('bare', release('2020-01-01', bare))
        .add('with-unit', release('2020-01-01', apt))
        .add('other-street', release('2020-01-01', { ...bare, line: '6 PINE RD' }))
        .add('bare-2', release('2020-01-01', { ...bare, zip: '77005' }))
        .add('unit-later', nta('2020-09-01', { address: { ...apt, zip: '77005' } })),
    );
    expect(await ids('address_defects.missing_unit')).toEqual(['bare']);
    expect(await ids('address_defects.missing_unit', '2020-12-31')).toEqual(['bare', 'bare-2']);
  });

  it('counts each released child once, first match wins, and ignores children never released', async () => {
    const apt = { line: '5 PINE RD', unit: '#7', city: 'HOUSTON', state: 'TX', zip: '77004' };
    await load(
      new ReportFixture()
        .add('blank-and-unit', release('2020-01-01', { ...apt, unit: null, zip: null }))
        .add('unit', release('2020-01-01', apt))
        .add('never-released', nta('2020-01-01', { address: { ...apt, line: null } })),
    );
    const r = await buildReport(t.db, { asOf: D });
    expect(r.address_defects).toEqual({ blank: 1, invalid: 0, missing_unit: 0, undeliverable: 0 });
  });
});

describe('recurring addresses', () => {
  it('counts addresses with 5+ distinct children released there, units compared by identifier', async () => {
    const base = { line: '77 CEDAR ST', city: 'HOUSTON', state: 'TX', zip: '77006' };
    const f = new ReportFixture();
    const units = ['APT 5', '#5', '5', 'UNIT 5', 'APARTMENT 5'];
    units.forEach((unit, i) => f.add(`r${i}`, release('2020-01-01', { ...base, unit })));
    f.add('r0', release('2020-03-01', { ...base, unit: 'APT 5' })); // same child again: still one
    f.add('other-unit', release('2020-01-01', { ...base, unit: 'APT 6' }));
    for (let i = 0; i < 4; i++) f.add(`s${i}`, release('2020-01-01', { ...base, line: '78 CEDAR ST' }));
    f.add('s-blank', release('2020-01-01', { ...base, line: '78 CEDAR ST', zip: null }));
    f.add('s-late', release('2020-07-01', { ...base, line: '78 CEDAR ST' }));
    await load(f);

    const r = await buildReport(t.db, { asOf: D });
    expect(r.recurring_addresses).toEqual({ addresses: 1, children: 5, threshold: 5 });
    expect(await ids('recurring_addresses')).toEqual(['r0', 'r1', 'r2', 'r3', 'r4']);
    expect((await buildReport(t.db, { asOf: '2020-12-31' })).recurring_addresses.addresses).toBe(2);
    expect((await buildReport(t.db, { asOf: D, recurringThreshold: 4 })).recurring_addresses).toEqual({
      addresses: 2,
      children: 9,
      threshold: 4,
    });
  });
});

describe('breakdowns and timeliness', () => {
  it('groups by fiscal year of the first transfer (FY N starts 1 October N-1)', async () => {
    await load(
      new ReportFixture()
        .add('fy19', transfer('2019-09-30'), admission('2019-10-02'), release('2019-11-01'))
        .add('fy20', admission('2019-10-01'), release('2019-12-01'))
        .add('fy20b', transfer('2020-01-01'))
        .add('none', nta('2020-01-01')),
    );
    const r = await buildReport(t.db, { asOf: D });
    expect(Object.keys(r.by_fiscal_year)).toEqual(['2019', '2020']);
    expect(r.by_fiscal_year['2019']).toMatchObject({
      transferred_to_orr: 1,
      released_to_sponsor: 1,
      no_nta_served: 1,
    });
    expect(r.by_fiscal_year['2020']).toMatchObject({
      transferred_to_orr: 2,
      released_to_sponsor: 1,
      no_nta_served: 1,
    });
    const fy = await listFigureChildren(t.db, {
      figure: 'transferred_to_orr',
      asOf: D,
      group: { dim: 'fiscal_year', key: '2020' },
    });
    expect(fy.map((c) => c.child_id)).toEqual(['fy20', 'fy20b']);
  });

  it('groups by state, ERO field office and country of the current address', async () => {
    await load(
      new ReportFixture()
        .add('hou', admission('2020-01-01'), release('2020-02-01', HOUSTON))
        .add('mca', admission('2020-01-01'), release('2020-02-01', { ...HOUSTON, city: 'MCALLEN', zip: '78501' }))
        .add('nyc', { ...admission('2020-01-01'), country: 'HND' }, { ...release('2020-02-01', { line: '1 BROADWAY', state: 'NY', zip: '10004' }), country: 'HND' })
        .add('nobody', admission('2020-01-01')),
    ); // prettier-ignore
    const r = await buildReport(t.db, { asOf: D });
    expect(Object.keys(r.by_state)).toEqual(['NY', 'TX', 'unknown']);
    expect(r.by_state.TX!.released_to_sponsor).toBe(2);
    expect(r.by_field_office.Houston!.released_to_sponsor).toBe(1);
    expect(r.by_field_office.Harlingen!.released_to_sponsor).toBe(1);
    expect(r.by_field_office['New York City']!.no_nta_served).toBe(1);
    expect(r.by_field_office.unknown!.in_scope).toBe(1);
    expect(r.by_country.HND!.in_scope).toBe(1);
    expect(r.by_country.GTM!.in_scope).toBe(3);
  });

  it('gives median and 90th percentile days from release to service and service to filing', async () => {
    const f = new ReportFixture();
    // Release on 1 Jan; service after 10, 20, ... 100 days; filing 5 days after service.
    for (let i = 1; i <= 10; i++) {
      const served = new Date(Date.UTC(2020, 0, 1 + 10 * i)).toISOString().slice(0, 10);
      const filed = new Date(Date.UTC(2020, 0, 6 + 10 * i)).toISOString().slice(0, 10);
      f.add(`c${i}`, release('2020-01-01'), nta('2020-01-01', { served_date: served, filed_date: filed }));
    }
    f.add('served-in-custody', release('2020-03-01'), nta('2020-01-01', { served_date: '2020-02-01' }));
    await load(f);
    const r = await buildReport(t.db, { asOf: '2020-12-31' });
    expect(r.timeliness.release_to_nta_served).toMatchObject({ children: 10, median_days: 55, p90_days: 91 });
    expect(r.timeliness.nta_served_to_filed).toMatchObject({ children: 10, median_days: 5, p90_days: 5 });
    // No hearing was missed and no task closed (follow-up-timeliness.test.ts measures those).
    expect(r.timeliness.missed_hearing_to_orr_notified).toMatchObject({
      children: 0,
      median_days: null,
      waiting: 0,
    });
    expect(r.timeliness.alert_to_task_closed).toMatchObject({ tasks: 0, median_days: null, waiting: 0 });
  });
});

describe('drill-down', () => {
  it('lists the source rows behind each child, as of the date', async () => {
    const f = new ReportFixture().add(
      'c1',
      admission('2020-01-01'),
      release('2020-02-01'),
      release('2020-08-01'),
    );
    await load(f);
    const rows = await listChildRows(t.db, D, ['c1']);
    expect(rows.map((r) => [r.source, r.record_id, r.own_date])).toEqual([
      ['orr', f.recordId(1), '2020-01-01'],
      ['orr', f.recordId(2), '2020-02-01'],
    ]);
  });

  it('rejects an unknown figure with the list of figures', async () => {
    await expect(listFigureChildren(t.db, { figure: 'nope', asOf: D })).rejects.toThrow(/no_nta_served/);
  });

  it('every count in the report equals the length of its drill-down list', async () => {
    await load(
      new ReportFixture()
        .add('a', transfer('2020-01-01'), release('2020-02-01', { line: null }), nta('2020-03-01', { served_date: '2020-03-02' }))
        .add('b', admission('2020-01-01'), release('2020-02-01'), eoir('HEARING_RESULT', '2020-04-01', { hearing_at: '2020-04-01 10:00', attendance: 'ABSENT', in_absentia: true }))
        .add('c', admission('2020-01-01'), { source: 'orr', event_type: 'RUNAWAY', own_date: '2020-01-20' }),
    ); // prettier-ignore
    const r = await buildReport(t.db, { asOf: D });
    const counted: Record<string, number> = {
      in_scope: r.children.in_scope,
      transferred_to_orr: r.children.transferred_to_orr,
      released_to_sponsor: r.children.released_to_sponsor,
      fled_custody: r.children.fled_custody,
      no_nta_served: r.no_nta_served,
      nta_served_not_filed: r.nta_served_not_filed,
      failed_to_appear: r.failed_to_appear,
      in_absentia_orders: r.in_absentia_orders,
      'address_defects.blank': r.address_defects.blank,
      'address_defects.invalid': r.address_defects.invalid,
      'address_defects.missing_unit': r.address_defects.missing_unit,
      'address_defects.undeliverable': r.address_defects.undeliverable,
      'recurring_addresses.children': r.recurring_addresses.children,
    };
    for (const [figure, n] of Object.entries(counted)) expect((await ids(figure)).length, figure).toBe(n);
    expect(r).toMatchObject({ no_nta_served: 1, nta_served_not_filed: 1, failed_to_appear: 1 });
  });
});

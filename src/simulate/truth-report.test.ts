import { describe, expect, it } from 'vitest';
import { TruthReporter } from './truth-report.ts';
import type { FeedRow, Source } from './feed-layout.ts';
import { normalizeAddress, staticDefect } from './address.ts';

let seq = 0;
const row = (source: Source, values: Record<string, string>): FeedRow => ({
  source,
  id: `R${++seq}`,
  values,
});
const cbp = (date: string) => row('cbp', { encounter_date: date, uc_designation: 'Y' });
const ice = (date: string) => row('ice', { transfer_date_time: `${date}T10:00:00` });
const us = (iso: string) => `${iso.slice(5, 7)}/${iso.slice(8, 10)}/${iso.slice(0, 4)}`;
const addr = (street: string, unit: string, state: string, zip: string) => ({
  street,
  unit,
  city: 'X',
  state,
  zip,
});
const release = (date: string, a = addr('12 Oak St', '', 'TX', '77001')) =>
  row('orr', { event_type: 'RELEASE', event_date: us(date), ...a });
const orr = (type: string, date: string) => row('orr', { event_type: type, event_date: us(date) });
const nta = (issued: string, served = '', filed = '', a = addr('', '', '', '')) =>
  row('opla', { issued_date: issued, served_date: served, filed_date: filed, ...a });
const eoir = (type: string, date: string, extra: Record<string, string> = {}) =>
  row('eoir', { event_type: type, event_date: date, ...extra });

function report(children: FeedRow[][], dates: string[]) {
  const r = new TruthReporter(dates);
  for (const c of children) r.addChild(c);
  return r.finish();
}

describe('truth report: figures as of a date', () => {
  const child = [
    cbp('2020-01-01'),
    ice('2020-01-03'),
    release('2020-02-01'),
    nta('2020-03-01', '2020-04-01', '2020-06-01'),
    eoir('CASE_OPENED', '2020-06-10'),
    eoir('HEARING_RESULT', '2020-09-01', {
      hearing_date: '2020-09-01 09:00',
      attendance: 'ABSENT',
      in_absentia: 'Y',
    }),
  ];
  const cases: [string, Record<string, number>][] = [
    [
      '2019-12-31',
      { in_scope: 0, transferred: 0, released: 0, noNta: 0, servedNotFiled: 0, fta: 0, absentia: 0 },
    ],
    [
      '2020-01-02',
      { in_scope: 1, transferred: 0, released: 0, noNta: 0, servedNotFiled: 0, fta: 0, absentia: 0 },
    ],
    [
      '2020-02-15',
      { in_scope: 1, transferred: 1, released: 1, noNta: 1, servedNotFiled: 0, fta: 0, absentia: 0 },
    ],
    // Issued but not yet served: still no NTA served.
    [
      '2020-03-15',
      { in_scope: 1, transferred: 1, released: 1, noNta: 1, servedNotFiled: 0, fta: 0, absentia: 0 },
    ],
    [
      '2020-04-15',
      { in_scope: 1, transferred: 1, released: 1, noNta: 0, servedNotFiled: 1, fta: 0, absentia: 0 },
    ],
    [
      '2020-06-05',
      { in_scope: 1, transferred: 1, released: 1, noNta: 0, servedNotFiled: 0, fta: 0, absentia: 0 },
    ],
    [
      '2020-09-01',
      { in_scope: 1, transferred: 1, released: 1, noNta: 0, servedNotFiled: 0, fta: 1, absentia: 1 },
    ],
  ];
  it.each(cases)('as of %s', (date, want) => {
    const [r] = report([child], [date]);
    expect({
      in_scope: r!.children.in_scope,
      transferred: r!.children.transferred_to_orr,
      released: r!.children.released_to_sponsor,
      noNta: r!.no_nta_served,
      servedNotFiled: r!.nta_served_not_filed,
      fta: r!.failed_to_appear,
      absentia: r!.in_absentia_orders,
    }).toEqual(want);
  });

  it('puts children in the fiscal year of their first transfer, and counts runaways', () => {
    const [r] = report(
      [
        [ice('2019-09-30'), orr('ADMISSION', '2019-10-01'), orr('RUNAWAY', '2019-10-05')],
        [orr('ADMISSION', '2019-10-01')],
      ],
      ['2020-01-01'],
    );
    expect(Object.keys(r!.by_fiscal_year)).toEqual(['2019', '2020']);
    expect(r!.by_fiscal_year['2019']!.fled_custody).toBe(1);
    expect(r!.children.fled_custody).toBe(1);
  });
});

describe('truth report: address defects of the current address', () => {
  const defects = (children: FeedRow[][], date = '2021-01-01') =>
    report(children, [date])[0]!.address_defects;

  it('takes the newest address, EOIR over OPLA over ORR on the same day', () => {
    const blank = addr('', '', 'TX', '77001');
    const good = addr('5 Elm St', '', 'TX', '77001');
    expect(defects([[release('2020-02-01', blank), nta('2020-02-01', '', '', good)]]).blank).toBe(0);
    expect(
      defects([
        [
          release('2020-02-01', good),
          nta('2020-02-01', '', '', good),
          eoir('CASE_OPENED', '2020-02-01', blank),
        ],
      ]).blank,
    ).toBe(1);
    // An NTA without any address printed does not replace the release address.
    expect(defects([[release('2020-02-01', blank), nta('2020-03-01')]]).blank).toBe(1);
  });

  it('classifies blank, invalid, undeliverable and missing units', () => {
    expect(defects([[release('2020-02-01', addr('1 Oak St', '', 'TX', '7700'))]]).invalid).toBe(1);
    expect(defects([[release('2020-02-01', addr('1 Oak St', '', 'XX', '77001'))]]).invalid).toBe(1);
    expect(defects([[release('2020-02-01', addr('1 Oak St', '', 'TX', '10001'))]]).invalid).toBe(1);
    const court = addr('9 Pine Ave', '', 'TX', '77001');
    expect(
      defects([
        [
          release('2020-02-01'),
          eoir('CASE_OPENED', '2020-05-01', court),
          eoir('NOTICE_RETURNED', '2020-06-01'),
        ],
      ]).undeliverable,
    ).toBe(1);
    // Returned mail about an older address on file does not make the newer one undeliverable.
    expect(
      defects([
        [
          release('2020-02-01'),
          eoir('NOTICE_RETURNED', '2020-04-01'),
          eoir('CASE_OPENED', '2020-05-01', court),
        ],
      ]).undeliverable,
    ).toBe(0);
    const withUnit = [release('2020-02-01', addr('12 North Oak Street', 'Apt 4', 'TX', '77001'))];
    const withoutUnit = [release('2020-03-01', addr('12 N. OAK ST', '', 'TX', '77001-1234'))];
    expect(defects([withUnit, withoutUnit]).missing_unit).toBe(1);
    // The building is not yet known to have units on that date.
    const laterUnit = [release('2021-06-01', addr('12 N Oak St #4', '', 'TX', '77001'))];
    expect(defects([laterUnit, withoutUnit]).missing_unit).toBe(0);
    expect(defects([laterUnit, withoutUnit], '2021-06-01').missing_unit).toBe(1);
  });

  it('counts addresses that received five or more children', () => {
    const forms = ['12 N. Oak Street #4', '12 North Oak St Apt 4', '12 n oak st', '12 N Oak St'];
    const kids = (n: number, unit: boolean) =>
      Array.from({ length: n }, (_, i) => [
        release('2020-02-01', addr(unit ? forms[i % 2]! : forms[2 + (i % 2)]!, '', 'TX', '77001')),
      ]);
    expect(report(kids(5, true), ['2021-01-01'])[0]!.recurring_addresses).toMatchObject({
      addresses: 1,
      children: 5,
    });
    expect(report(kids(4, true), ['2021-01-01'])[0]!.recurring_addresses).toMatchObject({
      addresses: 0,
      children: 0,
    });
    expect(
      report([...kids(4, true), ...kids(4, false)], ['2021-01-01'])[0]!.recurring_addresses.addresses,
    ).toBe(0);
  });
});

describe('address normalization for the truth', () => {
  it.each([
    [
      addr('123 North Main Street Apt 5', '', 'TX', '77001'),
      { line: '123 N MAIN ST', unit: '5', zip5: '77001' },
    ],
    [addr('123 N. Main St.', '#5', 'TX', '77001-0001'), { line: '123 N MAIN ST', unit: '5', zip5: '77001' }],
    [addr('123 n main st', 'Unit 5', 'TX', '77001'), { line: '123 N MAIN ST', unit: '5', zip5: '77001' }],
    [
      addr('123 Main Avenue', 'Apartment 5B', 'TX', '77001'),
      { line: '123 MAIN AVE', unit: '5B', zip5: '77001' },
    ],
  ])('%o', (a, want) => expect(normalizeAddress(a)).toEqual(want));

  it('knows blank and invalid addresses', () => {
    expect(staticDefect(addr('', '', 'TX', '77001'))).toBe('blank');
    expect(staticDefect(addr('1 A St', '', 'TX', ''))).toBe('blank');
    expect(staticDefect(addr('1 A St', '', 'TX', '77001'))).toBeNull();
    expect(staticDefect(addr('1 A St', '', 'NY', '77001'))).toBe('invalid');
  });
});

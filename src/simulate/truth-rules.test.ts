// The truth's per-rule oracle on hand-made children: which rules hold on which day.
import { describe, expect, it } from 'vitest';
import { isoToDay } from './dates.ts';
import type { FeedRow, Source } from './feed-layout.ts';
import { rulesHolding } from './truth-rules.ts';

let seq = 0;
const row = (source: Source, values: Record<string, string>): FeedRow => ({
  source,
  id: `R${++seq}`,
  values,
});
const us = (iso: string) => `${iso.slice(5, 7)}/${iso.slice(8, 10)}/${iso.slice(0, 4)}`;
const home = { street: '12 Oak St', unit: '', city: 'Houston', state: 'TX', zip: '77002' };
const moved = { street: '400 Elm St', unit: '', city: 'Houston', state: 'TX', zip: '77003' };
const cbp = (d: string) => row('cbp', { encounter_date: d });
const ice = (bookIn: string, transfer: string) =>
  row('ice', { book_in_date_time: bookIn, transfer_date_time: transfer });
const orr = (type: string, d: string, extra: Record<string, string> = {}) =>
  row('orr', { event_type: type, event_date: us(d), ...extra });
const nta = (issued: string, served = '', filed = '', a: Record<string, string> = home) =>
  row('opla', { issued_date: issued, served_date: served, filed_date: filed, ...a });
const eoir = (type: string, d: string, extra: Record<string, string> = {}) =>
  row('eoir', { event_type: type, event_date: d, idncase: 'C1', ...extra });

const holding = (rows: FeedRow[], on: string, dob = '2008-01-01') =>
  [...rulesHolding(rows, dob, isoToDay(on))].sort();

describe('truth per rule', () => {
  const released = [
    cbp('2021-01-01'),
    ice('2021-01-01T10:00:00', '2021-01-05T10:00:00'), // 96 hours
    orr('ADMISSION', '2021-01-05'),
    orr('RELEASE', '2021-02-01', home),
  ];

  it.each([
    ['2021-01-03', []],
    ['2021-03-03', ['TRANSFER_OVER_72H']], // 30 days after release: not yet
    ['2021-03-04', ['NO_NTA', 'TRANSFER_OVER_72H']],
  ])('a released child without an NTA, as of %s', (on, want) => {
    expect(holding(released, on)).toEqual(want);
  });

  it('follows an NTA from served to filed to a court case with a missed hearing', () => {
    const rows = [
      ...released,
      nta('2021-03-01', '2021-03-10', '2021-06-01'),
      eoir('CASE_OPENED', '2021-06-05', { ...home }),
      eoir('HEARING_SCHEDULED', '2021-06-10', { hearing_date: '2021-09-01 09:00' }),
      eoir('HEARING_RESULT', '2021-09-01', { hearing_date: '2021-09-01 09:00', attendance: 'ABSENT' }),
    ];
    expect(holding(rows, '2021-04-09')).toEqual(['TRANSFER_OVER_72H']);
    expect(holding(rows, '2021-04-10')).toEqual(['NTA_NOT_FILED', 'TRANSFER_OVER_72H']);
    expect(holding(rows, '2021-06-02')).toEqual(['TRANSFER_OVER_72H']);
    expect(holding(rows, '2021-09-01')).toEqual(['FAILED_TO_APPEAR', 'TRANSFER_OVER_72H']);
    // 60 days after the last hearing with nothing on the calendar.
    expect(holding(rows, '2021-11-01')).toEqual([
      'FAILED_TO_APPEAR',
      'NO_HEARING_SCHEDULED',
      'TRANSFER_OVER_72H',
    ]);
    // Turned 18 on 2021-10-01 with the case open since before.
    expect(holding(rows, '2021-11-01', '2003-10-01')).toContain('AGED_OUT_IN_PROCEEDINGS');
    expect(holding(rows, '2021-09-30', '2003-10-01')).not.toContain('AGED_OUT_IN_PROCEEDINGS');
  });

  it('sees the court left behind by a move ORR reported, and a failed safety call', () => {
    const rows = [
      ...released,
      orr('SAFETY_CALL', '2021-03-05', { call_outcome: 'NOT_REACHED' }),
      nta('2021-03-01', '2021-03-01', '2021-03-20'),
      eoir('CASE_OPENED', '2021-03-25', { ...home }),
      eoir('HEARING_SCHEDULED', '2021-03-26', { hearing_date: '2021-12-01 09:00' }),
      orr('ADDRESS_UPDATE', '2021-05-01', moved),
    ];
    expect(holding(rows, '2021-04-30')).toEqual(['SAFETY_CALL_FAILED', 'TRANSFER_OVER_72H']);
    expect(holding(rows, '2021-05-01')).toEqual(['ADDRESS_DRIFT', 'SAFETY_CALL_FAILED', 'TRANSFER_OVER_72H']);
    const reached = [...rows, orr('SAFETY_CALL', '2021-05-10', { call_outcome: 'REACHED' })];
    expect(holding(reached, '2021-05-10')).toEqual(['ADDRESS_DRIFT', 'TRANSFER_OVER_72H']);
    const told = [...rows, eoir('ADDRESS_CHANGE', '2021-05-12', { ...moved })];
    expect(holding(told, '2021-05-12')).toEqual(['SAFETY_CALL_FAILED', 'TRANSFER_OVER_72H']);
  });

  it('counts a runaway as fled until the child is back in custody', () => {
    const rows = [
      cbp('2021-01-01'),
      ice('2021-01-01T10:00:00', '2021-01-02T10:00:00'),
      orr('ADMISSION', '2021-01-02'),
    ];
    const ran = [...rows, orr('RUNAWAY', '2021-02-01')];
    expect(holding(ran, '2021-02-01')).toEqual(['FLED_CUSTODY']);
    expect(holding([...ran, cbp('2021-03-01')], '2021-03-01')).toEqual([]);
  });
});

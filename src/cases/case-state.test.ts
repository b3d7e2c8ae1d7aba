import { describe, expect, it } from 'vitest';
import { caseState, nextHearing } from './case-state.ts';
import { Facts, HOME, OTHER_HOME } from './testing.ts';

function story() {
  const f = new Facts();
  f.encounter('2020-01-01');
  f.transfer('2020-01-01T10:00:00', '2020-01-03T10:00:00');
  f.admission('2020-01-03');
  f.release('2020-02-10', HOME, '2A');
  f.safetyCall('2020-03-11', 'REACHED');
  f.nta('2020-03-01', { served: '2020-03-15', filed: '2020-04-01', address: HOME });
  f.caseOpened('2020-04-02', { address: HOME });
  f.hearingScheduled('2020-04-03', '2020-07-01');
  f.addressUpdate('2020-05-01', OTHER_HOME);
  f.hearingResult('2020-07-01', 'ABSENT', true);
  f.caseCompleted('2020-07-01', 'REMOVAL_ORDER');
  return f;
}

describe('caseState', () => {
  it.each([
    ['2019-12-31', 'unknown'],
    ['2020-01-01', 'encountered'],
    ['2020-01-03', 'in_orr_care'],
    ['2020-02-10', 'released'],
  ] as const)('custody as of %s is %s', (asOf, status) => {
    expect(caseState(story().records, asOf).custody.status).toBe(status);
  });

  it('counts an NTA served or filed only once the date has come', () => {
    const s = caseState(story().records, '2020-03-20');
    expect(s.ntas).toMatchObject([{ servedOn: '2020-03-15', filedOn: null }]);
    expect(caseState(story().records, '2020-03-10').ntas[0]!.servedOn).toBeNull();
  });

  it('knows each agency copy of the address and the current one', () => {
    const s = caseState(story().records, '2020-06-01');
    expect(s.addresses.orr!.address.line).toBe('45 OAK AVE');
    expect(s.addresses.eoir!.address.line).toBe('123 MAIN ST');
    expect(s.addresses.current!.source).toBe('orr');
    expect(s.sponsor).toMatchObject({ category: '2A' });
  });

  it('on the same day the court is newer than the NTA, which is newer than ORR', () => {
    const f = new Facts();
    f.release('2020-01-01', HOME);
    f.nta('2020-01-01', { address: OTHER_HOME });
    expect(caseState(f.records, '2020-01-02').addresses.current!.source).toBe('opla');
    f.caseOpened('2020-01-01', { address: { ...HOME, line: '9 ELM ST' } });
    expect(caseState(f.records, '2020-01-02').addresses.current!.source).toBe('eoir');
  });

  it('puts the hearing on the calendar and its result in the case', () => {
    expect(nextHearing(caseState(story().records, '2020-05-01'))?.on).toBe('2020-07-01');
    const s = caseState(story().records, '2020-08-01');
    expect(s.courtCases[0]).toMatchObject({
      completion: 'REMOVAL_ORDER',
      results: [{ attendance: 'ABSENT', inAbsentia: true }],
    });
    expect(nextHearing(s)).toBeNull();
  });

  it('gives a timeline of every fact in date order, each with its source row', () => {
    const f = story();
    const s = caseState(f.records, '2020-12-31');
    const facts = s.timeline.map((t) => t.fact);
    expect(facts).toEqual([
      'ENCOUNTERED',
      'TRANSFERRED_TO_ORR',
      'ADMITTED_TO_ORR',
      'RELEASED_TO_SPONSOR',
      'NTA_ISSUED',
      'SAFETY_CALL',
      'NTA_SERVED',
      'NTA_FILED',
      'COURT_CASE_OPENED',
      'HEARING_SCHEDULED',
      'ADDRESS_UPDATED',
      'HEARING_HELD',
      'COURT_CASE_COMPLETED',
    ]);
    for (const t of s.timeline) expect(f.records.find((r) => r.pk === t.recordPk)?.recordId).toBe(t.recordId);
    expect(s.transfers[0]!.hours).toBe(48);
  });

  it('a runaway then a new admission is back in care; aged-out discharges are their own status', () => {
    const f = new Facts();
    f.admission('2020-01-01');
    f.runaway('2020-01-05');
    expect(caseState(f.records, '2020-01-06').custody.status).toBe('fled');
    f.admission('2020-01-09');
    expect(caseState(f.records, '2020-01-10').custody.status).toBe('in_orr_care');
    f.discharge('2020-02-01', 'AGED_OUT');
    expect(caseState(f.records, '2020-02-01').custody.status).toBe('aged_out');
  });
});

import { describe, expect, it } from 'vitest';
import { mapRow, sourceFromFileName, type Source } from './sources.ts';
import fc from 'fast-check';
import { foldName, foldNameStepByStep, parseANumber, parseDate } from './fields.ts';
import { validRow } from './testing.ts';

const mapped = (source: Source, id: string, over: Record<string, string> = {}) => {
  const r = mapRow(source, validRow(source, id, over));
  if (!r.ok) throw new Error(JSON.stringify(r.reasons));
  return r.record;
};
const reasons = (source: Source, over: Record<string, string>) => {
  const r = mapRow(source, validRow(source, 'X1', over));
  return r.ok ? [] : r.reasons.map((x) => x.field);
};

describe('A-numbers and dates', () => {
  it.each([
    ['A123456789', '123456789'],
    ['a-123-456-789', '123456789'],
    ['123456789', '123456789'],
    ['12345678', '012345678'],
    ['A 023 456 789', '023456789'],
  ])('%s -> %s', (text, nine) => expect(parseANumber(text)).toEqual({ ok: true, value: nine }));
  it.each(['1234567', 'A12345678901', 'B123456789', '12345678X'])('%s is not an A-number', (text) =>
    expect(parseANumber(text).ok).toBe(false),
  );
  it('checks calendar dates in each format', () => {
    expect(parseDate('02/29/2008', 'MM/DD/YYYY')).toEqual({ ok: true, value: '2008-02-29' });
    expect(parseDate('2/9/2008', 'MM/DD/YYYY')).toEqual({ ok: true, value: '2008-02-09' });
    expect(parseDate('02/29/2009', 'MM/DD/YYYY').ok).toBe(false);
    expect(parseDate('14/03/2008', 'MM/DD/YYYY').ok).toBe(false);
    expect(parseDate('2008-03-14', 'MM/DD/YYYY').ok).toBe(false);
    expect(parseDate('03/14/2008', 'YYYY-MM-DD').ok).toBe(false);
  });
});

describe('CBP encounters', () => {
  it('maps every accepted form', () => {
    expect(mapped('cbp', 'E1')).toMatchObject({
      in_scope: true,
      event_type: 'ENCOUNTER',
      own_date: '2023-05-02',
      a_number: '123456789',
      surname1: 'GARCIA',
      surname2: 'LOPEZ',
      given_names: 'MARIA JOSE',
      country: 'GTM',
      sex: 'F',
    });
    for (const sex of ['M', 'F', 'X', 'U']) expect(mapped('cbp', 'E', { sex }).sex).toBe(sex);
    expect(mapped('cbp', 'E', { uc_designation: 'N' }).in_scope).toBe(false);
    expect(mapped('cbp', 'E', { a_number: '', sector: '' })).toMatchObject({ a_number: null, sector: null });
  });
  it.each([
    [{ birth_date: '03/14/2008' }, ['birth_date']],
    [{ sex: 'MALE' }, ['sex']],
    [{ citizenship: 'GUATEMALA' }, ['citizenship']],
    [{ citizenship: 'ZZZ' }, ['citizenship']],
    [{ uc_designation: '' }, ['uc_designation']],
    [{ encounter_id: '' }, ['encounter_id']],
    [{ given_name: '', encounter_date: '2023-13-01' }, ['given_name', 'encounter_date']],
    [{ a_number: 'A12' }, ['a_number']],
  ])('rejects %j', (over, fields) => expect(reasons('cbp', over)).toEqual(fields));
});

describe('ICE transfers', () => {
  it('maps every accepted form', () => {
    expect(mapped('ice', 'T1')).toMatchObject({
      event_type: 'TRANSFER',
      own_date: '2023-05-04',
      transfer_at: '2023-05-04 08:00:00',
      book_in_at: '2023-05-02 10:15:00',
      dob: '2008-03-14',
      sex: 'F',
      country: 'GTM',
      surname1: 'GARCIA',
      given_names: 'MARIA JOSE',
    });
    expect(mapped('ice', 'T', { gender: 'UNKNOWN', country_of_citizenship: 'EL SALVADOR' })).toMatchObject({
      sex: 'U',
      country: 'SLV',
    });
  });
  it.each([
    [{ a_number: '' }, ['a_number']],
    [{ subject_name: 'GARCIA MARIA' }, ['subject_name']],
    [{ dob: '2008-03-14' }, ['dob']],
    [{ gender: 'F' }, ['gender']],
    [{ country_of_citizenship: 'NARNIA' }, ['country_of_citizenship']],
    [{ transfer_date_time: '2023-05-04 08:00' }, ['transfer_date_time']],
  ])('rejects %j', (over, fields) => expect(reasons('ice', over)).toEqual(fields));
});

describe('ORR events', () => {
  it('maps a release with its sponsor and address', () => {
    expect(mapped('orr', 'O1')).toMatchObject({
      event_type: 'RELEASE',
      own_date: '2023-06-10',
      orr_uc_id: 'UC1001',
      a_number: null,
      given_names: 'MARIA JOSE',
      surname1: 'GARCIA',
      surname2: 'LOPEZ',
      sponsor_id: 'SP77',
      sponsor_category: '2B',
      addr_line: '45 ELM AVE',
      addr_unit: '5',
      addr_city: 'HOUSTON',
      addr_state: 'TX',
      addr_zip5: '77002',
      address_as_sent: expect.objectContaining({ street: '45 Elm Avenue Apt 5', zip: '77002-1234' }),
    });
  });
  it('maps each event type with its own required fields', () => {
    const noRelease = { sponsor_id: '', sponsor_relationship: '', street: '', city: '', state: '', zip: '' };
    expect(mapped('orr', 'O', { event_type: 'ADMISSION', ...noRelease }).address_as_sent).toBeNull();
    expect(
      mapped('orr', 'O', { event_type: 'SAFETY_CALL', call_outcome: 'NOT_REACHED', ...noRelease })
        .call_outcome,
    ).toBe('NOT_REACHED');
    expect(
      mapped('orr', 'O', { event_type: 'DISCHARGE_OTHER', discharge_reason: 'AGED_OUT', ...noRelease })
        .discharge_reason,
    ).toBe('AGED_OUT');
    expect(mapped('orr', 'O', { event_type: 'RUNAWAY', ...noRelease }).event_type).toBe('RUNAWAY');
    // A release address with blank parts is kept: a blank address is a defect to report, not a bad row.
    expect(mapped('orr', 'O', { street: '', zip: '' })).toMatchObject({ addr_line: null, addr_zip5: null });
  });
  it.each([
    [{ event_type: 'ESCAPE' }, ['event_type']],
    [{ sponsor_id: '' }, ['sponsor_id']],
    [{ sponsor_relationship: '4' }, ['sponsor_relationship']],
    [{ event_type: 'SAFETY_CALL', call_outcome: '' }, ['call_outcome']],
    [{ event_type: 'DISCHARGE_OTHER', discharge_reason: 'BORED' }, ['discharge_reason']],
    [{ child_sex: 'X' }, ['child_sex']],
    [{ orr_uc_id: '' }, ['orr_uc_id']],
    [{ event_date: '2023-06-10' }, ['event_date']],
  ])('rejects %j', (over, fields) => expect(reasons('orr', over)).toEqual(fields));
});

describe('OPLA NTAs', () => {
  it('maps every accepted form', () => {
    expect(mapped('opla', 'N1')).toMatchObject({
      event_type: 'NTA',
      own_date: '2023-06-20',
      issued_date: '2023-06-20',
      served_date: '2023-06-25',
      filed_date: null,
      service_method: 'MAIL',
      court_code: 'HOU',
      a_number: '012345678',
      given_names: 'MARIA JOSE',
      surname1: 'GARCIA',
      surname2: 'LOPEZ',
      addr_unit: '5',
    });
    expect(mapped('opla', 'N', { served_date: '', service_method: '', court_code: '' })).toMatchObject({
      served_date: null,
      court_code: null,
    });
  });
  it.each([
    [{ served_date: '06/25/2023' }, ['served_date']],
    [{ service_method: 'EMAIL' }, ['service_method']],
    [{ court_code: 'HOUS' }, ['court_code']],
    [{ respondent_name: '' }, ['respondent_name']],
  ])('rejects %j', (over, fields) => expect(reasons('opla', over)).toEqual(fields));
});

describe('EOIR events', () => {
  it('maps every accepted form', () => {
    expect(mapped('eoir', 'V1')).toMatchObject({
      event_type: 'HEARING_RESULT',
      own_date: '2024-01-15',
      idncase: 'C900001',
      hearing_at: '2024-01-15 09:00:00',
      hearing_type: 'MASTER',
      attendance: 'ABSENT',
      in_absentia: true,
      address_as_sent: null,
    });
    const opened = mapped('eoir', 'V', {
      event_type: 'CASE_OPENED',
      hearing_date: '',
      hearing_type: '',
      attendance: '',
      in_absentia: '',
      street: '12 Oak Street',
      unit: 'Apt 3',
      zip: '1234',
    });
    expect(opened).toMatchObject({
      hearing_at: null,
      in_absentia: null,
      addr_line: '12 OAK ST',
      addr_unit: '3',
      addr_zip5: '1234',
    });
    expect(
      mapped('eoir', 'V', {
        event_type: 'CASE_COMPLETED',
        completion: 'TERMINATED',
        attendance: '',
        in_absentia: '',
      }).completion,
    ).toBe('TERMINATED');
  });
  it.each([
    [{ hearing_date: '2024-01-15' }, ['hearing_date']],
    [{ in_absentia: '' }, ['in_absentia']],
    [{ event_type: 'CASE_COMPLETED', completion: '' }, ['completion']],
    [{ court_code: '' }, ['court_code']],
    [{ idncase: '' }, ['idncase']],
    [{ a_number: '' }, ['a_number']],
  ])('rejects %j', (over, fields) => expect(reasons('eoir', over)).toEqual(fields));
});

describe('source from the file name', () => {
  it.each([
    ['cbp_encounters_2024.csv', 'cbp'],
    ['ICE_transfers.csv.gz', 'ice'],
    ['opla_ntas.csv', 'opla'],
    ['ntas.csv', undefined],
  ])('%s', (name, source) => expect(sourceFromFileName(name)).toBe(source));
});

describe('folding a name', () => {
  it('gives what folding step by step gives, whether or not the name is already folded', () => {
    const name = fc.stringMatching(/^[A-Za-z0-9 '\-.,éñÑÁü\t]{0,16}$/);
    fc.assert(
      fc.property(name, (t) => {
        expect(foldName(t)).toBe(foldNameStepByStep(t));
        expect(foldName(foldNameStepByStep(t))).toBe(foldNameStepByStep(t));
      }),
      { numRuns: 2000 },
    );
    expect(foldName('  José  de la Cruz ')).toBe('JOSE DE LA CRUZ');
    expect(foldName("O'BRIEN-GARCIA")).toBe("O'BRIEN-GARCIA");
  });
});

describe('dates', () => {
  it('knows the length of every month, leap years included', () => {
    for (let y = 1900; y <= 2100; y++) {
      for (let m = 1; m <= 12; m++) {
        const days = new Date(Date.UTC(y, m, 0)).getUTCDate();
        const iso = (d: number) => `${y}-${String(m).padStart(2, '0')}-${String(d).padStart(2, '0')}`;
        expect(parseDate(iso(days), 'YYYY-MM-DD')).toEqual({ ok: true, value: iso(days) });
        expect(parseDate(iso(days + 1), 'YYYY-MM-DD').ok).toBe(false);
      }
    }
  });
});

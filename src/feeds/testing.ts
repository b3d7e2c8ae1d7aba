// Synthetic feed rows for tests and benchmarks (no real people): a valid row of each source, and
// a CSV writer that keeps fields exactly as given.
import type { Source } from './sources.ts';
import { SOURCE_COLUMNS } from './sources.ts';

export type Fields = Record<string, string>;

export function validRow(source: Source, id: string, over: Fields = {}): Fields {
  const base: Record<Source, Fields> = {
    cbp: {
      encounter_id: id,
      a_number: 'A123456789',
      family_name: 'GARCIA LOPEZ',
      given_name: 'MARIA JOSE',
      birth_date: '2008-03-14',
      sex: 'F',
      citizenship: 'GTM',
      encounter_date: '2023-05-02',
      sector: 'RGV',
      uc_designation: 'Y',
    },
    ice: {
      transfer_id: id,
      a_number: '123-456-789',
      subject_name: 'GARCIA LOPEZ, MARIA JOSE',
      dob: '03/14/2008',
      gender: 'FEMALE',
      country_of_citizenship: 'GUATEMALA',
      book_in_date_time: '2023-05-02T10:15:00',
      transfer_date_time: '2023-05-04T08:00:00',
      orr_facility: 'TX-101',
    },
    orr: {
      orr_record_id: id,
      orr_uc_id: 'UC1001',
      event_type: 'RELEASE',
      event_date: '06/10/2023',
      a_number: '',
      child_first_name: 'María José',
      child_last_name: 'García López',
      child_dob: '03/14/2008',
      child_sex: 'F',
      country_of_birth: 'Guatemala',
      sponsor_id: 'SP77',
      sponsor_relationship: '2B',
      street: '45 Elm Avenue Apt 5',
      unit: '',
      city: 'Houston',
      state: 'TX',
      zip: '77002-1234',
      call_outcome: '',
      discharge_reason: '',
    },
    opla: {
      nta_id: id,
      a_number: '12345678',
      respondent_name: 'MARIA JOSE GARCIA LOPEZ',
      dob: '2008-03-14',
      issued_date: '2023-06-20',
      served_date: '2023-06-25',
      service_method: 'MAIL',
      filed_date: '',
      court_code: 'HOU',
      street: '45 ELM AVE',
      unit: '#5',
      city: 'HOUSTON',
      state: 'TX',
      zip: '77002',
    },
    eoir: {
      eoir_event_id: id,
      idncase: 'C900001',
      a_number: 'A-123-456-789',
      last_name: 'GARCIA LOPEZ',
      first_name: 'MARIA JOSE',
      event_type: 'HEARING_RESULT',
      event_date: '2024-01-15',
      hearing_date: '2024-01-15 09:00',
      hearing_type: 'MASTER',
      court_code: 'HOU',
      attendance: 'ABSENT',
      in_absentia: 'Y',
      completion: '',
      street: '',
      unit: '',
      city: '',
      state: '',
      zip: '',
    },
  };
  return { ...base[source], ...over };
}

function csvCell(v: string): string {
  return /[",\r\n]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v;
}

/** A CSV file body: the header (default: the source's columns) then one line per row. */
export function toCsv(source: Source, rows: readonly Fields[], columns?: readonly string[]): string {
  const cols = columns ?? SOURCE_COLUMNS[source];
  return (
    [cols.join(','), ...rows.map((r) => cols.map((c) => csvCell(r[c] ?? '')).join(','))].join('\n') + '\n'
  );
}

const GIVEN = [
  'MARIA JOSE',
  'JUAN CARLOS',
  'ANA',
  'BRAYAN ALEXANDER',
  'IXCHEL',
  'JOSUE',
  'DULCE MARIA',
  'KEVIN',
];
const SURNAMES = [
  'GARCIA',
  'LOPEZ',
  'DE LA CRUZ',
  'TZUL',
  'CHOC',
  'PEREZ',
  'AJU',
  'HERNANDEZ',
  'DEL CID',
  'CAAL',
];

/**
 * A synthetic row `i` of `source`, varied deterministically (names, dates, A-numbers, addresses).
 * Every `badEvery`-th row has a bad date (0: none).
 */
export function syntheticRow(source: Source, i: number, badEvery = 0): Fields {
  const given = GIVEN[i % GIVEN.length]!;
  const s1 = SURNAMES[i % SURNAMES.length]!;
  const s2 = SURNAMES[(i * 7 + 3) % SURNAMES.length]!;
  const day = (i % 28) + 1;
  const month = (i % 12) + 1;
  const pad = (n: number) => String(n).padStart(2, '0');
  const aNum = String(200000000 + i);
  const over: Fields = {};
  switch (source) {
    case 'cbp':
      Object.assign(over, {
        family_name: `${s1} ${s2}`,
        given_name: given,
        a_number: `A${aNum}`,
        birth_date: `2007-${pad(month)}-${pad(day)}`,
        encounter_date: `2023-${pad(month)}-${pad(day)}`,
        uc_designation: i % 20 === 0 ? 'N' : 'Y',
      });
      break;
    case 'ice':
      Object.assign(over, {
        subject_name: `${s1} ${s2}, ${given}`,
        a_number: aNum,
        dob: `${pad(month)}/${pad(day)}/2007`,
        transfer_date_time: `2023-${pad(month)}-${pad(day)}T08:00:00`,
      });
      break;
    case 'orr':
      Object.assign(over, {
        orr_uc_id: `UC${i}`,
        child_first_name: given,
        child_last_name: `${s1} ${s2}`,
        event_date: `${pad(month)}/${pad(day)}/2023`,
        street: `${100 + (i % 900)} ${i % 2 ? 'North Main Street' : 'Elm Ave'}${i % 3 ? ` Apt ${i % 50}` : ''}`,
        zip: String(77000 + (i % 999)),
      });
      break;
    case 'opla':
      Object.assign(over, {
        respondent_name: `${given} ${s1} ${s2}`,
        a_number: aNum,
        issued_date: `2023-${pad(month)}-${pad(day)}`,
        served_date: i % 3 ? `2023-${pad(month)}-${pad(day)}` : '',
      });
      break;
    case 'eoir':
      Object.assign(over, {
        last_name: `${s1} ${s2}`,
        first_name: given,
        a_number: aNum,
        idncase: `C${i}`,
        event_date: `2024-${pad(month)}-${pad(day)}`,
        hearing_date: `2024-${pad(month)}-${pad(day)} 09:00`,
      });
      break;
  }
  if (badEvery && i % badEvery === badEvery - 1) {
    const dateField = { cbp: 'birth_date', ice: 'dob', orr: 'child_dob', opla: 'dob', eoir: 'event_date' }[
      source
    ];
    over[dateField] = '2007-02-30';
  }
  return validRow(source, `${source.toUpperCase()}${i}`, over);
}

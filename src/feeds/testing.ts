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

// The five source files of spec/feeds.md: columns per source, and how each source's rows are split
// into files. Files are read in name order, so corrections come in a file named after the others;
// second parts overlap the first, put the columns in another order and add a column nobody asked for.

export type Source = 'cbp' | 'ice' | 'orr' | 'opla' | 'eoir';
export const sources: readonly Source[] = ['cbp', 'ice', 'orr', 'opla', 'eoir'];

export const columns: Record<Source, readonly string[]> = {
  cbp: [
    'encounter_id',
    'a_number',
    'family_name',
    'given_name',
    'birth_date',
    'sex',
    'citizenship',
    'encounter_date',
    'sector',
    'uc_designation',
  ],
  ice: [
    'transfer_id',
    'a_number',
    'subject_name',
    'dob',
    'gender',
    'country_of_citizenship',
    'book_in_date_time',
    'transfer_date_time',
    'orr_facility',
  ],
  orr: [
    'orr_record_id',
    'orr_uc_id',
    'event_type',
    'event_date',
    'a_number',
    'child_first_name',
    'child_last_name',
    'child_dob',
    'child_sex',
    'country_of_birth',
    'sponsor_id',
    'sponsor_relationship',
    'street',
    'unit',
    'city',
    'state',
    'zip',
    'call_outcome',
    'discharge_reason',
  ],
  opla: [
    'nta_id',
    'a_number',
    'respondent_name',
    'dob',
    'issued_date',
    'served_date',
    'service_method',
    'filed_date',
    'court_code',
    'street',
    'unit',
    'city',
    'state',
    'zip',
  ],
  eoir: [
    'eoir_event_id',
    'idncase',
    'a_number',
    'last_name',
    'first_name',
    'event_type',
    'event_date',
    'hearing_date',
    'hearing_type',
    'court_code',
    'attendance',
    'in_absentia',
    'completion',
    'street',
    'unit',
    'city',
    'state',
    'zip',
  ],
};

export interface FileSpec {
  name: string;
  source: Source;
  /** Header in file order; may include a column the spec does not know. */
  header: readonly string[];
  gzip: boolean;
  bom: boolean;
}

/** The extra column second-part files carry (an extract timestamp the sources add). */
export const extraColumn = 'extract_batch';

function reordered(source: Source): string[] {
  const cols = [...columns[source]];
  // A fixed permutation: second half first, then an unknown column, then the first half reversed.
  const half = Math.ceil(cols.length / 2);
  return [...cols.slice(half), extraColumn, ...cols.slice(0, half).reverse()];
}

export interface SourceFiles {
  parts: FileSpec[];
  corrections: FileSpec;
}

export const filePlan: Record<Source, SourceFiles> = {
  cbp: {
    parts: [
      { name: 'cbp_encounters_01.csv', source: 'cbp', header: columns.cbp, gzip: false, bom: false },
      { name: 'cbp_encounters_02.csv', source: 'cbp', header: reordered('cbp'), gzip: false, bom: false },
    ],
    corrections: {
      name: 'cbp_encounters_03_corrections.csv',
      source: 'cbp',
      header: columns.cbp,
      gzip: false,
      bom: false,
    },
  },
  ice: {
    parts: [{ name: 'ice_transfers_01.csv', source: 'ice', header: columns.ice, gzip: false, bom: true }],
    corrections: {
      name: 'ice_transfers_02_corrections.csv',
      source: 'ice',
      header: columns.ice,
      gzip: false,
      bom: false,
    },
  },
  orr: {
    parts: [
      { name: 'orr_events_01.csv', source: 'orr', header: columns.orr, gzip: false, bom: false },
      { name: 'orr_events_02.csv', source: 'orr', header: reordered('orr'), gzip: false, bom: false },
    ],
    corrections: {
      name: 'orr_events_03_corrections.csv',
      source: 'orr',
      header: columns.orr,
      gzip: false,
      bom: false,
    },
  },
  opla: {
    parts: [{ name: 'opla_ntas_01.csv', source: 'opla', header: columns.opla, gzip: false, bom: false }],
    corrections: {
      name: 'opla_ntas_02_corrections.csv',
      source: 'opla',
      header: columns.opla,
      gzip: false,
      bom: false,
    },
  },
  eoir: {
    parts: [
      { name: 'eoir_events_01.csv', source: 'eoir', header: columns.eoir, gzip: false, bom: false },
      { name: 'eoir_events_02.csv.gz', source: 'eoir', header: reordered('eoir'), gzip: true, bom: false },
    ],
    corrections: {
      name: 'eoir_events_03_corrections.csv',
      source: 'eoir',
      header: columns.eoir,
      gzip: false,
      bom: false,
    },
  },
};

export function allFiles(): FileSpec[] {
  return sources.flatMap((s) => [...filePlan[s].parts, filePlan[s].corrections]);
}

/** A row as written: values by column name; `short` drops the last field (a malformed row). */
export interface FeedRow {
  source: Source;
  id: string;
  values: Record<string, string>;
  short?: boolean;
}

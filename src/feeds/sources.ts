// The five sources (feeds.md): their columns, and how one row of each is checked and mapped to the
// canonical facts of `record`. Pure: fields in, canonical record or field-level reasons out.
import { normalizeAddress } from '../addresses/index.ts';
import {
  SEX_CODES,
  parseANumber,
  parseAlpha3,
  parseCode,
  parseCountryName,
  parseDate,
  parseLocalDateTime,
  foldName,
  type Checked,
  type DateFormat,
} from './fields.ts';
import { parseCommaName, parseFreeTextName, parseSplitName, type PersonName } from './names.ts';

export const SOURCES = ['cbp', 'ice', 'orr', 'opla', 'eoir'] as const;
export type Source = (typeof SOURCES)[number];

export function isSource(s: string): s is Source {
  return (SOURCES as readonly string[]).includes(s);
}

const ADDRESS = ['street', 'unit', 'city', 'state', 'zip'];

/** Columns of each source, the record id first. */
export const SOURCE_COLUMNS: Record<Source, readonly string[]> = {
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
    ...ADDRESS,
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
    ...ADDRESS,
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
    ...ADDRESS,
  ],
};

export const idColumn = (source: Source): string => SOURCE_COLUMNS[source][0]!;

/** The file name prefix of each source (`cbp_encounters_2024-05.csv`). */
export function sourceFromFileName(fileName: string): Source | undefined {
  const m = /^(cbp|ice|orr|opla|eoir)_/i.exec(fileName);
  return m ? (m[1]!.toLowerCase() as Source) : undefined;
}

/** Canonical facts of one row: the columns of `record` other than ids and times. */
export interface CanonicalRecord {
  in_scope: boolean;
  own_date: string;
  event_type: string;
  a_number: string | null;
  orr_uc_id: string | null;
  idncase: string | null;
  name_as_sent: string;
  given_names: string | null;
  surname1: string | null;
  surname2: string | null;
  dob: string | null;
  sex: string | null;
  country: string | null;
  book_in_at: string | null;
  transfer_at: string | null;
  sector: string | null;
  orr_facility: string | null;
  sponsor_id: string | null;
  sponsor_category: string | null;
  call_outcome: string | null;
  discharge_reason: string | null;
  issued_date: string | null;
  served_date: string | null;
  service_method: string | null;
  filed_date: string | null;
  court_code: string | null;
  hearing_at: string | null;
  hearing_type: string | null;
  attendance: string | null;
  in_absentia: boolean | null;
  completion: string | null;
  address_as_sent: Record<string, string> | null;
  addr_line: string | null;
  addr_unit: string | null;
  addr_city: string | null;
  addr_state: string | null;
  addr_zip5: string | null;
}

export const CANONICAL_COLUMNS = [
  'in_scope',
  'own_date',
  'event_type',
  'a_number',
  'orr_uc_id',
  'idncase',
  'name_as_sent',
  'given_names',
  'surname1',
  'surname2',
  'dob',
  'sex',
  'country',
  'book_in_at',
  'transfer_at',
  'sector',
  'orr_facility',
  'sponsor_id',
  'sponsor_category',
  'call_outcome',
  'discharge_reason',
  'issued_date',
  'served_date',
  'service_method',
  'filed_date',
  'court_code',
  'hearing_at',
  'hearing_type',
  'attendance',
  'in_absentia',
  'completion',
  'address_as_sent',
  'addr_line',
  'addr_unit',
  'addr_city',
  'addr_state',
  'addr_zip5',
] as const satisfies readonly (keyof CanonicalRecord)[];

export interface FieldReason {
  field: string;
  reason: string;
}

export type MapResult = { ok: true; record: CanonicalRecord } | { ok: false; reasons: FieldReason[] };

/** Reads one row's fields, collecting every reason it cannot be read rather than stopping at the first. */
class RowReader {
  readonly reasons: FieldReason[] = [];
  constructor(private readonly fields: Readonly<Record<string, string | undefined>>) {}

  text(field: string): string {
    return (this.fields[field] ?? '').trim();
  }
  /** The value, or null when blank; a reason when blank and required. */
  opt(field: string, required = false): string | null {
    const v = this.text(field);
    if (v === '') {
      if (required) this.reasons.push({ field, reason: 'required field is blank' });
      return null;
    }
    return v;
  }
  req(field: string): string {
    return this.opt(field, true) ?? '';
  }
  check<T>(field: string, fn: (text: string) => Checked<T>, required: boolean): T | null {
    const v = this.opt(field, required);
    if (v === null) return null;
    const r = fn(v);
    if (r.ok) return r.value;
    this.reasons.push({ field, reason: r.reason });
    return null;
  }
  date(field: string, format: DateFormat, required: boolean): string | null {
    return this.check(field, (t) => parseDate(t, format), required);
  }
  code(field: string, allowed: readonly string[], required: boolean): string | null {
    return this.check(field, (t) => parseCode(t, allowed), required);
  }
  aNumber(required: boolean): string | null {
    return this.check('a_number', parseANumber, required);
  }
  courtCode(required: boolean): string | null {
    return this.check(
      'court_code',
      (t): Checked<string> =>
        /^[A-Za-z]{3}$/.test(t)
          ? { ok: true, value: t.toUpperCase() }
          : { ok: false, reason: `not a three-letter court code: ${t}` },
      required,
    );
  }
  sex(field: string, allowed: readonly string[]): string | null {
    const code = this.code(field, allowed, true);
    return code === null ? null : SEX_CODES[code]!;
  }
  /** Fills the record's address: as sent, and normalized (none when every part is blank). */
  address(c: CanonicalRecord): void {
    const sent: Record<string, string> = {};
    let any = false;
    for (const f of ADDRESS) {
      const v = this.fields[f] ?? '';
      sent[f] = v;
      if (v.trim() !== '') any = true;
    }
    if (!any) return;
    const a = normalizeAddress(sent);
    c.address_as_sent = sent;
    c.addr_line = a.line;
    c.addr_unit = a.unit;
    c.addr_city = a.city;
    c.addr_state = a.state;
    c.addr_zip5 = a.zip5;
  }
}

/**
 * A record with no facts yet, which a source's mapper fills in. Every record starts with the same
 * keys in the same order, and nothing is spread, so building one per row stays cheap.
 */
function blankRecord(eventType: string): CanonicalRecord {
  return {
    in_scope: true,
    own_date: '',
    event_type: eventType,
    a_number: null,
    orr_uc_id: null,
    idncase: null,
    name_as_sent: '',
    given_names: null,
    surname1: null,
    surname2: null,
    dob: null,
    sex: null,
    country: null,
    book_in_at: null,
    transfer_at: null,
    sector: null,
    orr_facility: null,
    sponsor_id: null,
    sponsor_category: null,
    call_outcome: null,
    discharge_reason: null,
    issued_date: null,
    served_date: null,
    service_method: null,
    filed_date: null,
    court_code: null,
    hearing_at: null,
    hearing_type: null,
    attendance: null,
    in_absentia: null,
    completion: null,
    address_as_sent: null,
    addr_line: null,
    addr_unit: null,
    addr_city: null,
    addr_state: null,
    addr_zip5: null,
  };
}

function setName(c: CanonicalRecord, asSent: string, n: PersonName): void {
  c.name_as_sent = asSent;
  c.given_names = n.givenNames;
  c.surname1 = n.surname1;
  c.surname2 = n.surname2;
}

const YES_NO = ['Y', 'N'];
const CBP_SEX = ['M', 'F', 'X', 'U'];

function mapCbp(r: RowReader): CanonicalRecord {
  const c = blankRecord('ENCOUNTER');
  const family = r.req('family_name');
  const given = r.req('given_name');
  c.in_scope = r.code('uc_designation', YES_NO, true) !== 'N';
  c.own_date = r.date('encounter_date', 'YYYY-MM-DD', true) ?? '';
  c.a_number = r.aNumber(false);
  setName(c, `${family}, ${given}`, parseSplitName(family, given));
  c.dob = r.date('birth_date', 'YYYY-MM-DD', true);
  c.sex = r.sex('sex', CBP_SEX);
  c.country = r.check('citizenship', parseAlpha3, true);
  c.sector = r.opt('sector')?.toUpperCase() ?? null;
  return c;
}

const ICE_SEX = ['MALE', 'FEMALE', 'UNKNOWN'];
const NO_NAME: PersonName = { givenNames: null, surname1: null, surname2: null };
const isoDateTimeT = (t: string) => parseLocalDateTime(t, 'T');

function mapIce(r: RowReader): CanonicalRecord {
  const c = blankRecord('TRANSFER');
  const name = r.req('subject_name');
  let parsed: PersonName | null = NO_NAME;
  if (name) {
    parsed = parseCommaName(name);
    if (!parsed) r.reasons.push({ field: 'subject_name', reason: 'not in the form LAST, FIRST MIDDLE' });
  }
  const transferAt = r.check('transfer_date_time', isoDateTimeT, true);
  c.own_date = transferAt?.slice(0, 10) ?? '';
  c.a_number = r.aNumber(true);
  setName(c, name, parsed ?? NO_NAME);
  c.dob = r.date('dob', 'MM/DD/YYYY', true);
  c.sex = r.sex('gender', ICE_SEX);
  c.country = r.check('country_of_citizenship', parseCountryName, true);
  c.book_in_at = r.check('book_in_date_time', isoDateTimeT, true);
  c.transfer_at = transferAt;
  c.orr_facility = r.opt('orr_facility');
  return c;
}

const ORR_EVENTS = ['ADMISSION', 'RELEASE', 'RUNAWAY', 'SAFETY_CALL', 'ADDRESS_UPDATE', 'DISCHARGE_OTHER'];
const ORR_SEX = ['F', 'M'];
const SPONSOR_CATEGORIES = ['1', '2A', '2B', '3'];
const CALL_OUTCOMES = ['REACHED', 'NOT_REACHED', 'CHILD_NOT_AT_ADDRESS'];
const DISCHARGE_REASONS = ['AGED_OUT', 'REPATRIATED', 'TRANSFERRED_TO_DHS', 'OTHER'];

function mapOrr(r: RowReader): CanonicalRecord {
  const event = r.code('event_type', ORR_EVENTS, true) ?? '';
  const c = blankRecord(event);
  const first = r.req('child_first_name');
  const last = r.req('child_last_name');
  const release = event === 'RELEASE';
  c.own_date = r.date('event_date', 'MM/DD/YYYY', true) ?? '';
  c.a_number = r.aNumber(false);
  c.orr_uc_id = r.req('orr_uc_id');
  setName(c, `${last}, ${first}`, parseSplitName(last, first));
  c.dob = r.date('child_dob', 'MM/DD/YYYY', true);
  c.sex = r.sex('child_sex', ORR_SEX);
  c.country = r.check('country_of_birth', parseCountryName, true);
  c.sponsor_id = r.opt('sponsor_id', release);
  c.sponsor_category = r.code('sponsor_relationship', SPONSOR_CATEGORIES, release);
  c.call_outcome = r.code('call_outcome', CALL_OUTCOMES, event === 'SAFETY_CALL');
  c.discharge_reason = r.code('discharge_reason', DISCHARGE_REASONS, event === 'DISCHARGE_OTHER');
  r.address(c);
  return c;
}

const SERVICE_METHODS = ['PERSONAL', 'MAIL'];

function mapOpla(r: RowReader): CanonicalRecord {
  const c = blankRecord('NTA');
  const name = r.req('respondent_name');
  const issued = r.date('issued_date', 'YYYY-MM-DD', true);
  c.own_date = issued ?? '';
  c.a_number = r.aNumber(true);
  setName(c, name, parseFreeTextName(name));
  c.dob = r.date('dob', 'YYYY-MM-DD', true);
  c.issued_date = issued;
  c.served_date = r.date('served_date', 'YYYY-MM-DD', false);
  c.service_method = r.code('service_method', SERVICE_METHODS, false);
  c.filed_date = r.date('filed_date', 'YYYY-MM-DD', false);
  c.court_code = r.courtCode(false);
  r.address(c);
  return c;
}

const EOIR_EVENTS = [
  'CASE_OPENED',
  'HEARING_SCHEDULED',
  'HEARING_RESULT',
  'NOTICE_RETURNED',
  'ADDRESS_CHANGE',
  'CHANGE_OF_VENUE',
  'CASE_COMPLETED',
];
const HEARING_TYPES = ['MASTER', 'INDIVIDUAL'];
const ATTENDANCE = ['PRESENT', 'ABSENT'];
const COMPLETIONS = ['REMOVAL_ORDER', 'VOLUNTARY_DEPARTURE', 'TERMINATED', 'RELIEF_GRANTED', 'ADMIN_CLOSED'];
const isoDateTimeSpace = (t: string) => parseLocalDateTime(t, 'space');

function mapEoir(r: RowReader): CanonicalRecord {
  const event = r.code('event_type', EOIR_EVENTS, true) ?? '';
  const c = blankRecord(event);
  const last = r.req('last_name');
  const first = r.req('first_name');
  const hearing = event.startsWith('HEARING_');
  const result = event === 'HEARING_RESULT';
  const absentia = r.code('in_absentia', YES_NO, result);
  c.own_date = r.date('event_date', 'YYYY-MM-DD', true) ?? '';
  c.a_number = r.aNumber(true);
  c.idncase = r.req('idncase');
  setName(c, `${last}, ${first}`, parseSplitName(last, first));
  c.court_code = r.courtCode(true);
  c.hearing_at = r.check('hearing_date', isoDateTimeSpace, hearing);
  c.hearing_type = r.code('hearing_type', HEARING_TYPES, hearing);
  c.attendance = r.code('attendance', ATTENDANCE, result);
  c.in_absentia = absentia === null ? null : absentia === 'Y';
  c.completion = r.code('completion', COMPLETIONS, event === 'CASE_COMPLETED');
  r.address(c);
  return c;
}

const MAPPERS: Record<Source, (r: RowReader) => CanonicalRecord> = {
  cbp: mapCbp,
  ice: mapIce,
  orr: mapOrr,
  opla: mapOpla,
  eoir: mapEoir,
};

/** Checks one row (fields by lower-case column name) and maps it to canonical facts. */
export function mapRow(source: Source, fields: Readonly<Record<string, string | undefined>>): MapResult {
  const r = new RowReader(fields);
  r.req(idColumn(source));
  const record = MAPPERS[source](r);
  return r.reasons.length ? { ok: false, reasons: r.reasons } : { ok: true, record };
}

/** Name fields are stored folded (upper case, no accents) in `record`; kept here for other modules. */
export { foldName };

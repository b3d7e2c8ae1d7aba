// A child's case as of a date, derived from its linked records alone: custody, sponsor, addresses
// held by each agency, NTAs, court cases and hearings, and a timeline of every fact with its source
// row. Pure: the same records and date always give the same state.
import type { CaseRecord, Source } from './case-record.ts';
import type { Address } from '../addresses/quality.ts';
import { addressKey } from '../addresses/quality.ts';
import { birthday, dayOf, hoursBetween } from './dates.ts';

export type CustodyStatus =
  | 'unknown'
  | 'encountered'
  | 'transferred'
  | 'in_orr_care'
  | 'released'
  | 'fled'
  | 'aged_out'
  | 'repatriated'
  | 'transferred_to_dhs'
  | 'discharged_other';

export interface Fact {
  pk: number;
  on: string;
}

export interface AddressFact extends Fact {
  source: Source;
  eventType: string;
  address: Address;
}

export interface Nta {
  pk: number;
  recordId: string;
  issuedOn: string;
  /** Null when not served on or before the as-of date. */
  servedOn: string | null;
  serviceMethod: string | null;
  filedOn: string | null;
  courtCode: string | null;
}

export interface Hearing {
  pk: number;
  recordedOn: string;
  at: string;
  on: string;
  type: string | null;
  courtCode: string | null;
}

export interface HearingResult extends Hearing {
  attendance: 'PRESENT' | 'ABSENT' | null;
  inAbsentia: boolean;
}

export interface CourtCase {
  idncase: string;
  /** CASE_OPENED date, or the case's first event when the opening row never came. */
  openedOn: string;
  openedPk: number;
  openedRowMissing: boolean;
  courtCode: string | null;
  completedOn: string | null;
  completion: string | null;
  completionPk: number | null;
  scheduled: Hearing[];
  results: HearingResult[];
}

export interface Transfer extends Fact {
  bookInAt: string | null;
  transferAt: string | null;
  /** Hours from apprehension (book-in) to ORR custody, when both are known. */
  hours: number | null;
}

export interface TimelineEntry {
  on: string;
  fact: string;
  source: Source;
  recordId: string;
  recordPk: number;
  detail: Record<string, unknown>;
}

export interface CaseState {
  asOf: string;
  dob: string | null;
  turns18On: string | null;
  custody: { status: CustodyStatus; since: string | null; pk: number | null };
  encounteredOn: string | null;
  firstTransferOn: string | null;
  transfers: Transfer[];
  admissions: Fact[];
  releases: (Fact & { sponsorId: string | null; sponsorCategory: string | null; address: Address | null })[];
  sponsor: { id: string | null; category: string | null; pk: number } | null;
  runaways: Fact[];
  discharges: (Fact & { reason: string | null })[];
  safetyCalls: (Fact & { outcome: string | null })[];
  addresses: {
    /** Newest address from any agency (same day: EOIR, then OPLA, then ORR). */
    current: AddressFact | null;
    /** The newest address each agency holds. */
    orr: AddressFact | null;
    opla: AddressFact | null;
    eoir: AddressFact | null;
    all: AddressFact[];
  };
  noticesReturned: Fact[];
  ntas: Nta[];
  courtCases: CourtCase[];
  timeline: TimelineEntry[];
}

const SOURCE_RANK: Record<Source, number> = { cbp: 0, ice: 1, orr: 2, opla: 3, eoir: 4 };

const CUSTODY_EVENT: Record<string, number> = {
  ENCOUNTER: 0,
  TRANSFER: 1,
  ADMISSION: 2,
  RELEASE: 3,
  RUNAWAY: 3,
  DISCHARGE_OTHER: 3,
};

const DISCHARGE_STATUS: Record<string, CustodyStatus> = {
  AGED_OUT: 'aged_out',
  REPATRIATED: 'repatriated',
  TRANSFERRED_TO_DHS: 'transferred_to_dhs',
};

/** The court case a record belongs to (by its case number), started from the record when new. */
function caseOf(cases: Map<string, CourtCase>, r: CaseRecord): CourtCase {
  const id = r.idncase ?? '(no case number)';
  let c = cases.get(id);
  if (!c) {
    c = {
      idncase: id,
      openedOn: r.ownDate,
      openedPk: r.pk,
      openedRowMissing: true,
      courtCode: r.courtCode,
      completedOn: null,
      completion: null,
      completionPk: null,
      scheduled: [],
      results: [],
    };
    cases.set(id, c);
  }
  return c;
}

function custodyStatusOf(r: CaseRecord): CustodyStatus {
  switch (r.eventType) {
    case 'ENCOUNTER':
      return 'encountered';
    case 'TRANSFER':
      return 'transferred';
    case 'ADMISSION':
      return 'in_orr_care';
    case 'RELEASE':
      return 'released';
    case 'RUNAWAY':
      return 'fled';
    default:
      return DISCHARGE_STATUS[r.dischargeReason ?? ''] ?? 'discharged_other';
  }
}

function byDateThenPk<T extends Fact>(a: T, b: T) {
  return a.on < b.on ? -1 : a.on > b.on ? 1 : a.pk - b.pk;
}

/** The child's date of birth: the value most records agree on; ORR's breaks ties. */
function consensusDob(records: readonly CaseRecord[]): string | null {
  const votes = new Map<string, { n: number; rank: number }>();
  const pref: Record<Source, number> = { orr: 5, ice: 4, cbp: 3, eoir: 2, opla: 1 };
  for (const r of records) {
    if (!r.dob) continue;
    const v = votes.get(r.dob) ?? { n: 0, rank: 0 };
    v.n++;
    v.rank = Math.max(v.rank, pref[r.source]);
    votes.set(r.dob, v);
  }
  let best: string | null = null;
  let bv = { n: 0, rank: 0 };
  for (const [d, v] of votes) {
    if (
      v.n > bv.n ||
      (v.n === bv.n && v.rank > bv.rank) ||
      (v.n === bv.n && v.rank === bv.rank && d < best!)
    ) {
      best = d;
      bv = v;
    }
  }
  return best;
}

// Which rows carry an address the agency holds: ORR's release and updates always (a blank one is a
// defect), OPLA's NTA and the court's opening and change rows only when they hold any part of one.
function addressFactOf(r: CaseRecord): AddressFact | null {
  const holds =
    (r.source === 'orr' && (r.eventType === 'RELEASE' || r.eventType === 'ADDRESS_UPDATE')) ||
    (r.source === 'opla' && r.address !== null) ||
    (r.source === 'eoir' &&
      (r.eventType === 'CASE_OPENED' || r.eventType === 'ADDRESS_CHANGE') &&
      r.address !== null);
  if (!holds) return null;
  const address = r.address ?? {
    line: null,
    unit: null,
    city: null,
    state: null,
    zip5: null,
    zipAsSent: null,
  };
  return { pk: r.pk, on: r.ownDate, source: r.source, eventType: r.eventType, address };
}

function newest(facts: readonly AddressFact[]): AddressFact | null {
  let best: AddressFact | null = null;
  for (const f of facts) {
    if (
      !best ||
      f.on > best.on ||
      (f.on === best.on && SOURCE_RANK[f.source] > SOURCE_RANK[best.source]) ||
      (f.on === best.on && f.source === best.source && f.pk > best.pk)
    ) {
      best = f;
    }
  }
  return best;
}

/**
 * The case as of a date. Callers that only need the facts (rule sweeps over every child) pass
 * `timeline: false` and get an empty timeline, which spares building and sorting one per child.
 */
export function caseState(
  records: readonly CaseRecord[],
  asOf: string,
  options: { timeline?: boolean } = {},
): CaseState {
  const rows = records.filter((r) => r.ownDate <= asOf);
  const timeline: TimelineEntry[] = [];
  const add =
    options.timeline === false
      ? () => {}
      : (r: CaseRecord, on: string, fact: string, detail: Record<string, unknown> = {}) => {
          timeline.push({ on, fact, source: r.source, recordId: r.recordId, recordPk: r.pk, detail });
        };

  const dob = consensusDob(rows);
  const state: CaseState = {
    asOf,
    dob,
    turns18On: dob ? birthday(dob, 18) : null,
    custody: { status: 'unknown', since: null, pk: null },
    encounteredOn: null,
    firstTransferOn: null,
    transfers: [],
    admissions: [],
    releases: [],
    sponsor: null,
    runaways: [],
    discharges: [],
    safetyCalls: [],
    addresses: { current: null, orr: null, opla: null, eoir: null, all: [] },
    noticesReturned: [],
    ntas: [],
    courtCases: [],
    timeline,
  };

  let custodyRow: CaseRecord | null = null;
  const cases = new Map<string, CourtCase>();
  const sorted = [...rows].sort((a, b) =>
    a.ownDate < b.ownDate
      ? -1
      : a.ownDate > b.ownDate
        ? 1
        : (CUSTODY_EVENT[a.eventType] ?? 9) - (CUSTODY_EVENT[b.eventType] ?? 9) || a.pk - b.pk,
  );

  for (const r of sorted) {
    // Rows are in date order (custody rank breaks same-day ties), so the last custody row wins.
    if (r.eventType in CUSTODY_EVENT) custodyRow = r;
    const addr = addressFactOf(r);
    if (addr) state.addresses.all.push(addr);

    switch (r.eventType) {
      case 'ENCOUNTER':
        state.encounteredOn ??= r.ownDate;
        add(r, r.ownDate, 'ENCOUNTERED');
        break;
      case 'TRANSFER': {
        const hours = r.bookInAt && r.transferAt ? hoursBetween(r.bookInAt, r.transferAt) : null;
        state.transfers.push({
          pk: r.pk,
          on: r.ownDate,
          bookInAt: r.bookInAt,
          transferAt: r.transferAt,
          hours,
        });
        state.firstTransferOn ??= r.ownDate;
        add(r, r.ownDate, 'TRANSFERRED_TO_ORR', {
          book_in_at: r.bookInAt,
          transfer_at: r.transferAt,
          hours: hours === null ? null : Math.round(hours * 10) / 10,
          facility: r.orrFacility,
        });
        break;
      }
      case 'ADMISSION':
        state.admissions.push({ pk: r.pk, on: r.ownDate });
        state.firstTransferOn ??= r.ownDate;
        add(r, r.ownDate, 'ADMITTED_TO_ORR', { facility: r.orrFacility });
        break;
      case 'RELEASE':
        state.releases.push({
          pk: r.pk,
          on: r.ownDate,
          sponsorId: r.sponsorId,
          sponsorCategory: r.sponsorCategory,
          address: addr?.address ?? null,
        });
        state.sponsor = { id: r.sponsorId, category: r.sponsorCategory, pk: r.pk };
        add(r, r.ownDate, 'RELEASED_TO_SPONSOR', {
          sponsor_id: r.sponsorId,
          sponsor_category: r.sponsorCategory,
        });
        break;
      case 'RUNAWAY':
        state.runaways.push({ pk: r.pk, on: r.ownDate });
        add(r, r.ownDate, 'FLED_CUSTODY');
        break;
      case 'DISCHARGE_OTHER':
        state.discharges.push({ pk: r.pk, on: r.ownDate, reason: r.dischargeReason });
        add(r, r.ownDate, 'DISCHARGED', { reason: r.dischargeReason });
        break;
      case 'SAFETY_CALL':
        state.safetyCalls.push({ pk: r.pk, on: r.ownDate, outcome: r.callOutcome });
        add(r, r.ownDate, 'SAFETY_CALL', { outcome: r.callOutcome });
        break;
      case 'ADDRESS_UPDATE':
        add(r, r.ownDate, 'ADDRESS_UPDATED');
        break;
      case 'NTA': {
        const servedOn = r.servedDate && r.servedDate <= asOf ? r.servedDate : null;
        const filedOn = r.filedDate && r.filedDate <= asOf ? r.filedDate : null;
        state.ntas.push({
          pk: r.pk,
          recordId: r.recordId,
          issuedOn: r.issuedDate ?? r.ownDate,
          servedOn,
          serviceMethod: servedOn ? r.serviceMethod : null,
          filedOn,
          courtCode: r.courtCode,
        });
        add(r, r.issuedDate ?? r.ownDate, 'NTA_ISSUED', { court_code: r.courtCode });
        if (servedOn) add(r, servedOn, 'NTA_SERVED', { method: r.serviceMethod });
        if (filedOn) add(r, filedOn, 'NTA_FILED', { court_code: r.courtCode });
        break;
      }
      case 'CASE_OPENED': {
        const c = caseOf(cases, r);
        if (c.openedRowMissing || r.ownDate < c.openedOn) {
          c.openedOn = r.ownDate;
          c.openedPk = r.pk;
        }
        c.openedRowMissing = false;
        c.courtCode = r.courtCode ?? c.courtCode;
        add(r, r.ownDate, 'COURT_CASE_OPENED', { idncase: c.idncase, court_code: r.courtCode });
        break;
      }
      case 'HEARING_SCHEDULED':
      case 'HEARING_RESULT': {
        const c = caseOf(cases, r);
        if (!r.hearingAt) break;
        const h: Hearing = {
          pk: r.pk,
          recordedOn: r.ownDate,
          at: r.hearingAt,
          on: dayOf(r.hearingAt),
          type: r.hearingType,
          courtCode: r.courtCode,
        };
        if (r.eventType === 'HEARING_SCHEDULED') {
          c.scheduled.push(h);
          add(r, r.ownDate, 'HEARING_SCHEDULED', {
            idncase: c.idncase,
            hearing_at: r.hearingAt,
            type: r.hearingType,
          });
        } else if (h.on <= asOf) {
          const attendance = r.attendance === 'PRESENT' || r.attendance === 'ABSENT' ? r.attendance : null;
          c.results.push({ ...h, attendance, inAbsentia: r.inAbsentia === true });
          add(r, h.on, 'HEARING_HELD', {
            idncase: c.idncase,
            hearing_at: r.hearingAt,
            attendance,
            in_absentia: r.inAbsentia === true,
          });
        }
        break;
      }
      case 'NOTICE_RETURNED':
        caseOf(cases, r);
        state.noticesReturned.push({ pk: r.pk, on: r.ownDate });
        add(r, r.ownDate, 'NOTICE_RETURNED', { idncase: r.idncase });
        break;
      case 'ADDRESS_CHANGE':
        caseOf(cases, r);
        add(r, r.ownDate, 'COURT_ADDRESS_CHANGED', { idncase: r.idncase });
        break;
      case 'CHANGE_OF_VENUE': {
        const c = caseOf(cases, r);
        c.courtCode = r.courtCode ?? c.courtCode;
        add(r, r.ownDate, 'CHANGE_OF_VENUE', { idncase: c.idncase, court_code: r.courtCode });
        break;
      }
      case 'CASE_COMPLETED': {
        const c = caseOf(cases, r);
        c.completedOn = r.ownDate;
        c.completion = r.completion;
        c.completionPk = r.pk;
        add(r, r.ownDate, 'COURT_CASE_COMPLETED', { idncase: c.idncase, completion: r.completion });
        break;
      }
      default:
        add(r, r.ownDate, r.eventType);
    }
  }

  if (custodyRow) {
    state.custody = { status: custodyStatusOf(custodyRow), since: custodyRow.ownDate, pk: custodyRow.pk };
  }
  state.safetyCalls.sort(byDateThenPk);
  state.courtCases = [...cases.values()].sort((a, b) =>
    a.openedOn < b.openedOn ? -1 : a.openedOn > b.openedOn ? 1 : a.idncase < b.idncase ? -1 : 1,
  );
  for (const c of state.courtCases) {
    c.scheduled.sort((a, b) => (a.at < b.at ? -1 : a.at > b.at ? 1 : a.pk - b.pk));
    c.results.sort((a, b) => (a.at < b.at ? -1 : a.at > b.at ? 1 : a.pk - b.pk));
  }
  const all = state.addresses.all;
  state.addresses.current = newest(all);
  state.addresses.orr = newest(all.filter((a) => a.source === 'orr'));
  state.addresses.opla = newest(all.filter((a) => a.source === 'opla'));
  state.addresses.eoir = newest(all.filter((a) => a.source === 'eoir'));
  timeline.sort((a, b) =>
    a.on < b.on
      ? -1
      : a.on > b.on
        ? 1
        : SOURCE_RANK[a.source] - SOURCE_RANK[b.source] || a.recordPk - b.recordPk,
  );
  return state;
}

/** Court cases open on the as-of date: opened, not completed. */
export function openCases(s: CaseState): CourtCase[] {
  return s.courtCases.filter((c) => !c.completedOn);
}

/** The next hearing on the calendar of an open case, on or after the as-of date, with no result yet. */
export function nextHearing(s: CaseState): (Hearing & { idncase: string }) | null {
  let best: (Hearing & { idncase: string }) | null = null;
  for (const c of openCases(s)) {
    const held = new Set(c.results.map((r) => r.at));
    for (const h of c.scheduled) {
      if (h.on < s.asOf || held.has(h.at)) continue;
      if (!best || h.at < best.at) best = { ...h, idncase: c.idncase };
    }
  }
  return best;
}

/** Release address keys of the child (for recurring addresses). */
export function releaseAddressKeys(s: CaseState): string[] {
  return s.releases.filter((r) => r.address).map((r) => addressKey(r.address!));
}

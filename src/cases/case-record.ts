// The facts of one canonical record (table `record`) that a child's case is built from.
import type { Address } from '../addresses/quality.ts';

export type Source = 'cbp' | 'ice' | 'orr' | 'opla' | 'eoir';

export interface CaseRecord {
  /** record.id */
  pk: number;
  source: Source;
  recordId: string;
  /** The row's own date (oversight-report.md). */
  ownDate: string;
  eventType: string;
  dob: string | null;
  idncase: string | null;
  /** Local timestamps `YYYY-MM-DDTHH:MM:SS`. */
  bookInAt: string | null;
  transferAt: string | null;
  orrFacility: string | null;
  sponsorId: string | null;
  sponsorCategory: string | null;
  callOutcome: string | null;
  dischargeReason: string | null;
  issuedDate: string | null;
  servedDate: string | null;
  serviceMethod: string | null;
  filedDate: string | null;
  courtCode: string | null;
  hearingAt: string | null;
  hearingType: string | null;
  attendance: string | null;
  inAbsentia: boolean | null;
  completion: string | null;
  /** Normalized address, or null when the row carries no address part at all. */
  address: Address | null;
}

/** A record with every optional fact blank: a base for fixtures and adapters. */
export function blankRecord(pk: number, source: Source, eventType: string, ownDate: string): CaseRecord {
  return {
    pk,
    source,
    recordId: `${source}-${pk}`,
    ownDate,
    eventType,
    dob: null,
    idncase: null,
    bookInAt: null,
    transferAt: null,
    orrFacility: null,
    sponsorId: null,
    sponsorCategory: null,
    callOutcome: null,
    dischargeReason: null,
    issuedDate: null,
    servedDate: null,
    serviceMethod: null,
    filedDate: null,
    courtCode: null,
    hearingAt: null,
    hearingType: null,
    attendance: null,
    inAbsentia: null,
    completion: null,
    address: null,
  };
}

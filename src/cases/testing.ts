// Fixture builder for tests: one child's records written as a short story of facts.
import { blankRecord, type CaseRecord, type Source } from './case-record.ts';
import type { Address } from '../addresses/quality.ts';

export type AddressInput = Partial<Address>;

export const HOME: AddressInput = {
  line: '123 MAIN ST',
  unit: null,
  city: 'HOUSTON',
  state: 'TX',
  zip5: '77002',
};
export const OTHER_HOME: AddressInput = {
  line: '45 OAK AVE',
  unit: '2B',
  city: 'HOUSTON',
  state: 'TX',
  zip5: '77003',
};

function addr(a: AddressInput | null | undefined): Address | null {
  if (a === null || a === undefined) return null;
  return {
    line: a.line ?? null,
    unit: a.unit ?? null,
    city: a.city ?? null,
    state: a.state ?? null,
    zip5: a.zip5 ?? null,
    zipAsSent: a.zipAsSent ?? a.zip5 ?? null,
  };
}

export class Facts {
  readonly records: CaseRecord[] = [];
  private nextPk: number;
  constructor(firstPk = 1) {
    this.nextPk = firstPk;
  }

  private push(source: Source, eventType: string, ownDate: string, extra: Partial<CaseRecord>): CaseRecord {
    const r = { ...blankRecord(this.nextPk++, source, eventType, ownDate), ...extra };
    this.records.push(r);
    return r;
  }

  encounter(on: string, dob = '2006-05-01') {
    return this.push('cbp', 'ENCOUNTER', on, { dob });
  }
  transfer(bookInAt: string, transferAt: string) {
    return this.push('ice', 'TRANSFER', transferAt.slice(0, 10), { bookInAt, transferAt });
  }
  admission(on: string) {
    return this.push('orr', 'ADMISSION', on, {});
  }
  release(on: string, address: AddressInput | null = HOME, sponsorCategory = '1') {
    return this.push('orr', 'RELEASE', on, { sponsorId: 'SP-1', sponsorCategory, address: addr(address) });
  }
  addressUpdate(on: string, address: AddressInput) {
    return this.push('orr', 'ADDRESS_UPDATE', on, { address: addr(address) });
  }
  runaway(on: string) {
    return this.push('orr', 'RUNAWAY', on, {});
  }
  discharge(on: string, reason: string) {
    return this.push('orr', 'DISCHARGE_OTHER', on, { dischargeReason: reason });
  }
  safetyCall(on: string, outcome: 'REACHED' | 'NOT_REACHED' | 'CHILD_NOT_AT_ADDRESS') {
    return this.push('orr', 'SAFETY_CALL', on, { callOutcome: outcome });
  }
  nta(issued: string, o: { served?: string; filed?: string; address?: AddressInput | null } = {}) {
    return this.push('opla', 'NTA', issued, {
      issuedDate: issued,
      servedDate: o.served ?? null,
      serviceMethod: o.served ? 'PERSONAL' : null,
      filedDate: o.filed ?? null,
      courtCode: 'HOU',
      address: addr(o.address),
    });
  }
  caseOpened(on: string, o: { idncase?: string; address?: AddressInput | null } = {}) {
    return this.push('eoir', 'CASE_OPENED', on, {
      idncase: o.idncase ?? 'C1',
      courtCode: 'HOU',
      address: addr(o.address === undefined ? HOME : o.address),
    });
  }
  hearingScheduled(on: string, at: string, idncase = 'C1') {
    return this.push('eoir', 'HEARING_SCHEDULED', on, {
      idncase,
      courtCode: 'HOU',
      hearingAt: `${at}T09:00:00`,
      hearingType: 'MASTER',
    });
  }
  hearingResult(at: string, attendance: 'PRESENT' | 'ABSENT', inAbsentia = false, idncase = 'C1') {
    return this.push('eoir', 'HEARING_RESULT', at, {
      idncase,
      courtCode: 'HOU',
      hearingAt: `${at}T09:00:00`,
      hearingType: 'MASTER',
      attendance,
      inAbsentia,
    });
  }
  noticeReturned(on: string, idncase = 'C1') {
    return this.push('eoir', 'NOTICE_RETURNED', on, { idncase, courtCode: 'HOU' });
  }
  addressChange(on: string, address: AddressInput, idncase = 'C1') {
    return this.push('eoir', 'ADDRESS_CHANGE', on, { idncase, courtCode: 'HOU', address: addr(address) });
  }
  caseCompleted(on: string, completion: string, idncase = 'C1') {
    return this.push('eoir', 'CASE_COMPLETED', on, { idncase, courtCode: 'HOU', completion });
  }
  /** Sets the date of birth on every record so far. */
  dob(d: string) {
    for (const r of this.records) r.dob = d;
    return this;
  }
}

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

/**
 * A child released to HOME, served an NTA and absent at its hearing (ordered removed in absentia),
 * whose ORR address then moved to OTHER_HOME: on 2020-06-01 it holds a failed-to-appear, a
 * no-hearing-scheduled and an address-drift alert.
 */
export function missedHearingThenMoved(): Facts {
  const f = new Facts();
  f.admission('2020-01-02');
  f.release('2020-01-10', HOME);
  f.nta('2020-02-01', { served: '2020-02-05', filed: '2020-02-20', address: HOME });
  f.caseOpened('2020-02-21', { address: HOME });
  f.hearingScheduled('2020-02-22', '2020-04-01');
  f.hearingResult('2020-04-01', 'ABSENT', true);
  f.addressUpdate('2020-03-01', OTHER_HOME);
  return f;
}

/** A seeded random number generator (mulberry32): the same seed gives the same population. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const START = Date.UTC(2018, 9, 1);
const SPAN_DAYS = 5 * 365;
const day = (base: number, plus: number) => new Date(base + plus * 86_400_000).toISOString().slice(0, 10);

/**
 * One child's records as a random but plausible story (encounter, transfer, care, release, calls,
 * NTA, court), touching every rule now and then. `streets` is the pool of release addresses, shared
 * between children so that some addresses recur.
 */
export function randomStory(rand: () => number, streets: readonly AddressInput[], firstPk = 1): Facts {
  const f = new Facts(firstPk);
  const pick = <T>(xs: readonly T[]) => xs[Math.floor(rand() * xs.length)]!;
  const d0 = START + Math.floor(rand() * SPAN_DAYS) * 86_400_000;
  const dobYear = new Date(d0).getUTCFullYear() - 13 - Math.floor(rand() * 5);
  const dob = `${dobYear}-${String(1 + Math.floor(rand() * 12)).padStart(2, '0')}-${String(1 + Math.floor(rand() * 28)).padStart(2, '0')}`;
  f.encounter(day(d0, 0), dob);
  const hours = rand() < 0.1 ? 80 + Math.floor(rand() * 60) : 20 + Math.floor(rand() * 40);
  const bookIn = new Date(d0 + 8 * 3_600_000);
  const transferAt = new Date(bookIn.getTime() + hours * 3_600_000);
  f.transfer(bookIn.toISOString().slice(0, 19), transferAt.toISOString().slice(0, 19));
  const admitted = day(transferAt.getTime(), 0);
  f.admission(admitted);
  const tIn = Date.parse(`${admitted}T00:00:00Z`);
  const fate = rand();
  if (fate < 0.05) {
    f.runaway(day(tIn, 5 + Math.floor(rand() * 30)));
  } else if (fate < 0.08) {
    f.discharge(day(tIn, 10 + Math.floor(rand() * 40)), pick(['AGED_OUT', 'REPATRIATED']));
  } else if (fate < 0.95) {
    const relDays = 15 + Math.floor(rand() * 45);
    const rel = tIn + relDays * 86_400_000;
    const q = rand();
    const address: AddressInput | null =
      q < 0.02
        ? null
        : q < 0.04
          ? { ...pick(streets), line: null }
          : q < 0.06
            ? { ...pick(streets), zip5: '99999' }
            : { ...pick(streets) };
    f.release(day(rel, 0), address, pick(['1', '2A', '2B', '3']));
    if (rand() < 0.7) {
      const o = rand();
      f.safetyCall(day(rel, 30), o < 0.8 ? 'REACHED' : o < 0.9 ? 'NOT_REACHED' : 'CHILD_NOT_AT_ADDRESS');
    }
    let moved: AddressInput | null = null;
    if (rand() < 0.2) {
      moved = { ...pick(streets), unit: String(1 + Math.floor(rand() * 9)) };
      f.addressUpdate(day(rel, 60 + Math.floor(rand() * 200)), moved);
    }
    if (rand() < 0.4) {
      const issued = rel + Math.floor(rand() * 90) * 86_400_000;
      const served = rand() < 0.8 ? day(issued, 3 + Math.floor(rand() * 30)) : undefined;
      const filed =
        served && rand() < 0.7
          ? day(Date.parse(`${served}T00:00:00Z`), 10 + Math.floor(rand() * 60))
          : undefined;
      f.nta(day(issued, 0), { served, filed, address: address ?? undefined });
      if (filed) {
        const opened = Date.parse(`${filed}T00:00:00Z`) + 86_400_000;
        const idncase = `C${Math.floor(rand() * 1e9)}`;
        f.caseOpened(day(opened, 0), { idncase, address: address ?? HOME });
        if (rand() < 0.8) {
          const hearing = day(opened, 60 + Math.floor(rand() * 300));
          f.hearingScheduled(day(opened, 5), hearing, idncase);
          if (rand() < 0.7) {
            const absent = rand() < 0.25;
            f.hearingResult(hearing, absent ? 'ABSENT' : 'PRESENT', absent && rand() < 0.5, idncase);
          }
        }
        if (rand() < 0.05) f.noticeReturned(day(opened, 20), idncase);
        if (rand() < 0.3)
          f.caseCompleted(
            day(opened, 400 + Math.floor(rand() * 300)),
            pick(['TERMINATED', 'RELIEF_GRANTED', 'REMOVAL_ORDER']),
            idncase,
          );
      }
    }
  }
  return f.dob(dob);
}

/** A pool of synthetic release addresses, a few of them apartment buildings. */
export function streetPool(rand: () => number, n: number): AddressInput[] {
  const zips = [
    ['77002', 'TX', 'HOUSTON'],
    ['90011', 'CA', 'LOS ANGELES'],
    ['33012', 'FL', 'HIALEAH'],
    ['11368', 'NY', 'CORONA'],
    ['07201', 'NJ', 'ELIZABETH'],
    ['20906', 'MD', 'SILVER SPRING'],
  ] as const;
  const names = ['MAIN', 'OAK', 'ELM', 'PINE', 'MAPLE', 'CEDAR', 'LAKE', 'HILL'];
  const out: AddressInput[] = [];
  for (let i = 0; i < n; i++) {
    const [zip5, state, city] = zips[Math.floor(rand() * zips.length)]!;
    out.push({
      line: `${1 + Math.floor(rand() * 9000)} ${names[Math.floor(rand() * names.length)]} ST`,
      unit: rand() < 0.3 ? String(1 + Math.floor(rand() * 20)) : null,
      city,
      state,
      zip5,
    });
  }
  return out;
}

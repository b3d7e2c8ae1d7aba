// Each child's path through the real lifecycle and its clocks: encounter, transfer (72-hour clock),
// ORR care, release (or runaway, aged out, repatriated), the 30-day safety call, address changes,
// the NTA (issued, served, filed), the court case, hearings and outcomes. Pure: a child's path is a
// function of the random stream and the shared address pools alone.
import { Rng, Weighted } from './random.ts';
import {
  ageAtEncounter,
  countries,
  courtByState,
  lifecycle as L,
  maleShare,
  meanDaysInCare,
  mexicanReturnedShare,
  notTransferredShare,
  releaseStates,
  sectors,
  sponsorCategories,
} from './calibration.ts';
import {
  femaleGivenNames,
  femaleSecondNames,
  lookAlikePairs,
  maleGivenNames,
  maleSecondNames,
  mayanSurnames,
  rankWeights,
  surnames,
} from './names.ts';
import { randomPlace, type Place } from './address.ts';
import { birthday, fiscalYearStart } from './dates.ts';
import type { NoiseCounter } from './noise.ts';

export interface Identity {
  given: string;
  surname1: string;
  surname2: string;
  dob: number;
  sex: 'M' | 'F';
  country: string;
  countryName: string;
}

/** Where a child lives: a place and unit, and whether the written form is defective on purpose. */
export interface Residence {
  place: Place;
  unit: string;
  defect: 'none' | 'blank' | 'invalid' | 'missing_unit';
  hub: boolean;
}

export type PathEvent =
  | { src: 'cbp'; day: number; aNumber: string; sector: string }
  | { src: 'ice'; day: number; bookIn: number; transferAt: number; aNumber: string; facility: string }
  | {
      src: 'orr';
      day: number;
      type: 'ADMISSION' | 'RELEASE' | 'RUNAWAY' | 'SAFETY_CALL' | 'ADDRESS_UPDATE' | 'DISCHARGE_OTHER';
      sponsorId?: string;
      category?: string;
      residence?: Residence;
      outcome?: string;
      reason?: string;
    }
  | {
      src: 'opla';
      day: number;
      servedDay: number | null;
      method: string;
      filedDay: number | null;
      court: string;
      residence: Residence | null;
      secondA: boolean;
    }
  | {
      src: 'eoir';
      day: number;
      idncase: string;
      type:
        | 'CASE_OPENED'
        | 'HEARING_SCHEDULED'
        | 'HEARING_RESULT'
        | 'NOTICE_RETURNED'
        | 'ADDRESS_CHANGE'
        | 'CHANGE_OF_VENUE'
        | 'CASE_COMPLETED';
      court: string;
      hearingAt?: number;
      hearingType?: string;
      attendance?: string;
      inAbsentia?: string;
      completion?: string;
      residence?: Residence | null;
      secondA: boolean;
    };

export interface ChildPath {
  childId: string;
  index: number;
  groupId: string;
  relation: 'single' | 'twin' | 'sibling';
  identity: Identity;
  aNumber: string;
  aNumber2: string;
  orrUcId: string;
  fiscalYear: number;
  flags: {
    transferred: boolean;
    released: boolean;
    runaway: boolean;
    agedOut: boolean;
    repatriated: boolean;
    reencountered: boolean;
    ntaIssued: boolean;
    ntaServed: boolean;
    courtCase: boolean;
    failedToAppear: boolean;
    addressDefect: string;
    recurringAddress: boolean;
  };
  events: PathEvent[];
}

const countryTable = new Weighted(
  countries.map(([code, name, share]) => [[code, name] as const, share] as const),
);
const ageTable = new Weighted(ageAtEncounter);
const stateTable = new Weighted(releaseStates);
const sectorTable = new Weighted(sectors);
const categoryTable = new Weighted(sponsorCategories);
const maleTable = new Weighted(rankWeights(maleGivenNames));
const femaleTable = new Weighted(rankWeights(femaleGivenNames));
const surnameTable = new Weighted(rankWeights(surnames, 0.8));
const mayanTable = new Weighted(rankWeights(mayanSurnames, 0.7));
const callTable = new Weighted(L.safetyCallOutcomes);
const completionTable = new Weighted([
  ['TERMINATED', 0.25],
  ['RELIEF_GRANTED', 0.25],
  ['ADMIN_CLOSED', 0.25],
  ['VOLUNTARY_DEPARTURE', 0.08],
  ['REMOVAL_ORDER', 0.17],
] as const);

/** Shared state across children: id counters, apartment buildings, recurring (hub) addresses. */
export class PopulationState {
  private seq = { child: 0, a: 0, orr: 0, sponsor: 0, case: 0 };
  private readonly buildings = new Map<string, Place[]>();
  readonly hubs: Place[];
  private readonly hubTable: Weighted<number>;

  constructor(
    rng: Rng,
    expectedChildren: number,
    readonly horizon: number,
    readonly noise: NoiseCounter,
  ) {
    const hubCount = Math.max(3, Math.round(expectedChildren / 600));
    this.hubs = [];
    for (let i = 0; i < hubCount; i++) this.hubs.push(randomPlace(rng, stateTable.draw(rng)));
    this.hubTable = new Weighted(this.hubs.map((_, i) => [i, 1 / Math.pow(i + 1, 1.1)] as const));
  }

  nextChildId(): string {
    return 'C' + String(++this.seq.child).padStart(7, '0');
  }
  nextANumber(rng: Rng): string {
    // Older A-files have 8 digits (a leading 0 in the 9-digit form).
    const lead = rng.chance(0.12) ? '0' : rng.pick(['2', '2', '2', '1']);
    // A permutation of the sequence (7919 is prime to 10^8): numbers look scattered and never repeat.
    return lead + String((++this.seq.a * 7919 + 4_271_113) % 100_000_000).padStart(8, '0');
  }
  nextOrrId(): string {
    return 'UC' + String(++this.seq.orr * 13 + 1000000).padStart(9, '0');
  }
  nextSponsorId(): string {
    return 'SP' + String(++this.seq.sponsor).padStart(8, '0');
  }
  nextCase(): string {
    return String(++this.seq.case * 3 + 30000000).padStart(9, '0');
  }

  hub(rng: Rng): Place {
    return this.hubs[this.hubTable.draw(rng)]!;
  }

  /** An apartment building in `state`: often one already used by other children. */
  building(rng: Rng, state: string, mustExist = false): Place {
    let list = this.buildings.get(state);
    if (!list) this.buildings.set(state, (list = []));
    if (list.length && (mustExist || rng.chance(0.5))) return rng.pick(list);
    const p = randomPlace(rng, state);
    if (list.length < 400) list.push(p);
    else list[rng.int(400)] = p;
    return p;
  }
}

function givenName(rng: Rng, sex: 'M' | 'F'): string {
  const first = (sex === 'M' ? maleTable : femaleTable).draw(rng);
  if (!rng.chance(0.35)) return first;
  const second = rng.pick(sex === 'M' ? maleSecondNames : femaleSecondNames);
  return second === first ? first : `${first} ${second}`;
}

function surname(rng: Rng, country: string): string {
  return country === 'GTM' && rng.chance(0.3) ? mayanTable.draw(rng) : surnameTable.draw(rng);
}

function newResidence(rng: Rng, st: PopulationState, state: string, allowDefect: boolean): Residence {
  if (allowDefect && rng.chance(L.recurringAddress))
    return { place: st.hub(rng), unit: '', defect: 'none', hub: true };
  const r = rng.float();
  if (allowDefect && r < L.addressBlank)
    return { place: randomPlace(rng, state), unit: '', defect: 'blank', hub: false };
  if (allowDefect && r < L.addressBlank + L.addressInvalid)
    return { place: randomPlace(rng, state), unit: '', defect: 'invalid', hub: false };
  if (allowDefect && r < L.addressBlank + L.addressInvalid + L.addressMissingUnit)
    return { place: st.building(rng, state, true), unit: '', defect: 'missing_unit', hub: false };
  if (rng.chance(L.apartment))
    return {
      place: st.building(rng, state),
      unit: String(rng.between(1, 40)) + (rng.chance(0.2) ? rng.pick(['A', 'B', 'C']) : ''),
      defect: 'none',
      hub: false,
    };
  return { place: randomPlace(rng, state), unit: '', defect: 'none', hub: false };
}

interface GroupShared {
  encounterDay: number;
  transferred: boolean;
  careDays: number;
  sponsorId: string;
  category: string;
  residence: Residence;
  state: string;
}

/** Generates a group of children encountered together (one child, twins, or siblings). */
export function generateGroup(
  rng: Rng,
  st: PopulationState,
  fy: number,
  groupId: string,
  size: number,
  relation: ChildPath['relation'],
): ChildPath[] {
  const start = fiscalYearStart(fy);
  const end = Math.min(fiscalYearStart(fy + 1) - 1, st.horizon);
  const encounterDay = rng.between(start, Math.max(start, end));
  const [country, countryName] = countryTable.draw(rng);
  const sex: 'M' | 'F' = rng.chance(maleShare) ? 'M' : 'F';
  const s1 = surname(rng, country);
  let s2 = surname(rng, country);
  if (s2 === s1 && rng.chance(0.8)) s2 = surname(rng, country);
  const age = ageTable.draw(rng);
  const dob = encounterDay - age * 365 - rng.int(365) - Math.floor(age / 4);
  const transferred = !(
    (country === 'MEX' && rng.chance(mexicanReturnedShare)) ||
    rng.chance(Math.max(0, notTransferredShare - 0.07 * mexicanReturnedShare))
  );
  const state = stateTable.draw(rng);
  const mean = meanDaysInCare[fy] ?? 32;
  const shared: GroupShared = {
    encounterDay,
    transferred,
    careDays: Math.max(3, Math.round(rng.logNormal(mean * 0.75, 0.75))),
    sponsorId: st.nextSponsorId(),
    category: categoryTable.draw(rng),
    residence: newResidence(rng, st, state, true),
    state,
  };
  const children: ChildPath[] = [];
  let twinNames: readonly [string, string] | null = null;
  if (relation === 'twin' && rng.chance(0.5)) twinNames = rng.pick(lookAlikePairs);
  for (let k = 0; k < size; k++) {
    let identity: Identity;
    if (k === 0) {
      const g = twinNames ? twinNames[0] : givenName(rng, sex);
      identity = { given: g, surname1: s1, surname2: s2, dob, sex, country, countryName };
    } else {
      const s: 'M' | 'F' = rng.chance(maleShare) ? 'M' : 'F';
      let g = twinNames ? twinNames[1] : givenName(rng, s);
      while (g === children[0]!.identity.given) g = givenName(rng, s);
      const kDob =
        relation === 'twin' ? dob : dob + (rng.chance(0.5) ? -1 : 1) * rng.between(1, 5) * 365 + rng.int(200);
      identity = {
        given: g,
        surname1: s1,
        surname2: s2,
        // Siblings are children too: between one and seventeen at the encounter.
        dob:
          relation === 'twin'
            ? dob
            : Math.max(Math.min(kDob, encounterDay - 365), encounterDay - 17 * 365 - 300),
        sex: s,
        country,
        countryName,
      };
    }
    children.push(childPath(rng, st, fy, groupId, relation, identity, shared));
  }
  return children;
}

function childPath(
  rng: Rng,
  st: PopulationState,
  fy: number,
  groupId: string,
  relation: ChildPath['relation'],
  identity: Identity,
  g: GroupShared,
): ChildPath {
  const H = st.horizon;
  const events: PathEvent[] = [];
  const aNumber = st.nextANumber(rng);
  const hasSecondA = st.noise.roll(rng, 'secondANumber');
  const aNumber2 = hasSecondA ? st.nextANumber(rng) : '';
  const path: ChildPath = {
    childId: st.nextChildId(),
    index: 0,
    groupId,
    relation,
    identity,
    aNumber,
    aNumber2,
    orrUcId: '',
    fiscalYear: fy,
    flags: {
      transferred: false,
      released: false,
      runaway: false,
      agedOut: false,
      repatriated: false,
      reencountered: false,
      ntaIssued: false,
      ntaServed: false,
      courtCase: false,
      failedToAppear: false,
      addressDefect: 'none',
      recurringAddress: false,
    },
    events,
  };
  const push = (e: PathEvent) => {
    if (e.day <= H) events.push(e);
  };
  const E = g.encounterDay;
  push({ src: 'cbp', day: E, aNumber, sector: sectorTable.draw(rng) });
  if (!g.transferred) {
    path.flags.repatriated = true;
    return path;
  }
  const orrUcId = st.nextOrrId();
  path.orrUcId = orrUcId;
  const facility = 'F' + String(rng.between(100, 399));
  const episode = (encounter: number, a: string, careDays: number): { endDay: number; outcome: string } => {
    const bookIn = encounter * 1440 + rng.between(0, 1439);
    const hours = rng.chance(L.transferWithin72h)
      ? Math.min(71.5, rng.logNormal(30, 0.5))
      : 72 + rng.logNormal(30, 0.8);
    const transferAt = bookIn + Math.round(hours * 60);
    const T = Math.floor(transferAt / 1440);
    push({ src: 'ice', day: T, bookIn, transferAt, aNumber: a, facility });
    push({ src: 'orr', day: T, type: 'ADMISSION' });
    let D = T + careDays;
    const turns18 = birthday(identity.dob, 18);
    let outcome = 'RELEASE';
    const r = rng.float();
    if (turns18 > T && turns18 <= D) {
      D = turns18;
      outcome = 'AGED_OUT';
    } else if (r < L.runaway) {
      D = T + rng.between(1, careDays);
      outcome = 'RUNAWAY';
    } else if (r < L.runaway + L.repatriated) outcome = 'REPATRIATED';
    else if (r < L.runaway + L.repatriated + L.transferredToDhs) outcome = 'TRANSFERRED_TO_DHS';
    else if (r < L.runaway + L.repatriated + L.transferredToDhs + L.dischargedOther) outcome = 'OTHER';
    if (outcome === 'RELEASE') {
      push({
        src: 'orr',
        day: D,
        type: 'RELEASE',
        sponsorId: g.sponsorId,
        category: g.category,
        residence: g.residence,
      });
    } else if (outcome === 'RUNAWAY') push({ src: 'orr', day: D, type: 'RUNAWAY' });
    else push({ src: 'orr', day: D, type: 'DISCHARGE_OTHER', reason: outcome });
    return { endDay: D, outcome };
  };
  const first = episode(E, aNumber, g.careDays);
  path.flags.transferred = true;
  const D = first.endDay;
  let residence: Residence | null = null;
  let moved: { day: number; residence: Residence } | null = null;
  // Where the child lives on a day: the release address until the move ORR reports. The NTA and
  // the court hold the address of the day they wrote it, so a later move leaves them behind.
  const livesAt = (day: number) => (moved && day >= moved.day ? moved.residence : residence);
  if (D > H) return path;
  if (first.outcome === 'RELEASE') {
    path.flags.released = true;
    residence = g.residence;
    path.flags.addressDefect = residence.defect;
    path.flags.recurringAddress = residence.hub;
    if (rng.chance(L.safetyCallMade))
      push({ src: 'orr', day: D + rng.between(30, 37), type: 'SAFETY_CALL', outcome: callTable.draw(rng) });
    if (rng.chance(L.orrAddressUpdate)) {
      const to = newResidence(rng, st, rng.chance(0.8) ? g.state : stateTable.draw(rng), false);
      const day = D + rng.between(10, 200);
      push({ src: 'orr', day, type: 'ADDRESS_UPDATE', residence: to });
      moved = { day, residence: to };
    }
  } else if (first.outcome === 'RUNAWAY') path.flags.runaway = true;
  else if (first.outcome === 'AGED_OUT') path.flags.agedOut = true;
  else if (first.outcome === 'REPATRIATED') path.flags.repatriated = true;

  // A child re-encountered at the border later: a new encounter, transfer and care episode.
  if ((first.outcome === 'RELEASE' || first.outcome === 'REPATRIATED') && rng.chance(L.reencountered)) {
    const E2 = D + rng.between(60, 500);
    if (E2 <= H && birthday(identity.dob, 18) > E2 + 30) {
      path.flags.reencountered = true;
      const a2 = aNumber2 && rng.chance(0.6) ? aNumber2 : aNumber;
      push({ src: 'cbp', day: E2, aNumber: a2, sector: sectorTable.draw(rng) });
      episode(E2, a2, Math.max(3, Math.round(rng.logNormal(20, 0.6))));
    }
  }

  if (!(path.flags.released || path.flags.agedOut)) return path;
  // NTA: issued for some children (at the border or months after release), served, filed.
  if (!rng.chance(L.ntaIssued)) return path;
  const atBorder = rng.chance(0.25);
  const issued = atBorder ? E + rng.between(0, 2) : D + Math.round(rng.logNormal(L.ntaLagMedianDays, 1));
  const personal = atBorder || rng.chance(L.ntaPersonalService);
  const served = rng.chance(L.ntaServed) ? issued + (personal ? 0 : rng.between(3, 45)) : null;
  const filed =
    served !== null && rng.chance(L.ntaFiled)
      ? Math.max(served, D) + Math.round(rng.logNormal(40, 0.8))
      : null;
  const atIssue = livesAt(issued);
  const ntaResidence = atBorder
    ? null
    : rng.chance(0.15)
      ? null
      : atIssue && atIssue.defect === 'missing_unit' && rng.chance(0.5)
        ? { ...atIssue, unit: String(rng.between(1, 40)), defect: 'none' as const }
        : atIssue;
  const court = courtByState[(atIssue ?? g.residence).place.state] ?? 'HOU';
  if (issued > H) return path;
  path.flags.ntaIssued = true;
  if (served !== null && served <= H) path.flags.ntaServed = true;
  push({
    src: 'opla',
    day: issued,
    servedDay: served,
    method: personal ? 'PERSONAL' : 'MAIL',
    filedDay: filed,
    court,
    residence: ntaResidence,
    secondA: aNumber2 !== '' && rng.chance(0.5),
  });
  if (filed === null || filed > H) return path;

  // The court case: opened when the NTA is filed, then hearings until a completion.
  const secondA = aNumber2 !== '' && rng.chance(0.5);
  const idncase = st.nextCase();
  let courtCode = court;
  const opened = filed + rng.between(0, 14);
  const caseResidence = rng.chance(0.85)
    ? (ntaResidence ?? livesAt(opened))
    : newResidence(rng, st, (livesAt(opened) ?? g.residence).place.state, false);
  push({
    src: 'eoir',
    day: opened,
    idncase,
    type: 'CASE_OPENED',
    court: courtCode,
    residence: caseResidence,
    secondA,
  });
  if (opened > H) return path;
  path.flags.courtCase = true;
  const returned = rng.chance(L.noticeReturned);
  if (returned)
    push({
      src: 'eoir',
      day: opened + rng.between(10, 60),
      idncase,
      type: 'NOTICE_RETURNED',
      court: courtCode,
      secondA,
    });
  if (rng.chance(L.courtAddressChange)) {
    const movedTo = newResidence(rng, st, (livesAt(opened) ?? g.residence).place.state, false);
    push({
      src: 'eoir',
      day: opened + rng.between(61, 300),
      idncase,
      type: 'ADDRESS_CHANGE',
      court: courtCode,
      residence: movedTo,
      secondA,
    });
  }
  let day = opened;
  if (rng.chance(L.changeOfVenue)) {
    courtCode = rng.pick(Object.values(courtByState).filter((c) => c !== courtCode));
    day = opened + rng.between(20, 90);
    push({ src: 'eoir', day, idncase, type: 'CHANGE_OF_VENUE', court: courtCode, secondA });
  }
  const hearings = rng.between(1, 4);
  for (let h = 0; h < hearings; h++) {
    const scheduled = day + rng.between(1, 20);
    const hearingDay = scheduled + rng.between(45, 400);
    const hearingAt = hearingDay * 1440 + rng.pick([510, 540, 600, 780, 840]);
    const type = h === 0 || rng.chance(0.5) ? 'MASTER' : 'INDIVIDUAL';
    push({
      src: 'eoir',
      day: scheduled,
      idncase,
      type: 'HEARING_SCHEDULED',
      court: courtCode,
      hearingAt,
      hearingType: type,
      secondA,
    });
    if (hearingDay > H) return path;
    const absent = rng.chance(returned ? 0.6 : L.hearingAbsent);
    const inAbsentia = absent && rng.chance(L.inAbsentiaWhenAbsent);
    push({
      src: 'eoir',
      day: hearingDay,
      idncase,
      type: 'HEARING_RESULT',
      court: courtCode,
      hearingAt,
      hearingType: type,
      attendance: absent ? 'ABSENT' : 'PRESENT',
      inAbsentia: inAbsentia ? 'Y' : 'N',
      secondA,
    });
    if (absent) path.flags.failedToAppear = true;
    day = hearingDay;
    if (inAbsentia) {
      push({
        src: 'eoir',
        day: hearingDay + rng.between(0, 3),
        idncase,
        type: 'CASE_COMPLETED',
        court: courtCode,
        completion: 'REMOVAL_ORDER',
        secondA,
      });
      return path;
    }
  }
  if (rng.chance(0.6))
    push({
      src: 'eoir',
      day: day + rng.between(0, 10),
      idncase,
      type: 'CASE_COMPLETED',
      court: courtCode,
      completion: completionTable.draw(rng),
      secondA,
    });
  return path;
}

// In-memory columns of the records being linked: values interned once into dictionaries so that
// blocking hashes numbers and each distinct pair of values is compared once.
import { dayNumber, nameTokens } from './names.ts';
import { surnameParts } from './compare.ts';

/** One in-scope canonical record as identity sees it (a projection of the `record` table). */
export interface LinkInput {
  pk: number;
  source: string;
  recordId: string;
  aNumber: string | null;
  orrId: string | null;
  idncase: string | null;
  given: string | null;
  surname1: string | null;
  surname2: string | null;
  dob: string | null;
  sex: string | null;
  country: string | null;
  ownDate: string;
  eventType: string;
}

export class Dict {
  readonly values: string[] = [];
  readonly counts: number[] = [];
  private readonly index = new Map<string, number>();
  id(value: string | null | undefined): number {
    if (value === null || value === undefined || value === '') return -1;
    let i = this.index.get(value);
    if (i === undefined) {
      i = this.values.length;
      this.values.push(value);
      this.counts.push(0);
      this.index.set(value, i);
    }
    this.counts[i]!++;
    return i;
  }
  get(i: number): string | null {
    return i < 0 ? null : this.values[i]!;
  }
}

const SOURCES = ['cbp', 'ice', 'orr', 'opla', 'eoir'];

export class RecordTable {
  n = 0;
  cap: number;
  pk: Float64Array;
  source: Uint8Array;
  recordId: string[] = [];
  aNumber: Int32Array;
  orrId: Int32Array;
  idncase: Int32Array;
  /** Normalized given names (tokens joined), and the surname pair ("GARCIA|LOPEZ"). */
  given: Int32Array;
  surnames: Int32Array;
  /** Raw blocking parts, as stored: first given token, first two letters of surname1 and given. */
  surname1: Int32Array;
  given1: Int32Array;
  givenRaw: Int32Array;
  s1Prefix: Int32Array;
  g1Prefix: Int32Array;
  dob: Int32Array;
  dobDay: Float64Array;
  sex: Int32Array;
  country: Int32Array;
  ownDay: Float64Array;
  eventType: Int32Array;

  readonly dict = {
    aNumber: new Dict(),
    orrId: new Dict(),
    idncase: new Dict(),
    given: new Dict(),
    surnames: new Dict(),
    surname1: new Dict(),
    given1: new Dict(),
    givenRaw: new Dict(),
    prefix: new Dict(),
    dob: new Dict(),
    sex: new Dict(),
    country: new Dict(),
    eventType: new Dict(),
  };

  constructor(capacity = 1024) {
    this.cap = Math.max(capacity, 16);
    const c = this.cap;
    this.pk = new Float64Array(c);
    this.source = new Uint8Array(c);
    this.aNumber = new Int32Array(c);
    this.orrId = new Int32Array(c);
    this.idncase = new Int32Array(c);
    this.given = new Int32Array(c);
    this.surnames = new Int32Array(c);
    this.surname1 = new Int32Array(c);
    this.given1 = new Int32Array(c);
    this.givenRaw = new Int32Array(c);
    this.s1Prefix = new Int32Array(c);
    this.g1Prefix = new Int32Array(c);
    this.dob = new Int32Array(c);
    this.dobDay = new Float64Array(c);
    this.sex = new Int32Array(c);
    this.country = new Int32Array(c);
    this.ownDay = new Float64Array(c);
    this.eventType = new Int32Array(c);
  }

  private grow() {
    const c = this.cap * 2;
    const g = <T extends Int32Array | Float64Array | Uint8Array>(a: T): T => {
      const b = new (a.constructor as new (n: number) => T)(c);
      b.set(a);
      return b;
    };
    this.pk = g(this.pk);
    this.source = g(this.source);
    this.aNumber = g(this.aNumber);
    this.orrId = g(this.orrId);
    this.idncase = g(this.idncase);
    this.given = g(this.given);
    this.surnames = g(this.surnames);
    this.surname1 = g(this.surname1);
    this.given1 = g(this.given1);
    this.givenRaw = g(this.givenRaw);
    this.s1Prefix = g(this.s1Prefix);
    this.g1Prefix = g(this.g1Prefix);
    this.dob = g(this.dob);
    this.dobDay = g(this.dobDay);
    this.sex = g(this.sex);
    this.country = g(this.country);
    this.ownDay = g(this.ownDay);
    this.eventType = g(this.eventType);
    this.cap = c;
  }

  // Ids derived from one raw value, computed once per distinct value (names repeat millions of times).
  private readonly givenIds = new Map<string, Int32Array>();
  private readonly surnameIds = new Map<string, Int32Array>();
  private readonly dobIds = new Map<string, { id: number; day: number }>();
  private readonly days = new Map<string, number>();
  private readonly givenDicts = [this.dict.given, this.dict.given1, this.dict.givenRaw, this.dict.prefix];
  private readonly surnameDicts = [this.dict.surnames, this.dict.surname1, this.dict.prefix];

  /** Ids of a cached derivation, counting one more use of each in its dictionary. */
  private reuse(ids: Int32Array, dicts: readonly Dict[]): Int32Array {
    for (let k = 0; k < ids.length; k++) if (ids[k]! >= 0) dicts[k]!.counts[ids[k]!]!++;
    return ids;
  }

  /** Appends a record; records must be added in ascending pk order (ties in clustering use it). */
  add(r: LinkInput): number {
    if (this.n === this.cap) this.grow();
    const i = this.n++;
    const d = this.dict;
    this.pk[i] = r.pk;
    this.source[i] = SOURCES.indexOf(r.source);
    this.recordId.push(r.recordId);
    this.aNumber[i] = d.aNumber.id(r.aNumber);
    this.orrId[i] = d.orrId.id(r.orrId);
    this.idncase[i] = d.idncase.id(r.idncase);

    const givenKey = r.given ?? '';
    let g = this.givenIds.get(givenKey);
    if (g) this.reuse(g, this.givenDicts);
    else {
      const g1 = r.given ? r.given.split(' ')[0]! : '';
      g = Int32Array.of(
        d.given.id(nameTokens(r.given).join(' ')),
        d.given1.id(g1),
        d.givenRaw.id(r.given),
        d.prefix.id(g1 ? g1.slice(0, 2) : null),
      );
      this.givenIds.set(givenKey, g);
    }
    this.given[i] = g[0]!;
    this.given1[i] = g[1]!;
    this.givenRaw[i] = g[2]!;
    this.g1Prefix[i] = g[3]!;

    const surnameKey = `${r.surname1 ?? ''}\u0000${r.surname2 ?? ''}`;
    let sn = this.surnameIds.get(surnameKey);
    if (sn) this.reuse(sn, this.surnameDicts);
    else {
      sn = Int32Array.of(
        d.surnames.id(surnameParts(r.surname1, r.surname2).join('|')),
        d.surname1.id(r.surname1),
        d.prefix.id(r.surname1 ? r.surname1.slice(0, 2) : null),
      );
      this.surnameIds.set(surnameKey, sn);
    }
    this.surnames[i] = sn[0]!;
    this.surname1[i] = sn[1]!;
    this.s1Prefix[i] = sn[2]!;

    const dobKey = r.dob ?? '';
    let dob = this.dobIds.get(dobKey);
    if (dob) {
      if (dob.id >= 0) d.dob.counts[dob.id]!++;
    } else {
      dob = { id: d.dob.id(r.dob), day: dayNumber(r.dob) };
      this.dobIds.set(dobKey, dob);
    }
    this.dob[i] = dob.id;
    this.dobDay[i] = dob.day;

    this.sex[i] = d.sex.id(r.sex);
    this.country[i] = d.country.id(r.country);
    let own = this.days.get(r.ownDate);
    if (own === undefined) {
      own = dayNumber(r.ownDate);
      this.days.set(r.ownDate, own);
    }
    this.ownDay[i] = own;
    this.eventType[i] = d.eventType.id(r.eventType);
    return i;
  }

  sourceName(i: number): string {
    return SOURCES[this.source[i]!]!;
  }

  /** A CBP encounter row (two in one day cannot be one child). */
  isEncounter(i: number): boolean {
    return this.source[i] === 0;
  }
}

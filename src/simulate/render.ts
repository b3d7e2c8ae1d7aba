// Turns each child's path into the rows each agency would have sent: its own formats, codes and
// habits (names, dates, A-numbers), with the configured noise, and the versions a row goes through
// (sent, sent again, corrected later, unreadable).
import type { Rng } from './random.ts';
import type { ChildPath, PathEvent, Residence } from './lifecycle.ts';
import { dayToIso, dayToUs, minuteToHearing, minuteToIsoLocal } from './dates.ts';
import { aNumberTypo, mixedCase, spanishSpelling, stripAccents, typo, type NoiseCounter } from './noise.ts';
import { blankAddress, foreignZip, writeAddress, type Address } from './address.ts';
import { filePlan, type FeedRow, type FileSpec, type Source } from './feed-layout.ts';

export type MalformedKind = 'bad_date' | 'unknown_code' | 'missing_field' | 'field_count';

export interface RowSink {
  /** A version of a row written to a file. */
  write(file: FileSpec, row: FeedRow, malformed: MalformedKind | null): void;
  /** The final readable version of an in-scope row, and the child it belongs to. */
  final(row: FeedRow, child: ChildPath): void;
}

const dateFields: Record<Source, string> = {
  cbp: 'birth_date',
  ice: 'dob',
  orr: 'child_dob',
  opla: 'issued_date',
  eoir: 'event_date',
};
const codeFields: Record<Source, [string, string]> = {
  cbp: ['sex', 'Q'],
  ice: ['gender', 'MASCULINO'],
  orr: ['event_type', 'RELEASED'],
  opla: ['service_method', 'EMAIL'],
  eoir: ['event_type', 'HEARING'],
};
const requiredFields: Record<Source, string> = {
  cbp: 'given_name',
  ice: 'subject_name',
  orr: 'child_last_name',
  opla: 'respondent_name',
  eoir: 'last_name',
};

export class Renderer {
  private seq = { cbp: 0, ice: 0, orr: 0, opla: 0, eoir: 0 };
  /** Rows whose own date falls after this day go to the second part of a split source. */
  readonly counts = { rows: 0, finalRows: 0, ntaUpdates: 0, outOfScope: 0 };

  constructor(
    private readonly noise: NoiseCounter,
    private readonly splitDay: number,
    private readonly horizon: number,
  ) {}

  private nextId(source: Source): string {
    const n = ++this.seq[source];
    const prefix = { cbp: 'BP', ice: 'TR', orr: 'OR', opla: 'NTA', eoir: 'EV' }[source];
    return prefix + String(n).padStart(9, '0');
  }

  // ---- identity as each source writes it ----

  private aNumber(
    rng: Rng,
    a: string,
    missingKind: 'cbpANumberMissing' | 'orrANumberMissing' | null,
  ): string {
    if (missingKind && this.noise.roll(rng, missingKind)) return '';
    let v = this.noise.roll(rng, 'aNumberTypo') ? aNumberTypo(rng, a) : a;
    if (v.startsWith('0') && this.noise.roll(rng, 'aNumberEightDigits')) v = v.slice(1);
    else if (this.noise.roll(rng, 'aNumberPrefixed'))
      v = this.noise.roll(rng, 'aNumberDashed')
        ? `A-${v.slice(0, 3)}-${v.slice(3, 6)}-${v.slice(6)}`
        : 'A' + v;
    return v;
  }

  private nameNoise(rng: Rng, name: string): string {
    let n = name;
    if (this.noise.roll(rng, 'spanishSpelling')) n = spanishSpelling(rng, n);
    if (this.noise.roll(rng, 'nameTypo')) n = typo(rng, n);
    return n;
  }

  /** Surnames in the form this row uses: both, paternal only, hyphenated, or maternal first. */
  private surnames(rng: Rng, c: ChildPath, upper: boolean): string {
    const { surname1: s1, surname2: s2 } = c.identity;
    let out: string;
    if (this.noise.roll(rng, 'surnamePaternalOnly')) out = s1;
    else if (this.noise.roll(rng, 'surnameHyphenated')) out = `${s1}-${s2}`;
    else if (this.noise.roll(rng, 'surnameSwapped')) out = `${s2} ${s1}`;
    else out = `${s1} ${s2}`;
    return this.accents(rng, out, upper);
  }

  private accents(rng: Rng, s: string, upper: boolean): string {
    const keep = this.noise.roll(rng, upper ? 'accentsKeptUpper' : 'accentsKeptOrr');
    const v = keep ? s : stripAccents(s);
    return upper ? v : mixedCase(v);
  }

  private given(rng: Rng, c: ChildPath, upper: boolean): string {
    return this.accents(rng, c.identity.given, upper);
  }

  private dob(rng: Rng, c: ChildPath, form: 'iso' | 'us'): string {
    const iso = dayToIso(c.identity.dob);
    const [y, m, d] = [iso.slice(0, 4), iso.slice(5, 7), iso.slice(8, 10)];
    // Day and month swapped, only where the swap is still a date (else it is a malformed row).
    const swappable = Number(d) <= 12 && d !== m;
    const [mm, dd] = swappable && this.noise.roll(rng, 'dobDayMonthSwap') ? [d, m] : [m, d];
    return form === 'iso' ? `${y}-${mm}-${dd}` : `${mm}/${dd}/${y}`;
  }

  private address(rng: Rng, r: Residence | null | undefined, mixed: boolean): Address {
    if (!r) return blankAddress;
    const a = writeAddress(rng, r.place, r.unit, mixed);
    if (r.defect === 'blank') return rng.chance(0.7) ? { ...a, street: '', unit: '' } : { ...a, zip: '' };
    if (r.defect === 'invalid') {
      const k = rng.int(3);
      if (k === 0) return { ...a, zip: a.zip.slice(0, 4) };
      if (k === 1) return { ...a, state: rng.pick(['TEX', 'XX', 'CAL', 'N.Y.']) };
      return { ...a, zip: foreignZip(rng, r.place.state) };
    }
    return a;
  }

  // ---- rows per source ----

  private row(rng: Rng, c: ChildPath, e: PathEvent): FeedRow {
    const id = this.nextId(e.src);
    const A = c.aNumber;
    switch (e.src) {
      case 'cbp':
        return {
          source: 'cbp',
          id,
          values: {
            encounter_id: id,
            a_number: this.aNumber(rng, e.aNumber, 'cbpANumberMissing'),
            family_name: this.nameNoise(rng, this.surnames(rng, c, true)),
            given_name: this.nameNoise(rng, this.given(rng, c, true)),
            birth_date: this.dob(rng, c, 'iso'),
            sex: rng.chance(0.003) ? 'U' : c.identity.sex,
            citizenship: c.identity.country,
            encounter_date: dayToIso(e.day),
            sector: e.sector,
            uc_designation: 'Y',
          },
        };
      case 'ice':
        return {
          source: 'ice',
          id,
          values: {
            transfer_id: id,
            a_number: this.aNumber(rng, e.aNumber, null),
            subject_name: `${this.nameNoise(rng, this.surnames(rng, c, true))}, ${this.nameNoise(rng, this.given(rng, c, true))}`,
            dob: this.dob(rng, c, 'us'),
            gender: c.identity.sex === 'M' ? 'MALE' : 'FEMALE',
            country_of_citizenship: c.identity.countryName,
            book_in_date_time: minuteToIsoLocal(e.bookIn),
            transfer_date_time: minuteToIsoLocal(e.transferAt),
            orr_facility: e.facility,
          },
        };
      case 'orr': {
        const addr =
          e.type === 'RELEASE' || e.type === 'ADDRESS_UPDATE'
            ? this.address(rng, e.residence, true)
            : blankAddress;
        return {
          source: 'orr',
          id,
          values: {
            orr_record_id: id,
            orr_uc_id: c.orrUcId,
            event_type: e.type,
            event_date: dayToUs(e.day),
            a_number: this.aNumber(rng, A, 'orrANumberMissing'),
            child_first_name: this.nameNoise(rng, this.given(rng, c, false)),
            child_last_name: this.nameNoise(rng, this.surnames(rng, c, false)),
            child_dob: this.dob(rng, c, 'us'),
            child_sex: c.identity.sex,
            country_of_birth: mixedCase(c.identity.countryName),
            sponsor_id: e.sponsorId ?? '',
            sponsor_relationship: e.category ?? '',
            ...addr,
            call_outcome: e.outcome ?? '',
            discharge_reason: e.reason ?? '',
          },
        };
      }
      case 'opla': {
        const served = e.servedDay !== null && e.servedDay <= this.horizon ? e.servedDay : null;
        const filed =
          served !== null && e.filedDay !== null && e.filedDay <= this.horizon ? e.filedDay : null;
        const names = `${this.nameNoise(rng, this.given(rng, c, true))} ${this.nameNoise(rng, this.surnames(rng, c, true))}`;
        return {
          source: 'opla',
          id,
          values: {
            nta_id: id,
            a_number: this.aNumber(rng, e.secondA ? c.aNumber2 : A, null),
            respondent_name: names,
            dob: this.dob(rng, c, 'iso'),
            issued_date: dayToIso(e.day),
            served_date: served === null ? '' : dayToIso(served),
            service_method: served === null ? '' : e.method,
            filed_date: filed === null ? '' : dayToIso(filed),
            court_code: e.court,
            ...this.address(rng, e.residence, false),
          },
        };
      }
      case 'eoir': {
        const hearing = e.type === 'HEARING_SCHEDULED' || e.type === 'HEARING_RESULT';
        const addr =
          e.type === 'CASE_OPENED' || e.type === 'ADDRESS_CHANGE'
            ? this.address(rng, e.residence, false)
            : blankAddress;
        return {
          source: 'eoir',
          id,
          values: {
            eoir_event_id: id,
            idncase: e.idncase,
            a_number: this.aNumber(rng, e.secondA ? c.aNumber2 : A, null),
            last_name: this.nameNoise(rng, this.surnames(rng, c, true)),
            first_name: this.nameNoise(rng, this.given(rng, c, true)),
            event_type: e.type,
            event_date: dayToIso(e.day),
            hearing_date: hearing ? minuteToHearing(e.hearingAt!) : '',
            hearing_type: hearing ? e.hearingType! : '',
            court_code: e.court,
            attendance: e.attendance ?? '',
            in_absentia: e.inAbsentia ?? '',
            completion: e.completion ?? '',
            ...addr,
          },
        };
      }
    }
  }

  /** A version of `row` carrying an error a clerk later corrects (a name, a date of birth, an A-number). */
  private erroneous(rng: Rng, row: FeedRow): FeedRow {
    const v = { ...row.values };
    const nameField = {
      cbp: 'given_name',
      ice: 'subject_name',
      orr: 'child_first_name',
      opla: 'respondent_name',
      eoir: 'first_name',
    }[row.source];
    const k = rng.int(3);
    if (k === 0 || row.source === 'eoir') v[nameField] = typo(rng, v[nameField]!.toUpperCase());
    else if (k === 1 && v.a_number)
      v.a_number = aNumberTypo(rng, v.a_number.replace(/\D/g, '').padStart(9, '0'));
    else {
      const f = dateFields[row.source];
      // The year of birth off by one (dates of events are left alone).
      if (f === 'birth_date' || f === 'dob' || f === 'child_dob') {
        v[f] = v[f]!.replace(/\d{4}/, (y) => String(Number(y) + 1));
      } else v[nameField] = typo(rng, v[nameField]!.toUpperCase());
    }
    if (JSON.stringify(v) === JSON.stringify(row.values)) v[nameField] = v[nameField] + 'X';
    return { ...row, values: v };
  }

  private malformed(rng: Rng, row: FeedRow): [FeedRow, MalformedKind] {
    const v = { ...row.values };
    const kinds: MalformedKind[] = ['bad_date', 'unknown_code', 'missing_field', 'field_count'];
    const kind = rng.pick(kinds);
    if (kind === 'bad_date') {
      const f = dateFields[row.source];
      v[f] = f === 'dob' || f === 'child_dob' ? '13/45/' + v[f]!.slice(-4) : v[f]!.slice(0, 4) + '-13-45';
    } else if (kind === 'unknown_code') {
      const [f, bad] = codeFields[row.source];
      v[f] = bad;
    } else if (kind === 'missing_field') v[requiredFields[row.source]] = '';
    return [{ ...row, values: v, short: kind === 'field_count' }, kind];
  }

  private partFor(source: Source, day: number, other = false): FileSpec {
    const parts = filePlan[source].parts;
    if (parts.length === 1) return parts[0]!;
    const i = day > this.splitDay ? 1 : 0;
    return parts[other ? 1 - i : i]!;
  }

  /** Writes every row of a child's path, with its versions, and reports the final ones. */
  emitChild(rng: Rng, c: ChildPath, sink: RowSink): void {
    for (const e of c.events) {
      if (
        (e.src === 'ice' && this.noise.roll(rng, 'iceRowMissing')) ||
        (e.src === 'opla' && this.noise.roll(rng, 'oplaRowMissing'))
      ) {
        this.nextId(e.src);
        continue;
      }
      const row = this.row(rng, c, e);
      const part = this.partFor(row.source, e.day);
      const corrections = filePlan[row.source].corrections;
      let final: FeedRow | null = row;
      let first: FeedRow = row;
      if (this.noise.roll(rng, 'malformed')) {
        const [bad, kind] = this.malformed(rng, row);
        sink.write(part, bad, kind);
        if (this.noise.roll(rng, 'malformedCorrected')) sink.write(corrections, row, null);
        else final = null;
        this.counts.rows++;
        if (final) sink.final(final, c);
        continue;
      }
      if (
        e.src === 'opla' &&
        row.values.served_date &&
        row.values.served_date !== row.values.issued_date &&
        rng.chance(0.5)
      ) {
        // OPLA sends the NTA when issued, and again once served and filed.
        first = { ...row, values: { ...row.values, served_date: '', service_method: '', filed_date: '' } };
        this.counts.ntaUpdates++;
      } else if (this.noise.roll(rng, 'corrected')) first = this.erroneous(rng, row);
      sink.write(part, first, null);
      if (first !== row) sink.write(corrections, row, null);
      if (this.noise.roll(rng, 'resent')) sink.write(this.partFor(row.source, e.day, true), first, null);
      this.counts.rows++;
      sink.final(final, c);
    }
  }

  /** A CBP row out of scope: an adult, or a child encountered with a family (uc_designation N). */
  emitOutOfScope(
    rng: Rng,
    day: number,
    given: string,
    family: string,
    dob: number,
    country: string,
    sink: RowSink,
  ): void {
    const id = this.nextId('cbp');
    this.counts.outOfScope++;
    sink.write(
      this.partFor('cbp', day),
      {
        source: 'cbp',
        id,
        values: {
          encounter_id: id,
          a_number: rng.chance(0.7) ? String(rng.between(10_000_000, 299_999_999)).padStart(9, '0') : '',
          family_name: stripAccents(family),
          given_name: stripAccents(given),
          birth_date: dayToIso(dob),
          sex: rng.chance(0.5) ? 'M' : 'F',
          citizenship: country,
          encounter_date: dayToIso(day),
          sector: 'RGV',
          uc_designation: 'N',
        },
      },
      null,
    );
  }
}

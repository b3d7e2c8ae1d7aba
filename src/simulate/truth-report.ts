// The oversight figures (spec/oversight-report.md) computed from the truth: the rows the feeds hold
// in their final readable form, grouped by the child they truly belong to. An independent oracle for
// the reports module: it shares no code with src/reports.
import type { FeedRow } from './feed-layout.ts';
import { fiscalYear, isoToDay, usToDay, dayToIso } from './dates.ts';
import { normalizeAddress, staticDefect, type Address } from './address.ts';

export interface FigureSet {
  transferred_to_orr: number;
  released_to_sponsor: number;
  fled_custody: number;
  no_nta_served: number;
  nta_served_not_filed: number;
  failed_to_appear: number;
  in_absentia_orders: number;
  address_defects: { blank: number; invalid: number; missing_unit: number; undeliverable: number };
}

export interface TruthReport {
  as_of: string;
  children: {
    in_scope: number;
    transferred_to_orr: number;
    released_to_sponsor: number;
    fled_custody: number;
  };
  no_nta_served: number;
  nta_served_not_filed: number;
  failed_to_appear: number;
  in_absentia_orders: number;
  address_defects: FigureSet['address_defects'];
  recurring_addresses: { addresses: number; children: number; threshold: number };
  by_fiscal_year: Record<string, FigureSet>;
}

interface AddressFact {
  day: number;
  rank: number; // same day: EOIR newer than OPLA, newer than ORR
  id: string;
  source: 'orr' | 'opla' | 'eoir';
  address: Address;
}

interface Facts {
  days: number[]; // own dates of every row
  transfers: number[];
  releases: { day: number; address: Address }[];
  runaways: number[];
  ntas: { day: number; served: number; filed: number }[];
  casesOpened: number[];
  absences: { day: number; hearingDay: number }[];
  inAbsentia: number[];
  noticesReturned: number[];
  addresses: AddressFact[];
}

export const blankish = (a: Address) => !a.street && !a.unit && !a.city && !a.state && !a.zip;
export const addressOf = (v: Record<string, string>): Address => ({
  street: v.street ?? '',
  unit: v.unit ?? '',
  city: v.city ?? '',
  state: v.state ?? '',
  zip: v.zip ?? '',
});
const emptyFigures = (): FigureSet => ({
  transferred_to_orr: 0,
  released_to_sponsor: 0,
  fled_custody: 0,
  no_nta_served: 0,
  nta_served_not_filed: 0,
  failed_to_appear: 0,
  in_absentia_orders: 0,
  address_defects: { blank: 0, invalid: 0, missing_unit: 0, undeliverable: 0 },
});

/** Parses a child's final rows into dated facts. */
export function childFacts(rows: readonly FeedRow[]): Facts {
  const f: Facts = {
    days: [],
    transfers: [],
    releases: [],
    runaways: [],
    ntas: [],
    casesOpened: [],
    absences: [],
    inAbsentia: [],
    noticesReturned: [],
    addresses: [],
  };
  for (const r of rows) {
    const v = r.values;
    if (r.source === 'cbp') f.days.push(isoToDay(v.encounter_date!));
    else if (r.source === 'ice') {
      const d = isoToDay(v.transfer_date_time!.slice(0, 10));
      f.days.push(d);
      f.transfers.push(d);
    } else if (r.source === 'orr') {
      const d = usToDay(v.event_date!);
      f.days.push(d);
      const t = v.event_type;
      if (t === 'ADMISSION') f.transfers.push(d);
      else if (t === 'RUNAWAY') f.runaways.push(d);
      if (t === 'RELEASE') f.releases.push({ day: d, address: addressOf(v) });
      if (t === 'RELEASE' || t === 'ADDRESS_UPDATE')
        f.addresses.push({ day: d, rank: 1, id: r.id, source: 'orr', address: addressOf(v) });
    } else if (r.source === 'opla') {
      const d = isoToDay(v.issued_date!);
      f.days.push(d);
      f.ntas.push({
        day: d,
        served: v.served_date ? isoToDay(v.served_date) : NaN,
        filed: v.filed_date ? isoToDay(v.filed_date) : NaN,
      });
      const a = addressOf(v);
      // An NTA with no address printed carries no address.
      if (!blankish(a)) f.addresses.push({ day: d, rank: 2, id: r.id, source: 'opla', address: a });
    } else {
      const d = isoToDay(v.event_date!);
      f.days.push(d);
      const t = v.event_type;
      if (t === 'CASE_OPENED') f.casesOpened.push(d);
      else if (t === 'HEARING_RESULT') {
        if (v.attendance === 'ABSENT')
          f.absences.push({ day: d, hearingDay: isoToDay(v.hearing_date!.slice(0, 10)) });
        if (v.in_absentia === 'Y') f.inAbsentia.push(d);
      } else if (t === 'NOTICE_RETURNED') f.noticesReturned.push(d);
      if (t === 'CASE_OPENED' || t === 'ADDRESS_CHANGE') {
        const a = addressOf(v);
        if (!blankish(a)) f.addresses.push({ day: d, rank: 3, id: r.id, source: 'eoir', address: a });
      }
    }
  }
  return f;
}

const newer = (a: AddressFact, b: AddressFact) =>
  a.day !== b.day ? a.day > b.day : a.rank !== b.rank ? a.rank > b.rank : a.id > b.id;

/** Accumulates children one at a time; figures for several as-of dates at once. */
export class TruthReporter {
  private readonly days: number[];
  private readonly totals: { inScope: number; figures: FigureSet; byFy: Map<number, FigureSet> }[];
  /** Street line + ZIP seen with a unit, and the first day it was seen. */
  private readonly unitSeen = new Map<string, number>();
  /** Per as-of date: children whose current address has no unit, to check against unitSeen at the end. */
  private readonly pendingUnit: { key: string; fy: number }[][];
  /** Normalized release address -> [child, day] pairs. */
  private readonly releasedTo = new Map<string, number[]>();
  private childCount = 0;

  constructor(
    readonly asOfDates: readonly string[],
    readonly recurringThreshold = 5,
  ) {
    this.days = asOfDates.map(isoToDay);
    this.totals = this.days.map(() => ({ inScope: 0, figures: emptyFigures(), byFy: new Map() }));
    this.pendingUnit = this.days.map(() => []);
  }

  addChild(rows: readonly FeedRow[]): void {
    const child = this.childCount++;
    const f = childFacts(rows);
    for (const a of f.addresses) {
      const n = normalizeAddress(a.address);
      if (n.unit && n.line && n.zip5) {
        const key = n.line + '|' + n.zip5;
        const seen = this.unitSeen.get(key);
        if (seen === undefined || a.day < seen) this.unitSeen.set(key, a.day);
      }
    }
    for (const r of f.releases) {
      if (staticDefect(r.address)) continue;
      const n = normalizeAddress(r.address);
      const key = `${n.line}|${n.unit}|${n.zip5}`;
      let list = this.releasedTo.get(key);
      if (!list) this.releasedTo.set(key, (list = []));
      list.push(child, r.day);
    }
    this.days.forEach((D, i) => this.count(f, D, i));
  }

  private count(f: Facts, D: number, i: number): void {
    const t = this.totals[i]!;
    if (!f.days.some((d) => d <= D)) return;
    t.inScope++;
    const transfers = f.transfers.filter((d) => d <= D);
    const fy = transfers.length ? fiscalYear(Math.min(...transfers)) : 0;
    let byFy = fy ? t.byFy.get(fy) : undefined;
    if (fy && !byFy) t.byFy.set(fy, (byFy = emptyFigures()));
    const add = (k: Exclude<keyof FigureSet, 'address_defects'>) => {
      t.figures[k]++;
      if (byFy) byFy[k]++;
    };
    const released = f.releases.some((r) => r.day <= D);
    const served = f.ntas.some((n) => n.day <= D && n.served <= D);
    const filed = f.ntas.some((n) => n.day <= D && n.filed <= D);
    const caseOpened = f.casesOpened.some((d) => d <= D);
    if (transfers.length) add('transferred_to_orr');
    if (released) add('released_to_sponsor');
    if (f.runaways.some((d) => d <= D)) add('fled_custody');
    if (released && !served && !caseOpened) add('no_nta_served');
    if (served && !filed && !caseOpened) add('nta_served_not_filed');
    if (f.absences.some((a) => a.day <= D && a.hearingDay <= D)) add('failed_to_appear');
    if (f.inAbsentia.some((d) => d <= D)) add('in_absentia_orders');
    if (!released) return;
    let current: AddressFact | null = null;
    for (const a of f.addresses) if (a.day <= D && (!current || newer(a, current))) current = a;
    if (!current) return;
    const defect = staticDefect(current.address);
    const mark = (k: keyof FigureSet['address_defects']) => {
      t.figures.address_defects[k]++;
      if (byFy) byFy.address_defects[k]++;
    };
    if (defect) return mark(defect);
    const cur = current;
    if (cur.source === 'eoir' && f.noticesReturned.some((d) => d <= D && d >= cur.day))
      return mark('undeliverable');
    const n = normalizeAddress(cur.address);
    if (!n.unit) this.pendingUnit[i]!.push({ key: n.line + '|' + n.zip5, fy });
  }

  finish(): TruthReport[] {
    return this.days.map((D, i) => {
      const t = this.totals[i]!;
      for (const p of this.pendingUnit[i]!) {
        const seen = this.unitSeen.get(p.key);
        if (seen !== undefined && seen <= D) {
          t.figures.address_defects.missing_unit++;
          const byFy = t.byFy.get(p.fy);
          if (byFy) byFy.address_defects.missing_unit++;
        }
      }
      let addresses = 0;
      let children = new Set<number>();
      for (const list of this.releasedTo.values()) {
        const kids = new Set<number>();
        for (let k = 0; k < list.length; k += 2) if (list[k + 1]! <= D) kids.add(list[k]!);
        if (kids.size >= this.recurringThreshold) {
          addresses++;
          for (const c of kids) children.add(c);
        }
      }
      const byFiscalYear: Record<string, FigureSet> = {};
      for (const fy of [...t.byFy.keys()].sort()) byFiscalYear[String(fy)] = t.byFy.get(fy)!;
      const report: TruthReport = {
        as_of: dayToIso(D),
        children: {
          in_scope: t.inScope,
          transferred_to_orr: t.figures.transferred_to_orr,
          released_to_sponsor: t.figures.released_to_sponsor,
          fled_custody: t.figures.fled_custody,
        },
        no_nta_served: t.figures.no_nta_served,
        nta_served_not_filed: t.figures.nta_served_not_filed,
        failed_to_appear: t.figures.failed_to_appear,
        in_absentia_orders: t.figures.in_absentia_orders,
        address_defects: t.figures.address_defects,
        recurring_addresses: { addresses, children: children.size, threshold: this.recurringThreshold },
        by_fiscal_year: byFiscalYear,
      };
      children = new Set();
      return report;
    });
  }
}

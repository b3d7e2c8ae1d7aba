// Per gap rule, how many children the truth says the rule holds for on each as-of date: read from
// each child's rows in their final readable form, grouped by the child they truly belong to, with
// the rule definitions of issue 6 at their default settings. An independent oracle for the rules
// module: it shares no logic with src/rules, src/cases or src/addresses (only the list of rule ids).
import type { FeedRow } from './feed-layout.ts';
import { birthday, dayToIso, isoToDay, usToDay } from './dates.ts';
import { normalizeAddress, staticDefect, type Address } from './address.ts';
import { addressOf, blankish, type TruthReport } from './truth-report.ts';
import { RULE_IDS, type RuleId } from '../rules/catalogue.ts';

/** The rules' default settings the counts assume (the catalogue's defaults). */
export const TRUTH_RULE_SETTINGS = {
  NO_NTA_days: 30,
  NTA_NOT_FILED_days: 30,
  NO_HEARING_SCHEDULED_days: 60,
  TRANSFER_OVER_72H_hours: 72,
  RECURRING_ADDRESS_threshold: 5,
} as const;

export const TRUTH_RULE_IDS = RULE_IDS;

export type TruthRuleId = RuleId;

export interface TruthRuleCounts {
  as_of: string;
  settings: typeof TRUTH_RULE_SETTINGS;
  /** Children for whom each rule holds on the as-of date (open alerts after a sweep for that date). */
  children: Record<TruthRuleId, number>;
}

type Source = FeedRow['source'];
const CUSTODY_RANK: Record<string, number> = {
  ENCOUNTER: 0,
  TRANSFER: 1,
  ADMISSION: 2,
  RELEASE: 3,
  RUNAWAY: 3,
  DISCHARGE_OTHER: 3,
};
const SOURCE_ORDER: Record<Source, number> = { cbp: 0, ice: 1, orr: 2, opla: 3, eoir: 4 };

interface Row {
  seq: number;
  source: Source;
  day: number;
  type: string;
  v: Record<string, string>;
}

const minuteOf = (s: string) => Date.parse(`${s.replace(' ', 'T')}Z`) / 60_000;
const key = (a: Address) => {
  const n = normalizeAddress(a);
  return `${n.line}|${n.unit}|${n.zip5}`;
};

/** The child's rows as dated facts, in the order the feeds deliver them. */
function parse(rows: readonly FeedRow[]): Row[] {
  return rows.map((r, seq) => {
    const v = r.values;
    switch (r.source) {
      case 'cbp':
        return { seq, source: r.source, day: isoToDay(v.encounter_date!), type: 'ENCOUNTER', v };
      case 'ice':
        return {
          seq,
          source: r.source,
          day: isoToDay(v.transfer_date_time!.slice(0, 10)),
          type: 'TRANSFER',
          v,
        };
      case 'orr':
        return { seq, source: r.source, day: usToDay(v.event_date!), type: v.event_type!, v };
      case 'opla':
        return { seq, source: r.source, day: isoToDay(v.issued_date!), type: 'NTA', v };
      default:
        return { seq, source: r.source, day: isoToDay(v.event_date!), type: v.event_type!, v };
    }
  });
}

interface AddressAt {
  day: number;
  order: number;
  seq: number;
  address: Address;
}

const newest = (list: readonly AddressAt[]): AddressAt | null =>
  list.reduce<AddressAt | null>(
    (b, a) =>
      !b ||
      a.day > b.day ||
      (a.day === b.day && (a.order > b.order || (a.order === b.order && a.seq > b.seq)))
        ? a
        : b,
    null,
  );

/** The rules that hold for one child on day D (without the address-quality and recurring rules). */
export function rulesHolding(rows: readonly FeedRow[], dob: string, D: number): Set<TruthRuleId> {
  const S = TRUTH_RULE_SETTINGS;
  const all = parse(rows).filter((r) => r.day <= D);
  const out = new Set<TruthRuleId>();
  const releases = all.filter((r) => r.source === 'orr' && r.type === 'RELEASE').map((r) => r.day);
  const ntas = all
    .filter((r) => r.source === 'opla')
    .map((r) => ({
      served: r.v.served_date ? isoToDay(r.v.served_date) : NaN,
      filed: r.v.filed_date ? isoToDay(r.v.filed_date) : NaN,
    }));
  const served = ntas.map((n) => n.served).filter((d) => d <= D);
  const filed = ntas.some((n) => n.filed <= D);
  const eoir = all.filter((r) => r.source === 'eoir');

  // Court cases by case number: opened on the opening row (else the first row), completed or not,
  // hearings on the calendar, and hearing results held by D.
  const cases = new Map<string, { opened: number; completed: boolean; scheduled: number[] }>();
  const results: { at: number; seq: number; absent: boolean; day: number }[] = [];
  for (const r of [...eoir].sort((a, b) => a.day - b.day || a.seq - b.seq)) {
    const id = r.v.idncase || '(none)';
    let c = cases.get(id);
    if (!c) cases.set(id, (c = { opened: r.day, completed: false, scheduled: [] }));
    if (r.type === 'CASE_OPENED') c.opened = r.day;
    if (r.type === 'CASE_COMPLETED') c.completed = true;
    const hearing = r.v.hearing_date ? minuteOf(r.v.hearing_date) : NaN;
    if (r.type === 'HEARING_SCHEDULED' && !Number.isNaN(hearing))
      c.scheduled.push(Math.floor(hearing / 1440));
    if (r.type === 'HEARING_RESULT' && Math.floor(hearing / 1440) <= D && r.v.attendance) {
      results.push({
        at: hearing,
        seq: r.seq,
        absent: r.v.attendance === 'ABSENT',
        day: Math.floor(hearing / 1440),
      });
    }
  }
  const open = [...cases.values()].filter((c) => !c.completed);
  results.sort((a, b) => a.at - b.at || a.seq - b.seq);

  if (releases.length && !served.length && cases.size === 0 && D - Math.min(...releases) > S.NO_NTA_days)
    out.add('NO_NTA');
  if (served.length && !filed && cases.size === 0 && D - Math.min(...served) > S.NTA_NOT_FILED_days)
    out.add('NTA_NOT_FILED');
  for (const c of open) {
    if (c.scheduled.some((h) => h >= D)) continue;
    if (D - Math.max(c.opened, ...c.scheduled) > S.NO_HEARING_SCHEDULED_days) out.add('NO_HEARING_SCHEDULED');
  }
  // Absent at every hearing since the last one the child attended.
  if (results.length && results[results.length - 1]!.absent) out.add('FAILED_TO_APPEAR');
  const presentDays = results.filter((r) => !r.absent).map((r) => r.day);

  // Custody: the last custody row (same day: encounter, transfer, admission, then the outcome).
  const custody = all
    .filter((r) => r.type in CUSTODY_RANK)
    .sort((a, b) => a.day - b.day || CUSTODY_RANK[a.type]! - CUSTODY_RANK[b.type]! || a.seq - b.seq)
    .at(-1);
  if (custody?.type === 'RUNAWAY') out.add('FLED_CUSTODY');

  if (releases.length) {
    let failedSince: number | null = null;
    const calls = all.filter((r) => r.type === 'SAFETY_CALL').sort((a, b) => a.day - b.day || a.seq - b.seq);
    let lastFailed = NaN;
    for (const c of calls) {
      if (c.v.call_outcome === 'REACHED') failedSince = null;
      else if (c.v.call_outcome === 'NOT_REACHED' || c.v.call_outcome === 'CHILD_NOT_AT_ADDRESS') {
        failedSince ??= c.day;
        lastFailed = c.day;
      }
    }
    if (failedSince !== null && !presentDays.some((d) => d > lastFailed)) out.add('SAFETY_CALL_FAILED');
  }

  const late = all.some(
    (r) =>
      r.source === 'ice' &&
      r.v.book_in_date_time &&
      r.v.transfer_date_time &&
      (minuteOf(r.v.transfer_date_time) - minuteOf(r.v.book_in_date_time)) / 60 > S.TRANSFER_OVER_72H_hours,
  );
  if (late) out.add('TRANSFER_OVER_72H');

  const turns18 = birthday(isoToDay(dob), 18);
  if (turns18 <= D && open.some((c) => c.opened <= turns18)) out.add('AGED_OUT_IN_PROCEEDINGS');

  // Drift: ORR's newest address differs from the older one the court (or, before any court case,
  // the NTA) holds while proceedings are pending.
  const orr = newest(
    all
      .filter((r) => r.source === 'orr' && (r.type === 'RELEASE' || r.type === 'ADDRESS_UPDATE'))
      .map((r) => ({ day: r.day, order: 0, seq: r.seq, address: addressOf(r.v) })),
  );
  const holderOf = (src: Source, types: readonly string[]) =>
    newest(
      all
        .filter((r) => r.source === src && types.includes(r.type) && !blankish(addressOf(r.v)))
        .map((r) => ({ day: r.day, order: SOURCE_ORDER[src], seq: r.seq, address: addressOf(r.v) })),
    );
  const pending = open.length > 0 || (cases.size === 0 && ntas.length > 0);
  const holder =
    holderOf('eoir', ['CASE_OPENED', 'ADDRESS_CHANGE']) ??
    (cases.size === 0 ? holderOf('opla', ['NTA']) : null);
  if (
    orr &&
    pending &&
    holder &&
    holder.day < orr.day &&
    key(holder.address) !== key(orr.address) &&
    !staticDefect(orr.address)
  )
    out.add('ADDRESS_DRIFT');
  return out;
}

/** Accumulates children one at a time; per-rule counts for several as-of dates at once. */
export class TruthRuleCounter {
  private readonly days: number[];
  private readonly counts: Record<TruthRuleId, number>[];

  constructor(readonly asOfDates: readonly string[]) {
    this.days = asOfDates.map(isoToDay);
    this.counts = this.days.map(
      () => Object.fromEntries(TRUTH_RULE_IDS.map((id) => [id, 0])) as Record<TruthRuleId, number>,
    );
  }

  addChild(rows: readonly FeedRow[], dob: string): void {
    this.days.forEach((D, i) => {
      for (const id of rulesHolding(rows, dob, D)) this.counts[i]![id]++;
    });
  }

  /** The counts per date; the address-quality and recurring-address rules come from the report. */
  finish(reports: readonly TruthReport[]): TruthRuleCounts[] {
    return this.days.map((D, i) => {
      const asOf = dayToIso(D);
      const report = reports.find((r) => r.as_of === asOf);
      if (!report) throw new Error(`no truth report for ${asOf}`);
      const c = this.counts[i]!;
      c.ADDRESS_BLANK = report.address_defects.blank;
      c.ADDRESS_INVALID = report.address_defects.invalid;
      c.ADDRESS_MISSING_UNIT = report.address_defects.missing_unit;
      c.ADDRESS_UNDELIVERABLE = report.address_defects.undeliverable;
      c.RECURRING_ADDRESS = report.recurring_addresses.children;
      return { as_of: asOf, settings: TRUTH_RULE_SETTINGS, children: { ...c } };
    });
  }
}

// Pure rule evaluators: a child's case state as of a date in, the rules that hold out, each with the
// date it began to hold, its deadline and the records whose facts raised it. When a rule does not
// hold, the evaluator says why: that reason closes an alert that was open.
import {
  classifyAddress,
  sameAddress,
  isComparable,
  addressKey,
  type AddressQuality,
} from '../addresses/quality.ts';
import { nextHearing, openCases, type CaseState, type HearingResult } from '../cases/case-state.ts';
import { addDays, daysBetween, maxDate } from '../cases/dates.ts';
import {
  CATALOGUE,
  RULES,
  numberSetting,
  type RuleId,
  type RuleSettings,
  type Severity,
} from './catalogue.ts';

export interface RuleContext {
  /** Whether any source row (as of the date) holds this street line and ZIP with a unit. */
  streetHasUnits(line: string, zip5: string): boolean;
  /** For an address key: each distinct child's first release date to it, as of the date. */
  releasesTo(key: string): readonly string[];
}

export interface RuleHit {
  ruleId: RuleId;
  /** The date from which the rule holds by the facts. */
  since: string;
  dueOn: string;
  severity: Severity;
  recordPks: number[];
  details: Record<string, unknown>;
}

type Outcome =
  | { hit: Omit<RuleHit, 'ruleId' | 'dueOn' | 'severity'> & { dueOn?: string; severity?: Severity } }
  | { miss: () => string };

export interface Evaluation {
  hits: RuleHit[];
  /** Why a rule that did not hit does not hold; undefined for a rule that hit. */
  whyNot(ruleId: RuleId): string | undefined;
}

// A reason is worded only when asked for: a sweep needs it only where an alert is open, and most
// children's rules do not hold (about 14 reasons a child, most never read).
const miss = (reason: () => string): Outcome => ({ miss: reason });

type Evaluator = (s: CaseState, settings: RuleSettings, ctx: RuleContext) => Outcome;

function firstRelease(s: CaseState) {
  return s.releases[0] ?? null;
}

function firstCaseOpened(s: CaseState) {
  return s.courtCases[0] ?? null;
}

const noNta: Evaluator = (s, settings) => {
  const days = numberSetting(settings, 'NO_NTA', 'days');
  const rel = firstRelease(s);
  if (!rel) return miss(() => 'not released to a sponsor');
  const served = s.ntas.find((n) => n.servedOn);
  if (served) return miss(() => `NTA served on ${served.servedOn} (record ${served.pk})`);
  const c = firstCaseOpened(s);
  if (c) return miss(() => `court case ${c.idncase} opened on ${c.openedOn} (record ${c.openedPk})`);
  const since = addDays(rel.on, days + 1);
  if (s.asOf < since)
    return miss(() => `released ${daysBetween(rel.on, s.asOf)} days ago, within ${days} days`);
  return {
    hit: {
      since,
      recordPks: [rel.pk, ...s.ntas.map((n) => n.pk)],
      details: {
        released_on: rel.on,
        nta_issued_not_served: s.ntas.length > 0,
      },
    },
  };
};

const ntaNotFiled: Evaluator = (s, settings) => {
  const days = numberSetting(settings, 'NTA_NOT_FILED', 'days');
  const served = s.ntas.filter((n) => n.servedOn).sort((a, b) => (a.servedOn! < b.servedOn! ? -1 : 1));
  if (served.length === 0) return miss(() => 'no NTA served');
  const filed = s.ntas.find((n) => n.filedOn);
  if (filed) return miss(() => `NTA filed with the court on ${filed.filedOn} (record ${filed.pk})`);
  const c = firstCaseOpened(s);
  if (c) return miss(() => `court case ${c.idncase} opened on ${c.openedOn} (record ${c.openedPk})`);
  const first = served[0]!;
  const since = addDays(first.servedOn!, days + 1);
  if (s.asOf < since)
    return miss(() => `NTA served ${daysBetween(first.servedOn!, s.asOf)} days ago, within ${days} days`);
  return {
    hit: {
      since,
      recordPks: served.map((n) => n.pk),
      details: { served_on: first.servedOn },
    },
  };
};

const noHearingScheduled: Evaluator = (s, settings) => {
  const days = numberSetting(settings, 'NO_HEARING_SCHEDULED', 'days');
  const open = openCases(s);
  if (open.length === 0)
    return miss(() => (s.courtCases.length ? 'every court case is completed' : 'no court case'));
  let best: { since: string; pk: number; idncase: string; lastHearingOn: string | null } | null = null;
  let reason = '';
  for (const c of open) {
    if (c.openedOn > s.asOf) continue;
    const upcoming = c.scheduled.find((h) => h.on >= s.asOf);
    if (upcoming) {
      reason = `hearing scheduled for ${upcoming.on} in case ${c.idncase} (record ${upcoming.pk})`;
      continue;
    }
    const lastHearingOn = c.scheduled.reduce<string | null>((m, h) => maxDate(m, h.on), null);
    const since = addDays(maxDate(c.openedOn, lastHearingOn)!, days + 1);
    if (s.asOf < since) {
      reason ||= `case ${c.idncase} had a hearing or opened within ${days} days`;
      continue;
    }
    if (!best || since < best.since) best = { since, pk: c.openedPk, idncase: c.idncase, lastHearingOn };
  }
  if (!best) return miss(() => reason || 'no open case without a hearing');
  return {
    hit: {
      since: best.since,
      recordPks: [best.pk],
      details: { idncase: best.idncase, last_hearing_on: best.lastHearingOn },
    },
  };
};

const failedToAppear: Evaluator = (s) => {
  const results: (HearingResult & { idncase: string })[] = s.courtCases
    .flatMap((c) => c.results.map((r) => ({ ...r, idncase: c.idncase })))
    .sort((a, b) => (a.at < b.at ? -1 : a.at > b.at ? 1 : a.pk - b.pk));
  // The streak of absences since the child last appeared.
  let streak: typeof results = [];
  let lastPresent: (typeof results)[number] | null = null;
  for (const r of results) {
    if (r.attendance === 'ABSENT') streak.push(r);
    else if (r.attendance === 'PRESENT') {
      streak = [];
      lastPresent = r;
    }
  }
  if (streak.length === 0) {
    return miss(() =>
      lastPresent
        ? `child appeared at the hearing of ${lastPresent.on} (record ${lastPresent.pk})`
        : 'no hearing with the child absent',
    );
  }
  const last = streak[streak.length - 1]!;
  return {
    hit: {
      since: streak[0]!.on,
      recordPks: streak.map((r) => r.pk),
      details: {
        hearings_missed: streak.map((r) => r.on),
        idncase: last.idncase,
        court_code: last.courtCode,
        in_absentia: streak.some((r) => r.inAbsentia),
      },
    },
  };
};

/** The released child's current address quality, with the facts behind it. */
export function currentAddressQuality(
  s: CaseState,
  ctx: RuleContext,
): { quality: AddressQuality; since: string; pks: number[] } | null {
  const cur = s.addresses.current;
  if (!cur) return null;
  const notice =
    cur.source === 'eoir'
      ? s.noticesReturned.filter((n) => n.on >= cur.on).sort((a, b) => (a.on < b.on ? -1 : 1))[0]
      : undefined;
  const quality = classifyAddress(cur.address, {
    noticeReturned: notice !== undefined,
    streetHasUnits: ctx.streetHasUnits,
  });
  return notice && quality === 'undeliverable'
    ? { quality, since: notice.on, pks: [cur.pk, notice.pk] }
    : { quality, since: cur.on, pks: [cur.pk] };
}

function addressRule(quality: AddressQuality): Evaluator {
  return (s, _settings, ctx) => {
    if (s.releases.length === 0) return miss(() => 'not released to a sponsor');
    const q = currentAddressQuality(s, ctx);
    if (!q) return miss(() => 'no address on file');
    if (q.quality !== quality) {
      const cur = s.addresses.current!;
      return miss(
        () =>
          `current address (${cur.source} record ${cur.pk} of ${cur.on}) is ${q.quality === 'ok' ? 'usable' : q.quality.replace('_', ' ')}`,
      );
    }
    const cur = s.addresses.current!;
    return { hit: { since: q.since, recordPks: q.pks, details: { source: cur.source, address_on: cur.on } } };
  };
}

const addressDrift: Evaluator = (s, settings) => {
  const orr = s.addresses.orr;
  if (!orr) return miss(() => 'ORR holds no address');
  const open = openCases(s);
  const pending = open.length > 0 || (s.courtCases.length === 0 && s.ntas.length > 0);
  if (!pending) return miss(() => 'no proceedings pending');
  const holder = s.addresses.eoir ?? (s.courtCases.length === 0 ? s.addresses.opla : null);
  if (!holder) return miss(() => 'neither the court nor the NTA holds an address');
  const who = holder.source === 'eoir' ? 'court' : 'NTA';
  if (holder.on >= orr.on)
    return miss(() => `the ${who} holds an address as new as ORR's (record ${holder.pk})`);
  if (sameAddress(holder.address, orr.address)) return miss(() => `the ${who} holds ORR's newest address`);
  if (!isComparable(orr.address)) return miss(() => "ORR's newest address is blank or invalid");
  const next = nextHearing(s);
  const deadline = numberSetting(settings, 'ADDRESS_DRIFT', 'deadline_days');
  const urgentDays = numberSetting(settings, 'ADDRESS_DRIFT', 'urgent_days');
  let dueOn = addDays(orr.on, deadline);
  if (next && addDays(next.on, -1) < dueOn) dueOn = addDays(next.on, -1);
  const urgent = next !== null && daysBetween(s.asOf, next.on) <= urgentDays;
  return {
    hit: {
      since: orr.on,
      dueOn,
      severity: urgent ? 'critical' : 'high',
      recordPks: [orr.pk, holder.pk],
      details: {
        holder: who,
        holder_address_on: holder.on,
        orr_address_on: orr.on,
        next_hearing_on: next?.on ?? null,
        idncase: next?.idncase ?? open[0]?.idncase ?? null,
      },
    },
  };
};

const recurringAddress: Evaluator = (s, settings, ctx) => {
  const threshold = numberSetting(settings, 'RECURRING_ADDRESS', 'threshold');
  let best: { since: string; pk: number; children: number; key: string } | null = null;
  for (const r of s.releases) {
    if (!r.address || !isComparable(r.address)) continue;
    const key = addressKey(r.address);
    const dates = ctx.releasesTo(key);
    if (dates.length < threshold) continue;
    const since = maxDate(dates[threshold - 1]!, r.on)!;
    if (!best || since < best.since) best = { since, pk: r.pk, children: dates.length, key };
  }
  if (!best) return miss(() => `no release address with ${threshold} or more children`);
  return { hit: { since: best.since, recordPks: [best.pk], details: { children_released: best.children } } };
};

const fledCustody: Evaluator = (s) => {
  if (s.custody.status !== 'fled') {
    const last = s.runaways[s.runaways.length - 1];
    return miss(() =>
      last
        ? `back in custody or discharged since (custody ${s.custody.status} on ${s.custody.since})`
        : 'no runaway report',
    );
  }
  return { hit: { since: s.custody.since!, recordPks: [s.custody.pk!], details: {} } };
};

const safetyCallFailed: Evaluator = (s) => {
  if (s.releases.length === 0) return miss(() => 'not released to a sponsor');
  const appeared = s.courtCases.flatMap((c) => c.results).filter((r) => r.attendance === 'PRESENT');
  let streak: typeof s.safetyCalls = [];
  let contact = '';
  for (const call of s.safetyCalls) {
    if (call.outcome === 'REACHED') {
      streak = [];
      contact = `safety call reached the child on ${call.on} (record ${call.pk})`;
    } else if (call.outcome === 'NOT_REACHED' || call.outcome === 'CHILD_NOT_AT_ADDRESS') streak.push(call);
  }
  if (streak.length === 0) return miss(() => contact || 'no failed safety call');
  const later = appeared.find((r) => r.on > streak[streak.length - 1]!.on);
  if (later) return miss(() => `child appeared in court on ${later.on} (record ${later.pk})`);
  return {
    hit: {
      since: streak[0]!.on,
      recordPks: streak.map((c) => c.pk),
      details: { outcomes: streak.map((c) => c.outcome), last_call_on: streak[streak.length - 1]!.on },
    },
  };
};

const transferOver72h: Evaluator = (s, settings) => {
  const limit = numberSetting(settings, 'TRANSFER_OVER_72H', 'hours');
  const late = s.transfers.filter((t) => t.hours !== null && t.hours > limit);
  if (late.length === 0) return miss(() => `every transfer within ${limit} hours`);
  return {
    hit: {
      since: late[0]!.on,
      recordPks: late.map((t) => t.pk),
      details: { hours: late.map((t) => Math.round(t.hours! * 10) / 10) },
    },
  };
};

const agedOutInProceedings: Evaluator = (s) => {
  if (!s.turns18On) return miss(() => 'date of birth unknown');
  if (s.turns18On > s.asOf) return miss(() => 'under 18');
  const c = openCases(s).find((c) => c.openedOn <= s.turns18On!);
  if (!c) return miss(() => 'no court case open since before the 18th birthday');
  return { hit: { since: s.turns18On, recordPks: [c.openedPk], details: { idncase: c.idncase } } };
};

const EVALUATORS: Record<RuleId, Evaluator> = {
  NO_NTA: noNta,
  NTA_NOT_FILED: ntaNotFiled,
  NO_HEARING_SCHEDULED: noHearingScheduled,
  FAILED_TO_APPEAR: failedToAppear,
  ADDRESS_BLANK: addressRule('blank'),
  ADDRESS_INVALID: addressRule('invalid'),
  ADDRESS_MISSING_UNIT: addressRule('missing_unit'),
  ADDRESS_UNDELIVERABLE: addressRule('undeliverable'),
  ADDRESS_DRIFT: addressDrift,
  RECURRING_ADDRESS: recurringAddress,
  FLED_CUSTODY: fledCustody,
  SAFETY_CALL_FAILED: safetyCallFailed,
  TRANSFER_OVER_72H: transferOver72h,
  AGED_OUT_IN_PROCEEDINGS: agedOutInProceedings,
};

const DISABLED = () => 'rule disabled';

/** A class rather than an object with a closure: one is made for every child of a sweep. */
class ChildRules implements Evaluation {
  constructor(
    readonly hits: RuleHit[],
    private readonly misses: Map<RuleId, () => string>,
  ) {}

  whyNot(ruleId: RuleId): string | undefined {
    return this.misses.get(ruleId)?.();
  }
}

export function evaluateRules(state: CaseState, settings: RuleSettings, ctx: RuleContext): Evaluation {
  const hits: RuleHit[] = [];
  const misses = new Map<RuleId, () => string>();
  for (const def of CATALOGUE) {
    if (settings[def.id].enabled === false) {
      misses.set(def.id, DISABLED);
      continue;
    }
    const out = EVALUATORS[def.id](state, settings, ctx);
    if ('miss' in out) {
      misses.set(def.id, out.miss);
      continue;
    }
    const h = out.hit;
    hits.push({
      ruleId: def.id,
      since: h.since,
      dueOn: h.dueOn ?? addDays(h.since, numberSetting(settings, def.id, 'deadline_days')),
      severity: h.severity ?? RULES.get(def.id)!.severity,
      recordPks: [...new Set(h.recordPks)].sort((a, b) => a - b),
      details: h.details,
    });
  }
  return new ChildRules(hits, misses);
}

/** A context built from one child's own records alone (for showing a case without the database). */
export function localContext(state: CaseState): RuleContext {
  const withUnits = new Set(
    state.addresses.all
      .filter((a) => a.address.unit && a.address.line)
      .map((a) => `${a.address.line}|${a.address.zip5}`),
  );
  return {
    streetHasUnits: (line, zip5) => withUnits.has(`${line}|${zip5}`),
    releasesTo: (key) => {
      const r = state.releases.find((x) => x.address && addressKey(x.address) === key);
      return r ? [r.on] : [];
    },
  };
}

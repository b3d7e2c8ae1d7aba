// Shows one child's case as of a date: state, each agency's address with its quality, and the
// timeline of every fact with the source row it came from.
import type { Queryable } from '../db/index.ts';
import type { Clock } from '../shared/clock.ts';
import { isoDate } from '../shared/clock.ts';
import { BridgeError } from '../shared/errors.ts';
import { classifyAddress, sameAddress, type AddressQuality } from '../addresses/quality.ts';
import { caseState, nextHearing, type AddressFact, type CaseState } from './case-state.ts';
import { isIsoDate } from './dates.ts';
import { childRecordsReader, type ChildRecordsReader } from './cases.queries.ts';

export interface ShownAddress {
  source: string;
  event_type: string;
  on: string;
  record_pk: number;
  line: string | null;
  unit: string | null;
  city: string | null;
  state: string | null;
  zip5: string | null;
  quality: AddressQuality;
  same_as_current: boolean;
}

export interface ChildCase {
  child_id: string;
  /** Set when the id asked for was merged into this child. */
  asked_for: string | null;
  as_of: string;
  custody: CaseState['custody'];
  turns_18_on: string | null;
  encountered_on: string | null;
  first_transfer_on: string | null;
  sponsor: CaseState['sponsor'];
  addresses: {
    current: ShownAddress | null;
    orr: ShownAddress | null;
    opla: ShownAddress | null;
    eoir: ShownAddress | null;
  };
  ntas: CaseState['ntas'];
  court_cases: CaseState['courtCases'];
  next_hearing: ReturnType<typeof nextHearing>;
  safety_calls: CaseState['safetyCalls'];
  timeline: {
    on: string;
    fact: string;
    source: string;
    record_id: string;
    record_pk: number;
    source_row_id: number | null;
    batch_id: number | null;
    line: number | null;
    detail: Record<string, unknown>;
  }[];
}

export async function showChildCase(
  deps: { db: Queryable; clock: Clock },
  childId: string,
  asOfArg?: string,
): Promise<ChildCase> {
  return (await showChildCaseWith(deps, childId, asOfArg)).shown;
}

/**
 * `showChildCase` with the child's records read by `read`, and the text that reader reads
 * alongside them for the child shown (after merges).
 */
export async function showChildCaseWith(
  deps: { db: Queryable; clock: Clock },
  childId: string,
  asOfArg: string | undefined,
  read: ChildRecordsReader = childRecordsReader(deps.db),
): Promise<{ shown: ChildCase; alongside: string | null }> {
  const asOf = asOfArg ?? isoDate(deps.clock.now());
  if (!isIsoDate(asOf)) throw new BridgeError('USAGE', `as-of date must be YYYY-MM-DD, got "${asOf}"`);
  let child = await read(childId, asOf);
  if (!child) throw new BridgeError('CHILD_NOT_FOUND', `no child with id "${childId}"`);
  // Follow merges to the child that holds the records now.
  for (let i = 0; i < 20 && child.mergedInto; i++) {
    const next = await read(child.mergedInto, asOf);
    if (!next) break;
    child = next;
  }
  const { records, sources, streetsWithUnits: units } = child;
  const state = caseState(records, asOf);
  const current = state.addresses.current;
  const show = (a: AddressFact | null): ShownAddress | null => {
    if (!a) return null;
    const noticeReturned = a.source === 'eoir' && state.noticesReturned.some((n) => n.on >= a.on);
    return {
      source: a.source,
      event_type: a.eventType,
      on: a.on,
      record_pk: a.pk,
      line: a.address.line,
      unit: a.address.unit,
      city: a.address.city,
      state: a.address.state,
      zip5: a.address.zip5,
      quality: classifyAddress(a.address, {
        noticeReturned,
        streetHasUnits: (l, z) => units.has(`${l}|${z}`),
      }),
      same_as_current: current !== null && sameAddress(a.address, current.address),
    };
  };
  const shown: ChildCase = {
    child_id: child.id,
    asked_for: child.id === childId ? null : childId,
    as_of: asOf,
    custody: state.custody,
    turns_18_on: state.turns18On,
    encountered_on: state.encounteredOn,
    first_transfer_on: state.firstTransferOn,
    sponsor: state.sponsor,
    addresses: {
      current: show(current),
      orr: show(state.addresses.orr),
      opla: show(state.addresses.opla),
      eoir: show(state.addresses.eoir),
    },
    ntas: state.ntas,
    court_cases: state.courtCases,
    next_hearing: nextHearing(state),
    safety_calls: state.safetyCalls,
    timeline: state.timeline.map((t) => {
      const src = sources.get(t.recordPk);
      return {
        on: t.on,
        fact: t.fact,
        source: t.source,
        record_id: t.recordId,
        record_pk: t.recordPk,
        source_row_id: src?.row_id ?? null,
        batch_id: src?.batch_id ?? null,
        line: src?.line ?? null,
        detail: t.detail,
      };
    }),
  };
  return { shown, alongside: child.alongside };
}

// When a child's newest address is worth a message, and to whom. Pure: the child's case state, the
// address it was last announced with, and its open ADDRESS_DRIFT alert in; the announcement out.
import { addressKey, isComparable, sameAddress, type Address } from '../addresses/index.ts';
import { nextHearing, openCases, type AddressFact, type CaseState } from '../cases/index.ts';
import type { Agency } from './catalogue.ts';

export interface NewestAddress {
  key: string;
  /** As sent in payloads. */
  address: Record<string, string | null>;
  source: string;
  on: string;
  pk: number;
  /** Agencies whose own newest address is older than this one and differs from it. */
  heldByStale: Agency[];
  courtCode: string | null;
}

/** The agency that holds the addresses of each source, for `held_by_stale`. */
const HOLDERS = [
  ['orr', 'ORR'],
  ['opla', 'ICE_OPLA'],
  ['eoir', 'EOIR'],
] as const;

export function payloadAddress(a: Address): Record<string, string | null> {
  return { street: a.line, unit: a.unit, city: a.city, state: a.state, zip: a.zip5 };
}

/** The newest usable address known for the child (blank and invalid ones announce nothing). */
export function newestAddress(state: CaseState): NewestAddress | null {
  const cur = state.addresses.current;
  if (!cur || !isComparable(cur.address)) return null;
  const heldByStale: Agency[] = [];
  for (const [source, agency] of HOLDERS) {
    const held: AddressFact | null = state.addresses[source];
    if (held && held.pk !== cur.pk && held.on <= cur.on && !sameAddress(held.address, cur.address)) {
      heldByStale.push(agency);
    }
  }
  const next = nextHearing(state);
  const open = openCases(state);
  const courtCode =
    (next && open.find((c) => c.idncase === next.idncase)?.courtCode) ||
    next?.courtCode ||
    open[0]?.courtCode ||
    null;
  return {
    key: addressKey(cur.address),
    address: payloadAddress(cur.address),
    source: cur.source,
    on: cur.on,
    pk: cur.pk,
    heldByStale,
    courtCode,
  };
}

export type Announcement =
  | {
      /** The newest address changed: every subscriber of child.address_changed is told. */
      kind: 'changed';
      eventId: string;
      version: number;
      previous: Record<string, string | null> | null;
    }
  | {
      /**
       * The address did not change but the court (or the NTA) now holds an older one (ADDRESS_DRIFT
       * opened): the change-of-address message goes to the court and OPLA only.
       */
      kind: 'drift';
      eventId: string;
      recipients: readonly Agency[];
    };

export const DRIFT_RECIPIENTS: readonly Agency[] = ['EOIR', 'ICE_OPLA'];

export function decideAnnouncement(
  childId: string,
  newest: NewestAddress | null,
  announced: { version: number; address_key: string; address: Record<string, string | null> } | undefined,
  drift: { alertId: number; openedNow: boolean } | undefined,
): Announcement | null {
  if (!newest) return null;
  if (!announced || announced.address_key !== newest.key) {
    const version = (announced?.version ?? 0) + 1;
    return {
      kind: 'changed',
      eventId: `address-${childId}-v${version}`,
      version,
      previous: announced?.address ?? null,
    };
  }
  if (drift?.openedNow) {
    return {
      kind: 'drift',
      eventId: `address-${childId}-drift-${drift.alertId}`,
      recipients: DRIFT_RECIPIENTS,
    };
  }
  return null;
}

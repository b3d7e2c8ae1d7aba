// Announces each child whose newest address changed, in the caller's transaction (the one that
// brings the child's alerts up to date after an ingest), and pushes the newest address to the court
// and OPLA when ADDRESS_DRIFT opens without a change of address. Running it again announces nothing.
import type { Queryable } from '../db/index.ts';
import { caseState, recordsOfChildren } from '../cases/index.ts';
import { decideAnnouncement, DRIFT_RECIPIENTS, newestAddress, type NewestAddress } from './address-change.ts';
import { selectAnnouncedAddresses, selectOpenDrift, upsertAnnouncedAddresses } from './notify.queries.ts';
import { addressChangeEvent, recordEvents, type EventInput } from './record-event.ts';

export interface AddressChangeSummary {
  /** child.address_changed to every subscriber. */
  changed: number;
  /** Change-of-address messages to the court and OPLA only (drift without a new address). */
  drift: number;
}

/**
 * `known` gives the newest address of some children as of `asOf`, worked out already (the rules'
 * evaluation in the same transaction builds each child's case): only the others' records are read.
 */
export async function recordAddressChanges(
  tx: Queryable,
  childIds: readonly string[],
  asOf: string,
  occurredAt: Date,
  known?: ReadonlyMap<string, NewestAddress | null>,
): Promise<AddressChangeSummary> {
  const ids = [...new Set(childIds)].sort();
  if (ids.length === 0) return { changed: 0, drift: 0 };
  // One after another: the queries share the caller's transaction (one connection).
  const records = await recordsOfChildren(tx, known ? ids.filter((id) => !known.has(id)) : ids);
  const announced = await selectAnnouncedAddresses(tx, ids);
  const drift = await selectOpenDrift(tx, ids);
  const seen: Parameters<typeof upsertAnnouncedAddresses>[1][number][] = [];
  const changed: EventInput[] = [];
  const drifted: EventInput[] = [];
  for (const childId of ids) {
    let newest = known?.get(childId);
    if (newest === undefined) {
      const list = records.get(childId);
      if (!list) continue;
      newest = newestAddress(caseState(list, asOf, { timeline: false }));
    }
    const decision = decideAnnouncement(childId, newest, announced.get(childId), drift.get(childId));
    if (!decision || !newest) continue;
    const event = addressChangeEvent({
      childId,
      eventId: decision.eventId,
      address: newest.address,
      previousAddress: decision.kind === 'changed' ? decision.previous : null,
      source: newest.source,
      asOf: newest.on,
      heldByStale: newest.heldByStale,
      courtCode: newest.courtCode,
      occurredAt,
    });
    if (decision.kind === 'drift') {
      drifted.push(event);
      continue;
    }
    changed.push(event);
    seen.push({
      childId,
      version: decision.version,
      key: newest.key,
      address: newest.address,
      recordPk: newest.pk,
      on: newest.on,
    });
  }
  await recordEvents(tx, changed);
  await recordEvents(tx, drifted, { agencies: DRIFT_RECIPIENTS });
  await upsertAnnouncedAddresses(tx, seen);
  return { changed: changed.length, drift: drifted.length };
}

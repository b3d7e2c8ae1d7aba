// A person's decision on an identity review pair, from the API or from a form: the decision and
// its audit entry (with the children of both records) commit together, and the pair's records then
// go through the projections, so that alerts, tasks and the report follow the new links.
import type { Db } from '../db/index.ts';
import type { Clock } from '../shared/clock.ts';
import type { Log } from '../shared/log.ts';
import { decideReviewPair, type Decision } from '../identity/index.ts';
import { auditAct, auditedDb, childIdsOfReviewPair, type AuditActor } from '../access/disclosure.ts';
import { projections } from '../projections.ts';

export async function decideReviewAsActor(
  deps: { db: Db; clock: Clock; log: Log },
  actor: AuditActor,
  pairId: number,
  decision: Decision,
) {
  const db = auditedDb(deps.db, async (tx) =>
    auditAct(tx, deps.clock.now(), actor, null, {
      action: 'identity.decide',
      childIds: await childIdsOfReviewPair(tx, pairId),
      target: `review_pair:${pairId}`,
      details: { decision: decision.decision },
    }),
  );
  const res = await decideReviewPair({ ...deps, db }, pairId, decision);
  await deps.db.transaction(async (tx) => {
    const [pair] = await tx.query<{ a: number; b: number }>(
      'SELECT record_a AS a, record_b AS b FROM review_pair WHERE id = $1',
      [pairId],
    );
    if (pair) await projections().afterRecordsChanged!(tx, [Number(pair.a), Number(pair.b)]);
  });
  return res;
}

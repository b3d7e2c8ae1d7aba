// People's side of linkage: the review queue, decisions (who, when, why) that win over the model in
// every later run, and audited merges and splits of children. Each change re-links the records it
// touches at once.
import { BridgeError } from '../shared/errors.ts';
import * as q from './identity.queries.ts';
import { explainPair, type PairExplanation } from './explain-pair.ts';
import { linkRecords, type IdentityDeps } from './link-records.ts';

export interface ReviewItem {
  id: number;
  weight: number;
  status: string;
  explanation: PairExplanation;
}

export async function listReviewPairs(
  deps: Pick<IdentityDeps, 'db'>,
  options: { limit?: number; status?: 'open' | 'decided' | 'withdrawn' } = {},
): Promise<ReviewItem[]> {
  const rows = await deps.db.query<{ id: number; a: number; b: number; weight: number; status: string }>(
    `SELECT id, record_a AS a, record_b AS b, weight, status FROM review_pair
      WHERE status = $1 ORDER BY weight DESC, id LIMIT $2`,
    [options.status ?? 'open', options.limit ?? 50],
  );
  const out: ReviewItem[] = [];
  for (const r of rows) {
    out.push({
      id: Number(r.id),
      weight: Number(r.weight),
      status: r.status,
      explanation: await explainPair(deps.db, Number(r.a), Number(r.b)),
    });
  }
  return out;
}

export interface Decision {
  decision: 'link' | 'apart';
  actor: string;
  reason: string;
}

function checkDecision(d: Decision) {
  if (!d.actor.trim()) throw new BridgeError('USAGE', 'a decision needs the name of the person making it');
  if (!d.reason.trim()) throw new BridgeError('USAGE', 'a decision needs a reason');
}

/** Decides a review pair: link the two records or keep them apart. */
export async function decideReviewPair(deps: IdentityDeps, pairId: number, d: Decision) {
  checkDecision(d);
  const rows = await deps.db.query<{ a: number; b: number }>(
    'SELECT record_a AS a, record_b AS b FROM review_pair WHERE id = $1',
    [pairId],
  );
  const pair = rows[0];
  if (!pair) throw new BridgeError('NOT_FOUND', `no review pair ${pairId}`);
  return decidePair(deps, Number(pair.a), Number(pair.b), d, pairId);
}

/** Records a decision about any two records (from review or from an explanation). */
export async function decidePair(deps: IdentityDeps, a: number, b: number, d: Decision, pairId?: number) {
  checkDecision(d);
  if (a === b) throw new BridgeError('USAGE', 'a decision needs two different records');
  const now = deps.clock.now();
  const decisionId = await deps.db.transaction(async (tx) => {
    const id = await q.insertDecision(tx, {
      a,
      b,
      decision: d.decision,
      kind: 'review',
      actor: d.actor,
      reason: d.reason,
      at: now,
    });
    await tx.query(
      `UPDATE review_pair SET status = 'decided', decision_id = $3, updated_at = $4
        WHERE record_a = $1 AND record_b = $2`,
      [Math.min(a, b), Math.max(a, b), id, now.toISOString()],
    );
    await q.insertAudit(tx, now, d.actor, 'decide', {
      decisionId: id,
      pairId: pairId ?? null,
      a,
      b,
      decision: d.decision,
      reason: d.reason,
    });
    return id;
  });
  const summary = await linkRecords(deps, [a, b]);
  return { decisionId, relinked: summary };
}

/** Merges two children into one: recorded as a link decision between one record of each. */
export async function mergeChildren(
  deps: IdentityDeps,
  childA: string,
  childB: string,
  who: { actor: string; reason: string },
) {
  checkDecision({ decision: 'link', ...who });
  const [ra, rb] = await Promise.all([
    q.recordsOfChildren(deps.db, [childA]),
    q.recordsOfChildren(deps.db, [childB]),
  ]);
  if (!ra.length) throw new BridgeError('CHILD_NOT_FOUND', `no child ${childA} with records`);
  if (!rb.length) throw new BridgeError('CHILD_NOT_FOUND', `no child ${childB} with records`);
  const now = deps.clock.now();
  await deps.db.transaction(async (tx) => {
    // Every earlier "apart" between the two children is overridden by newer links.
    for (const a of ra) {
      for (const b of rb) {
        await q.insertDecision(tx, {
          a,
          b,
          decision: 'link',
          kind: 'merge',
          actor: who.actor,
          reason: who.reason,
          at: now,
        });
      }
    }
    await q.insertAudit(tx, now, who.actor, 'merge', { children: [childA, childB], reason: who.reason });
  });
  return linkRecords(deps, [...ra, ...rb]);
}

/**
 * Splits records out of a child into a child of their own: each side stays together, apart from
 * the other.
 */
export async function splitChild(
  deps: IdentityDeps,
  childId: string,
  moving: readonly number[],
  who: { actor: string; reason: string },
) {
  checkDecision({ decision: 'apart', ...who });
  const all = await q.recordsOfChildren(deps.db, [childId]);
  if (!all.length) throw new BridgeError('CHILD_NOT_FOUND', `no child ${childId} with records`);
  const move = new Set(moving);
  const notIn = moving.filter((pk) => !all.includes(pk));
  if (notIn.length) throw new BridgeError('USAGE', `records ${notIn.join(', ')} are not in child ${childId}`);
  const stay = all.filter((pk) => !move.has(pk));
  if (!stay.length || !move.size) throw new BridgeError('USAGE', 'a split must leave records on both sides');
  const now = deps.clock.now();
  const mv = [...move].sort((a, b) => a - b);
  await deps.db.transaction(async (tx) => {
    for (const a of mv) {
      for (const b of stay) {
        await q.insertDecision(tx, {
          a,
          b,
          decision: 'apart',
          kind: 'split',
          actor: who.actor,
          reason: who.reason,
          at: now,
        });
      }
    }
    // Each side stays one child: the rest may have been held together only through a moved record
    // (a merge links every record of one child to every record of the other).
    for (const side of [mv, stay]) {
      for (let k = 1; k < side.length; k++) {
        await q.insertDecision(tx, {
          a: side[0]!,
          b: side[k]!,
          decision: 'link',
          kind: 'split',
          actor: who.actor,
          reason: who.reason,
          at: now,
        });
      }
    }
    await q.insertAudit(tx, now, who.actor, 'split', { child: childId, moved: mv, reason: who.reason });
  });
  return linkRecords(deps, all);
}

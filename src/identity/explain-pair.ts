// Why two records are (or are not) the same child: each field's level and its weight, the
// name-frequency adjustments, identifier rules, decisions, and the guard that kept them apart.
import type { Queryable } from '../db/index.ts';
import { BridgeError } from '../shared/errors.ts';
import { COMPARISONS } from './compare.ts';
import { guardReason, pairKey } from './cluster.ts';
import * as q from './identity.queries.ts';
import { levelWeights, priorWeight, probability, type ModelParams } from './model.ts';
import { indexOf, loadModel, tableOf, type StoredModel } from './link-records.ts';
import type { LinkInput } from './record-table.ts';
import { PairScorer } from './score-pairs.ts';

export interface FieldContribution {
  field: string;
  a: string | null;
  b: string | null;
  level: string;
  weight: number;
}

export interface PairExplanation {
  records: [RecordView, RecordView];
  fields: FieldContribution[];
  prior: number;
  termFrequency: { given_names: number; surnames: number };
  weight: number;
  probability: number;
  thresholds: { link: number; review: number };
  identifierRule: string | null;
  decision: { decision: string; actor: string; reason: string; decidedAt: string } | null;
  sameChild: boolean;
  because: string;
}

/** A record of the pair as identity compared it, with the child it is linked to now. */
export interface RecordView extends LinkInput {
  childId: string | null;
}

const FIELD_VALUES: ((r: LinkInput) => string | null)[] = [
  (r) => r.given,
  (r) => [r.surname1, r.surname2].filter(Boolean).join(' ') || null,
  (r) => r.dob,
  (r) => r.aNumber,
  (r) => r.sex,
  (r) => r.country,
  (r) => r.ownDate,
];

/** Scores a pair of loaded records with a model (no database). */
export function scorePair(
  model: { params: ModelParams; freq: StoredModel['freq'] },
  ra: LinkInput,
  rb: LinkInput,
) {
  const t = tableOf([ra, rb]);
  const scorer = new PairScorer(t);
  scorer.setModel(model.params, model.freq);
  const code = scorer.compare(0, 1);
  const levels = [...scorer.levels];
  const weight = scorer.weight(0, 1, code);
  const tf = scorer.tfParts(0);
  const rule = scorer.deterministic(0, 1);
  return { t, levels, weight, tf, rule };
}

export async function explainPair(db: Queryable, pkA: number, pkB: number): Promise<PairExplanation> {
  const model = await loadModel(db);
  if (!model) throw new BridgeError('NOT_FOUND', 'no linkage model yet: run "bridge link --full" first');
  const [ra, rb] = await Promise.all([q.recordsByPk(db, [pkA]), q.recordsByPk(db, [pkB])]).then(([a, b]) => [
    a[0],
    b[0],
  ]);
  if (!ra || !rb) throw new BridgeError('NOT_FOUND', `no record ${!ra ? pkA : pkB}`);
  const s = scorePair(model, ra, rb);
  const w = levelWeights(model.params);
  const fields = COMPARISONS.map((c, f) => ({
    field: c.field,
    a: FIELD_VALUES[f]!(ra),
    b: FIELD_VALUES[f]!(rb),
    level: c.levels[s.levels[f]!]!,
    weight: w[f]![s.levels[f]!]!,
  }));
  const links = new Map((await q.linksOf(db, [ra.pk, rb.pk])).map((l) => [l.pk, l.childId]));
  const [lo, hi] = ra.pk < rb.pk ? [ra.pk, rb.pk] : [rb.pk, ra.pk];
  const decisions = await db.query<{
    decision: string;
    actor: string;
    reason: string;
    decided_at: Date | string;
  }>(
    `SELECT decision, actor, reason, decided_at FROM link_decision WHERE record_a = $1 AND record_b = $2
      ORDER BY id DESC LIMIT 1`,
    [lo, hi],
  );
  const d = decisions[0];
  const childA = links.get(ra.pk) ?? null;
  const childB = links.get(rb.pk) ?? null;
  const sameChild = childA !== null && childA === childB;
  const p = model.params;
  let because: string;
  if (d) because = `a person decided "${d.decision}" (${d.actor}: ${d.reason})`;
  else if (s.rule)
    because = `same ${s.rule}${s.rule === 'a_number' ? ' with compatible name and date of birth' : ''}`;
  else if (s.weight >= p.linkThreshold)
    because = `match weight ${s.weight.toFixed(1)} is at or above the link threshold ${p.linkThreshold}`;
  else if (s.weight >= p.reviewThreshold)
    because = `match weight ${s.weight.toFixed(1)} is in the review band [${p.reviewThreshold}, ${p.linkThreshold})`;
  else because = `match weight ${s.weight.toFixed(1)} is below the review threshold ${p.reviewThreshold}`;
  if (sameChild && !d && !s.rule && s.weight < p.linkThreshold)
    because += '; they are in one child through other records';
  if (!sameChild && (s.rule || s.weight >= p.linkThreshold) && childA && childB) {
    const members = await loadChildTable(db, [childA, childB]);
    const ia = members.rows
      .filter((r) => links.get(ra.pk) === r.childId)
      .map((r) => indexOf(members.t, r.pk));
    const ib = members.rows
      .filter((r) => links.get(rb.pk) === r.childId)
      .map((r) => indexOf(members.t, r.pk));
    const apart = new Set<number>();
    for (const dd of await q.latestDecisions(
      db,
      members.rows.map((r) => r.pk),
    )) {
      const i = indexOf(members.t, dd.a);
      const j = indexOf(members.t, dd.b);
      if (dd.decision === 'apart' && i >= 0 && j >= 0) apart.add(pairKey(i, j));
    }
    const reason = guardReason(members.t, ia, ib, apart);
    because += reason ? `, but kept apart: ${reason}` : ', but not yet re-linked';
  }
  const view = (r: LinkInput): RecordView => ({ ...r, childId: links.get(r.pk) ?? null });
  return {
    records: [view(ra), view(rb)],
    fields,
    prior: priorWeight(p.lambda),
    termFrequency: { given_names: s.tf.given, surnames: s.tf.surnames },
    weight: s.weight,
    probability: probability(s.weight),
    thresholds: { link: p.linkThreshold, review: p.reviewThreshold },
    identifierRule: s.rule,
    decision: d
      ? {
          decision: d.decision,
          actor: d.actor,
          reason: d.reason,
          decidedAt: new Date(d.decided_at).toISOString(),
        }
      : null,
    sameChild,
    because,
  };
}

async function loadChildTable(db: Queryable, childIds: string[]) {
  const pks = await q.recordsOfChildren(db, childIds);
  const links = new Map((await q.linksOf(db, pks)).map((l) => [l.pk, l.childId]));
  const recs = await q.inScopeByPk(db, pks);
  const t = tableOf(recs);
  return { t, rows: recs.map((r) => ({ pk: r.pk, childId: links.get(r.pk)! })) };
}

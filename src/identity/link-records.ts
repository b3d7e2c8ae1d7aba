// Links records into children: `linkAll` re-links every in-scope record (training the model when
// asked or when none exists); `linkRecords` links the records a feed reports as changed against the
// existing children, re-clustering only the part of the graph those records touch. Both write
// links set-based and keep child ids stable (child-ids.ts).
import type { Db, Queryable } from '../db/index.ts';
import type { Clock } from '../shared/clock.ts';
import type { Log } from '../shared/log.ts';
import { BLOCK_CAP, BLOCKING_RULES, type Oversized } from './blocking.ts';
import { assignChildIds } from './child-ids.ts';
import { KIND, methodName, pairKey } from './cluster.ts';
import * as q from './identity.queries.ts';
import { COMPARISONS } from './compare.ts';
import { clusterMembers, runLinkage, scoreEdges, type Decisions, type ReviewPair } from './link-core.ts';
import type { ModelParams } from './model.ts';
import { Phases, type Phase } from './phases.ts';
import { RecordTable, type LinkInput } from './record-table.ts';
import type { NameFrequencies } from './score-pairs.ts';

export interface IdentityDeps {
  db: Db;
  log: Log;
  clock: Clock;
}

export interface LinkSummary {
  mode: 'full' | 'incremental';
  records: number;
  candidatePairs: number;
  children: number;
  newChildren: number;
  changedLinks: number;
  reviewPairs: number;
  modelId: number;
  trained: boolean;
  seconds: number;
  /** Wall and CPU seconds of each step. */
  phases: Phase[];
}

export const LINK_LOCK = 0x1d_e7_17;
const PAGE = 200_000;

export interface StoredModel {
  id: number;
  params: ModelParams;
  freq: NameFrequencies;
}

/**
 * The latest stored model, or null when there is none or it was trained on a different list of
 * comparisons (an earlier version): such a model cannot score today's patterns and is retrained.
 */
export async function loadModel(db: Queryable): Promise<StoredModel | null> {
  const row = await q.latestModel(db);
  if (!row) return null;
  const params = row.params as ModelParams;
  if (!Array.isArray(params.m) || params.m.length !== COMPARISONS.length) return null;
  const f = row.freq as { given: [string, number][]; surnames: [string, number][] };
  return {
    id: row.id,
    params,
    freq: { given: new Map(f.given), surnames: new Map(f.surnames) },
  };
}

function freqJson(freq: NameFrequencies) {
  return { given: [...freq.given], surnames: [...freq.surnames] };
}

export function tableOf(records: readonly LinkInput[]): RecordTable {
  const sorted = [...records].sort((a, b) => a.pk - b.pk);
  const t = new RecordTable(sorted.length);
  let last = -1;
  for (const r of sorted) {
    if (r.pk === last) continue;
    t.add(r);
    last = r.pk;
  }
  return t;
}

/** Index of a record pk in a table (pks ascending), or -1. */
export function indexOf(t: RecordTable, pk: number): number {
  let lo = 0;
  let hi = t.n - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const v = t.pk[mid]!;
    if (v === pk) return mid;
    if (v < pk) lo = mid + 1;
    else hi = mid - 1;
  }
  return -1;
}

function decisionsFor(t: RecordTable, rows: readonly q.DecisionRow[]): Decisions {
  const d: Decisions = { link: [], apart: new Set() };
  for (const r of rows) {
    const i = indexOf(t, r.a);
    const j = indexOf(t, r.b);
    if (i < 0 || j < 0) continue;
    if (r.decision === 'link') d.link.push([i, j]);
    else d.apart.add(pairKey(i, j));
  }
  return d;
}

/**
 * Block-size checks against the whole database (incremental runs see only part of it): a capped
 * block is used when `sizes` holds its key with at most BLOCK_CAP records. Blocks of records whose
 * keys `sizes` lacks count as skipped, so `sizes` must cover every record whose pairs are scored.
 */
function oversizedBy(t: RecordTable, sizes: q.BlockSizes): Oversized {
  const d = t.dict;
  const keyOf = (r: number, i: number): string | null => {
    const dob = d.dob.get(t.dob[i]!);
    const s1 = d.surname1.get(t.surname1[i]!);
    if (r === 3) return dob && s1 ? `${dob}|${s1.slice(0, 2)}` : null;
    const g1 = d.given1.get(t.given1[i]!);
    if (r === 4) return dob && g1 ? `${dob}|${g1.slice(0, 2)}` : null;
    const g = d.givenRaw.get(t.givenRaw[i]!);
    return s1 && g ? `${s1}|${g}` : null;
  };
  return (r, i) => {
    const k = keyOf(r, i);
    const n = k === null ? undefined : sizes.get(r)?.get(k);
    return n === undefined || n > BLOCK_CAP;
  };
}

async function loadAllRecords(db: Queryable): Promise<RecordTable> {
  const t = new RecordTable(1 << 16);
  let after = 0;
  const add = (r: LinkInput) => {
    t.add(r);
    after = r.pk;
  };
  while ((await q.eachInScopeRecord(db, after, PAGE, add)) === PAGE);
  return t;
}

async function loadAllLinks(db: Queryable): Promise<Map<number, q.CurrentLink>> {
  const out = new Map<number, q.CurrentLink>();
  let after = 0;
  for (;;) {
    const page = await q.linksPage(db, after, PAGE);
    for (const l of page) out.set(l.pk, l);
    if (page.length < PAGE) break;
    after = page[page.length - 1]!.pk;
  }
  return out;
}

export function childIdFor(n: number): string {
  return `C${String(n).padStart(8, '0')}`;
}

interface Outcome {
  links: q.StagedLink[];
  merged: Map<string, string>;
  children: number;
  newChildren: number;
}

/** Child ids for the clusters of a linkage, and the links that changed. */
async function settleIds(
  db: Queryable,
  t: RecordTable,
  root: Int32Array,
  method: Uint8Array,
  score: Float64Array,
  previous: ReadonlyMap<number, q.CurrentLink>,
): Promise<Outcome> {
  const groups = clusterMembers(root);
  const clusters = groups.map((g) => g.map((i) => t.pk[i]!));
  const prevIds = new Map<number, string>();
  for (const [pk, l] of previous) prevIds.set(pk, l.childId);
  let fresh = 0;
  const { ids, retired } = assignChildIds(clusters, prevIds, () => `\u0000${fresh++}`);
  const first = await q.reserveChildNumbers(db, fresh);
  const finalIds = ids.map((id) => (id.startsWith('\u0000') ? childIdFor(first + Number(id.slice(1))) : id));
  const links: q.StagedLink[] = [];
  const holder = new Map<string, Map<string, number>>();
  groups.forEach((g, c) => {
    const childId = finalIds[c]!;
    for (const i of g) {
      const pk = t.pk[i]!;
      const m = methodName(method[i]!);
      const before = previous.get(pk);
      if (before) {
        const h = holder.get(before.childId) ?? new Map<string, number>();
        h.set(childId, (h.get(childId) ?? 0) + 1);
        holder.set(before.childId, h);
      }
      if (!before || before.childId !== childId || before.method !== m) {
        links.push({ pk, childId, method: m, score: Number.isNaN(score[i]!) ? null : score[i]! });
      }
    }
  });
  // A retired id points to the child that took most of its records.
  const merged = new Map<string, string>();
  for (const id of retired) {
    const h = holder.get(id);
    if (!h) continue;
    const best = [...h.entries()].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))[0];
    if (best) merged.set(id, best[0]);
  }
  return { links, merged, children: groups.length, newChildren: fresh };
}

function reviewRows(t: RecordTable, review: readonly ReviewPair[]) {
  return review.map((r) => ({ a: t.pk[r.a]!, b: t.pk[r.b]!, weight: r.weight }));
}

/** Re-links every in-scope record. With `retrain` (or when no model is stored) the model is estimated first. */
export async function linkAll(deps: IdentityDeps, options: { retrain?: boolean } = {}): Promise<LinkSummary> {
  const started = Date.now();
  return deps.db.withAdvisoryLock(LINK_LOCK, async () => {
    const { db, clock, log } = deps;
    const phases = new Phases();
    const t = await loadAllRecords(db);
    phases.mark('load records');
    const stored = options.retrain ? null : await loadModel(db);
    const decisions = decisionsFor(t, await q.latestDecisions(db));
    const linkage = await runLinkage(t, { model: stored ?? undefined, decisions, phases });
    const previous = await loadAllLinks(db);
    phases.mark('load links');
    const now = clock.now();
    let modelId = stored?.id ?? 0;
    const out = await db.transaction(async (tx) => {
      if (!stored) modelId = await q.insertModel(tx, now, linkage.params, freqJson(linkage.freq));
      const outcome = await settleIds(
        tx,
        t,
        linkage.clusters.root,
        linkage.clusters.method,
        linkage.clusters.score,
        previous,
      );
      phases.mark('child ids');
      await q.writeLinks(tx, outcome.links, outcome.merged, now);
      phases.mark('write links');
      await q.writeReviewPairs(tx, reviewRows(t, linkage.review), null, now);
      phases.mark('write review pairs');
      return outcome;
    });
    const summary: LinkSummary = {
      mode: 'full',
      records: t.n,
      candidatePairs: linkage.candidatePairs,
      children: out.children,
      newChildren: out.newChildren,
      changedLinks: out.links.length,
      reviewPairs: linkage.review.length,
      modelId,
      trained: !stored,
      seconds: (Date.now() - started) / 1000,
      phases: phases.list,
    };
    const { phases: _timings, ...audited } = summary;
    await q.insertAudit(db, now, 'system', 'link', audited);
    log.info({ ...summary }, 'linked all records');
    return summary;
  });
}

/**
 * Links the given records (new or changed) against the existing children. Re-clusters exactly the
 * records connected to them by link-strength edges, so the result equals a full run's.
 */
export async function linkRecords(deps: IdentityDeps, recordPks: readonly number[]): Promise<LinkSummary> {
  const started = Date.now();
  const { db, clock, log } = deps;
  const phases = new Phases();
  const model = await loadModel(db);
  if (!model) return linkAll(deps);
  phases.mark('load model');
  return db.withAdvisoryLock(LINK_LOCK, async () => {
    const params = model.params;
    const inSet = new Set<number>();
    let frontier = [...new Set([...recordPks, ...(await q.siblingsInChildren(db, recordPks))])];
    frontier.forEach((pk) => inSet.add(pk));
    const outsideReview: { a: number; b: number; weight: number }[] = [];
    let pairsSeen = 0;
    while (frontier.length) {
      const sizes = await q.blockSizes(db, frontier, BLOCK_CAP);
      const candidates = await q.candidateRecords(db, frontier, sizes, BLOCK_CAP);
      const decisionRows = await q.latestDecisions(db, frontier);
      const partners = decisionRows.filter((d) => d.decision === 'link').flatMap((d) => [d.a, d.b]);
      const fetched = new Set(candidates.map((c) => c.pk));
      const known = await q.inScopeByPk(
        db,
        [...new Set([...inSet, ...partners])].filter((pk) => !fetched.has(pk)),
      );
      const t = tableOf([...candidates, ...known]);
      const only = new Uint8Array(t.n);
      for (const pk of frontier) {
        const i = indexOf(t, pk);
        if (i >= 0) only[i] = 1;
      }
      // Only pairs with a frontier record are scored: the frontier's block sizes are all it needs.
      const scored = await scoreEdges(t, { model, only, oversized: oversizedBy(t, sizes) });
      pairsSeen += scored.candidatePairs;
      const reached = new Set<number>(partners.filter((pk) => !inSet.has(pk)));
      for (let e = 0; e < scored.edges.n; e++) {
        const a = t.pk[scored.edges.a[e]!]!;
        const b = t.pk[scored.edges.b[e]!]!;
        const w = scored.edges.w[e]!;
        const strong = scored.edges.kind[e]! < KIND.model || w >= params.linkThreshold;
        if (strong) {
          if (!inSet.has(a)) reached.add(a);
          if (!inSet.has(b)) reached.add(b);
        } else if (!inSet.has(a) || !inSet.has(b)) {
          outsideReview.push({ a, b, weight: w });
        }
      }
      const grown = [...new Set([...reached, ...(await q.siblingsInChildren(db, [...reached]))])].filter(
        (pk) => !inSet.has(pk),
      );
      grown.forEach((pk) => inSet.add(pk));
      frontier = grown;
    }
    // The closed set: re-cluster it exactly as a full run would.
    const scope = [...inSet].sort((a, b) => a - b);
    phases.mark('grow the set to re-cluster');
    const live = tableOf(await q.inScopeByPk(db, scope));
    const decisions = decisionsFor(live, await q.latestDecisions(db, scope));
    const oversized = oversizedBy(live, await q.blockSizes(db, scope, BLOCK_CAP));
    phases.mark('load the set');
    const linkage = await runLinkage(live, { model, decisions, oversized, phases });
    const previous = new Map((await q.linksOf(db, scope)).map((l) => [l.pk, l]));
    const now = clock.now();
    const review = [
      ...reviewRows(live, linkage.review),
      ...outsideReview.filter((r) => !(inSet.has(r.a) && inSet.has(r.b))),
    ];
    const out = await db.transaction(async (tx) => {
      const outcome = await settleIds(
        tx,
        live,
        linkage.clusters.root,
        linkage.clusters.method,
        linkage.clusters.score,
        previous,
      );
      phases.mark('child ids');
      const before = [...new Set([...previous.values()].map((l) => l.childId))];
      await q.writeLinks(tx, outcome.links, outcome.merged, now, { records: scope, children: before });
      phases.mark('write links');
      await q.writeReviewPairs(tx, review, scope, now);
      phases.mark('write review pairs');
      return outcome;
    });
    const summary: LinkSummary = {
      mode: 'incremental',
      records: live.n,
      candidatePairs: pairsSeen,
      children: out.children,
      newChildren: out.newChildren,
      changedLinks: out.links.length,
      reviewPairs: review.length,
      modelId: model.id,
      trained: false,
      seconds: (Date.now() - started) / 1000,
      phases: phases.list,
    };
    log.info({ ...summary }, 'linked changed records');
    return summary;
  });
}

export { BLOCKING_RULES };

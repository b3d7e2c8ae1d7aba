// All of identity's SQL. Parameterized; runs on PostgreSQL 15 and PGlite alike.
import type { Queryable } from '../db/index.ts';
import type { LinkInput } from './record-table.ts';

const RECORD_COLUMNS = `r.id AS pk, r.source, r.record_id AS "recordId", r.a_number AS "aNumber",
  r.orr_uc_id AS "orrId", r.idncase, r.given_names AS given, r.surname1, r.surname2, r.dob, r.sex,
  r.country, r.own_date AS "ownDate", r.event_type AS "eventType"`;

type RecordRow = Omit<LinkInput, 'pk'> & { pk: number | string };

function toInput(row: RecordRow): LinkInput {
  return { ...row, pk: Number(row.pk), sex: row.sex?.trim() || null, aNumber: row.aNumber?.trim() || null };
}

/**
 * Calls `onRecord` with each in-scope record after a pk, in pk order, at most `limit` of them, and
 * resolves to how many there were (a full link reads every record this way, page by page). Read
 * through COPY: at millions of rows, decoding one text is several times cheaper than the driver's
 * per-field decoding into row objects, and records interned as they arrive never pile up.
 */
export async function eachInScopeRecord(
  db: Queryable,
  afterPk: number,
  limit: number,
  onRecord: (r: LinkInput) => void,
): Promise<number> {
  return db.copyOut(
    `SELECT ${RECORD_COLUMNS} FROM record r WHERE r.in_scope AND r.id > ${Math.trunc(afterPk)}
      ORDER BY r.id LIMIT ${Math.trunc(limit)}`,
    (f) =>
      onRecord({
        pk: Number(f[0]),
        source: f[1]!,
        recordId: f[2]!,
        aNumber: f[3]?.trim() || null,
        orrId: f[4]!,
        idncase: f[5]!,
        given: f[6]!,
        surname1: f[7]!,
        surname2: f[8]!,
        dob: f[9]!,
        sex: f[10]?.trim() || null,
        country: f[11]!,
        ownDate: f[12]!,
        eventType: f[13]!,
      }),
  );
}

export async function recordsByPk(db: Queryable, pks: readonly number[]): Promise<LinkInput[]> {
  if (!pks.length) return [];
  const rows = await db.query<RecordRow>(
    `SELECT ${RECORD_COLUMNS} FROM record r WHERE r.id = ANY($1::bigint[]) ORDER BY r.id`,
    [pks],
  );
  return rows.map(toInput);
}

export async function inScopeByPk(db: Queryable, pks: readonly number[]): Promise<LinkInput[]> {
  if (!pks.length) return [];
  const rows = await db.query<RecordRow>(
    `SELECT ${RECORD_COLUMNS} FROM record r WHERE r.id = ANY($1::bigint[]) AND r.in_scope ORDER BY r.id`,
    [pks],
  );
  return rows.map(toInput);
}

export async function recordPkBySourceId(
  db: Queryable,
  source: string,
  recordId: string,
): Promise<number | null> {
  const rows = await db.query<{ id: number }>('SELECT id FROM record WHERE source = $1 AND record_id = $2', [
    source,
    recordId,
  ]);
  return rows[0] ? Number(rows[0].id) : null;
}

/**
 * The blocking rules of blocking.ts as SQL. Identifier rules join on a column; capped rules on a
 * key (a column and an expression) whose block is used only when it holds at most `cap` records.
 */
const ID_RULES = ['a_number', 'orr_uc_id', 'idncase'];
const CAPPED_RULES: { rule: number; col: string; expr: (alias: string) => string }[] = [
  { rule: 3, col: 'dob', expr: (a) => `left(${a}.surname1, 2)` },
  { rule: 4, col: 'dob', expr: (a) => `left(split_part(${a}.given_names, ' ', 1), 2)` },
  { rule: 5, col: 'surname1', expr: (a) => `${a}.given_names` },
];

/** Capped-rule block keys and their sizes: rule → "k1|k2" → records holding it (counted up to cap + 1). */
export type BlockSizes = Map<number, Map<string, number>>;

/**
 * Sizes in the whole table of the capped blocks of the given records, in one round trip. Each block
 * is counted only up to `cap + 1` records (enough to know it is skipped), so a common name costs
 * no more than a rare one.
 */
export async function blockSizes(db: Queryable, pks: readonly number[], cap: number): Promise<BlockSizes> {
  const out: BlockSizes = new Map(CAPPED_RULES.map((c) => [c.rule, new Map<string, number>()]));
  if (!pks.length) return out;
  const parts = CAPPED_RULES.map(
    (c) => `SELECT ${c.rule} AS rule, k.k1::text AS k1, k.k2,
              (SELECT count(*) FROM (SELECT 1 FROM record x
                 WHERE x.in_scope AND x.${c.col} = k.k1 AND ${c.expr('x')} = k.k2 LIMIT $2::int + 1) z) AS n
              FROM (SELECT DISTINCT s.${c.col} AS k1, ${c.expr('s')} AS k2 FROM record s
                     WHERE s.id = ANY($1::bigint[]) AND s.in_scope AND s.${c.col} IS NOT NULL
                       AND coalesce(${c.expr('s')}, '') <> '') k`,
  );
  const rows = await db.query<{ rule: number; k1: string; k2: string; n: number | string }>(
    parts.join(' UNION ALL '),
    [pks, cap],
  );
  for (const r of rows) out.get(Number(r.rule))!.set(`${r.k1}|${r.k2}`, Number(r.n));
  return out;
}

/**
 * Records that share a block with any of the seeds: identifier blocks always, capped blocks when
 * `sizes` (the seeds' block sizes, from blockSizes) says they hold at most `cap` records.
 */
export async function candidateRecords(
  db: Queryable,
  seeds: readonly number[],
  sizes: BlockSizes,
  cap: number,
): Promise<LinkInput[]> {
  if (!seeds.length) return [];
  const params: unknown[] = [seeds];
  // Arrays built by sub-selects (ARRAY(...)) keep the planner on index lookups whatever it guesses
  // about the number of seeds.
  const parts = ID_RULES.map(
    (col) => `SELECT r.id FROM record r WHERE r.in_scope AND r.${col} = ANY(ARRAY(
                SELECT s.${col} FROM record s WHERE s.id = ANY($1::bigint[]) AND s.in_scope AND s.${col} IS NOT NULL))`,
  );
  for (const c of CAPPED_RULES) {
    const k1: string[] = [];
    const k2: string[] = [];
    for (const [key, n] of sizes.get(c.rule) ?? []) {
      if (n > cap) continue;
      const bar = key.indexOf('|');
      k1.push(key.slice(0, bar));
      k2.push(key.slice(bar + 1));
    }
    if (!k1.length) continue;
    params.push(k1, k2);
    const type = c.col === 'dob' ? 'date' : 'text';
    parts.push(`SELECT r.id FROM unnest($${params.length - 1}::${type}[], $${params.length}::text[]) k (k1, k2)
                  JOIN record r ON r.in_scope AND r.${c.col} = k.k1 AND ${c.expr('r')} = k.k2`);
  }
  const rows = await db.query<RecordRow>(
    `SELECT ${RECORD_COLUMNS} FROM record r WHERE r.id = ANY(ARRAY(${parts.join(' UNION ')})) ORDER BY r.id`,
    params,
  );
  return rows.map(toInput);
}

export interface CurrentLink {
  pk: number;
  childId: string;
  method: string;
}

export async function linksPage(db: Queryable, afterPk: number, limit: number): Promise<CurrentLink[]> {
  const rows = await db.query<{ pk: number; child_id: string; method: string }>(
    'SELECT record_pk AS pk, child_id, method FROM record_link WHERE record_pk > $1 ORDER BY record_pk LIMIT $2',
    [afterPk, limit],
  );
  return rows.map((r) => ({ pk: Number(r.pk), childId: r.child_id, method: r.method }));
}

export async function linksOf(db: Queryable, pks: readonly number[]): Promise<CurrentLink[]> {
  if (!pks.length) return [];
  const rows = await db.query<{ pk: number; child_id: string; method: string }>(
    'SELECT record_pk AS pk, child_id, method FROM record_link WHERE record_pk = ANY($1::bigint[])',
    [pks],
  );
  return rows.map((r) => ({ pk: Number(r.pk), childId: r.child_id, method: r.method }));
}

/** Records of the children that the given records belong to now. */
export async function siblingsInChildren(db: Queryable, pks: readonly number[]): Promise<number[]> {
  if (!pks.length) return [];
  const rows = await db.query<{ pk: number }>(
    `SELECT l2.record_pk AS pk FROM record_link l1 JOIN record_link l2 ON l2.child_id = l1.child_id
      WHERE l1.record_pk = ANY($1::bigint[])`,
    [pks],
  );
  return rows.map((r) => Number(r.pk));
}

export async function recordsOfChildren(db: Queryable, childIds: readonly string[]): Promise<number[]> {
  if (!childIds.length) return [];
  const rows = await db.query<{ pk: number }>(
    'SELECT record_pk AS pk FROM record_link WHERE child_id = ANY($1::text[]) ORDER BY record_pk',
    [childIds],
  );
  return rows.map((r) => Number(r.pk));
}

export interface DecisionRow {
  a: number;
  b: number;
  decision: 'link' | 'apart';
}

/** The newest decision about each pair (all pairs, or those touching the given records). */
export async function latestDecisions(db: Queryable, pks?: readonly number[]): Promise<DecisionRow[]> {
  const where = pks ? 'WHERE record_a = ANY($1::bigint[]) OR record_b = ANY($1::bigint[])' : '';
  const rows = await db.query<{ a: number; b: number; decision: 'link' | 'apart' }>(
    `SELECT DISTINCT ON (record_a, record_b) record_a AS a, record_b AS b, decision
       FROM link_decision ${where} ORDER BY record_a, record_b, id DESC`,
    pks ? [pks] : [],
  );
  return rows.map((r) => ({ a: Number(r.a), b: Number(r.b), decision: r.decision }));
}

export async function insertDecision(
  db: Queryable,
  d: {
    a: number;
    b: number;
    decision: 'link' | 'apart';
    kind: string;
    actor: string;
    reason: string;
    at: Date;
  },
): Promise<number> {
  const [lo, hi] = d.a < d.b ? [d.a, d.b] : [d.b, d.a];
  const rows = await db.query<{ id: number }>(
    `INSERT INTO link_decision (record_a, record_b, decision, kind, actor, reason, decided_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id`,
    [lo, hi, d.decision, d.kind, d.actor, d.reason, d.at.toISOString()],
  );
  return Number(rows[0]!.id);
}

export async function insertAudit(db: Queryable, at: Date, actor: string, action: string, detail: unknown) {
  await db.query('INSERT INTO identity_audit (at, actor, action, detail) VALUES ($1, $2, $3, $4)', [
    at.toISOString(),
    actor,
    action,
    JSON.stringify(detail),
  ]);
}

export async function latestModel(
  db: Queryable,
): Promise<{ id: number; params: unknown; freq: unknown } | null> {
  const rows = await db.query<{ id: number; params: unknown; name_frequencies: unknown }>(
    'SELECT id, params, name_frequencies FROM link_model ORDER BY id DESC LIMIT 1',
  );
  const r = rows[0];
  return r ? { id: Number(r.id), params: r.params, freq: r.name_frequencies } : null;
}

export async function insertModel(db: Queryable, at: Date, params: unknown, freq: unknown): Promise<number> {
  const rows = await db.query<{ id: number }>(
    'INSERT INTO link_model (trained_at, params, name_frequencies) VALUES ($1, $2, $3) RETURNING id',
    [at.toISOString(), JSON.stringify(params), JSON.stringify(freq)],
  );
  return Number(rows[0]!.id);
}

/** Reserves `n` consecutive child numbers and returns the first. */
export async function reserveChildNumbers(db: Queryable, n: number): Promise<number> {
  if (n <= 0) return 0;
  const rows = await db.query<{ last: number | string }>(
    `SELECT setval('child_id_seq', nextval('child_id_seq') + $1 - 1) AS last`,
    [n],
  );
  return Number(rows[0]!.last) - n + 1;
}

export interface StagedLink {
  pk: number;
  childId: string;
  method: string;
  score: number | null;
}

/**
 * Writes links set-based: stage, create new children, upsert changed links, retire emptied children.
 * With a scope (incremental runs), only its records can leave scope and only its children (those its
 * records were linked to, and those they are linked to now) can be emptied or filled again, so the
 * checks stay within them instead of reading every link.
 */
export async function writeLinks(
  tx: Queryable,
  links: readonly StagedLink[],
  merged: ReadonlyMap<string, string>,
  at: Date,
  scope: { records: readonly number[]; children: readonly string[] } | null = null,
): Promise<void> {
  const now = at.toISOString();
  const score = (l: StagedLink) =>
    l.score === null || !Number.isFinite(l.score) ? null : l.score.toFixed(3);
  // The first links ever (a full run on an empty record_link): nothing to merge with, so they are
  // copied straight in (once through the server, not into a stage and then again), children first.
  const first =
    !scope &&
    (await tx.query<{ empty: boolean }>('SELECT NOT EXISTS (SELECT 1 FROM record_link) AS empty'))[0]!.empty;
  if (first) {
    const known = new Set((await tx.query<{ id: string }>('SELECT id FROM child')).map((c) => c.id));
    const fresh = new Set(links.map((l) => l.childId).filter((id) => !known.has(id)));
    await tx.copyRows(
      'child',
      ['id', 'created_at'],
      [...fresh].map((id) => [id, now]),
    );
    await tx.copyRows(
      'record_link',
      ['record_pk', 'child_id', 'method', 'score', 'linked_at'],
      links.map((l) => [String(l.pk), l.childId, l.method, score(l), now]),
    );
  } else {
    await tx.query('TRUNCATE link_stage');
    await tx.copyRows(
      'link_stage',
      ['record_pk', 'child_id', 'method', 'score'],
      links.map((l) => [String(l.pk), l.childId, l.method, score(l)]),
    );
    await tx.query(
      `INSERT INTO child (id, created_at)
       SELECT DISTINCT s.child_id, $1::timestamptz FROM link_stage s
        WHERE NOT EXISTS (SELECT 1 FROM child c WHERE c.id = s.child_id)`,
      [now],
    );
    await tx.query(
      `INSERT INTO record_link (record_pk, child_id, method, score, linked_at)
       SELECT record_pk, child_id, method, score, $1::timestamptz FROM link_stage
       ON CONFLICT (record_pk) DO UPDATE
          SET child_id = excluded.child_id, method = excluded.method, score = excluded.score,
              linked_at = excluded.linked_at
        WHERE record_link.child_id IS DISTINCT FROM excluded.child_id
           OR record_link.method IS DISTINCT FROM excluded.method`,
      [now],
    );
  }
  // A full run has just rewritten most links: fresh statistics keep the checks below on hash joins
  // (with the old ones the planner expects a handful of children and looks each one up).
  if (!scope) await tx.query('ANALYZE child, record_link');
  // Links of records that left scope (a correction to uc_designation N) go.
  if (scope)
    await tx.query(
      `DELETE FROM record_link l USING record r
        WHERE l.record_pk = ANY($1::bigint[]) AND l.record_pk = r.id AND NOT r.in_scope`,
      [scope.records],
    );
  else await tx.query(`DELETE FROM record_link l USING record r WHERE l.record_pk = r.id AND NOT r.in_scope`);
  const children = scope ? 'AND id = ANY($2::text[])' : '';
  const childParams = scope ? [[...new Set([...scope.children, ...links.map((l) => l.childId)])]] : [];
  for (const [from, into] of merged) {
    await tx.query('UPDATE child SET merged_into = $2 WHERE id = $1 AND merged_into IS NULL AND id <> $2', [
      from,
      into,
    ]);
  }
  await tx.query(
    `UPDATE child SET retired_at = $1::timestamptz
      WHERE retired_at IS NULL ${children}
        AND NOT EXISTS (SELECT 1 FROM record_link l WHERE l.child_id = child.id)`,
    [now, ...childParams],
  );
  // A retired id that gets records again (a split undone) is live again.
  await tx.query(
    `UPDATE child SET retired_at = NULL, merged_into = NULL
      WHERE retired_at IS NOT NULL ${children.replace('$2', '$1')}
        AND EXISTS (SELECT 1 FROM record_link l WHERE l.child_id = child.id)`,
    childParams,
  );
}

/**
 * Refreshes the review queue within a scope (all pairs, or pairs whose both records are in `scope`):
 * new middle-band pairs open, pairs that left the band are withdrawn, decided pairs stay decided.
 */
export async function writeReviewPairs(
  tx: Queryable,
  pairs: readonly { a: number; b: number; weight: number }[],
  scope: readonly number[] | null,
  at: Date,
): Promise<void> {
  await tx.query('TRUNCATE review_stage');
  await tx.copyRows(
    'review_stage',
    ['record_a', 'record_b', 'weight'],
    pairs.map((p) => [String(Math.min(p.a, p.b)), String(Math.max(p.a, p.b)), p.weight.toFixed(3)]),
  );
  const now = at.toISOString();
  const inScope = scope ? 'AND (rp.record_a = ANY($2::bigint[]) OR rp.record_b = ANY($2::bigint[]))' : '';
  await tx.query(
    `UPDATE review_pair rp SET status = 'withdrawn', updated_at = $1::timestamptz
      WHERE rp.status = 'open' ${inScope}
        AND NOT EXISTS (SELECT 1 FROM review_stage s WHERE s.record_a = rp.record_a AND s.record_b = rp.record_b)`,
    scope ? [now, scope] : [now],
  );
  await tx.query(
    `INSERT INTO review_pair (record_a, record_b, weight, status, created_at, updated_at)
     SELECT s.record_a, s.record_b, s.weight, 'open', $1::timestamptz, $1::timestamptz FROM review_stage s
     ON CONFLICT (record_a, record_b) DO UPDATE
        SET weight = excluded.weight, updated_at = excluded.updated_at,
            status = CASE WHEN review_pair.status = 'decided' THEN 'decided' ELSE 'open' END
      WHERE review_pair.status <> 'decided'
        AND (review_pair.status <> 'open' OR review_pair.weight IS DISTINCT FROM excluded.weight)`,
    [now],
  );
}

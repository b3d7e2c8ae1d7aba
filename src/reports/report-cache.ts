// Keeps computed report results for as long as the report's facts are unchanged: a report for a
// date is an aggregate over every child, worth computing once per change of the facts rather than
// once per request.
import type { Db, Queryable } from '../db/index.ts';

/** Marks every cached result stale; called in the transaction that changes the facts. */
export async function bumpFactsVersion(q: Queryable): Promise<void> {
  await q.query('UPDATE report_facts_version SET version = version + 1');
}

/**
 * The cached value of `kind`/`key` when it was computed from the current facts; otherwise computes
 * it with `compute` (given a transaction that sees one snapshot of the facts) and keeps it.
 * `stampSql`, when given, is one more condition: an expression over logs the result also reads,
 * whose value must be the same as when the result was computed.
 */
export async function cachedResult<T>(
  db: Db,
  kind: string,
  key: string,
  compute: (q: Queryable) => Promise<T>,
  stampSql = "''",
): Promise<T> {
  const [hit] = await db.query<{ value: T }>(
    `SELECT c.value FROM report_cache c JOIN report_facts_version v ON v.version = c.version
     WHERE c.kind = $1 AND c.key = $2 AND c.stamp = (${stampSql})::text`,
    [kind, key],
  );
  if (hit) return hit.value;
  const { version, stamp, value } = await db.transaction(async (tx) => {
    // One snapshot for the version, the stamp and the computation, so a result is never kept under
    // a version or stamp newer than the facts it read.
    await tx.query('SET TRANSACTION ISOLATION LEVEL REPEATABLE READ');
    const [v] = await tx.query<{ version: string; stamp: string }>(
      `SELECT version, (${stampSql})::text AS stamp FROM report_facts_version`,
    );
    return { version: v!.version, stamp: v!.stamp, value: await compute(tx) };
  });
  await db.query(
    `INSERT INTO report_cache (kind, key, version, stamp, value) VALUES ($1, $2, $3, $4, $5)
     ON CONFLICT (kind, key) DO UPDATE
       SET version = EXCLUDED.version, stamp = EXCLUDED.stamp, value = EXCLUDED.value, built_at = now()`,
    [kind, key, version, stamp, JSON.stringify(value)],
  );
  return value;
}

// Brings the report projection up to date: for every child and record (after a full link or a
// rebuild), or for the children whose links or rows changed and the records that changed.
import type { Queryable } from '../db/index.ts';
import { uspsStateCodes, zipPrefixPairs } from '../addresses/zip-prefixes.ts';
import { bumpFactsVersion } from './report-cache.ts';
import { fieldOfficeRoutes } from '../work/field-offices.ts';
import { numberParams, refreshFactsSql, type FactParam } from './reports.queries.ts';

export type FactsScope = 'all' | { childIds: readonly string[]; recordIds: readonly number[] };

export async function refreshReportFacts(q: Queryable, scope: FactsScope): Promise<void> {
  const routes = fieldOfficeRoutes();
  const values: Record<FactParam, unknown> = {
    children: scope === 'all' ? [] : [...scope.childIds],
    records: scope === 'all' ? [] : [...scope.recordIds],
    pairs: zipPrefixPairs(),
    states: uspsStateCodes(),
    route_states: routes.map((r) => r.state),
    route_prefixes: routes.map((r) => r.prefix),
    route_offices: routes.map((r) => r.office),
  };
  const statements =
    scope === 'all'
      ? refreshFactsSql('all')
      : [
          ...(scope.childIds.length > 0 ? refreshFactsSql('children') : []),
          ...(scope.recordIds.length > 0 ? refreshFactsSql('records') : []),
        ];
  // The statements are one-offs over many rows: compiling them (JIT) costs seconds and saves
  // nothing, and a refresh of everything sorts and hashes every address record in memory.
  if (statements.length > 0) await q.query('SET LOCAL jit = off');
  if (scope === 'all') await q.query("SET LOCAL work_mem = '256MB'");
  for (const sql of statements) {
    const { text, names } = numberParams(sql);
    await q.query(
      text,
      names.map((n) => values[n]),
    );
  }
  if (statements.length > 0) await bumpFactsVersion(q);
}

// The oversight report's SQL. The figures read the report projection (migration 0040): one row
// of milestone dates per child, one row per address-carrying source row, the court's returned
// notices and the streets known with a unit, each keeping the date from which it was known. A
// report for any date compares those dates with it, so past dates answer as the sources knew them.
//
// `refreshFactsSql` keeps the projection current from `record` and `record_link`; its statements
// name their parameters: the children or records to refresh, and for the `invalid` check the
// 'STATE:PREFIX' pairs USPS assigns (src/addresses/zip-prefixes.ts) and the USPS state codes.
//
// The report statements take (see `reportParams`) $1 = the as-of date and $2 = the
// recurring-address threshold (children released to one address).

import { CURRENT_STATES_SQL, currentStateSql } from '../access/disclosure.ts';

// A unit is its identifier alone (`Apt 5`, `#5`, `Unit 5`, `5` → `5`), as in src/addresses.
const unitKey = (col: string) => `regexp_replace(
    regexp_replace(upper(trim(regexp_replace(coalesce(${col}, ''), '[.,]', ' ', 'g'))),
      '^((APT|APARTMENT|UNIT|STE|SUITE|NO|NUM|NUMBER|RM|ROOM|FL|FLOOR|BLDG|BUILDING|DEPT|LOT|SPC|SPACE|TRLR|TRAILER|#)+\\s*){1,3}', ''),
    '[\\s#-]+', '', 'g')`;

// The ZIP as sent (ZIP+4 allowed) when the feed kept it, else the normalized ZIP5.
// Blank and invalid read the address as sent (the feed keeps it; null when every part was blank).
const zipSent = (alias: string) => `trim(coalesce(${alias}.address_as_sent->>'zip', ''))`;
const stateOf = (alias: string) => `upper(trim(coalesce(${alias}.address_as_sent->>'state', '')))`;
const isBlank = (alias: string) =>
  `(trim(coalesce(${alias}.address_as_sent->>'street', '')) = '' OR ${zipSent(alias)} = '')`;
const isInvalid = (
  alias: string,
  pairs: string,
  states: string,
) => `(${zipSent(alias)} !~ '^[0-9]{5}(-?[0-9]{4})?$'
    OR NOT (${stateOf(alias)} IN (SELECT unnest(${states}::text[])))
    OR NOT ((${stateOf(alias)} || ':' || left(${zipSent(alias)}, 3)) IN (SELECT unnest(${pairs}::text[]))))`;
// (IN over a subquery is hashed once; = ANY over a 900-element array is a linear scan per row.)

// Rows that carry an address, and their rank on the same day: EOIR is newer than OPLA, newer than ORR.
// An NTA or court event with no address printed carries no address; an ORR release always does.
const ADDRESS_ROW = `((r.source = 'orr' AND r.event_type IN ('RELEASE', 'ADDRESS_UPDATE'))
    OR (r.source = 'opla' AND r.address_as_sent IS NOT NULL)
    OR (r.source = 'eoir' AND r.event_type IN ('CASE_OPENED', 'ADDRESS_CHANGE') AND r.address_as_sent IS NOT NULL))`;
const SAME_DAY_RANK = `CASE r.source WHEN 'eoir' THEN 3 WHEN 'opla' THEN 2 ELSE 1 END`;
const FTA_ROW = `r.source = 'eoir' AND r.event_type = 'HEARING_RESULT' AND r.attendance = 'ABSENT' AND r.hearing_at IS NOT NULL`;

export type FactParam =
  'children' | 'records' | 'pairs' | 'states' | 'route_states' | 'route_prefixes' | 'route_offices';

/** Replaces `:name` parameters by $1, $2, ... in order of first use, and lists their names. */
export function numberParams(sql: string): { text: string; names: FactParam[] } {
  const names: FactParam[] = [];
  const text = sql.replace(/:(children|records|pairs|states|route_\w+)\b/g, (_m, name: FactParam) => {
    if (!names.includes(name)) names.push(name);
    return `$${names.indexOf(name) + 1}`;
  });
  return { text, names };
}

/**
 * The statements that bring the report projection up to date: for every child and record, or for
 * some children (:children, their ids: their milestones, addresses and notices) and some records
 * (:records, their ids: the streets with a unit, which do not depend on links). The statements
 * name their parameters (:children, :records, :pairs, :states); `numberParams` makes them $n.
 */
export function refreshFactsSql(scope: 'all' | 'children' | 'records'): string[] {
  const byChild = scope === 'children' ? ' AND l.child_id = ANY (:children::text[])' : '';
  const statements: string[] = [];
  // Streets known with a unit first: the addresses inserted for the children read them.
  if (scope !== 'children') {
    const byRecord = scope === 'records' ? ' AND r.id = ANY (:records::bigint[])' : '';
    const mine = 'record_pk = ANY (:records::bigint[])';
    if (scope === 'records') {
      // Streets a changed row gave with a unit: known from the other rows' dates only (the rows
      // are about to be replaced).
      statements.push(`UPDATE report_address a SET unit_known_from = (
          SELECT min(u.own_date) FROM report_unit_street u
          WHERE u.addr_line = a.addr_line AND u.zip5 = a.zip5 AND NOT (u.${mine}))
        WHERE a.unit_key = '' AND (a.addr_line, a.zip5) IN (SELECT addr_line, zip5 FROM report_unit_street WHERE ${mine})`);
    }
    statements.push(
      scope === 'all' ? 'DELETE FROM report_unit_street' : `DELETE FROM report_unit_street WHERE ${mine}`,
      `INSERT INTO report_unit_street (record_pk, addr_line, zip5, own_date)
       SELECT r.id, r.addr_line, r.addr_zip5, r.own_date
       FROM record r
       WHERE r.in_scope AND r.addr_unit <> '' AND ${unitKey('r.addr_unit')} <> ''
         AND r.addr_line IS NOT NULL AND r.addr_zip5 IS NOT NULL${byRecord}`,
    );
    if (scope === 'records') {
      // Streets the changed rows give with a unit now.
      statements.push(`UPDATE report_address a SET unit_known_from = least(a.unit_known_from, s.own_date)
        FROM (SELECT addr_line, zip5, min(own_date) AS own_date FROM report_unit_street WHERE ${mine}
              GROUP BY addr_line, zip5) s
        WHERE a.unit_key = '' AND a.addr_line = s.addr_line AND a.zip5 = s.zip5`);
    }
  }
  if (scope !== 'records') {
    const tables = ['report_child', 'report_address', 'report_notice'];
    statements.push(
      ...tables.map((t) =>
        scope === 'all' ? `DELETE FROM ${t}` : `DELETE FROM ${t} WHERE child_id = ANY (:children::text[])`,
      ),
      `INSERT INTO report_child (child_id, in_scope_from, first_transfer, first_release, first_runaway,
         served_known, first_served, filed_known, first_filed, case_opened, fta_known, first_fta_hearing,
         in_absentia_from, country)
       SELECT l.child_id, min(r.own_date),
         min(r.own_date) FILTER (WHERE (r.source = 'ice' AND r.event_type = 'TRANSFER')
                                   OR (r.source = 'orr' AND r.event_type = 'ADMISSION')),
         min(r.own_date) FILTER (WHERE r.source = 'orr' AND r.event_type = 'RELEASE'),
         min(r.own_date) FILTER (WHERE r.source = 'orr' AND r.event_type = 'RUNAWAY'),
         min(greatest(r.own_date, r.served_date)) FILTER (WHERE r.source = 'opla' AND r.served_date IS NOT NULL),
         min(r.served_date) FILTER (WHERE r.source = 'opla'),
         min(greatest(r.own_date, r.filed_date)) FILTER (WHERE r.source = 'opla' AND r.filed_date IS NOT NULL),
         min(r.filed_date) FILTER (WHERE r.source = 'opla'),
         min(r.own_date) FILTER (WHERE r.source = 'eoir' AND r.event_type = 'CASE_OPENED'),
         min(greatest(r.own_date, r.hearing_at::date)) FILTER (WHERE ${FTA_ROW}),
         min(r.hearing_at::date) FILTER (WHERE ${FTA_ROW}),
         min(r.own_date) FILTER (WHERE r.source = 'eoir' AND r.event_type = 'HEARING_RESULT' AND r.in_absentia),
         mode() WITHIN GROUP (ORDER BY r.country)
       FROM record r JOIN record_link l ON l.record_pk = r.id
       WHERE r.in_scope${byChild}
       GROUP BY l.child_id`,
      // The state record scope reads (the newest address record, in scope or not), so that a list
      // restricted to an area filters children without looking up their records.
      scope === 'all'
        ? // Every child at once: the rows were just inserted without a state.
          `UPDATE report_child c SET scope_state = s.state FROM (${CURRENT_STATES_SQL}) s
            WHERE s.child_id = c.child_id AND s.state IS NOT NULL`
        : `UPDATE report_child c SET scope_state = ${currentStateSql('c.child_id')}
            WHERE c.child_id = ANY (:children::text[])`,
      // The court's returned notices before the addresses, which read them.
      `INSERT INTO report_notice (record_pk, child_id, own_date)
       SELECT r.id, l.child_id, r.own_date
       FROM record r JOIN record_link l ON l.record_pk = r.id
       WHERE r.in_scope AND r.source = 'eoir' AND r.event_type = 'NOTICE_RETURNED'${byChild}`,
      // The field office: a 5-digit ZIP route wins over a 3-digit one, which wins over the state's
      // (src/work/field-offices.ts fieldOfficeRoutes). valid_until: the next address of the child.
      `INSERT INTO report_address (record_pk, child_id, record_id, source, own_date, same_day_rank, is_release,
         addr_line, unit_key, zip5, state, blank, invalid, field_office, valid_until, release_key, unit_known_from,
         returned_from)
       WITH a AS (
         SELECT r.id, l.child_id, r.record_id, r.source, r.own_date, ${SAME_DAY_RANK} AS same_day_rank,
           r.source = 'orr' AND r.event_type = 'RELEASE' AS is_release,
           r.addr_line, ${unitKey('r.addr_unit')} AS unit_key, r.addr_zip5 AS zip5, ${stateOf('r')} AS state,
           ${isBlank('r')} AS blank, ${isInvalid('r', ':pairs', ':states')} AS invalid
         FROM record r JOIN record_link l ON l.record_pk = r.id
         WHERE r.in_scope AND ${ADDRESS_ROW}${byChild}
       ),
       routes AS (
         SELECT * FROM unnest(:route_states::text[], :route_prefixes::text[], :route_offices::text[])
           AS t(state, prefix, office)
       )
       SELECT a.*, coalesce(o5.office, o3.office, o0.office),
         lead(a.own_date) OVER (PARTITION BY a.child_id ORDER BY a.own_date, a.same_day_rank, a.record_id),
         CASE WHEN a.is_release AND NOT a.blank AND NOT a.invalid
           THEN hashtextextended(concat_ws('|', a.addr_line, a.unit_key, a.zip5), 0) END,
         CASE WHEN a.unit_key = '' THEN (
           SELECT min(u.own_date) FROM report_unit_street u WHERE u.addr_line = a.addr_line AND u.zip5 = a.zip5) END,
         CASE WHEN a.source = 'eoir' THEN (
           SELECT min(n.own_date) FROM report_notice n WHERE n.child_id = a.child_id AND n.own_date >= a.own_date) END
       FROM a
       LEFT JOIN routes o5 ON o5.state = a.state AND a.zip5 ~ '^[0-9]{5}' AND o5.prefix = left(a.zip5, 5)
       LEFT JOIN routes o3 ON o3.state = a.state AND a.zip5 ~ '^[0-9]{5}' AND o3.prefix = left(a.zip5, 3)
       LEFT JOIN routes o0 ON o0.state = a.state AND o0.prefix = ''`,
      ...refreshReleaseSql(scope),
    );
  }
  return statements;
}

// Each child's clean release addresses with the child's rank among the children released there
// (migration 0044), after report_address. For some children: the addresses they leave lose their
// ranks (NULL), their rows come in unranked, and only the addresses with an unranked row are ranked
// again.
function refreshReleaseSql(scope: 'all' | 'children'): string[] {
  const insert = (
    rank: string,
    byChild: string,
  ) => `INSERT INTO report_release (release_key, child_id, first_date, key_rank)
       SELECT release_key, child_id, first_date, ${rank}
       FROM (SELECT release_key, child_id, min(own_date) AS first_date FROM report_address
             WHERE release_key IS NOT NULL${byChild} GROUP BY release_key, child_id) t`;
  if (scope === 'all') {
    return [
      'DELETE FROM report_release',
      insert('row_number() OVER (PARTITION BY release_key ORDER BY first_date, child_id)', ''),
    ];
  }
  return [
    `UPDATE report_release SET key_rank = NULL
       WHERE release_key IN (SELECT release_key FROM report_release WHERE child_id = ANY (:children::text[]))`,
    'DELETE FROM report_release WHERE child_id = ANY (:children::text[])',
    insert('NULL::int', ' AND child_id = ANY (:children::text[])'),
    `UPDATE report_release r SET key_rank = t.rank
       FROM (SELECT release_key, child_id,
               row_number() OVER (PARTITION BY release_key ORDER BY first_date, child_id) AS rank
             FROM report_release
             WHERE release_key IN (SELECT release_key FROM report_release WHERE key_rank IS NULL)) t
       WHERE r.release_key = t.release_key AND r.child_id = t.child_id AND r.key_rank IS DISTINCT FROM t.rank`,
  ];
}

/**
 * One row per child in scope as of $1 with every fact the figures need. The figure predicates in
 * FIGURES read these columns; the report aggregates them and the drill-down filters them.
 */
export const CHILD_FACTS_CTE = `
current_address AS (
  SELECT a.*
  FROM report_address a
  WHERE a.own_date <= $1::date AND (a.valid_until IS NULL OR a.valid_until > $1::date)
),
-- An address recurs from the first release date of its $2-th child (report_release.key_rank).
recurring AS (
  SELECT release_key
  FROM report_release
  WHERE key_rank = $2::int AND first_date <= $1::date
),
recurring_child AS (
  SELECT DISTINCT r.child_id
  FROM report_release r
  WHERE r.release_key IN (SELECT release_key FROM recurring) AND r.first_date <= $1::date
),
child_fact AS MATERIALIZED (
  SELECT c.child_id,
    CASE WHEN c.first_transfer <= $1::date THEN c.first_transfer END AS first_transfer,
    CASE WHEN c.first_release <= $1::date THEN c.first_release END AS first_release,
    coalesce(c.first_runaway <= $1::date, false) AS fled,
    CASE WHEN c.served_known <= $1::date THEN c.first_served END AS first_served,
    CASE WHEN c.filed_known <= $1::date THEN c.first_filed END AS first_filed,
    coalesce(c.case_opened <= $1::date, false) AS case_opened,
    coalesce(c.fta_known <= $1::date, false) AS failed_to_appear,
    coalesce(c.in_absentia_from <= $1::date, false) AS in_absentia,
    c.country,
    coalesce(c.first_transfer <= $1::date, false) AS transferred,
    coalesce(c.first_release <= $1::date, false) AS released,
    CASE WHEN c.first_transfer <= $1::date
      THEN extract(year FROM c.first_transfer + interval '3 months')::int END AS fiscal_year,
    nullif(a.state, '') AS state, a.zip5, a.field_office,
    CASE
      WHEN a.child_id IS NULL THEN NULL
      WHEN a.blank THEN 'blank'
      WHEN a.invalid THEN 'invalid'
      -- The court's own address is current and its mail came back since that address took effect.
      WHEN a.source = 'eoir' AND a.returned_from <= $1::date THEN 'undeliverable'
      WHEN a.unit_key = '' AND a.unit_known_from <= $1::date THEN 'missing_unit'
      ELSE 'ok'
    END AS address_class,
    rc.child_id IS NOT NULL AS recurring_address
  FROM report_child c
  LEFT JOIN current_address a ON a.child_id = c.child_id
  LEFT JOIN recurring_child rc ON rc.child_id = c.child_id
  WHERE c.in_scope_from <= $1::date
)`;

/** Each figure as a predicate over child_fact: the report counts it, the drill-down lists it. */
export const FIGURES = {
  in_scope: 'true',
  transferred_to_orr: 'transferred',
  released_to_sponsor: 'released',
  fled_custody: 'fled',
  no_nta_served: 'released AND first_served IS NULL AND NOT case_opened',
  nta_served_not_filed: 'first_served IS NOT NULL AND first_filed IS NULL AND NOT case_opened',
  failed_to_appear: 'failed_to_appear',
  in_absentia_orders: 'in_absentia',
  'address_defects.blank': "released AND address_class = 'blank'",
  'address_defects.invalid': "released AND address_class = 'invalid'",
  'address_defects.missing_unit': "released AND address_class = 'missing_unit'",
  'address_defects.undeliverable': "released AND address_class = 'undeliverable'",
  'recurring_addresses.children': 'recurring_address',
} as const;

export type FigureName = keyof typeof FIGURES;
export const FIGURE_NAMES = Object.keys(FIGURES) as FigureName[];

/** Column name of a figure in the aggregate statement. */
export const figureColumn = (name: FigureName) => name.replace('.', '__');

// Days between two milestones, for the timeliness figures (children with both, in order).
const RELEASE_TO_SERVED = 'CASE WHEN first_served >= first_release THEN first_served - first_release END';
const SERVED_TO_FILED = 'CASE WHEN first_filed >= first_served THEN first_filed - first_served END';

const counts = FIGURE_NAMES.map(
  (name) => `count(*) FILTER (WHERE ${FIGURES[name]})::int AS ${figureColumn(name)}`,
).join(',\n    ');

/**
 * The figures for every child and broken down by fiscal year of first transfer, state and ERO
 * field office of the current address, and country: one row per group, `dim` names the breakdown.
 */
export const AGGREGATE_SQL = `WITH ${CHILD_FACTS_CTE},
-- Timeliness for all children only, as how many children took each number of days (the
-- percentiles are taken from these counts in src/reports/build-report.ts): counting hashes a few
-- hundred values, where percentile_cont would sort every child twice.
timeliness AS (
  SELECT json_agg(json_build_array(release_to_served, n)) FILTER (WHERE release_to_served IS NOT NULL)
           AS release_to_served_counts,
         json_agg(json_build_array(served_to_filed, n)) FILTER (WHERE served_to_filed IS NOT NULL)
           AS served_to_filed_counts
  FROM (
    SELECT ${RELEASE_TO_SERVED} AS release_to_served, ${SERVED_TO_FILED} AS served_to_filed, count(*)::int AS n
    FROM child_fact
    GROUP BY GROUPING SETS ((release_to_served), (served_to_filed))
  ) t
),
figures AS (
  SELECT
    CASE
      WHEN grouping(fiscal_year) = 0 THEN 'fiscal_year'
      WHEN grouping(state) = 0 THEN 'state'
      WHEN grouping(field_office) = 0 THEN 'field_office'
      WHEN grouping(country) = 0 THEN 'country'
      ELSE 'all'
    END AS dim,
    coalesce(fiscal_year::text, state, field_office, country) AS key,
    ${counts}
  FROM child_fact
  GROUP BY GROUPING SETS ((), (fiscal_year), (state), (field_office), (country))
)
SELECT f.*,
  CASE WHEN f.dim = 'all' THEN t.release_to_served_counts END AS release_to_served_counts,
  CASE WHEN f.dim = 'all' THEN t.served_to_filed_counts END AS served_to_filed_counts,
  CASE WHEN f.dim = 'all' THEN (SELECT count(*) FROM recurring)::int END AS recurring_addresses
FROM figures f CROSS JOIN timeliness t`;

/** The children behind one figure ($3 = optional breakdown key), with the facts that put them there. */
export function drillDownSql(
  figure: FigureName,
  dim: 'fiscal_year' | 'state' | 'field_office' | 'country' | null,
) {
  const filter =
    dim === null ? '' : dim === 'fiscal_year' ? ' AND fiscal_year = $3::int' : ` AND ${dim} = $3`;
  return `WITH ${CHILD_FACTS_CTE}
SELECT child_id, first_transfer, first_release, first_served, first_filed, case_opened, failed_to_appear,
       in_absentia, fled, address_class, recurring_address, fiscal_year, state, field_office, country
FROM child_fact
WHERE (${FIGURES[figure]})${filter}
ORDER BY child_id`;
}

const PAGE_CANDIDATES: Partial<Record<FigureName, string>> = {
  'address_defects.blank': 'a.blank',
  'address_defects.invalid': 'a.invalid',
  'address_defects.missing_unit': 'a.unit_known_from <= $1::date',
  'address_defects.undeliverable': 'a.returned_from <= $1::date',
};

/** The release keys of the recurring addresses as of $1 ($2 = threshold), as text. */
export const RECURRING_KEYS_SQL = `WITH ${CHILD_FACTS_CTE}
SELECT release_key::text AS release_key FROM recurring ORDER BY release_key`;

/**
 * One page of the children behind a figure ($3 = the page size) in child id order, or in reverse
 * order for the page before a child id. The facts are computed child by child along the child id
 * index, starting at the cursor ($4 = the child id the page starts after or ends before, when
 * `cursor` is given), and the query stops at the page instead of aggregating every child first.
 * Placeholders for the other parameters: `recurringKeys`, the recurring addresses' release keys
 * (computed once per date, see listFigureChildrenPage), needed by the recurring-address figure
 * only; `states`, to restrict to children whose newest address is in those states; `where`, a
 * further predicate given the child id column (record scope).
 */
export function drillDownPageSql(
  figure: FigureName,
  page: {
    cursor: 'after' | 'before' | null;
    recurringKeys?: string;
    states?: string;
    where: (childId: string) => string;
  },
): string {
  const recurring = page.recurringKeys
    ? `EXISTS (SELECT 1 FROM report_address r WHERE r.child_id = c.child_id
        AND r.release_key = ANY (${page.recurringKeys}::bigint[]) AND r.own_date <= $1::date)`
    : 'NULL::boolean';
  const restrict = [
    page.cursor === null ? '' : ` AND c.child_id ${page.cursor === 'after' ? '>' : '<'} $4`,
    page.states ? ` AND c.scope_state = ANY (${page.states}::text[])` : '',
    // A rare figure walks the rows that can belong to it (partial indexes in child id order)
    // rather than every child; each condition follows from the figure's own predicate.
    PAGE_CANDIDATES[figure] ? ` AND ${PAGE_CANDIDATES[figure]}` : '',
    page.recurringKeys
      ? ` AND c.child_id IN (SELECT r.child_id FROM report_address r
          WHERE r.release_key = ANY (${page.recurringKeys}::bigint[]) AND r.own_date <= $1::date)`
      : '',
  ].join('');
  const cte = CHILD_FACTS_CTE.replace('child_fact AS MATERIALIZED (', 'child_fact AS (')
    .replace('rc.child_id IS NOT NULL AS recurring_address', `${recurring} AS recurring_address`)
    .replace('  LEFT JOIN recurring_child rc ON rc.child_id = c.child_id\n', '')
    .replace('WHERE c.in_scope_from <= $1::date\n)', `WHERE c.in_scope_from <= $1::date${restrict}\n)`);
  return `WITH ${cte}
SELECT child_id, first_transfer, first_release, first_served, first_filed, case_opened, failed_to_appear,
       in_absentia, fled, address_class, recurring_address, fiscal_year, state, field_office, country
FROM child_fact f
WHERE (${FIGURES[figure]}) AND ${page.where('f.child_id')}
ORDER BY child_id${page.cursor === 'before' ? ' DESC' : ''}
LIMIT $3`;
}

/** The source rows behind some children, as of $1 ($2 = child ids). */
export const CHILD_ROWS_SQL = `
SELECT l.child_id, r.source, r.record_id, r.own_date, r.event_type
FROM record r JOIN record_link l ON l.record_pk = r.id
WHERE r.in_scope AND r.own_date <= $1::date AND l.child_id = ANY ($2::text[])
ORDER BY l.child_id, r.own_date, r.source, r.record_id`;

/** A plain count of records as of the date: the benchmark's baseline. */
export const BASELINE_COUNT_SQL = `SELECT count(*)::int AS n FROM record WHERE own_date <= $1::date`;

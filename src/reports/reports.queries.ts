// The oversight report's SQL. Everything is computed set-based from `record` joined with
// `record_link`, filtered on each row's own date, so any past date answers as the sources knew it.
//
// Parameters shared by every statement built here (see `reportParams`):
//   $1 as-of date
//   $2 'STATE:PREFIX' pairs USPS assigns (src/addresses/zip-prefixes.ts), for the `invalid` check
//   $3 USPS state codes
//   $4, $5, $6 field-office routes: state, ZIP prefix ('' = whole state, 3 or 5 digits), office
//      (src/work/field-offices.ts fieldOfficeRoutes)
//   $7 recurring-address threshold (children released to one address)

// A unit is its identifier alone (`Apt 5`, `#5`, `Unit 5`, `5` → `5`), as in src/addresses.
const unitKey = (col: string) => `regexp_replace(
    regexp_replace(upper(trim(regexp_replace(coalesce(${col}, ''), '[.,]', ' ', 'g'))),
      '^((APT|APARTMENT|UNIT|STE|SUITE|NO|NUM|NUMBER|RM|ROOM|FL|FLOOR|BLDG|BUILDING|DEPT|LOT|SPC|SPACE|TRLR|TRAILER|#)+\\s*){1,3}', ''),
    '[\\s#-]+', '', 'g')`;

// The ZIP as sent (ZIP+4 allowed) when the feed kept it, else the normalized ZIP5.
const zipSent = (alias: string) =>
  `regexp_replace(coalesce(nullif(trim(${alias}.address_as_sent->>'zip'), ''), ${alias}.addr_zip5, ''), '\\s+', '', 'g')`;
const stateOf = (alias: string) =>
  `upper(coalesce(nullif(trim(${alias}.addr_state), ''), nullif(trim(${alias}.address_as_sent->>'state'), ''), ''))`;
const isBlank = (alias: string) => `(coalesce(trim(${alias}.addr_line), '') = '' OR ${zipSent(alias)} = '')`;
const isInvalid = (alias: string) => `(${zipSent(alias)} !~ '^[0-9]{5}(-?[0-9]{4})?$'
    OR NOT (${stateOf(alias)} = ANY ($3::text[]))
    OR NOT ((${stateOf(alias)} || ':' || left(${zipSent(alias)}, 3)) = ANY ($2::text[])))`;

// Rows that carry an address, and their rank on the same day: EOIR is newer than OPLA, newer than ORR.
const ADDRESS_ROW = `((r.source = 'orr' AND r.event_type IN ('RELEASE', 'ADDRESS_UPDATE'))
    OR r.source = 'opla'
    OR (r.source = 'eoir' AND r.event_type IN ('CASE_OPENED', 'ADDRESS_CHANGE')))`;
const SAME_DAY_RANK = `CASE r.source WHEN 'eoir' THEN 3 WHEN 'opla' THEN 2 ELSE 1 END`;

/**
 * One row per child in scope as of $1 with every fact the figures need. The figure predicates in
 * FIGURES read these columns; the report aggregates them and the drill-down filters them.
 */
export const CHILD_FACTS_CTE = `
linked AS (
  SELECT l.child_id, r.id, r.source, r.event_type, r.own_date, r.served_date, r.filed_date, r.hearing_at,
    r.attendance, r.in_absentia, r.country, r.address_as_sent, r.addr_line, r.addr_unit, r.addr_state,
    r.addr_zip5
  FROM record r JOIN record_link l ON l.record_pk = r.id
  WHERE r.in_scope AND r.own_date <= $1::date
),
facts AS (
  SELECT r.child_id,
    min(r.own_date) FILTER (WHERE (r.source = 'ice' AND r.event_type = 'TRANSFER')
                              OR (r.source = 'orr' AND r.event_type = 'ADMISSION')) AS first_transfer,
    min(r.own_date) FILTER (WHERE r.source = 'orr' AND r.event_type = 'RELEASE') AS first_release,
    bool_or(r.source = 'orr' AND r.event_type = 'RUNAWAY') AS fled,
    min(r.served_date) FILTER (WHERE r.source = 'opla' AND r.served_date <= $1::date) AS first_served,
    min(r.filed_date) FILTER (WHERE r.source = 'opla' AND r.filed_date <= $1::date) AS first_filed,
    bool_or(r.source = 'eoir' AND r.event_type = 'CASE_OPENED') AS case_opened,
    bool_or(r.source = 'eoir' AND r.event_type = 'HEARING_RESULT' AND r.attendance = 'ABSENT'
            AND r.hearing_at < $1::date + 1) AS failed_to_appear,
    bool_or(r.source = 'eoir' AND r.event_type = 'HEARING_RESULT' AND r.in_absentia) AS in_absentia,
    max(r.own_date) FILTER (WHERE r.source = 'eoir' AND r.event_type = 'NOTICE_RETURNED') AS last_notice_returned,
    mode() WITHIN GROUP (ORDER BY r.country) AS country
  FROM linked r
  GROUP BY r.child_id
),
current_address AS (
  SELECT DISTINCT ON (r.child_id) r.child_id, r.id AS record_pk, r.addr_line, r.addr_unit, r.addr_zip5,
    ${stateOf('r')} AS state, ${unitKey('r.addr_unit')} AS unit_key,
    ${isBlank('r')} AS blank, ${isInvalid('r')} AS invalid
  FROM linked r
  WHERE ${ADDRESS_ROW}
  ORDER BY r.child_id, r.own_date DESC, ${SAME_DAY_RANK} DESC, r.id DESC
),
court_address AS (
  SELECT DISTINCT ON (r.child_id) r.child_id, r.own_date AS since, r.addr_line, r.addr_zip5,
    ${unitKey('r.addr_unit')} AS unit_key
  FROM linked r
  WHERE r.source = 'eoir' AND r.event_type IN ('CASE_OPENED', 'ADDRESS_CHANGE')
  ORDER BY r.child_id, r.own_date DESC, r.id DESC
),
release_address AS (
  SELECT r.child_id, r.addr_line, ${unitKey('r.addr_unit')} AS unit_key, r.addr_zip5
  FROM linked r
  WHERE r.source = 'orr' AND r.event_type = 'RELEASE' AND NOT ${isBlank('r')} AND NOT ${isInvalid('r')}
),
recurring AS (
  SELECT addr_line, unit_key, addr_zip5, count(DISTINCT child_id) AS children
  FROM release_address
  GROUP BY addr_line, unit_key, addr_zip5
  HAVING count(DISTINCT child_id) >= $7::int
),
recurring_child AS (
  SELECT DISTINCT ra.child_id
  FROM release_address ra
  JOIN recurring g ON g.addr_line = ra.addr_line AND g.unit_key = ra.unit_key AND g.addr_zip5 = ra.addr_zip5
),
routes AS (
  SELECT * FROM unnest($4::text[], $5::text[], $6::text[]) AS t(state, prefix, office)
),
child_fact AS (
  SELECT f.*,
    f.first_transfer IS NOT NULL AS transferred,
    f.first_release IS NOT NULL AS released,
    extract(year FROM f.first_transfer + interval '3 months')::int AS fiscal_year,
    nullif(a.state, '') AS state, a.addr_zip5 AS zip5,
    coalesce(o5.office, o3.office, o0.office) AS field_office,
    CASE
      WHEN a.child_id IS NULL THEN NULL
      WHEN a.blank THEN 'blank'
      WHEN a.invalid THEN 'invalid'
      WHEN c.child_id IS NOT NULL AND f.last_notice_returned >= c.since
           AND a.addr_line IS NOT DISTINCT FROM c.addr_line AND a.unit_key = c.unit_key
           AND a.addr_zip5 IS NOT DISTINCT FROM c.addr_zip5 THEN 'undeliverable'
      WHEN a.unit_key = '' AND EXISTS (
             SELECT 1 FROM record u
             WHERE u.addr_zip5 = a.addr_zip5 AND u.addr_line = a.addr_line
               AND u.addr_unit IS NOT NULL AND u.addr_unit <> '' AND u.in_scope
               AND u.own_date <= $1::date AND ${unitKey('u.addr_unit')} <> '') THEN 'missing_unit'
      ELSE 'ok'
    END AS address_class,
    rc.child_id IS NOT NULL AS recurring_address
  FROM facts f
  LEFT JOIN current_address a ON a.child_id = f.child_id
  LEFT JOIN court_address c ON c.child_id = f.child_id
  LEFT JOIN recurring_child rc ON rc.child_id = f.child_id
  LEFT JOIN routes o5 ON o5.state = a.state AND a.addr_zip5 ~ '^[0-9]{5}' AND o5.prefix = left(a.addr_zip5, 5)
  LEFT JOIN routes o3 ON o3.state = a.state AND a.addr_zip5 ~ '^[0-9]{5}' AND o3.prefix = left(a.addr_zip5, 3)
  LEFT JOIN routes o0 ON o0.state = a.state AND o0.prefix = ''
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
export const AGGREGATE_SQL = `WITH ${CHILD_FACTS_CTE}
SELECT
  CASE
    WHEN grouping(fiscal_year) = 0 THEN 'fiscal_year'
    WHEN grouping(state) = 0 THEN 'state'
    WHEN grouping(field_office) = 0 THEN 'field_office'
    WHEN grouping(country) = 0 THEN 'country'
    ELSE 'all'
  END AS dim,
  coalesce(fiscal_year::text, state, field_office, country) AS key,
  ${counts},
  count(${RELEASE_TO_SERVED})::int AS release_to_served_n,
  percentile_cont(0.5) WITHIN GROUP (ORDER BY ${RELEASE_TO_SERVED}) AS release_to_served_median,
  percentile_cont(0.9) WITHIN GROUP (ORDER BY ${RELEASE_TO_SERVED}) AS release_to_served_p90,
  count(${SERVED_TO_FILED})::int AS served_to_filed_n,
  percentile_cont(0.5) WITHIN GROUP (ORDER BY ${SERVED_TO_FILED}) AS served_to_filed_median,
  percentile_cont(0.9) WITHIN GROUP (ORDER BY ${SERVED_TO_FILED}) AS served_to_filed_p90
FROM child_fact
GROUP BY GROUPING SETS ((), (fiscal_year), (state), (field_office), (country))`;

/** Recurring addresses as of $1: how many, and how many children were released to them. */
export const RECURRING_SQL = `WITH ${CHILD_FACTS_CTE}
SELECT (SELECT count(*) FROM recurring)::int AS addresses,
       (SELECT count(*) FROM recurring_child)::int AS children`;

/** The children behind one figure ($8 = optional breakdown key), with the facts that put them there. */
export function drillDownSql(
  figure: FigureName,
  dim: 'fiscal_year' | 'state' | 'field_office' | 'country' | null,
) {
  const filter =
    dim === null ? '' : dim === 'fiscal_year' ? ' AND fiscal_year = $8::int' : ` AND ${dim} = $8`;
  return `WITH ${CHILD_FACTS_CTE}
SELECT child_id, first_transfer, first_release, first_served, first_filed, case_opened, failed_to_appear,
       in_absentia, fled, address_class, recurring_address, fiscal_year, state, field_office, country
FROM child_fact
WHERE (${FIGURES[figure]})${filter}
ORDER BY child_id`;
}

/** The source rows behind some children, as of $1 ($2 = child ids). */
export const CHILD_ROWS_SQL = `
SELECT l.child_id, r.source, r.record_id, r.own_date, r.event_type
FROM record r JOIN record_link l ON l.record_pk = r.id
WHERE r.in_scope AND r.own_date <= $1::date AND l.child_id = ANY ($2::text[])
ORDER BY l.child_id, r.own_date, r.source, r.record_id`;

/** A plain count of records as of the date: the benchmark's baseline. */
export const BASELINE_COUNT_SQL = `SELECT count(*)::int AS n FROM record WHERE own_date <= $1::date`;

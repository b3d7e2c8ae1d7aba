-- Facts for listing the children behind a figure a page at a time, walking children in id order
-- (src/reports drillDownPageSql) without looking up every child's records or every street.

-- The state record scope reads for each child (its newest address record's state, as
-- src/access/disclosure.ts currentStateSql finds it), kept with the report's facts: a list for a
-- viewer limited to an area filters children on it.
ALTER TABLE report_child ADD COLUMN scope_state text;

UPDATE report_child c SET scope_state = (
  SELECT upper(trim(r.addr_state))
    FROM record_link l JOIN record r ON r.id = l.record_pk
   WHERE l.child_id = c.child_id
     AND (r.addr_line IS NOT NULL OR r.addr_state IS NOT NULL OR r.addr_zip5 IS NOT NULL)
   ORDER BY r.own_date DESC,
            CASE r.source WHEN 'eoir' THEN 4 WHEN 'opla' THEN 3 WHEN 'orr' THEN 2 WHEN 'ice' THEN 1 ELSE 0 END DESC,
            r.id DESC
   LIMIT 1);

-- For an address given without a unit: the first date a row gave the same street line and ZIP with
-- a unit (report_unit_street), from which the address counts as missing its unit; NULL when none.
ALTER TABLE report_address ADD COLUMN unit_known_from date;

UPDATE report_address a SET unit_known_from = (
  SELECT min(u.own_date) FROM report_unit_street u WHERE u.addr_line = a.addr_line AND u.zip5 = a.zip5)
WHERE a.unit_key = '';

-- For an address of the court's: the first date the court's mail to the child came back on or
-- after the address took effect (report_notice), from which it counts as undeliverable.
ALTER TABLE report_address ADD COLUMN returned_from date;

UPDATE report_address a SET returned_from = (
  SELECT min(n.own_date) FROM report_notice n WHERE n.child_id = a.child_id AND n.own_date >= a.own_date)
WHERE a.source = 'eoir';

-- The rows that can be of each address defect, in child id order: a figure of a rare defect walks
-- these instead of every child.
CREATE INDEX report_address_blank ON report_address (child_id) WHERE blank;
CREATE INDEX report_address_invalid ON report_address (child_id) WHERE invalid;
CREATE INDEX report_address_unit_known ON report_address (child_id) WHERE unit_known_from IS NOT NULL;
CREATE INDEX report_address_returned ON report_address (child_id) WHERE returned_from IS NOT NULL;
-- Addresses without a unit by street, for bringing unit_known_from up to date when rows giving a
-- unit come or go.
CREATE INDEX report_address_street ON report_address (addr_line, zip5) WHERE unit_key = '';

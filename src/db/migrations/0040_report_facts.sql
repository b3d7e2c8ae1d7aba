-- The oversight report's projection: narrow per-child facts kept current by the projections
-- pipeline, so a report for any date reads about one row per child instead of every source row.
-- Each column keeps the date from which the fact was known, so "as of DATE" stays exact: a fact
-- counts when its date is on or before DATE.

-- One row per child with an in-scope row.
CREATE TABLE report_child (
  child_id text PRIMARY KEY,
  -- The first in-scope row's own date: the child is in scope from then.
  in_scope_from date NOT NULL,
  first_transfer date,
  first_release date,
  first_runaway date,
  -- NTA service and filing count once both the NTA row and the service (filing) date are known.
  served_known date,
  first_served date,
  filed_known date,
  first_filed date,
  case_opened date,
  -- A missed hearing counts once the result is known and the hearing date has passed.
  fta_known date,
  first_fta_hearing date,
  in_absentia_from date,
  -- The country most of the child's rows give.
  country char(3)
);

-- Every row that carries an address, classified once (blank, invalid; unit reduced to its key;
-- the ERO field office whose area holds it), with the date from which a newer address of the
-- same child replaced it: the current address as of DATE is the row with own_date <= DATE <
-- valid_until, so no query has to sort a child's addresses.
CREATE TABLE report_address (
  record_pk bigint PRIMARY KEY,
  child_id text NOT NULL,
  record_id text NOT NULL,
  source text NOT NULL,
  own_date date NOT NULL,
  -- On the same day EOIR is newer than OPLA, which is newer than ORR.
  same_day_rank smallint NOT NULL,
  is_release boolean NOT NULL,
  addr_line text,
  unit_key text NOT NULL,
  zip5 text,
  state text NOT NULL,
  blank boolean NOT NULL,
  invalid boolean NOT NULL,
  field_office text,
  -- NULL while no newer address is known; equal to own_date when replaced on the same day.
  valid_until date
);
CREATE INDEX report_address_child ON report_address (child_id);

-- The court's returned notices (for the undeliverable class).
CREATE TABLE report_notice (
  record_pk bigint PRIMARY KEY,
  child_id text NOT NULL,
  own_date date NOT NULL
);
CREATE INDEX report_notice_child ON report_notice (child_id, own_date);

-- Street lines and ZIPs some in-scope row gives with a unit (for the missing-unit class); linked or
-- not, so kept by record rather than by child.
CREATE TABLE report_unit_street (
  record_pk bigint PRIMARY KEY,
  addr_line text NOT NULL,
  zip5 text NOT NULL,
  own_date date NOT NULL
);
CREATE INDEX report_unit_street_key ON report_unit_street (addr_line, zip5, own_date);

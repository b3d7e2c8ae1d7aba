-- Recurring addresses as of any date without counting every release address: one row per child and
-- clean release address (report_address.release_key) with the first date the child was released
-- there, and the child's rank among the children released there in date order. An address is
-- recurring at threshold T from the first date of its T-th child, so the report reads the rows of
-- rank T up to the date instead of grouping all of them.
CREATE TABLE report_release (
  release_key bigint NOT NULL,
  child_id text NOT NULL,
  first_date date NOT NULL,
  -- 1 for the first child released to the address, 2 for the second, ...; NULL while the rows of
  -- the address are being brought up to date (src/reports refreshFactsSql).
  key_rank integer,
  PRIMARY KEY (release_key, child_id)
);
CREATE INDEX report_release_rank ON report_release (key_rank, first_date);
CREATE INDEX report_release_child ON report_release (child_id);

INSERT INTO report_release (release_key, child_id, first_date, key_rank)
SELECT release_key, child_id, first_date,
  row_number() OVER (PARTITION BY release_key ORDER BY first_date, child_id)
FROM (
  SELECT release_key, child_id, min(own_date) AS first_date
  FROM report_address
  WHERE release_key IS NOT NULL
  GROUP BY release_key, child_id
) t;

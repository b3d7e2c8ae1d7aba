-- Recurring addresses for the web page: the clean ORR release addresses that two or more children
-- were released to, with the children and sponsors at each. Counting them means aggregating every
-- release row, far too slow for a page at full scale, so the page reads this table and recounts it
-- in the background when it is older than a few minutes (the page states when it was counted).
CREATE TABLE recurring_address (
  addr_zip5 text NOT NULL,
  addr_line text NOT NULL,
  addr_unit text NOT NULL,
  addr_city text,
  addr_state text,
  children integer NOT NULL,
  child_ids text[] NOT NULL,
  sponsor_ids text[] NOT NULL,
  PRIMARY KEY (addr_zip5, addr_line, addr_unit)
);
CREATE INDEX recurring_address_rank_idx ON recurring_address (children DESC, addr_zip5, addr_line, addr_unit);
CREATE INDEX recurring_address_state_idx ON recurring_address (addr_state, children DESC);

-- When the table was last counted (one row once it has been).
CREATE TABLE recurring_address_count (
  id boolean PRIMARY KEY DEFAULT true CHECK (id),
  counted_at timestamptz NOT NULL,
  addresses integer NOT NULL
);

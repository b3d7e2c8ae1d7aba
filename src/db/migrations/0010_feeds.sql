-- Feeds: every version of every row as received, the batch (file or request) it came in, the
-- quarantine of rows that could not be read, and the canonical facts of each row's current version.

CREATE TABLE feed_batch (
  id bigserial PRIMARY KEY,
  source text NOT NULL CHECK (source IN ('cbp', 'ice', 'orr', 'opla', 'eoir')),
  kind text NOT NULL CHECK (kind IN ('file', 'http')),
  -- The file path as named on the command line, or the HTTP request id.
  origin text NOT NULL,
  started_at timestamptz NOT NULL DEFAULT now(),
  finished_at timestamptz,
  counts jsonb
);

-- Raw rows: append-only history. A row sent again with the same content adds nothing; new content
-- for the same (source, record_id) adds the next version, and the newest version is the current one.
CREATE TABLE source_row (
  id bigserial PRIMARY KEY,
  source text NOT NULL,
  record_id text NOT NULL,
  version integer NOT NULL,
  content_hash text NOT NULL,
  -- Field values by lower-cased header name, exactly as received.
  fields jsonb NOT NULL,
  -- The original text of the row (the CSV line(s), or the JSON object as sent).
  raw_text text NOT NULL,
  batch_id bigint NOT NULL REFERENCES feed_batch (id),
  line integer NOT NULL,
  received_at timestamptz NOT NULL DEFAULT now(),
  UNIQUE (source, record_id, version)
);

CREATE TABLE quarantine (
  id bigserial PRIMARY KEY,
  source text NOT NULL,
  record_id text,
  batch_id bigint NOT NULL REFERENCES feed_batch (id),
  line integer NOT NULL,
  raw_text text NOT NULL,
  fields jsonb,
  -- [{ "field": "dob", "reason": "not a date in MM/DD/YYYY: 13/45/2008" }, ...]
  reasons jsonb NOT NULL,
  content_hash text NOT NULL,
  received_at timestamptz NOT NULL DEFAULT now(),
  -- Set when a corrected version of the same record was accepted later.
  resolved_by_row_id bigint REFERENCES source_row (id),
  resolved_at timestamptz
);
CREATE INDEX quarantine_open_idx ON quarantine (source, record_id) WHERE resolved_by_row_id IS NULL;

-- Canonical facts of the current version of each accepted row (a projection of source_row: it can be
-- rebuilt from it). Names are upper case without accents; dates are ISO dates.
CREATE TABLE record (
  id bigserial PRIMARY KEY,
  source text NOT NULL,
  record_id text NOT NULL,
  row_id bigint NOT NULL REFERENCES source_row (id),
  -- CBP rows with uc_designation N are kept but out of scope: nothing links to them, nothing counts them.
  in_scope boolean NOT NULL,
  -- The row's own date (oversight-report.md): CBP encounter_date, ICE transfer_date_time, ORR and
  -- EOIR event_date, OPLA issued_date.
  own_date date NOT NULL,
  -- ENCOUNTER (cbp), TRANSFER (ice), NTA (opla), or the ORR / EOIR event_type.
  event_type text NOT NULL,
  a_number char(9),
  orr_uc_id text,
  idncase text,
  name_as_sent text NOT NULL,
  given_names text,
  surname1 text,
  surname2 text,
  dob date,
  sex char(1),
  country char(3),
  -- Source-specific facts.
  book_in_at timestamp,
  transfer_at timestamp,
  sector text,
  orr_facility text,
  sponsor_id text,
  sponsor_category text,
  call_outcome text,
  discharge_reason text,
  issued_date date,
  served_date date,
  service_method text,
  filed_date date,
  court_code text,
  hearing_at timestamp,
  hearing_type text,
  attendance text,
  in_absentia boolean,
  completion text,
  -- Address as sent (street, unit, city, state, zip) and normalized (USPS Publication 28).
  address_as_sent jsonb,
  addr_line text,
  addr_unit text,
  addr_city text,
  addr_state text,
  addr_zip5 text,
  received_at timestamptz NOT NULL,
  UNIQUE (source, record_id)
);
CREATE INDEX record_a_number_idx ON record (a_number) WHERE a_number IS NOT NULL;
CREATE INDEX record_orr_uc_id_idx ON record (orr_uc_id) WHERE orr_uc_id IS NOT NULL;
CREATE INDEX record_idncase_idx ON record (idncase) WHERE idncase IS NOT NULL;
CREATE INDEX record_row_id_idx ON record (row_id);

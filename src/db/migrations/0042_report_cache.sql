-- Report results (the oversight figures for a date, the monthly trend) kept while the facts they
-- were computed from are unchanged: every refresh of the report's facts bumps the version, and a
-- cached result counts only while its version is the current one.
CREATE TABLE report_facts_version (
  id boolean PRIMARY KEY DEFAULT true CHECK (id),
  version bigint NOT NULL
);
INSERT INTO report_facts_version (version) VALUES (0);

CREATE TABLE report_cache (
  kind text NOT NULL,
  key text NOT NULL,
  version bigint NOT NULL,
  value jsonb NOT NULL,
  built_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (kind, key)
);

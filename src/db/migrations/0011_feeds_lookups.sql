-- The ingest merge looks up, for every chunk, whether a bad row's content was quarantined before
-- (a bad row sent again is quarantined once).
CREATE INDEX quarantine_content_idx ON quarantine (source, content_hash);

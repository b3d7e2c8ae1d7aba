-- Timeliness of the work that follows a gap (a missed hearing told to ORR, an alert's task closed)
-- changes when messages are delivered and tasks close, not when the report's facts change: such a
-- cached result also keeps a stamp of the logs it read (the newest task event, delivery attempt
-- and alert), and counts only while the stamp is unchanged.
ALTER TABLE report_cache ADD COLUMN stamp text NOT NULL DEFAULT '';

-- The missed-hearing notices of a child, found without reading every event.
CREATE INDEX notify_event_type_child_idx ON notify_event (type, child_id);

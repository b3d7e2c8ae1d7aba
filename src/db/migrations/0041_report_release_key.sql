-- Recurring addresses group the clean release addresses (street line, unit, ZIP5) of all children:
-- a 64-bit key of the three, computed once per row, groups and joins far faster than the text.
ALTER TABLE report_address ADD COLUMN release_key bigint;
CREATE INDEX report_address_release ON report_address (release_key) WHERE release_key IS NOT NULL;

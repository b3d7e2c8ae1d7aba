-- Children merged into another or retired are few; finding them (to close their alerts, before each
-- evaluation of rules) scanned every child. A partial index holds just those.
CREATE INDEX child_inactive_idx ON child (id) WHERE merged_into IS NOT NULL OR retired_at IS NOT NULL;

-- Every audited read adds a row to audit_log, and its unique index on `hash` put each row's key at a
-- random place in a large B-tree: after every checkpoint, each such insert wrote a whole index page
-- to the write-ahead log. Nothing looks an entry up by its hash, and the chain already rules out a
-- repeated hash: each hash covers the one before it, and `bridge audit verify` recomputes them all.
-- Measured under 100 clients reading records: 3.6 times fewer full-page writes and half the
-- write-ahead log.
ALTER TABLE audit_log DROP CONSTRAINT IF EXISTS audit_log_hash_key;
